"""The ontology files parse, every term of our namespace is declared and documented (labels in en and
fa, a definition, a source that is a part of the article, rdfs:isDefinedBy), the modules, imports and
Protégé catalog agree, the external terms used in axioms are declared (OWL 2 DL), and the examples
carry labels, sources and typed literals."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

import pytest
import rdflib
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD

from citydiplomacy.core import resources
from citydiplomacy.core.namespaces import CDO, CDR, EXAMPLES_IRI, ONTOLOGY_IRI

ARTICLE = CDR["article-rastegar-1399"]
DECLARATION_TYPES = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, OWL.NamedIndividual}


def _parse(paths) -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in paths:
        graph.parse(path, format="turtle")
    return graph


@pytest.fixture(scope="module")
def onto() -> rdflib.Graph:
    return _parse(resources.ontology_files())


@pytest.fixture(scope="module")
def both(onto) -> rdflib.Graph:
    graph = rdflib.Graph()
    graph += onto
    graph.parse(resources.examples_file(), format="turtle")
    return graph


def _ours(node) -> bool:
    return isinstance(node, URIRef) and str(node).startswith(str(CDO))


def _terms_used(graph: rdflib.Graph) -> set[URIRef]:
    return {node for triple in graph for node in triple if _ours(node)}


def _decisions(graph: rdflib.Graph) -> set[URIRef]:
    """The modelling decisions (ontology/modules/decisions.ttl): the source of what the article does not say."""
    return set(graph.subjects(RDF.type, CDO.ModellingDecision))


def _article_parts(graph: rdflib.Graph) -> set[URIRef]:
    """The article and everything that is (transitively) dcterms:isPartOf it."""
    parts = {ARTICLE}
    changed = True
    while changed:
        changed = False
        for s, o in graph.subject_objects(DCTERMS.isPartOf):
            if o in parts and s not in parts and str(s).startswith(str(CDR)):
                parts.add(s)
                changed = True
    return parts


def test_every_file_parses_and_is_not_trivial():
    for path in [*resources.ontology_files(), resources.examples_file()]:
        graph = _parse([path])
        assert len(graph) > 20, f"{path.name} has only {len(graph)} triples"


def test_every_term_of_our_namespace_is_declared(both):
    undeclared = sorted(t for t in _terms_used(both) if not (set(both.objects(t, RDF.type)) & DECLARATION_TYPES)
                        and (t, RDF.type, None) not in both)
    assert undeclared == [], f"used without a declaration: {undeclared}"
    # and each declared term has an OWL declaration type (class/property/individual), not only a class membership
    weak = sorted(t for t in _terms_used(both) if not (set(both.objects(t, RDF.type)) & DECLARATION_TYPES))
    assert weak == [], f"typed but not declared as an OWL entity: {weak}"


def test_every_term_has_one_label_per_language_a_definition_a_source_and_is_defined_by(both):
    parts = _article_parts(both)
    assert {CDR["article-rastegar-1399-s1-1"], CDR["article-rastegar-1399-s2-2"], CDR["article-rastegar-1399-s3"],
            CDR["article-rastegar-1399-table1"], CDR["article-rastegar-1399-figure1"]} <= parts
    problems = []
    for term in sorted(_terms_used(both)):
        labels = list(both.objects(term, RDFS.label))
        en = [l for l in labels if isinstance(l, Literal) and l.language == "en"]
        fa = [l for l in labels if isinstance(l, Literal) and l.language == "fa"]
        if len(en) != 1 or len(fa) != 1:
            problems.append(f"{term}: {len(en)} @en and {len(fa)} @fa labels")
        if not any(isinstance(d, Literal) and d.language == "en" and len(str(d)) > 15
                   for d in both.objects(term, SKOS.definition)):
            problems.append(f"{term}: no English skos:definition")
        sources = set(both.objects(term, DCTERMS.source))
        if not sources or not sources <= parts | _decisions(both):
            problems.append(f"{term}: dcterms:source {sorted(sources)} is neither a part of the article nor a decision")
        if set(both.objects(term, RDFS.isDefinedBy)) != {URIRef(ONTOLOGY_IRI)}:
            problems.append(f"{term}: rdfs:isDefinedBy is not the ontology")
    assert problems == []


def test_labels_are_trimmed_and_english_labels_unique(both):
    by_label = defaultdict(set)
    for s, p, o in both:
        if p in (RDFS.label, SKOS.altLabel, SKOS.definition) and isinstance(o, Literal):
            assert str(o) == str(o).strip() and str(o), f"{s} {p} {o!r} is empty or not trimmed"
        if p == RDFS.label and _ours(s) and o.language == "en":
            by_label[str(o)].add(s)
    assert {k: v for k, v in by_label.items() if len(v) > 1} == {}


def test_the_article_and_its_sections(onto):
    assert (ARTICLE, DCTERMS.bibliographicCitation, None) in onto
    titles = {l.language for l in onto.objects(ARTICLE, DCTERMS.title)}
    assert titles == {"en", "fa"}
    for part in _article_parts(onto) - {ARTICLE}:
        assert {l.language for l in onto.objects(part, DCTERMS.title)} == {"en", "fa"}, part
    # every section the data module cites exists
    for suffix in ("s1-1", "s1-2", "s2-2", "s3"):
        assert (CDR[f"article-rastegar-1399-{suffix}"], DCTERMS.isPartOf, None) in onto


def test_modules_headers_imports_and_catalog_agree(onto):
    base = resources.ontology_dir()
    main = URIRef(ONTOLOGY_IRI)
    imported = set(onto.objects(main, OWL.imports))
    module_iris = {}
    for path in sorted((base / "modules").glob("*.ttl")):
        graph = _parse([path])
        heads = list(graph.subjects(RDF.type, OWL.Ontology))
        assert len(heads) == 1, path.name
        head = heads[0]
        assert str(head) == f"{ONTOLOGY_IRI}/{path.stem}", path.name
        assert (head, DCTERMS.isPartOf, main) in graph, path.name
        assert {l.language for l in graph.objects(head, RDFS.label)} == {"en", "fa"}, path.name
        module_iris[str(head)] = f"modules/{path.name}"
    assert {str(i) for i in imported} == set(module_iris)
    for field in (DCTERMS.title, DCTERMS.description, DCTERMS.license, DCTERMS.creator, OWL.versionIRI, OWL.versionInfo):
        assert (main, field, None) in onto, field
    catalog = ET.parse(base / "catalog-v001.xml").getroot()
    ns = "{urn:oasis:names:tc:entity:xmlns:xml:catalog}"
    mapping = {e.get("name"): e.get("uri") for e in catalog.iter(f"{ns}uri")}
    expected = {ONTOLOGY_IRI: "citydiplomacy.ttl", EXAMPLES_IRI: "examples.ttl", **module_iris}
    for iri, rel in expected.items():
        assert mapping.get(iri) == rel, iri
    for rel in mapping.values():
        assert not Path(rel).is_absolute() and (base / rel).is_file(), rel


def _undeclared_in(graph: rdflib.Graph, declared: set) -> set:
    """IRIs used as a class, property or datatype (in an axiom, or as a predicate) without an OWL type."""
    reserved = (str(OWL), str(RDF), str(RDFS), str(XSD))
    missing = set()
    class_positions = (RDFS.subClassOf, OWL.someValuesFrom, OWL.allValuesFrom, OWL.disjointWith, RDFS.domain,
                       RDFS.range, OWL.equivalentClass)
    for s, p, o in graph:
        nodes = [p]
        if p in class_positions:
            nodes.append(o)
        if p in (RDFS.subClassOf, RDFS.subPropertyOf, OWL.disjointWith, RDFS.domain, RDFS.range):
            nodes.append(s)
        for node in nodes:
            if isinstance(node, URIRef) and not str(node).startswith(reserved) and node not in declared:
                missing.add(node)
    for prop in graph.objects(None, OWL.onProperty):
        if prop not in declared:
            missing.add(prop)
    return missing


@pytest.mark.parametrize("name", [p.name for p in resources.ontology_files()])
def test_each_file_declares_what_it_uses_for_owl2_dl(name):
    """OWL API (Protégé) parses every imported document on its own, so each module must declare the
    external and cross-module terms it uses in axioms, and the annotation properties it uses; otherwise
    the module alone (and so the imports closure) is not OWL 2 DL. Checked with the OWL API 3 OWL2DLProfile
    too (see the issue-2 note); this test keeps it true without Java."""
    path = next(p for p in resources.ontology_files() if p.name == name)
    graph = _parse([path])
    declared = {s for s, o in graph.subject_objects(RDF.type)
                if o in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDFS.Datatype)}
    assert sorted(_undeclared_in(graph, declared)) == []


def test_examples_use_only_declared_terms(both):
    declared = {s for s, o in both.subject_objects(RDF.type)
                if o in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDFS.Datatype)}
    examples = _parse([resources.examples_file()])
    assert sorted(_undeclared_in(examples, declared)) == []
    for cls in set(examples.objects(None, RDF.type)) - {OWL.Ontology, OWL.NamedIndividual, OWL.Axiom}:
        assert cls in declared, cls


def test_no_date_or_year_ranges_are_declared(onto):
    for bad in (XSD.date, XSD.gYear, XSD.gYearMonth):
        assert list(onto.subjects(RDFS.range, bad)) == []


def test_examples_are_labelled_sourced_and_typed(both):
    graph = _parse([resources.examples_file()])
    head = URIRef(EXAMPLES_IRI)
    assert (head, RDF.type, OWL.Ontology) in graph and (head, OWL.imports, URIRef(ONTOLOGY_IRI)) in graph
    subjects = {s for s in graph.subjects(RDF.type, None) if str(s).startswith(str(CDR))}
    assert len(subjects) >= 40
    for s in subjects:
        assert {l.language for l in graph.objects(s, RDFS.label)} == {"en", "fa"}, s
        assert len(list(graph.objects(s, RDFS.label))) == 2, s
        assert set(graph.objects(s, DCTERMS.source)) <= _article_parts(both) | _decisions(both), s
        assert (s, DCTERMS.source, None) in graph, s


def test_example_facts_are_typed_literals(both):
    mfp = CDR.MayorsForPeace
    year = both.value(mfp, CDO.foundingYear)
    assert year == Literal("1982", datatype=XSD.integer)  # the OWL 2 datatype map: a year is an integer
    assert both.value(mfp, CDO.dimension) == CDO.SecurityDimension
    assert both.value(both.value(mfp, CDO.foundedBy), CDO.governs) == CDR["city/Q34664"]
    london = CDR.London2012OlympicsHosting
    assert (london, RDF.type, CDO.MegaEventHosting) in both
    assert both.value(london, CDO.expectedNewJobs) == Literal(50000, datatype=XSD.nonNegativeInteger)
    assert both.value(london, CDO.expectedNewHomesMoreThan).toPython() == 35000
    revenue = both.value(london, CDO.expectedRevenue)
    assert both.value(revenue, URIRef("https://schema.org/value")).datatype == XSD.decimal
    assert both.value(revenue, URIRef("https://schema.org/value")).toPython() == 525_000_000
    assert str(both.value(revenue, URIRef("https://schema.org/currency"))) == "GBP"
    assert both.value(CDR.USStatesTradeOfficesAbroad, CDO.numberOfActorsMoreThan).toPython() == 40
    assert both.value(CDR.WorldAssemblyOfCitiesAndLocalAuthorities1996, CDO.date) == Literal("1996", datatype=XSD.integer)
    members = {both.value(m, URIRef("http://www.w3.org/ns/org#member"))
               for m in both.subjects(URIRef("http://www.w3.org/ns/org#organization"), CDR.M4)}
    assert members == {CDR["city/Q64"], CDR["city/Q90"], CDR["city/Q649"], CDR["city/Q84"]}
    for city in members:
        assert (city, RDF.type, CDO.City) in both
    # every literal of the examples with a datatype is well formed for it
    for _, _, o in both:
        if isinstance(o, Literal) and o.datatype is not None and o.datatype != RDF.langString:
            assert o.ill_typed is not True, repr(o)


def test_classes_and_individuals_of_the_article_modules_have_a_persian_definition():
    """Persian definitions too, for every class and named individual of the modules written from the
    article (the analysis module's scores are the analysis command's vocabulary and are left out)."""
    base = resources.ontology_dir() / "modules"
    union = _parse(resources.ontology_files())
    missing = []
    for name in ("article", "diplomacy", "spaces", "actors", "functions", "relations", "factors", "data"):
        graph = _parse([base / f"{name}.ttl"])
        for kind in (OWL.Class, OWL.NamedIndividual):
            for term in graph.subjects(RDF.type, kind):
                if _ours(term) and (term, RDFS.isDefinedBy, None) in graph \
                        and not any(d.language == "fa" for d in union.objects(term, SKOS.definition)):
                    missing.append(f"{name}: {term}")
    assert sorted(missing) == []
