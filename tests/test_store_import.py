"""The embedded store keeps imported data between commands and serves it as the union graph."""

from __future__ import annotations

import pyoxigraph as ox
from click.testing import CliRunner

from citydiplomacy.cli import cli
from citydiplomacy.core.namespaces import GRAPH_DATA, GRAPH_ONTOLOGY
from citydiplomacy.core.store import default_store_path, ensure_initialised, graph_names, open_store, to_rdflib

SHEET = "City,Country,Partner,Partner country\nIsfahan,Iran,Kuala Lumpur,Malaysia\n"
OPTIONS = ["--city-a", "City", "--country-a", "Country", "--city-b", "Partner", "--country-b", "Partner country"]


def test_import_persists_in_the_store_chosen_by_option(tmp_path):
    sheet = tmp_path / "sheet.csv"
    sheet.write_text(SHEET, encoding="utf-8")
    chosen = tmp_path / "elsewhere"
    result = CliRunner().invoke(cli, ["--store", str(chosen), "import", "csv", str(sheet), *OPTIONS])
    assert result.exit_code == 0, result.output
    # a later, separate opening of the same folder sees the data (nothing is re-parsed)
    store = open_store(chosen)
    assert GRAPH_DATA in graph_names(store) and GRAPH_ONTOLOGY in graph_names(store)
    assert not ensure_initialised(store)  # already initialised: nothing reloaded
    ask = "ASK { ?a a <https://w3id.org/citydiplomacy/ontology#TwinningAgreement> ; <https://w3id.org/citydiplomacy/ontology#partner> ?c }"
    assert store.query(ask, use_default_graph_as_union=True)
    graph = to_rdflib(store, [GRAPH_DATA])
    assert len(graph) > 10
    # the default store (CITYDIP_STORE of this test) was not touched
    assert not default_store_path().exists() or GRAPH_DATA not in graph_names(open_store())


def test_union_default_graph_sees_data_and_ontology(tmp_path):
    store = open_store(tmp_path / "kg")
    store.add(ox.Quad(ox.NamedNode("https://w3id.org/citydiplomacy/resource/city/Q1"),
                      ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                      ox.NamedNode("https://w3id.org/citydiplomacy/ontology#City"), ox.NamedNode(GRAPH_DATA)))
    query = """SELECT ?super WHERE { <https://w3id.org/citydiplomacy/resource/city/Q1> a ?c .
               ?c <http://www.w3.org/2000/01/rdf-schema#subClassOf> ?super }"""
    supers = {row["super"].value for row in store.query(query, use_default_graph_as_union=True)}
    assert "http://www.opengis.net/ont/geosparql#Feature" in supers
