"""Running a question on the embedded store, or on an in-memory copy with ``--data`` files added.

Queries see the union of the named graphs as their default graph, as a SPARQL server
without FROM does (pyoxigraph's own union mode: about three times faster on imported data
than listing the graphs). Parameters arrive as the same verified VALUES block a remote
endpoint gets (pyoxigraph's substitutions would need every parameter in the SELECT
projection), so a question means the same thing here and on a server.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph

from citydiplomacy import resources
from citydiplomacy.errors import CitydipError
from citydiplomacy.namespaces import GRAPH_DATA, GRAPH_EXAMPLES, GRAPH_ONTOLOGY
from citydiplomacy.querying.params import with_values
from citydiplomacy.querying.results import Answer, from_pyoxigraph
from citydiplomacy.inputs import no_triples_message
from citydiplomacy.rdfio import check_input_file, has_a_triple, syntax_error

OXI_FORMATS = {
    "turtle": pyoxigraph.RdfFormat.TURTLE,
    "nt": pyoxigraph.RdfFormat.N_TRIPLES,
    "nquads": pyoxigraph.RdfFormat.N_QUADS,
    "trig": pyoxigraph.RdfFormat.TRIG,
    "xml": pyoxigraph.RdfFormat.RDF_XML,
    "n3": pyoxigraph.RdfFormat.N3,
    "json-ld": pyoxigraph.RdfFormat.JSON_LD,
}
QUAD_FORMATS = {"nquads", "trig"}


def load_file(store: pyoxigraph.Store, path: str | Path, graph: str = GRAPH_DATA, input_format: str | None = None) -> None:
    """Add one user RDF file to *store*, through rdfio's guards (FIFOs, size, XML entities, remote
    JSON-LD contexts, encoding); a file that does not parse ends with the FILE:LINE:COL error."""
    checked = check_input_file(path, input_format)
    options = {} if checked.fmt in QUAD_FORMATS else {"to_graph": pyoxigraph.NamedNode(graph)}
    try:
        store.load(input=checked.data, format=OXI_FORMATS[checked.fmt], base_iri=checked.base_iri, **options)
    except (SyntaxError, ValueError, OSError):
        raise syntax_error(checked) from None
    if not has_a_triple(checked):
        raise CitydipError(no_triples_message(checked.name))


def bundled_store(data_files: list[str] | tuple[str, ...] = ()) -> pyoxigraph.Store:
    """An in-memory store with the ontology, the article's examples and *data_files*."""
    store = pyoxigraph.Store()
    for path in resources.ontology_files():
        store.load(path=str(path), format=pyoxigraph.RdfFormat.TURTLE, to_graph=pyoxigraph.NamedNode(GRAPH_ONTOLOGY))
    examples = resources.examples_file()
    if examples.exists():
        store.load(path=str(examples), format=pyoxigraph.RdfFormat.TURTLE, to_graph=pyoxigraph.NamedNode(GRAPH_EXAMPLES))
    for path in data_files:
        load_file(store, path)
    return store


def check_query(text: str, where: str) -> str:
    """Parse *text*; refuse updates (exit 2) and report syntax errors in one line. Returns the form."""
    try:
        result = pyoxigraph.Store().query(text)
    except SyntaxError as exc:
        if _is_update(text):
            raise CitydipError(
                f"{where}: is a SPARQL update (INSERT/DELETE/LOAD/CLEAR/DROP...); `citydip query run` is "
                "read-only: give a SELECT, ASK, CONSTRUCT or DESCRIBE query"
            ) from None
        raise CitydipError(f"{where}: not a valid SPARQL 1.1 query ({' '.join(str(exc).split())})") from None
    return from_pyoxigraph(result).form


def _is_update(text: str) -> bool:
    """True if *text* parses as a SPARQL 1.1 update (parsed only, never executed)."""
    from rdflib.plugins.sparql.parser import parseUpdate

    try:
        parseUpdate(text)
    except Exception:  # noqa: BLE001 - pyparsing's errors: not an update
        return False
    return True


def run(store: pyoxigraph.Store, text: str, bound: dict[str, object]) -> Answer:
    """Run a (checked) query with typed bindings over the union of the store's graphs."""
    try:
        result = store.query(with_values(text, bound), use_default_graph_as_union=True)
        return from_pyoxigraph(result)
    except SyntaxError as exc:
        raise CitydipError(f"not a valid SPARQL 1.1 query ({' '.join(str(exc).split())})") from None
    except OSError as exc:
        raise CitydipError(f"cannot read the store ({' '.join(str(exc).split())})") from None
