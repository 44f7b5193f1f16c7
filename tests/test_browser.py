"""Serve's query page and publish's pages in a real browser (issue 15): headless Chromium (Debian's
`chromium`) driven by Playwright, allowed to reach 127.0.0.1 only, with a screenshot of every page
kept under test-artifacts/browser/ (or $CITYDIP_ARTIFACTS/browser/).

Playwright's own browser downloads are never used: the test drives /usr/bin/chromium. Without it (or
without the playwright package) the test skips with the reason, except in CI (CI=true) where it fails.
"""

from __future__ import annotations

import csv
import functools
import http.server
import os
import queue
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest

import citydiplomacy

REPO = Path(__file__).resolve().parent.parent
SRC = Path(citydiplomacy.__file__).resolve().parent.parent  # the code under test, for subprocesses too
CHROMIUM = "/usr/bin/chromium"
# Chromium's background services (updates, sync, QUIC probes) are switched off and a fresh profile
# keeps one run from seeing another's state. Some still start (the component updater's and the
# Google account checks of Debian's build): the resolver rule answers "not found" for every host
# but 127.0.0.1 inside the browser, so no DNS query or connection leaves the machine; the
# browser's network log (read at the end) must show no DNS query and TCP to 127.0.0.1 only.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]
PARIS = "https://w3id.org/citydiplomacy/resource/city/Q90"
# YASGUI (the Oxigraph server's query page) asks prefix.cc for its list of popular prefixes when
# the editor opens; refused, the editor only loses prefix autocompletion.
YASGUI_PREFIX_LIST = "http://prefix.cc/popular/all.file.json"

pytestmark = [pytest.mark.browser, pytest.mark.shared_data]


def _unavailable(reason: str):
    """Skip on a developer's machine, fail in CI, where the browser test must run."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true and {reason}")
    pytest.skip(reason)


def _playwright():
    try:
        from playwright import sync_api
    except ImportError:
        _unavailable("the playwright package is missing (pip install -c constraints.txt -e '.[test]')")
    return sync_api


def _chromium() -> str:
    if not os.access(CHROMIUM, os.X_OK):
        _unavailable(f"{CHROMIUM} is missing (bash scripts/install-system-deps.sh installs Debian's chromium)")
    return CHROMIUM


def _artefacts() -> Path:
    root = Path(os.environ["CITYDIP_ARTIFACTS"]) if os.environ.get("CITYDIP_ARTIFACTS") else REPO / "test-artifacts"
    folder = root / "browser"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _env() -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=str(SRC))


def _citydip(*args: str) -> subprocess.CompletedProcess:
    run = subprocess.run(
        [sys.executable, "-m", "citydiplomacy", *args], capture_output=True, text=True, env=_env(), timeout=600
    )
    assert run.returncode == 0, f"citydip {' '.join(args)} failed:\n{run.stderr}"
    return run


class LoopbackOnly:
    """A page's route handler: requests to 127.0.0.1 go through, any other is aborted and remembered."""

    def __init__(self) -> None:
        self.refused: list[str] = []

    def __call__(self, route) -> None:
        url = route.request.url
        if urlsplit(url).hostname == "127.0.0.1":
            route.continue_()
        else:
            self.refused.append(url)
            route.abort("blockedbyclient")


class ServerProcess:
    """A server started as a child process, ready once a line of its output matches *ready* (its
    output is read to the end by a thread, so a chatty server never blocks on a full pipe)."""

    def __init__(self, command: list[str], ready: str):
        self.process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=_env(), start_new_session=True
        )
        lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._pump, args=(self.process.stdout, lines), daemon=True).start()
        self.match = self._wait(lines, re.compile(ready))

    @staticmethod
    def _pump(pipe, lines: queue.Queue) -> None:
        for line in pipe:
            lines.put(line)
        lines.put("")

    def _wait(self, lines: queue.Queue, ready: re.Pattern) -> re.Match:
        seen = []
        while True:
            try:
                line = lines.get(timeout=30)
            except queue.Empty:
                self.stop()
                pytest.fail(f"{self.process.args[0]} printed no ready line in 30 s:\n{''.join(seen)}")
            if not line:
                pytest.fail(f"{self.process.args[0]} ended (exit {self.process.wait()}):\n{''.join(seen)}")
            seen.append(line)
            if match := ready.search(line):
                return match

    def stop(self) -> int:
        """Ctrl-C, as a user stops it; a server that ignores it is killed and the test fails."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                return self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                pytest.fail(f"{self.process.args[0]} did not stop on SIGINT within 15 s")
        return self.process.returncode


@pytest.fixture(scope="module")
def paris_extract(tmp_path_factory, shared_data) -> Path:
    """The rows of ../shared/data's Wikidata query.csv that name Paris (Q90), in a temporary file."""
    source = shared_data / "wikidata-p190-ursino2021" / "query.csv"
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    extract = tmp_path_factory.mktemp("paris") / "query.csv"
    extract.write_text(lines[0] + "".join(line for line in lines[1:] if "/entity/Q90," in line), encoding="utf-8")
    return extract


@pytest.fixture(scope="module")
def paris_partners(paris_extract) -> dict[str, str]:
    """QID -> label of each city the extract twins with Paris."""
    partners = {}
    with paris_extract.open(encoding="utf-8", newline="") as sheet:
        for row in csv.DictReader(sheet):
            side = "sister" if row["city"].endswith("/Q90") else "city"
            partners[row[side].rsplit("/", 1)[1]] = row[side + "Label"]
    assert len(partners) >= 5, partners
    return partners


@pytest.fixture(scope="module")
def paris_store(paris_extract) -> Path:
    """A store holding the ontology, the article's examples (Paris among them) and Paris's twinnings."""
    store = paris_extract.parent / "kg"
    _citydip("--store", str(store), "import", str(paris_extract))
    return store


@pytest.fixture(scope="module")
def chromium_context(tmp_path_factory):
    """One headless Chromium with a fresh profile for the module's pages; when it closes, its
    network log must hold no DNS query and no TCP connection attempt but to 127.0.0.1."""
    sync_api = _playwright()
    executable = _chromium()
    profile = tmp_path_factory.mktemp("chromium-profile")
    netlog = profile.parent / "chromium-netlog.json"
    with sync_api.sync_playwright() as driver:
        context = driver.chromium.launch_persistent_context(
            str(profile),
            executable_path=executable,
            headless=True,
            args=[*CHROMIUM_ARGS, f"--log-net-log={netlog}"],
            viewport={"width": 1280, "height": 900},
        )
        context.set_default_timeout(15_000)
        yield context
        context.close()
    events = _netlog_params(netlog, "TCP_CONNECT_ATTEMPT", "DNS_TRANSACTION_QUERY")
    attempts = [params["address"] for params in events["TCP_CONNECT_ATTEMPT"] if "address" in params]
    assert attempts and all(address.startswith("127.0.0.1:") for address in attempts), sorted(set(attempts))
    assert [params for params in events["DNS_TRANSACTION_QUERY"] if "qname" in params] == []


def _netlog_params(netlog: Path, *names: str) -> dict[str, list[dict]]:
    """The parameters of each event of the kinds *names* in Chromium's network log (--log-net-log)."""
    import json

    log = json.loads(netlog.read_text(encoding="utf-8"))
    kinds = {log["constants"]["logEventTypes"][name]: name for name in names}
    found: dict[str, list[dict]] = {name: [] for name in names}
    for event in log["events"]:
        if event["type"] in kinds:
            found[kinds[event["type"]]].append(event.get("params", {}))
    return found


@pytest.fixture
def browser_page(chromium_context):
    """A fresh tab whose requests may reach 127.0.0.1 only; ``page.loopback.refused`` lists the others."""
    page = chromium_context.new_page()
    page.loopback = LoopbackOnly()
    page.route("**/*", page.loopback)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors
    failed: list[str] = []
    page.on("response", lambda response: response.status >= 400 and failed.append(f"{response.status} {response.url}"))
    page.on(
        "requestfailed",
        lambda request: request.url not in page.loopback.refused and failed.append(f"{request.failure} {request.url}"),
    )
    page.failed = failed
    yield page
    page.close()


def _screenshot(page, name: str) -> Path:
    path = _artefacts() / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 1000, f"{path} is empty"
    return path


# --- serve: the SPARQL endpoint's query page ------------------------------------------------------


SERVING = re.compile(
    r"^Serving (?P<store>.+) at (?P<base>http://127\.0\.0\.1:\d+/) \(read-only; SPARQL endpoint (?P=base)query\) — Ctrl-C stops$"
)


@pytest.fixture(scope="module")
def endpoint(paris_store):
    """`citydip serve --port 0` on the store; its first line names the address. Stopped with Ctrl-C."""
    server = ServerProcess(
        [sys.executable, "-m", "citydiplomacy", "--store", str(paris_store), "serve", "--port", "0"],
        ready=SERVING.pattern,
    )
    yield server.match.group("base")
    assert server.stop() == 0, "citydip serve did not end cleanly on Ctrl-C"


# Without GRAPH: serve's queries see the union of the store's graphs, as `citydip query` does.
PARIS_LABELS = f"""SELECT ?label WHERE {{
  <{PARIS}> <http://www.w3.org/2000/01/rdf-schema#label> ?label
}} ORDER BY ?label"""


def test_the_query_page_runs_a_query_and_shows_rows(browser_page, endpoint):
    page = browser_page
    page.goto(endpoint)
    page.wait_for_selector(".yasqe .CodeMirror")
    assert "Oxigraph" in page.title()
    page.click(".yasqe .CodeMirror")
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(PARIS_LABELS)  # as a paste: one edit, no bracket auto-closing
    assert page.evaluate("() => document.querySelector('.yasqe .CodeMirror').CodeMirror.getValue()") == PARIS_LABELS
    page.click(".yasqe_queryButton")
    rows = page.locator(".yasr table.dataTable tbody tr")
    rows.filter(has_text="Paris").first.wait_for(timeout=30_000)
    labels = sorted(rows.nth(i).locator("td").last.inner_text().strip() for i in range(rows.count()))
    _screenshot(page, "query-page")
    assert any(label.startswith('"Paris"') or label.startswith("Paris") for label in labels), labels
    assert any("پاریس" in label for label in labels), labels
    assert page.errors == []
    assert set(page.loopback.refused) <= {YASGUI_PREFIX_LIST}, page.loopback.refused


# --- publish: the static linked-data site, served over loopback HTTP like on its host -------------


class _QuietFiles(http.server.SimpleHTTPRequestHandler):
    """Python's file server on the published folder, without a log line per request."""

    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass


@pytest.fixture(scope="module")
def site(paris_store, tmp_path_factory):
    """`citydip publish` of the Paris store, served from a thread on a free loopback port."""
    folder = tmp_path_factory.mktemp("published") / "site"
    _citydip("--store", str(paris_store), "publish", str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietFiles, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    server.server_close()


def _open(page, url: str):
    response = page.goto(url)
    assert response is not None and response.ok, f"{url}: {response and response.status}"
    page.wait_for_load_state("load")
    return response


def _rendered_cleanly(page) -> None:
    """Nothing refused (no CDN, no tile server), no script error, no broken image or stylesheet."""
    assert page.loopback.refused == [], page.loopback.refused
    assert page.errors == [], page.errors
    assert page.failed == [], page.failed
    broken = page.evaluate(
        "() => [...document.images].filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src)"
    )
    assert broken == [], broken


# Every link of the page, HTML or SVG (the city map's dots): [resolved address, text, is it HTML?]
LINKS = """() => [...document.querySelectorAll('a[href]')].map(a => [
  new URL(a.getAttribute('href'), document.baseURI).href,
  (a instanceof HTMLElement ? a.innerText : a.textContent).trim(),
  a instanceof HTMLElement,
])"""


def _link_to(page, path: re.Pattern):
    """The first HTML link whose address is on the site and whose path matches *path*, or None."""
    for index, (href, _, html) in enumerate(page.evaluate(LINKS)):
        if html and urlsplit(href).hostname == "127.0.0.1" and path.search(urlsplit(href).path):
            return page.locator("a[href]").nth(index)
    return None


def _linked_qids(page, html: bool = True) -> dict[str, str]:
    """QID -> link text of every HTML link (or SVG link, with html=False) to a city page of the site."""
    found = {}
    for href, text, is_html in page.evaluate(LINKS):
        match = re.search(r"/resource/city/(Q\d+)(?:\.html)?$", urlsplit(href).path)
        if match and urlsplit(href).hostname == "127.0.0.1" and is_html == html:
            found[match.group(1)] = text
    return found


def _alternates_answer(page, qid: str) -> None:
    """The page's <link rel="alternate"> to Turtle and JSON-LD load from the site and describe *qid*."""
    alternates = page.evaluate(
        "() => [...document.querySelectorAll('link[rel=alternate][type]')].map(l => [l.type, l.href])"
    )
    types = {kind for kind, _ in alternates}
    assert {"text/turtle", "application/ld+json"} <= types, alternates
    for kind, href in alternates:
        if kind in ("text/turtle", "application/ld+json"):
            status, body = page.evaluate(
                "async url => { const r = await fetch(url); return [r.status, await r.text()] }", href
            )
            assert status == 200 and qid in body, f"{href}: {status}"


def test_the_city_page_shows_paris_and_links_its_partners(browser_page, site, paris_partners):
    page = browser_page
    _open(page, site + "resource/city/Q90.html")
    assert "Paris" in page.title()
    assert "Paris" in page.locator("h1").first.inner_text()
    assert page.locator("html").get_attribute("lang") == "en"
    linked = _linked_qids(page)
    assert set(paris_partners) <= set(linked), f"partners without a link: {set(paris_partners) - set(linked)}"
    on_map = _linked_qids(page, html=False)  # the offline SVG map: a dot per partner, linked to its page
    assert page.locator("svg").first.is_visible(), "no map of the partners"
    assert set(paris_partners) <= set(on_map), f"partners not on the map: {set(paris_partners) - set(on_map)}"
    _alternates_answer(page, "Q90")
    _screenshot(page, "city-Q90")
    _rendered_cleanly(page)


def test_a_partner_is_one_click_from_the_city_page(browser_page, site, paris_partners):
    page = browser_page
    _open(page, site + "resource/city/Q90.html")
    qid = sorted(paris_partners)[0]
    link = _link_to(page, re.compile(rf"/resource/city/{qid}(\.html)?$"))
    assert link is not None, f"no link to {qid}'s page"
    text = link.inner_text().strip()
    with page.expect_navigation():
        link.click()
    assert urlsplit(page.url).hostname == "127.0.0.1" and qid in page.url, page.url
    heading = page.locator("h1").first.inner_text()
    assert text and text in heading, (text, heading)
    assert "Q90" in _linked_qids(page), "the partner's page does not link back to Paris"
    _screenshot(page, f"city-{qid}")
    _rendered_cleanly(page)


def _label(graph, term, lang: str) -> str:
    from rdflib import RDFS

    labels = [label for label in graph.objects(term, RDFS.label) if label.language == lang]
    assert len(labels) == 1, (term, lang, labels)
    return str(labels[0])


def test_the_term_page_shows_city_diplomacy_its_superclass_and_source(browser_page, site, ontology_and_examples):
    from rdflib.namespace import DCTERMS

    from citydiplomacy.core.namespaces import CDO, CDR

    page = browser_page
    _open(page, site + "ontology/CityDiplomacy.html")
    label = _label(ontology_and_examples, CDO.CityDiplomacy, "en")
    assert label.lower() in page.locator("h1").first.inner_text().lower()
    assert label.lower() in page.title().lower()
    superclass = _link_to(page, re.compile(r"/ontology/NonTraditionalDiplomacy(\.html)?$"))
    assert superclass is not None, "no link to the superclass cdo:NonTraditionalDiplomacy's page"
    assert _label(ontology_and_examples, CDO.NonTraditionalDiplomacy, "en").lower() in superclass.inner_text().lower()
    claim = _link_to(page, re.compile(r"/resource/claim/s2-2-a-19(\.html)?$"))
    assert claim is not None, "no link to the claim the superclass axiom rests on («غیر سنتی خواند»)"
    source = ontology_and_examples.value(CDO.CityDiplomacy, DCTERMS.source, any=False)
    section = str(source).removeprefix(str(CDR))  # the article's section the term comes from
    assert _link_to(page, re.compile(rf"/resource/{re.escape(section)}(\.html)?$")), f"no link to {section}"
    _screenshot(page, "term-CityDiplomacy")
    _rendered_cleanly(page)


def _arabic_script_share(text: str) -> float:
    """The share of the letters in *text* that are Arabic-script (Persian) letters."""
    letters = [char for char in text if char.isalpha()]
    arabic = [char for char in letters if "\u0600" <= char <= "\u06ff" or "\ufb50" <= char <= "\ufeff"]
    return len(arabic) / max(len(letters), 1)


# The page's own words (navigation, headings, prose, footer): its text without the data it lists
# (links to other resources, list items, the map, literals), whose labels may exist in no Persian version.
OWN_WORDS = """() => {
  const body = document.body.cloneNode(true);
  body.querySelectorAll('a, li, svg, code, script, style, .literal, .iri').forEach(e => e.remove());
  return body.textContent;
}"""


@pytest.mark.parametrize(
    "path, term, related, shot",
    [
        ("resource/city/Q90.fa.html", "city/Q90", "country/france", "city-Q90-fa"),
        ("ontology/CityDiplomacy.fa.html", "CityDiplomacy", "NonTraditionalDiplomacy", "term-CityDiplomacy-fa"),
    ],
    ids=["city", "term"],
)
def test_the_persian_page_is_right_to_left_and_in_persian(
    browser_page, site, ontology_and_examples, path, term, related, shot
):
    from citydiplomacy.core.namespaces import CDO, CDR

    page = browser_page
    _open(page, site + path)
    namespace = CDR if "/" in term else CDO
    assert page.locator("html").get_attribute("lang") == "fa"
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.evaluate("() => getComputedStyle(document.body).direction") == "rtl"
    assert _label(ontology_and_examples, namespace[term], "fa") in page.locator("h1").first.inner_text()
    links = [text for _, text, html in page.evaluate(LINKS) if html]
    assert _label(ontology_and_examples, namespace[related], "fa") in links, f"no link labelled in Persian to {related}"
    own = page.evaluate(OWN_WORDS)
    share = _arabic_script_share(own)
    assert share > 0.6, f"only {share:.0%} of the page's own letters are Persian:\n{own}"
    _screenshot(page, shot)
    _rendered_cleanly(page)
