"""``citydip docs``: options in, :func:`citydiplomacy.services.docs.build_docs` writes the pages."""

from __future__ import annotations

import click

from citydiplomacy.cli.options import out_dir_option
from citydiplomacy.services.docs import LANGS, build_docs


@click.command()
@out_dir_option(
    "Folder to write the HTML pages into (created with its parents if missing).", default="citydiplomacy-docs"
)
@click.option(
    "--lang",
    "langs",
    multiple=True,
    type=click.Choice(LANGS),
    help="Only this language (repeatable); default both: index.html (en) and fa.html (fa).",
)
@click.option(
    "--engine",
    type=click.Choice(["pylode", "builtin"]),
    default="pylode",
    show_default=True,
    help="English page from pyLODE or from the built-in template (the Persian page is always built-in).",
)
def docs(out_dir: str, langs: tuple[str, ...], engine: str) -> None:
    """Write HTML documentation of the ontology: English (pyLODE) and Persian (right-to-left).

    Both pages include Table 1 and Figure 1 of the article, built from the ontology.
    """
    for path in build_docs(out_dir, langs or LANGS, engine=engine, note=_to_stderr):
        click.echo(str(path))


def _to_stderr(message: str) -> None:
    click.echo(message, err=True)
