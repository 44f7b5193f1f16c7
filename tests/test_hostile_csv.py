"""Issue 10, slice csv: hostile spreadsheets for ``citydip import csv`` and CSV reports.

Findings 1 (example cities merged by IRI arithmetic), 7 (formula injection into reports),
8 (exit 3 on bad encodings and delimiters) and 10 (Arabic-Indic digits read as Solar Hijri,
provenance for a header-only file).
"""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from citydiplomacy.cli import cli
from citydiplomacy.core.csvsafe import csv_text, safe_cell
from citydiplomacy.services.importing.dates import parse_date
from citydiplomacy.services.importing.writer import agreement_between, city_key, city_of_key
from citydiplomacy.core.store import open_store

CDO = "https://w3id.org/citydiplomacy/ontology#"
CDR = "https://w3id.org/citydiplomacy/resource/"
CITY = CDR + "city/"
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
PARTNER = ox.NamedNode(CDO + "partner")
XSD = "http://www.w3.org/2001/XMLSchema#"
HEADER = "City,Country,Partner,Partner country\n"
OPTIONS = ["--city-a", "City", "--country-a", "Country", "--city-b", "Partner", "--country-b", "Partner country"]


def run(*args):
    return CliRunner().invoke(cli, ["import", "csv", *map(str, args)])


def agreements_of(store, city: str) -> dict[str, set[str]]:
    """Every agreement with *city* as a partner -> the set of its partners."""
    found = {q.subject.value for q in store.quads_for_pattern(None, PARTNER, ox.NamedNode(city), None)}
    return {a: {q.object.value for q in store.quads_for_pattern(ox.NamedNode(a), PARTNER, None, None)} for a in found}


# --- finding 1: cities of the article's examples (Paris, Dubai, Los Angeles: cdr:city/Q90, Q612, Q65) ---


def test_example_cities_get_their_own_agreements_with_the_right_partners(tmp_path):
    sheet = tmp_path / "isfahan.csv"
    sheet.write_text(
        HEADER + "Isfahan,Iran,Paris,France\nIsfahan,Iran,Dubai,United Arab Emirates\nIsfahan,Iran,Los Angeles,United States\n",
        encoding="utf-8",
    )
    result = run(sheet, *OPTIONS)
    assert result.exit_code == 0, result.output
    store = open_store()
    isfahan = CITY + "isfahan--iran"
    assert sorted(map(sorted, agreements_of(store, isfahan).values())) == sorted(
        sorted([isfahan, CITY + qid]) for qid in ("Q90", "Q612", "Q65")  # Paris, Dubai, Los Angeles
    )
    assert len(agreements_of(store, CITY + "Q90")) == 1
    del store
    report = CliRunner().invoke(cli, ["validate", "--format", "json"])
    violations = [r for r in json.loads(report.output)["results"] if r["severity"] == "Violation"]
    assert violations == [], violations
    assert run(sheet, *OPTIONS).exit_code == 0  # idempotent: the same agreements again
    assert len(agreements_of(open_store(), isfahan)) == 3


@settings(max_examples=200, deadline=None)
@given(local=st.text(min_size=0, max_size=30), base=st.sampled_from([CITY, CDR, "http://example.org/", ""]))
def test_city_keys_are_injective_and_lead_back(local, base):
    iri = base + local
    key = city_key(iri)
    assert city_of_key(key) == iri and "_" not in key


@pytest.mark.parametrize(
    "iri_a, iri_b, expected",
    [
        (CITY + "Q84", CITY + "Q72", "twinning/Q72-Q84"),  # today's QID form
        (CITY + "isfahan--iran", CITY + "Q191076", "twinning/Q191076_isfahan--iran"),  # today's slug form
        (CITY + "isfahan--iran", CDR + "Paris", "twinning/isfahan--iran_~Paris"),
        (CITY + "isfahan--iran", CDR + "Dubai", "twinning/isfahan--iran_~Dubai"),
    ],
)
def test_agreement_iris(iri_a, iri_b, expected):
    assert agreement_between(iri_a, iri_b).value == CDR + expected


# --- finding 7: formula injection ---

FORMULAS = ['=HYPERLINK("http://evil.example/x","click")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3", "\tTAB", "\r=1"]


@pytest.mark.parametrize("cell", FORMULAS)
def test_formula_cells_are_neutralised(cell):
    assert safe_cell(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["-0.35", "+12", "1e-3", "-.5", "Paris", "", 7, -3.5, None])
def test_numbers_and_plain_text_are_kept(cell):
    assert safe_cell(cell) == cell


def test_report_neutralises_formulas_and_labels_stay_as_typed(tmp_path):
    evil_city, evil_country, evil_partner = FORMULAS[0], FORMULAS[1], FORMULAS[2]
    sheet = tmp_path / "evil.csv"
    with open(sheet, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([HEADER.strip().split(","), [evil_city, evil_country, evil_partner, "-Nowhere"]])
    report = tmp_path / "report.csv"
    result = run(sheet, *OPTIONS, "--report", report)
    assert result.exit_code == 0, result.output
    with open(report, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    cells = [cell for row in rows for cell in row]
    assert "'" + evil_city in cells and "'" + evil_country in cells and "'" + evil_partner in cells and "'-Nowhere" in cells
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@")]
    labels = {q.object.value for q in open_store().quads_for_pattern(None, RDFS_LABEL, None, None)}
    assert {evil_city, evil_country, evil_partner, "-Nowhere"} <= labels


def test_analysis_csv_neutralises_labels(tmp_path):
    sheet = tmp_path / "evil.csv"
    sheet.write_text(HEADER + "=1+2,Iran,Kerman,Iran\n", encoding="utf-8")
    assert run(sheet, *OPTIONS).exit_code == 0
    out = tmp_path / "net.csv"
    result = CliRunner().invoke(cli, ["analyze", "network", "--out", str(out)])
    assert result.exit_code == 0, result.output
    with open(tmp_path / "net-cities.csv", newline="", encoding="utf-8") as handle:
        labels = [row["label"] for row in csv.DictReader(handle)]
    assert "'=1+2" in labels and "=1+2" not in labels


def test_csv_text_quotes_and_neutralises():
    text = csv_text(["a", "b"], [['=cmd|"x"', "-0.35"]])
    assert text == 'a,b\n"\'=cmd|""x""",-0.35\n'


# --- finding 8: encodings and delimiters are the user's mistake (exit 2, one line), not ours ---


def one_error_line(result) -> str:
    assert result.exit_code == 2, (result.exit_code, result.output)
    assert "Traceback" not in result.output and "internal error" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    return lines[0]


def test_utf16_file(tmp_path):
    sheet = tmp_path / "utf16.csv"
    sheet.write_bytes((HEADER + "Isfahan,Iran,Paris,France\n").encode("utf-16"))
    line = one_error_line(run(sheet, *OPTIONS))
    assert "utf16.csv" in line and "UTF-16" in line and "UTF-8" in line


def test_utf16_without_bom_is_a_nul_byte(tmp_path):
    sheet = tmp_path / "utf16le.csv"
    sheet.write_bytes((HEADER + "Isfahan,Iran,Paris,France\n").encode("utf-16-le"))
    line = one_error_line(run(sheet, *OPTIONS))
    assert "utf16le.csv:1:" in line and "NUL" in line


@pytest.mark.parametrize("latin_line", [3, 400])  # inside and after the 8 KiB the delimiter is sniffed from
def test_mixed_utf8_and_latin1_names_the_line(tmp_path, latin_line):
    sheet = tmp_path / "mixed.csv"
    lines = [HEADER.encode()] + [f"Shiraz{i},Iran,Chengdu,China\n".encode() for i in range(2, 500)]
    lines[1] = "Zürich,Switzerland,Isfahan,Iran\n".encode("utf-8")
    lines[latin_line - 1] = "Zürich,Schweiz,Mashhad,Iran\n".encode("latin-1")
    sheet.write_bytes(b"".join(lines))
    line = one_error_line(run(sheet, *OPTIONS))
    assert f"mixed.csv:{latin_line}:" in line and "UTF-8" in line and "0xFC" in line
    assert not Path(os.environ["CITYDIP_STORE"]).exists()  # refused before the store was opened


def test_nul_byte_names_the_line(tmp_path):
    sheet = tmp_path / "nul.csv"
    sheet.write_bytes(HEADER.encode() + b"Isfahan,Iran,Paris,France\nIsf\x00ahan,Iran,Dubai,United Arab Emirates\n")
    line = one_error_line(run(sheet, *OPTIONS))
    assert "nul.csv:3:" in line and "NUL" in line


@pytest.mark.parametrize("delimiter", [";;", "", '"'])
def test_bad_delimiter(tmp_path, delimiter):
    sheet = tmp_path / "semi.csv"
    sheet.write_text(HEADER.replace(",", ";") + "Isfahan;Iran;Paris;France\n", encoding="utf-8")
    if delimiter == "":
        assert run(sheet, *OPTIONS, "--delimiter", delimiter).exit_code == 0  # empty = sniff
        return
    line = one_error_line(run(sheet, *OPTIONS, "--delimiter", delimiter))
    assert f"--delimiter {delimiter!r}" in line and "one character" in line


@pytest.mark.parametrize("delimiter", ["TAB", "\\t", "\t"])
def test_tab_delimiter(tmp_path, delimiter):
    sheet = tmp_path / "tabs.tsv"
    sheet.write_text(HEADER.replace(",", "\t") + "Isfahan\tIran\tParis\tFrance\n", encoding="utf-8")
    result = run(sheet, *OPTIONS, "--delimiter", delimiter)
    assert result.exit_code == 0, result.output
    assert agreements_of(open_store(), CITY + "Q90")  # the article's Paris


def test_empty_file(tmp_path):
    sheet = tmp_path / "empty.csv"
    sheet.write_bytes(b"")
    line = one_error_line(run(sheet, *OPTIONS))
    assert "empty.csv" in line and "empty" in line


# --- finding 10: digits in another script, header-only files ---


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("٢٠٢٠-٠١-٠١", ("2020-01-01", XSD + "date")),  # Arabic-Indic digits, Gregorian year
        ("٢٠٢٠", ("2020", XSD + "gYear")),
        ("۲۰۲۰/۰۱/۰۱", ("2020-01-01", XSD + "date")),  # Persian digits, Gregorian year
        ("۱۳۹۹-۰۱-۰۱", ("2020-03-20", XSD + "date")),  # Persian digits, Solar Hijri year
        ("١٣٩٩-٠١-٠١", ("2020-03-20", XSD + "date")),  # Arabic-Indic digits, Solar Hijri year
        ("1399-01-01", ("2020-03-20", XSD + "date")),
        ("1499", ("2120", XSD + "gYear")),
        ("1500", ("1500", XSD + "gYear")),
    ],
)
def test_the_year_decides_the_calendar_not_the_digits(raw, expected):
    assert parse_date(raw) == expected


def test_arabic_indic_start_date_is_stored_as_gregorian(tmp_path):
    sheet = tmp_path / "dates.csv"
    sheet.write_text(HEADER.strip() + ",Signed\nIsfahan,Iran,Paris,France,٢٠٢٠-٠١-٠١\n", encoding="utf-8")
    assert run(sheet, *OPTIONS, "--start", "Signed").exit_code == 0
    dates = {q.object for q in open_store().quads_for_pattern(None, ox.NamedNode(CDO + "startDate"), None, None)}
    assert ox.Literal("2020-01-01", datatype=ox.NamedNode(XSD + "date")) in dates
    assert not [d for d in dates if d.value.startswith("2641")]


@pytest.mark.parametrize(
    "body, why",
    [("", "no data rows"), ("Mashhad,Iran,Mashhad,Iran\n,Iran,Lyon,France\n", "all 2 rows were skipped")],
)
def test_nothing_to_import_adds_nothing(tmp_path, body, why):
    sheet = tmp_path / "nothing.csv"
    sheet.write_text(HEADER + body, encoding="utf-8")
    store = open_store()
    before = set(store)
    del store
    result = run(sheet, *OPTIONS)
    assert result.exit_code == 0, result.output
    assert "nothing added to the store" in result.output and why in result.output
    assert set(open_store()) == before
