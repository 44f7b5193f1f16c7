"""The ontology's Turtle sources are kept by scripts/ontology_format.py, not by hand (issue 11 item 8):
the committed files are in canonical form, each declares exactly the prefixes it uses, every header is
written one way, every term is defined in one module (the others only declare it), and the analysis
vocabulary is an extension that the core does not import."""

from __future__ import annotations

import importlib.util
import random
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import rdflib
from rdflib import URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from citydiplomacy.core import resources
from citydiplomacy.core.namespaces import CDO, EXAMPLES_IRI, ONTOLOGY_IRI, PREFIXES

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "scripts" / "ontology_format.py"
ANALYSIS_IRI = ONTOLOGY_IRI + "/extensions/analysis"
ALL_FILES = [*resources.ontology_files(), resources.examples_file()]
DEFINING = (RDFS.label, SKOS.definition, RDFS.isDefinedBy)
DECLARATIONS = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty}


def _formatter():
    spec = importlib.util.spec_from_file_location("ontology_format", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _parse(path: Path) -> rdflib.Graph:
    return rdflib.Graph().parse(path, format="turtle")


def _ids(paths):
    return [p.relative_to(resources.ontology_dir()).as_posix() for p in paths]


def test_the_committed_files_are_in_canonical_form():
    done = subprocess.run([sys.executable, str(SCRIPT), "--check"], check=False, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"run scripts/ontology_format.py to rewrite:\n{done.stdout}{done.stderr}"


def test_check_lists_a_file_that_differs_and_rewrite_fixes_it(tmp_path):
    path = tmp_path / "small.ttl"
    path.write_text("@prefix owl: <http://www.w3.org/2002/07/owl#> .\n@prefix foaf: <http://xmlns.com/foaf/0.1/> .\n"
                    "<https://w3id.org/citydiplomacy/ontology/x> a owl:Ontology .\n", encoding="utf-8")
    check = subprocess.run([sys.executable, str(SCRIPT), "--check", str(path)], check=False, capture_output=True, text=True, timeout=60)
    assert check.returncode == 1 and str(path) in check.stdout
    subprocess.run([sys.executable, str(SCRIPT), str(path)], check=True, capture_output=True, timeout=60)
    assert "foaf" not in path.read_text(encoding="utf-8")
    again = subprocess.run([sys.executable, str(SCRIPT), "--check", str(path)], check=False, capture_output=True, text=True, timeout=60)
    assert again.returncode == 0


def test_a_comment_is_refused_rather_than_lost(tmp_path):
    path = tmp_path / "commented.ttl"
    path.write_text("# a design note\n<https://example.org/a> <https://example.org/b> 1 .\n", encoding="utf-8")
    done = subprocess.run([sys.executable, str(SCRIPT), str(path)], check=False, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "commented.ttl:1" in done.stderr
    assert path.read_text(encoding="utf-8").startswith("# a design note")


@pytest.mark.parametrize("path", ALL_FILES, ids=_ids(ALL_FILES))
def test_the_text_depends_on_the_graph_only(path):
    """Shuffling the triples (so blank nodes are created in another order) gives the same text."""
    formatter = _formatter()
    lines = _parse(path).serialize(format="nt").splitlines()
    random.Random(11).shuffle(lines)
    shuffled = rdflib.Graph(bind_namespaces="none").parse(data="\n".join(lines), format="nt")
    assert formatter.TurtleWriter(shuffled).document() == path.read_text(encoding="utf-8")


def _without_strings_and_iris(text: str) -> str:
    text = re.sub(r'"(?:[^"\\\n]|\\.)*"', '""', text)
    return re.sub(r"<[^>\s]*>", "<>", text)


@pytest.mark.parametrize("path", ALL_FILES, ids=_ids(ALL_FILES))
def test_the_prefix_block_is_exactly_the_prefixes_used(path):
    text = path.read_text(encoding="utf-8")
    declared = re.findall(r"^@prefix (\w*): <([^>]*)> \.$", text, flags=re.MULTILINE)
    body = _without_strings_and_iris(re.sub(r"^@prefix .*$", "", text, flags=re.MULTILINE))
    used = set(re.findall(r"(?<![\w:])([A-Za-z][\w-]*):(?=[\w(])", body)) | set(re.findall(r"\^\^(\w+):", body))
    assert [name for name, _ in declared] == sorted(used), path.name
    assert all(PREFIXES[name] == iri for name, iri in declared), "a prefix with another IRI than namespaces.PREFIXES"
    assert "cd" not in dict(declared)


@pytest.mark.parametrize("path", ALL_FILES, ids=_ids(ALL_FILES))
def test_one_header_style(path):
    """The owl:Ontology header comes first, its IRI written in full, never through a prefix."""
    text = path.read_text(encoding="utf-8")
    first = text.split("\n\n", 1)[1].splitlines()[0]
    assert re.fullmatch(r"<https://w3id\.org/citydiplomacy/[\w/.-]+> a owl:Ontology ;", first), (path.name, first)
    assert len(list(_parse(path).subjects(RDF.type, OWL.Ontology))) == 1


@pytest.mark.parametrize("path", resources.core_ontology_files()[1:], ids=_ids(resources.core_ontology_files()[1:]))
def test_module_headers_say_the_same_things(path):
    graph = _parse(path)
    head = URIRef(f"{ONTOLOGY_IRI}/{path.stem}")
    assert {label.language for label in graph.objects(head, RDFS.label)} == {"en", "fa"}
    assert set(graph.objects(head, DCTERMS.isPartOf)) == {URIRef(ONTOLOGY_IRI)}
    assert any(c.language == "en" for c in graph.objects(head, RDFS.comment)), "the module says what it holds"


def test_every_term_is_defined_in_one_module_and_only_declared_elsewhere():
    """A term's label, definition and rdfs:isDefinedBy live in one file; another file may repeat its OWL
    declaration (each module must be OWL 2 DL alone) but with the same type, and only if it uses the term."""
    graphs = {path.name: _parse(path) for path in ALL_FILES}
    owners: dict[URIRef, set[str]] = {}
    for name, graph in graphs.items():
        for predicate in DEFINING:
            for term in graph.subjects(predicate, None):
                if str(term).startswith(str(CDO)):
                    owners.setdefault(term, set()).add(name)
    assert {t: sorted(n) for t, n in owners.items() if len(n) > 1} == {}
    problems = []
    for name, graph in graphs.items():
        for term in {s for s in graph.subjects() if str(s).startswith(str(CDO))}:
            owner = next(iter(owners.get(term, {"?"})))
            if owner == name:
                continue
            owner_types = set(graphs[owner].objects(term, RDF.type)) if owner in graphs else set()
            for kind in (set(graph.objects(term, RDF.type)) & DECLARATIONS) - owner_types:
                problems.append(f"{name}: {term} declared {kind}, its module {owner} does not say so")
            if set(graph.predicates(term)) == {RDF.type} and not (
                    (None, None, term) in graph or (None, term, None) in graph):
                problems.append(f"{name}: {term} declared but not used there")
    assert sorted(problems) == []


def test_analysis_is_an_extension_the_core_does_not_import():
    core = resources.core_ontology_files()
    extensions = resources.extension_files()
    assert [p.name for p in extensions] == ["analysis.ttl"]
    assert not set(core) & set(extensions)
    assert resources.ontology_files() == [*core, *extensions], "the store loads the extension beside the core"
    main = _parse(core[0])
    assert URIRef(ANALYSIS_IRI) not in set(main.objects(URIRef(ONTOLOGY_IRI), OWL.imports))
    analysis = _parse(extensions[0])
    assert set(analysis.subjects(RDF.type, OWL.Ontology)) == {URIRef(ANALYSIS_IRI)}
    assert set(analysis.objects(URIRef(ANALYSIS_IRI), OWL.imports)) == {URIRef(ONTOLOGY_IRI)}
    assert (CDO.CitynessAssessment, RDF.type, OWL.Class) in analysis
    catalog = ET.parse(resources.ontology_dir() / "catalog-v001.xml").getroot()
    mapping = {e.get("name"): e.get("uri") for e in catalog.iter("{urn:oasis:names:tc:entity:xmlns:xml:catalog}uri")}
    assert mapping[ANALYSIS_IRI] == "extensions/analysis.ttl"
    assert mapping[EXAMPLES_IRI] == "examples.ttl"
