"""``citydip info``: what the ontology is and how big, and where the store is and what it holds."""

from __future__ import annotations

import json

import click

from citydiplomacy.cli.messages import headers, tr
from citydiplomacy.cli.options import common_options
from citydiplomacy.core.output import print_table
from citydiplomacy.services.info import ontology_summary, store_summary


@click.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@common_options
def info(fmt: str) -> None:
    """Show the ontology's IRI, version and counts, and the store's place and contents (read-only)."""
    summary = ontology_summary()
    store = store_summary((click.get_current_context().find_root().obj or {}).get("store_path"))
    if fmt == "json":
        click.echo(json.dumps({**summary, "store": store}, indent=2, ensure_ascii=False))
        return
    rows = [(k, v) for k, v in summary.items() if k != "labels_per_language"]
    rows += [(f"labels @{lang}", n) for lang, n in summary["labels_per_language"].items()]
    print_table(headers("field", "value"), rows, title=tr("citydiplomacy ontology"))
    print_table(headers("field", "value"), _store_rows(store), title=tr("store"))


def _store_rows(store: dict) -> list[tuple[str, str]]:
    """The store's summary as table rows: path, then graphs, counts and sources (or the problem)."""
    rows = [("path", store["path"])]
    if "problem" in store:
        return rows + [("problem", store["problem"])]
    rows.append(("size on disk", f"{store['size_on_disk'] / 1e6:,.1f} MB"))
    rows += [(f"graph {name.rsplit('/', 1)[-1]}", f"{n:,} triples") for name, n in store["graphs"].items()]
    rows += [("twinning agreements", f"{store['agreements']:,}"), ("cities", f"{store['cities']:,}")]
    rows += [
        ("source", f"{s['source']} ({s['agreements']:,} agreements)" if s["agreements"] else s["source"])
        for s in store["sources"]
    ]
    if not store["sources"]:
        rows.append(("sources", "none imported yet (`citydip import`)"))
    return rows
