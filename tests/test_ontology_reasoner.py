"""HermiT (through owlready2, needs Java) finds the ontology and the examples consistent, with no
unsatisfiable class; a control run shows the disjointness axioms are really seen by the reasoner.

xsd:date, xsd:gYear and geo:wktLiteral are outside the OWL 2 datatype map and HermiT refuses them:
the graph goes through citydiplomacy.services.reasoning.prepare_for_owl_reasoner (issue 6), which turns dates
and years into xsd:dateTime and other such literals into xsd:string in a copy, and drops owl:imports
(the modules are merged here, nothing is fetched)."""

from __future__ import annotations

import shutil

import pytest
import rdflib
from rdflib import URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD

from citydiplomacy.core import resources
from citydiplomacy.core.namespaces import CDO
from citydiplomacy.services.reasoning import OWL2_DATATYPES, prepare_for_owl_reasoner

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


def test_hermit_finds_ontology_and_examples_consistent_without_unsatisfiable_classes(tmp_path):
    graph = _merged()
    # the converted copy really contains the dated facts (as xsd:dateTime)
    prepared = prepare_for_owl_reasoner(graph)
    years = [o for o in prepared.objects(None, CDO.foundingYear)]
    assert years and all(o.datatype == XSD.dateTime for o in years)
    consistent, unsat = _hermit(graph, tmp_path)
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
