"""Every competency question gives the same answer on a real Virtuoso as on the embedded store.

The session fixture (virtuoso_server.py) starts virtuoso-t with a fresh database; the graph is
pushed with `citydip load` through Virtuoso's Graph Store endpoint (digest auth, dba/dba) into
two graphs: the bundled graph alone (article questions) and with the test instance data (data
questions). Questions then run with `--endpoint .../sparql --default-graph G`.
"""

from __future__ import annotations

import json

import pyoxigraph
import pytest
import rdflib
from click.testing import CliRunner
from rdflib.compare import isomorphic

from citydiplomacy.cli import cli
from citydiplomacy.services.querying import catalog, load as load_module
from citydiplomacy.core.store import open_store
from test_query_answers import INSTANCES, _shared_store, _store_dir, expected_answer, json_answer  # noqa: F401
from virtuoso_server import virtuoso  # noqa: F401 - the session fixture

pytestmark = pytest.mark.virtuoso

ARTICLE_GRAPH = "https://w3id.org/citydiplomacy/graph/test-article"
DATA_GRAPH = "https://w3id.org/citydiplomacy/graph/test-data"
QUESTIONS = catalog.bundled()


def invoke(*args):
    return CliRunner().invoke(cli, list(args))


@pytest.fixture(scope="module")
def loaded(virtuoso, tmp_path_factory):  # noqa: F811
    """Push both graphs once; return (server, store path)."""
    store = str(tmp_path_factory.mktemp("virtuoso-store") / "kg")
    common = ["--store", store, "load", "--endpoint", virtuoso.sparql, "--graph-store", virtuoso.graph_store,
              "--user", virtuoso.user, "--password", virtuoso.password, "--replace", "--chunk-size", "400"]
    for graph, files in ((ARTICLE_GRAPH, []), (DATA_GRAPH, [str(INSTANCES)])):
        result = invoke(*common, "--graph", graph, *files)
        assert result.exit_code == 0, result.output
        assert "(the server now holds " in result.output
    return virtuoso, store


def remote(server, graph, *args):
    # A generous deadline: on a busy 2-core machine Virtuoso can take well over a minute (issue 12).
    result = invoke("query", "run", *args, "--endpoint", server.sparql, "--default-graph", graph, "--timeout", "600")
    return result


def server_count(server, graph) -> int:
    result = invoke("query", "run", "--text", f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}",
                    "--endpoint", server.sparql, "--format", "csv")
    assert result.exit_code == 0, result.output
    return int(result.stdout.split()[1])


def distinct_triples(store_path, files=(), graph="urn:g") -> int:
    store = open_store(store_path)
    targets = load_module.collect(store, tuple(files), graph)
    merged = pyoxigraph.Store()
    merged.extend(pyoxigraph.Quad(t.subject, t.predicate, t.object) for t in targets[graph])
    return len(merged)


def test_load_pushes_every_triple(loaded):
    server, store = loaded
    assert server_count(server, ARTICLE_GRAPH) == distinct_triples(store)
    assert server_count(server, DATA_GRAPH) == distinct_triples(store, [str(INSTANCES)])


def test_replace_does_not_duplicate(loaded):
    server, store = loaded
    before = server_count(server, DATA_GRAPH)
    result = invoke("--store", store, "load", "--endpoint", server.graph_store, "--user", "dba", "--password", "dba",
                    "--graph", DATA_GRAPH, "--replace", str(INSTANCES))
    assert result.exit_code == 0, result.output
    assert server_count(server, DATA_GRAPH) == before


@pytest.mark.parametrize("question", QUESTIONS, ids=[q.name for q in QUESTIONS])
def test_same_answer_on_virtuoso(loaded, question):
    server, _ = loaded
    graph, data = (DATA_GRAPH, ["--data", str(INSTANCES)]) if question.scope == "data" else (ARTICLE_GRAPH, [])
    on_server = remote(server, graph, question.name, "--format", "json")
    assert on_server.exit_code == 0, on_server.output
    embedded = invoke("query", "run", question.name, *data, "--format", "json")
    assert embedded.exit_code == 0, embedded.output
    assert json_answer(on_server.stdout) == json_answer(embedded.stdout) == expected_answer(question.name)


def test_parameters_on_virtuoso(loaded):
    server, _ = loaded
    result = remote(server, DATA_GRAPH, "agreements-in-force", "--param", "year=2005", "--format", "json")
    assert result.exit_code == 0, result.output
    local = invoke("query", "run", "agreements-in-force", "--data", str(INSTANCES), "--param", "year=2005", "--format", "json")
    assert json_answer(result.stdout) == json_answer(local.stdout)
    assert len(json.loads(result.stdout)["results"]["bindings"]) == 6


def test_country_names_in_persian_on_virtuoso(loaded):
    """--lang fa names countries in Persian where the graph can (else English), on the server too."""
    server, _ = loaded
    args = ["twinnings-per-country-pair", "--lang", "fa", "--format", "json"]
    result = remote(server, DATA_GRAPH, *args)
    assert result.exit_code == 0, result.output
    local = invoke("query", "run", *args, "--data", str(INSTANCES))
    assert json_answer(result.stdout) == json_answer(local.stdout)
    names = {b["nameA"]["value"] for b in json.loads(result.stdout)["results"]["bindings"]}
    assert names == {"Armenia", "ایران"}


def test_partner_names_in_persian_on_virtuoso(loaded):
    """partners-of-city with --lang fa: Persian names where the graph has them, on the server too."""
    server, _ = loaded
    args = ["partners-of-city", "--param", "city=Tehran", "--lang", "fa", "--format", "json"]
    result = remote(server, DATA_GRAPH, *args)
    assert result.exit_code == 0, result.output
    local = invoke("query", "run", *args, "--data", str(INSTANCES))
    assert json_answer(result.stdout) == json_answer(local.stdout)
    names = {b["partnerName"]["value"] for b in json.loads(result.stdout)["results"]["bindings"]}
    assert "مشهد" in names and "Mashhad" not in names


def test_injection_is_harmless_on_virtuoso(loaded):
    server, _ = loaded
    before = server_count(server, DATA_GRAPH)
    result = remote(server, DATA_GRAPH, "partners-of-city", "--param", 'city=Tehran" } ; DROP ALL ; #', "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["results"]["bindings"] == []
    assert server_count(server, DATA_GRAPH) == before > 0


def test_update_refused_before_virtuoso(loaded):
    server, _ = loaded
    before = server_count(server, ARTICLE_GRAPH)
    result = remote(server, ARTICLE_GRAPH, "--text", f"CLEAR GRAPH <{ARTICLE_GRAPH}>")
    assert result.exit_code == 2 and "read-only" in result.output
    assert server_count(server, ARTICLE_GRAPH) == before


def test_construct_same_graph_on_virtuoso(loaded):
    server, _ = loaded
    text = ("PREFIX cdo: <https://w3id.org/citydiplomacy/ontology#> "
            "CONSTRUCT { ?a cdo:partner ?p } WHERE { ?a a cdo:TwinningAgreement ; cdo:partner ?p }")
    on_server = remote(server, DATA_GRAPH, "--text", text, "--format", "turtle")
    embedded = invoke("query", "run", "--text", text, "--data", str(INSTANCES), "--format", "turtle")
    assert on_server.exit_code == 0 and embedded.exit_code == 0, on_server.output + embedded.output
    a = rdflib.Graph().parse(data=on_server.stdout, format="turtle")
    b = rdflib.Graph().parse(data=embedded.stdout, format="turtle")
    assert len(a) == 16 and isomorphic(a, b)


def test_ask_and_formats_on_virtuoso(loaded):
    server, _ = loaded
    ask = remote(server, DATA_GRAPH, "--text", "ASK { ?s ?p ?o }")
    assert ask.exit_code == 0 and ask.stdout.strip() == "true"
    tsv = remote(server, DATA_GRAPH, "agreements-by-status", "--format", "tsv")
    local = invoke("query", "run", "agreements-by-status", "--data", str(INSTANCES), "--format", "tsv")
    assert sorted(tsv.stdout.splitlines()) == sorted(local.stdout.splitlines())


def test_wrong_password_is_one_line(loaded):
    server, store = loaded
    result = invoke("--store", store, "load", "--endpoint", server.graph_store, "--user", "dba",
                    "--password", "not-the-password", "--graph", "urn:x:g")
    assert result.exit_code == 2 and "401" in result.output
    assert "not-the-password" not in result.output


def test_digest_protected_sparql_endpoint(loaded):
    server, _ = loaded
    endpoint = server.base + "/sparql-auth"
    ok = invoke("query", "run", "--text", "ASK { ?s ?p ?o }", "--endpoint", endpoint, "--auth", "digest",
                "--user", server.user, "--password", server.password)
    assert ok.exit_code == 0 and ok.stdout.strip() == "true", ok.output
    refused = invoke("query", "run", "--text", "ASK { ?s ?p ?o }", "--endpoint", endpoint, "--auth", "digest",
                     "--user", server.user, "--password", "wrong-secret")
    assert refused.exit_code == 2 and "401" in refused.output and "wrong-secret" not in refused.output
