"""Hostile SERVICE clauses in `citydip query run` (issue 10, finding 3a).

A small threaded HTTP server on 127.0.0.1 counts the requests it gets. By default no query
may reach it; with --allow-service exactly one request per run; a server that never answers
or fails ends the command with exit 2 (never 3, never a hang) and leaves the store usable.
Runs that could hang go through a subprocess with a timeout.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from citydiplomacy.cli import cli
from httpservers import loopback_servers, reply

REPO = Path(__file__).resolve().parent.parent
INSTANCES = str(REPO / "tests" / "data" / "query" / "instances.ttl")
SPARQL = "/sparql"  # the SERVICE endpoint's path on the loopback server
SELECT_ONE = b'{"head":{"vars":["x"]},"results":{"bindings":[{"x":{"type":"literal","value":"from-service"}}]}}'


class ServiceEndpoint:
    """What the SERVICE endpoint answers, by path: /hang waits until released (at teardown, or
    20 s), /fail is a 500 with control characters, /redirect points at 127.0.0.2, anything else
    one row. The server records the requests."""

    def __init__(self):
        self.release = threading.Event()
        self.port = 0  # known once the server has started

    def __call__(self, handler, _count):
        if handler.path.startswith("/hang"):
            self.release.wait(20)  # bounded: the test releases it at teardown
        elif handler.path.startswith("/fail"):
            reply(handler, 500, b"boom \x1b[31m secret-payload", {"Content-Type": "text/plain"})
        elif handler.path.startswith("/redirect"):
            reply(handler, 302, b"", {"Location": f"http://127.0.0.2:{self.port}/sparql"})
        else:
            reply(handler, 200, SELECT_ONE, {"Content-Type": "application/sparql-results+json"})


@pytest.fixture()
def server():
    """A loopback server in the role of a SERVICE endpoint: ``url(path)``, ``port``, ``requests``."""
    endpoint = ServiceEndpoint()
    with loopback_servers() as start:
        srv = start(endpoint)
        endpoint.port = srv.port
        try:
            yield srv
        finally:
            endpoint.release.set()


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory) -> str:
    """One embedded store for the module (creating one costs about a second)."""
    return str(tmp_path_factory.mktemp("service-store") / "kg")


def invoke(store: str, *args: str):
    return CliRunner().invoke(cli, ["--store", store, "query", "run", *args])


def invoke_on_data(*args: str):
    """In-process runs that fail inside the query use an in-memory store (--data): the test
    runner keeps the traceback of a failure, and with it the embedded store, until the next
    garbage collection; a real process ends and frees it (see the subprocess test below)."""
    return CliRunner().invoke(cli, ["query", "run", "--data", INSTANCES, *args])


def citydip(store: str, *args: str, limit: float = 30) -> subprocess.CompletedProcess:
    """The real command in its own process, killed after *limit* seconds so nothing can hang."""
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    return subprocess.run(
        [sys.executable, "-m", "citydiplomacy", "--store", store, "query", "run", *args],
        capture_output=True, text=True, timeout=limit, env=env, cwd=REPO,
    )


def variants(url: str) -> dict[str, str]:
    """Every way a query can carry a SERVICE: case, SILENT, nested, in CONSTRUCT and ASK, prefixed."""
    return {
        "plain": f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        "lowercase": f"select * where {{ service <{url}> {{ ?s ?p ?o }} }}",
        "silent": f"SELECT * WHERE {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}",
        "optional": f"SELECT * WHERE {{ ?a ?b ?c OPTIONAL {{ SERVICE <{url}> {{ ?a ?p ?o }} }} }} LIMIT 1",
        "subquery": f"SELECT * WHERE {{ {{ SELECT ?s WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }} }}",
        "union": f"SELECT * WHERE {{ {{ ?s ?p ?o }} UNION {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }} LIMIT 1",
        "construct": f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        "ask": f"ASK {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        "prefixed": f"PREFIX remote: <{url.rsplit('/', 1)[0]}/> SELECT * WHERE {{ SERVICE remote:sparql {{ ?s ?p ?o }} }}",
        "relative": f"BASE <{url.rsplit('/', 1)[0]}/> SELECT * WHERE {{ SERVICE <sparql> {{ ?s ?p ?o }} }}",
    }


# ------------------------------------------------------------------ refused by default


@pytest.mark.parametrize("variant", list(variants("http://x/sparql")))
def test_service_is_refused_before_anything_runs(variant, server, store_dir):
    query = variants(server.url(SPARQL))[variant]
    result = invoke(store_dir, "--text", query)
    assert result.exit_code == 2, result.output
    assert server.requests == []
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: --text: calls SERVICE")
    assert f"<{server.url(SPARQL)}>" in lines[0] and "--allow-service" in lines[0]


def test_service_in_a_query_file_and_with_data_is_refused(server, store_dir, tmp_path):
    path = tmp_path / "remote.rq"
    path.write_text(f"# a file that looks harmless\nSELECT * WHERE {{ SERVICE <{server.url(SPARQL)}> {{ ?s ?p ?o }} }}\n")
    for args in ([str(path)], [str(path), "--data", INSTANCES]):
        result = invoke(store_dir, *args)
        assert result.exit_code == 2 and str(path) in result.output and server.url(SPARQL) in result.output
    assert server.requests == []


def test_service_with_endpoint_is_refused_before_sending(server, store_dir):
    """--endpoint: the same rule, checked before anything is sent to the endpoint."""
    query = f"SELECT * WHERE {{ SERVICE <http://127.0.0.2:{server.port}/other> {{ ?s ?p ?o }} }}"
    result = invoke(store_dir, "--text", query, "--endpoint", server.url(SPARQL))
    assert result.exit_code == 2 and "--allow-service" in result.output
    assert server.requests == []


def test_service_with_endpoint_and_allow_service_is_the_servers_business(server, store_dir):
    """Allowed: the query goes to the endpoint once, as written; we never call the SERVICE ourselves."""
    other = f"http://127.0.0.2:{server.port}/other"
    query = f"SELECT ?x WHERE {{ SERVICE <{other}> {{ ?x ?p ?o }} }}"
    result = invoke(store_dir, "--allow-service", "--text", query, "--endpoint", server.url(SPARQL), "--format", "csv")
    assert result.exit_code == 0, result.output
    assert [r["headers"]["host"] for r in server.requests] == [f"127.0.0.1:{server.port}"]


def test_comments_and_strings_that_mention_service_are_not_refused(server, store_dir):
    query = (
        f"# SERVICE <{server.url(SPARQL)}> {{ }}\n"
        f'SELECT ?note WHERE {{ BIND("SERVICE <{server.url(SPARQL)}> {{ ?s ?p ?o }}" AS ?note) }}'
    )
    result = invoke(store_dir, "--text", query, "--format", "csv")
    assert result.exit_code == 0, result.output
    assert "SERVICE <" in result.stdout
    assert server.requests == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("SELECT * WHERE { ?svc a ?t . SERVICE ?svc { ?s ?p ?o } }", "SERVICE ?svc"),
        ("SELECT * WHERE { SERVICE <file:///etc/passwd> { ?s ?p ?o } }", "only http and https"),
        ("SELECT * WHERE { SERVICE nope:x { ?s ?p ?o } }", "undeclared prefix"),
    ],
)
def test_services_never_called_even_when_allowed(query, expected, store_dir):
    """SERVICE ?var would call addresses from the data; other schemes are not endpoints."""
    result = invoke(store_dir, "--allow-service", "--text", query)
    assert result.exit_code == 2, result.output
    assert expected in result.output and len(result.output.strip().splitlines()) == 1


def test_the_password_of_a_service_iri_is_never_printed(server, store_dir):
    url = f"http://reader:hunter2@127.0.0.1:{server.port}/fail"
    refused = invoke(store_dir, "--text", f"SELECT * {{ SERVICE <{url}> {{ ?s ?p ?o }} }}")
    assert refused.exit_code == 2 and "hunter2" not in refused.output and "***@127.0.0.1" in refused.output
    failed = invoke_on_data("--allow-service", "--text", f"SELECT * {{ SERVICE <{url}> {{ ?s ?p ?o }} }}")
    assert failed.exit_code == 2 and "hunter2" not in failed.output
    assert len(failed.output.strip().splitlines()) == 1
    assert server.requests == []  # pyoxigraph refuses user:password in an HTTP URL: nothing is sent


# ------------------------------------------------------------------ syntax check without running


def test_syntax_check_never_runs_the_query(server, store_dir):
    """Before: check_query ran the query on an empty store, so a SERVICE was called twice per run."""
    query = f"SELECT ?x WHERE {{ SERVICE <{server.url(SPARQL)}> {{ ?x ?p ?o }} }}"
    result = invoke(store_dir, "--allow-service", "--text", query, "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout.split() == ["x", "from-service"]
    assert len(server.requests) == 1
    result = invoke(store_dir, "--allow-service", "--text", variants(server.url(SPARQL))["ask"])
    assert result.exit_code == 0 and len(server.requests) == 2


def test_syntax_errors_name_line_and_column(store_dir):
    result = invoke(store_dir, "--text", "SELECT ?x\nWHERE { ?x ?p }")
    assert result.exit_code == 2
    assert "not a valid SPARQL 1.1 query at line 2" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_deep_nesting_is_a_clear_error_not_a_crash(store_dir):
    """Before: pyoxigraph's parser overflowed the stack near 3000 levels (segmentation fault)."""
    query = "SELECT * WHERE " + "{ " * 5000 + "}" * 5000
    result = citydip(store_dir, "--text", query, limit=60)
    assert result.returncode == 2, result.stderr[-300:]
    assert result.stderr.startswith("Error: --text: the query is nested too deeply")
    assert len(result.stderr.strip().splitlines()) == 1


def test_reasonable_nesting_still_parses(store_dir):
    query = "SELECT * WHERE " + "{ " * 100 + "?s ?p ?o " + "}" * 100 + " LIMIT 1"
    result = invoke(store_dir, "--text", query, "--format", "csv")
    assert result.exit_code == 0, result.output


# ------------------------------------------------------------------ with --allow-service


def test_allowed_service_is_called_once_and_only_there(server, store_dir):
    """A redirect to another host is not followed: only the address in the query is contacted."""
    for name in ("plain", "silent", "construct", "optional", "prefixed"):
        before = len(server.requests)
        result = invoke(store_dir, "--allow-service", "--text", variants(server.url(SPARQL))[name])
        assert result.exit_code == 0, (name, result.output)
        assert len(server.requests) == before + 1, name
    before = len(server.requests)
    redirected = invoke_on_data("--allow-service", "--text", variants(server.url("/redirect"))["plain"])
    assert redirected.exit_code == 2 and len(redirected.output.strip().splitlines()) == 1
    assert [r["headers"]["host"] for r in server.requests[before:]] == [f"127.0.0.1:{server.port}"]


def test_failing_service_is_exit_2_in_one_line(server):
    """HTTP 500 was exit 3 (the syntax check ran it); the server's payload is not echoed."""
    result = invoke_on_data("--allow-service", "--text", variants(server.url("/fail"))["plain"])
    assert result.exit_code == 2, result.output
    line = result.output.strip()
    assert len(line.splitlines()) == 1 and "SERVICE <" in line and "500" in line
    assert "secret-payload" not in line and "\x1b" not in line
    assert len(server.requests) == 1


def test_failure_reasons_are_one_printable_line_without_password():
    from citydiplomacy.services.querying.local import _one_line

    reason = _one_line("Error 500 \x1b[2J returned by http://u:pa@ss@127.0.0.1:1/x with payload:\nsecret-payload")
    assert reason == "Error 500 ?[2J returned by http://***@127.0.0.1:1/x with payload:"


def test_refused_connection_is_exit_2_and_silent_answers_without_it(store_dir):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}/sparql"
    failed = invoke_on_data("--allow-service", "--text", variants(closed)["plain"])
    assert failed.exit_code == 2 and "Connection refused" in failed.output and closed in failed.output
    silent = invoke(store_dir, "--allow-service", "--text", variants(closed)["silent"], "--format", "json")
    assert silent.exit_code == 0, silent.output
    assert json.loads(silent.stdout)["results"]["bindings"] == [{}]  # SILENT: one empty solution


def test_silent_failing_service_answers_per_sparql(server, store_dir):
    result = invoke(store_dir, "--allow-service", "--text", variants(server.url("/fail"))["silent"], "--format", "csv")
    assert result.exit_code == 0, result.output
    assert len(server.requests) == 1


def test_service_that_never_answers_ends_within_the_timeout(server, store_dir):
    query = variants(server.url("/hang"))["plain"]
    started = time.monotonic()
    result = citydip(store_dir, "--allow-service", "--timeout", "2", "--text", query, limit=30)
    elapsed = time.monotonic() - started
    assert result.returncode == 2, result.stderr
    assert elapsed < 2 + 8, elapsed  # the timeout plus the interpreter's start
    assert "no answer within 2 s" in result.stderr and server.url("/hang") in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    # The lock is free: the next command on the same store works at once.
    after = citydip(store_dir, "--text", "ASK { ?s ?p ?o }", limit=30)
    assert after.returncode == 0, after.stderr
    assert "true" in after.stdout.lower()


SHAPES_WITH_SERVICE = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <https://example.org/> .
ex:RemoteShape a sh:NodeShape ;
    sh:targetClass <https://w3id.org/citydiplomacy/ontology#City> ;
    sh:sparql [ sh:message "checked elsewhere" ;
        sh:select \"\"\"SELECT $this WHERE {{ {keyword} <{url}> {{ $this ?p ?o }} }}\"\"\" ] .
"""


@pytest.mark.parametrize("keyword", ["SERVICE", "service silent"])
def test_validate_shapes_calling_service_are_refused_and_nothing_is_fetched(server, tmp_path, keyword):
    """The sibling of query run's SERVICE in `validate --shapes`: a user's SHACL-SPARQL constraint."""
    shapes = tmp_path / "remote-shapes.ttl"
    shapes.write_text(SHAPES_WITH_SERVICE.format(keyword=keyword, url=server.url(SPARQL)), encoding="utf-8")
    for engine in ("fast", "pyshacl"):
        result = CliRunner().invoke(cli, ["validate", INSTANCES, "--shapes", str(shapes), "--engine", engine])
        assert result.exit_code == 2, result.output
        assert "calls SERVICE" in result.output and str(shapes) in result.output
    assert server.requests == []


def test_validate_shapes_mentioning_service_in_a_comment_still_run(tmp_path):
    shapes = tmp_path / "commented.ttl"
    text = SHAPES_WITH_SERVICE.format(keyword="# SERVICE", url="http://127.0.0.1:9/x")
    shapes.write_text(text.replace("{ # SERVICE <http://127.0.0.1:9/x> {", "{ # SERVICE\n {"), encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", INSTANCES, "--shapes", str(shapes)])
    assert result.exit_code in (0, 1), result.output
