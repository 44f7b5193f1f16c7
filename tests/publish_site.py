"""A small store for the publish tests: the ontology and examples, plus a few triples that stand
for what imports and issue 13's claim records add (a twinning, a claim, a ClimActor source, an
IRI whose path is not safe as a file name)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph
from click.testing import CliRunner
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS

from citydiplomacy.cli import cli
from citydiplomacy.core.namespaces import CDO, CDR, GEO, GRAPH_DATA
from citydiplomacy.core.provenance import as_quads
from citydiplomacy.core.store import open_store

PARIS, BERLIN = CDR["city/Q90"], CDR["city/Q64"]
TWINNING = CDR["twinning/Q64-Q90"]
CLAIM = CDR["claim/test-1"]
CLIMACTOR = CDR["source/climactor-test"]
UNSAFE = URIRef(str(CDR) + "city/..%2Fescape")
HOSTILE = CDR["city/Q1"]  # text and links a page must not run


def extra_triples() -> list[tuple]:
    return [
        (TWINNING, RDF.type, CDO.TwinningAgreement),
        (TWINNING, CDO.partner, PARIS),
        (TWINNING, CDO.partner, BERLIN),
        (BERLIN, RDF.type, CDO.City),
        (BERLIN, RDFS.label, Literal("Berlin", lang="en")),
        (BERLIN, RDFS.label, Literal("برلین", lang="fa")),
        (CLAIM, RDF.type, CDO.Claim),
        (CLAIM, RDFS.label, Literal("Cities act abroad on their own account.", lang="en")),
        (CLAIM, DCTERMS.subject, CDO.City),
        (CLIMACTOR, RDF.type, PROV.Entity),
        (
            CLIMACTOR,
            RDFS.label,
            Literal("subnational_contextuals_database_Dec2022.csv from datadrivenenvirolab/ClimActor"),
        ),
        (UNSAFE, RDF.type, CDO.City),
        (HOSTILE, RDF.type, CDO.City),
        (HOSTILE, RDFS.label, Literal('<script>alert("label")</script>', lang="en")),
        (HOSTILE, RDFS.seeAlso, URIRef("javascript:alert(1)")),
        (HOSTILE, RDFS.seeAlso, URIRef("https://example.org/a?b=1&c=2")),
        *[(HOSTILE, SKOS.altLabel, Literal("Q1", lang=lang)) for lang in ("de", "en", "fr", "it", None)],
        *point(PARIS, "POINT(2.351388888 48.856944444)"),
        *point(BERLIN, "POINT(13.383333333 52.516666666)"),
    ]


def point(city: URIRef, wkt: str) -> list[tuple]:
    geometry = URIRef(f"{city}/geometry")
    return [(city, GEO.hasGeometry, geometry), (geometry, GEO.asWKT, Literal(wkt, datatype=GEO.wktLiteral))]


def make_store(folder: Path) -> Path:
    """A store at *folder* holding the ontology, the examples and :func:`extra_triples`."""
    store = open_store(folder)
    store.extend(as_quads(extra_triples(), pyoxigraph.NamedNode(GRAPH_DATA)))
    store.flush()
    del store
    return folder


def publish(store: Path, out: Path, *options: str):
    """``citydip --store STORE publish OUT OPTIONS`` through click's runner."""
    return CliRunner().invoke(cli, ["--store", str(store), "publish", str(out), *options])
