"""The options every command spells the same way (issue 12: one CLI grammar).

``-o/--output FILE`` for a file, ``--out-dir DIR`` for a folder (parents created for both),
``--store`` and ``--lang`` before or after the command name, and ``--format`` choices from
:mod:`citydiplomacy.core.formats`. Old spellings (``--out``, ``--plot``) stay accepted as
hidden aliases, so scripts keep working while ``--help`` and the docs show one name.
"""

from __future__ import annotations

from pathlib import Path

import click

from citydiplomacy.core import formats
from citydiplomacy.core.errors import CitydipError
from citydiplomacy.core.rdfio import ensure_folder

LANGS = ("en", "fa")
DEFAULT_LANG = "en"


class AliasedOption(click.Option):
    """An option with extra names that the parser accepts but that ``--help``, error hints and the
    generated CLI reference (mkdocs-click reads ``opts``) do not show."""

    def __init__(self, param_decls, hidden_names: tuple[str, ...] = (), **attrs):
        super().__init__([*param_decls, *hidden_names], **attrs)
        self.hidden_names = tuple(hidden_names)
        self.opts = [name for name in self.opts if name not in self.hidden_names]

    def add_to_parser(self, parser, ctx: click.Context) -> None:
        shown = self.opts
        self.opts = [*shown, *self.hidden_names]
        try:
            super().add_to_parser(parser, ctx)
        finally:
            self.opts = shown


def make_parents(ctx, param, value: str | None) -> str | None:
    """Create the folder an output file goes into, so ``-o a/b/c.csv`` just works."""
    if value is None or value == "-":
        return value
    parent = Path(value).parent
    if not parent.exists():
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CitydipError(f"{value}: cannot create the folder {parent} ({exc.strerror or exc})") from None
    return value


def make_dir(ctx, param, value: str | None) -> str | None:
    """Create an output folder (and its parents); a file in its place is the user's mistake."""
    if value is not None:
        ensure_folder(value)
    return value


def output_option(help: str, *, old: tuple[str, ...] = ("--out",), name: str = "output", metavar: str = "FILE"):
    """``-o/--output FILE``: write a file here (its folder is created); *old* spellings stay hidden aliases."""
    return click.option(
        "-o",
        "--output",
        name,
        cls=AliasedOption,
        hidden_names=old,
        metavar=metavar,
        type=click.Path(dir_okay=False, path_type=str),
        callback=make_parents,
        help=help,
    )


def out_dir_option(help: str, *, old: tuple[str, ...] = ("--out",), name: str = "out_dir", default: str | None = None):
    """``--out-dir DIR``: write files into this folder (created with its parents)."""
    return click.option(
        "--out-dir",
        name,
        cls=AliasedOption,
        hidden_names=old,
        metavar="DIR",
        default=default,
        show_default=default is not None,
        type=click.Path(path_type=str),  # a file there: our one-line error
        callback=make_dir,
        help=help,
    )


def _root_obj(ctx: click.Context) -> dict:
    root = ctx.find_root()
    root.ensure_object(dict)
    return root.obj


def _set_in_root(key: str):
    """A callback that records a command's value in the root context; the command's value wins."""

    def callback(ctx, param, value):
        if value is not None:
            _root_obj(ctx)[key] = value
        return value

    return callback


def store_option(func):
    """``--store DIR`` after the command name, the same as before it (``citydip --store DIR ...``)."""
    return click.option(
        "--store",
        "store_path",
        expose_value=False,
        type=click.Path(file_okay=False, path_type=str),
        callback=_set_in_root("store_path"),
        help="Folder of the embedded store (as `citydip --store`).",
    )(func)


def lang_option(func):
    """``--lang en|fa`` after the command name, the same as before it; this one wins."""
    return click.option(
        "--lang",
        "lang",
        expose_value=False,
        type=click.Choice(LANGS),
        callback=_set_in_root("lang"),
        help="Language of labels and table titles (as `citydip --lang`; $CITYDIP_LANG).",
    )(func)


def common_options(func):
    """``--store`` and ``--lang``, accepted on every command that reads the store or prints labels."""
    return store_option(lang_option(func))


def current_lang() -> str:
    """The language chosen by ``--lang`` (the command's, else the root's or $CITYDIP_LANG), else English."""
    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return DEFAULT_LANG
    return (ctx.find_root().obj or {}).get("lang") or DEFAULT_LANG


def rdf_format_option(
    *,
    exported_only: bool = False,
    default: str | None = None,
    help: str | None = None,
    name: str = "fmt",
    option: str = "--format",
):
    """``--format`` over the format registry's names and aliases (``ttl`` works wherever Turtle does)."""
    chosen = formats.EXPORTED if exported_only else formats.FORMATS
    return click.option(
        option,
        name,
        type=click.Choice(formats.choices(chosen), case_sensitive=False),
        default=default,
        show_default=default is not None,
        help=help,
    )


def input_format_option(help: str):
    """``--input-format``: the RDF syntax of input files whose extension does not tell."""
    return rdf_format_option(help=help, name="input_format", option="--input-format")


def http_limit_options(timeout_help: str, size_help: str):
    """--timeout, --retries and --max-response-size, the one HTTP policy's limits, for every command
    that talks to a server (`query run --endpoint`, `load`)."""
    from citydiplomacy.cli.paramtypes import BYTE_SIZE

    def decorate(func):
        func = click.option(
            "--max-response-size", "max_bytes", type=BYTE_SIZE, default="512M", show_default=True, help=size_help
        )(func)
        func = click.option(
            "--retries",
            type=click.IntRange(0, 10),
            default=3,
            show_default=True,
            help="Retries when the server answers 429 or 503 (Retry-After honoured up to 30 s).",
        )(func)
        return click.option(
            "--timeout", type=click.FloatRange(min=1), default=60.0, show_default=True, help=timeout_help
        )(func)

    return decorate
