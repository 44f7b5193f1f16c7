"""Loading the files given to ``citydip validate`` into a pyoxigraph store, for the fast engine.

Why: parsing a 200 MB file into rdflib for pyshacl took over 7 GB and never finished;
pyoxigraph's bulk loader reads the same file in seconds in a fraction of the memory. Errors end
as rdfio's do: ``FILE:LINE:COL: reason``, exit 2.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from citydiplomacy.core.errors import CitydipError
from citydiplomacy.core.inputs import no_triples_message
from citydiplomacy.core.rdfio import check_input_file, has_a_triple
from citydiplomacy.services.querying.local import OXI_FORMATS, QUAD_FORMATS


def load_files_into_store(store: ox.Store, paths: Iterable, graph_iri, input_format: str | None = None) -> None:
    """Add each RDF file (``-`` = standard input) to *graph_iri* of *store* (a NamedNode, IRI or DefaultGraph).

    Every input passes rdfio's guard first (regular files only, the size limit, XML entities,
    remote JSON-LD contexts, one encoding rule). The format comes from the extension (or
    *input_format*); the triples of every graph of a quad file land in *graph_iri* too, as
    ``rdfio.read_many`` flattens them; blank nodes of different files stay different.
    """
    graph = ox.NamedNode(graph_iri) if isinstance(graph_iri, str) else graph_iri
    for path in paths:
        checked = check_input_file(path, input_format)
        fmt = checked.fmt
        try:
            if fmt in QUAD_FORMATS:
                quads = ox.parse(checked.data, format=OXI_FORMATS[fmt], base_iri=checked.base_iri, rename_blank_nodes=True)
                store.extend(ox.Quad(q.subject, q.predicate, q.object, graph) for q in quads)
            else:
                store.bulk_load(checked.data, format=OXI_FORMATS[fmt], base_iri=checked.base_iri, to_graph=graph)
        except SyntaxError as exc:
            raise CitydipError(_located(checked.name, fmt, exc)) from None
        except (ValueError, OSError) as exc:
            raise CitydipError(f"{checked.name}: cannot read ({' '.join(str(exc).split())})") from None
        if not has_a_triple(checked):
            raise CitydipError(no_triples_message(checked.name))


def _located(name: str, fmt: str, exc: SyntaxError) -> str:
    """pyoxigraph's syntax error as rdfio words it: FILE:LINE:COL: reason."""
    reason = str(exc.msg).split(": ", 1)[-1] if exc.msg else "syntax error"
    where = f"{exc.lineno}:{exc.offset or 1}" if exc.lineno else ""
    if reason.startswith("Invalid UTF-8"):
        return f"{name}:{exc.lineno or 1}: not UTF-8; re-save the file as UTF-8"
    return f"{name}:{where + ': ' if where else ' '}{reason} (as {fmt}); fix the syntax and run again"
