"""``citydip load``: push the knowledge graph to a SPARQL server's Graph Store.

Parses the options, runs :func:`citydiplomacy.services.querying.load.load_to_server` and
prints what each graph received.
"""

from __future__ import annotations

import click

from citydiplomacy.cli.options import http_limit_options, store_option
from citydiplomacy.core.output import progress
from citydiplomacy.services.querying.load import LoadResult, check_target, load_to_server


@click.command()
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
@click.option("--endpoint", required=True, help="The server's SPARQL endpoint, or directly its Graph Store endpoint.")
@click.option(
    "--graph-store",
    "graph_store",
    help="The Graph Store Protocol URL if not --endpoint (Virtuoso: .../sparql-graph-crud-auth).",
)
@click.option(
    "--graph",
    "graph",
    metavar="IRI",
    help="Put everything into this graph (default: keep the embedded graphs' names; files go to the data graph).",
)
@click.option(
    "--replace", is_flag=True, help="Replace each target graph's content (HTTP PUT) instead of adding to it (POST)."
)
@click.option("--user", envvar="CITYDIP_USER", help="User name (or $CITYDIP_USER).")
@click.option("--password", envvar="CITYDIP_PASSWORD", help="Password (or $CITYDIP_PASSWORD); never printed.")
@click.option(
    "--auth",
    type=click.Choice(["auto", "basic", "digest"]),
    default="auto",
    show_default=True,
    help="HTTP authentication; auto follows the server's challenge.",
)
@click.option("--chunk-size", type=click.IntRange(min=1), default=5000, show_default=True, help="Triples per request.")
@http_limit_options(
    timeout_help="Seconds allowed for each request as a whole (a deadline, not per read).",
    size_help="Largest answer accepted from the server (bytes, or e.g. 10M, 1G).",
)
@store_option
def load(
    files, endpoint, graph_store, graph, replace, user, password, auth, chunk_size, timeout, retries, max_bytes
) -> None:
    """Push the ontology, the examples, the embedded graph and FILES to a SPARQL server.

    Uses the SPARQL 1.1 Graph Store HTTP Protocol, in chunks, with a progress bar on a terminal.
    """
    from citydiplomacy.cli import store_from_context

    check_target(endpoint, graph_store, graph)  # the URLs and --graph first, before the store is opened
    result = load_to_server(
        store_from_context(read_only=True),
        endpoint,
        files,
        graph_store=graph_store,
        graph=graph,
        replace=replace,
        user=user,
        password=password,
        auth=auth,
        chunk_size=chunk_size,
        timeout=timeout,
        retries=retries,
        max_bytes=max_bytes,
        progress=progress,
    )
    _print_result(result)


def _print_result(result: LoadResult) -> None:
    for iri, sent in result.sent.items():
        held = f" (the server now holds {result.held[iri]})" if iri in result.held else ""
        click.echo(f"{sent} triples -> <{iri}>{held}")
    click.echo(f"loaded {result.triples} triples in {result.requests} requests to {result.url}")
