"""Import twinning data from Python: the shared P190 files and researchers' spreadsheets.

What ``citydip import`` does, with plain arguments and results and no printing. Files are
read and checked first (:func:`read_files`, :func:`read_spreadsheet`), so that a bad file fails
before the store is opened and locked; then they go into the store (:func:`import_read_files`,
:func:`import_sheet`). :func:`import_files` and :func:`import_spreadsheet` do both steps.

    >>> from citydiplomacy.core.store import open_store
    >>> outcome = import_files(open_store("/tmp/kg"), ["relations.tsv"])
    >>> outcome.triples_added
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from citydiplomacy.core.errors import CitydipError
from citydiplomacy.services.importing.climactor import (
    ClimactorFile,
    ClimactorOutcome,
    import_climactor,
    read_climactor,
)
from citydiplomacy.services.importing.sources import FORMATS, Parsed, detect_format, parse
from citydiplomacy.services.importing.spreadsheet import (
    Columns,
    Sheet,
    SpreadsheetOutcome,
    import_sheet,
    read_sheet,
)
from citydiplomacy.services.importing.writer import ImportResult, import_parsed

__all__ = [
    "FORMATS",
    "ClimactorFile",
    "ClimactorOutcome",
    "import_climactor",
    "read_climactor",
    "split_climactor",
    "Columns",
    "FileImport",
    "ImportJob",
    "ImportOutcome",
    "SpreadsheetOutcome",
    "import_files",
    "import_read_files",
    "import_sheet",
    "import_spreadsheet",
    "read_files",
    "read_spreadsheet",
    "resolve_inputs",
]

Advance = Callable[..., None]


def _no_progress(n: int = 1) -> None:
    """The default *advance*: a script that does not show progress needs no callback."""


@dataclass(frozen=True)
class ImportJob:
    """One data file to import, its format, and the names.tsv that labels it (relations.tsv only)."""

    path: Path
    fmt: str
    names: Path | None = None

    @property
    def label(self) -> str:
        """How the summary names the job: ``relations.tsv (+names.tsv)``."""
        return self.path.name + (f" (+{self.names.name})" if self.names else "")


@dataclass
class FileImport:
    """One file read (``parsed``) and, once imported, what the store gained from it (``result``)."""

    job: ImportJob
    parsed: Parsed
    result: ImportResult | None = None

    def issues(self) -> list[tuple[str, object, str, str]]:
        """(file, line, kind, message) for every problem met reading or merging this file."""
        name = self.job.path.name
        rows: list[tuple[str, object, str, str]] = [
            (name, issue.line or "", issue.kind, issue.message) for issue in self.parsed.issues
        ]
        conflicts = self.result.conflicts if self.result else []
        return rows + [(name, "", "conflict with stored value", conflict) for conflict in conflicts]


@dataclass
class ImportOutcome:
    """What an import of P190 files did, one :class:`FileImport` per data file."""

    files: list[FileImport] = field(default_factory=list)
    climactor: list[ClimactorOutcome] = field(default_factory=list)  # ClimActor files among the paths

    def issues(self) -> list[tuple[str, object, str, str]]:
        """Every (file, line, kind, message), in file order: the rows of ``--report``."""
        return [row for item in self.files for row in item.issues()]

    @property
    def triples_added(self) -> int:
        twinning = sum(item.result.triples_added for item in self.files if item.result)
        return twinning + sum(item.triples_added for item in self.climactor)


def _data_and_names(paths: Iterable[str | Path], fmt: str | None) -> tuple[list[tuple[Path, str]], list[Path]]:
    """Split *paths* into (data file, format) pairs and names.tsv label files."""
    jobs: list[tuple[Path, str]] = []
    names: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if not path.is_file():
            raise CitydipError(f"{path}: no such file")
        detected = fmt or detect_format(path)
        if detected == "climactor":
            raise CitydipError(
                f"{path}: a ClimActor file; import it with `citydip import climactor` (import_climactor)"
            )
        if detected == "l3viathan-names" or (fmt == "l3viathan-tsv" and detect_format(path) == "l3viathan-names"):
            names.append(path)
        else:
            jobs.append((path, detected))
    return jobs, names


def split_climactor(paths: Iterable[str | Path], fmt: str | None = None) -> tuple[list[Path], list[str | Path]]:
    """The ClimActor files among *paths* (told by their header) and the rest; with *fmt* given, none is ClimActor."""
    climactor: list[Path] = []
    rest: list[str | Path] = []
    for raw in paths:
        path = Path(raw)
        if fmt is None and path.is_file() and detect_format_or_none(path) == "climactor":
            climactor.append(path)
        else:
            rest.append(raw)
    return climactor, rest


def detect_format_or_none(path: Path) -> str | None:
    """The detected format, or None where the file is not one we recognise (its import says why)."""
    try:
        return detect_format(path)
    except CitydipError:
        return None


def resolve_inputs(paths: Iterable[str | Path], fmt: str | None = None) -> list[ImportJob]:
    """Pair each data file with its format (detected unless *fmt*), and relations.tsv with its
    names.tsv (given among *paths*, else the one beside it)."""
    if fmt is not None and fmt not in FORMATS:
        raise CitydipError(f"unknown import format {fmt!r}; choose one of {', '.join(FORMATS)}")
    pairs, names = _data_and_names(paths, fmt)
    relations = [p for p, f in pairs if f == "l3viathan-tsv"]
    if names and not relations:
        raise CitydipError(f"{names[0]}: holds labels only (QID<TAB>label); import it together with its relations.tsv")
    if len(names) > 1 or (names and len(relations) > 1):
        raise CitydipError("give at most one names.tsv, with exactly one relations.tsv")
    jobs = []
    for path, detected in pairs:
        companion = None
        if detected == "l3viathan-tsv":
            sibling = path.with_name("names.tsv")
            companion = names[0] if names else (sibling if sibling.is_file() and sibling != path else None)
        jobs.append(ImportJob(path, detected, companion))
    return jobs


def read_files(
    paths: Iterable[str | Path], fmt: str | None = None, advance: Advance = _no_progress
) -> list[FileImport]:
    """Resolve and parse every file, without touching a store: a bad file fails here."""
    read = []
    for job in resolve_inputs(paths, fmt):
        read.append(FileImport(job, parse(job.path, job.fmt, job.names)))
        advance()
    return read


def import_read_files(store: ox.Store, files: Sequence[FileImport], advance: Advance = _no_progress) -> ImportOutcome:
    """Write the files :func:`read_files` gave into *store*; importing a file twice adds nothing."""
    for item in files:
        item.result = import_parsed(store, item.parsed)
        advance()
    return ImportOutcome(list(files))


def import_files(store: ox.Store, paths: Iterable[str | Path], fmt: str | None = None) -> ImportOutcome:
    """Read the shared Wikidata P190 files *paths* (gexf, ursino-csv, l3viathan-tsv) into *store*, and
    any ClimActor file among them after those (its actors are reconciled with their cities)."""
    climactor_paths, rest = split_climactor(paths, fmt)
    read = read_files(rest, fmt) if rest else []
    climactor_read = [read_climactor(path) for path in climactor_paths]  # every file read before any write
    outcome = import_read_files(store, read)
    outcome.climactor = [import_climactor(store, item) for item in climactor_read]
    return outcome


def read_spreadsheet(path: str | Path, columns: Columns, delimiter: str | None = None) -> Sheet:
    """Read and check a researcher's spreadsheet, before any store is opened."""
    path = Path(path)
    if not path.is_file():
        raise CitydipError(f"{path}: no such file")
    return read_sheet(path, columns, delimiter)


def import_spreadsheet(
    store: ox.Store, path: str | Path, columns: Columns, calendar: str = "auto", delimiter: str | None = None
) -> SpreadsheetOutcome:
    """Reconcile the spreadsheet *path* against the cities of *store* and import its twinnings."""
    return import_sheet(store, read_spreadsheet(path, columns, delimiter), columns, calendar=calendar)
