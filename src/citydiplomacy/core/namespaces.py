"""Namespaces used across the project, so no module spells an IRI by hand."""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

ONTOLOGY_IRI = "https://w3id.org/citydiplomacy/ontology"
CDO = Namespace(ONTOLOGY_IRI + "#")
CDR = Namespace("https://w3id.org/citydiplomacy/resource/")
EXAMPLES_IRI = "https://w3id.org/citydiplomacy/examples"

# Named graphs of the embedded store (and the default graph IRIs pushed to a server).
GRAPH_ONTOLOGY = "https://w3id.org/citydiplomacy/graph/ontology"
GRAPH_EXAMPLES = "https://w3id.org/citydiplomacy/graph/examples"
GRAPH_DATA = "https://w3id.org/citydiplomacy/graph/data"

ORG = Namespace("http://www.w3.org/ns/org#")
SCHEMA = Namespace("https://schema.org/")
GEO = Namespace("http://www.opengis.net/ont/geosparql#")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
VANN = Namespace("http://purl.org/vocab/vann/")
WD = Namespace("http://www.wikidata.org/entity/")
WDT = Namespace("http://www.wikidata.org/prop/direct/")
SH = Namespace("http://www.w3.org/ns/shacl#")
TIME = Namespace("http://www.w3.org/2006/time#")

PREFIXES: dict[str, str] = {
    "cdo": str(CDO),
    "cdr": str(CDR),
    "owl": str(OWL),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "prov": str(PROV),
    "org": str(ORG),
    "schema": str(SCHEMA),
    "geo": str(GEO),
    "foaf": str(FOAF),
    "vann": str(VANN),
    "wd": str(WD),
    "wdt": str(WDT),
    "sh": str(SH),
    "time": str(TIME),
}


def bind_prefixes(graph) -> None:
    """Bind the project's prefixes on an rdflib graph (replacing rdflib's defaults for these names)."""
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True, replace=True)
