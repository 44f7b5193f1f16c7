"""`citydip serve`: the real Oxigraph server on a small imported store, asked by our own commands,
SPARQLWrapper and curl (issue 15, part A).

Every server is a `citydip serve --port 0` subprocess: the test reads the port from the line it
prints, asks it, and stops it with SIGINT (always killed in a finally, so none outlives the test).
"""

from __future__ import annotations

import json
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph
import pytest

import citydiplomacy
from citydiplomacy.core.namespaces import CDO, GRAPH_EXAMPLES

SRC = Path(citydiplomacy.__file__).resolve().parent.parent  # the code under test, for subprocesses too
DATA = Path(__file__).parent / "data"
STARTUP_DEADLINE = 180.0  # seconds: python start, store checks and the server, on a busy machine
SHEET = "City,Country,Partner,Partner country\nIsfahan,Iran,Kuala Lumpur,Malaysia\nIsfahan,Iran,Barcelona,Spain\nShiraz,Iran,Chengdu,China\n"
CSV_OPTIONS = ["--city-a", "City", "--country-a", "Country", "--city-b", "Partner", "--country-b", "Partner country"]
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
CITIES = f"SELECT DISTINCT ?city WHERE {{ ?city a <{CDO.City}> }}"
LINE = re.compile(
    r"^Serving (?P<store>.+) at (?P<base>http://127\.0\.0\.1:(?P<port>\d+)/) \((?P<mode>read-only|writable); "
    r"SPARQL endpoint (?P<endpoint>http://127\.0\.0\.1:(?P=port)/query)\) — Ctrl-C stops$"
)
LOADED_GRAPH = "https://example.org/loaded-by-test"
# A process that holds the store read-write (as `citydip import` does) until its stdin closes.
HOLDER = """
import sys
from citydiplomacy.core.store import open_store
store = open_store(sys.argv[1])
print("ready", flush=True)
sys.stdin.read()
"""


def _env(**extra: str) -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=str(SRC), **extra)


def citydip(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "citydiplomacy", *args],
        capture_output=True, text=True, env=_env(**env), timeout=600,
    )


def _one_line_error(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: "), text
    assert "Traceback" not in text and "internal error" not in text
    return lines[0]


class Serving:
    """`citydip serve --port 0 ...` in a subprocess, from its first line until it is stopped."""

    def __init__(self, store: Path, *options: str, **env: str):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "citydiplomacy", "--store", str(store), "serve", "--port", "0", *options],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(**env),
        )
        self.line = self._first_line()
        match = LINE.match(self.line)
        assert match, f"unexpected first line: {self.line!r}"
        self.port = int(match["port"])
        self.base, self.endpoint, self.mode = match["base"], match["endpoint"], match["mode"]
        self.graph_store = self.base + "store"

    def _first_line(self) -> str:
        deadline = time.monotonic() + STARTUP_DEADLINE
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.process.stdout], [], [], 1.0)
            if ready:
                line = self.process.stdout.readline()
                if line:
                    return line.rstrip("\n")
            if self.process.poll() is not None:
                break
        self.kill()
        pytest.fail(f"citydip serve printed no line (exit {self.process.returncode}): {self.process.stderr.read()}")

    def stop(self, signum: int = signal.SIGINT) -> tuple[int, str, str]:
        """Send *signum*; the exit code and the rest of stdout and stderr."""
        self.process.send_signal(signum)
        out, err = self.process.communicate(timeout=120)
        return self.process.returncode, out, err

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # our clean stop takes the Oxigraph server with it
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self) -> Serving:
        return self

    def __exit__(self, *exc) -> None:
        self.kill()


def _make_store(where: Path) -> Path:
    sheet = where.parent / f"{where.name}.csv"
    sheet.write_text(SHEET, encoding="utf-8")
    result = citydip("--store", str(where), "import", "csv", str(sheet), *CSV_OPTIONS)
    assert result.returncode == 0, result.stderr
    return where


@pytest.fixture(scope="module")
def small_store(tmp_path_factory) -> Path:
    return _make_store(tmp_path_factory.mktemp("serve") / "kg")


@pytest.fixture(scope="module")
def server(small_store):
    with Serving(small_store) as serving:
        yield serving


def _http(url: str, data: bytes | None = None, method: str | None = None, headers: dict | None = None):
    """(status, content type, body) of one request to the loopback server."""
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Content-Type", ""), exc.read()


def _local_csv(store: Path, *question: str) -> str:
    result = citydip("--store", str(store), "query", "run", *question, "--format", "csv")
    assert result.returncode == 0, result.stderr
    return result.stdout


def _count(csv_text: str) -> int:
    return int(csv_text.split()[-1])


def _oxigraph_processes_on(port: int) -> list[int]:
    """Process ids of running (not zombie) oxigraph programs bound to 127.0.0.1:*port* (from /proc)."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            words = cmdline.read_bytes().split(b"\0")
        except OSError:
            continue
        if words[0].endswith(b"oxigraph") and f"127.0.0.1:{port}".encode() in words:
            found.append(int(cmdline.parent.name))
    return found


# ---------------------------------------------------------------- answering


def test_query_run_on_the_endpoint_gives_the_local_rows(server, small_store):
    assert server.mode == "read-only" and str(small_store.resolve()) in server.line
    for question in (["most-twinned-cities", "--param", "min=1"], ["--text", COUNT]):
        local = _local_csv(small_store, *question)
        remote = _local_csv(small_store, *question, "--endpoint", server.endpoint)
        assert remote == local and len(local.splitlines()) > 1
    assert "isfahan--iran,,2" in _local_csv(small_store, "most-twinned-cities", "--param", "min=2", "--endpoint", server.endpoint)
    assert _count(_local_csv(small_store, "--text", COUNT)) > 1000  # the ontology and the examples are served too


def test_curl_gets_sparql_json_results(server, small_store):
    assert shutil.which("curl"), "curl is missing: bash scripts/install-system-deps.sh installs it"
    run = subprocess.run(
        ["curl", "-sS", "--fail", "-H", "Accept: application/sparql-results+json",
         "--data-urlencode", f"query={COUNT}", server.endpoint],
        capture_output=True, text=True, timeout=120,
    )
    assert run.returncode == 0, run.stderr
    answer = json.loads(run.stdout)
    assert answer["head"]["vars"] == ["n"]
    assert int(answer["results"]["bindings"][0]["n"]["value"]) == _count(_local_csv(small_store, "--text", COUNT))
    # a whole graph through the Graph Store Protocol, as docs/serve.md shows
    run = subprocess.run(
        ["curl", "-sS", "--fail", "-H", "Accept: text/turtle", f"{server.graph_store}?graph={GRAPH_EXAMPLES}"],
        capture_output=True, timeout=120,
    )
    assert run.returncode == 0, run.stderr
    served = pyoxigraph.Store()
    served.load(run.stdout, format=pyoxigraph.RdfFormat.TURTLE)
    in_examples = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH_EXAMPLES}> {{ ?s ?p ?o }} }}"
    assert len(served) == _count(_local_csv(small_store, "--text", in_examples)) > 100


def test_sparqlwrapper_select(server, small_store):
    from SPARQLWrapper import JSON, SPARQLWrapper

    wrapper = SPARQLWrapper(server.endpoint)
    wrapper.setQuery(CITIES)
    wrapper.setReturnFormat(JSON)
    rows = wrapper.queryAndConvert()["results"]["bindings"]
    served = {row["city"]["value"] for row in rows}
    local = set(_local_csv(small_store, "--text", CITIES).split()[1:])
    assert served == local
    assert "https://w3id.org/citydiplomacy/resource/city/chengdu--china" in served


def test_the_yasgui_query_page_answers_at_the_root(server):
    status, content_type, body = _http(server.base)
    assert status == 200 and content_type.startswith("text/html")
    page = body.decode("utf-8")
    assert 'id="yasgui"' in page and "yasgui.min.js" in page
    status, _, script = _http(server.base + "yasgui.min.js")  # served by the server itself: works offline
    assert status == 200 and len(script) > 10_000
    # the page sends its queries to /sparql, the same endpoint as /query
    ask = urllib.parse.urlencode({"query": f"ASK {{ ?city a <{CDO.City}> }}"}).encode()
    status, content_type, body = _http(server.base + "sparql", ask, headers={
        "Accept": "application/sparql-results+json", "Content-Type": "application/x-www-form-urlencoded"})
    assert status == 200 and json.loads(body)["boolean"] is True


# ---------------------------------------------------------------- read-only unless --writable


def test_read_only_refuses_update_graph_store_writes_and_load(server, small_store, tmp_path):
    before = _count(_local_csv(small_store, "--text", COUNT, "--endpoint", server.endpoint))
    update = urllib.parse.urlencode({"update": f"INSERT DATA {{ GRAPH <{LOADED_GRAPH}> {{ <urn:a> <urn:b> <urn:c> }} }}"})
    status, _, _ = _http(server.base + "update", update.encode(), headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 403
    put = f"{server.graph_store}?{urllib.parse.urlencode({'graph': LOADED_GRAPH})}"
    status, _, _ = _http(put, b"<urn:a> <urn:b> <urn:c> .\n", "PUT", {"Content-Type": "application/n-triples"})
    assert status == 403
    loaded = citydip("--store", str(tmp_path / "source"), "load", str(DATA / "valid" / "twinning.ttl"),
                     "--endpoint", server.endpoint, "--graph-store", server.graph_store, "--graph", LOADED_GRAPH)
    assert loaded.returncode == 2
    assert "HTTP 403" in _one_line_error(loaded.stderr)
    assert _count(_local_csv(small_store, "--text", COUNT, "--endpoint", server.endpoint)) == before


def test_writable_server_takes_load_and_update_into_the_store(tmp_path):
    store = _make_store(tmp_path / "kg")
    with Serving(store, "--writable") as serving:
        assert serving.mode == "writable"
        loaded = citydip("--store", str(tmp_path / "source"), "load", str(DATA / "valid" / "twinning.ttl"),
                         "--endpoint", serving.endpoint, "--graph-store", serving.graph_store, "--graph", LOADED_GRAPH)
        assert loaded.returncode == 0, loaded.stderr
        sent = re.search(rf"^(\d+) triples -> <{re.escape(LOADED_GRAPH)}> \(the server now holds (\d+)\)$",
                         loaded.stdout, re.M)
        assert sent and sent[1] == sent[2] and int(sent[1]) > 1000, loaded.stdout
        update = urllib.parse.urlencode({"update": "INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:b> <urn:c> } }"})
        status, _, _ = _http(serving.base + "update", update.encode(),
                             headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert status == 204
        code, out, err = serving.stop()
    assert code == 0, err
    in_graph = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{LOADED_GRAPH}> {{ ?s ?p ?o }} }}"
    assert _count(_local_csv(store, "--text", in_graph)) == int(sent[1])  # written to the store on disk
    assert _local_csv(store, "--text", "SELECT ?o WHERE { GRAPH <urn:g> { <urn:a> <urn:b> ?o } }").split() == ["o", "urn:c"]


def test_query_timeout_stops_a_query_that_runs_too_long(small_store):
    endless = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # ~10^11 rows
    with Serving(small_store, "--query-timeout", "1") as serving:
        started = time.monotonic()
        run = citydip("--store", str(small_store), "query", "run", "--text", endless, "--endpoint", serving.endpoint)
        took = time.monotonic() - started
    assert run.returncode == 2
    assert "The SPARQL operation has been cancelled" in _one_line_error(run.stderr)
    assert took < 300


# ---------------------------------------------------------------- stopping


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_a_signal_stops_the_server_cleanly_and_frees_the_port(small_store, signum):
    serving = Serving(small_store)
    try:
        assert _oxigraph_processes_on(serving.port), "the Oxigraph server is not running"
        code, out, err = serving.stop(signum)
    finally:
        serving.kill()
    assert code == 0, err
    assert err == ""
    assert re.fullmatch(r"Stopped serving .+ at http://127\.0\.0\.1:\d+/ \((Ctrl-C|SIGTERM); the Oxigraph server has ended\)\n", out)
    assert _oxigraph_processes_on(serving.port) == []
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", serving.port))  # the port is free again


def test_a_server_that_dies_is_reported_in_one_line(small_store):
    serving = Serving(small_store)
    try:
        [pid] = _oxigraph_processes_on(serving.port)
        os.kill(pid, signal.SIGKILL)
        out, err = serving.process.communicate(timeout=120)
    finally:
        serving.kill()
    assert serving.process.returncode == 2 and out == ""
    line = _one_line_error(err)
    assert "the Oxigraph server serving" in line and "stopped by itself (exit -9)" in line


def test_no_server_outlives_citydip_killed_outright(small_store):
    serving = Serving(small_store)
    try:
        [pid] = _oxigraph_processes_on(serving.port)
        serving.process.kill()  # SIGKILL: citydip cannot stop the server itself
        serving.process.wait(timeout=60)
        deadline = time.monotonic() + 60
        while _oxigraph_processes_on(serving.port) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _oxigraph_processes_on(serving.port) == []  # the kernel told it (PR_SET_PDEATHSIG)
    finally:
        serving.kill()
        for pid in _oxigraph_processes_on(serving.port):
            os.kill(pid, signal.SIGKILL)


# ---------------------------------------------------------------- refusals


def test_a_store_held_by_another_process_is_refused_in_one_line(small_store, server, tmp_path):
    # the module's read-only server holds small_store: a writable server must not open it
    refused = citydip("--store", str(small_store), "serve", "--port", "0", "--writable", CITYDIP_LOCK_WAIT="0.5")
    assert refused.returncode == 2 and refused.stdout == ""
    line = _one_line_error(refused.stderr)
    assert str(small_store.resolve()) in line and "another process holds it" in line and "waited 0.5 s" in line
    # nor may an import change it under the server
    sheet = tmp_path / "more.csv"
    sheet.write_text(SHEET, encoding="utf-8")
    writer = citydip("--store", str(small_store), "import", "csv", str(sheet), *CSV_OPTIONS, CITYDIP_LOCK_WAIT="0.5")
    assert writer.returncode == 2 and "in use by another citydip process" in _one_line_error(writer.stderr)
    # a writable server holds its store: neither a reader's server nor another writer may open it
    store = _make_store(tmp_path / "kg")
    with Serving(store, "--writable"):
        for options in ([], ["--writable"]):
            refused = citydip("--store", str(store), "serve", "--port", "0", *options, CITYDIP_LOCK_WAIT="0.5")
            assert refused.returncode == 2, refused.stderr
            line = _one_line_error(refused.stderr)
            assert str(store.resolve()) in line and "another process holds it" in line
        writer = citydip("--store", str(store), "import", "csv", str(tmp_path / "kg.csv"), *CSV_OPTIONS,
                         CITYDIP_LOCK_WAIT="0.5")
        assert writer.returncode == 2 and "in use by another citydip process" in _one_line_error(writer.stderr)


def test_a_store_being_imported_into_is_refused_in_one_line(tmp_path):
    """Another process has the store open read-write, as `citydip import` has while it runs."""
    store = _make_store(tmp_path / "kg")
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(store)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(),
    )
    try:
        assert holder.stdout.readline().strip() == "ready", holder.stderr.read()
        refused = citydip("--store", str(store), "serve", "--port", "0", CITYDIP_LOCK_WAIT="0.5")
    finally:
        holder.stdin.close()
        holder.wait(timeout=60)
    assert refused.returncode == 2 and refused.stdout == ""
    line = _one_line_error(refused.stderr)
    assert str(store.resolve()) in line and "a citydip import or analyze" in line and "waited 0.5 s" in line


def test_no_store_or_a_foreign_folder_is_refused_in_one_line(tmp_path):
    missing = citydip("--store", str(tmp_path / "nothing"), "serve", "--port", "0")
    assert missing.returncode == 2
    assert "no store there" in _one_line_error(missing.stderr)
    assert not (tmp_path / "nothing").exists()  # serve creates no store
    foreign = tmp_path / "papers"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine\n", encoding="utf-8")
    refused = citydip("--store", str(foreign), "serve", "--port", "0")
    assert refused.returncode == 2
    assert "not a citydip store" in _one_line_error(refused.stderr)


def test_a_port_in_use_is_refused_in_one_line(small_store):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        refused = citydip("--store", str(small_store), "serve", "--port", str(port))
    assert refused.returncode == 2
    line = _one_line_error(refused.stderr)
    assert f"--port {port}" in line and "--port 0 picks a free one" in line


def test_bind_is_checked_and_a_non_loopback_address_is_warned_about(tmp_path):
    bad = citydip("--store", str(tmp_path / "kg"), "serve", "--bind", "example.org:80")
    assert bad.returncode == 2 and "--bind 'example.org:80': not an IP address" in _one_line_error(bad.stderr)
    # every interface: the warning comes first (the missing store then stops it before it listens)
    wide = citydip("--store", str(tmp_path / "kg"), "serve", "--bind", "0.0.0.0")
    lines = wide.stderr.splitlines()
    assert wide.returncode == 2 and len(lines) == 2
    assert lines[0].startswith("Warning: --bind 0.0.0.0 serves the store to other machines") and "without authentication" in lines[0]
    assert lines[1].startswith("Error: ") and "no store there" in lines[1]


def test_without_the_serve_extra_it_says_what_to_install(tmp_path):
    """A core-only install: the package `oxigraph` (a program, not a module) is not there."""
    code = (
        "from importlib import metadata\n"
        "real = metadata.distribution\n"
        "def distribution(name):\n"
        "    if name == 'oxigraph':\n"
        "        raise metadata.PackageNotFoundError(name)\n"
        "    return real(name)\n"
        "metadata.distribution = distribution\n"
        "import sys\nfrom citydiplomacy.cli import main\n"
        f"sys.argv = ['citydip', '--store', {str(tmp_path / 'kg')!r}, 'serve', '--port', '0']\nmain()\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=_env(), timeout=120)
    assert run.returncode == 2
    assert "pip install 'citydiplomacy[serve]'" in _one_line_error(run.stderr)


def test_start_server_from_python(tmp_path):
    """The service alone, as a script would use it: the server runs while the block does."""
    from citydiplomacy.services.querying import remote
    from citydiplomacy.services.serving import start_server

    store = _make_store(tmp_path / "kg")
    handlers = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    with start_server(store, port=0) as server:
        answer = remote.run(server.query_url, COUNT, "select", {})
        assert int(answer.rows[0]["n"].value) == _count(_local_csv(store, "--text", COUNT))
        port = server.port
        assert _oxigraph_processes_on(port)
    assert _oxigraph_processes_on(port) == []
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == handlers  # the caller's are back


def test_a_server_of_another_release_than_pyoxigraph_is_warned_about(tmp_path):
    code = (
        "from importlib import metadata\n"
        "real = metadata.version\n"
        "metadata.version = lambda name: '0.4.11' if name == 'oxigraph' else real(name)\n"
        "import sys\nfrom citydiplomacy.cli import main\n"
        f"sys.argv = ['citydip', '--store', {str(tmp_path / 'kg')!r}, 'serve', '--port', '0']\nmain()\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=_env(), timeout=120)
    lines = run.stderr.splitlines()
    assert run.returncode == 2 and len(lines) == 2, run.stderr  # the warning, then the missing store
    assert lines[0].startswith("Warning: the Oxigraph server is version 0.4.11 but the store is written by pyoxigraph")
    assert "no store there" in lines[1]
