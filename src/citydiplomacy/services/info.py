"""What the ontology is and how big, and where the store is and what it holds (``citydip info``)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyoxigraph
import rdflib
from rdflib.namespace import OWL, PROV, RDF, RDFS

from citydiplomacy import __version__
from citydiplomacy.core.errors import CitydipError
from citydiplomacy.core.namespaces import CDO, ONTOLOGY_IRI, PROJECT_IRI
from citydiplomacy.core.ontology import load_examples, load_ontology
from citydiplomacy.core.store import GRAPH_META, default_store_path, open_store, select


def ontology_summary() -> dict:
    """Counts of the ontology's own terms and the examples' individuals, labels per language."""
    onto = load_ontology()
    examples = load_examples()
    both = onto + examples
    ns = str(CDO)

    def ours(kind) -> set:
        return {s for s in both.subjects(RDF.type, kind) if isinstance(s, rdflib.URIRef) and str(s).startswith(ns)}

    classes = ours(OWL.Class)
    obj_props = ours(OWL.ObjectProperty)
    data_props = ours(OWL.DatatypeProperty)
    ann_props = ours(OWL.AnnotationProperty)
    individuals_onto = {s for s in onto.subjects(RDF.type, OWL.NamedIndividual) if isinstance(s, rdflib.URIRef)}
    individuals_ex = {s for s in examples.subjects(RDF.type, OWL.NamedIndividual) if isinstance(s, rdflib.URIRef)}
    # Labels of our own terms and resources (cdo:, cdr:), not of the external terms we align to.
    own = (ns, PROJECT_IRI)
    labels = Counter(
        (o.language or "none")
        for s, o in both.subject_objects(RDFS.label)
        if isinstance(o, rdflib.Literal) and str(s).startswith(own)
    )
    header = rdflib.URIRef(ONTOLOGY_IRI)
    return {
        "ontology": ONTOLOGY_IRI,
        "versionIRI": str(onto.value(header, OWL.versionIRI) or ""),
        "versionInfo": str(onto.value(header, OWL.versionInfo) or ""),
        "package_version": __version__,
        "classes": len(classes),
        "object_properties": len(obj_props),
        "datatype_properties": len(data_props),
        "annotation_properties": len(ann_props),
        "individuals_in_ontology": len(individuals_onto),
        "individuals_in_examples": len(individuals_ex),
        "triples_ontology": len(onto),
        "triples_examples": len(examples),
        "labels_per_language": dict(sorted(labels.items())),
    }


def store_summary(path: str | Path | None = None) -> dict:
    """Where the embedded store is and what it holds, read-only; a store not made yet is reported, not made.

    A person's first question after an import is "did it land, and where?": this answers it
    without a query. A store that cannot be opened is reported under ``problem``.
    """
    target = Path(path).expanduser() if path else default_store_path()
    summary: dict = {"path": str(target)}
    if not target.is_dir() or not any(target.iterdir()):
        summary["problem"] = "no store there yet; `citydip import` or `citydip query run` creates it"
        return summary
    try:
        store = open_store(target, read_only=True)
        summary["size_on_disk"] = sum(f.stat().st_size for f in target.rglob("*") if f.is_file())
        summary.update(store_contents(store))
    except CitydipError as error:
        summary["problem"] = error.message
    return summary


def store_contents(store: pyoxigraph.Store) -> dict:
    """Triples per named graph, agreements, cities, and the imported sources with their agreements."""
    graphs = {
        row["g"].value: int(row["n"].value)
        for row in select(store, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g")
        if row["g"].value != GRAPH_META
    }
    sources = [{"source": row["label"].value, "agreements": int(row["n"].value)} for row in _union(store, _SOURCES)]
    return {
        "graphs": graphs,
        "triples": sum(graphs.values()),
        "agreements": _count(store, f"?x a <{CDO.TwinningAgreement}>"),
        "cities": _count(store, f"?x a <{CDO.City}>"),
        "sources": sources,
    }


# Each imported file (a prov:Entity, see services/importing/writer.py) and the agreements derived from it.
_SOURCES = f"""
SELECT ?label (COUNT(DISTINCT ?agreement) AS ?n) WHERE {{
  ?source a <{PROV.Entity}> ; <{RDFS.label}> ?label .
  OPTIONAL {{ ?agreement <{PROV.wasDerivedFrom}> ?source }}
}} GROUP BY ?source ?label ORDER BY ?label"""


def _union(store: pyoxigraph.Store, query: str):
    return select(store, query, use_default_graph_as_union=True)


def _count(store: pyoxigraph.Store, pattern: str) -> int:
    rows = _union(store, f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {pattern} }}")
    return int(next(iter(rows))["n"].value)
