"""``citydip info``: what the ontology is and how big, at a glance."""

from __future__ import annotations

import json

import click

from citydiplomacy.core.output import print_table
from citydiplomacy.services.info import ontology_summary


@click.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def info(fmt: str) -> None:
    """Show the ontology's IRI, version and counts of its terms and labels."""
    summary = ontology_summary()
    if fmt == "json":
        click.echo(json.dumps(summary, indent=2, ensure_ascii=False))
        return
    rows = [(k, v) for k, v in summary.items() if k != "labels_per_language"]
    rows += [(f"labels @{lang}", n) for lang, n in summary["labels_per_language"].items()]
    print_table(["field", "value"], rows, title="citydiplomacy ontology")
