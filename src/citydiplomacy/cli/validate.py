"""``citydip validate``: check data (or the ontology itself) against the SHACL shapes.

Parses the options, runs :mod:`citydiplomacy.services.validation.validate` and prints its report.
"""

from __future__ import annotations

import shutil
import sys
import textwrap
from collections import Counter

import click

from citydiplomacy.cli.messages import headers, tr
from citydiplomacy.cli.options import common_options, current_lang, input_format_option
from citydiplomacy.core import formats
from citydiplomacy.core.errors import EXIT_FAILED
from citydiplomacy.core.output import is_terminal, print_table, progress
from citydiplomacy.services.validation import report as render
from citydiplomacy.services.validation.engine import INFERENCE_MODES, load_shapes
from citydiplomacy.services.validation.report import (
    SEVERITIES,
    SEVERITY_ORDER,
    Report,
    exit_code,
    focus_node_count,
    path_text,
    short,
)
from citydiplomacy.services.validation.validate import (
    ENGINES,
    lint_ontology,
    validate_files,
    validate_store,
)


@click.command("validate")
@click.argument("data", nargs=-1, type=str, metavar="[DATA]...")
@click.option(
    "--ontology",
    "check_ontology",
    is_flag=True,
    help="Lint the ontology with shapes/ontology-qa.ttl instead (the packaged ontology and examples, or the DATA files given).",
)
@click.option(
    "--inference",
    type=click.Choice(INFERENCE_MODES),
    default="rdfs",
    show_default=True,
    help="Inference pyshacl runs on data + ontology before validating (ignored with --ontology).",
)
@click.option(
    "--shapes", "extra_shapes", multiple=True, metavar="FILE", help="Extra SHACL shapes to apply as well (repeatable)."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", *formats.TURTLE.names, "json"]),
    default="text",
    show_default=True,
    help="text: a table by focus node and counts; turtle: the SHACL report graph; json: results and summary.",
)
@click.option(
    "--fail-on",
    type=click.Choice(SEVERITIES),
    default="violation",
    show_default=True,
    help="Exit 1 when a result of this severity or worse is found.",
)
@input_format_option("RDF syntax of DATA (default: from each file's extension; required for '-').")
@click.option(
    "--engine",
    type=click.Choice(ENGINES),
    default="auto",
    show_default=True,
    help="'fast' evaluates the shapes inside pyoxigraph (same results as pyshacl, tested; files are "
    "loaded into a temporary in-memory store); 'pyshacl' is the reference; 'auto' = fast, or pyshacl "
    "with a note on stderr when the shapes or --inference need it.",
)
@click.option(
    "--limit",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Text format: show at most this many results in the table (0 = all); counts cover all.",
)
@common_options
@click.pass_context
def validate(ctx, data, check_ontology, inference, extra_shapes, fmt, fail_on, input_format, engine, limit):
    """Validate DATA files (or '-' for standard input) against the ontology and shapes/data.ttl.

    With no DATA, validates the instance data of the embedded store (the article's examples and
    anything imported). With --ontology, runs the ontology's own quality checks.

    Reads Turtle, N-Triples, N-Quads, TriG, JSON-LD and RDF/XML. "conforms" is SHACL's: no
    result of any severity. Exit codes follow --fail-on: 0 passes (nothing at or above it),
    1 fails, 2 bad input or bad shapes.
    """
    # The shapes first: a bad --shapes file is reported before any data is read or the store opened.
    shapes = load_shapes("ontology-qa" if check_ontology else "data", extra_shapes)
    if check_ontology:
        report = lint_ontology(data, shapes=shapes, input_format=input_format, progress=progress)
        what = ", ".join(data) if data else tr("the packaged ontology and examples")
    elif data:
        report = validate_files(
            data,
            shapes=shapes,
            inference=inference,
            engine=engine,
            input_format=input_format,
            progress=progress,
            on_note=_note,
        )
        what = ", ".join(data)
    else:
        report = _validate_the_store(shapes, inference, engine)
        what = tr("the store's instance data")
    _emit(report, fmt, fail_on, what, limit)
    if report.fails(fail_on):
        ctx.exit(EXIT_FAILED)


def _validate_the_store(shapes, inference: str, engine: str) -> Report:
    """Open the store in this frame, so it is let go as soon as the report is made."""
    from citydiplomacy.cli import store_from_context

    store = store_from_context(read_only=True)
    return validate_store(store, shapes=shapes, inference=inference, engine=engine, progress=progress, on_note=_note)


def _note(message: str) -> None:
    click.echo(f"note: {message}", err=True)


def _emit(report: Report, fmt: str, fail_on: str, what: str, limit: int) -> None:
    if fmt == "json":
        click.echo(render.to_json(report, fail_on))
    elif formats.find(fmt) is formats.TURTLE:
        click.echo(render.to_turtle(report), nl=False)
    else:
        print_text(report, fail_on, what, limit, current_lang())


def print_text(
    report: Report, fail_on: str = "violation", what: str = "data", limit: int = 0, lang: str = "en"
) -> None:
    """One block per focus node (its results, each with its message on its own wrapped lines),
    then the counts per shape, then the summary; it reads at 80 columns.

    *limit* > 0 shows only the first *limit* results (real data can give thousands of
    warnings); the per-shape counts and the totals always cover all of them. *lang* words the
    report and chooses labels and (where the shapes give one) the message in that language.
    """
    shown = report.results[:limit] if limit > 0 else report.results
    width = _width()
    for line in _result_lines(report, shown, width, lang):
        click.echo(line)
    if report.results:
        if len(shown) < len(report.results):
            click.echo(tr(LIMIT_NOTE, lang, shown=len(shown), total=len(report.results)))
        by_shape = Counter((r.source_shape, r.severity_name) for r in report.results)
        if len(by_shape) > 1 or len(shown) < len(report.results):
            print_table(
                headers("Shape", "Severity", "Results", lang=lang),
                [
                    (short(report.graph, shape), tr(severity, lang), n)
                    for (shape, severity), n in by_shape.most_common()
                ],
            )
    click.echo(summary_line(report, fail_on, what, lang))


LIMIT_NOTE = "(first {shown} of {total} results; --limit 0 shows all, --format json gives them all)"


def _width() -> int:
    """The terminal's width on a terminal (at most 100), 80 in a pipe or a file."""
    if is_terminal(sys.stdout):
        return max(40, min(shutil.get_terminal_size((80, 24)).columns, 100))
    return 80


def _result_lines(report: Report, shown: list, width: int, lang: str = "en") -> list[str]:
    """A focus node (with its label) on a line, then per result: severity, path and value on one
    line, the message indented below it."""
    lines: list[str] = []
    previous = None
    for r in shown:
        if r.focus_node != previous:
            previous = r.focus_node
            label = report.label(r.focus_node, lang)
            lines.append(short(report.data_graph, r.focus_node) + (f"  ({label})" if label else ""))
        where = " ".join(part for part in (path_text(report.graph, r.path), short(report.data_graph, r.value)) if part)
        lines.append(
            f"  {tr(r.severity_name, lang)}"
            + (f": {where}" if where else "")
            + f"  [{short(report.graph, r.source_shape)}]"
        )
        lines.extend(
            textwrap.wrap(
                r.message_in(lang),
                width=width,
                initial_indent="      ",
                subsequent_indent="      ",
                break_long_words=False,
                break_on_hyphens=False,
            )
            or ["      " + tr("(no message)", lang)]
        )
    return lines


def summary_line(report: Report, fail_on: str, what: str, lang: str = "en") -> str:
    """The last two lines: SHACL's verdict (conforms = no result of any severity), the counts, and
    what --fail-on makes of them (the exit code), worded as the JSON summary is."""
    counts = tr(", ", lang).join(
        tr("{n} " + name.lower(), lang, n=report.counts.get(name, 0)) for name in SEVERITY_ORDER
    )
    if report.results:
        counts += tr(" on {n} focus node(s)", lang, n=focus_node_count(report))
    verdict = tr("conforms" if report.conforms else "does not conform", lang)
    outcome = "fails" if report.fails(fail_on) else "passes"
    details = tr(
        outcome + " --fail-on {fail_on} (exit {code}); {triples} triples, inference {inference}, {seconds} s",
        lang,
        fail_on=fail_on,
        code=exit_code(report, fail_on),
        triples=report.triples,
        inference=report.inference,
        seconds=f"{report.seconds:.2f}",
    )
    return f"{what}: {verdict}: {counts}\n{details}"
