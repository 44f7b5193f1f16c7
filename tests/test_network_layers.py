"""The membership layer beside the twinning network: the network questions and `analyze --layer`.

On tests/data/networks/layers.ttl (its header lists who is in which network and who is twinned):
the figures below are counted by hand from that list.

    Eurocities        Lyon, Turin, Munich, Kraków, Barcelona                      10 pairs, 2 twinned
    covenant          Lyon, Grenoble, Turin, Milan, Bilbao, Leipzig, Gdańsk, Porto  28 pairs, 2 twinned
    c40               Milan, Barcelona                                            1 pair,  0 twinned
    climate-alliance  Grenoble, Munich, Leipzig, Tampere (+ Catalonia, a region)   6 pairs, 1 twinned
    twinning          Lyon-Turin, Lyon-Munich, Munich-Leipzig, Kraków-Leipzig, Porto-Bilbao,
                      Kraków-Nara, Nara-Kyoto
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from citydiplomacy.cli import cli
from citydiplomacy.core.citations import CLIMACTOR_CITATION
from citydiplomacy.core.resources import examples_file
from citydiplomacy.services.analysis import api

REPO = Path(__file__).resolve().parent.parent
LAYERS = REPO / "tests" / "data" / "networks" / "layers.ttl"
INSTANCES = REPO / "tests" / "data" / "query" / "instances.ttl"
CITY = "https://w3id.org/citydiplomacy/resource/city/Q9000"
NAMES = {
    "01": "Lyon", "02": "Grenoble", "03": "Turin", "04": "Milan", "05": "Barcelona", "06": "Bilbao",
    "07": "Munich", "08": "Leipzig", "09": "Kraków", "10": "Gdańsk", "11": "Porto", "12": "Tampere",
    "13": "Nara", "14": "Kyoto",
}  # fmt: skip


def _answer(name: str, *params: str, data: Path = LAYERS) -> list[dict]:
    args = ["query", "run", name, "--data", str(data), "--format", "json"]
    for p in params:
        args += ["--param", p]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    return [{k: v["value"] for k, v in row.items()} for row in json.loads(result.stdout)["results"]["bindings"]]


# ---------------------------------------------------------------- questions


def test_the_two_layer_file_conforms_to_the_data_shapes():
    """Memberships in the agreed model (org:member, org:organization, cdo:observationYear) pass the shapes."""
    result = CliRunner().invoke(cli, ["validate", str(LAYERS)])
    assert result.exit_code == 0, result.output
    assert "0 violation" in result.output


def test_cities_in_several_networks_counts_networks_not_yearly_records():
    rows = _answer("cities-in-several-networks", "min=2")
    # Lyon and Milan were recorded in two years for the covenant: still two networks each
    assert {r["name"]: int(r["networks"]) for r in rows} == {
        n: 2 for n in ("Lyon", "Turin", "Milan", "Barcelona", "Munich", "Leipzig", "Grenoble")
    }



def test_cities_in_several_networks_lists_a_city_with_two_labels_once(tmp_path):
    """A city with two English labels (Wikidata gives Q60 "New York" and "New York City") is one row,
    named by its first label in alphabetical order; with --lang fa, by its Persian label."""
    second_label = tmp_path / "lyon-label.ttl"
    second_label.write_text(
        '<https://w3id.org/citydiplomacy/resource/city/Q900001> '
        '<http://www.w3.org/2000/01/rdf-schema#label> "Lyon Metropolis"@en .\n',
        encoding="utf-8",
    )
    args = ["query", "run", "cities-in-several-networks", "--data", str(LAYERS), "--data", str(second_label)]
    result = CliRunner().invoke(cli, [*args, "--format", "json", "--param", "min=2"])
    assert result.exit_code == 0, result.output
    rows = [{k: v["value"] for k, v in row.items()} for row in json.loads(result.stdout)["results"]["bindings"]]
    lyon = [r for r in rows if r["city"].endswith("/Q900001")]
    assert [(r["name"], r["networks"]) for r in lyon] == [("Lyon", "2")]
    persian = CliRunner().invoke(cli, ["--lang", "fa", *args, "--format", "json", "--param", "min=2"])
    assert persian.exit_code == 0, persian.output
    names = {row["city"]["value"]: row["name"]["value"] for row in json.loads(persian.stdout)["results"]["bindings"]}
    assert names["https://w3id.org/citydiplomacy/resource/city/Q900001"] == "لیون"

def test_members_of_network_with_the_years_recorded():
    rows = _answer("members-of-network", "network=Covenant of Mayors (test)")
    assert {r["name"] for r in rows} == {"Lyon", "Grenoble", "Turin", "Milan", "Bilbao", "Leipzig", "Gdańsk", "Porto"}
    lyon = next(r for r in rows if r["name"] == "Lyon")
    assert (lyon["firstRecorded"], lyon["lastRecorded"], lyon["countryName"]) == ("2019", "2022", "France")
    # the Persian label finds the same network; the region of Catalonia is not a city
    assert len(_answer("members-of-network", "network=اتحاد اقلیمی (آزمایشی)")) == 4


def test_networks_of_city_with_their_sizes():
    rows = _answer("networks-of-city", "city=Milan")
    assert {(r["networkName"], int(r["members"])) for r in rows} == {
        ("Covenant of Mayors (test)", 8),
        ("C40 (test)", 2),
    }
    assert _answer("networks-of-city", "city=Nara") == []



def _answer_in_persian(name: str, *params: str) -> list[dict]:
    args = ["--lang", "fa", "query", "run", name, "--data", str(LAYERS), "--format", "json"]
    for p in params:
        args += ["--param", p]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    return [{k: v["value"] for k, v in row.items()} for row in json.loads(result.stdout)["results"]["bindings"]]


def test_membership_questions_name_networks_in_persian_with_lang_fa():
    rows = _answer_in_persian("networks-of-city", "city=Milan")
    assert {r["networkName"] for r in rows} == {"پیمان شهرداران (آزمایشی)", "سی۴۰ (آزمایشی)"}
    ranked = _answer_in_persian("countries-per-network", "top=1")
    climate = {(r["networkName"], r["countryName"]) for r in ranked if r["network"].endswith("/climate-alliance")}
    assert climate and all(name == "اتحاد اقلیمی (آزمایشی)" for name, _ in climate)
    assert {country for _, country in climate} <= {"فرانسه", "آلمان", "فنلاند"}

def test_countries_per_network_ranks_with_ties():
    rows = _answer("countries-per-network", "top=1")
    climate = [r for r in rows if r["networkName"] == "Climate Alliance (test)"]
    assert [(r["countryName"], r["rank"], r["cities"], float(r["share"])) for r in climate] == [
        ("Germany", "1", "2", 0.5)
    ]
    covenant = {r["countryName"] for r in rows if r["networkName"] == "Covenant of Mayors (test)"}
    assert covenant == {"France", "Italy"}  # two cities each: a tie for the first rank


def test_cities_in_one_layer_only():
    no_twin = {r["name"] for r in _answer("networked-cities-without-twins")}
    # the article's M4 members (ontology/examples.ttl) are in a network and have no twin either
    assert no_twin == {"Grenoble", "Milan", "Barcelona", "Gdańsk", "Tampere", "Berlin", "London", "Moscow", "Paris"}
    no_network = {r["name"]: int(r["twinnings"]) for r in _answer("twinned-cities-without-networks")}
    assert no_network == {"Nara": 2, "Kyoto": 1}
    assert _answer("twinned-cities-without-networks", "min=2") == [
        {"city": CITY + "13", "name": "Nara", "twinnings": "2"}
    ]


def test_questions_cite_climactor_when_its_memberships_are_shown(tmp_path):
    extra = tmp_path / "climactor-provenance.ttl"
    extra.write_text(FROM_CLIMACTOR, encoding="utf-8")
    args = ["query", "run", "networks-of-city", "--param", "city=Milan", "--data", str(LAYERS)]
    cited = CliRunner().invoke(cli, [*args, "--data", str(extra), "--format", "csv"])
    assert cited.exit_code == 0 and cited.stderr.rstrip().splitlines()[-1] == CLIMACTOR_CITATION
    assert CLIMACTOR_CITATION not in cited.stdout  # the CSV stays a table
    plain = CliRunner().invoke(cli, args)
    assert plain.exit_code == 0 and "ClimActor" not in plain.output
    # a question without '# cites:' never cites
    other = CliRunner().invoke(
        cli, ["query", "run", "most-twinned-cities", "--data", str(LAYERS), "--data", str(extra)]
    )
    assert other.exit_code == 0 and "ClimActor" not in other.output


def test_cites_header_names_a_known_dataset(tmp_path):
    from citydiplomacy.services.querying import catalog

    bad = tmp_path / "q.rq"
    bad.write_text("# title: T\n# cites: wikipedia\nSELECT * {}\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["query", "run", str(bad)])
    assert result.exit_code == 2 and "q.rq:2: '# cites:' names one of climactor" in result.output
    assert catalog.resolve("members-of-network").cites == ["climactor"]


# ---------------------------------------------------------------- the layers in Python


@pytest.fixture(scope="module")
def source():
    return api.source_from_files([LAYERS])


def test_membership_layer_figures_by_hand(source):
    figures = api.analyze_layers(source, "membership")
    s = dict(figures.summary)
    assert (s["membership_cities"], s["membership_networks"], s["membership_links"]) == (12, 4, 19)
    assert s["members_not_cities_left_out"] == 1  # Catalonia
    assert (s["max_networks_per_city"], s["cities_in_two_or_more_networks"]) == (2, 7)
    # 10 + 28 + 1 + 6 member pairs, Lyon-Turin and Grenoble-Leipzig counted once
    assert s["projection_links"] == 43 and s["projection_density"] == pytest.approx(43 / 66)
    lyon = next(c for c in figures.cities if c["label"] == "Lyon")
    assert (lyon["networks"], lyon["co_members"], lyon["twinning_degree"]) == (2, 10, 2)
    assert figures.citation is None  # made-up memberships: nothing to cite


def test_co_members_twinned_by_hand(source):
    """Only cities of both layers count: Grenoble, Milan, Barcelona, Gdańsk and Tampere have no twin."""
    figures = api.analyze_layers(source, "membership")
    rows = {r.label: r for r in figures.networks}
    # seven cities of both layers, 21 pairs, five of them twinned (Kraków-Nara and Nara-Kyoto leave)
    expected = 5 / 21
    assert {k: (r.members, r.members_twinned, r.pairs, r.twinned_pairs) for k, r in rows.items()} == {
        "Eurocities": (5, 4, 6, 2),  # Lyon, Turin, Munich, Kraków: Lyon-Turin, Lyon-Munich
        "Covenant of Mayors (test)": (8, 5, 10, 2),  # Lyon, Turin, Bilbao, Leipzig, Porto: Lyon-Turin, Porto-Bilbao
        "C40 (test)": (2, 0, 0, 0),
        "Climate Alliance (test)": (4, 2, 1, 1),  # Munich-Leipzig
    }
    assert rows["Eurocities"].expected_rate == pytest.approx(expected)
    assert rows["Eurocities"].lift == pytest.approx((2 / 6) / expected)
    assert rows["Covenant of Mayors (test)"].lift == pytest.approx((2 / 10) / expected)
    assert rows["C40 (test)"].rate is None and rows["C40 (test)"].lift is None  # no pair to observe
    assert [r.label for r in figures.networks][:2] == ["Climate Alliance (test)", "Eurocities"]  # highest lift first
    summary = dict(figures.summary)
    assert (summary["co_members_cities_both_layers"], summary["co_members_twinned_pairs_both_layers"]) == (7, 5)


def test_union_of_the_layers_by_hand(source):
    s = dict(api.analyze_layers(source, "both").summary)
    assert (s["cities_either_layer"], s["cities_both_layers"]) == (14, 7)
    assert (s["cities_twinning_only"], s["cities_membership_only"]) == (2, 5)
    # Lyon-Turin, Lyon-Munich, Munich-Leipzig and Porto-Bilbao are co-members; Kraków-Leipzig is not
    assert s["twinning_links_between_co_members"] == 4
    assert s["union_links"] == 43 + 7 - 4
    assert (s["union_components"], s["union_largest_component_cities"]) == (1, 14)
    # the seven cities of both layers: Lyon 2/2, Turin 1/2, Munich 2/2, Leipzig 2/2, Kraków 2/1, Porto 1/1,
    # Bilbao 1/1 (twinning degree / networks)
    from scipy.stats import spearmanr

    expected = spearmanr([2, 1, 2, 2, 2, 1, 1], [2, 2, 2, 2, 1, 1, 1]).statistic
    assert s["spearman_twinning_degree_network_count_both_layers"] == pytest.approx(expected)


def test_union_distances_equal_those_of_the_union_built_explicitly(source):
    """The union is searched through network nodes (links of 1/2); on the small file the projection can
    be built, and networkx's mean distance on twinning + projection must be the same."""
    import itertools

    import networkx as nx

    data = api.read_twinning(source, layer="both")
    union = nx.Graph(data.graph.edges)
    for members in data.layer.members_of.values():
        union.add_edges_from(itertools.combinations(sorted(members), 2))
    s = dict(api.layer_figures(data, "both").summary)
    assert s["union_mean_shortest_path"] == pytest.approx(nx.average_shortest_path_length(union))
    assert s["union_mean_shortest_path_sources"] == 14
    # sampled sources (seeded): the same figure twice
    sampled = [dict(api.layer_figures(data, "both", path_sample=5, seed=7).summary) for _ in range(2)]
    assert sampled[0]["union_mean_shortest_path"] == sampled[1]["union_mean_shortest_path"]
    assert sampled[0]["union_mean_shortest_path_sources"] == 5


def test_membership_layer_needs_memberships(tmp_path):
    twinning_only = tmp_path / "t.ttl"
    twinning_only.write_text(
        "@prefix cdo: <https://w3id.org/citydiplomacy/ontology#> .\n@prefix c: <https://w3id.org/citydiplomacy/resource/city/> .\n"
        "c:Q1 a cdo:City . c:Q2 a cdo:City .\n[] a cdo:TwinningAgreement ; cdo:partner c:Q1 , c:Q2 .\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["analyze", "network", "--data", str(twinning_only), "--layer", "membership"])
    assert result.exit_code == 2
    assert "no memberships of cities in city networks" in result.output and "Traceback" not in result.output
    # the twinning layer still answers, without citing membership data it did not use
    result = CliRunner().invoke(cli, ["analyze", "network", "--data", str(twinning_only)])
    assert result.exit_code == 0 and "ClimActor" not in result.output


# ---------------------------------------------------------------- cityness on each layer


def test_without_memberships_both_layers_score_as_twinning_alone():
    """The default --layer both changes nothing on a store without memberships (the shared P190 data)."""
    from citydiplomacy.services.analysis.network import store_from_files

    store = store_from_files([str(LAYERS)])
    store.update(
        "DELETE WHERE { GRAPH ?g { ?m a <https://w3id.org/citydiplomacy/ontology#CityNetworkMembership> ; ?p ?o } }"
    )
    source = api.TwinningSource(store, None, ["test"], False)
    data = api.read_twinning(source, layer="both")
    scores = {
        layer: [
            (s.city, s.flow, s.place, s.quadrant) for s in api.cityness_scores(source, data, layer=layer).result.scores
        ]
        for layer in ("twinning", "both")
    }
    assert scores["both"] == scores["twinning"] and len(scores["both"]) == 9


def test_cityness_scores_the_cities_of_each_layer(source):
    data = api.read_twinning(source, layer="both")
    scored = {
        layer: {s.city[-2:]: s for s in api.cityness_scores(source, data, layer=layer).result.scores}
        for layer in ("twinning", "membership", "both")
    }
    assert {NAMES[k] for k in scored["twinning"]} == {
        "Lyon", "Turin", "Munich", "Leipzig", "Kraków", "Porto", "Bilbao", "Nara", "Kyoto"
    }  # fmt: skip
    assert len(scored["membership"]) == 12 and len(scored["both"]) == 14
    # membership layer: the flow score is the network count alone, log-scaled by the maximum (2)
    assert scored["membership"]["12"].flow == pytest.approx(0.6309, abs=1e-4)  # Tampere, 1 network: log 2 / log 3
    assert scored["membership"]["04"].flow == pytest.approx(1.0)  # Milan, 2 networks
    # both: Milan has no twin, so its degree and reach abroad count 0 beside its networks
    milan = scored["both"]["04"]
    assert milan.degree == 0 and milan.memberships == 2 and milan.flow == pytest.approx(1 / 2)
    # twinning: the memberships are not a component
    assert scored["twinning"]["01"].memberships == 2
    assert api.cityness_scores(source, data, layer="twinning").result.components["memberships"] is False


# ---------------------------------------------------------------- the CLI: tables, files, plots, citation

# The provenance an importer writes for a membership read from the ClimActor file (its SHA-256).
FROM_CLIMACTOR = """
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
<https://w3id.org/citydiplomacy/resource/membership/c4> prov:wasDerivedFrom <https://w3id.org/citydiplomacy/resource/source/d5ad88d76226e093> .
<https://w3id.org/citydiplomacy/resource/source/d5ad88d76226e093> a prov:Entity ;
    dcterms:identifier "sha256:d5ad88d76226e093d721bdb7e229f34cefa438366e2bf023eb2f786e91e26e97" .
"""


@pytest.fixture
def with_climactor(tmp_path) -> list[str]:
    """The fixture plus the provenance of one membership read from the ClimActor file."""
    extra = tmp_path / "climactor-provenance.ttl"
    extra.write_text(FROM_CLIMACTOR, encoding="utf-8")
    return ["--data", str(LAYERS), "--data", str(extra)]


def test_citation_only_where_climactor_data_is_shown(with_climactor):
    for args, cited in (([], False), (with_climactor, True)):
        for layer in ("membership", "both"):
            result = CliRunner().invoke(
                cli, ["analyze", "network", *(args or ["--data", str(LAYERS)]), "--layer", layer]
            )
            assert result.exit_code == 0 and (CLIMACTOR_CITATION in result.output) is cited, result.output
    # the twinning layer shows none of the memberships: no citation
    result = CliRunner().invoke(cli, ["analyze", "cityness", *with_climactor, "--layer", "twinning"])
    assert result.exit_code == 0 and "ClimActor" not in result.output


def test_cli_network_both_layers_writes_tables_plots_and_cites(tmp_path, with_climactor):
    out = tmp_path / "net.csv"
    result = CliRunner().invoke(
        cli,
        [
            "analyze",
            "network",
            *with_climactor,
            "--layer",
            "both",
            "-o",
            str(out),
            "--out-dir",
            str(tmp_path / "p"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Twinning network" in result.output and "Twinning and membership together" in result.output
    assert result.stderr.rstrip().splitlines()[-1] == CLIMACTOR_CITATION, result.stderr  # the closing line
    metrics = {r["metric"]: r["value"] for r in csv.DictReader(out.open(encoding="utf-8"))}
    assert metrics["union_links"] == "46" and metrics["membership_links"] == "19"
    networks = list(csv.DictReader((tmp_path / "net-networks.csv").open(encoding="utf-8")))
    assert networks[0]["label"] == "Climate Alliance (test)" and networks[0]["members_twinned"] == "2"
    twinning = {r["metric"]: r["value"] for r in csv.DictReader((tmp_path / "net-twinning.csv").open(encoding="utf-8"))}
    assert twinning["links"] == "7"
    for png in ("layers-overlap.png", "networks-per-city.png", "degree-distribution.png"):
        assert (tmp_path / "p" / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cli_cityness_layer_option_and_persian(tmp_path, with_climactor):
    result = CliRunner().invoke(
        cli, ["analyze", "cityness", *with_climactor, "--layer", "membership", "-o", str(tmp_path / "c.csv")]
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader((tmp_path / "c.csv").open(encoding="utf-8")))
    assert len(rows) == 12 and all(r["degree"] == "0" or r["memberships"] != "0" for r in rows)
    assert CLIMACTOR_CITATION in result.output
    fa = CliRunner().invoke(cli, ["--lang", "fa", "analyze", "network", "--data", str(LAYERS), "--layer", "membership"])
    assert fa.exit_code == 0 and "لایهٔ عضویت" in fa.output


def test_examples_file_is_where_the_article_networks_live():
    """members-of-network's default (UCLG) is the article's node, which instances.ttl's memberships use."""
    assert "cdr:UCLG a cdo:CityNetwork" in examples_file().read_text(encoding="utf-8")
    assert {r["name"] for r in _answer("members-of-network", data=INSTANCES)} == {"Tehran", "Isfahan", "Shiraz"}
