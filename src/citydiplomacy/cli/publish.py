"""``citydip publish DIR``: options in, :func:`citydiplomacy.services.publish.publish` writes the site."""

from __future__ import annotations

import click

from citydiplomacy.cli import store_from_context
from citydiplomacy.cli.options import store_option
from citydiplomacy.core.namespaces import PROJECT_IRI
from citydiplomacy.services.publish import LANG_CHOICES, languages
from citydiplomacy.services.publish import publish as publish_site


@click.command()
@click.argument("out_dir", metavar="DIR", type=click.Path(path_type=str))
@click.option(
    "--lang",
    "lang",
    type=click.Choice(LANG_CHOICES),
    default="both",
    show_default=True,
    help="The pages' language: en (NAME.html), fa (NAME.fa.html, right to left) or both.",
)
@click.option(
    "--base",
    metavar="URL",
    default=PROJECT_IRI,
    show_default=True,
    help="Where the site will be served: the dumps' URLs in void.ttl start with it.",
)
@store_option
def publish(out_dir: str, lang: str, base: str) -> None:
    """Write a static linked-data site of the store into DIR, ready for w3id.org.

    One page per IRI of the ontology and of the data (English and Persian), each IRI's Turtle
    and JSON-LD beside it at the IRI's path (resource/city/Q90.html, ontology/City.ttl), the
    ontology's document, dumps of the whole graph, a VoID description and the .htaccess that
    answers each IRI with HTML, Turtle or JSON-LD as the client asks. The same graph gives the
    same bytes. DIR is replaced only if an earlier publish wrote it.
    """
    from citydiplomacy.core.output import progress

    store = store_from_context(read_only=True)
    result = publish_site(store, out_dir, languages(lang), base, progress=progress)
    del store
    if result.skipped:
        click.echo(f"note: {result.skipped:,} IRIs have no page: their paths are not safe as file names", err=True)
    click.echo(
        f"published {result.pages:,} pages ({result.files:,} files, {result.bytes / 1e6:.1f} MB) "
        f"into {result.folder} in {result.seconds:.1f} s",
        err=True,
    )
