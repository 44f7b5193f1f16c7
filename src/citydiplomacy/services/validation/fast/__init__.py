"""Fast SHACL validation of the whole store: the shapes' constraints evaluated by pyoxigraph.

Why: pyshacl (the reference, :func:`citydiplomacy.services.validation.engine.validate_graph`)
walks the data graph in Python, node by node, after an RDFS closure computed by owlrl; on the
~390,000 triples of the three imported P190 files that takes minutes, here seconds (20 to 40
times faster). The same shapes are evaluated set at a time by the store's SPARQL engine:

1. :mod:`.rdfs`: the data graph pyshacl would see (instance data + the ontology mixed in),
   in an in-memory store, closed under the RDFS rules the shapes can observe;
2. :mod:`.plan`: the shapes compiled into checks; a shapes graph using a constraint component
   outside :data:`SUPPORTED_COMPONENTS` raises :class:`Unsupported`, and callers fall back to
   pyshacl (:func:`validate_store` does);
3. :mod:`.checker`: the plan run in the store; results are built by
   :mod:`citydiplomacy.services.validation.report`, as pyshacl's are.

``tests/test_validate_fast.py`` and ``tests/test_fast_engine_components.py`` check that the
results are pyshacl's: the same (focus node, path, value, severity, source shape, component).
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass

import pyoxigraph as ox
import rdflib

from citydiplomacy.core.formats import NTRIPLES
from citydiplomacy.core.namespaces import GRAPH_ONTOLOGY, bind_prefixes
from citydiplomacy.core.store import GRAPH_META, graph_names, to_rdflib
from citydiplomacy.services.validation.fast.checker import Checker
from citydiplomacy.services.validation.fast.plan import COMPONENTS, SUPPORTED, Unsupported, compile_shapes
from citydiplomacy.services.validation.fast.rdfs import INFERENCES, materialise_rdfs, store_from_ntriples
from citydiplomacy.services.validation.report import Result

# The SHACL constraint components the fast engine evaluates; anything else goes to pyshacl.
SUPPORTED_COMPONENTS = frozenset(COMPONENTS.values())


@dataclass
class FastReport:
    """What :func:`evaluate` or :func:`validate_store` found, and how long each phase took."""

    results: list[Result]
    seconds: float
    triples: int
    engine: str  # "pyoxigraph" or "pyshacl" (fallback)
    phases: dict | None = None  # seconds per phase: copy, rdfs, check

    @property
    def counts(self) -> Counter:
        return Counter(r.severity_name for r in self.results)


def unsupported_reason(shapes: rdflib.Graph, inference: str) -> str | None:
    """Why this evaluator cannot run *shapes* with *inference* (None: it can), known before any data is read."""
    if inference not in INFERENCES:
        return f"inference {inference!r}"
    try:
        compile_shapes(shapes)
    except Unsupported as exc:
        return str(exc)
    return None


def evaluate(data_store: ox.Store, shapes: rdflib.Graph, inference: str, started: float) -> FastReport:
    """Validate a store whose default graph is pyshacl's data graph (instance data + ontology).

    The store is closed under RDFS in place (*inference* ``rdfs``); *started* is when the
    caller began (copying or loading), so the phases and the total include that.
    Raises :class:`Unsupported` when the shapes or *inference* need pyshacl.
    """
    if inference not in INFERENCES:
        raise Unsupported(f"inference {inference!r}")
    plan = compile_shapes(shapes)
    copied = time.perf_counter()
    if inference == "rdfs":
        materialise_rdfs(data_store)
    inferred = time.perf_counter()
    triples = len(data_store)
    results = Checker(data_store, shapes, types_closed=inference == "rdfs").run(plan)
    done = time.perf_counter()
    phases = {"copy": copied - started, "rdfs": inferred - copied, "check": done - inferred}
    return FastReport(results, done - started, triples, "pyoxigraph", phases)


def validate_store(store: ox.Store, shapes: rdflib.Graph | None = None, inference: str = "rdfs") -> FastReport:
    """Validate the store's instance data: the fast evaluator, or pyshacl if the shapes need it."""
    from citydiplomacy.services.validation.engine import load_shapes

    started = time.perf_counter()
    shapes = shapes if shapes is not None else load_shapes("data")
    if unsupported_reason(shapes, inference) is not None:
        return _validate_store_with_pyshacl(store, shapes, inference, started)
    # The union of every content graph (instance data + ontology, as pyshacl's data graph
    # once the ontology is mixed in), copied by the engine itself: CONSTRUCT + N-Triples is
    # faster than dumping graph by graph.
    triples = store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{GRAPH_META}>) }}")
    assert isinstance(triples, ox.QueryTriples)
    union = triples.serialize(format=NTRIPLES.oxigraph_format) or b""
    return evaluate(store_from_ntriples(union), shapes, inference, started)


def _validate_store_with_pyshacl(store: ox.Store, shapes: rdflib.Graph, inference: str, started: float) -> FastReport:
    from citydiplomacy.services.validation.engine import validate_graph

    graph, onto = store_instance_graphs(store)
    report = validate_graph(graph, shapes=shapes, ontology=onto, inference=inference, inplace=True)
    return FastReport(report.results, time.perf_counter() - started, report.triples, "pyshacl")


def store_instance_graphs(store: ox.Store) -> tuple[rdflib.Graph, rdflib.Graph]:
    """The store's instance data (every graph but the ontology and meta) and its ontology graph.

    What pyshacl gets when it validates a store: the ontology apart, as its ontology graph, so the
    data graph (which SHACL targets and RDFS inference work on) stays the instance data only.
    """
    names = [n for n in graph_names(store) if n != GRAPH_ONTOLOGY]
    data = to_rdflib(store, names) if names else rdflib.Graph()
    bind_prefixes(data)
    return data, to_rdflib(store, [GRAPH_ONTOLOGY])


__all__ = [
    "COMPONENTS",
    "SUPPORTED",
    "SUPPORTED_COMPONENTS",
    "FastReport",
    "Unsupported",
    "evaluate",
    "store_instance_graphs",
    "unsupported_reason",
    "validate_store",
]
