"""The published site behind a real Apache (Debian's apache2), asked with curl as clients ask.

The site's .htaccess must answer each extensionless IRI with the file the client accepts:
Turtle, JSON-LD, RDF/XML for the ontology, else the HTML page (Persian for Accept-Language: fa),
with the right Content-Type and ``Vary: Accept``. Each body is parsed (rdflib) or checked to be
the page. apache2 runs in the foreground on a free loopback port (see apache_server.py).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import OWL, RDF

from apache_server import apache
from citydiplomacy.core import resources
from citydiplomacy.core.namespaces import CDO, CONTEXT_IRI
from citydiplomacy.services.export import quiet_rdflib_parsers
from publish_site import PARIS, make_store, publish

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed")
    root = tmp_path_factory.mktemp("apache")
    site = root / "site"
    result = publish(make_store(root / "kg"), site)
    assert result.exit_code == 0, result.output
    with apache(site, root / "httpd") as base:
        yield base


def curl(url: str, accept: str | None, language: str | None = None) -> tuple[int, dict[str, str], bytes]:
    """(status, headers in lower case, body); *accept* None sends no Accept header at all."""
    command = ["curl", "-s", "-D", "-", "--max-time", "20", "-H", f"Accept:{'' if accept is None else ' ' + accept}"]
    if language:
        command += ["-H", f"Accept-Language: {language}"]
    raw = subprocess.run([*command, url], capture_output=True, check=True).stdout
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return int(lines[0].split()[1]), headers, body


def parsed(body: bytes, fmt: str) -> rdflib.Graph:
    if fmt == "json-ld":
        document = json.loads(body)
        if document.get("@context") == CONTEXT_IRI:
            document["@context"] = resources.jsonld_context()
        body = json.dumps(document).encode()
    with quiet_rdflib_parsers():
        return rdflib.Graph().parse(data=body, format=fmt)


RDF_CASES = [
    ("text/turtle", "text/turtle", "turtle"),
    ("application/ld+json", "application/ld+json", "json-ld"),
    ("text/turtle, text/html;q=0.5", "text/turtle", "turtle"),
    ("application/ld+json;q=1.0, text/html; q=0.2, */*;q=0.1", "application/ld+json", "json-ld"),
]
IRIS = [("/resource/city/Q90", PARIS, "Paris"), ("/ontology/City", CDO.City, "city")]


@pytest.mark.parametrize(("path", "subject", "_title"), IRIS)
@pytest.mark.parametrize(("accept", "media_type", "fmt"), RDF_CASES)
def test_rdf_for_programs(server, path, subject, _title, accept, media_type, fmt):
    status, headers, body = curl(server + path, accept)
    assert status == 200
    assert headers["content-type"].split(";")[0] == media_type
    assert "Accept" in headers["vary"]
    graph = parsed(body, fmt)
    assert (subject, RDF.type, OWL.Class if subject == CDO.City else CDO.City) in graph


@pytest.mark.parametrize(("path", "_subject", "title"), IRIS)
@pytest.mark.parametrize("accept", ["text/html", BROWSER, None, "*/*", "text/html, text/turtle;q=0.5"])
def test_html_for_people_and_by_default(server, path, _subject, title, accept):
    status, headers, body = curl(server + path, accept)
    assert status == 200
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert "Accept" in headers["vary"]
    page = body.decode("utf-8")
    assert page.startswith('<!DOCTYPE html>\n<html lang="en" dir="ltr">')
    assert f"<title>{title}</title>" in page


def test_persian_page_by_accept_language_and_by_name(server):
    for url, language in ((server + "/resource/city/Q90", "fa"), (server + "/resource/city/Q90.fa.html", None)):
        status, headers, body = curl(url, BROWSER, language)
        assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
        assert body.decode("utf-8").startswith('<!DOCTYPE html>\n<html lang="fa" dir="rtl">')
        assert "<title>پاریس</title>" in body.decode("utf-8")


def test_ontology_document_for_a_hash_iri(server):
    """``ontology#City``: the fragment never reaches the server, so the ontology document answers."""
    cases = [
        ("text/turtle", "text/turtle", "turtle"),
        ("application/ld+json", "application/ld+json", "json-ld"),
        ("application/rdf+xml", "application/rdf+xml", "xml"),
    ]
    for accept, media_type, fmt in cases:
        status, headers, body = curl(server + "/ontology#City", accept)
        assert status == 200 and headers["content-type"].split(";")[0] == media_type
        assert (CDO.City, RDF.type, OWL.Class) in parsed(body, fmt)
    status, headers, body = curl(server + "/ontology#City", BROWSER)
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert '<li id="City"><a href="ontology/City.html">' in body.decode("utf-8")


def test_site_files(server):
    status, _, body = curl(server + "/", BROWSER)
    assert status == 200 and b"<h2>What the graph holds</h2>" in body
    status, headers, body = curl(server + "/context", None)
    assert status == 200 and headers["content-type"].startswith("application/ld+json")
    assert json.loads(body)["@context"] == resources.jsonld_context()
    status, headers, _ = curl(server + "/dumps/citydiplomacy.nt.gz", None)
    assert status == 200 and headers["content-type"] == "application/gzip"
    status, headers, body = curl(server + "/void.ttl", None)
    assert status == 200 and headers["content-type"] == "text/turtle; charset=utf-8"
    assert len(parsed(body, "turtle")) > 5
    assert curl(server + "/resource/city/Q0", "text/turtle")[0] == 404
    assert curl(server + "/.htaccess", None)[0] == 403
    assert curl(server + "/.citydip-publish", None)[0] == 403


def test_the_workdir_holds_all_apache_state(tmp_path_factory):
    """Nothing was written outside the test's folders (the config names only those)."""
    config = next(Path(tmp_path_factory.getbasetemp()).rglob("httpd.conf")).read_text()
    assert "/etc/apache2" not in config and "/var/" not in config
