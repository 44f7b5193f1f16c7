"""Every competency question against its expected answer (queries/expected/NAME.tsv).

Article questions run on the bundled graph (ontology + examples); data questions on it plus
tests/data/query/instances.ttl, whose made-up agreements were designed so that each answer
can be checked by hand. Results are compared as unordered multisets of normalised terms
(numbers by value, language tags case-insensitively, xsd:string = plain literal), which is
also how test_virtuoso.py compares the server's answers with these.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyoxigraph
import pytest
from click.testing import CliRunner

from citydiplomacy.cli import cli
from citydiplomacy.services.querying import catalog

REPO = Path(__file__).resolve().parent.parent
INSTANCES = REPO / "tests" / "data" / "query" / "instances.ttl"
EXPECTED = REPO / "queries" / "expected"
XSD = "http://www.w3.org/2001/XMLSchema#"
NUMERIC = {XSD + t for t in ("integer", "int", "long", "short", "decimal", "double", "float", "nonNegativeInteger",
                             "positiveInteger", "unsignedInt", "unsignedLong")}
QUESTIONS = catalog.bundled()
NAMES = [q.name for q in QUESTIONS]


@pytest.fixture(scope="module")
def _store_dir(tmp_path_factory):
    return str(tmp_path_factory.mktemp("answers-store") / "kg")


@pytest.fixture(autouse=True)
def _shared_store(_store_dir, monkeypatch):
    """One embedded store per module (creating one costs about a second); these tests only read it."""
    monkeypatch.setenv("CITYDIP_STORE", _store_dir)


def norm_term(term):
    """A comparable form of a term (pyoxigraph term or SPARQL JSON binding dict)."""
    if isinstance(term, dict):
        kind = term["type"]
        if kind == "uri":
            return ("iri", term["value"])
        if kind == "bnode":
            return ("bnode",)
        lang = term.get("xml:lang")
        datatype = term.get("datatype")
        value = term["value"]
    elif isinstance(term, pyoxigraph.NamedNode):
        return ("iri", term.value)
    elif isinstance(term, pyoxigraph.BlankNode):
        return ("bnode",)
    else:
        lang, value = term.language, term.value
        datatype = None if lang else term.datatype.value
    if lang:
        return ("lit", value, lang.lower())
    if datatype == XSD + "boolean":
        return ("bool", value.strip() in ("1", "true"))
    if datatype in NUMERIC:
        try:
            return ("num", Decimal(value).normalize())
        except InvalidOperation:
            return ("lit", value, datatype)
    if datatype in (None, XSD + "string"):
        return ("lit", value, "")
    return ("lit", value, datatype)


def norm_rows(variables, rows) -> Counter:
    return Counter(
        tuple((v, norm_term(row[v])) for v in variables if row.get(v) is not None) for row in rows
    )


def json_answer(text: str):
    """(kind, variables, Counter of rows) from SPARQL JSON results text."""
    data = json.loads(text)
    if "boolean" in data:
        return ("ask", [], data["boolean"])
    variables = data["head"]["vars"]
    return ("select", sorted(variables), norm_rows(sorted(variables), data["results"]["bindings"]))


def expected_answer(name: str):
    path = EXPECTED / f"{name}.tsv"
    result = pyoxigraph.parse_query_results(path=str(path), format=pyoxigraph.QueryResultsFormat.TSV)
    if isinstance(result, pyoxigraph.QueryBoolean):
        return ("ask", [], bool(result))
    variables = sorted(v.value for v in result.variables)
    rows = [{v: s[v] for v in variables if s[v] is not None} for s in result]
    return ("select", variables, norm_rows(variables, rows))


def data_args(question) -> list[str]:
    return ["--data", str(INSTANCES)] if question.scope == "data" else []


def run_json(args: list[str]) -> str:
    result = CliRunner().invoke(cli, ["query", "run", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_at_least_25_questions_covering_article_and_data():
    assert len(QUESTIONS) >= 25
    scopes = Counter(q.scope for q in QUESTIONS)
    assert scopes["article"] >= 12 and scopes["data"] >= 7


@pytest.mark.parametrize("question", QUESTIONS, ids=NAMES)
def test_header_is_complete(question):
    assert question.title and question.question, "title and question are required"
    assert re.search(r"[\u0600-\u06FF]", question.question_fa), "question-fa must be Persian"
    assert (EXPECTED / f"{question.name}.tsv").is_file(), "each question needs an expected answer"
    for param in question.params:
        assert param.default is not None, "bundled questions run with their defaults"


@pytest.mark.parametrize("question", QUESTIONS, ids=NAMES)
def test_answer_matches_expected(question):
    got = json_answer(run_json([question.name, *data_args(question)]))
    assert got == expected_answer(question.name)


PARAM_CASES = [
    ("agreements-in-force", ["year=2005"], {"test-a1", "test-a2", "test-a3", "test-a4", "test-a5", "test-a8"}),
    ("agreements-in-force", ["year=1995"], {"test-a1"}),
    ("partners-of-city", ["city=تهران"], {"test-a1", "test-a2", "test-a6"}),
    ("partners-of-city", ["city=isfahan"], {"test-a3", "test-a4", "test-a5", "test-a8"}),
    ("partners-of-city", ["city=Atlantis"], set()),
]


@pytest.mark.parametrize(("name", "params", "agreements"), PARAM_CASES)
def test_parameters_change_the_answer(name, params, agreements):
    args = [name, "--data", str(INSTANCES)]
    for p in params:
        args += ["--param", p]
    data = json.loads(run_json(args))
    found = {b["agreement"]["value"].rsplit("/", 1)[1] for b in data["results"]["bindings"]}
    assert found == agreements


def test_integer_parameter_in_having():
    data = json.loads(run_json(["most-twinned-cities", "--data", str(INSTANCES), "--param", "min=4"]))
    assert [b["name"]["value"] for b in data["results"]["bindings"]] == ["Isfahan"]
