"""`citydip import climactor`: counts recomputed here from the raw ClimActor file, the mapping of its
dataset names, reconciliation, idempotence, bad rows and the membership shapes.

The shared file is read from ../shared/data (never copied); the full import runs once per module.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter, defaultdict
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from citydiplomacy.cli import cli
from citydiplomacy.core.resources import examples_file, package_data_file
from citydiplomacy.core.store import open_store
from citydiplomacy.services.importing import climactor as ca

pytestmark = pytest.mark.shared_data

CDO = "https://w3id.org/citydiplomacy/ontology#"
CDR = "https://w3id.org/citydiplomacy/resource/"
ORG = "http://www.w3.org/ns/org#"
DOCS = Path(__file__).resolve().parent.parent / "docs" / "import.md"
HEADER = (
    '"name","iso","entity_type","country","area","num_commit","lat","lng","population",'
    '"population_year","state","admin_1","initiatives_committed","region"\n'
)


def raw_rows(path: Path) -> list[dict[str, str]]:
    """The file read here on its own (bad bytes replaced): the reference the import is compared with."""
    text = path.read_bytes().decode("utf-8", errors="replace")
    return list(csv.DictReader(io.StringIO(text)))


def raw_names(cell: str) -> list[str]:
    return [] if cell.strip() == "NA" else [p.strip() for p in re.split(r"[;,]", cell) if p.strip()]


def mapping() -> dict[str, dict[str, str]]:
    with open(package_data_file("climactor-initiatives.csv"), newline="", encoding="utf-8") as handle:
        return {row["dataset_name"]: row for row in csv.DictReader(handle)}


def network_iri(row: dict[str, str]) -> str:
    net = row["network"]
    return CDR + net[4:] if net.startswith("cdr:") else CDR + "network/" + net


def select(store, query: str):
    return list(store.query(query, use_default_graph_as_union=True))


@pytest.fixture(scope="module")
def climactor_file(shared_data) -> Path:
    return shared_data / "climactor-hsu2020" / "subnational_contextuals_database_Dec2022.csv"


@pytest.fixture(scope="module")
def imported(shared_data, climactor_file, tmp_path_factory):
    """A store with the three twinning files and then the ClimActor file, the report, and both outputs."""
    base = tmp_path_factory.mktemp("climactor")
    store_path, report = base / "kg", base / "report.csv"
    p190 = [
        shared_data / "wikidata-p190-ursino2021" / "query.csv",
        shared_data / "wikidata-p190-ursino2021" / "sister_cities.gexf",
        shared_data / "wikidata-p190-l3viathan2016" / "relations.tsv",
    ]
    first = CliRunner().invoke(cli, ["--store", str(store_path), "import", *map(str, p190), str(climactor_file)])
    assert first.exit_code == 0, first.output
    triples = _data_triples(store_path)
    again = CliRunner().invoke(
        cli, ["--store", str(store_path), "import", "climactor", str(climactor_file), "--report", str(report)]
    )
    assert again.exit_code == 0, again.output
    with open(report, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return {"store": store_path, "first": first.output, "again": again.output, "triples": triples, "report": rows}


def _data_triples(store_path: Path) -> int:
    store = open_store(store_path)
    try:
        return len(store)
    finally:
        del store


def test_every_dataset_name_is_mapped_and_every_mapping_row_is_used(climactor_file):
    in_file = {name for row in raw_rows(climactor_file) for name in raw_names(row["initiatives_committed"])}
    assert in_file == set(mapping()), in_file ^ set(mapping())
    assert len(raw_rows(climactor_file)) == 14706


def test_mapping_is_consistent_and_uses_the_articles_nodes():
    table = mapping()
    by_network: dict[str, set] = defaultdict(set)
    for row in table.values():
        assert row["kind"] in ca.KINDS
        if row["kind"] in ca.IMPORTED_KINDS:
            by_network[row["network"]].add((row["kind"], row["label_en"], row["label_fa"], row["wikidata"]))
            assert row["label_en"] and row["label_fa"], row
        year = re.search(r"(?<=[A-Za-z])(19|20)\d\d$", row["dataset_name"])  # not "Deadline 2020"
        if row["kind"] in ca.IMPORTED_KINDS and year:
            assert row["year"] == year.group(0), row
    assert {k: v for k, v in by_network.items() if len(v) != 1} == {}
    examples = ox.Store()
    examples.load(path=str(examples_file()), format=ox.RdfFormat.TURTLE)
    for net in {row["network"] for row in table.values() if row["network"].startswith("cdr:")}:
        node = ox.NamedNode(CDR + net[4:])
        assert any(examples.quads_for_pattern(node, None, ox.NamedNode(CDO + "CityNetwork"))), net


def test_docs_show_the_mapping_table():
    """docs/import.md holds one table row per dataset name, as the packaged file has it."""
    text = DOCS.read_text(encoding="utf-8")
    for row in mapping().values():
        line = (
            f"| `{row['dataset_name']}` | {row['network'] or '-'} | {row['kind']} | "
            f"{row['label_en'] or '-'} | {row['year'] or '-'} |"
        )
        assert line in text, line


def test_counts_recomputed_from_the_raw_file(imported, climactor_file):
    """Actors, links and networks after the mapping, from the file, against what the store holds."""
    table = mapping()
    report = {int(row["line"]): row for row in imported["report"]}
    assert len(report) == 14706
    links, networks, actors, regions = set(), set(), set(), set()
    for line, row in enumerate(raw_rows(climactor_file), 2):
        wanted = {
            (network_iri(table[n]), table[n]["year"])
            for n in raw_names(row["initiatives_committed"])
            if table[n]["kind"] in ca.IMPORTED_KINDS
        }
        outcome = report[line]["outcome"]
        assert (outcome != "not imported") == bool(wanted), (line, outcome)
        if not wanted:
            continue
        member = report[line]["IRI"]
        assert (outcome == "region") == (row["entity_type"] == "Region"), (line, outcome)
        actors.add(member)
        if outcome == "region":
            regions.add(member)
        links |= {(member, net, year) for net, year in wanted}
        networks |= {net for net, _ in wanted}
    store = open_store(imported["store"])
    stored = {
        (r["m"].value, r["n"].value, r["y"].value if r["y"] else "")
        for r in select(
            store,
            f"""
        SELECT ?m ?n ?y {{ ?x a <{CDO}CityNetworkMembership> ; <{ORG}member> ?m ; <{ORG}organization> ?n ;
                          <http://www.w3.org/ns/prov#wasDerivedFrom> ?s OPTIONAL {{ ?x <{CDO}observationYear> ?y }} }}""",
        )
    }
    assert stored == links
    assert {n for _, n, _ in stored} == networks and len(networks) == 41
    assert {m for m, _, _ in stored} == actors
    typed = {r["r"].value for r in select(store, f"SELECT ?r {{ ?r a <{CDO}NonCentralGovernment> }}")}
    cities = {r["r"].value for r in select(store, f"SELECT ?r {{ ?r a <{CDO}City> }}")}
    assert regions and regions <= typed and not regions & cities  # regions are never cities
    assert actors - regions <= cities
    summary = f"{len(links)} memberships of {len(actors)} actors in {len(networks)} networks and initiatives"
    assert summary in imported["first"] and "Hsu" in imported["first"]


def test_import_is_idempotent_and_reports_every_row(imported):
    assert _data_triples(imported["store"]) == imported["triples"]
    assert "0 triples added" in imported["again"]
    outcomes = Counter(row["outcome"] for row in imported["report"])
    assert set(outcomes) <= {"matched", "created", "ambiguous", "region", "not imported", "skipped"}
    assert outcomes["matched"] > 1000 and outcomes["ambiguous"] > 0 and outcomes["region"] > 100
    for row in imported["report"]:
        if row["outcome"] == "matched":
            assert re.fullmatch(re.escape(CDR) + r"city/Q\d+", row["IRI"]), row
        if row["outcome"] in ("created", "ambiguous"):
            assert row["IRI"].startswith(CDR + "city/climactor-"), row
        if row["outcome"] == "ambiguous":
            assert row["candidates"].count(" | ") >= 1, row


def test_the_line_not_in_utf8_is_read_and_reported(imported):
    fujikawa = [row for row in imported["report"] if row["name"] == "Fujikawa"]
    assert fujikawa and "not UTF-8" in fujikawa[0]["note"] and fujikawa[0]["line"] == "4555"


def test_matched_cities_lie_where_the_file_says(imported):
    """Compared distances stay within the largest radius the rule allows, and most are a few km."""
    distances = sorted(
        float(row["distance km"]) for row in imported["report"] if row["outcome"] == "matched" and row["distance km"]
    )
    assert len(distances) > 1000
    assert distances[-1] <= ca.radius_km(40_000_000)
    assert distances[len(distances) // 2] < 5


def test_imported_memberships_conform_and_a_broken_one_is_reported(imported, tmp_path):
    from citydiplomacy.services.validation import fast

    store = open_store(imported["store"])
    found = fast.validate_store(store)
    del store
    violations = [r for r in found.results if str(r.severity).endswith("Violation")]
    assert violations == []
    broken = tmp_path / "membership.ttl"
    broken.write_text(
        f"""
        <{CDR}membership/x> a <{CDO}CityNetworkMembership> ; <{ORG}member> <{CDR}country/italy> ;
            <{ORG}organization> <{CDR}network/global-covenant-of-mayors> ; <{CDO}observationYear> 1800 .
        <{CDR}country/italy> a <{CDO}Country> .
        <{CDR}network/global-covenant-of-mayors> a <{CDO}CityNetwork> .
        """,
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["validate", str(broken)])
    assert result.exit_code == 1, result.output
    assert "ObservationYearMinShape" in result.output and "MemberClassShape" in result.output


def _write(tmp_path: Path, body: str, raw: bytes = b"") -> Path:
    path = tmp_path / "climactor.csv"
    path.write_bytes((HEADER + body).encode("utf-8") + raw)
    return path


def test_bad_rows_are_skipped_with_their_line_and_good_rows_imported(tmp_path):
    path = _write(
        tmp_path,
        '"Isfahan","IRN","City","Iran",NA,1,32.65,51.67,1961260,2016,NA,NA,"GCoM2022;;C40Cities2022","MENA"\n'
        '"Short","IRN","City"\n'
        'NA,"IRN","City","Iran",NA,1,32.65,51.67,1,2016,NA,NA,"GCoM2022","MENA"\n'
        '"Nowhere","XX1","City","Iran",NA,1,32.65,51.67,1,2016,NA,NA,"GCoM2022","MENA"\n'
        '"Tabriz","IRN","City","Iran",NA,1,999,51.67,-4,2016,NA,NA,"GCoM2022;Mystery2030","MENA"\n'
        '"Fars","IRN","Region","Iran",NA,1,29.6,52.5,4851274,2016,NA,NA,"Under2Coalition2022;CDPCities2022","MENA"\n',
        b'"Kish\xca","IRN","City","Iran",NA,1,26.5,54.0,40000,2016,NA,NA,"NAZCA","MENA"\n',
    )
    report = tmp_path / "out" / "report.csv"
    result = CliRunner().invoke(cli, ["import", str(path), "--report", str(report)])  # detected by its header
    assert result.exit_code == 0, result.output
    kinds: dict[int, set[str]] = defaultdict(set)
    for _file, line, kind, _message in list(csv.reader(io.StringIO(report.read_text(encoding="utf-8"))))[1:]:
        kinds[int(line)].add(kind)
    assert kinds[3] == {"wrong number of fields"} and kinds[4] == {"missing name"} and kinds[5] == {"bad country code"}
    assert kinds[6] == {"bad coordinates", "bad population", "unknown initiative"} and kinds[8] == {"not UTF-8"}
    again = CliRunner().invoke(cli, ["import", "climactor", str(path), "--report", str(report)])
    assert again.exit_code == 0 and "0 triples added" in again.output
    by_line = {int(r["line"]): r for r in csv.DictReader(io.StringIO(report.read_text(encoding="utf-8")))}
    assert by_line[2]["outcome"] == "created" and by_line[2]["memberships"] == "2"
    assert by_line[7]["outcome"] == "region" and by_line[7]["IRI"] == CDR + "region/climactor-irn-fars"
    assert by_line[8]["outcome"] == "not imported"  # NAZCA is a reporting platform
    store = open_store()
    year = select(store, f"SELECT (MAX(?y) AS ?n) {{ ?m <{CDO}observationYear> ?y }}")[0]["n"]
    assert year.value == "2022" and year.datatype == ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")


def test_the_library_imports_it_among_other_files_or_alone(tmp_path):
    from citydiplomacy.graph import KnowledgeGraph

    path = _write(tmp_path, '"Yazd","IRN","City","Iran",NA,1,31.9,54.37,529673,2016,NA,NA,"GCoM2022","MENA"\n')
    kg = KnowledgeGraph(tmp_path / "kg")
    outcome = kg.import_files([path])
    assert outcome.climactor[0].memberships == 1 and outcome.triples_added == outcome.climactor[0].triples_added > 0
    assert kg.import_climactor(path).triples_added == 0


def test_a_wrong_header_is_one_line_and_exit_2(tmp_path):
    path = tmp_path / "climactor.csv"
    path.write_text(HEADER.replace('"region"', '"continent"') + "x\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["import", "climactor", str(path)])
    assert result.exit_code == 2
    assert "expected the ClimActor header" in result.output and "Traceback" not in result.output
    nul = _write(tmp_path, '"Ya\0zd","IRN","City","Iran",NA,1,31.9,54.37,5,2016,NA,NA,"GCoM2022","MENA"\n')
    result = CliRunner().invoke(cli, ["import", "climactor", str(nul)])
    assert result.exit_code == 2 and "climactor.csv:2: holds a NUL byte" in result.output


def test_reconciliation_rule(tmp_path):
    """Same name and country within the radius: matched; too far: created; two that pass: ambiguous;
    a city with neither country nor point is never matched on its name alone."""
    store = ox.Store()
    g = ox.NamedNode("urn:g")

    def city(key, label, country=None, point=None, population=None):
        node = ox.NamedNode(CDR + "city/" + key)
        quads = [
            ox.Quad(
                node, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), ox.NamedNode(CDO + "City"), g
            ),
            ox.Quad(node, ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"), ox.Literal(label), g),
        ]
        if country:
            quads.append(ox.Quad(node, ox.NamedNode(CDO + "country"), ox.NamedNode(CDR + "country/" + country), g))
        if point:
            geometry = ox.NamedNode(node.value + "/geometry")
            quads += [
                ox.Quad(node, ox.NamedNode("http://www.opengis.net/ont/geosparql#hasGeometry"), geometry, g),
                ox.Quad(
                    geometry,
                    ox.NamedNode("http://www.opengis.net/ont/geosparql#asWKT"),
                    ox.Literal(f"POINT({point[0]} {point[1]})"),
                    g,
                ),
            ]
        if population:
            quads.append(ox.Quad(node, ox.NamedNode(CDO + "population"), ox.Literal(str(population)), g))
        store.extend(quads)

    city("Q1", "Zürich", "switzerland", (8.54, 47.37), 400000)
    city("Q2", "Springfield", "united-states", (-89.65, 39.8))
    city("Q3", "Springfield", "united-states", (-89.60, 39.78))
    city("Q4", "Lonely")
    city("Q5", "Far", "france", (2.35, 48.85))
    reconciler = ca.Reconciler(store)

    def row(name, iso, lon, lat, population=None):
        return ca.ActorRow(2, name, iso, False, "", (lon, lat), population, ["GCoM2022"])

    assert reconciler.resolve(row("ZURICH", "CHE", 8.55, 47.38), "own").iri == CDR + "city/Q1"
    assert reconciler.resolve(row("Zurich", "AUT", 8.55, 47.38), "own").outcome == "created"  # other country
    assert reconciler.resolve(row("Springfield", "USA", -89.62, 39.79), "own").outcome == "ambiguous"
    assert reconciler.resolve(row("Lonely", "FRA", 0, 0), "own").outcome == "created"
    assert reconciler.resolve(row("Far", "FRA", 5.37, 43.3), "own").outcome == "created"  # 660 km away
    assert ca.radius_km(0) == ca.BASE_KM and ca.radius_km(10**6) == pytest.approx(30.0)


def test_a_fifo_is_refused_in_one_line_without_reading_it(tmp_path):
    """The project's one file guard, not a read that would block on a named pipe."""
    import os

    fifo = tmp_path / "climactor.csv"
    os.mkfifo(fifo)
    result = CliRunner().invoke(cli, ["--store", str(tmp_path / "kg"), "import", "climactor", str(fifo)])
    assert result.exit_code == 2, result.output
    assert "is a FIFO (named pipe), not a regular file" in result.output
    assert "Traceback" not in result.output
