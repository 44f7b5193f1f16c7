"""``citydip publish DIR`` (issue 15 B): the static linked-data site, its files and its promises.

The site is published from a small store (ontology, examples and a few triples standing for an
import and a claim record, see publish_site.py); the Apache test is test_publish_apache.py.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
import rdflib
from rdflib import Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF, RDFS

from citydiplomacy.core import resources
from citydiplomacy.core.namespaces import CDO, CONTEXT_IRI
from citydiplomacy.services.export import quiet_rdflib_parsers
from citydiplomacy.services.publish_files import VOID
from publish_site import BERLIN, PARIS, make_store, publish


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    return make_store(tmp_path_factory.mktemp("publish") / "kg")


@pytest.fixture(scope="module")
def site(store, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site") / "site"
    result = publish(store, out)
    assert result.exit_code == 0, result.output
    assert re.search(r"published [\d,]+ pages \([\d,]+ files, [\d.]+ MB\) into .* in [\d.]+ s", result.output)
    return out


def every_file(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_graph_same_bytes(store, site, tmp_path):
    """A second run in another process, with another hash seed (set and dict orders differ)."""
    again = tmp_path / "again"
    env = dict(os.environ, PYTHONHASHSEED="12345")
    command = [sys.executable, "-m", "citydiplomacy", "--store", str(store), "publish", str(again)]
    assert subprocess.run(command, env=env, capture_output=True, timeout=600).returncode == 0
    first, second = every_file(site), every_file(again)
    assert sorted(first) == sorted(second)
    assert [name for name in first if first[name] != second[name]] == []


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[tuple[str, str]] = []  # (tag, href)
        self.html: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.html = attrs
        if attrs.get("href"):
            self.links.append((tag, attrs["href"]))


def parse_page(path: Path) -> Links:
    parser = Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_every_relative_link_of_every_page_resolves(site):
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 500
    broken = []
    for page in pages:
        parser = parse_page(page)
        assert parser.html.get("lang") in ("en", "fa"), page
        for _, href in parser.links:
            if re.match(r"[a-z]+:", href):
                continue
            if not (page.parent / href.split("#")[0]).resolve().is_file():
                broken.append(f"{page.relative_to(site)} -> {href}")
    assert broken == []


def test_city_page_in_english_and_persian(site):
    english = (site / "resource/city/Q90.html").read_text(encoding="utf-8")
    assert '<html lang="en" dir="ltr">' in english
    assert "<title>Paris</title>" in english
    assert '<link rel="alternate" type="text/turtle" href="Q90.ttl">' in english
    assert '<link rel="alternate" type="application/ld+json" href="Q90.jsonld">' in english
    assert 'href="Q90.fa.html"' in english
    partners = english.split("<h2>Partners</h2>")[1].split("</ul>")[0]
    assert '<a href="../../resource/city/Q64.html">Berlin</a>' in partners
    assert '<a href="../../ontology/City.html">' in english  # its type
    svg = english.split('<figure class="map">')[1].split("</figure>")[0]  # offline: no tiles, no script
    assert '<a href="../../resource/city/Q64.html"><circle cx="386.8" cy="75.0"' in svg
    assert "http" not in svg.replace("http://www.w3.org/2000/svg", "") and "<script" not in english
    persian = (site / "resource/city/Q90.fa.html").read_text(encoding="utf-8")
    assert '<html lang="fa" dir="rtl">' in persian
    assert "<title>پاریس</title>" in persian
    assert '<a href="../../resource/city/Q64.fa.html">برلین</a>' in persian
    assert 'href="Q90.html"' in persian


def _jsonld_graph(path: Path) -> rdflib.Graph:
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["@context"] == CONTEXT_IRI  # the published context, served as context.jsonld
    document["@context"] = resources.jsonld_context()
    with quiet_rdflib_parsers():
        return rdflib.Graph().parse(data=json.dumps(document), format="json-ld")


def test_turtle_and_jsonld_beside_each_page_say_the_same(site):
    turtle = rdflib.Graph().parse(site / "resource/city/Q90.ttl", format="turtle")
    assert (PARIS, RDFS.label, Literal("Paris", lang="en")) in turtle
    assert (PARIS, RDF.type, CDO.City) in turtle
    assert set(turtle.subjects()) == {PARIS}
    assert isomorphic(turtle, _jsonld_graph(site / "resource/city/Q90.jsonld"))
    term = rdflib.Graph().parse(site / "ontology/City.ttl", format="turtle")
    assert (CDO.City, RDF.type, OWL.Class) in term
    assert isomorphic(term, _jsonld_graph(site / "ontology/City.jsonld"))
    assert json.loads((site / "context.jsonld").read_text())["@context"] == resources.jsonld_context()


def test_term_pages_and_the_ontology_document(site):
    city = (site / "ontology/City.html").read_text(encoding="utf-8")
    instances = city.split("<h2>Instances</h2>")[1].split("</ul>")[0]
    assert 'href="../resource/city/Q90.html"' in instances
    assert "<h2>Subclasses</h2>" in city or "<h2>Superclasses</h2>" in city
    behind = city.split("<h2>The article&#39;s sentences behind it</h2>")[1].split("</ul>")[0]
    assert '<a href="../resource/claim/test-1.html">Cities act abroad on their own account.</a>' in behind
    assert (site / "resource/claim/test-1.html").is_file()
    other = (site / "ontology/Country.html").read_text(encoding="utf-8")
    assert "No claim of the article is recorded about it yet." in other
    ontology = (site / "ontology.html").read_text(encoding="utf-8")
    assert '<li id="City"><a href="ontology/City.html">' in ontology
    assert 'type="text/turtle" href="ontology.ttl"' in ontology
    whole = rdflib.Graph().parse(site / "ontology.ttl", format="turtle")
    assert (CDO.City, RDF.type, OWL.Class) in whole
    assert len(rdflib.Graph().parse(site / "ontology.rdf", format="xml")) == len(whole)
    assert (site / "ontology.owl").read_bytes() == (site / "ontology.rdf").read_bytes()


def test_dumps_void_and_the_sources_licences(site):
    dump = rdflib.Graph().parse(data=gzip.decompress((site / "dumps/citydiplomacy.nt.gz").read_bytes()), format="nt")
    assert (BERLIN, RDFS.label, Literal("برلین", lang="fa")) in dump
    document = json.loads(gzip.decompress((site / "dumps/citydiplomacy.jsonld.gz").read_bytes()))
    with quiet_rdflib_parsers():
        assert len(rdflib.Graph().parse(data=json.dumps(document), format="json-ld")) == len(dump)
    assert "@prefix void: <http://rdfs.org/ns/void#> ." in (site / "void.ttl").read_text(encoding="utf-8")
    void = rdflib.Graph().parse(site / "void.ttl", format="turtle")
    dataset = void.value(None, RDF.type, VOID.Dataset)
    assert int(void.value(dataset, VOID.triples)) == len(dump)
    pages_of_iris = [*(site / "resource").rglob("*.ttl"), *(site / "ontology").rglob("*.ttl")]
    assert int(void.value(dataset, VOID.entities)) == len(pages_of_iris) > 300
    assert {str(o) for o in void.objects(dataset, VOID.dataDump)} == {
        "https://w3id.org/citydiplomacy/dumps/citydiplomacy.nt.gz",
        "https://w3id.org/citydiplomacy/dumps/citydiplomacy.jsonld.gz",
    }
    assert void.value(dataset, VOID.sparqlEndpoint) is None  # a static site has none
    citations = [str(o) for o in void.objects(None, URIRef("http://purl.org/dc/terms/bibliographicCitation"))]
    assert any("ClimActor" in c and "Scientific Data 7, 374 (2020)" in c for c in citations)
    index = (site / "index.html").read_text(encoding="utf-8")
    assert "Non-commercial use only" in index and "Hsu, A." in index
    assert (
        (site / "index.fa.html").read_text(encoding="utf-8").startswith('<!DOCTYPE html>\n<html lang="fa" dir="rtl">')
    )


def test_text_and_links_from_the_graph_cannot_script_the_page(site):
    page = (site / "resource/city/Q1.html").read_text(encoding="utf-8")
    assert "<script" not in page and "&lt;script&gt;alert(&#34;label&#34;)&lt;/script&gt;" in page
    assert 'href="javascript:' not in page and "javascript:alert(1)" in page  # shown, not linked
    assert 'href="https://example.org/a?b=1&amp;c=2"' in page


def test_unsafe_paths_get_no_page_and_nothing_escapes(store, site, tmp_path):
    assert not list(site.rglob("*escape*"))
    result = publish(store, tmp_path / "s")
    assert "note: 1 IRIs have no page: their paths are not safe as file names" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s"]


def test_one_language(store, tmp_path):
    assert publish(store, tmp_path / "en", "--lang", "en").exit_code == 0
    assert not list((tmp_path / "en").rglob("*.fa.html"))
    page = (tmp_path / "en/resource/city/Q90.html").read_text(encoding="utf-8")
    assert "fa.html" not in page and "فارسی" not in page


def test_target_folder_rules(store, tmp_path):
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me")
    result = publish(store, foreign)
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        f"Error: {foreign}: the folder is not empty and was not written by citydip publish; give a new or empty folder"
    ]
    assert sorted(p.name for p in foreign.iterdir()) == ["notes.txt"]
    afile = tmp_path / "afile"
    afile.write_text("x")
    assert publish(store, afile).exit_code == 2
    site = tmp_path / "site"
    assert publish(store, site).exit_code == 0
    (site / "stale.html").write_text("from an older graph")
    assert publish(store, site).exit_code == 0  # an earlier site is replaced as a whole
    assert not (site / "stale.html").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile", "mine", "site"]  # no .tmp or .old left


def test_without_jinja2_it_says_which_extra_to_install(tmp_path):
    from test_extras import citydip_without

    result = citydip_without(["jinja2"], "--store", str(tmp_path / "kg"), "publish", str(tmp_path / "site"))
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().splitlines() == [
        "Error: citydip publish needs the optional package 'jinja2': pip install 'citydiplomacy[docs]'"
    ]
    assert not (tmp_path / "site").exists()


def test_a_base_that_is_not_a_web_address_is_refused(store, tmp_path):
    result = publish(store, tmp_path / "s", "--base", "ftp://example.org/x")
    assert result.exit_code == 2
    assert result.output.strip() == (
        "Error: --base 'ftp://example.org/x': give the http(s) address the site will be served from"
    )
    assert not (tmp_path / "s").exists()
