"""Hostile servers and hostile URLs against `query run --endpoint` and `load` (issue 10, slice http).

Each server is a small threaded HTTP server on 127.0.0.1 (127.0.0.2 plays "another host"),
on a random port, answering through a behaviour function and recording every request.
"""

from __future__ import annotations

import base64
import sys
import time
import tracemalloc

import pytest
from click.testing import CliRunner

from citydiplomacy.cli import cli, main
from httpservers import loopback_servers, reply

ASK_TRUE = b'{"boolean": true}'
JSON_CT = "application/sparql-results+json"
SECRET = "S3cr3t-pw"


@pytest.fixture
def serve():
    """``serve(behaviour, host=...)`` -> (the server's base URL, the server with the requests it saw)."""
    with loopback_servers() as start:

        def serve_one(behaviour, host="127.0.0.1"):
            server = start(behaviour, host)
            return server.url(), server

        yield serve_one


def answer(status=200, body=ASK_TRUE, headers=None):
    """A behaviour giving one fixed response."""

    def behaviour(handler, _count):
        reply(handler, status, body, {"Content-Type": JSON_CT, **(headers or {})})

    return behaviour


def query(*args, env=None):
    return CliRunner().invoke(cli, ["query", "run", "--text", "ASK {}", *args], env=env)


def load(tmp_path, *args):
    return CliRunner().invoke(cli, ["--store", str(tmp_path / "kg"), "load", "--graph", "http://example.org/g", *args])


def run_main(monkeypatch, capsys, *args):
    """The real console entry point (with its last-line-of-defence handler): exit code and stderr."""
    monkeypatch.setattr(sys, "argv", ["citydip", *args])
    monkeypatch.delenv("CITYDIP_DEBUG", raising=False)
    with pytest.raises(SystemExit) as exit_info:
        main()
    return exit_info.value.code, capsys.readouterr().err


def basic(user, password):
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


# ------------------------------------------------------------------ finding 4: secrets


def test_password_in_endpoint_url_is_used_but_never_printed(serve, monkeypatch, capsys):
    base, seen = serve(answer(500, b"Virtuoso 42000 Error: internal"))
    endpoint = base.replace("http://", f"http://dba:{SECRET}@") + "/sparql"
    code, err = run_main(monkeypatch, capsys, "query", "run", "--text", "ASK {}", "--endpoint", endpoint)
    assert code == 2, err
    assert SECRET not in err and "dba:" not in err
    assert err.startswith("Error: ") and len(err.strip().splitlines()) == 1 and "HTTP 500" in err
    assert seen.requests[0]["headers"]["Authorization"] == basic("dba", SECRET)  # sent to the host named, only


def test_internal_error_line_scrubs_credentials(monkeypatch, capsys):
    def explode(*_args, **_kwargs):
        raise RuntimeError(f"deep failure talking to http://dba:{SECRET}@db.example.org:8890/sparql")

    monkeypatch.setattr("citydiplomacy.services.querying.params.with_values", explode)
    monkeypatch.setattr("citydiplomacy.services.querying.remote.with_values", explode)
    code, err = run_main(monkeypatch, capsys, "query", "run", "--text", "ASK {}", "--endpoint", "http://127.0.0.1:9/sparql")
    assert code == 3
    assert "internal error" in err and "http://db.example.org:8890/sparql" in err
    assert SECRET not in err and "dba" not in err


def test_scrub_secrets_covers_every_url_in_a_text():
    from citydiplomacy.core.http import scrub_secrets

    text = f"a http://u:{SECRET}@h/x and 'https://me@x.org:8443/q?a=b@c' and ftp://p:w@d@e/f"
    assert scrub_secrets(text) == "a http://h/x and 'https://x.org:8443/q?a=b@c' and ftp://e/f"


@pytest.mark.parametrize("status", [302, 307])
def test_query_redirect_to_another_host_is_refused_and_credentials_stay_home(serve, status):
    other, other_seen = serve(answer(), host="127.0.0.2")
    location = other + "/sparql" if status == 302 else other.replace("http://", "http://x:y@") + "/sparql"
    base, seen = serve(answer(status, b"", {"Location": location}))
    result = query("--endpoint", base + "/sparql", "--user", "dba", "--password", SECRET)
    assert result.exit_code == 2, result.output
    assert f"{other}/sparql" in result.output and "--endpoint" in result.output
    assert SECRET not in result.output and "x:y@" not in result.output
    assert seen.requests[0]["headers"]["Authorization"] == basic("dba", SECRET)
    assert all("Authorization" not in r["headers"] for r in other_seen.requests)
    assert other_seen.requests == []


def test_query_redirect_on_the_same_server_is_followed_with_the_query(serve):
    def behaviour(handler, count):
        if handler.path == "/sparql":
            return answer(307, b"", {"Location": "/sparql/"})(handler, count)
        return answer()(handler, count)

    base, seen = serve(behaviour)
    result = query("--endpoint", base + "/sparql", "--user", "dba", "--password", SECRET)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "true"
    assert [r["path"] for r in seen.requests] == ["/sparql", "/sparql/"]
    assert seen.requests[1]["method"] == "POST" and b"query=" in seen.requests[1]["body"]


# ------------------------------------------------------------------ finding 5: redirected uploads


def test_load_redirect_is_a_failure_naming_the_location(serve, tmp_path):
    other, other_seen = serve(answer(204, b""), host="127.0.0.2")

    def behaviour(handler, count):
        if handler.command == "GET":
            return answer(200, b"<html>a login page</html>", {"Content-Type": "text/html"})(handler, count)
        return answer(302, b"", {"Location": other + "/gsp"})(handler, count)

    base, seen = serve(behaviour)
    result = load(tmp_path, "--endpoint", base + "/sparql", "--user", "dba", "--password", SECRET, "--auth", "basic")
    assert result.exit_code == 2, result.output
    assert "loaded" not in result.output
    assert f"{other}/gsp" in result.output and "--endpoint" in result.output and "HTTP 302" in result.output
    assert SECRET not in result.output
    assert [r["method"] for r in seen.requests] == ["POST"]  # never replayed as a GET
    assert other_seen.requests == []


# ------------------------------------------------------------------ finding 6b: deadline and size cap


def drip(where: str):
    """A behaviour that keeps the connection alive with one byte every 0.4 s (bounded: 30 bytes)."""

    def behaviour(handler, _count):
        out = handler.wfile
        if where == "headers":
            out.write(b"HTTP/1.0 200 OK\r\n")
            for _ in range(30):
                out.write(b"X")
                out.flush()
                time.sleep(0.4)
            return
        handler.send_response(200)
        handler.send_header("Content-Type", JSON_CT)
        handler.send_header("Content-Length", "1000")
        handler.end_headers()
        for _ in range(30):
            out.write(b" ")
            out.flush()
            time.sleep(0.4)

    return behaviour


@pytest.mark.parametrize("where", ["body", "headers"])
def test_slow_drip_stops_at_the_deadline(serve, where):
    base, _ = serve(drip(where))
    started = time.monotonic()
    result = query("--endpoint", base + "/sparql", "--timeout", "2")
    elapsed = time.monotonic() - started
    assert result.exit_code == 2, result.output
    assert "timed out" in result.output and "--timeout" in result.output
    assert elapsed < 5  # the old per-read timeout waited for all 30 bytes (12 s)


def endless(handler, _count):
    """200 with no length, then 64 KB chunks until the client stops reading (bounded: 200 MB)."""
    handler.send_response(200)
    handler.send_header("Content-Type", JSON_CT)
    handler.end_headers()
    chunk = b" " * 65536
    for _ in range(3200):
        handler.wfile.write(chunk)


def test_endless_answer_hits_the_size_cap_in_bounded_memory(serve):
    base, _ = serve(endless)
    tracemalloc.start()
    try:
        result = query("--endpoint", base + "/sparql", "--max-response-size", "2M")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result.exit_code == 2, result.output
    assert "2 MB" in result.output and "--max-response-size" in result.output
    assert peak < 24 * 1024**2


def test_announced_oversize_answer_is_refused_before_reading(serve):
    def huge(handler, _count):
        handler.send_response(200)
        handler.send_header("Content-Type", JSON_CT)
        handler.send_header("Content-Length", str(10 * 1024**3))
        handler.end_headers()
        handler.wfile.write(b"{")

    base, _ = serve(huge)
    result = query("--endpoint", base + "/sparql")
    assert result.exit_code == 2 and "512 MB" in result.output and "--max-response-size" in result.output


def test_size_option_parsing():
    from citydiplomacy.core.sizes import parse_size

    assert parse_size("512M") == 512 * 1024**2 and parse_size("1G") == 1024**3
    assert parse_size("10MB") == 10 * 1024**2 and parse_size("4096") == 4096
    with pytest.raises(ValueError):
        parse_size("lots")
    bad = query("--endpoint", "http://127.0.0.1:9/sparql", "--max-response-size", "lots")
    assert bad.exit_code == 2 and "--max-response-size" in bad.output


# ------------------------------------------------------------------ finding 8 (part): port out of range


@pytest.mark.parametrize("option", ["query", "query-with-password", "load"])
def test_port_out_of_range_is_bad_input(monkeypatch, capsys, tmp_path, option):
    url = "http://127.0.0.1:99999/sparql"
    if option.startswith("query"):
        if option == "query-with-password":
            url = url.replace("http://", f"http://dba:{SECRET}@")
        args = ["query", "run", "--text", "ASK {}", "--endpoint", url]
    else:
        args = ["--store", str(tmp_path / "kg"), "load", "--endpoint", "http://127.0.0.1:9/sparql", "--graph-store", url]
    code, err = run_main(monkeypatch, capsys, *args)
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1 and "99999" in err and "port is not a number from 1 to 65535" in err
    assert SECRET not in err


# ------------------------------------------------------------------ retries still work


def test_load_retries_on_503_honouring_retry_after(serve, tmp_path):
    def behaviour(handler, count):
        if count == 1:
            return answer(503, b"busy", {"Retry-After": "1"})(handler, count)
        return answer(204, b"")(handler, count)

    base, seen = serve(behaviour)
    result = load(tmp_path, "--endpoint", base + "/gsp", "--chunk-size", "100000")
    assert result.exit_code == 0, result.output
    assert len(seen.requests) == 2 and seen.requests[0]["body"] == seen.requests[1]["body"]
    assert seen.times[1] - seen.times[0] >= 0.9
    assert "loaded" in result.output


def test_query_429_retry_after_then_answer(serve):
    def behaviour(handler, count):
        if count == 1:
            return answer(429, b"slow down", {"Retry-After": "1"})(handler, count)
        return answer()(handler, count)

    base, seen = serve(behaviour)
    result = query("--endpoint", base + "/sparql")
    assert result.exit_code == 0 and result.stdout.strip() == "true"
    assert seen.times[1] - seen.times[0] >= 0.9
    assert len(seen.requests) == 2


def test_digest_auth_still_answers_the_challenge(serve):
    def behaviour(handler, count):
        sent = handler.headers.get("Authorization", "")
        if sent.startswith("Digest ") and 'username="dba"' in sent and 'nonce="n0nce"' in sent:
            return answer()(handler, count)
        challenge = 'Digest realm="sparql", nonce="n0nce", qop="auth"'
        return answer(401, b"login first\n" * 100000, {"WWW-Authenticate": challenge, "Content-Type": "text/plain"})(handler, count)

    base, seen = serve(behaviour)
    result = query("--endpoint", base + "/sparql", "--user", "dba", "--password", SECRET, "--auth", "digest")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "true" and len(seen.requests) == 2
    assert all(SECRET not in r["headers"].get("Authorization", "") for r in seen.requests)


def test_server_text_in_errors_has_no_control_characters(serve):
    base, _ = serve(answer(502, b"\x1b[2J\x1b]0;pwned\x07bad gateway\r\n", {"Content-Type": "text/plain"}))
    result = query("--endpoint", base + "/sparql", "--retries", "0")
    assert result.exit_code == 2 and "HTTP 502" in result.output and "bad gateway" in result.output
    assert "\x1b" not in result.output and "\x07" not in result.output and "\r" not in result.output


def test_password_in_a_portless_endpoint_url_is_not_an_internal_error(monkeypatch, capsys):
    """The attack report's form: no port, so urllib read 'SECRET@host' as the port (exit 3, printed)."""
    code, err = run_main(monkeypatch, capsys, "query", "run", "--text", "ASK {}", "--endpoint",
                         f"http://dba:{SECRET}@127.0.0.1/sparql", "--timeout", "2", "--retries", "0")
    assert code == 2, err
    assert SECRET not in err and "internal error" not in err and "http://127.0.0.1/sparql" in err
