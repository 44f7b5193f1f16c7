"""The embedded, persistent knowledge graph: a pyoxigraph store on disk.

Layout: the ontology, the article's examples and imported data live in named graphs
(``GRAPH_ONTOLOGY``, ``GRAPH_EXAMPLES``, ``GRAPH_DATA`` and per-source graphs), and
queries see their union as the default graph, as a SPARQL server without FROM does.

The store is found at ``--store PATH``, else ``$CITYDIP_STORE``, else under the user's
data directory. It is created on first use and filled with the ontology and the examples;
when the packaged ontology changes, those two graphs are reloaded (imported data is kept).
A folder we create holds a ``citydip-store`` marker; a non-empty folder that is neither ours
nor a RocksDB store is refused. Commands that only read open the store read-only and share it;
one that writes has it to itself (see :func:`open_store`).
"""

from __future__ import annotations

import contextlib
import errno
import os
import time
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

import pyoxigraph
import rdflib
from platformdirs import user_data_dir

from citydiplomacy.core import formats, resources
from citydiplomacy.core.errors import CitydipError
from citydiplomacy.core.namespaces import GRAPH_EXAMPLES, GRAPH_META, GRAPH_ONTOLOGY
from citydiplomacy.core.ontology import artefacts_fingerprint
from citydiplomacy.core.rdfio import load_packaged

_FINGERPRINT = pyoxigraph.NamedNode("http://purl.org/dc/terms/hasVersion")
_META_SUBJECT = pyoxigraph.NamedNode(GRAPH_ONTOLOGY)


def default_store_path() -> Path:
    """``$CITYDIP_STORE`` or the platform's user data directory."""
    env = os.environ.get("CITYDIP_STORE")
    if env:
        return Path(env).expanduser()
    return Path(user_data_dir("citydiplomacy", appauthor=False)) / "store"


# Written into every store we create, so that --store pointed at a folder of other files is
# refused instead of filled with database files. Stores made before the marker existed are
# recognised by RocksDB's own files.
MARKER = "citydip-store"
_MARKER_TEXT = "This folder is a citydip store (pyoxigraph/RocksDB). Do not put other files here.\n"
_ROCKSDB_SIGNS = ("IDENTITY", "OPTIONS-", "MANIFEST-")
# Read-only openings hold a shared lock on RocksDB's LOCK file for the life of the process:
# readers share the store, and a writer (which takes that lock exclusively) cannot change it
# under them, which pyoxigraph documents as undefined behaviour. Path -> open descriptor.
_READ_LOCKS: dict[str, int] = {}
DEFAULT_LOCK_WAIT = 10.0  # seconds; $CITYDIP_LOCK_WAIT overrides


def open_store(path: str | Path | None = None, initialise: bool = True, read_only: bool = False) -> pyoxigraph.Store:
    """Open (creating if needed) the store at *path* and make sure it holds the ontology.

    *read_only*: for commands that only read. Any number of them share the store; a store that
    is new or holds an outdated ontology is first (re)initialised read-write, then reopened.
    A store held by another process is waited for (``$CITYDIP_LOCK_WAIT`` seconds, default 10).
    """
    target = Path(path).expanduser() if path else default_store_path()
    _folder_is_new(target)  # refuses a folder of other files before anything is written there
    if not read_only:
        return _waiting(target, _open_read_write, target, initialise)
    return _waiting(target, _open_read_only, target, initialise)


def _lock_wait() -> float:
    text = os.environ.get("CITYDIP_LOCK_WAIT", "").strip()
    try:
        return max(0.0, float(text)) if text else DEFAULT_LOCK_WAIT
    except ValueError:
        raise CitydipError(
            f"CITYDIP_LOCK_WAIT={text!r}: not a number of seconds; unset it or give one such as 30"
        ) from None


def _waiting(target: Path, action, *args):
    """*action*, tried again every 0.1 s while another process holds the store, within the lock wait."""
    wait = _lock_wait()
    deadline = time.monotonic() + wait
    while True:
        try:
            return action(*args)
        except StoreBusyError as exc:
            if time.monotonic() >= deadline:
                raise StoreBusyError(f"{exc.message} (waited {wait:g} s; CITYDIP_LOCK_WAIT sets how long)") from None
        time.sleep(0.1)


def _folder_is_new(target: Path) -> bool:
    """True for a missing or empty folder (or one we only began), False for a store; else refuse."""
    if target.exists() and not target.is_dir():
        raise CitydipError(f"{target}: is a file, not a store folder; choose another --store path")
    try:
        names = [entry.name for entry in target.iterdir()] if target.exists() else []
    except OSError as exc:
        raise CitydipError(
            f"{target}: cannot read the store folder ({exc.strerror}); choose another --store path"
        ) from None
    if "CURRENT" in names and (MARKER in names or any(n.startswith(_ROCKSDB_SIGNS) for n in names)):
        return False
    if not names or MARKER in names:
        return True  # ours, new or being created by another process (a damaged one fails to open)
    raise CitydipError(
        f"{target}: not a citydip store (the folder holds other files); "
        "give an empty or new folder as --store (or CITYDIP_STORE)"
    )


def _damaged(target: Path, reason: str) -> CitydipError:
    return CitydipError(
        f"{target}: the store is damaged or not a citydip store ({reason}); move the folder aside "
        "(the next command creates a new store, then import your data again) or use another --store"
    )


def _open_error(target: Path, exc: BaseException) -> CitydipError:
    """One line for whatever pyoxigraph/RocksDB raised while opening or first reading the store."""
    text = str(exc)
    reason = text.splitlines()[0] if text else exc.__class__.__name__
    if "lock" in reason.lower():
        return _in_use(target)
    if isinstance(exc, OSError) and not reason.startswith(("Corruption", "Invalid argument")):
        return CitydipError(f"{target}: cannot open the store ({reason}); check the folder or use another --store")
    return _damaged(target, reason)


class StoreBusyError(CitydipError):
    """Another process holds the store in a way that excludes us (exit 2, like any user error)."""


def _in_use(target: Path) -> CitydipError:
    return StoreBusyError(
        f"{target}: the store is in use by another citydip process; wait for it to finish or use another --store"
    )


def _guarded(target: Path, action, *args):
    """Run *action* on the store; a database failure becomes one CitydipError line."""
    try:
        return action(*args)
    except (KeyboardInterrupt, SystemExit, CitydipError):
        raise
    except BaseException as exc:  # noqa: BLE001 - RocksDB errors come as OSError, RuntimeError or a pyo3 panic
        raise _open_error(target, exc) from None


def _open_read_write(target: Path, initialise: bool) -> pyoxigraph.Store:
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CitydipError(
            f"{target}: cannot create the store folder ({exc.strerror}); choose another --store path"
        ) from None
    _write_marker(target)  # first: claims the folder while RocksDB fills it
    store = _guarded(target, pyoxigraph.Store, str(target))
    if initialise:
        _guarded(target, ensure_initialised, store)
    return store


def _write_marker(target: Path) -> None:
    marker = target / MARKER
    if not marker.exists():
        with contextlib.suppress(OSError):  # a store on read-only media: it is recognised by RocksDB's files anyway
            marker.write_text(_MARKER_TEXT, encoding="utf-8")


def _current_read_only(target: Path, initialise: bool) -> pyoxigraph.Store | None:
    """The store opened read-only under a shared lock, or None if it needs (re)initialising."""
    _hold_read_lock(target)
    store = _guarded(target, pyoxigraph.Store.read_only, str(target))
    if initialise and _guarded(target, _stored_fingerprint, store) != artefacts_fingerprint():
        return None
    return store


def _open_read_only(target: Path, initialise: bool) -> pyoxigraph.Store:
    if _folder_is_new(target):
        _initialise(target, initialise)
    store = _current_read_only(target, initialise)
    if store is None:
        _initialise(target, initialise)
        store = _current_read_only(target, initialise)
        if store is None:
            raise _in_use(target)  # changed again under us by another version of citydip
    return store


def _initialise(target: Path, initialise: bool) -> None:
    """Create or update the store read-write, then close it (and release its lock) at once."""
    store = _open_read_write(target, initialise)
    del store


def _hold_read_lock(target: Path) -> None:
    """Share RocksDB's LOCK file with other readers; refuse while a writer holds it."""
    if fcntl is None:  # pragma: no cover - not on POSIX: read without the lock
        return
    key = str(target.resolve())
    fd = _READ_LOCKS.get(key)
    if fd is None:
        try:
            fd = os.open(target / "LOCK", os.O_RDONLY)
        except OSError:
            return  # no LOCK file to share (read-only media); RocksDB will say what is wrong
        _forget_oldest_read_locks()
        _READ_LOCKS[key] = fd
    try:
        fcntl.lockf(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno in (errno.EAGAIN, errno.EACCES):
            raise StoreBusyError(
                f"{target}: the store is being changed by another citydip process (import, analyze); "
                "wait for it to finish and run again"
            ) from None
        # a file system without locks: read without it


def _forget_oldest_read_locks(keep: int = 16) -> None:
    """A long-lived process (a test session) opening many stores keeps a bounded number of locks."""
    while len(_READ_LOCKS) >= keep:
        os.close(_READ_LOCKS.pop(next(iter(_READ_LOCKS))))


def _stored_fingerprint(store: pyoxigraph.Store) -> str | None:
    for quad in store.quads_for_pattern(_META_SUBJECT, _FINGERPRINT, None, pyoxigraph.NamedNode(GRAPH_META)):
        if isinstance(quad.object, pyoxigraph.Literal):
            return quad.object.value
    return None


def ensure_initialised(store: pyoxigraph.Store) -> bool:
    """Load the ontology and examples if missing or stale; return True if anything was (re)loaded."""
    fingerprint = artefacts_fingerprint()
    if _stored_fingerprint(store) == fingerprint:
        return False
    meta = pyoxigraph.NamedNode(GRAPH_META)
    for graph_iri in (GRAPH_ONTOLOGY, GRAPH_EXAMPLES, GRAPH_META):
        node = pyoxigraph.NamedNode(graph_iri)
        if store.contains_named_graph(node):
            store.clear_graph(node)
    load_packaged(store, resources.ontology_files(), GRAPH_ONTOLOGY)
    examples = resources.examples_file()
    if examples.exists():
        load_packaged(store, [examples], GRAPH_EXAMPLES)
    store.add(pyoxigraph.Quad(_META_SUBJECT, _FINGERPRINT, pyoxigraph.Literal(fingerprint), meta))
    store.flush()
    return True


def select(store: pyoxigraph.Store, query: str, **options) -> pyoxigraph.QuerySolutions:
    """The rows of a SELECT *query* (*options* as for ``Store.query``), typed as rows.

    ``Store.query`` is typed as any query form's result; a SELECT gives rows, and anything
    else here is a bug in our own query, so it is raised as one.
    """
    result = store.query(query, **options)
    if not isinstance(result, pyoxigraph.QuerySolutions):
        raise TypeError(f"not a SELECT query: {query[:80]!r}")
    return result


def graph_names(store: pyoxigraph.Store) -> list[str]:
    """The named graphs holding user-visible content (the meta graph excluded)."""
    return sorted(g.value for g in store.named_graphs() if g.value != GRAPH_META)


def to_rdflib(store: pyoxigraph.Store, graphs: list[str] | None = None) -> rdflib.Graph:
    """Copy the union of *graphs* (all content graphs if None) into an in-memory rdflib graph."""
    from citydiplomacy.core.namespaces import bind_prefixes

    graph = rdflib.Graph()
    bind_prefixes(graph)
    for name in graphs if graphs is not None else graph_names(store):
        data = store.dump(format=formats.NTRIPLES.oxigraph_format, from_graph=pyoxigraph.NamedNode(name))
        if data:
            graph.parse(data=data, format="nt")
    return graph
