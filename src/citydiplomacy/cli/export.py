"""``citydip export``: options in, :func:`citydiplomacy.services.export.export_bytes` makes the bytes."""

from __future__ import annotations

import sys

import click

from citydiplomacy.cli import store_from_context
from citydiplomacy.cli.options import common_options, output_option, rdf_format_option
from citydiplomacy.core import formats
from citydiplomacy.services.export import STORE_WHAT, WHAT, export_bytes


@click.command()
@rdf_format_option(exported_only=True, default="turtle")
@click.option(
    "--what",
    type=click.Choice(WHAT),
    default="all",
    show_default=True,
    help="all: every graph of the store (ontology, examples, imported data, analyze's scores); "
    "ontology or examples: the packaged files; data: the imported data only; analysis: "
    "the scores `analyze cityness --write` stored.",
)
@output_option("Write here (atomically; its folder is created) instead of standard output.", name="out")
@common_options
def export(fmt: str, what: str, out: str | None) -> None:
    """Export the store (or a part of it) as Turtle, N-Triples, JSON-LD, RDF/XML or N-Quads; the same graph gives the same bytes.

    By default everything in the store; --what picks a part. N-Quads keeps the store's named
    graphs; the other formats merge them. JSON-LD uses the context published as
    ontology/context.jsonld. A closing line on stderr says what was written (path, triples, seconds).
    """
    import time

    from citydiplomacy.core.output import progress
    from citydiplomacy.core.rdfio import atomic_write, check_writable

    started = time.perf_counter()
    if out:
        check_writable(out)  # before minutes of serialising, not after
    store = store_from_context(read_only=True) if what in STORE_WHAT else None
    result = export_bytes(what, fmt, store, progress=progress)
    del store
    if result.empty:
        click.echo(
            f"note: the store holds no {'imported data' if what == 'data' else 'scores'} yet "
            f"(see `citydip {'import' if what == 'data' else 'analyze cityness --write'}`)",
            err=True,
        )
    if out:
        atomic_write(out, result.data)
    else:
        stream = sys.stdout.buffer
        stream.write(result.data)
        stream.flush()
    noun = "quads" if formats.named(fmt).quads else "triples"
    click.echo(
        f"exported {what} to {out or 'standard output'}: {result.triples:,} {noun}, "
        f"{len(result.data):,} bytes, {time.perf_counter() - started:.1f} s",
        err=True,
    )
