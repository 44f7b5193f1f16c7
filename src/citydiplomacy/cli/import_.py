"""``citydip import``: the shared P190 files (``citydip import PATH...``) and spreadsheets (``citydip import csv``).

Both syntaxes of the issue live under one click group: a first argument that is not a
subcommand name (``csv``) is routed to the hidden ``files`` command, so
``citydip import a.gexf b.csv --format ...`` and ``citydip import csv FILE --city-a ...`` both work.
"""

from __future__ import annotations

from pathlib import Path

import click

from citydiplomacy.cli.messages import tr
from citydiplomacy.cli.options import common_options, make_parents
from citydiplomacy.core.csvsafe import csv_text
from citydiplomacy.core.errors import CitydipError
from citydiplomacy.core.output import print_table, progress
from citydiplomacy.core.rdfio import atomic_write, check_writable

MAX_LISTED = 20


class ImportGroup(click.Group):
    """Route ``import PATH...`` to the hidden ``files`` command; ``import csv ...`` to ``csv``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ctx.help_option_names:
            args = ["files", *args]
        return super().parse_args(ctx, args)


@click.group(
    "import",
    cls=ImportGroup,
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
def import_() -> None:
    """Import twinning data and city network memberships into the store.

    \b
    citydip import PATH... [--format gexf|ursino-csv|l3viathan-tsv] [--report FILE]
        the shared Wikidata P190 extracts (format detected from the content);
        relations.tsv takes its labels from names.tsv beside it (or given as a PATH).
    citydip import csv FILE --city-a COL --country-a COL --city-b COL --country-b COL ...
        a researcher's spreadsheet, reconciled against the cities in the graph.
    citydip import climactor FILE [--report FILE]
        ClimActor's city and regional climate network memberships (also detected
        by its header among the PATHs of the first form; imported after them).

    Importing the same file twice adds nothing. Exit codes: 0 imported, 2 bad input.
    """


@import_.command("files", hidden=True)
@click.argument("paths", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=str))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["gexf", "ursino-csv", "l3viathan-tsv"]),
    help="Format of every PATH (default: detected from the content).",
)
@click.option(
    "--report",
    "report",
    type=click.Path(dir_okay=False, path_type=str),
    callback=make_parents,
    help="Write every issue (file, line, kind, message) to this CSV (its folder is created).",
)
@common_options
def files(paths: tuple[str, ...], fmt: str | None, report: str | None) -> None:
    """Import the shared Wikidata P190 files (and ClimActor files, told by their header)."""
    from citydiplomacy.cli import store_from_context
    from citydiplomacy.services.importing import api

    climactor_paths, rest = api.split_climactor(paths, fmt)
    with progress("reading", total=len(paths)) as advance:
        read = api.read_files(rest, fmt, advance) if rest else []  # a bad file fails before the store is opened
        climactor_read = [api.read_climactor(path) for path in climactor_paths]
    if report:
        check_writable(report)  # before the store changes, not after
    store = store_from_context()
    try:
        with progress("importing", total=len(read)) as advance:
            outcome = api.import_read_files(store, read, advance)
        # ClimActor last: its actors are reconciled with the cities the twinning files brought
        climactor_done = [(item, api.import_climactor(store, item, progress)) for item in climactor_read]
    finally:
        del store  # release the store's lock even when an error is on its way up
    if read:
        _print_summary(outcome)
    issues = outcome.issues()
    for item, done in climactor_done:
        _print_climactor_summary(item, done)
        issues += _climactor_issues(item)
    _print_issues(issues)
    if report:
        _write_csv(report, ["file", "line", "kind", "message"], issues)
        click.echo(f"issues written to {report}")


def _print_summary(outcome) -> None:
    """One row per data file: what it held and what the store gained."""
    rows = []
    for item in outcome.files:
        result = item.result
        rows.append(
            (
                item.job.label,
                item.job.fmt,
                result.rows,
                result.pairs,
                result.new_agreements,
                result.merged_agreements,
                sum(result.self_loops.values()),
                sum(v for k, v in result.skipped.items() if k != "self-twinning"),
                result.triples_added,
            )
        )
    print_table(
        ["file", "format", "rows", "pairs", "new agreements", "merged", "self-twinnings", "skipped", "triples added"],
        rows,
        title=tr("import"),
    )


def _print_issues(issue_rows) -> None:
    """One row per kind with a count and the first examples: nothing is dropped silently."""
    if not issue_rows:
        return
    by_kind: dict[tuple[str, str], list[str]] = {}
    for file, line, kind, message in issue_rows:
        by_kind.setdefault((file, kind), []).append(
            message if not line or str(line) in message else f"line {line}: {message}"
        )
    rows = []
    for (file, kind), messages in by_kind.items():
        shown = "; ".join(messages[:3]) + (f"; ... ({len(messages) - 3} more)" if len(messages) > 3 else "")
        rows.append((file, kind, len(messages), shown))
    print_table(["file", "issue", "count", "examples"], rows, title=tr("issues (use --report FILE for all)"))


def _write_csv(path: str, header: list[str], rows) -> None:
    """Reports are opened in spreadsheets: cells copied from the input must not run as formulas."""
    atomic_write(path, csv_text(header, rows))


@import_.command("csv")
@click.argument("file", type=click.Path(dir_okay=False, path_type=str))
@click.option("--city-a", required=True, help="Column with the first city's name.")
@click.option("--country-a", required=True, help="Column with the first city's country.")
@click.option("--city-b", required=True, help="Column with the second city's name.")
@click.option("--country-b", required=True, help="Column with the second city's country.")
@click.option("--start", "start_col", help="Column with the start date (ISO date, year, or Solar Hijri).")
@click.option("--end", "end_col", help="Column with the end date.")
@click.option("--qid-a", help="Column with the first city's Wikidata QID (overrides name matching when filled).")
@click.option("--qid-b", help="Column with the second city's Wikidata QID.")
@click.option(
    "--calendar",
    type=click.Choice(["auto", "gregorian", "jalali"]),
    default="auto",
    show_default=True,
    help="Calendar of the dates; auto: a year below 1500 is Solar Hijri, whatever the digits.",
)
@click.option("--delimiter", default=None, help="Field delimiter (default: sniffed among , ; TAB).")
@click.option(
    "--report",
    type=click.Path(dir_okay=False, path_type=str),
    callback=make_parents,
    help="Write the reconciliation report CSV here (its folder is created).",
)
@common_options
def csv_(file, city_a, country_a, city_b, country_b, start_col, end_col, qid_a, qid_b, calendar, delimiter, report):
    """Import a spreadsheet of twinnings, reconciling city names against the graph."""
    from citydiplomacy.cli import store_from_context
    from citydiplomacy.services.importing import api

    path = Path(file)
    if not path.is_file():
        raise CitydipError(f"{path}: no such file")
    columns = api.Columns(city_a, country_a, city_b, country_b, start_col, end_col, qid_a, qid_b)
    if report:
        check_writable(report)  # before the store changes, not after
    sheet = api.read_spreadsheet(path, columns, delimiter)  # a bad file fails before the store is opened (and locked)
    store = store_from_context()
    try:
        outcome = api.import_sheet(store, sheet, columns, calendar=calendar)
    finally:
        del store  # release the store's lock even when an error is on its way up
    _print_sheet_summary(path, outcome)
    if report:
        _write_csv(
            report,
            ["row", "side", "input name", "input country", "outcome", "chosen IRI", "candidates", "note"],
            outcome.report_rows,
        )
        click.echo(f"reconciliation report written to {report}")


def _print_sheet_summary(path: Path, outcome) -> None:
    """The counts, what was created or not added, and the first skipped rows with their lines."""
    print_table(
        ["rows", "imported", "merged", "skipped", "cities matched", "cities created", "ambiguous", "triples added"],
        [
            (
                outcome.rows,
                outcome.imported,
                outcome.merged,
                sum(outcome.skipped.values()),
                outcome.matched,
                outcome.created,
                outcome.ambiguous,
                outcome.triples_added,
            )
        ],
        title=f"import {path.name}",
    )
    if outcome.created:
        noun = "city" if outcome.created == 1 else "cities"
        click.echo(
            f"{outcome.created} new {noun} created (no city of that name and country in the graph); "
            "their rows say 'created' in --report"
        )
    if not outcome.imported and not outcome.merged:
        why = f"all {outcome.rows} rows were skipped" if outcome.rows else "the file has no data rows"
        click.echo(f"{path}: nothing added to the store ({why})")
    if outcome.skipped:
        print_table(["reason", "rows"], sorted(outcome.skipped.items()), title=tr("skipped rows"))
        listed = outcome.skipped_lines[:MAX_LISTED]
        for line, reason in listed:
            click.echo(f"{path}:{line}: skipped: {reason}", err=True)
        if len(outcome.skipped_lines) > MAX_LISTED:
            click.echo(f"... and {len(outcome.skipped_lines) - MAX_LISTED} more skipped rows (see --report)", err=True)


csv_.name = "csv"


@import_.command("climactor")
@click.argument("file", type=click.Path(dir_okay=False, path_type=str))
@click.option(
    "--report",
    type=click.Path(dir_okay=False, path_type=str),
    callback=make_parents,
    help="Write one row per input row (matched, created, ambiguous, region, not imported, skipped) here.",
)
@common_options
def climactor(file: str, report: str | None) -> None:
    """Import the ClimActor file of city and regional climate network memberships (Hsu et al. 2020).

    Each actor is reconciled with the graph's cities (same name, same country, close enough) or
    created; each link to a city network or climate initiative becomes a membership with the
    year its dataset recorded it. Reporting platforms (CDP, NAZCA, carbonn) are counted, not imported.
    """
    from citydiplomacy.cli import store_from_context
    from citydiplomacy.services.importing import api

    read = api.read_climactor(file)  # a bad file fails before the store is opened (and locked)
    if report:
        check_writable(report)
    store = store_from_context()
    try:
        outcome = api.import_climactor(store, read, progress)
    finally:
        del store
    _print_climactor_summary(read, outcome)
    _print_issues(_climactor_issues(read))
    if report:
        from citydiplomacy.services.importing.climactor import REPORT_HEADER

        _write_csv(report, REPORT_HEADER, outcome.report_rows)
        click.echo(f"reconciliation report written to {report}")


def _climactor_issues(read) -> list[tuple[str, object, str, str]]:
    """(file, line, kind, message) of every skipped row and dropped value of a ClimActor file."""
    name = read.path.name
    rows = [(name, line, reason, f"line {line}: skipped: {detail}") for line, reason, detail in read.skipped]
    return rows + [(name, line, kind, f"line {line}: {detail}") for line, kind, detail in read.issues]


def _print_climactor_summary(read, outcome) -> None:
    """The counts of one ClimActor import, and the one line that says what it did and cites the data."""
    from citydiplomacy.services.importing.climactor import CITATION

    found = outcome.outcomes
    print_table(
        ["rows", "matched", "created", "ambiguous", "regions", "not imported", "skipped"]
        + ["memberships", "networks", "reporting links left out", "triples added"],
        [
            (
                outcome.rows,
                found["matched"],
                found["created"],
                found["ambiguous"],
                found["region"],
                found["not imported"],
                sum(outcome.skipped.values()),
                outcome.memberships,
                outcome.networks,
                outcome.kinds["reporting"],
                outcome.triples_added,
            )
        ],
        title=f"import {read.path.name} (ClimActor)",
    )
    click.echo(
        f"{read.path.name}: {outcome.memberships} memberships of {outcome.actors} actors "
        f"in {outcome.networks} networks and initiatives, {outcome.triples_added} triples added"
    )
    click.echo(CITATION)
