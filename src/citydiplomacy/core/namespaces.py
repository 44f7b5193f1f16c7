"""Every IRI of the project, and the namespaces used across it, so no module spells an IRI by hand.

``tests/test_one_of_each.py`` checks that each ``https://w3id.org/citydiplomacy/...`` string
is written here and nowhere else in the package.
"""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

# The project's home (the User-Agent names it) and the root of all its IRIs.
PROJECT_URL = "https://w3id.org/citydiplomacy"
PROJECT_IRI = PROJECT_URL + "/"

ONTOLOGY_IRI = "https://w3id.org/citydiplomacy/ontology"
CDO = Namespace(ONTOLOGY_IRI + "#")
CDR = Namespace("https://w3id.org/citydiplomacy/resource/")
# The modelling decisions (ontology/modules/decisions.ttl): the source of a fact the article does not give.
MODELLING_DECISION = Namespace(str(CDR) + "modelling-decision/")
EXAMPLES_IRI = "https://w3id.org/citydiplomacy/examples"
SHAPES_NAMESPACE = "https://w3id.org/citydiplomacy/shapes#"  # the SHACL shapes (prefix cds:)

# Named graphs of the embedded store (and the default graph IRIs pushed to a server).
GRAPH_ONTOLOGY = "https://w3id.org/citydiplomacy/graph/ontology"
GRAPH_EXAMPLES = "https://w3id.org/citydiplomacy/graph/examples"
GRAPH_DATA = "https://w3id.org/citydiplomacy/graph/data"
GRAPH_ANALYSIS = "https://w3id.org/citydiplomacy/graph/analysis"  # analyze cityness --write replaces it
GRAPH_META = "https://w3id.org/citydiplomacy/graph/meta"  # the store's own bookkeeping, never shown

# The JSON-LD context published as ontology/context.jsonld: under these IRIs (https or http, with
# or without the extension) it is substituted from the packaged file, never fetched.
CONTEXT_IRI = "https://w3id.org/citydiplomacy/context"
CONTEXT_IRIS = frozenset(
    scheme + CONTEXT_IRI.removeprefix("https://") + ext for scheme in ("https://", "http://") for ext in ("", ".jsonld")
)

# The article's claims (ontology/claims/*.tsv -> modules/claims.ttl) and the authors it cites.
CLAIM = Namespace("https://w3id.org/citydiplomacy/resource/claim/")
AUTHOR = Namespace("https://w3id.org/citydiplomacy/resource/author/")

# The software agent of PROV-O records (see core/provenance.py): the tool, and one agent per version.
AGENT_IRI = "https://w3id.org/citydiplomacy/resource/agent/citydip"

ORG = Namespace("http://www.w3.org/ns/org#")
SCHEMA = Namespace("https://schema.org/")
GEO = Namespace("http://www.opengis.net/ont/geosparql#")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
VANN = Namespace("http://purl.org/vocab/vann/")
WD = Namespace("http://www.wikidata.org/entity/")
WDT = Namespace("http://www.wikidata.org/prop/direct/")
SH = Namespace("http://www.w3.org/ns/shacl#")
TIME = Namespace("http://www.w3.org/2006/time#")
OA = Namespace("http://www.w3.org/ns/oa#")  # W3C Web Annotation: the anchors of the article's claims

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
    "oa": str(OA),
}


def bind_prefixes(graph) -> None:
    """Bind the project's prefixes on an rdflib graph (replacing rdflib's defaults for these names)."""
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True, replace=True)
