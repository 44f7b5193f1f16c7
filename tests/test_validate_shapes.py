"""The SHACL shapes: every constraint has an invalid example that triggers exactly it, valid data
and the article's examples conform, and the ontology passes its own QA shapes.

Each file in tests/data/invalid/ says in its header what it must trigger:
``# expect: focus=... path=... component=... shape=...`` and ``# inference: none|rdfs``
(data shapes) or ``# mode: ontology`` (ontology QA shapes), and ``# also: SHAPE`` for a shape
that must fire as well (a bid without a date lacks the activity's date too).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import RDF

from citydiplomacy.core import resources
from citydiplomacy.core.namespaces import SH, bind_prefixes
from citydiplomacy.core.ontology import load_ontology
from citydiplomacy.services.validation.engine import load_shapes, validate_graph, validate_ontology
from citydiplomacy.services.validation.report import SHAPES_NAMESPACE, path_text

DATA = Path(__file__).parent / "data"
INVALID = sorted((DATA / "invalid").glob("*.ttl"))
VALID = sorted((DATA / "valid").glob("*.ttl"))
EXPECT = re.compile(r"^# expect: focus=(\S+) path=(\S+) component=(\S+) shape=(\S+)$", re.M)

# SHACL parameter -> the constraint component it belongs to (those our shapes use).
PARAMETER_COMPONENT = {
    SH.minCount: SH.MinCountConstraintComponent,
    SH.maxCount: SH.MaxCountConstraintComponent,
    SH["class"]: SH.ClassConstraintComponent,
    SH.datatype: SH.DatatypeConstraintComponent,
    SH["or"]: SH.OrConstraintComponent,
    SH["in"]: SH.InConstraintComponent,
    SH.pattern: SH.PatternConstraintComponent,
    SH["not"]: SH.NotConstraintComponent,
    SH.nodeKind: SH.NodeKindConstraintComponent,
    SH.minInclusive: SH.MinInclusiveConstraintComponent,
    SH.hasValue: SH.HasValueConstraintComponent,
    SH.uniqueLang: SH.UniqueLangConstraintComponent,
    SH.qualifiedMinCount: SH.QualifiedMinCountConstraintComponent,
    SH.sparql: SH.SPARQLConstraintComponent,
}

_NS = rdflib.Graph()
bind_prefixes(_NS)
_NS.bind("cds", SHAPES_NAMESPACE)


def expand(name: str) -> rdflib.URIRef:
    if name.startswith("<"):
        return rdflib.URIRef(name[1:-1])
    return _NS.namespace_manager.expand_curie(name)


_ONTOLOGY = None


def ontology() -> rdflib.Graph:
    """The packaged ontology, parsed once per test session (it is read-only here)."""
    global _ONTOLOGY
    if _ONTOLOGY is None:
        _ONTOLOGY = load_ontology()
    return _ONTOLOGY


def header(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    match = EXPECT.search(text)
    mode = re.search(r"^# mode: (\S+)$", text, re.M)
    inference = re.search(r"^# inference: (\S+)$", text, re.M)
    return {
        "expect": match.groups() if match else None,
        "ontology_mode": bool(mode and mode.group(1) == "ontology"),
        "inference": inference.group(1) if inference else "rdfs",
        "also": [expand(name) for name in re.findall(r"^# also: (\S+)$", text, re.M)],
    }


def run(path: Path):
    info = header(path)
    graph = rdflib.Graph().parse(path, format="turtle")
    bind_prefixes(graph)
    if info["ontology_mode"]:
        return validate_ontology(graph)
    return validate_graph(graph, ontology=ontology(), inference=info["inference"])


def describe(report) -> str:
    return "\n".join(
        f"  {r.focus_node} {path_text(report.graph, r.path)} {r.component} {r.source_shape}: {r.message}"
        for r in report.results
    )


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_invalid_file_triggers_its_constraint(path):
    """The file's expected result is reported (focus, path, component, shape), and nothing else."""
    info = header(path)
    assert info["expect"], f"{path.name} has no '# expect:' header"
    focus, expected_path, component, shape = info["expect"]
    report = run(path)
    hits = [
        r
        for r in report.results
        if r.focus_node == expand(focus)
        and path_text(report.graph, r.path) == ("" if expected_path == "-" else expected_path)
        and r.component == expand(component)
        and r.source_shape == expand(shape)
    ]
    assert hits, f"{path.name}: expected {info['expect']}, got:\n{describe(report)}"
    assert all(h.message and "{$" not in h.message and "{?" not in h.message for h in hits)
    stray = [r for r in report.results if r.source_shape != expand(shape) and r.source_shape not in info["also"]]
    assert not stray, f"{path.name} also triggers other shapes (it should be valid but for one thing):\n{describe(report)}"


@pytest.mark.parametrize("path", VALID, ids=[p.stem for p in VALID])
def test_valid_file_conforms(path):
    report = run(path)
    assert report.conforms, describe(report)


@pytest.mark.parametrize("inference", ["none", "rdfs", "owlrl"])
def test_valid_data_conforms_under_every_inference(inference):
    graph = rdflib.Graph().parse(DATA / "valid" / "twinning.ttl", format="turtle")
    report = validate_graph(graph, ontology=ontology(), inference=inference)
    assert report.conforms, describe(report)


def test_messages_name_the_offending_value():
    """Templates are filled: the value and the focus node appear in the message as prefixed names."""
    report = run(DATA / "invalid" / "city-population-negative.ttl")
    (result,) = report.results
    assert '"-5"^^xsd:integer' in result.message and "cdr:city-isfahan" in result.message
    # and in the report graph too
    messages = [str(m) for m in report.graph.objects(None, SH.resultMessage)]
    assert messages == [result.message]


def test_sparql_messages_use_prefixed_names():
    report = run(DATA / "invalid" / "twinning-dates-out-of-order.ttl")
    (result,) = report.results
    assert result.message.startswith('end date "2000"^^xsd:gYear of cdr:twinning-t1') or "cdr:twinning-t1" in result.message
    assert "https://w3id.org/citydiplomacy/resource/" not in result.message
    assert "2001-03-05" in result.message


def test_dates_compare_gyear_with_date():
    """A gYear end in the start's year is not 'before' it; the year after a date start is fine too."""
    base = (DATA / "invalid" / "twinning-dates-out-of-order.ttl").read_text(encoding="utf-8")
    for end in ('"2001"^^xsd:gYear', '"2001-03-05"^^xsd:date', '"2002"^^xsd:gYear'):
        graph = rdflib.Graph().parse(data=base.replace('"2000"^^xsd:gYear', end), format="turtle")
        report = validate_graph(graph, ontology=ontology())
        assert report.conforms, f"end {end}:\n{describe(report)}"


def test_renewal_after_an_ended_agreement_is_not_a_duplicate():
    text = (DATA / "invalid" / "twinning-pair-twinned-twice.ttl").read_text(encoding="utf-8")
    text = text.replace(
        'cdo:status cdo:StatusActive ;\n    cdo:startDate "2000"^^xsd:gYear ;',
        'cdo:status cdo:StatusEnded ;\n    cdo:startDate "2000"^^xsd:gYear ;\n    cdo:endDate "2003"^^xsd:gYear ;',
        1,
    )
    report = validate_graph(rdflib.Graph().parse(data=text, format="turtle"), ontology=ontology())
    assert report.conforms, describe(report)


def test_municipality_counts_as_local_government_through_the_ontology():
    """sh:class follows rdfs:subClassOf from the ontology graph pyshacl mixes in."""
    text = (DATA / "invalid" / "twinning-partner-not-city.ttl").read_text(encoding="utf-8")
    text = text.replace("cdr:city-isfahan , cdr:country-Q29", "cdr:city-isfahan , cdr:gov-seville")
    text += '\ncdr:gov-seville a cdo:Municipality ; rdfs:label "Ayuntamiento de Sevilla"@es .\n'
    graph = rdflib.Graph().parse(data=text, format="turtle")
    assert validate_graph(graph, ontology=ontology(), inference="none").conforms
    assert not validate_graph(graph, ontology=None, inference="none").conforms


def _named_shapes(graph: rdflib.Graph) -> set:
    shapes = set()
    for cls in (SH.NodeShape, SH.PropertyShape):
        shapes |= set(graph.subjects(RDF.type, cls))
    return shapes


@pytest.mark.parametrize("which", ["data", "ontology-qa"])
def test_every_shape_has_name_message_severity(which):
    graph = load_shapes(which)
    shapes = _named_shapes(graph)
    assert len(shapes) > 10
    for shape in shapes:
        assert isinstance(shape, rdflib.URIRef) and str(shape).startswith(SHAPES_NAMESPACE), shape
        assert graph.value(shape, SH.name) is not None, f"{shape} has no sh:name"
        assert graph.value(shape, SH.severity) in (SH.Violation, SH.Warning, SH.Info), f"{shape} has no sh:severity"
        message = graph.value(shape, SH.message)
        assert message is not None, f"{shape} has no sh:message"
        assert "{$this}" in message or "{$value}" in message, f"{shape}: the message names neither node nor value"
    # every property shape is used by a node shape
    used = set(graph.objects(None, SH.property))
    for shape in graph.subjects(RDF.type, SH.PropertyShape):
        assert shape in used, f"{shape} is not attached to any node shape"


@pytest.mark.parametrize("which", ["data", "ontology-qa"])
def test_every_constraint_has_an_invalid_example(which):
    graph = load_shapes(which)
    constraints = set()
    for shape in _named_shapes(graph):
        for parameter, component in PARAMETER_COMPONENT.items():
            if (shape, parameter, None) in graph:
                constraints.add((shape, component))
    covered = set()
    for path in INVALID:
        info = header(path)
        if info["expect"] and info["ontology_mode"] == (which == "ontology-qa"):
            _focus, _path, component, shape = info["expect"]
            covered.add((expand(shape), expand(component)))
    missing = sorted(f"{s} {c}" for s, c in constraints - covered)
    assert not missing, "constraints without an invalid example:\n" + "\n".join(missing)


def test_article_examples_conform():
    """ontology/examples.ttl (the article's named individuals) has no violation."""
    path = resources.examples_file()
    assert path.exists(), f"{path} is missing"
    graph = rdflib.Graph().parse(path, format="turtle")
    report = validate_graph(graph, ontology=ontology())
    assert not report.fails("violation"), describe(report)


def test_ontology_passes_its_own_qa_shapes():
    report = validate_ontology(ontology())
    assert report.conforms, f"{len(report.results)} QA results:\n{describe(report)}"


def test_shapes_only_name_terms_the_ontology_declares():
    """A renamed class or individual in the ontology must not leave a shape checking nothing."""
    shapes = load_shapes("data")
    declared = set(ontology().subjects(RDF.type, None))
    cdo = "https://w3id.org/citydiplomacy/ontology#"
    used = {
        node
        for triple in shapes
        for node in triple
        if isinstance(node, rdflib.URIRef) and str(node).startswith(cdo)
    }
    assert used and not sorted(used - declared), sorted(used - declared)
