"""`query run --endpoint` and `load` against a tiny local HTTP server: retries, errors, auth.

The server runs in a thread on 127.0.0.1 and answers from a script of responses, recording
each request, so retry/backoff, Retry-After, time-outs, credentials and the User-Agent are
observed on the wire.
"""

from __future__ import annotations

import base64
import json
import socket
import time
import urllib.parse

import pyoxigraph
import pytest
from click.testing import CliRunner
from urllib3.response import HTTPResponse

from citydiplomacy import __version__
from citydiplomacy.cli import cli
from citydiplomacy.core.http import retry_policy
from citydiplomacy.services.querying import load as load_module
from httpservers import loopback_servers, reply

SELECT_OK = json.dumps(
    {"head": {"vars": ["x", "n"]}, "results": {"bindings": [
        {"x": {"type": "bnode", "value": "nodeID://b10001"},
         "n": {"type": "typed-literal", "datatype": "http://www.w3.org/2001/XMLSchema#integer", "value": "7"}}]}}
).encode()


class Script:
    """Responses to give, in order (the last one repeats): (status, headers, payload, delay); a
    callable payload answers from the request's headers with (status, headers, payload)."""

    def __init__(self, *responses):
        self.responses = list(responses)

    def __call__(self, handler, _count):
        status, headers, payload, delay = self.responses.pop(0) if len(self.responses) > 1 else self.responses[0]
        if callable(payload):
            status, headers, payload = payload(handler.headers)
        if delay:
            time.sleep(delay)
        reply(handler, status, payload, headers)


@pytest.fixture
def server():
    """``server(*responses)`` -> (the endpoint's URL, the server with the requests it saw)."""
    with loopback_servers() as start:

        def start_one(*responses):
            script_server = start(Script(*responses))
            return script_server.url("/sparql"), script_server

        yield start_one


JSON_CT = {"Content-Type": "application/sparql-results+json"}
OK = (200, JSON_CT, SELECT_OK, 0)


def run(*args, env=None):
    return CliRunner().invoke(cli, ["query", "run", *args], env=env)


def posted_query(request) -> str:
    return urllib.parse.parse_qs(request["body"].decode())["query"][0]


def test_select_through_endpoint_with_user_agent(server):
    url, script = server(OK)
    result = run("--text", "SELECT ?x ?n WHERE { ?x ?p ?n }", "--endpoint", url, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["results"]["bindings"][0]["n"]["value"] == "7"  # 'typed-literal' and Virtuoso bnode ids accepted
    request = script.requests[0]
    assert request["method"] == "POST"
    assert request["headers"]["User-Agent"].startswith(f"citydip/{__version__}")
    assert "application/sparql-results+json" in request["headers"]["Accept"]


def test_retry_after_503_is_honoured(server):
    url, script = server((503, {"Retry-After": "1"}, b"busy", 0), OK)
    result = run("--text", "SELECT ?x ?n WHERE { ?x ?p ?n }", "--endpoint", url)
    assert result.exit_code == 0, result.output
    assert len(script.requests) == 2
    assert script.times[1] - script.times[0] >= 0.9


def test_429_then_success(server):
    url, script = server((429, {"Retry-After": "0"}, b"slow down", 0), (429, {}, b"slow down", 0), OK)
    result = run("--text", "SELECT ?x ?n WHERE { ?x ?p ?n }", "--endpoint", url)
    assert result.exit_code == 0, result.output
    assert len(script.requests) == 3
    assert script.times[2] - script.times[1] >= 0.9  # no Retry-After: backoff 1 s, then 2 s...


def test_retries_are_bounded(server):
    url, script = server((503, {"Retry-After": "0"}, b"down for maintenance", 0))
    result = run("--text", "ASK {}", "--endpoint", url, "--retries", "2")
    assert result.exit_code == 2
    assert len(script.requests) == 3
    assert "HTTP 503" in result.output and "after 3 tries" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_retry_policy_bounds():
    """The policy's urllib3 Retry: Retry-After honoured but capped, bounded backoff, junk ignored."""
    policy = retry_policy(3)
    assert policy.parse_retry_after("5") == 5
    assert policy.parse_retry_after("99999") == 30
    assert policy.parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0  # a date in the past
    assert policy.get_retry_after(HTTPResponse(b"", headers={"Retry-After": "soon"}, status=503)) is None  # backoff then
    for _ in range(3):
        policy = policy.increment("POST", "/sparql", response=HTTPResponse(b"", status=503))
    assert 0 < policy.get_backoff_time() <= 30
    assert policy.is_exhausted() is False and policy.is_retry("POST", 503) and not policy.is_retry("POST", 500)


@pytest.mark.parametrize(("status", "text"), [(500, "HTTP 500"), (400, "HTTP 400"), (404, "HTTP 404"), (502, "HTTP 502")])
def test_http_errors_are_one_line_exit_2(server, status, text):
    url, _ = server((status, {"Content-Type": "text/plain"}, b"Virtuoso 37000 Error SP030: syntax\nmore", 0))
    result = run("--text", "ASK {}", "--endpoint", url)
    assert result.exit_code == 2
    assert text in result.output and len(result.output.strip().splitlines()) == 1


def test_connection_refused():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = run("--text", "ASK {}", "--endpoint", f"http://127.0.0.1:{port}/sparql")
    assert result.exit_code == 2 and "connection refused" in result.output


def test_timeout(server):
    url, _ = server((200, JSON_CT, b'{"boolean": true}', 3))
    started = time.monotonic()
    result = run("--text", "ASK {}", "--endpoint", url, "--timeout", "1")
    assert result.exit_code == 2 and "timed out" in result.output
    assert time.monotonic() - started < 3


def test_bad_endpoint_url():
    result = run("--text", "ASK {}", "--endpoint", "ftp://example.org/sparql")
    assert result.exit_code == 2 and "http" in result.output


def test_credentials_from_environment_sent_never_printed(server):
    def needs_auth(headers):
        expected = "Basic " + base64.b64encode(b"reader:s3cret-pw").decode()
        if headers.get("Authorization") == expected:
            return 200, JSON_CT, b'{"boolean": true}'
        return 401, {"WWW-Authenticate": 'Basic realm="sparql"'}, b"no"

    url, script = server((0, {}, needs_auth, 0))
    ok = run("--text", "ASK {}", "--endpoint", url, env={"CITYDIP_USER": "reader", "CITYDIP_PASSWORD": "s3cret-pw"})
    assert ok.exit_code == 0, ok.output
    assert ok.stdout.strip() == "true"
    bad = run("--text", "ASK {}", "--endpoint", url, "--user", "reader", "--password", "wrong-pw")
    assert bad.exit_code == 2 and "401" in bad.output and "wrong-pw" not in bad.output
    userinfo = url.replace("http://", "http://reader:s3cret-pw@")
    hidden = run("--text", "ASK {}", "--endpoint", userinfo.replace("/sparql", "/missing"), "--retries", "0")
    assert "s3cret-pw" not in hidden.output


def test_parameters_travel_as_a_values_block(server):
    url, script = server(OK)
    injection = 'Tehran" } ; DROP ALL ; #'
    result = run("partners-of-city", "--endpoint", url, "--param", f"city={injection}")
    assert result.exit_code == 0, result.output
    sent = posted_query(script.requests[0])
    assert sent.count("VALUES (?city ?lang) {") == 1
    city = '"Tehran\\" } ; DROP ALL ; #"'
    assert f'({city} "en") ({city}@en "en") ({city}@fa "en")' in sent
    pyoxigraph.Store().query(sent)  # still one well-formed query, not an update


def test_update_never_reaches_the_server(server):
    url, script = server(OK)
    result = run("--text", "DROP ALL", "--endpoint", url)
    assert result.exit_code == 2 and "read-only" in result.output
    assert script.requests == []


def test_construct_through_endpoint(server):
    turtle = b"@prefix ex: <http://example.org/> .\nex:a ex:b _:b10002 .\n"
    url, script = server((200, {"Content-Type": "text/turtle; charset=UTF-8"}, turtle, 0))
    result = run("--text", "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "--endpoint", url, "--format", "ntriples")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("<http://example.org/a> <http://example.org/b> _:")
    assert "turtle" in script.requests[0]["headers"]["Accept"]


# ------------------------------------------------------------------ load (Graph Store Protocol)


def test_blank_node_groups_are_never_split():
    data = (
        "@prefix ex: <http://example.org/> .\n"
        "ex:a ex:p [ ex:q [ ex:r ex:b ] ; ex:s ( ex:c ex:d ) ] .\n"
        + "".join(f"ex:x{i} ex:p ex:y{i} .\n" for i in range(10))
    )
    triples = [q.triple for q in pyoxigraph.parse(data.encode(), format=pyoxigraph.RdfFormat.TURTLE)]
    chunks = load_module.chunks(triples, 3)
    assert sum(len(c) for c in chunks) == len(triples)
    owner = {}
    for index, chunk in enumerate(chunks):
        for t in chunk:
            for node in (t.subject, t.object):
                if isinstance(node, pyoxigraph.BlankNode):
                    assert owner.setdefault(node.value, index) == index


def test_load_puts_then_posts_chunks_with_basic_auth_challenge(server, tmp_path):
    def gsp(headers):
        if not headers.get("Authorization", "").startswith("Basic "):
            return 401, {"WWW-Authenticate": 'Basic realm="gsp"'}, b""
        return 204, {}, b""

    url, script = server((0, {}, gsp, 0))
    extra = tmp_path / "extra.nt"
    extra.write_text("<http://example.org/a> <http://example.org/b> \"c\" .\n", encoding="utf-8")
    result = CliRunner().invoke(
        cli,
        ["--store", str(tmp_path / "kg"), "load", "--endpoint", url, "--graph", "http://example.org/g",
         "--replace", "--chunk-size", "500", "--user", "dba", "--password", "pw", str(extra)],
    )
    assert result.exit_code == 0, result.output
    sent = [r for r in script.requests if r["headers"].get("Authorization")]
    assert sent[0]["method"] == "PUT" and all(r["method"] == "POST" for r in sent[1:])
    assert len(sent) >= 3
    assert all(urllib.parse.parse_qs(urllib.parse.urlsplit(r["path"]).query)["graph"] == ["http://example.org/g"] for r in sent)
    assert all(r["headers"]["Content-Type"].startswith("application/n-triples") for r in sent)
    pushed = b"".join(r["body"] for r in sent)
    assert b'<http://example.org/a> <http://example.org/b> "c" .' in pushed
    assert b"https://w3id.org/citydiplomacy/ontology#TwinningAgreement" in pushed
    assert "pw" not in result.output.replace("http", "")


def test_load_errors_are_one_line(server, tmp_path):
    url, _ = server((403, {"Content-Type": "text/plain"}, b"forbidden", 0))
    result = CliRunner().invoke(cli, ["--store", str(tmp_path / "kg"), "load", "--endpoint", url, "--graph", "http://example.org/g"])
    assert result.exit_code == 2 and "HTTP 403" in result.output
    assert len(result.output.strip().splitlines()) == 1
    bad_graph = CliRunner().invoke(cli, ["--store", str(tmp_path / "kg"), "load", "--endpoint", url, "--graph", "not an iri"])
    assert bad_graph.exit_code == 2
