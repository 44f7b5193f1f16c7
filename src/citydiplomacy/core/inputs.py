"""Guards for the bytes of a user's RDF file, before any RDF parser sees them.

A file given on the command line may be a FIFO that never ends, ``/dev/zero``, a
1 KB "billion laughs" XML bomb, or a JSON-LD document whose ``@context`` points at a
server that never answers. rdflib and pyoxigraph would block, expand, or fetch; so every
user file is first read here (regular files only, up to a size limit), put into one
encoding (UTF-8 without BOM), and, for RDF/XML and JSON-LD, checked or rewritten so that
neither parser can expand entities without bound or reach the network.

The size limit is a process-wide setting (the root ``--max-input-size`` option sets it);
this module never imports click.
"""

from __future__ import annotations

import codecs
import json
import os
import re
import stat
import sys
from collections import Counter
from functools import cache

from defusedxml.common import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from citydiplomacy.core import resources
from citydiplomacy.core.errors import CitydipError
from citydiplomacy.core.namespaces import CONTEXT_IRIS

DEFAULT_MAX_INPUT_SIZE = 1 << 30  # 1 GiB
_max_input_size = DEFAULT_MAX_INPUT_SIZE

# Plain internal XML entities may expand to at most this many characters in total, or
# XML_EXPANSION_FACTOR times the file's size if that is more (Protegé's &owl; style
# references expand a file by a factor of 2-6; expat's own guard uses 100 after 8 MiB).
XML_EXPANSION_FLOOR = 8 << 20
XML_EXPANSION_FACTOR = 20

# IRIs under which the project's own JSON-LD context (ontology/context.jsonld) may be
# referenced; it is substituted from the packaged file, never fetched.
OWN_CONTEXT_IRIS = CONTEXT_IRIS

_ENTITY_REFERENCE = re.compile(rb"&([^\s&;#<>\"']+);")
_XML_DECL_ENCODING = re.compile(rb"\A<\?xml\s[^>]*?encoding\s*=\s*([\"'])([A-Za-z][A-Za-z0-9._-]*)\1")


def no_triples_message(name: str) -> str:
    """The one message for an empty file and for a file that yields no triples, in every command."""
    return f"{name}: holds no RDF triples (the file is empty or nothing in it is RDF); give a file with RDF data in it"


def set_max_input_size(size: int | None) -> None:
    """Set the largest user file any command reads (None restores the 1 GiB default)."""
    global _max_input_size
    _max_input_size = DEFAULT_MAX_INPUT_SIZE if size is None else int(size)


def max_input_size() -> int:
    return _max_input_size


def _human(size: int) -> str:
    for unit, factor in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= factor:
            return f"{size / factor:.1f} {unit}".replace(".0 ", " ")
    return f"{size} bytes"


def _too_large(name: str, limit: int) -> CitydipError:
    return CitydipError(
        f"{name}: larger than the input size limit ({_human(limit)}); if you trust the file, "
        "raise it with --max-input-size (or CITYDIP_MAX_INPUT_SIZE), e.g. --max-input-size 4G"
    )


def check_regular_file(name: str) -> os.stat_result:
    """Refuse, without opening it, anything but an existing regular file (FIFO, device, socket...)."""
    try:
        info = os.stat(name)
    except FileNotFoundError:
        raise CitydipError(f"{name}: no such file; check the path") from None
    except OSError as exc:
        raise CitydipError(f"{name}: cannot read ({exc.strerror})") from None
    if stat.S_ISDIR(info.st_mode):
        raise CitydipError(f"{name}: is a directory; give the RDF files inside it")
    if not stat.S_ISREG(info.st_mode):
        kind = (
            "a FIFO (named pipe)"
            if stat.S_ISFIFO(info.st_mode)
            else ("a socket" if stat.S_ISSOCK(info.st_mode) else "a device")
        )
        raise CitydipError(f"{name}: is {kind}, not a regular file; save the RDF to a file and give its path")
    return info


def read_user_bytes(name: str, limit: int | None = None) -> bytes:
    """The bytes of the user's file *name* (``-`` = standard input), at most *limit* of them.

    A regular file is checked with stat() before it is opened, opened non-blocking (so a file
    swapped for a FIFO in between cannot block) and checked again with fstat().
    """
    limit = _max_input_size if limit is None else limit
    if name == "-":
        data = _read_at_most(sys.stdin.buffer, limit + 1)
    else:
        size = check_regular_file(name).st_size
        if size > limit:
            raise _too_large(name, limit)
        try:
            fd = os.open(name, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
        except OSError as exc:
            raise CitydipError(f"{name}: cannot read ({exc.strerror})") from None
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise CitydipError(f"{name}: is not a regular file; save the RDF to a file and give its path")
            data = handle.read(size + 1)  # one buffer of the file's size; +1 notices a growing file
            if len(data) > size:
                data += _read_at_most(handle, limit + 1 - len(data))
    if len(data) > limit:
        raise _too_large(name, limit)
    return data


def _read_at_most(stream, count: int) -> bytes:
    """Up to *count* bytes of *stream*, in chunks (a huge read() would allocate *count* at once)."""
    chunks, total = [], 0
    while total < count:
        chunk = stream.read(min(1 << 20, count - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


def _not_utf8(name: str, data: bytes, exc: UnicodeDecodeError, encoding: str = "UTF-8") -> CitydipError:
    line = data[: exc.start].count(b"\n") + 1
    return CitydipError(f"{name}:{line}: not {encoding} (byte 0x{data[exc.start]:02x}); re-save the file as UTF-8")


def to_utf8(name: str, data: bytes, fmt: str) -> bytes:
    """The one encoding rule: UTF-8 (a BOM is dropped); RDF/XML may declare another encoding.

    Every parser then gets UTF-8 without BOM, so a file that one command reads, all do.
    """
    if fmt == "xml":
        return _xml_to_utf8(name, data)
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _not_utf8(name, data, exc) from None
    return data


def _xml_to_utf8(name: str, data: bytes) -> bytes:
    """Decode XML by its BOM or ``<?xml encoding=...?>`` and re-encode it as UTF-8, declaration fixed."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            data, declared = data[len(bom) :], encoding
            break
    else:
        match = _XML_DECL_ENCODING.match(data)
        declared = match.group(2).decode("ascii") if match else "utf-8"
    try:
        codec = codecs.lookup(declared).name
    except LookupError:
        raise CitydipError(f"{name}:1: unknown XML encoding {declared!r}; re-save the file as UTF-8") from None
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        raise _not_utf8(name, data, exc, declared) from None
    if codec == "utf-8":
        return data
    text = re.sub(r"\A(<\?xml\s[^>]*?encoding\s*=\s*)([\"'])[^\"']*\2", r"\1\2UTF-8\2", text, count=1)
    return text.encode("utf-8")


class _EntityPolicyParser(DefusedXMLParser):
    """defusedxml's parser, with its all-or-nothing entity switch made finer.

    defusedxml forbids every entity declaration (``forbid_entities``) or none; Protégé writes
    ``<!ENTITY owl "http://www.w3.org/2002/07/owl#">`` in every RDF/XML file, so we keep
    defusedxml's handlers for external references and DTDs and replace only the entity
    declaration check: a general entity whose value is plain text is recorded (its size
    counts towards a bound); parameter, external, unparsed and nested entities are refused.
    The document itself is only streamed through expat (no tree is built).
    """

    def __init__(self):
        super().__init__(target=_Discard(), forbid_dtd=False, forbid_entities=True, forbid_external=True)
        self.parser.StartDoctypeDeclHandler = self._doctype
        self.entity_sizes: dict[str, int] = {}

    def _where(self) -> int:
        return self.parser.CurrentLineNumber

    def _doctype(self, name, sysid, pubid, has_internal_subset):
        if sysid or pubid:
            raise _Refused(self._where(), f"an external DTD ({sysid or pubid})")

    def defused_entity_decl(self, name, is_parameter_entity, value, base, sysid, pubid, notation_name):
        if is_parameter_entity:
            raise _Refused(self._where(), f"a parameter entity (%{name};)")
        if sysid or pubid or value is None:
            raise _Refused(self._where(), f"an external entity &{name}; ({sysid or pubid or notation_name})")
        if "&" in value or "%" in value:
            raise _Refused(self._where(), f"an entity &{name}; that refers to another entity")
        self.entity_sizes[name] = len(value)

    def defused_unparsed_entity_decl(self, name, base, sysid, pubid, notation_name):
        raise _Refused(self._where(), f"an external entity &{name}; ({sysid or pubid})")

    def defused_external_entity_ref_handler(self, context, base, sysid, pubid):
        raise _Refused(self._where(), f"an external entity reference ({sysid or pubid})")


class _Discard:
    """An ElementTree parser target that keeps nothing (we only want the declarations)."""

    def close(self):
        return None


class _Refused(DefusedXmlException):
    def __init__(self, line: int, what: str):
        super().__init__(what)
        self.line, self.what = line, what


def check_xml(name: str, data: bytes) -> None:
    """Refuse XML entity tricks (billion laughs, XXE, parameter entities) before any RDF parser runs.

    Plain internal entities are accepted, but their total expansion (references counted in
    the text times each value's length) is bounded.
    """
    if b"<!" not in data:
        return  # no DOCTYPE, no entity declarations: nothing to expand
    parser = _EntityPolicyParser()
    try:
        for start in range(0, len(data), 1 << 20):
            parser.feed(data[start : start + (1 << 20)])
        parser.close()
    except _Refused as exc:
        raise CitydipError(
            f"{name}:{exc.line}: the XML declares {exc.what}; citydip does not expand such entities "
            "(they can fetch files or blow up in size): write the values out in the file"
        ) from None
    except Exception:  # noqa: BLE001 - not well-formed (or expat's own amplification guard):
        pass  # the RDF parsers will say where; the declarations seen so far are still bounded
    _check_expansion(name, data, parser.entity_sizes)


def _check_expansion(name: str, data: bytes, entity_sizes: dict[str, int]) -> None:
    """Bound what the (plain) entities expand to: references x value length."""
    if not entity_sizes:
        return
    budget = max(XML_EXPANSION_FLOOR, XML_EXPANSION_FACTOR * len(data))
    # One pass over the text (not one per entity: a file may declare thousands of them).
    references = Counter(match.group(1).decode("utf-8", "replace") for match in _ENTITY_REFERENCE.finditer(data))
    total = sum(references[entity] * size for entity, size in entity_sizes.items())
    if total > budget:
        raise CitydipError(
            f"{name}: its XML entities expand to {_human(total)}, over the limit of {_human(budget)}; "
            "write the values out in the file"
        )


@cache
def inline_jsonld_contexts(name: str, data: bytes) -> bytes:
    """JSON-LD with no remote context left: the project's own is inlined, any other refused.

    Walks every ``@context`` (string, array, object, scoped contexts in term definitions,
    ``@import``) before any JSON-LD processor runs, so nothing is ever fetched. Returns the
    bytes unchanged when there was nothing to inline (so error locations stay right).
    """
    try:
        document = json.loads(data)
    except ValueError as exc:
        where = f"{exc.lineno}:{exc.colno}: " if isinstance(exc, json.JSONDecodeError) else ""
        reason = getattr(exc, "msg", str(exc))
        raise CitydipError(f"{name}:{where}{reason} (as json-ld); fix the syntax and run again") from None
    except RecursionError:
        raise CitydipError(f"{name}: JSON nested too deeply to read") from None
    walker = _ContextWalker(name)
    try:
        rewritten = walker.node(document)
    except RecursionError:
        raise CitydipError(f"{name}: JSON nested too deeply to read") from None
    if not walker.changed:
        return data
    return json.dumps(rewritten, ensure_ascii=False).encode("utf-8")


class _ContextWalker:
    """Rewrites the ``@context`` values of a JSON-LD document (see :func:`inline_jsonld_contexts`)."""

    def __init__(self, name: str):
        self.name = name
        self.changed = False

    def node(self, value):
        if isinstance(value, list):
            return [self.node(item) for item in value]
        if isinstance(value, dict):
            return {key: self.context(item) if key == "@context" else self.node(item) for key, item in value.items()}
        return value

    def context(self, value):
        if isinstance(value, str):
            return self._own(value)
        if isinstance(value, list):
            return [self.context(item) for item in value]
        if isinstance(value, dict):
            out = {}
            if "@import" in value:
                imported = value["@import"]
                if not isinstance(imported, str):
                    raise CitydipError(f"{self.name}: a JSON-LD @import must be one IRI, not {imported!r}")
                out.update(self._own(imported))
            for key, item in value.items():
                if key == "@context":
                    out[key] = self.context(item)
                elif key != "@import":
                    out[key] = self.node(item)
            return out
        return value

    def _own(self, iri: str) -> dict:
        if iri not in OWN_CONTEXT_IRIS:
            raise CitydipError(
                f"{self.name}: the JSON-LD @context refers to {iri!r}, which citydip does not fetch; "
                "inline the context (put its JSON object in place of the reference) and run again"
            )
        self.changed = True
        return dict(resources.jsonld_context())
