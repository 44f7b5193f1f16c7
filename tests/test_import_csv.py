"""`citydip import csv`: reconciliation, Solar Hijri dates, bad rows, the report."""

from __future__ import annotations

import csv
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from citydiplomacy.cli import cli
from citydiplomacy.services.importing.dates import DateError, parse_date
from citydiplomacy.core.store import open_store

DATA = Path(__file__).parent / "data" / "import"
CDO = "https://w3id.org/citydiplomacy/ontology#"
CITY = "https://w3id.org/citydiplomacy/resource/city/"
XSD = "http://www.w3.org/2001/XMLSchema#"
OPTIONS = ["--city-a", "City", "--country-a", "Country", "--city-b", "Partner", "--country-b", "Partner country"]


def run(*args):
    return CliRunner().invoke(cli, ["import", "csv", *map(str, args)])


def read_report(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize(
    "raw, calendar, expected",
    [
        ("2000-05-04", "auto", ("2000-05-04", XSD + "date")),
        ("1998", "auto", ("1998", XSD + "gYear")),
        ("1399", "auto", ("2020", XSD + "gYear")),  # 1 Farvardin 1399 = 20 March 2020
        ("۱۳۹۹", "auto", ("2020", XSD + "gYear")),  # Persian digits
        ("1399-10-01", "auto", ("2020-12-21", XSD + "date")),
        ("۱۳۹۹/۱۰/۰۱", "auto", ("2020-12-21", XSD + "date")),
        ("1380/7/1", "auto", ("2001-09-23", XSD + "date")),
        ("1399", "gregorian", ("1399", XSD + "gYear")),
        ("2020", "jalali", ("2641", XSD + "gYear")),
    ],
)
def test_dates(raw, calendar, expected):
    assert parse_date(raw, calendar) == expected


@pytest.mark.parametrize("raw", ["not a date", "1399-13-01", "2021-02-30", "04/05/2000", ""])
def test_bad_dates(raw):
    with pytest.raises(DateError):
        parse_date(raw)


def test_spreadsheet_import_and_report(tmp_path):
    report = tmp_path / "report.csv"
    result = run(DATA / "twinnings.csv", *OPTIONS, "--start", "Signed", "--end", "Ended", "--qid-a", "QID A", "--report", report)
    assert result.exit_code == 0, result.output
    # malformed rows are reported with their line numbers, not dropped silently
    for line, reason in [(6, "bad date"), (7, "missing city name"), (8, "self-twinning"), (11, "wrong number of fields")]:
        assert f"twinnings.csv:{line}: skipped: {reason}" in result.output
    rows = read_report(report)
    assert {r["outcome"] for r in rows} >= {"created", "matched", "skipped"}
    # 'isfahan, IRAN' on line 3 matches the Isfahan created on line 2 (case-insensitive)
    line3 = [r for r in rows if r["row"] == "3" and r["side"] == "a"][0]
    assert line3["outcome"] == "matched" and line3["chosen IRI"] == CITY + "isfahan--iran"
    store = open_store()
    agreement = ox.NamedNode("https://w3id.org/citydiplomacy/resource/twinning/isfahan--iran_kuala-lumpur--malaysia")
    start = {q.object for q in store.quads_for_pattern(agreement, ox.NamedNode(CDO + "startDate"), None, None)}
    assert start == {ox.Literal("1997", datatype=ox.NamedNode(XSD + "gYear"))}  # ۱۳۷۶ SH
    ended = ox.NamedNode("https://w3id.org/citydiplomacy/resource/twinning/freiburg-im-breisgau--germany_isfahan--iran")
    assert {q.object for q in store.quads_for_pattern(ended, ox.NamedNode(CDO + "status"), None, None)} == {
        ox.NamedNode(CDO + "StatusEnded")
    }
    by_qid = ox.NamedNode("https://w3id.org/citydiplomacy/resource/twinning/Q191076_bukhara--uzbekistan")
    assert any(store.quads_for_pattern(by_qid, None, None, None))
    # the summary: 11 rows, 6 new agreements, 1 merged (line 12 repeats line 2), 4 skipped
    assert "│ 11   │ 6        │ 1      │ 4 " in result.output
    # idempotent
    before = len(store)
    del store
    again = run(DATA / "twinnings.csv", *OPTIONS, "--start", "Signed", "--end", "Ended", "--qid-a", "QID A")
    assert again.exit_code == 0, again.output
    assert len(open_store()) == before


def test_reconciles_against_wikidata_cities_and_reports_ambiguity(shared_data, tmp_path):
    gexf = shared_data / "wikidata-p190-ursino2021" / "sister_cities.gexf"
    assert CliRunner().invoke(cli, ["import", str(gexf)]).exit_code == 0
    sheet = tmp_path / "sheet.csv"
    sheet.write_text(
        "City,Country,Partner,Partner country\n"
        "london,united kingdom,ZURICH,Switzerland\n"
        "Atlantis,Nowhere,Berlin,Germany\n",
        encoding="utf-8",
    )
    report = tmp_path / "report.csv"
    result = run(sheet, *OPTIONS, "--report", report)
    assert result.exit_code == 0, result.output
    rows = {(r["row"], r["side"]): r for r in read_report(report)}
    assert rows[("2", "a")]["chosen IRI"] == CITY + "Q84" and rows[("2", "a")]["outcome"] == "matched"
    assert rows[("2", "b")]["chosen IRI"] == CITY + "Q72"  # Zürich, accent-insensitive
    assert rows[("3", "a")]["outcome"] == "created"
    assert rows[("3", "b")]["chosen IRI"] == CITY + "Q64"
    store = open_store()
    assert any(store.quads_for_pattern(ox.NamedNode("https://w3id.org/citydiplomacy/resource/twinning/Q72-Q84"), None, None, None))

    # two cities with the same name and country -> ambiguous, candidates listed, row skipped
    del store
    twins = tmp_path / "twins.csv"
    twins.write_text("City,Country,Partner,Partner country\nSpringfield,Utopia,Berlin,Germany\n", encoding="utf-8")
    store = open_store()
    for qid in ("Q900001", "Q900002"):
        city = ox.NamedNode(CITY + qid)
        store.add(ox.Quad(city, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), ox.NamedNode(CDO + "City"), ox.NamedNode("https://w3id.org/citydiplomacy/graph/data/test")))
        store.add(ox.Quad(city, ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"), ox.Literal("Springfield", language="en"), ox.NamedNode("https://w3id.org/citydiplomacy/graph/data/test")))
        store.add(ox.Quad(city, ox.NamedNode(CDO + "country"), ox.NamedNode("https://w3id.org/citydiplomacy/resource/country/utopia"), ox.NamedNode("https://w3id.org/citydiplomacy/graph/data/test")))
    store.flush()
    del store
    result = run(twins, *OPTIONS, "--report", report)
    assert result.exit_code == 0, result.output
    assert "ambiguous city" in result.output
    row = [r for r in read_report(report) if r["side"] == "a"][0]
    assert row["outcome"] == "ambiguous" and "Q900001" in row["candidates"] and "Q900002" in row["candidates"]


def test_unknown_column_lists_the_columns():
    result = run(DATA / "twinnings.csv", "--city-a", "Town", "--country-a", "Country", "--city-b", "Partner", "--country-b", "Partner country")
    assert result.exit_code == 2
    assert "'Town'" in result.output and "'Partner country'" in result.output and "Traceback" not in result.output


def test_missing_file_is_bad_input(tmp_path):
    result = run(tmp_path / "nope.csv", *OPTIONS)
    assert result.exit_code == 2 and "no such file" in result.output
