"""``citydip serve``: the embedded store behind the Oxigraph server, until Ctrl-C.

Parses the options, runs :func:`citydiplomacy.services.serving.start_server`, prints the one
line that says where it serves (tests and scripts read the port from it) and the one line that
says it stopped.
"""

from __future__ import annotations

import click

from citydiplomacy.cli.options import store_option
from citydiplomacy.services import serving


@click.command()
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=serving.DEFAULT_PORT,
    show_default=True,
    help="TCP port to listen on; 0 picks a free one (the line printed at start names it).",
)
@click.option(
    "--bind",
    metavar="ADDR",
    default=serving.DEFAULT_BIND,
    show_default=True,
    help="IP address to listen on; another than loopback opens the store to the network, without authentication.",
)
@click.option("--writable", is_flag=True, help="Allow SPARQL Update and Graph Store writes (default: read-only).")
@click.option(
    "--query-timeout",
    type=click.FloatRange(min=0, min_open=True),
    metavar="SECONDS",
    help="Stop any query that runs longer than this (default: no limit).",
)
@store_option
def serve(port: int, bind: str, writable: bool, query_timeout: float | None) -> None:
    """Serve the embedded store over HTTP with the Oxigraph server until Ctrl-C.

    The SPARQL 1.1 Protocol at /query (and /update with --writable), the Graph Store Protocol at
    /store and a YASGUI query page at /. Read-only by default; bound to 127.0.0.1 unless --bind
    says otherwise. Meanwhile other commands may read the store but not change it (with
    --writable the server alone holds it).
    """
    address = serving.parse_bind(bind)
    mismatch = serving.version_mismatch()
    if mismatch:
        click.echo(f"Warning: {mismatch}", err=True)
    if not serving.is_loopback(address):
        click.echo(
            f"Warning: --bind {address} serves the store to other machines on the network, without "
            f"authentication{' (and lets them change it: --writable)' if writable else ''}",
            err=True,
        )
    store_path = (click.get_current_context().find_root().obj or {}).get("store_path")
    server = serving.start_server(store_path, bind=address, port=port, writable=writable, query_timeout=query_timeout)
    with server:
        mode = "writable" if writable else "read-only"
        click.echo(
            f"Serving {server.store} at {server.base_url} ({mode}; SPARQL endpoint {server.query_url}) — Ctrl-C stops"
        )
        how = server.wait()
    click.echo(f"Stopped serving {server.store} at {server.base_url} ({how}; the Oxigraph server has ended)")
