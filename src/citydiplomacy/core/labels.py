"""Which label names a term for people: one chooser for reports, tables, pages and figures.

The ontology labels its terms in English and Persian; imported data may carry labels in any
language, or none. Whatever reads labels (an rdflib graph, or a pyoxigraph store without
copying it to rdflib) asks :func:`best_label`, so the same term is called the same everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import rdflib
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDFS, SKOS

# Label properties, preferred first (within one language): skos:prefLabel, then rdfs:label.
LABEL_PROPERTIES = (SKOS.prefLabel, RDFS.label)
# After the requested language: English, then no language tag, then Persian, then any other.
FALLBACK_LANGUAGES = ("en", None, "fa")


def label_rank(language: str | None, lang: str = "en", predicate_index: int = 0) -> tuple[int, int]:
    """How much a label in *language* is preferred when *lang* is asked for (lower wins).

    For code that streams labels (SPARQL rows) rather than asking per node; sort on
    ``(label_rank(...), text)`` so ties go alphabetically, the same every run.
    """
    order = (lang.lower(), *FALLBACK_LANGUAGES)
    language = language.lower() if language else None
    place = order.index(language) if language in order else len(order)
    return place, predicate_index


def best_label(source, node, lang: str = "en") -> str | None:
    """The label of *node* to show, or None when it has none.

    *source* is an rdflib Graph/Dataset or a pyoxigraph Store. Order: the label in *lang*,
    else English, else one without a language tag, else Persian, else any; skos:prefLabel before
    rdfs:label in the same language; the alphabetically first among equals.
    """
    candidates = [
        (label_rank(language, lang, index), text)
        for index, predicate in enumerate(LABEL_PROPERTIES)
        for text, language in _labels(source, node, predicate)
    ]
    return min(candidates)[1] if candidates else None


def has_label(source, node, lang: str) -> bool:
    """True when *node* has a label in exactly *lang* (the docs say when a translation is missing)."""
    return any(
        (language or "").lower() == lang.lower()
        for predicate in LABEL_PROPERTIES
        for _, language in _labels(source, node, predicate)
    )


def display_name(graph: rdflib.Graph, node, lang: str = "en") -> str:
    """The best label, else the prefixed name (``cdo:City``), else the IRI; blank nodes: "(anonymous)"."""
    found = best_label(graph, node, lang)
    if found is not None:
        return found
    if isinstance(node, BNode):
        return "(anonymous)"
    try:
        return graph.namespace_manager.normalizeUri(node)
    except Exception:  # noqa: BLE001 - unusual IRIs: show them whole
        return str(node)


def local_name(node) -> str:
    """The part of an IRI after its last ``#`` or ``/`` (the whole IRI if nothing follows)."""
    text = str(node)
    return re.split(r"[#/]", text)[-1] or text


def label_graph(store, nodes: Iterable) -> rdflib.Graph:
    """A small rdflib graph with the labels of *nodes* (IRIs) read from a pyoxigraph store.

    For a report that names a few thousand focus nodes of a store too big to copy to rdflib.
    """
    from citydiplomacy.core.namespaces import bind_prefixes
    from citydiplomacy.core.terms import to_rdflib

    graph = rdflib.Graph()
    bind_prefixes(graph)
    iris = sorted(str(n) for n in nodes if isinstance(n, URIRef))
    predicates = " ".join(f"<{p}>" for p in LABEL_PROPERTIES)
    for start in range(0, len(iris), 2000):
        values = " ".join(f"<{iri}>" for iri in iris[start : start + 2000])
        rows = store.query(
            f"SELECT ?s ?p ?label WHERE {{ VALUES ?s {{ {values} }} VALUES ?p {{ {predicates} }} ?s ?p ?label }}",
            use_default_graph_as_union=True,
        )
        for row in rows:
            graph.add((URIRef(row["s"].value), URIRef(row["p"].value), to_rdflib(row["label"])))
    return graph


def _labels(source, node, predicate) -> list[tuple[str, str | None]]:
    """(text, language) of the literal values of *predicate* on *node*, from rdflib or pyoxigraph."""
    if isinstance(source, rdflib.Graph):
        return [(str(o), o.language) for o in source.objects(node, predicate) if isinstance(o, Literal)]
    import pyoxigraph

    subject = pyoxigraph.NamedNode(str(node)) if isinstance(node, (str, URIRef)) else node
    if not isinstance(subject, (pyoxigraph.NamedNode, pyoxigraph.BlankNode)):
        return []
    quads = source.quads_for_pattern(subject, pyoxigraph.NamedNode(str(predicate)), None, None)
    return [(q.object.value, q.object.language) for q in quads if isinstance(q.object, pyoxigraph.Literal)]
