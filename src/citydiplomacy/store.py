"""The embedded, persistent knowledge graph: a pyoxigraph store on disk.

Layout: the ontology, the article's examples and imported data live in named graphs
(``GRAPH_ONTOLOGY``, ``GRAPH_EXAMPLES``, ``GRAPH_DATA`` and per-source graphs), and
queries see their union as the default graph, as a SPARQL server without FROM does.

The store is found at ``--store PATH``, else ``$CITYDIP_STORE``, else under the user's
data directory. It is created on first use and filled with the ontology and the examples;
when the packaged ontology changes, those two graphs are reloaded (imported data is kept).
"""

from __future__ import annotations

import os
from pathlib import Path

import pyoxigraph
import rdflib
from platformdirs import user_data_dir

from citydiplomacy import resources
from citydiplomacy.errors import CitydipError
from citydiplomacy.namespaces import GRAPH_EXAMPLES, GRAPH_ONTOLOGY
from citydiplomacy.ontology import artefacts_fingerprint

GRAPH_META = "https://w3id.org/citydiplomacy/graph/meta"
_FINGERPRINT = pyoxigraph.NamedNode("http://purl.org/dc/terms/hasVersion")
_META_SUBJECT = pyoxigraph.NamedNode(GRAPH_ONTOLOGY)


def default_store_path() -> Path:
    """``$CITYDIP_STORE`` or the platform's user data directory."""
    env = os.environ.get("CITYDIP_STORE")
    if env:
        return Path(env).expanduser()
    return Path(user_data_dir("citydiplomacy", appauthor=False)) / "store"


def open_store(path: str | Path | None = None, initialise: bool = True) -> pyoxigraph.Store:
    """Open (creating if needed) the store at *path* and make sure it holds the ontology."""
    target = Path(path).expanduser() if path else default_store_path()
    if target.exists() and not target.is_dir():
        raise CitydipError(f"{target}: is a file, not a store folder; choose another --store path")
    try:
        target.mkdir(parents=True, exist_ok=True)
        store = pyoxigraph.Store(str(target))
    except OSError as exc:
        reason = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
        if "lock" in reason.lower():
            raise CitydipError(
                f"{target}: the store is in use by another citydip process; wait for it or use --store"
            ) from None
        raise CitydipError(f"{target}: cannot open the store ({reason})") from None
    if initialise:
        ensure_initialised(store)
    return store


def _stored_fingerprint(store: pyoxigraph.Store) -> str | None:
    for quad in store.quads_for_pattern(_META_SUBJECT, _FINGERPRINT, None, pyoxigraph.NamedNode(GRAPH_META)):
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
    for path in resources.ontology_files():
        store.bulk_load(path=str(path), format=pyoxigraph.RdfFormat.TURTLE, to_graph=pyoxigraph.NamedNode(GRAPH_ONTOLOGY))
    examples = resources.examples_file()
    if examples.exists():
        store.bulk_load(path=str(examples), format=pyoxigraph.RdfFormat.TURTLE, to_graph=pyoxigraph.NamedNode(GRAPH_EXAMPLES))
    store.add(pyoxigraph.Quad(_META_SUBJECT, _FINGERPRINT, pyoxigraph.Literal(fingerprint), meta))
    store.flush()
    return True


def graph_names(store: pyoxigraph.Store) -> list[str]:
    """The named graphs holding user-visible content (the meta graph excluded)."""
    return sorted(g.value for g in store.named_graphs() if g.value != GRAPH_META)


def to_rdflib(store: pyoxigraph.Store, graphs: list[str] | None = None) -> rdflib.Graph:
    """Copy the union of *graphs* (all content graphs if None) into an in-memory rdflib graph."""
    from citydiplomacy.namespaces import bind_prefixes

    graph = rdflib.Graph()
    bind_prefixes(graph)
    for name in graphs if graphs is not None else graph_names(store):
        data = store.dump(format=pyoxigraph.RdfFormat.N_TRIPLES, from_graph=pyoxigraph.NamedNode(name))
        if data:
            graph.parse(data=data, format="nt")
    return graph
