"""`citydip reason` and the reusable reasoner functions (HermiT through owlready2, OWL-RL)."""

from __future__ import annotations

import json

import pytest
import rdflib
from click.testing import CliRunner
from rdflib import Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD

from citydiplomacy.cli import cli
from citydiplomacy.core.namespaces import GEO
from citydiplomacy.services.reasoning import prepare_for_owl_reasoner, run_owl_reasoner

EX = rdflib.Namespace("https://example.org/test#")

PREFIXES = """
@prefix cdo: <https://w3id.org/citydiplomacy/ontology#> .
@prefix ex: <https://example.org/test#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix geo: <http://www.opengis.net/ont/geosparql#> .
"""

# A defined class, an individual that falls under it, and every awkward datatype HermiT refuses.
INFERRING = PREFIXES + """
ex:hasTwin a owl:ObjectProperty .
ex:Twinned a owl:Class ; rdfs:label "twinned city"@en ;
    owl:equivalentClass [ a owl:Restriction ; owl:onProperty ex:hasTwin ; owl:someValuesFrom cdo:City ] .
ex:TwinnedCapital a owl:Class ; rdfs:label "twinned capital"@en ;
    owl:equivalentClass [ a owl:Class ; owl:intersectionOf ( cdo:City
        [ a owl:Restriction ; owl:onProperty ex:hasTwin ; owl:someValuesFrom cdo:City ] ) ] .
ex:when a owl:DatatypeProperty ; rdfs:range xsd:date .
ex:Tehran a cdo:City , owl:NamedIndividual ; rdfs:label "Tehran"@en ; ex:hasTwin ex:Kyiv ;
    ex:when "2004-05-12"^^xsd:date , "1999"^^xsd:gYear , "1999-03"^^xsd:gYearMonth ;
    rdfs:comment "POINT(51.39 35.69)"^^geo:wktLiteral .
ex:Kyiv a cdo:City , owl:NamedIndividual ; rdfs:label "Kyiv"@en .
"""

# cdo:City and cdo:Country are disjoint in the data module.
INCONSISTENT = PREFIXES + """
ex:Atlantis a cdo:City , cdo:Country , owl:NamedIndividual ; rdfs:label "Atlantis"@en .
"""

UNSATISFIABLE = PREFIXES + """
ex:CityState a owl:Class ; rdfs:label "city that is a country"@en ; rdfs:subClassOf cdo:City , cdo:Country .
"""


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_prepare_converts_datatypes_outside_the_owl2_map():
    graph = rdflib.Graph()
    graph.add((EX.a, EX.d, Literal("2004-05-12", datatype=XSD.date)))
    graph.add((EX.a, EX.y, Literal("1999", datatype=XSD.gYear)))
    graph.add((EX.a, EX.m, Literal("1999-03", datatype=XSD.gYearMonth)))
    graph.add((EX.a, EX.w, Literal("POINT(1 2)", datatype=GEO.wktLiteral)))
    graph.add((EX.a, EX.n, Literal(5)))
    graph.add((EX.a, EX.l, Literal("x", lang="fa")))
    graph.add((EX.d, RDFS.range, XSD.date))
    graph.add((EX.n, RDFS.range, XSD.integer))
    graph.add((URIRef("https://example.org/test"), OWL.imports, URIRef("https://example.org/other")))
    out = prepare_for_owl_reasoner(graph)
    assert out.value(EX.a, EX.d) == Literal("2004-05-12T00:00:00", datatype=XSD.dateTime)
    assert out.value(EX.a, EX.y) == Literal("1999-01-01T00:00:00", datatype=XSD.dateTime)
    assert out.value(EX.a, EX.m) == Literal("1999-03-01T00:00:00", datatype=XSD.dateTime)
    assert out.value(EX.a, EX.w) == Literal("POINT(1 2)", datatype=XSD.string)
    assert out.value(EX.a, EX.n) == Literal(5)
    assert out.value(EX.a, EX.l) == Literal("x", lang="fa")
    assert (EX.d, RDFS.range, XSD.date) not in out
    assert (EX.n, RDFS.range, XSD.integer) in out
    assert not list(out.triples((None, OWL.imports, None)))
    assert len(graph) == 9  # the input is left alone


@pytest.mark.java
def test_hermit_function_on_ontology_is_consistent():
    from citydiplomacy.core.ontology import load_examples, load_ontology

    result = run_owl_reasoner(load_ontology() + load_examples(), reasoner="hermit")
    assert result.consistent
    assert result.unsatisfiable == []
    assert len(result.graph) >= len(load_ontology())


@pytest.mark.java
@pytest.mark.parametrize("reasoner", ["hermit", "owlrl"])
def test_reason_infers_types_and_subclasses(tmp_path, reasoner):
    data = _write(tmp_path, "twins.ttl", INFERRING)
    out = tmp_path / "closed.ttl"
    result = CliRunner().invoke(
        cli, ["reason", "--reasoner", reasoner, "--data", data, "--format", "json", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["consistent"] is True
    types = {(t["individual"]["iri"], t["class"]["iri"]) for t in report["inferred_types"]}
    assert (str(EX.Tehran), str(EX.TwinnedCapital)) in types
    if reasoner == "hermit":
        # OWL 2 DL: the intersection class is a subclass of the restriction class.
        subs = {(s["subclass"]["iri"], s["superclass"]["iri"]) for s in report["inferred_subclasses"]}
        assert (str(EX.TwinnedCapital), str(EX.Twinned)) in subs
    materialised = rdflib.Graph().parse(out)
    assert (EX.Tehran, RDF.type, EX.TwinnedCapital) in materialised
    # The original literals are written back, not the reasoner's converted ones.
    assert (EX.Tehran, EX.when, Literal("1999", datatype=XSD.gYear)) in materialised
    # Every suffix writes plain RDF (OWL-RL's generalised triples with literal subjects left out).
    for suffix in (".nt", ".jsonld", ".rdf", ".nq"):
        other = tmp_path / f"closed{suffix}"
        again = CliRunner().invoke(cli, ["reason", "--reasoner", reasoner, "--data", data, "--out", str(other)])
        assert again.exit_code == 0, again.output
        assert other.stat().st_size > 0


@pytest.mark.java
@pytest.mark.parametrize("reasoner", ["hermit", "owlrl"])
def test_inconsistent_data_exits_1(tmp_path, reasoner):
    data = _write(tmp_path, "bad.ttl", INCONSISTENT)
    out = tmp_path / "never.ttl"
    result = CliRunner().invoke(cli, ["reason", "--reasoner", reasoner, "--data", data, "--out", str(out)])
    assert result.exit_code == 1, result.output
    assert "INCONSISTENT" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


@pytest.mark.java
def test_unsatisfiable_class_listed_by_label(tmp_path):
    data = _write(tmp_path, "unsat.ttl", UNSATISFIABLE)
    result = CliRunner().invoke(cli, ["reason", "--data", data, "--format", "json"])
    assert result.exit_code == 1
    report = json.loads(result.output[: result.output.rindex("}") + 1])
    assert [c["label"] for c in report["unsatisfiable"]] == ["city that is a country"]


def test_bad_data_file_is_one_located_line(tmp_path):
    data = _write(tmp_path, "broken.ttl", PREFIXES + "ex:a ex:b .\n")
    result = CliRunner().invoke(cli, ["reason", "--reasoner", "owlrl", "--data", data])
    assert result.exit_code == 2
    assert "broken.ttl:" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_no_java_says_how_to_install_one(tmp_path, monkeypatch):
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.delenv("JAVA_HOME", raising=False)
    result = CliRunner().invoke(cli, ["reason", "--reasoner", "hermit"])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert "apt-get install default-jre-headless" in lines[0]


@pytest.mark.java
def test_pellet_works_or_says_which_java_it_needs():
    result = CliRunner().invoke(cli, ["reason", "--reasoner", "pellet", "--format", "json"])
    if result.exit_code == 0:
        assert json.loads(result.output)["consistent"] is True
    else:
        # owlready2 0.4x bundles a Pellet whose Jena needs a newer Java than Debian 12's 17.
        assert result.exit_code == 2, result.output
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and "needs Java" in lines[0], result.output


# An IRI that is both a class (with a superclass) and an individual (with a type): OWL 2 punning.
PUNNING = PREFIXES + """
ex:Form a owl:Class ; rdfs:label "form"@en .
ex:Thingish a owl:Class ; rdfs:label "thingish"@en .
ex:Twinning a owl:Class , ex:Form ; rdfs:label "twinning"@en ; rdfs:subClassOf ex:Thingish .
"""


@pytest.mark.java
def test_punned_iri_class_parents_are_not_reported_as_types(tmp_path):
    data = _write(tmp_path, "pun.ttl", PUNNING)
    result = CliRunner().invoke(cli, ["reason", "--data", data, "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["inferred_types"] == []
    assert report["inferred_subclasses"] == []


def test_hermit_output_is_read_with_our_own_pattern():
    from citydiplomacy.services.reasoning import parse_hermit_output

    owl = "http://www.w3.org/2002/07/owl#"
    output = (
        "SubClassOf( <https://example.org/A> <https://example.org/B> )\r\n"
        f"SubClassOf( <https://example.org/B> <{owl}Thing> )\n"
        f"EquivalentClasses( <https://example.org/C> <{owl}Nothing> )\n"
        "EquivalentClasses( <https://example.org/D> <https://example.org/E> )\n"
        "Type( <https://example.org/i> <https://example.org/A> )\n"
        "Not an axiom line\n"
    )
    unsat, inferred = parse_hermit_output(output)
    ex = rdflib.Namespace("https://example.org/")
    assert unsat == {ex.C}
    assert set(inferred) == {
        (ex.A, RDFS.subClassOf, ex.B),
        (ex.D, OWL.equivalentClass, ex.E),
        (ex.E, OWL.equivalentClass, ex.D),
        (ex.i, RDF.type, ex.A),
    }


@pytest.mark.java
def test_pellet_leaves_the_temp_folder_setting_as_it_was():
    import contextlib
    import tempfile

    from citydiplomacy.core.errors import CitydipError

    before = tempfile.tempdir
    graph = rdflib.Graph().parse(data=PUNNING, format="turtle")
    with contextlib.suppress(CitydipError):  # an old Java is fine here; only the setting matters
        run_owl_reasoner(graph, "pellet")
    assert tempfile.tempdir == before
