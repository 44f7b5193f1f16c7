"""What the ontology is and how big, at a glance (what ``citydip info`` shows)."""

from __future__ import annotations

from collections import Counter

import rdflib
from rdflib.namespace import OWL, RDF, RDFS

from citydiplomacy import __version__
from citydiplomacy.core.namespaces import CDO, ONTOLOGY_IRI, PROJECT_IRI
from citydiplomacy.core.ontology import load_examples, load_ontology


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
