"""Issue 12, honest empties: an empty answer says why; info describes the store; list shows parameters."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pyoxigraph
import pytest
from click.testing import CliRunner

from citydiplomacy.cli import cli
from citydiplomacy.core.errors import CitydipError
from citydiplomacy.services.querying import catalog, empties, local
from citydiplomacy.services.querying.answering import prepare

REPO = Path(__file__).resolve().parent.parent
INSTANCES = str(REPO / "tests" / "data" / "query" / "instances.ttl")
URSINO = REPO.parent / "shared" / "data" / "wikidata-p190-ursino2021" / "query.csv"
UNDATED = """@prefix cdo: <https://w3id.org/citydiplomacy/ontology#> .
@prefix city: <https://w3id.org/citydiplomacy/resource/city/> .
<urn:x:a1> a cdo:TwinningAgreement ; cdo:partner city:Q1 , city:Q2 ; cdo:status cdo:StatusActive .
<urn:x:a2> a cdo:TwinningAgreement ; cdo:partner city:Q1 , city:Q3 ; cdo:status cdo:StatusActive .
"""


def invoke(*args: str):
    return CliRunner(env={"COLUMNS": "200"}).invoke(cli, list(args))


@pytest.fixture(scope="module")
def undated(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("undated") / "undated.ttl"
    path.write_text(UNDATED, encoding="utf-8")
    return str(path)


# ------------------------------------------------------------------ a parameter that matches nothing


@pytest.mark.parametrize("fmt", [(), ("--format", "csv")])
def test_unknown_city_names_the_value_on_stderr_exit_0(fmt):
    result = invoke("query", "run", "partners-of-city", "-p", "city=Nowhereville", "--data", INSTANCES, *fmt)
    assert result.exit_code == 0, result.output
    assert "no city labelled 'Nowhereville' in the graph" in result.stderr
    assert "Nowhereville" not in result.stdout


def test_a_known_city_answers_without_a_note():
    result = invoke("query", "run", "partners-of-city", "-p", "city=تهران", "--data", INSTANCES)
    assert result.exit_code == 0, result.output
    assert "Kuala Lumpur" in result.stdout and result.stderr == ""


def test_a_known_city_without_answers_says_for_what():
    result = invoke("query", "run", "activities-by-dimension", "-p", "city=Kraków", "--data", INSTANCES)
    assert result.exit_code == 0, result.output
    assert "labelled" not in result.stderr
    assert "this city or its local government" in result.stderr  # the second need, bound to ?city


def test_unknown_iri_parameter_is_named():
    result = invoke("query", "run", "activities-of-dimension", "-p", "dimension=cdo:NoSuchDimension", "--data", INSTANCES)
    assert result.exit_code == 0, result.output
    assert "cdo:NoSuchDimension (--param dimension) does not occur in the graph" in result.stderr


# ------------------------------------------------------------------ data the store lacks


@pytest.mark.parametrize("name", ["agreements-in-force", "twinnings-per-decade"])
def test_undated_agreements_say_what_the_question_needs(name, undated):
    result = invoke("query", "run", name, "--data", undated)
    assert result.exit_code == 0, result.output
    assert re.search(
        r"\(no answers: this question needs twinning agreements with a start date \(cdo:startDate\); "
        r"the store has [\d,]+ agreements and none has one\)",
        result.stderr,
    ), result.stderr


def test_the_need_is_checked_only_when_the_answer_is_empty():
    result = invoke("query", "run", "agreements-in-force", "--data", INSTANCES)
    assert result.exit_code == 0 and "test-a1" in result.stdout and result.stderr == ""


def test_a_fresh_store_says_it_has_no_bids():
    result = invoke("query", "run", "mega-event-bids")
    assert result.exit_code == 0, result.output
    assert "needs bids to host mega-events (cdo:MegaEventBid)" in result.stderr
    assert "the store has none" in result.stderr


def test_an_empty_answer_with_nothing_missing_names_its_parameters():
    result = invoke("query", "run", "most-twinned-cities", "-p", "min=99", "--data", INSTANCES)
    assert result.exit_code == 0, result.output
    assert result.stderr.strip() == "(no answers for min='99')"


def test_persian_messages_with_persian_digits(undated):
    store = local.bundled_store([undated])
    note = empties.empty_note(store, prepare(catalog.resolve("agreements-in-force")), "fa")
    assert "این پرسش به توافق‌نامه‌های خواهرخواندگی" in note and "cdo:startDate" in note
    assert re.search(r"مخزن [۰-۹٬]+ توافق‌نامه دارد", note), note
    unknown = empties.empty_note(store, prepare(catalog.resolve("partners-of-city"), {"city": "ناکجاآباد"}), "fa")
    assert "«ناکجاآباد»" in unknown


def test_every_message_has_both_languages():
    for key, texts in empties.MESSAGES.items():
        assert set(texts) == set(empties.LANGUAGES), key


@pytest.mark.parametrize("question", catalog.bundled(), ids=lambda q: q.name)
def test_bundled_needs_parse_and_speak_both_languages(question):
    if question.scope == "data":
        assert question.needs, f"{question.name}: a data question declares what it needs"
    store = pyoxigraph.Store()
    bound = prepare(question).bound
    for need in question.needs:
        assert need.text_en and need.text_fa
        assert bool(need.count_en) == bool(need.count_fa) == bool(need.count_pattern)
        assert empties.unmet_need(store, need, bound, question.name)  # parses, runs, and says something


def test_needs_lines_are_checked(tmp_path):
    with pytest.raises(CitydipError, match=r"q:2: '# needs-en:' describes a '# needs:' line"):
        catalog.parse_question("# title: t\n# needs-en: dates\nSELECT * {}\n", "q")
    q = catalog.parse_question("# needs: ?a ?b ?c\n# needs-en: anything\n# needs-fa: هر چیز\nSELECT * {}\n", "q")
    assert [(n.pattern, n.text("en"), n.text("fa")) for n in q.needs] == [("?a ?b ?c", "anything", "هر چیز")]
    path = tmp_path / "bad.rq"
    path.write_text("# needs: ?a ?b\nSELECT * WHERE { ?s ?p ?o FILTER(false) }\n", encoding="utf-8")
    result = invoke("query", "run", str(path))
    assert result.exit_code == 2 and "'# needs:' pattern is not valid SPARQL" in result.output


# ------------------------------------------------------------------ list, --param hints


def test_query_list_shows_parameters():
    result = invoke("query", "list")
    assert result.exit_code == 0
    assert "parameters" in result.stdout
    assert "year (integer) = 2010" in result.stdout and "city (label) = Tehran" in result.stdout


def test_bad_param_says_its_hint_once():
    result = invoke("query", "run", "cities-in-several-networks", "--param", "min=abc")
    assert result.exit_code == 2
    assert "--param min='abc': not an integer; give one such as 2010" in result.output
    assert result.output.count("integer") == 1


# ------------------------------------------------------------------ info describes the store


def test_info_reports_a_missing_store_without_creating_it(tmp_path):
    where = tmp_path / "not-yet"
    result = invoke("--store", str(where), "info", "--format", "json")
    assert result.exit_code == 0, result.output
    store = json.loads(result.stdout)["store"]
    assert store["path"] == str(where) and "no store there yet" in store["problem"]
    assert not where.exists()


def test_info_says_what_the_store_holds(tmp_path):
    where = str(tmp_path / "kg")
    sample = tmp_path / "query.csv"
    sample.write_text("".join(URSINO.open(encoding="utf-8").readlines()[:21]), encoding="utf-8")
    assert invoke("--store", where, "import", str(sample)).exit_code == 0
    store = json.loads(invoke("--store", where, "info", "--format", "json").stdout)["store"]
    assert store["path"] == where and store["size_on_disk"] > 0
    assert set(store["graphs"]) >= {
        "https://w3id.org/citydiplomacy/graph/ontology",
        "https://w3id.org/citydiplomacy/graph/examples",
        "https://w3id.org/citydiplomacy/graph/data",
    }
    assert store["triples"] == sum(store["graphs"].values())
    assert 0 < store["agreements"] <= 20 and store["cities"] > store["agreements"] // 2
    assert [s["agreements"] for s in store["sources"]] == [store["agreements"]]
    table = invoke("--store", where, "info")
    assert table.exit_code == 0
    assert where in table.stdout and "twinning agreements" in table.stdout and "query.csv" in table.stdout
