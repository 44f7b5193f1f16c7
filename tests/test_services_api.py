"""The services of validate, query, load and info, called from Python as a script would: no click.

The commands are tested through the CLI elsewhere; here the same jobs run with plain
arguments and give plain results (a Report, an Answer, a LoadResult, a dict).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from citydiplomacy.core.errors import CitydipError
from citydiplomacy.core.store import open_store
from citydiplomacy.services.info import ontology_summary
from citydiplomacy.services.querying import ask
from citydiplomacy.services.querying.answering import prepare, question_of
from citydiplomacy.services.querying.load import check_target, load_to_server
from citydiplomacy.services.validation import lint_ontology, validate_files, validate_store
from httpservers import loopback_servers, reply

DATA = Path(__file__).parent / "data"
SRC = Path(__file__).resolve().parent.parent / "src"


def keys(report):
    return sorted((str(r.focus_node), str(r.path), str(r.source_shape), str(r.severity)) for r in report.results)


def test_importing_the_services_loads_neither_click_nor_the_cli():
    code = (
        "import sys\n"
        "import citydiplomacy.services.validation, citydiplomacy.services.querying\n"
        "import citydiplomacy.services.querying.load, citydiplomacy.services.info\n"
        "print(sorted(m for m in sys.modules if m == 'click' or m.startswith('citydiplomacy.cli')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": str(SRC), "PATH": ""})
    assert out.stdout.strip() == "[]"


def test_validate_files_gives_a_report_and_both_engines_agree():
    path = str(DATA / "invalid" / "activity-date-missing.ttl")
    notes = []
    fast = validate_files([path], on_note=notes.append)
    reference = validate_files([path], engine="pyshacl")
    assert fast.results and keys(fast) == keys(reference)
    assert notes == []
    owl_rl = validate_files([path], inference="owlrl", on_note=notes.append)
    assert keys(owl_rl) and len(notes) == 1 and "pyshacl" in notes[0]


def test_validate_store_and_a_bad_engine(tmp_path):
    store = open_store(str(tmp_path / "kg"))
    report = validate_store(store)
    assert not report.fails("violation") and report.triples > 0
    with pytest.raises(CitydipError, match="unknown engine"):
        validate_store(store, engine="quick")


def test_lint_ontology_on_the_packaged_ontology():
    report = lint_ontology()
    assert report.conforms, [r.message for r in report.results]


def test_ask_a_bundled_question_and_sparql_text(tmp_path):
    store = open_store(str(tmp_path / "kg"))
    answer = ask(store, "partners-of-city", {"city": "Tehran"})
    assert answer.form == "select" and "partner" in answer.variables
    count = ask(store, "PREFIX cdo: <https://w3id.org/citydiplomacy/ontology#>\n"
                       "SELECT (COUNT(*) AS ?n) WHERE { ?c a cdo:City }")
    assert int(count.rows[0]["n"].value) > 0
    assert ask(store, "ASK { ?s ?p ?o }").boolean is True


def test_question_of_and_prepare_refuse_what_the_command_refuses():
    assert question_of("partners-of-city").name == "partners-of-city"
    assert question_of("SELECT * WHERE { ?s ?p ?o }").text.startswith("SELECT")
    with pytest.raises(CitydipError, match="no question named"):
        question_of("no-such-question")
    with pytest.raises(CitydipError, match="SERVICE"):
        prepare(question_of("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"))
    with pytest.raises(CitydipError, match="NAME=VALUE"):
        prepare(question_of("partners-of-city"), ["city"])


def test_ontology_summary_is_a_plain_dict():
    summary = ontology_summary()
    assert summary["classes"] > 0 and set(summary["labels_per_language"]) >= {"en", "fa"}


@pytest.fixture
def graph_store():
    """A Graph Store that accepts everything; yields its URL and the server (its requests)."""
    with loopback_servers() as start:
        server = start(lambda handler, _count: reply(handler, 204))
        yield server.url("/store"), server


def test_load_to_server_reports_what_it_sent(graph_store, tmp_path):
    url, server = graph_store
    store = open_store(str(tmp_path / "kg"), read_only=True)
    steps = []

    from contextlib import contextmanager

    @contextmanager
    def progress(description, total=None):
        steps.append(("start", total))
        yield lambda n=1: steps.append(("advance", n))

    result = load_to_server(store, url, graph="http://example.org/g", replace=True, chunk_size=1000, progress=progress)
    assert list(result.sent) == ["http://example.org/g"] and result.triples > 1000
    assert result.requests == len(server.requests) >= 2 and result.held == {}
    methods = [request["method"] for request in server.requests]
    assert methods[0] == "PUT" and set(methods[1:]) == {"POST"}
    assert steps[0] == ("start", result.triples)
    assert sum(n for kind, n in steps if kind == "advance") == result.triples
    with pytest.raises(CitydipError, match="not an IRI"):
        check_target(url, graph="not an iri")
