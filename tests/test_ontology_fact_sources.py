"""Sources that say what they know (issue 13): a fact the article does not give points at where it
came from (a Wikidata entity or a cdo:ModellingDecision of ontology/modules/decisions.ttl), never at an
article section; the QA shapes (shapes/ontology-qa.ttl) reject an outside fact sourced to the article;
every named individual has an English and a Persian definition."""

from __future__ import annotations

import rdflib
from click.testing import CliRunner
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from citydiplomacy.cli import cli
from citydiplomacy.core import resources
from citydiplomacy.core.namespaces import CDO, CDR, MODELLING_DECISION, WD
from citydiplomacy.core.ontology import load_examples, load_ontology
from citydiplomacy.services.validation.engine import validate_ontology

ISTANBUL = CDR["city/Q406"]
SECTION_1_1 = CDR["article-rastegar-1399-s1-1"]
OWN_SOURCE_SHAPE = URIRef("https://w3id.org/citydiplomacy/shapes#FactOwnSourceShape")
ARTICLE_SOURCE_SHAPE = URIRef("https://w3id.org/citydiplomacy/shapes#OutsideFactArticleSourceShape")


def _published() -> rdflib.Graph:
    return load_ontology() + load_examples()


def _axioms(graph: rdflib.Graph, subject, predicate, target) -> list:
    return [
        axiom
        for axiom in graph.subjects(OWL.annotatedSource, subject)
        if (axiom, OWL.annotatedProperty, predicate) in graph and (axiom, OWL.annotatedTarget, target) in graph
    ]


def _annotate(graph: rdflib.Graph, subject, predicate, target, source) -> None:
    axiom = BNode()
    graph.add((axiom, RDF.type, OWL.Axiom))
    graph.add((axiom, OWL.annotatedSource, subject))
    graph.add((axiom, OWL.annotatedProperty, predicate))
    graph.add((axiom, OWL.annotatedTarget, target))
    graph.add((axiom, DCTERMS.source, source))


def test_every_named_individual_has_an_english_and_a_persian_definition():
    """Examples and module individuals, wherever they are defined (a module may only declare a term of
    another); the article's parts (bibliographic records) and claim records are left out."""
    files = [*resources.ontology_files(), resources.examples_file()]
    graph = rdflib.Graph()
    for path in files:
        graph.parse(path, format="turtle")
    missing = []
    for individual in sorted(set(graph.subjects(RDF.type, OWL.NamedIndividual))):
        if (individual, RDF.type, DCTERMS.BibliographicResource) in graph or str(individual).startswith(
            str(CDR) + "claim/"
        ):
            continue
        languages = {d.language for d in graph.objects(individual, SKOS.definition) if len(str(d)) > 15}
        if not {"en", "fa"} <= languages:
            missing.append(f"{individual} has definitions in {sorted(languages)}")
    assert len(files) > 5
    assert missing == []


def test_the_named_organizations_of_the_issue_are_defined_with_their_section():
    examples = load_examples()
    for name in (
        "MayorsForPeace",
        "UCLG",
        "Eurocities",
        "WorldBank",
        "WorldTradeOrganization",
        "PeaceOfWestphalia",
        "CitiesForPeace",
        "M4",
        "UnitedNations",
        "UNHabitat",
    ):
        definitions = {d.language: str(d) for d in examples.objects(CDR[name], SKOS.definition)}
        assert "section" in definitions["en"], name
        assert "بخش" in definitions["fa"], name


def test_the_published_files_pass_the_source_checks():
    report = validate_ontology(_published())
    assert report.conforms, "\n".join(f"{r.focus_node}: {r.message}" for r in report.results)


def test_outside_facts_of_the_examples_cite_wikidata_or_a_decision():
    """No Wikidata item and no country of a city that the article does not name cites an article section."""
    graph = _published()
    decisions = set(graph.subjects(RDF.type, CDO.ModellingDecision))
    items = set(graph.objects(None, CDO.wikidataItem))
    assert len(items) >= 20
    for subject, item in graph.subject_objects(CDO.wikidataItem):
        (axiom,) = _axioms(graph, subject, CDO.wikidataItem, item)
        assert set(graph.objects(axiom, DCTERMS.source)) <= decisions, subject
    article_said = {CDR["city/Q36600"], CDR["city/Q612"]}  # section 3-3: «لاهه در هلند»، «دبی در امارات»
    for city, country in graph.subject_objects(CDO.country):
        (axiom,) = _axioms(graph, city, CDO.country, country)
        sources = set(graph.objects(axiom, DCTERMS.source))
        if city in article_said:
            assert sources == {CDR["article-rastegar-1399-s3-3"]}, city
        else:
            # the city's own Wikidata entity (its P17) and the decision that says why
            assert sources == {graph.value(city, CDO.wikidataItem), MODELLING_DECISION["countries-of-example-cities"]}
    for source in graph.objects(None, DCTERMS.source):
        if str(source).startswith(str(WD)):
            assert source in items, f"{source} is cited but is no example's Wikidata item"
        if str(source).startswith(str(MODELLING_DECISION)):
            assert source in decisions, f"{source} is cited but not defined in decisions.ttl"
    # the three countries the article never names rest on the decision alone
    for slug in ("russia", "turkey", "united-kingdom"):
        assert set(graph.objects(CDR[f"country/{slug}"], DCTERMS.source)) == {
            MODELLING_DECISION["countries-of-example-cities"]
        }


def test_every_modelling_decision_says_what_and_why():
    graph = _published()
    decisions = set(graph.subjects(RDF.type, CDO.ModellingDecision))
    assert len(decisions) >= 6
    for decision in decisions:
        assert str(decision).startswith(str(MODELLING_DECISION)), decision
        assert {label.language for label in graph.objects(decision, RDFS.label)} == {"en", "fa"}, decision
        assert any("Why:" in str(note) for note in graph.objects(decision, SKOS.note)), decision


def test_an_outside_fact_sourced_to_section_1_1_is_rejected_naming_the_resource():
    """A Wikidata item whose own source is §1-1 (the article gives no identifiers) fails the QA."""
    graph = _published()
    for axiom in _axioms(graph, ISTANBUL, CDO.wikidataItem, WD.Q406):
        graph.remove((axiom, DCTERMS.source, None))
        graph.add((axiom, DCTERMS.source, SECTION_1_1))
    report = validate_ontology(graph)
    assert not report.conforms
    hits = [r for r in report.results if r.source_shape == ARTICLE_SOURCE_SHAPE]
    assert [r.focus_node for r in hits] == [ISTANBUL]
    assert str(ISTANBUL) in hits[0].message and "article-rastegar-1399-s1-1" in hits[0].message


def test_an_outside_fact_resting_on_the_resources_section_is_rejected():
    """A new country for a city, with no source of its own: the city's §1-1 does not cover it."""
    graph = _published()
    city = CDR["city/Q1297"]  # Chicago, sourced to §1-1, which does not give its country
    country = CDR["country/canada"]
    graph.add((country, RDF.type, CDO.Country))
    graph.add((city, CDO.country, country))
    report = validate_ontology(graph)
    hits = [r for r in report.results if r.source_shape == OWN_SOURCE_SHAPE]
    assert [r.focus_node for r in hits] == [city]
    assert str(city) in hits[0].message and "no source of its own" in hits[0].message
    # the same fact with its own source (a decision) passes
    _annotate(graph, city, CDO.country, country, MODELLING_DECISION["countries-of-example-cities"])
    assert not [r for r in validate_ontology(graph).results if r.source_shape == OWN_SOURCE_SHAPE]


def test_the_command_line_checks_the_examples_too(tmp_path):
    """`citydip validate --ontology` on the published files and on the same files with one bad source."""
    files = [str(p) for p in [*resources.ontology_files(), resources.examples_file()]]
    result = CliRunner().invoke(cli, ["validate", "--ontology", *files])
    assert result.exit_code == 0, result.output
    bad = tmp_path / "bad-source.ttl"
    bad.write_text(
        "@prefix cdo: <https://w3id.org/citydiplomacy/ontology#> .\n"
        "@prefix cdr: <https://w3id.org/citydiplomacy/resource/> .\n"
        "@prefix dcterms: <http://purl.org/dc/terms/> .\n"
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        "<https://w3id.org/citydiplomacy/resource/city/Q406> cdo:population 15000000 .\n"
        "[] a owl:Axiom ; owl:annotatedSource <https://w3id.org/citydiplomacy/resource/city/Q406> ;\n"
        "   owl:annotatedProperty cdo:population ; owl:annotatedTarget 15000000 ;\n"
        "   dcterms:source cdr:article-rastegar-1399-s1-1 .\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["validate", "--ontology", *files, str(bad)])
    assert result.exit_code == 1, result.output
    assert "Q406" in result.output and "Istanbul" in result.output


def test_a_year_is_an_integer_in_the_published_examples():
    """The datatype policy: no xsd:gYear or xsd:date left in the published files' data."""
    graph = _published()
    years = list(graph.objects(CDR.MayorsForPeace, CDO.foundingYear))
    assert years == [Literal(1982)]
    assert (CDO.foundingYear, RDFS.range, rdflib.XSD.integer) in graph


def test_the_example_cities_wikidata_items_match_their_iris():
    """cdr:city/Q<n> is the importer's IRI for Wikidata's Q<n>: the item the decision links must be that one."""
    examples = load_examples()
    cities = [s for s in examples.subjects(RDF.type, CDO.City) if str(s).startswith(str(CDR) + "city/Q")]
    assert len(cities) == 11
    for city in cities:
        assert list(examples.objects(city, CDO.wikidataItem)) == [WD[str(city).rsplit("/", 1)[1]]], city
