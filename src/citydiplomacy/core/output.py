"""Shared output helpers: tables for people, progress only on a terminal.

Every command prints human output through :func:`print_table` so tables look the same
everywhere, and wraps long work in :func:`progress` so a pipe stays quiet.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table


def _console(err: bool = False) -> Console:
    # click's runner swaps sys.stdout; build the console on whatever stdout is now.
    stream = sys.stderr if err else sys.stdout
    # Cells are data (labels, IRIs, literals): never rich markup ("[x]") or emoji codes (":x:").
    return Console(
        file=stream, soft_wrap=False, width=None if stream.isatty() else 200, highlight=False, markup=False, emoji=False
    )


def print_table(
    columns: Sequence[str],
    rows: Iterable[Sequence[object]],
    title: str | None = None,
    err: bool = False,
) -> None:
    """Print *rows* as a table with *columns* headers."""
    table = Table(title=title, show_lines=False, title_justify="left")
    for column in columns:
        table.add_column(str(column), overflow="fold")
    for row in rows:
        table.add_row(*("" if cell is None else str(cell) for cell in row))
    _console(err).print(table)


def is_terminal(stream=None) -> bool:
    stream = stream or sys.stderr
    return hasattr(stream, "isatty") and stream.isatty()


@contextmanager
def progress(description: str, total: int | None = None):
    """A progress bar on stderr when it is a terminal; a silent stand-in otherwise.

    Yields ``advance(n=1)``. With no *total* (work whose size is unknown) it is a spinner with
    the elapsed time, not a bar stuck at ``0/?``.
    """
    if not is_terminal(sys.stderr):
        yield lambda n=1: None
        return
    if total is None:
        columns = [SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn()]
    else:
        columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()]
    with Progress(*columns, console=Console(file=sys.stderr), transient=True) as bar:
        task = bar.add_task(description, total=total)
        yield lambda n=1: bar.advance(task, n)


@contextmanager
def no_progress(description: str, total: int | None = None):
    """The stand-in services use when their caller shows no progress (a script, a test).

    Same signature as :func:`progress`, so a command passes ``progress`` and a library caller
    nothing. Yields ``advance(n=1)``, which does nothing.
    """
    yield lambda n=1: None
