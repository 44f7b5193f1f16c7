"""Reading and writing RDF files with one-line, located errors and atomic writes.

Every command that takes RDF from a user goes through :func:`check_input_file` (directly, or
through :func:`read_rdf`), so a file that is not safe to parse or does not parse always ends
the same way: ``Error: FILE[:LINE:COL]: reason``, exit 2.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import rdflib

from citydiplomacy.core import formats
from citydiplomacy.core.errors import CitydipError
from citydiplomacy.core.inputs import (
    check_regular_file,
    check_xml,
    inline_jsonld_contexts,
    no_triples_message,
    read_user_bytes,
    to_utf8,
)

INPUT_FORMATS = formats.choices()  # what --input-format accepts


def guess_format(path: str | Path, explicit: str | None = None) -> str:
    """The rdflib format for *path*: the explicit one if given, else by suffix."""
    return input_format_of(path, explicit).rdflib


def input_format_of(path: str | Path, explicit: str | None = None) -> formats.RdfFormat:
    """The registry's format for reading *path*: *explicit* (a name or alias) if given, else its extension."""
    if explicit:
        return formats.named(explicit)
    name = str(path)
    if name == "-":
        raise CitydipError("reading standard input needs --input-format (for example --input-format turtle)")
    fmt = formats.by_suffix(name)
    if fmt is None:
        suffix = Path(name).suffix.lower()
        raise CitydipError(
            f"{name}: cannot tell the RDF format from the extension {suffix or '(none)'!r}; "
            f"rename the file or pass --input-format ({', '.join(INPUT_FORMATS)})"
        )
    return fmt


def _check_is_file(name: str) -> None:
    """Say 'no such file' / 'is a directory' / 'not a regular file' before anything else about *name*."""
    if name == "-":
        return
    check_regular_file(name)


@dataclass(frozen=True)
class CheckedInput:
    """A user's RDF file that passed the guards: its bytes are safe to hand to any parser.

    ``data`` is UTF-8 without BOM; RDF/XML has no entity that expands without bound or
    reaches outside the file; JSON-LD has no remote ``@context`` left.
    """

    name: str
    fmt: str  # rdflib's name for the format (what messages say: "as turtle")
    data: bytes
    base_iri: str

    @property
    def format(self) -> formats.RdfFormat:
        """The registry's entry for the file's format."""
        return formats.named(self.fmt)


def check_input_file(path: str | Path, input_format: str | None = None) -> CheckedInput:
    """Read and guard one user RDF file (``-`` = stdin); every reading path goes through here.

    Refuses (CitydipError, exit 2) a missing file, a directory, a FIFO/device/socket (before
    opening it), a file over the ``--max-input-size`` limit, an empty file, a file that is not
    UTF-8 (RDF/XML may declare its encoding), XML entity tricks and remote JSON-LD contexts.
    """
    name = str(path)
    _check_is_file(name)
    fmt = guess_format(path, input_format)  # before reading: an unknown extension reads nothing
    data = read_user_bytes(name)
    if not data.strip():
        raise CitydipError(no_triples_message(name))
    data = to_utf8(name, data, fmt)
    if fmt == "xml":
        check_xml(name, data)
    elif fmt == "json-ld":
        data = inline_jsonld_contexts(name, data)
    base = Path(name).resolve().as_uri() if name != "-" else "file:///stdin"
    return CheckedInput(name, fmt, data, base)


def _locate_syntax_error(data: bytes, fmt: formats.RdfFormat) -> str | None:
    """Ask pyoxigraph where the syntax error is: 'LINE:COL: reason', or None if it parses there."""
    import pyoxigraph

    try:
        for _ in pyoxigraph.parse(data, format=fmt.oxigraph_format, base_iri="file:///input"):
            pass
    except SyntaxError as exc:
        return _oxigraph_location(exc)
    except Exception:  # noqa: BLE001 - only a locator; fall back to rdflib's message
        return None
    return None


def _oxigraph_location(exc: SyntaxError) -> str:
    """pyoxigraph's SyntaxError as 'LINE:COL: reason' (or the reason alone when it has no line)."""
    reason = str(exc.msg).split(": ", 1)[-1] if exc.msg else "syntax error"
    if exc.lineno:
        return f"{exc.lineno}:{exc.offset or 1}: {reason}"
    return reason


def _rdflib_location(exc: Exception, data: bytes) -> str:
    """Best-effort line/column from an rdflib exception."""
    lines = getattr(exc, "lines", None)
    index = getattr(exc, "_i", None)
    why = getattr(exc, "_why", None) or str(exc)
    if lines is not None and index is not None:
        text = data.decode("utf-8", errors="replace")
        line_start = text.rfind("\n", 0, index) + 1
        return f"{lines + 1}:{index - line_start + 1}: {why}"
    get_line = getattr(exc, "getLineNumber", None)
    if callable(get_line):  # a SAX parse error (RDF/XML), recognised by its methods
        sax: Any = exc
        return f"{get_line()}:{sax.getColumnNumber()}: {sax.getMessage()}"
    lineno = getattr(exc, "lineno", None)
    if lineno:
        return f"{lineno}:{getattr(exc, 'colno', 1)}: {getattr(exc, 'msg', why)}"
    return why


def read_rdf(
    path: str | Path,
    into: rdflib.Graph | rdflib.Dataset | None = None,
    input_format: str | None = None,
) -> rdflib.Graph | rdflib.Dataset:
    """Parse one RDF file (or ``-`` for stdin) into *into* (a new Graph or Dataset if None).

    Raises :class:`CitydipError` with ``FILE:LINE:COL: reason`` on any problem.
    """
    return parse_checked(check_input_file(path, input_format), into)


def parse_checked(
    checked: CheckedInput, into: rdflib.Graph | rdflib.Dataset | None = None
) -> rdflib.Graph | rdflib.Dataset:
    """Parse a guarded file with rdflib; a file that yields no triple is refused like an empty one."""
    if into is None:
        into = _empty_graph(checked)
    before = _triple_count(into)
    _rdflib_parse(checked, into)
    if _triple_count(into) == before:
        # Nothing new: either the file holds no triples, or only ones *into* already had.
        fresh = _empty_graph(checked)
        _rdflib_parse(checked, fresh)
        if _triple_count(fresh) == 0:
            raise CitydipError(no_triples_message(checked.name))
    return into


def _empty_graph(checked: CheckedInput) -> rdflib.Graph | rdflib.Dataset:
    return rdflib.Dataset() if checked.format.quads else rdflib.Graph()


def _triple_count(graph: rdflib.Graph | rdflib.Dataset) -> int:
    if isinstance(graph, rdflib.Dataset):
        return sum(len(g) for g in graph.graphs())
    return len(graph)


def _rdflib_parse(checked: CheckedInput, into: rdflib.Graph | rdflib.Dataset) -> None:
    try:
        into.parse(source=io.BytesIO(checked.data), format=checked.fmt, publicID=checked.base_iri)
    except Exception as exc:  # noqa: BLE001 - every parser has its own exception type
        raise syntax_error(checked, exc) from None


def syntax_error(checked: CheckedInput, exc: Exception | None = None) -> CitydipError:
    """The one-line ``FILE:LINE:COL: reason (as FORMAT)`` error for a guarded file that does not parse.

    pyoxigraph locates the error; rdflib's message is the fallback (parsing the guarded bytes
    again if no rdflib exception is at hand, so still nothing is fetched or expanded).
    """
    where = _locate_syntax_error(checked.data, checked.format)
    if where is None and exc is None:
        try:
            graph = _empty_graph(checked)
            graph.parse(source=io.BytesIO(checked.data), format=checked.fmt, publicID=checked.base_iri)
        except Exception as rdflib_exc:  # noqa: BLE001 - every parser has its own exception type
            exc = rdflib_exc
    if where is None:
        where = _rdflib_location(exc, checked.data) if exc is not None else "cannot be parsed"
    return CitydipError(f"{checked.name}:{where} (as {checked.fmt}); fix the syntax and run again")


def has_a_triple(checked: CheckedInput) -> bool:
    """True once pyoxigraph has read one triple of *checked* (it stops there)."""
    import pyoxigraph

    for _ in pyoxigraph.parse(checked.data, format=checked.format.oxigraph_format, base_iri=checked.base_iri):
        return True
    return False


def read_many(paths: Iterable[str | Path], into: rdflib.Graph, input_format: str | None = None) -> rdflib.Graph:
    """Parse several files into one graph (triples of quad formats land in *into*)."""
    for path in paths:
        _check_is_file(str(path))
        if input_format_of(path, input_format).quads:
            ds = cast(rdflib.Dataset, read_rdf(path, None, input_format))  # a quad format parses into a Dataset
            for s, p, o, _g in ds.quads((None, None, None, None)):
                into.add((s, p, o))
        else:
            read_rdf(path, into, input_format)
    return into


def load_into_store(
    store, paths: Iterable[str | Path], graph, input_format: str | None = None, flatten_quads: bool = False
) -> None:
    """Add each user RDF file (``-`` = stdin) to *graph* of the pyoxigraph *store*: the one way files enter a store.

    Every file passes :func:`check_input_file` first (regular files only, the size limit, XML
    entities, remote JSON-LD contexts, one encoding rule). *graph* is an IRI, a NamedNode or
    DefaultGraph. A quad file's graphs are kept, or with *flatten_quads* all land in *graph*, as
    :func:`read_many` does. Blank nodes of different files stay different. Loading is pyoxigraph's
    bulk loader (a 200 MB file in seconds, where rdflib took 7 GB and never finished), which is
    not atomic: a file that fails half way leaves part of itself, so load into a store that is
    thrown away on error (an in-memory one). Errors are ``FILE[:LINE:COL]: reason``, exit 2.
    """
    import pyoxigraph

    target = pyoxigraph.NamedNode(graph) if isinstance(graph, str) else graph
    for path in paths:
        checked = check_input_file(path, input_format)
        try:
            _load_checked(store, checked, target, flatten_quads)
        except SyntaxError as exc:
            raise _load_error(checked, exc) from None
        except (ValueError, OSError) as exc:
            raise CitydipError(f"{checked.name}: cannot read ({' '.join(str(exc).split())})") from None
        if not has_a_triple(checked):
            raise CitydipError(no_triples_message(checked.name))


def _load_checked(store, checked: CheckedInput, target, flatten_quads: bool) -> None:
    import pyoxigraph

    fmt = checked.format
    source = {"input": checked.data, "format": fmt.oxigraph_format, "base_iri": checked.base_iri}
    if fmt.quads and flatten_quads:
        quads = pyoxigraph.parse(rename_blank_nodes=True, **source)
        store.extend(pyoxigraph.Quad(q.subject, q.predicate, q.object, target) for q in quads)
    elif fmt.quads:
        store.bulk_load(**source)
    else:
        store.bulk_load(to_graph=target, **source)


def _load_error(checked: CheckedInput, exc: SyntaxError) -> CitydipError:
    """pyoxigraph's syntax error in the words :func:`syntax_error` uses."""
    if exc.msg and "Invalid UTF-8" in str(exc.msg):
        return CitydipError(f"{checked.name}:{exc.lineno or 1}: not UTF-8; re-save the file as UTF-8")
    where = _oxigraph_location(exc) if exc.lineno else f" {_oxigraph_location(exc)}"
    return CitydipError(f"{checked.name}:{where} (as {checked.fmt}); fix the syntax and run again")


def load_packaged(store, paths: Iterable[str | Path], graph) -> None:
    """Bulk-load packaged Turtle files (the ontology, the examples: ours, so not guarded) into *graph*."""
    import pyoxigraph

    target = pyoxigraph.NamedNode(graph) if isinstance(graph, str) else graph
    for path in paths:
        store.bulk_load(path=str(path), format=formats.TURTLE.oxigraph_format, to_graph=target)


def atomic_write(path: str | Path, data: bytes | str) -> None:
    """Write *data* to *path* through a temporary file in the same folder, then rename.

    A crash or an error leaves the old file (or no file), never half a file. The temporary file
    is ``.NAME.PID.tmp``: one left by a killed run is removed by the next write of the same
    target once its process is gone. Any OSError (permission, read-only or full file system, a
    missing folder) is one CitydipError line naming the path and the reason.
    """
    target = Path(path)
    if isinstance(data, str):
        data = data.encode("utf-8")
    tmp = _start_temp(target)
    try:
        with os.fdopen(os.open(tmp, _TEMP_FLAGS, 0o666), "wb") as handle:  # 0o666: the umask applies, as for open()
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        _unlink_quietly(tmp)
        raise _write_error(target, exc) from None
    except BaseException:
        _unlink_quietly(tmp)
        raise


def check_writable(path: str | Path) -> None:
    """Fail now, before a long computation, if :func:`atomic_write` could not write *path*."""
    tmp = _start_temp(Path(path))
    try:
        os.close(os.open(tmp, _TEMP_FLAGS, 0o600))
    except OSError as exc:
        raise _write_error(Path(path), exc) from None
    finally:
        _unlink_quietly(tmp)


def ensure_folder(path: str | Path) -> Path:
    """The output folder *path*, created with its parents; a file in its place or a folder that
    cannot be made is the user's to fix (one line, exit 2)."""
    target = Path(path)
    if target.exists() and not target.is_dir():
        raise CitydipError(f"{target}: is a file, not a folder; give a folder")
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CitydipError(f"{target}: cannot create the folder ({exc.strerror or exc}); give another folder") from None
    return target


_TEMP_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)


def _start_temp(target: Path) -> Path:
    """Check the folder, clear stale temporary files of *target*, and name ours."""
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.exists():
        raise CitydipError(f"{target}: the folder {parent} does not exist; create it first")
    if not parent.is_dir():
        raise CitydipError(f"{target}: {parent} is a file, not a folder; choose another path")
    if target.is_dir():
        raise CitydipError(f"{target}: is a folder; give a file name")
    _remove_stale_temps(parent, target.name)
    tmp = parent / f".{target.name}.{os.getpid()}.tmp"
    _unlink_quietly(tmp)  # a leftover of an earlier process that had our pid
    return tmp


def _remove_stale_temps(parent: Path, name: str) -> None:
    """Delete ``.NAME.PID.tmp`` files whose process no longer runs (a run killed mid-write)."""
    prefix, suffix = f".{name}.", ".tmp"
    try:
        entries = [e.name for e in os.scandir(parent) if e.name.startswith(prefix) and e.name.endswith(suffix)]
    except OSError:
        return  # cannot list the folder: the write itself will say why
    for entry in entries:
        pid = entry[len(prefix) : -len(suffix)]
        if pid.isdigit() and not _process_alive(int(pid)):
            _unlink_quietly(parent / entry)


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # ours from an earlier, failed write: not in use now
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


def _unlink_quietly(path: Path) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


_WRITE_ADVICE: dict[int | None, str] = {
    errno.ENOSPC: "free some space or choose another path",
    errno.EDQUOT: "free some space or choose another path",
    errno.EACCES: "check the folder's permissions or choose another path",
    errno.EPERM: "check the folder's permissions or choose another path",
}


def _write_error(target: Path, exc: OSError) -> CitydipError:
    reason = exc.strerror or exc.__class__.__name__
    advice = _WRITE_ADVICE.get(exc.errno, "choose another path")
    return CitydipError(f"{target}: cannot write the file ({reason}); {advice}")
