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
    monkeypatch.setattr("citydiplomacy.services.java.JVM_FOLDERS", (str(tmp_path / "jvm"),))
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


# ---------------------------------------------------------------- finding a Java for Pellet


def _fake_java(folder, version: str):
    """A `java` script whose `-version` banner says *version* (so no real Java 25 is needed)."""
    java = folder / "bin" / "java"
    java.parent.mkdir(parents=True)
    java.write_text(f"#!/bin/sh\necho 'openjdk version \"{version}\" 2025-09-16' >&2\n", encoding="utf-8")
    java.chmod(0o755)
    return java


@pytest.fixture
def java_places(tmp_path, monkeypatch):
    """An empty JVM folder, PATH without java and no JAVA_HOME; tests put fake runtimes in them."""
    jvm = tmp_path / "jvm"
    jvm.mkdir()
    monkeypatch.setattr("citydiplomacy.services.java.JVM_FOLDERS", (str(jvm),))
    monkeypatch.delenv("JAVA_HOME", raising=False)
    path_dir = tmp_path / "path"
    monkeypatch.setenv("PATH", str(path_dir / "bin"))
    return {"jvm": jvm, "path": path_dir, "home": tmp_path / "home"}


def test_java_home_wins_when_new_enough(java_places, monkeypatch):
    from citydiplomacy.services.java import find_java

    home = _fake_java(java_places["home"], "25.0.1")
    _fake_java(java_places["jvm"] / "temurin-26", "26")
    _fake_java(java_places["path"], "17.0.15")
    monkeypatch.setenv("JAVA_HOME", str(java_places["home"]))
    assert find_java(minimum=25) == str(home)


def test_jvm_folder_is_searched_for_the_newest_that_will_do(java_places, monkeypatch):
    from citydiplomacy.services.java import find_java

    _fake_java(java_places["home"], "17.0.2")  # too old: not chosen although JAVA_HOME points at it
    monkeypatch.setenv("JAVA_HOME", str(java_places["home"]))
    _fake_java(java_places["path"], "17.0.15")
    _fake_java(java_places["jvm"] / "java-17-openjdk", "17.0.15")
    newest = _fake_java(java_places["jvm"] / "temurin-25", "25.0.3")
    _fake_java(java_places["jvm"] / "java-1.8.0", "1.8.0_412")
    assert find_java(minimum=25) == str(newest)
    assert find_java(minimum=8) == str(java_places["home"] / "bin" / "java")  # JAVA_HOME satisfies 8


def test_refusal_names_the_places_searched(java_places, monkeypatch):
    from citydiplomacy.core.errors import CitydipError
    from citydiplomacy.services.java import find_java

    _fake_java(java_places["home"], "17.0.2")
    monkeypatch.setenv("JAVA_HOME", str(java_places["home"]))
    _fake_java(java_places["jvm"] / "java-21", "21.0.4")
    with pytest.raises(CitydipError) as caught:
        find_java(minimum=25, who="Pellet")
    message = caught.value.message
    assert caught.value.exit_code == 2 and "\n" not in message
    assert "Pellet needs Java 25 or newer" in message
    assert f"JAVA_HOME={java_places['home']}" in message
    assert str(java_places["jvm"]) in message and "PATH" in message
    assert "Java 17" in message and "Java 21" in message


def test_pellet_refusal_on_the_command_line(java_places, monkeypatch):
    _fake_java(java_places["path"], "17.0.15")
    monkeypatch.setattr("citydiplomacy.services.reasoning.pellet_needs_java", lambda: 25)
    result = CliRunner().invoke(cli, ["reason", "--reasoner", "pellet"])
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "needs Java 25" in lines[0]
    assert str(java_places["jvm"]) in lines[0] and "JAVA_HOME (unset)" in lines[0]


def test_java_needed_is_read_from_the_class_files(tmp_path):
    import zipfile

    from citydiplomacy.services.java import java_needed_by_jars

    def header(major: int) -> bytes:
        return b"\xca\xfe\xba\xbe\x00\x00" + major.to_bytes(2, "big")

    with zipfile.ZipFile(tmp_path / "lib.jar", "w") as jar:
        jar.writestr("a/Old.class", header(52))
        jar.writestr("a/New.class", header(69))
        jar.writestr("META-INF/versions/27/a/New.class", header(71))  # skipped by an older Java
    assert java_needed_by_jars(str(tmp_path)) == 25


# ---------------------------------------------------------------- the store, the size guard, the report


def _fill_store(text: str) -> None:
    """Put *text* (Turtle) into the test's store as imported data, then let the command open it."""
    import gc
    import os

    import pyoxigraph

    from citydiplomacy.core.namespaces import GRAPH_DATA
    from citydiplomacy.core.store import open_store

    store = open_store(os.environ["CITYDIP_STORE"])
    store.load(text.encode("utf-8"), format=pyoxigraph.RdfFormat.TURTLE, to_graph=pyoxigraph.NamedNode(GRAPH_DATA))
    store.flush()
    del store
    gc.collect()  # release the store's lock before the command opens it


def _types_of(output: str) -> set[tuple[str, str]]:
    report = json.loads(output)
    return {(t["individual"]["iri"], t["class"]["iri"]) for t in report["inferred_types"]}


def test_reason_reads_the_store_by_default():
    _fill_store(INFERRING)
    result = CliRunner().invoke(cli, ["reason", "--reasoner", "owlrl", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert (str(EX.Tehran), str(EX.TwinnedCapital)) in _types_of(result.output)
    alone = CliRunner().invoke(cli, ["reason", "--reasoner", "owlrl", "--format", "json", "--no-imported"])
    assert alone.exit_code == 0, alone.output
    assert _types_of(alone.output) == set()
    assert json.loads(alone.output)["input_triples"] < json.loads(result.output)["input_triples"]


def test_data_files_add_to_the_store(tmp_path):
    # Kyiv is a city in the store; Tehran's twin is named in the file: only together is Tehran a twinned capital.
    store_part = PREFIXES + "ex:Kyiv a cdo:City , owl:NamedIndividual .\n"
    file_part = INFERRING.replace('ex:Kyiv a cdo:City , owl:NamedIndividual ; rdfs:label "Kyiv"@en .', "")
    _fill_store(store_part)
    data = _write(tmp_path, "tehran.ttl", file_part)
    result = CliRunner().invoke(cli, ["reason", "--reasoner", "owlrl", "--format", "json", "--data", data])
    assert result.exit_code == 0, result.output
    assert (str(EX.Tehran), str(EX.TwinnedCapital)) in _types_of(result.output)


def test_size_guard_refuses_before_reasoning(monkeypatch):
    monkeypatch.setattr("citydiplomacy.cli.reason.java_for", lambda reasoner: "java")  # no Java needed to refuse
    monkeypatch.setattr("citydiplomacy.cli.reason.run_owl_reasoner", pytest.fail)
    result = CliRunner().invoke(cli, ["reason", "--max-triples", "1000"])
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert "above --max-triples 1,000" in lines[0] and "HermiT would not finish" in lines[0]
    assert "--reasoner owlrl" in lines[0]


def test_size_guard_default_is_shown_in_help():
    from citydiplomacy.services.reasoning import MAX_TRIPLES

    result = CliRunner().invoke(cli, ["reason", "--help"])
    assert f"hermit {MAX_TRIPLES['hermit']:,}" in " ".join(result.output.split())
    assert "added to what the store holds" in " ".join(result.output.split())


def test_table_says_why_nothing_new_was_inferred():
    result = CliRunner().invoke(cli, ["reason", "--reasoner", "owlrl", "--no-imported"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "No class hierarchy beyond the asserted one" in text
    assert "No individual gains a type" in text
    assert "OWL-RL materialised" in text and "What the materialised graph adds, by property" in text


def test_table_shows_inferred_types():
    _fill_store(INFERRING)
    result = CliRunner().invoke(cli, ["reason", "--reasoner", "owlrl"])
    assert result.exit_code == 0, result.output
    assert "Inferred types of individuals" in result.output
    assert "twinned capital" in result.output
    assert "No individual gains a type" not in result.output


@pytest.mark.java
def test_pellet_reports_no_punning_artefacts():
    """owlready2 reads cdo:CityNetworkMembership's asserted type as a superclass; that is not reported."""
    result = CliRunner().invoke(cli, ["reason", "--reasoner", "pellet", "--no-imported", "--format", "json"])
    if result.exit_code == 2:
        pytest.skip(result.output.strip())
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["inferred_subclasses"] == [] and report["inferred_types"] == []
