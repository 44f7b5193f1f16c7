"""One CLI grammar (issue 12): -o/--output FILE and --out-dir DIR everywhere (old names still
accepted, hidden from --help), parents created, --store and --lang before or after the
command name, Persian labels and titles with --lang fa, prefixed names in tables."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from citydiplomacy.cli import cli

REPO = Path(__file__).resolve().parent.parent
INSTANCES = REPO / "tests" / "data" / "query" / "instances.ttl"
SELECT_ONE = "SELECT * WHERE { ?s ?p ?o } LIMIT 1"


def invoke(*args, **kwargs):
    return CliRunner().invoke(cli, [str(a) for a in args], **kwargs)


@pytest.fixture(autouse=True)
def _own_store(tmp_path, monkeypatch):
    monkeypatch.setenv("CITYDIP_STORE", str(tmp_path / "default-store"))
    monkeypatch.delenv("CITYDIP_LANG", raising=False)


@pytest.mark.parametrize("name", ["-o", "--output", "--out"])
def test_export_output_under_every_name_creates_parents(tmp_path, name):
    target = tmp_path / "a" / "b" / "ontology.ttl"
    result = invoke("export", "--format", "ttl", name, target)
    assert result.exit_code == 0, result.output
    assert target.stat().st_size > 1000


@pytest.mark.parametrize("name", ["-o", "--output", "--out"])
def test_reason_output_under_every_name(tmp_path, name):
    pytest.importorskip("owlrl")
    target = tmp_path / "deep" / "inferred.ttl"
    result = invoke("reason", "--reasoner", "owlrl", "--no-imported", name, target)
    assert result.exit_code == 0, result.output
    assert target.is_file()


@pytest.mark.parametrize(("file_name", "dir_name"), [("-o", "--out-dir"), ("--out", "--plot")])
def test_analyze_output_and_out_dir_under_both_names(tmp_path, file_name, dir_name):
    pytest.importorskip("networkx")
    pytest.importorskip("matplotlib")
    csv = tmp_path / "new" / "folder" / "net.csv"
    plots = tmp_path / "plots" / "here"
    result = invoke("analyze", "network", "--data", INSTANCES, file_name, csv, dir_name, plots)
    assert result.exit_code == 0, result.output
    assert csv.is_file() and (csv.parent / "net-cities.csv").is_file()
    assert (plots / "degree-distribution.png").is_file()


@pytest.mark.parametrize("name", ["--out-dir", "--out"])
def test_docs_out_dir_under_both_names(tmp_path, name):
    pytest.importorskip("jinja2")
    target = tmp_path / "x" / "site"
    result = invoke("docs", "--engine", "builtin", "--lang", "en", name, target)
    assert result.exit_code == 0, result.output
    assert (target / "index.html").is_file()


def test_query_output_creates_parents(tmp_path):
    target = tmp_path / "answers" / "one.csv"
    result = invoke("query", "run", "--text", SELECT_ONE, "--format", "csv", "-o", target)
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8").splitlines()[0] in ("s,p,o", "o,p,s")


@pytest.mark.parametrize(("command", "shown", "hidden"), [
    (["export"], "-o, --output", "--out "),
    (["reason"], "-o, --output", "--out "),
    (["docs"], "--out-dir", "--out "),
    (["analyze", "network"], "--out-dir", "--plot"),
    (["analyze", "cityness"], "-o, --output", "--out "),
])
def test_help_shows_only_the_new_names(command, shown, hidden):
    result = invoke(*command, "--help")
    assert result.exit_code == 0, result.output
    assert shown in result.output
    assert hidden not in result.output


def test_store_after_the_command_name(tmp_path):
    """`citydip query run X --store S` reads S, as `citydip --store S query run X` does."""
    store = tmp_path / "after"
    args = ["query", "run", "--text", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "--format", "json"]
    after = invoke(*args, "--store", store)
    before = invoke("--store", store, *args)
    assert after.exit_code == before.exit_code == 0, after.output + before.output
    assert after.stdout == before.stdout
    assert store.is_dir()
    assert not (tmp_path / "default-store").exists()
    info = invoke("info", "--format", "json", "--store", store)
    assert json.loads(info.stdout)["store"]["path"] == str(store)


def test_command_store_wins_over_root_store(tmp_path):
    result = invoke("--store", tmp_path / "root", "info", "--format", "json", "--store", tmp_path / "cmd")
    assert json.loads(result.stdout)["store"]["path"] == str(tmp_path / "cmd")


def test_lang_fa_gives_persian_labels_in_a_table():
    result = invoke("query", "run", "twinnings-per-country-pair", "--data", INSTANCES, "--lang", "fa")
    assert result.exit_code == 0, result.output
    assert "ایران" in result.stdout and "Poland" in result.stdout  # no Persian name: English
    english = invoke("query", "run", "twinnings-per-country-pair", "--data", INSTANCES)
    assert "ایران" not in english.stdout and "Iran" in english.stdout


def test_lang_before_command_and_from_environment(monkeypatch):
    args = ["query", "run", "twinnings-per-country-pair", "--data", INSTANCES]
    assert "ایران" in invoke("--lang", "fa", *args).stdout
    monkeypatch.setenv("CITYDIP_LANG", "fa")
    assert "ایران" in invoke(*args).stdout
    assert "ایران" not in invoke(*args, "--lang", "en").stdout  # the command's value wins


def test_lang_fa_translates_titles_and_empty_notes():
    listed = invoke("--lang", "fa", "query", "list")
    assert listed.exit_code == 0 and "پرسش‌های شایستگی" in listed.stdout
    empty = invoke("query", "run", "partners-of-city", "--data", INSTANCES, "-p", "city=Atlantis", "--lang", "fa")
    assert empty.exit_code == 0, empty.output
    assert "Atlantis" in empty.stderr and "در گراف" in empty.stderr


def test_lang_fa_names_cities_in_analyze_tables():
    pytest.importorskip("networkx")
    result = invoke("analyze", "network", "--data", INSTANCES, "--lang", "fa")
    assert result.exit_code == 0, result.output
    assert "تهران" in result.stdout and "شبکهٔ خواهرخواندگی" in result.stdout


def test_prefixed_names_in_tables_full_iris_in_machine_formats():
    args = ["query", "run", "twinnings-per-country-pair", "--data", INSTANCES]
    table = invoke(*args)
    assert "cdr:country/iran" in table.stdout
    assert "<https://w3id.org/citydiplomacy/resource/" not in table.stdout
    for fmt in ("csv", "tsv", "json"):
        machine = invoke(*args, "--format", fmt)
        assert "https://w3id.org/citydiplomacy/resource/country/iran" in machine.stdout
        assert "cdr:country" not in machine.stdout


def test_lang_parameter_given_explicitly_wins():
    result = invoke("query", "run", "twinnings-per-country-pair", "--data", INSTANCES, "--lang", "fa",
                    "-p", "lang=en", "--format", "json")
    names = {b["nameA"]["value"] for b in json.loads(result.stdout)["results"]["bindings"]}
    assert "Iran" in names and "ایران" not in names
