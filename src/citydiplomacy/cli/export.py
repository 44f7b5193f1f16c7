"""``citydip export``: options in, :func:`citydiplomacy.services.export.export_bytes` makes the bytes."""

from __future__ import annotations

import click

from citydiplomacy.cli import store_from_context
from citydiplomacy.cli.options import common_options, output_option, rdf_format_option
from citydiplomacy.services.export import WHAT, export_bytes


@click.command()
@rdf_format_option(exported_only=True, default="turtle")
@click.option("--what", type=click.Choice(WHAT), default="ontology", show_default=True,
              help="The packaged ontology or examples, the store's imported data, or everything in the store.")
@output_option("Write here (atomically; its folder is created) instead of standard output.", name="out")
@common_options
def export(fmt: str, what: str, out: str | None) -> None:
    """Export the graph as Turtle, N-Triples, JSON-LD, RDF/XML or N-Quads; the same graph gives the same bytes.

    N-Quads keeps the store's named graphs; the other formats merge them. JSON-LD is compacted
    with the context published as ontology/context.jsonld.
    """
    from citydiplomacy.core.rdfio import atomic_write, check_writable

    if out:
        check_writable(out)  # before minutes of serialising, not after
    store = store_from_context(read_only=True) if what in ("data", "all") else None
    result = export_bytes(what, fmt, store)
    if result.empty:
        click.echo("note: the store holds no imported data yet (see `citydip import`)", err=True)
    if out:
        atomic_write(out, result.data)
    else:
        stream = click.get_binary_stream("stdout")
        stream.write(result.data)
        stream.flush()
