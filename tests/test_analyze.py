"""`citydip analyze`: figures of a small twinning network, computed by hand, and the CLI around them.

The test network (TTL below): seven twinned cities in four countries, one city without twinning.

    Alpha(IT, 1,000,000) -- Beta(IT, 100,000)      (twice: once stated from each side -> one link)
    Alpha -- Gamma(FR, 500,000, capital of FR)
    Beta  -- Gamma
    Gamma -- Delta(FR, 50,000)                     (Delta's side is its local government)
    Epsilon(DE, 200,000) -- Zeta(ES, 80,000)
    Epsilon -- Eta(DE, 3,000,000)
    Alpha -- Alpha                                 (a self-twinning: dropped and counted)

Memberships: Alpha in Eurocities and ICLEI, Beta and Gamma in Eurocities, Delta's government in ICLEI.
"""

from __future__ import annotations

import csv
import gc
import math

import networkx as nx
import pyoxigraph
import pytest
from click.testing import CliRunner

from citydiplomacy.services.analysis.cityness import GRAPH_ANALYSIS, compute_cityness
from citydiplomacy.services.analysis.network import (
    TwinningData,
    compute_network,
    load_twinning,
    mean_shortest_path,
    parse_point,
    store_from_files,
)
from citydiplomacy.cli import cli

TTL = """
@prefix cdo: <https://w3id.org/citydiplomacy/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix geo: <http://www.opengis.net/ont/geosparql#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix wdt: <http://www.wikidata.org/prop/direct/> .
@prefix city: <https://w3id.org/citydiplomacy/resource/city/> .
@prefix country: <https://w3id.org/citydiplomacy/resource/country/> .
@prefix gov: <https://w3id.org/citydiplomacy/resource/government/> .
@prefix tw: <https://w3id.org/citydiplomacy/resource/twinning/> .
@prefix net: <https://w3id.org/citydiplomacy/resource/network/> .
@prefix m: <https://w3id.org/citydiplomacy/resource/membership/> .

country:IT a cdo:Country ; rdfs:label "Italy"@en .
country:FR a cdo:Country ; rdfs:label "France"@en .
country:DE a cdo:Country ; rdfs:label "Germany"@en .
country:ES a cdo:Country ; rdfs:label "Spain"@en .
country:FR wdt:P36 city:Q3 .

city:Q1 a cdo:City ; rdfs:label "Alpha"@en , "Alfa"@it ; cdo:country country:IT ; cdo:population 1000000 ;
    geo:hasGeometry [ geo:asWKT "POINT(12.5 41.9)"^^geo:wktLiteral ] .
city:Q2 a cdo:City ; rdfs:label "Beta"@en ; cdo:country country:IT ; cdo:population 100000 ;
    geo:hasGeometry [ geo:asWKT "POINT(9.2 45.5)"^^geo:wktLiteral ] .
city:Q3 a cdo:City ; rdfs:label "Gamma"@en ; cdo:country country:FR ; cdo:population 500000 ;
    geo:hasGeometry [ geo:asWKT "POINT(2.35 48.85)"^^geo:wktLiteral ] .
city:Q4 a cdo:City ; rdfs:label "Delta"@en ; cdo:country country:FR ; cdo:population 50000 .
city:Q5 a cdo:City ; rdfs:label "Epsilon"@en ; cdo:country country:DE ; cdo:population 200000 ;
    geo:hasGeometry [ geo:asWKT "POINT(13.4 52.5)"^^geo:wktLiteral ] .
city:Q6 a cdo:City ; rdfs:label "Zeta"@en ; cdo:country country:ES ; cdo:population 80000 ;
    geo:hasGeometry [ geo:asWKT "POINT(-3.7 40.4)"^^geo:wktLiteral ] .
city:Q7 a cdo:City ; rdfs:label "Eta"@en ; cdo:country country:DE ; cdo:population 3000000 ;
    geo:hasGeometry [ geo:asWKT "POINT(11.6 48.1)"^^geo:wktLiteral ] .
city:Q8 a cdo:City ; rdfs:label "Theta"@en ; cdo:country country:ES .
gov:Q4 a cdo:LocalGovernment ; cdo:governs city:Q4 .

tw:1 a cdo:TwinningAgreement ; cdo:partner city:Q1 , city:Q2 .
tw:1b a cdo:TwinningAgreement ; cdo:partner city:Q2 , city:Q1 .
tw:2 a cdo:TwinningAgreement ; cdo:partner city:Q1 , city:Q3 .
tw:3 a cdo:TwinningAgreement ; cdo:partner city:Q2 , city:Q3 .
tw:4 a cdo:TwinningAgreement ; cdo:partner city:Q3 , gov:Q4 .
tw:5 a cdo:TwinningAgreement ; cdo:partner city:Q5 , city:Q6 .
tw:6 a cdo:TwinningAgreement ; cdo:partner city:Q5 , city:Q7 .
tw:7 a cdo:TwinningAgreement ; cdo:partner city:Q1 .

net:eurocities a cdo:CityNetwork .
net:iclei a cdo:CityNetwork .
m:1 a cdo:CityNetworkMembership ; org:member city:Q1 ; org:organization net:eurocities .
m:2 a cdo:CityNetworkMembership ; org:member city:Q1 ; org:organization net:iclei .
m:3 a cdo:CityNetworkMembership ; org:member city:Q2 ; org:organization net:eurocities .
m:4 a cdo:CityNetworkMembership ; org:member city:Q3 ; org:organization net:eurocities .
m:5 a cdo:CityNetworkMembership ; org:member gov:Q4 ; org:organization net:iclei .
"""

CITY = "https://w3id.org/citydiplomacy/resource/city/"
A, B, C, D, E, F, G = (CITY + f"Q{i}" for i in range(1, 8))
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture()
def small_ttl(tmp_path):
    path = tmp_path / "small.ttl"
    path.write_text(TTL, encoding="utf-8")
    return path


@pytest.fixture()
def data(small_ttl):
    return load_twinning(store_from_files([str(small_ttl)]))


def _summary(figures) -> dict:
    return dict(figures.summary)


def test_graph_built_from_rdf(data):
    g = data.graph
    assert sorted(g.nodes) == [A, B, C, D, E, F, G]
    assert {frozenset(e) for e in g.edges} == {
        frozenset(p) for p in [(A, B), (A, C), (B, C), (C, D), (E, F), (E, G)]
    }
    assert data.agreements == 8 and data.self_twinnings == 1 and data.malformed == 0
    assert data.cities_without_twinning == 1  # Theta
    assert g.nodes[A]["label"] == "Alpha"  # English label preferred over the Italian one
    assert g.nodes[C]["country_label"] == "France"
    assert g.nodes[A]["population"] == 1_000_000
    assert (g.nodes[A]["lon"], g.nodes[A]["lat"]) == (12.5, 41.9)
    assert g.nodes[D]["lon"] is None
    # Delta's membership and twinning arrive through its local government
    assert [g.nodes[n]["memberships"] for n in (A, B, C, D, E)] == [2, 1, 1, 1, 0]
    assert g.nodes[C]["capital"] is True and g.nodes[D]["capital"] is False and g.nodes[A]["capital"] is None


def test_network_figures_by_hand(data):
    figures = compute_network(data, sample=250)
    s = _summary(figures)
    assert s["cities"] == 7 and s["links"] == 6
    assert s["connected_components"] == 2
    assert s["largest_component_cities"] == 4
    assert s["largest_component_share_of_cities"] == pytest.approx(4 / 7)
    assert s["mean_degree"] == pytest.approx(12 / 7)
    assert s["max_degree"] == 3 and s["median_degree"] == 2
    # local clustering: Alpha 1, Beta 1, Gamma 1/3 (one link among its three neighbours), others 0
    assert s["average_clustering"] == pytest.approx((1 + 1 + 1 / 3) / 7)
    # one triangle, six connected triples (Alpha 1, Beta 1, Gamma 3, Epsilon 1)
    assert s["transitivity_global_clustering"] == pytest.approx(3 * 1 / 6)
    # degree pairs (2,2) (2,3) (2,3) (3,1) (2,1) (2,1): Pearson over both directions = -2/6
    assert s["degree_assortativity"] == pytest.approx(-1 / 3)
    # largest component {A,B,C,D}: distances 1,1,2,1,2,1 over 6 pairs
    assert s["largest_clique_cities"] == 3  # Alpha, Beta, Gamma
    assert s["largest_component_mean_shortest_path"] == pytest.approx(8 / 6)
    assert s["mean_shortest_path_exact"] is True
    assert s["longest_shortest_path_seen"] == 2
    # log-population assortativity is Newman's numeric assortativity: cross-check against networkx
    g = data.graph.copy()
    for node in g:
        g.nodes[node]["logpop"] = math.log10(g.nodes[node]["population"])
    assert s["log_population_assortativity"] == pytest.approx(nx.numeric_assortativity_coefficient(g, "logpop"))
    assert s["links_with_both_populations_known"] == 6
    # domestic: A-B (IT), C-D (FR), E-G (DE); cross-border: A-C, B-C, E-F
    assert s["domestic_links"] == 3 and s["cross_border_links"] == 3
    assert s["domestic_share"] == pytest.approx(0.5)
    assert s["countries"] == 4
    assert dict(figures.degree_counts) == {1: 3, 2: 3, 3: 1}
    pairs = {(p["country_a"], p["country_b"]): p["links"] for p in figures.country_pairs}
    assert pairs == {("France", "Italy"): 2, ("Italy", "Italy"): 1, ("France", "France"): 1,
                     ("Germany", "Germany"): 1, ("Germany", "Spain"): 1}
    cities = {c["city"]: c for c in figures.cities}
    # Gamma lies on the shortest paths A-D and B-D: 2 of the 15 pairs of 7 nodes; Epsilon on Zeta-Eta
    assert cities[C]["betweenness"] == pytest.approx(2 / 15)
    assert cities[E]["betweenness"] == pytest.approx(1 / 15)
    assert cities[A]["betweenness"] == 0
    assert max((c for c in figures.cities if c["eigenvector"] is not None), key=lambda c: c["eigenvector"])["city"] == C
    assert cities[E]["eigenvector"] is None  # eigenvector centrality only in the largest component
    assert figures.cities[0]["city"] == C  # sorted by degree
    france = next(c for c in figures.countries if c["country"] == "France")
    assert (france["cities"], france["links"], france["domestic_links"], france["cross_border_links"]) == (2, 3, 1, 2)


def test_star_is_disassortative_and_clique_has_no_clustering_gap():
    star = nx.star_graph(3)  # hub 0 with leaves 1..3: degree pairs (3,1) only
    data = TwinningData(graph=nx.relabel_nodes(star, {i: f"n{i}" for i in star}), agreements=3)
    s = _summary(compute_network(data))
    assert s["degree_assortativity"] == pytest.approx(-1.0)
    assert s["average_clustering"] == 0 and s["transitivity_global_clustering"] == 0
    # no countries known: shares are undefined, not zero
    assert s["domestic_share"] is None and s["links_with_a_country_unknown"] == 3


def test_mean_shortest_path_sampling_is_seeded():
    path = nx.path_graph(30)
    exact, sources, longest, is_exact = mean_shortest_path(path, sample=30)
    # a path of n nodes: mean distance (n + 1) / 3
    assert is_exact and sources == 30 and longest == 29 and exact == pytest.approx(31 / 3)
    first = mean_shortest_path(path, sample=5, seed=7)
    assert first == mean_shortest_path(path, sample=5, seed=7)
    assert first[1] == 5 and first[3] is False


def test_cityness_scores_by_hand(data):
    result = compute_cityness(data.graph)
    by = {s.city: s for s in result.scores}
    deg = lambda d: math.log1p(d) / math.log1p(3)  # noqa: E731 - max degree 3
    mem = lambda m: math.log1p(m) / math.log1p(2)  # noqa: E731 - max memberships 2
    # flow = mean(degree part, membership part, foreign-countries part (max 1))
    assert by[A].flow == pytest.approx((deg(2) + mem(2) + 1) / 3)
    assert by[B].flow == pytest.approx((deg(2) + mem(1) + 1) / 3)
    assert by[C].flow == pytest.approx((deg(3) + mem(1) + 1) / 3)
    assert by[D].flow == pytest.approx((deg(1) + mem(1) + 0) / 3)  # its only partner is domestic
    assert by[G].flow == pytest.approx((deg(1) + 0 + 0) / 3)
    assert by[C].foreign_countries == 1 and by[C].foreign_partner_share == pytest.approx(2 / 3)
    # place = mean(mid-rank population percentile in country, capital where the country's capital is known)
    assert by[A].place == pytest.approx(0.75)  # first of two in Italy, Italy's capital unknown
    assert by[B].place == pytest.approx(0.25)
    assert by[C].place == pytest.approx((0.75 + 1) / 2)  # capital of France
    assert by[D].place == pytest.approx((0.25 + 0) / 2)
    assert by[F].place == pytest.approx(0.5)  # alone in Spain
    assert by[G].place == pytest.approx(0.75) and by[E].place == pytest.approx(0.25)
    assert by[C].population_rank == 1 and by[D].population_rank == 2 and by[D].country_cities == 2
    # thresholds: medians of the seven scores; "high" is strictly above
    assert result.flow_threshold == pytest.approx(by[E].flow)
    assert result.place_threshold == pytest.approx(0.5)
    quadrants = {s.label: s.quadrant for s in result.scores}
    assert quadrants == {
        "Alpha": "both", "Gamma": "both", "Beta": "network city", "Eta": "hierarchical town",
        "Delta": "neither", "Epsilon": "neither", "Zeta": "neither",
    }


def test_cityness_without_place_data_leaves_cities_unclassified():
    g = nx.Graph([("a", "b"), ("b", "c")])
    result = compute_cityness(g)
    assert all(s.place is None and s.quadrant is None for s in result.scores)
    assert result.components["population_rank"] is False
    assert [s.flow for s in sorted(result.scores, key=lambda s: s.city)] == pytest.approx([math.log(2) / math.log(3), 1.0, math.log(2) / math.log(3)])


@pytest.mark.parametrize(
    "wkt, expected",
    [
        ("POINT(12.5 41.9)", (12.5, 41.9)),
        ("Point(-3.7 40.4)", (-3.7, 40.4)),
        ("<http://www.opengis.net/def/crs/OGC/1.3/CRS84> POINT(1 2)", (1.0, 2.0)),
        ("POINT(200 10)", None),
        ("LINESTRING(1 2, 3 4)", None),
    ],
)
def test_parse_point(wkt, expected):
    assert parse_point(wkt) == expected


def _read_csv(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_cli_network_with_data_files(small_ttl, tmp_path):
    out = tmp_path / "net.csv"
    plots = tmp_path / "plots"
    result = CliRunner().invoke(cli, ["analyze", "network", "--data", str(small_ttl), "--out", str(out), "--plot", str(plots)])
    assert result.exit_code == 0, result.output
    assert "Twinning network" in result.output and "Gamma (France)" in result.output
    metrics = {r["metric"]: r["value"] for r in _read_csv(out)}
    assert metrics["cities"] == "7" and metrics["links"] == "6" and metrics["domestic_share"] == "0.5"
    cities = _read_csv(tmp_path / "net-cities.csv")
    assert cities[0]["label"] == "Gamma" and cities[0]["degree"] == "3"
    assert {r["degree"]: r["cities"] for r in _read_csv(tmp_path / "net-degrees.csv")} == {"1": "3", "2": "3", "3": "1"}
    assert _read_csv(tmp_path / "net-countries.csv")[0]["country"] in {"France", "Italy"}
    assert _read_csv(tmp_path / "net-country-pairs.csv")[0] == {
        "country_a": "France", "country_b": "Italy", "links": "2", "domestic": "false",
        "country_a_iri": "https://w3id.org/citydiplomacy/resource/country/FR",
        "country_b_iri": "https://w3id.org/citydiplomacy/resource/country/IT",
    }
    for name in ("degree-distribution.png", "links-map.png", "country-pairs.png"):
        assert (plots / name).read_bytes()[:8] == PNG_MAGIC


def _fill_store(path: str, ttl_path) -> None:
    from citydiplomacy.core.namespaces import GRAPH_DATA
    from citydiplomacy.core.store import open_store

    store = open_store(path)
    store.load(path=str(ttl_path), format=pyoxigraph.RdfFormat.TURTLE, to_graph=pyoxigraph.NamedNode(GRAPH_DATA))
    store.flush()
    del store
    gc.collect()  # release the store's lock before the command opens it


def _query(path: str, sparql: str) -> list:
    from citydiplomacy.core.store import open_store

    store = open_store(path)
    try:
        return [[term.value if term is not None else None for term in row] for row in store.query(sparql, use_default_graph_as_union=True)]
    finally:
        del store
        gc.collect()


SCORES = """
PREFIX cdo: <https://w3id.org/citydiplomacy/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT ?name ?flow ?place ?quadrant ?activity WHERE {
  GRAPH <https://w3id.org/citydiplomacy/graph/analysis> {
    ?s cdo:assessedCity ?city ; cdo:flowScore ?flow ; cdo:citynessQuadrant ?q ; prov:wasGeneratedBy ?activity .
    OPTIONAL { ?s cdo:placeScore ?place }
  }
  ?city rdfs:label ?name . FILTER(LANG(?name) = "en")
  ?q rdfs:label ?quadrant . FILTER(LANG(?quadrant) = "en")
} ORDER BY ?name
"""


def test_cli_cityness_writes_scores_into_the_store(small_ttl, tmp_path, monkeypatch):
    store_path = str(tmp_path / "kg")
    monkeypatch.setenv("CITYDIP_STORE", store_path)
    _fill_store(store_path, small_ttl)
    out = tmp_path / "scores.csv"
    plots = tmp_path / "plots"
    runner = CliRunner()
    for _ in range(2):  # the second run replaces the first
        result = runner.invoke(cli, ["analyze", "cityness", "--out", str(out), "--plot", str(plots)])
        assert result.exit_code == 0, result.output
    assert "network city" in result.output and "Beta" in result.output
    rows = _query(store_path, SCORES)
    assert [r[0] for r in rows] == ["Alpha", "Beta", "Delta", "Epsilon", "Eta", "Gamma", "Zeta"]
    quadrant = {r[0]: r[3] for r in rows}
    assert quadrant["Beta"] == "network city" and quadrant["Eta"] == "hierarchical town"
    assert quadrant["Alpha"] == "network city and hierarchical town"
    assert len({r[4] for r in rows}) == 1  # one activity: the earlier run was replaced
    activity = rows[0][4]
    prov = _query(store_path, f"""PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX cdo: <https://w3id.org/citydiplomacy/ontology#>
        SELECT ?start ?method ?ft WHERE {{ <{activity}> a cdo:CitynessAnalysis ; prov:startedAtTime ?start ;
        cdo:thresholdMethod ?method ; cdo:flowThreshold ?ft . <{GRAPH_ANALYSIS}> prov:wasGeneratedBy <{activity}> }}""")
    assert len(prov) == 1 and prov[0][1] == "median"
    per_city = {r["label"]: r for r in _read_csv(out)}
    assert per_city["Gamma"]["quadrant"] == "both" and per_city["Gamma"]["capital"] == "true"
    summary = {r["metric"]: r["value"] for r in _read_csv(tmp_path / "scores-summary.csv")}
    assert summary["quadrant_neither"] == "3" and summary["threshold_method"] == "median"
    assert (plots / "cityness.png").read_bytes()[:8] == PNG_MAGIC
    # the network of one chosen graph; the analysis graph is never read back as data
    from citydiplomacy.core.namespaces import GRAPH_DATA

    net = tmp_path / "net.csv"
    result = runner.invoke(cli, ["analyze", "network", "--graph", GRAPH_DATA, "--out", str(net)])
    assert result.exit_code == 0, result.output
    metrics = {r["metric"]: r["value"] for r in _read_csv(net)}
    assert metrics["links"] == "6" and metrics["sources"] == GRAPH_DATA


def test_cli_cityness_with_data_does_not_write_unless_asked(small_ttl, tmp_path, monkeypatch):
    store_path = str(tmp_path / "kg")
    monkeypatch.setenv("CITYDIP_STORE", store_path)
    rdf = tmp_path / "scores.ttl"
    result = CliRunner().invoke(cli, ["analyze", "cityness", "--data", str(small_ttl), "--rdf", str(rdf), "--threshold", "mean"])
    assert result.exit_code == 0, result.output
    assert "cdo:CitynessAssessment" in rdf.read_text(encoding="utf-8")
    assert _query(store_path, f"SELECT ?s WHERE {{ GRAPH <{GRAPH_ANALYSIS}> {{ ?s ?p ?o }} }} LIMIT 1") == []


def test_cli_errors_are_one_line(tmp_path):
    runner = CliRunner()
    empty = tmp_path / "empty.ttl"
    empty.write_text("@prefix cdo: <https://w3id.org/citydiplomacy/ontology#> .\n<urn:x> a cdo:City .\n", encoding="utf-8")
    result = runner.invoke(cli, ["analyze", "network", "--data", str(empty)])
    assert result.exit_code == 2 and "Error: no twinning agreements" in result.output
    broken = tmp_path / "broken.ttl"
    broken.write_text("@prefix cdo: <https://w3id.org/citydiplomacy/ontology#> .\n<urn:x> a cdo:City\n", encoding="utf-8")
    result = runner.invoke(cli, ["analyze", "cityness", "--data", str(broken)])
    assert result.exit_code == 2 and f"Error: {broken}:" in result.output and "Traceback" not in result.output
    result = runner.invoke(cli, ["analyze", "network", "--data", str(tmp_path / "missing.ttl")])
    assert result.exit_code == 2 and "no such file" in result.output
    result = runner.invoke(cli, ["analyze", "network", "--graph", "https://example.org/nothing"])
    assert result.exit_code == 2 and "no such graph" in result.output
    (tmp_path / "a-file").write_text("x")
    result = runner.invoke(cli, ["analyze", "network", "--data", str(empty), "--out", str(tmp_path / "a-file" / "x.csv")])
    assert result.exit_code == 2 and "a-file" in result.output and "Traceback" not in result.output


@pytest.mark.shared_data
def test_real_gexf_network(shared_data, tmp_path, monkeypatch):
    """The GEXF extract through `citydip import`: its README counts 4,566 cities and 8,182 links."""
    store_path = str(tmp_path / "kg")
    monkeypatch.setenv("CITYDIP_STORE", store_path)
    runner = CliRunner()
    result = runner.invoke(cli, ["import", str(shared_data / "wikidata-p190-ursino2021" / "sister_cities.gexf")])
    assert result.exit_code == 0, result.output
    out = tmp_path / "net.csv"
    result = runner.invoke(cli, ["analyze", "network", "--sample", "40", "--out", str(out)])
    assert result.exit_code == 0, result.output
    metrics = {r["metric"]: r["value"] for r in _read_csv(out)}
    assert metrics["cities"] == "4566" and metrics["links"] == "8182"
    assert float(metrics["cross_border_share"]) > 0.5  # twinning mostly crosses borders
    assert float(metrics["degree_assortativity"]) > 0


def test_reach_abroad_unknown_when_no_partner_country_is_known():
    g = nx.Graph([("a", "b"), ("a", "c"), ("c", "d")])
    for node, country in (("a", "X"), ("c", "Y"), ("d", "Y")):
        g.nodes[node]["country"] = country
    by = {s.city: s for s in compute_cityness(g).scores}
    assert by["b"].foreign_countries is None  # its own country is unknown
    assert by["a"].foreign_countries == 1 and by["a"].foreign_partner_share == pytest.approx(1.0)  # b unknown, c abroad
    assert by["d"].foreign_countries == 0  # its only partner is at home
    g.remove_edge("a", "c")
    assert {s.city: s for s in compute_cityness(g).scores}["a"].foreign_countries is None  # only b, country unknown
