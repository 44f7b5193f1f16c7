"""The ``citydip`` command line: a click group whose subcommands live in their own modules.

Subcommands are imported only when used (so ``citydip --version`` stays instant); each is
registered below by name -> "module:attribute".
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import os
import sys

import click

from citydiplomacy import __version__
from citydiplomacy.core import inputs
from citydiplomacy.core.errors import EXIT_INTERNAL, CitydipError
from citydiplomacy.core.sizes import parse_size

# name -> "module:click-object". A module that is not there yet simply hides its command.
COMMANDS: dict[str, str] = {
    "info": "citydiplomacy.cli.info:info",
    "publish": "citydiplomacy.cli.publish:publish",
    "validate": "citydiplomacy.cli.validate:validate",
    "query": "citydiplomacy.cli.query:query",
    "load": "citydiplomacy.cli.load:load",
    "import": "citydiplomacy.cli.import_:import_",
    "reason": "citydiplomacy.cli.reason:reason",
    "export": "citydiplomacy.cli.export:export",
    "docs": "citydiplomacy.cli.docs:docs",
    "analyze": "citydiplomacy.cli.analyze:analyze",
    "serve": "citydiplomacy.cli.serve:serve",
}


class UserError(click.ClickException):
    """A :class:`CitydipError` as click shows it: ``Error: ...`` and the error's exit code."""

    def __init__(self, error: CitydipError):
        super().__init__(error.message)
        self.exit_code = error.exit_code  # type: ignore[misc]  # click reads it per instance


class LazyGroup(click.Group):
    """A group that imports a subcommand's module only when that subcommand runs, and the one
    place where the library's errors become exit codes (as pySHACL's CLI maps its errors)."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except CitydipError as error:
            raise UserError(error) from None

    def list_commands(self, ctx: click.Context) -> list[str]:
        names = []
        for name, target in COMMANDS.items():
            module = target.split(":")[0]
            try:
                if importlib.util.find_spec(module) is not None:
                    names.append(name)
            except ModuleNotFoundError:
                continue
        return sorted(names)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None or cmd_name not in self.list_commands(ctx):
            return None
        for extra, packages in EXTRAS_OF_COMMAND.get(cmd_name, ()):
            missing = [name for name in packages if not _installed(name)]
            if missing:
                return _needs_extra(cmd_name, extra, missing[0])
        module_name, attr = target.split(":")
        return getattr(importlib.import_module(module_name), attr)


# Commands whose packages only an extra installs (see pyproject.toml): name -> (extra, packages).
EXTRAS_OF_COMMAND: dict[str, list[tuple[str, tuple[str, ...]]]] = {
    "publish": [("docs", ("jinja2",))],
    "analyze": [("analysis", ("networkx", "scipy", "matplotlib"))],
    "docs": [("docs", ("pylode", "jinja2"))],
    "serve": [("serve", ("oxigraph",))],
}


def _installed(name: str) -> bool:
    if name == "oxigraph":  # installs a program, not a module: present when the program is found
        from citydiplomacy.services.serving import oxigraph_program

        return oxigraph_program() is not None
    return _importable(name)


def _importable(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ValueError, ImportError):  # a module set to None in sys.modules, or a broken parent
        return False


def _needs_extra(name: str, extra: str, package: str) -> click.Command:
    """A stand-in command for one whose optional packages are missing: it says what to install."""
    hint = f"pip install 'citydiplomacy[{extra}]'"

    def refuse(**_options) -> None:
        raise CitydipError(f"citydip {name} needs the optional package {package!r}: {hint}")

    return click.Command(
        name,
        callback=refuse,
        help=f"(needs {hint})",
        context_settings={"ignore_unknown_options": True},
        params=[click.Argument(["args"], nargs=-1, type=click.UNPROCESSED)],
        add_help_option=False,
    )


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="citydip")
@click.option(
    "--store",
    "store_path",
    envvar="CITYDIP_STORE",
    type=click.Path(file_okay=False, path_type=str),
    help="Folder of the embedded store (default: $CITYDIP_STORE or the user data directory).",
)
@click.option(
    "--max-input-size",
    "max_input_size",
    envvar="CITYDIP_MAX_INPUT_SIZE",
    metavar="SIZE",
    default="1G",
    show_default=True,
    callback=lambda ctx, param, value: _size_option(param, value),
    help="Refuse RDF input files larger than this (bytes, or with K/M/G/T; $CITYDIP_MAX_INPUT_SIZE).",
)
@click.option(
    "--lang",
    "lang",
    envvar="CITYDIP_LANG",
    type=click.Choice(["en", "fa"]),
    default=None,
    help="Language of labels, table titles and notes: en (default) or fa ($CITYDIP_LANG).",
)
@click.pass_context
def cli(ctx: click.Context, store_path: str | None, max_input_size: int, lang: str | None) -> None:
    """citydip: the knowledge graph of city diplomacy.

    Exit codes: 0 success, 1 negative answer (does not conform, inconsistent),
    2 bad input or usage, 3 internal error. --store and --lang may also follow the command name.
    """
    ctx.ensure_object(dict)
    ctx.obj["store_path"] = store_path
    ctx.obj["lang"] = lang
    inputs.set_max_input_size(max_input_size)
    # rdflib logs a traceback for each ill-typed literal (e.g. "2020-13-45"^^xsd:date); the
    # shapes report those values properly, so keep the terminal to our own one-line messages.
    logging.getLogger("rdflib.term").setLevel(logging.CRITICAL)


def _size_option(param: click.Parameter, value: str) -> int:
    """--max-input-size as bytes; a bad size is a usage error (exit 2)."""
    try:
        return parse_size(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param=param) from None


def main() -> None:
    """Console entry point: click's own handling, plus one line instead of a traceback."""
    try:
        cli.main(prog_name="citydip", standalone_mode=True)
    except SystemExit:
        raise
    except BrokenPipeError:
        # Reader went away (e.g. `citydip ... | head`): not an error.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(0)
    except Exception as exc:  # noqa: BLE001 - the last line of defence against tracebacks
        if os.environ.get("CITYDIP_DEBUG"):
            raise
        from citydiplomacy.core.http import scrub_secrets

        message = scrub_secrets(" ".join(str(exc).split())) or exc.__class__.__name__
        click.echo(
            f"Error: internal error ({exc.__class__.__name__}: {message}); "
            "please report it, with CITYDIP_DEBUG=1 for the traceback",
            err=True,
        )
        sys.exit(EXIT_INTERNAL)


def store_from_context(read_only: bool = False):
    """Open the embedded store chosen by ``--store`` (before or after the command name) or its defaults.

    *read_only* for commands that only read: they share the store with each other.
    """
    from citydiplomacy.core.store import open_store

    ctx = click.get_current_context()
    path = (ctx.find_root().obj or {}).get("store_path")
    return open_store(path, read_only=read_only)
