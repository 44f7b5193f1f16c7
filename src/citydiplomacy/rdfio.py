"""Reading and writing RDF files with one-line, located errors and atomic writes.

Every command that takes RDF from a user goes through :func:`read_rdf`, so a file that
does not parse always ends the same way: ``Error: FILE:LINE:COL: reason``, exit 2.
"""

from __future__ import annotations

import errno
import io
import os
import sys
from collections.abc import Iterable
from pathlib import Path

import rdflib

from citydiplomacy.errors import CitydipError

# rdflib parser names by file suffix.
FORMAT_BY_SUFFIX: dict[str, str] = {
    ".ttl": "turtle",
    ".turtle": "turtle",
    ".nt": "nt",
    ".ntriples": "nt",
    ".nq": "nquads",
    ".nquads": "nquads",
    ".trig": "trig",
    ".jsonld": "json-ld",
    ".json": "json-ld",
    ".rdf": "xml",
    ".owl": "xml",
    ".xml": "xml",
    ".n3": "n3",
}

# What a user may type for --input-format, mapped to rdflib's names.
FORMAT_ALIASES: dict[str, str] = {
    "turtle": "turtle",
    "ttl": "turtle",
    "ntriples": "nt",
    "nt": "nt",
    "nquads": "nquads",
    "nq": "nquads",
    "trig": "trig",
    "jsonld": "json-ld",
    "json-ld": "json-ld",
    "rdfxml": "xml",
    "xml": "xml",
    "n3": "n3",
}
INPUT_FORMATS = sorted(FORMAT_ALIASES)
QUAD_FORMATS = {"nquads", "trig"}


def guess_format(path: str | Path, explicit: str | None = None) -> str:
    """The rdflib format for *path*: the explicit one if given, else by suffix."""
    if explicit:
        try:
            return FORMAT_ALIASES[explicit.lower()]
        except KeyError:
            raise CitydipError(
                f"unknown RDF format {explicit!r}; use one of: {', '.join(INPUT_FORMATS)}"
            ) from None
    name = str(path)
    if name == "-":
        raise CitydipError("reading standard input needs --input-format (for example --input-format turtle)")
    suffix = Path(name).suffix.lower()
    if suffix not in FORMAT_BY_SUFFIX:
        raise CitydipError(
            f"{name}: cannot tell the RDF format from the extension {suffix or '(none)'!r}; "
            f"rename the file or pass --input-format ({', '.join(INPUT_FORMATS)})"
        )
    return FORMAT_BY_SUFFIX[suffix]


def _check_is_file(name: str) -> None:
    """Say 'no such file' / 'is a directory' before anything else is guessed about *name*."""
    if name == "-":
        return
    p = Path(name)
    if not p.exists():
        raise CitydipError(f"{name}: no such file; check the path")
    if p.is_dir():
        raise CitydipError(f"{name}: is a directory; give the RDF files inside it")


def _read_bytes(path: str | Path) -> bytes:
    name = str(path)
    if name == "-":
        return sys.stdin.buffer.read()
    _check_is_file(name)
    try:
        return Path(name).read_bytes()
    except OSError as exc:
        raise CitydipError(f"{name}: cannot read ({exc.strerror})") from None


_OXI_FORMATS = {
    "turtle": "TURTLE",
    "nt": "N_TRIPLES",
    "nquads": "N_QUADS",
    "trig": "TRIG",
    "xml": "RDF_XML",
    "n3": "N3",
    "json-ld": "JSON_LD",
}


def _locate_syntax_error(data: bytes, fmt: str) -> str | None:
    """Ask pyoxigraph where the syntax error is: 'LINE:COL: reason', or None if it parses there."""
    try:
        import pyoxigraph
    except ImportError:  # pragma: no cover - pyoxigraph is a dependency
        return None
    oxi_name = _OXI_FORMATS.get(fmt)
    if oxi_name is None or not hasattr(pyoxigraph.RdfFormat, oxi_name):
        return None
    try:
        for _ in pyoxigraph.parse(data, format=getattr(pyoxigraph.RdfFormat, oxi_name), base_iri="file:///input"):
            pass
    except SyntaxError as exc:
        reason = str(exc.msg).split(": ", 1)[-1] if exc.msg else "syntax error"
        if exc.lineno:
            return f"{exc.lineno}:{exc.offset or 1}: {reason}"
        return reason
    except Exception:  # noqa: BLE001 - only a locator; fall back to rdflib's message
        return None
    return None


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
    if callable(get_line):
        return f"{get_line()}:{exc.getColumnNumber()}: {exc.getMessage()}"
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
    name = str(path)
    _check_is_file(name)
    fmt = guess_format(path, input_format)
    data = _read_bytes(path)
    if not data.strip():
        raise CitydipError(f"{name}: the file is empty; give a file with RDF in it")
    if fmt != "xml":
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise CitydipError(
                f"{name}:{line}: not UTF-8 (byte 0x{data[exc.start]:02x}); re-save the file as UTF-8"
            ) from None
    if into is None:
        into = rdflib.Dataset() if fmt in QUAD_FORMATS else rdflib.Graph()
    base = Path(name).resolve().as_uri() if name != "-" else "file:///stdin"
    try:
        into.parse(source=io.BytesIO(data), format=fmt, publicID=base)
    except Exception as exc:  # noqa: BLE001 - every parser has its own exception type
        where = _locate_syntax_error(data, fmt) or _rdflib_location(exc, data)
        raise CitydipError(f"{name}:{where} (as {fmt}); fix the syntax and run again") from None
    return into


def read_many(paths: Iterable[str | Path], into: rdflib.Graph, input_format: str | None = None) -> rdflib.Graph:
    """Parse several files into one graph (triples of quad formats land in *into*)."""
    for path in paths:
        _check_is_file(str(path))
        fmt = guess_format(path, input_format)
        if fmt in QUAD_FORMATS:
            ds = read_rdf(path, None, input_format)
            for s, p, o, _g in ds.quads((None, None, None, None)):
                into.add((s, p, o))
        else:
            read_rdf(path, into, input_format)
    return into


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
        pid = entry[len(prefix):-len(suffix)]
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
    try:
        os.unlink(path)
    except OSError:
        pass


_WRITE_ADVICE = {
    errno.ENOSPC: "free some space or choose another path",
    errno.EDQUOT: "free some space or choose another path",
    errno.EACCES: "check the folder's permissions or choose another path",
    errno.EPERM: "check the folder's permissions or choose another path",
}


def _write_error(target: Path, exc: OSError) -> CitydipError:
    reason = exc.strerror or exc.__class__.__name__
    advice = _WRITE_ADVICE.get(exc.errno, "choose another path")
    return CitydipError(f"{target}: cannot write the file ({reason}); {advice}")
