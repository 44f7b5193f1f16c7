"""Loading the files given to ``citydip validate`` into a pyoxigraph store, for the fast engine.

Why: parsing a 200 MB file into rdflib for pyshacl took over 7 GB and never finished;
pyoxigraph's bulk loader reads the same file in seconds in a fraction of the memory. Errors end
as rdfio's do: ``FILE:LINE:COL: reason``, exit 2.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

import citydiplomacy.rdfio
from citydiplomacy.errors import CitydipError
from citydiplomacy.querying.local import OXI_FORMATS, QUAD_FORMATS
from citydiplomacy.rdfio import guess_format

# Files at most this big are read once to tell an empty (whitespace-only) file, as rdfio does.
_EMPTY_CHECK_BYTES = 1 << 16


def _check(path) -> None:
    """The guard every input passes before it is read (one line, so the lead can swap it)."""
    citydiplomacy.rdfio._check_is_file(str(path))


def load_files_into_store(store: ox.Store, paths: Iterable, graph_iri, input_format: str | None = None) -> None:
    """Add each RDF file (``-`` = standard input) to *graph_iri* of *store* (a NamedNode, IRI or DefaultGraph).

    The format comes from the extension (or *input_format*); the triples of every graph of a
    quad file land in *graph_iri* too, as ``rdfio.read_many`` flattens them; blank nodes of
    different files stay different.
    """
    graph = ox.NamedNode(graph_iri) if isinstance(graph_iri, str) else graph_iri
    for path in paths:
        name = str(path)
        _check(path)
        fmt = guess_format(name, input_format)
        data = sys.stdin.buffer.read() if name == "-" else None
        _refuse_empty(name, data)
        source = {"input": data} if data is not None else {"path": name}
        base = "file:///stdin" if data is not None else Path(name).resolve().as_uri()
        try:
            if fmt in QUAD_FORMATS:
                quads = ox.parse(format=OXI_FORMATS[fmt], base_iri=base, rename_blank_nodes=True, **source)
                store.extend(ox.Quad(q.subject, q.predicate, q.object, graph) for q in quads)
            else:
                store.bulk_load(format=OXI_FORMATS[fmt], base_iri=base, to_graph=graph, **source)
        except SyntaxError as exc:
            raise CitydipError(_located(name, fmt, exc)) from None
        except (ValueError, OSError) as exc:
            raise CitydipError(f"{name}: cannot read ({' '.join(str(exc).split())})") from None


def _refuse_empty(name: str, data: bytes | None) -> None:
    """An empty or whitespace-only input is a mistake, not a conforming data set."""
    if data is None:
        if os.path.getsize(name) > _EMPTY_CHECK_BYTES:
            return
        with open(name, "rb") as handle:
            data = handle.read()
    if not data.strip():
        raise CitydipError(f"{name}: the file is empty; give a file with RDF in it")


def _located(name: str, fmt: str, exc: SyntaxError) -> str:
    """pyoxigraph's syntax error as rdfio words it: FILE:LINE:COL: reason."""
    reason = str(exc.msg).split(": ", 1)[-1] if exc.msg else "syntax error"
    where = f"{exc.lineno}:{exc.offset or 1}" if exc.lineno else ""
    if reason.startswith("Invalid UTF-8"):
        return f"{name}:{exc.lineno or 1}: not UTF-8; re-save the file as UTF-8"
    return f"{name}:{where + ': ' if where else ' '}{reason} (as {fmt}); fix the syntax and run again"
