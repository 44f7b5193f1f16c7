"""HermiT and Pellet (through owlready2, need Java) find the ontology and the examples consistent, with
no unsatisfiable class; a control run shows the disjointness axioms are really seen by the reasoner.

The published files reason as they are (issue 13, the datatype policy in docs/ontology.md): their data
assertions use only the OWL 2 datatype map (a year is an xsd:integer), so the files are loaded here
exactly as on disk, every owl:imports resolved through ontology/catalog-v001.xml as Protégé does, with
no conversion of any literal. owlready2 reads no Turtle, so each file goes to it as N-Triples: the same
triples, another syntax. Protégé's own OWL API is not available here (no Protégé in the test
environment); these runs are what is checked instead.

User data may still carry xsd:date and xsd:gYear (outside the map): `citydip reason` sends it through
citydiplomacy.services.reasoning.prepare_for_owl_reasoner, which turns dates and years into
xsd:dateTime in a copy; the control test below uses that path too."""

from __future__ import annotations

import io
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import rdflib
from rdflib import URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD

from citydiplomacy.core import resources
from citydiplomacy.core.errors import CitydipError
from citydiplomacy.core.namespaces import CDO, CDR, EXAMPLES_IRI, ONTOLOGY_IRI
from citydiplomacy.services.reasoning import OWL2_DATATYPES, java_for, prepare_for_owl_reasoner

pytestmark = pytest.mark.java


def _merged() -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in [*resources.ontology_files(), resources.examples_file()]:
        graph.parse(path, format="turtle")
    return graph


def _hermit(graph: rdflib.Graph, tmp_path):
    """Run owlready2's HermiT on a prepared copy; return (consistent, unsatisfiable class IRIs)."""
    if shutil.which("java") is None:
        pytest.fail("java is not on PATH: install a JRE (scripts/install-system-deps.sh)")
    import owlready2
    from owlready2.base import OwlReadyInconsistentOntologyError

    prepared = prepare_for_owl_reasoner(graph)
    for _, _, o in prepared:
        if isinstance(o, rdflib.Literal) and o.datatype is not None:
            assert o.datatype in OWL2_DATATYPES, f"{o.datatype} left for HermiT"
    path = tmp_path / "merged.nt"
    prepared.serialize(destination=str(path), format="nt", encoding="utf-8")
    world = owlready2.World()
    try:
        world.get_ontology(path.as_uri()).load()
        try:
            owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
        except OwlReadyInconsistentOntologyError:
            return False, set()
        unsat = {c.iri for c in world.inconsistent_classes() if getattr(c, "iri", None) != str(OWL.Nothing)}
        return True, unsat
    finally:
        world.close()


def _catalog() -> list[tuple[str, Path]]:
    """(ontology IRI, local file) for every entry of the Protégé catalog, as Protégé resolves imports."""
    base = resources.ontology_dir()
    root = ET.parse(base / "catalog-v001.xml").getroot()
    return [(e.get("name"), base / e.get("uri")) for e in root.iter("{urn:oasis:names:tc:entity:xmlns:xml:catalog}uri")]


def _published_world():
    """An owlready2 World holding the examples and, through the catalog, everything they import, as on disk."""
    import owlready2

    files = dict(_catalog())
    world = owlready2.World()
    loaded: set[str] = set()

    def load(iri: str) -> None:
        if iri in loaded:
            return
        loaded.add(iri)
        graph = rdflib.Graph().parse(files[iri], format="turtle")  # the file as it is, nothing converted
        for imported in graph.objects(None, OWL.imports):
            assert str(imported) in files, f"{files[iri].name} imports {imported}, which the catalog does not resolve"
            load(str(imported))
        triples = graph.serialize(format="nt", encoding="utf-8")
        world.get_ontology(iri).load(fileobj=io.BytesIO(triples), format="ntriples")

    load(EXAMPLES_IRI)
    assert {ONTOLOGY_IRI, f"{ONTOLOGY_IRI}/facts", f"{ONTOLOGY_IRI}/decisions"} <= loaded
    return world


def test_the_published_data_assertions_use_only_the_owl2_datatype_map():
    """What HermiT and Pellet refuse (xsd:gYear, xsd:date) is absent from the files' data assertions."""
    graph = _merged()
    annotation = set(graph.subjects(RDF.type, OWL.AnnotationProperty)) | {RDFS.label, RDFS.comment}
    outside = [
        (s, p, o)
        for s, p, o in graph
        if isinstance(o, rdflib.Literal)
        and o.datatype is not None
        and o.datatype not in OWL2_DATATYPES
        and p not in annotation
    ]
    assert outside == []
    assert graph.value(CDR.MayorsForPeace, CDO.foundingYear) == rdflib.Literal(1982)
    assert (CDO.foundingYear, RDFS.range, XSD.integer) in graph


@pytest.mark.parametrize("reasoner", ["hermit", "pellet"])
def test_the_published_files_as_they_are_are_consistent_without_unsatisfiable_classes(reasoner):
    import owlready2
    from owlready2.base import OwlReadyInconsistentOntologyError

    try:
        java = java_for(reasoner)  # Pellet's Java is read from its jars (services/java.py)
    except CitydipError as exc:
        # owlready2's Pellet needs Java 25, newer than Debian 12's 17 (as test_reasoning's Pellet test):
        # without it the refusal is one line saying which Java is needed, and Pellet is not run.
        assert reasoner == "pellet" and "needs Java" in str(exc), str(exc)
        return
    world = _published_world()
    assert world.search_one(iri=str(CDR.MayorsForPeace)) is not None
    old_java = owlready2.JAVA_EXE
    owlready2.JAVA_EXE = java
    try:
        run = owlready2.sync_reasoner_hermit if reasoner == "hermit" else owlready2.sync_reasoner_pellet
        try:
            run(world, infer_property_values=False, debug=0)
        except OwlReadyInconsistentOntologyError as exc:
            pytest.fail(f"{reasoner} finds the published files inconsistent: {exc}")
        unsat = {c.iri for c in world.inconsistent_classes() if getattr(c, "iri", None) != str(OWL.Nothing)}
        assert unsat == set()
    finally:
        owlready2.JAVA_EXE = old_java
        world.close()


def test_hermit_finds_ontology_and_examples_consistent_through_the_conversion_too(tmp_path):
    """The `citydip reason` path (prepare_for_owl_reasoner) on the same files."""
    consistent, unsat = _hermit(_merged(), tmp_path)
    assert consistent
    assert unsat == set()


def test_hermit_sees_the_disjointness_axioms(tmp_path):
    """Control: a class under both sides of a declared contrast must come back unsatisfiable."""
    graph = _merged()
    probe = URIRef("https://example.org/probe#PlaceAndFlow")
    graph.add((probe, RDF.type, OWL.Class))
    graph.add((probe, RDFS.subClassOf, CDO.SpaceOfPlaces))
    graph.add((probe, RDFS.subClassOf, CDO.SpaceOfFlows))
    consistent, unsat = _hermit(graph, tmp_path)
    assert consistent
    assert unsat == {str(probe)}
