"""Compiling a shapes graph into checks the fast evaluator runs: which shapes, paths, constraints.

Why a plan: what the evaluator cannot do must be known before any data is read, so callers
fall back to pyshacl early (:func:`~citydiplomacy.services.validation.fast.unsupported_reason`).
Compiling needs the shapes only; :mod:`.checker` runs exactly the plan compiled here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import rdflib
from rdflib import Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node

from citydiplomacy.core.errors import CitydipError
from citydiplomacy.core.namespaces import SH
from citydiplomacy.services.validation.report import default_message, first_message, prefixed_graph, short, translated

# The constraint parameters compiled, and the SHACL constraint component each one checks.
COMPONENTS: dict[Node, URIRef] = {
    SH.minCount: SH.MinCountConstraintComponent,
    SH.maxCount: SH.MaxCountConstraintComponent,
    SH.datatype: SH.DatatypeConstraintComponent,
    SH["class"]: SH.ClassConstraintComponent,
    SH["in"]: SH.InConstraintComponent,
    SH.pattern: SH.PatternConstraintComponent,
    SH.nodeKind: SH.NodeKindConstraintComponent,
    SH.minInclusive: SH.MinInclusiveConstraintComponent,
    SH.maxInclusive: SH.MaxInclusiveConstraintComponent,
    SH["or"]: SH.OrConstraintComponent,
    SH.sparql: SH.SPARQLConstraintComponent,
}
# Parameters allowed on a shape: the compiled ones, plus sh:flags (part of sh:pattern).
SUPPORTED = frozenset(COMPONENTS) | {SH.flags}
# Shape-description predicates that carry no constraint.
IGNORED = frozenset(
    {
        RDF.type,
        SH.name,
        SH.description,
        SH.message,
        SH.severity,
        SH.path,
        SH.property,
        SH.targetClass,
        SH.targetNode,
        SH.targetSubjectsOf,
        SH.targetObjectsOf,
        SH.order,
        SH.group,
        RDFS.label,
        RDFS.comment,
        RDFS.subClassOf,  # a shape that is also a class: its subclasses' instances are found as targets
        SH.deactivated,
        SH.defaultValue,
    }
)
TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
# sh:or members may only test each value on its own with these.
OR_MEMBER_PARAMETERS = frozenset({SH["class"], SH.datatype})
# Constraints a node shape may put on its focus node itself (each value node tested alone).
NODE_VALUE_PARAMETERS = frozenset(
    {SH["class"], SH.datatype, SH["in"], SH.nodeKind, SH.minInclusive, SH.maxInclusive, SH.pattern}
)
NODE_KINDS = frozenset({SH.IRI, SH.BlankNode, SH.Literal, SH.BlankNodeOrIRI, SH.BlankNodeOrLiteral, SH.IRIOrLiteral})
_TRUE = Literal(True)


class Unsupported(Exception):  # noqa: N818 - a public name since the engine began; tests catch it
    """The shapes use a SHACL feature this evaluator does not compile; use pyshacl."""


@dataclass(frozen=True)
class Constraint:
    """One constraint parameter of a shape, e.g. ``sh:minCount 1``, and the message of its results."""

    parameter: Node
    value: Node
    component: URIRef
    message: str
    # (language, template) of each sh:message when one has a language tag (see Result.translations).
    translations: tuple[tuple[str | None, str], ...] = ()


@dataclass
class PropertyCheck:
    """A property shape: the values at *path* of its node shape's focus nodes, checked."""

    shape: Node
    path: Node | None  # None: the node shape's own constraints, the focus node is the value
    path_sparql: str
    severity: Node
    constraints: list[Constraint] = field(default_factory=list)


@dataclass
class NodeShapeCheck:
    """A node shape with targets: its SPARQL constraints, then its property shapes."""

    shape: Node
    severity: Node
    sparql: list[Constraint] = field(default_factory=list)
    properties: list[PropertyCheck] = field(default_factory=list)


def path_sparql(shapes: rdflib.Graph, path: Node | None) -> str:
    """A SHACL path as a SPARQL property path (IRIs, sequences, inverse, alternatives, repeats)."""
    if isinstance(path, URIRef):
        return f"<{path}>"
    if path is None:
        raise Unsupported("a property shape without sh:path")
    if (path, RDF.first, None) in shapes:
        return "/".join(path_sparql(shapes, p) for p in Collection(shapes, path))
    inverse = shapes.value(path, SH.inversePath)
    if inverse is not None:
        return f"^({path_sparql(shapes, inverse)})"
    alternatives = shapes.value(path, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(path_sparql(shapes, p) for p in Collection(shapes, alternatives)) + ")"
    for predicate, suffix in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
        inner = shapes.value(path, predicate)
        if inner is not None:
            return f"({path_sparql(shapes, inner)}){suffix}"
    raise Unsupported(f"path {path!r}")


# ---------------------------------------------------------------- what is refused


def check_supported(shapes: rdflib.Graph, shape: Node) -> None:
    """Raise :class:`Unsupported` when *shape* uses a parameter the evaluator does not compile."""
    for predicate in set(shapes.predicates(shape, None)):
        if predicate not in SUPPORTED and predicate not in IGNORED:
            raise Unsupported(f"{shape} uses {predicate}")
    for item_list in shapes.objects(shape, SH["or"]):
        for member in Collection(shapes, item_list):
            keys = set(shapes.predicates(member, None)) - {RDF.type}
            if not keys <= OR_MEMBER_PARAMETERS:
                raise Unsupported(f"sh:or member of {shape} uses {keys}")
    for flags in shapes.objects(shape, SH.flags):
        if set(str(flags)) - {"i"}:
            raise Unsupported(f"sh:flags {str(flags)!r} on {shape} (only 'i' is compiled)")
    for constraint in shapes.objects(shape, SH.sparql):
        if shapes.value(constraint, SH.select) is None:
            raise Unsupported(f"SPARQL constraint of {shape} without sh:select")
        if shapes.value(constraint, SH.deactivated) == _TRUE:
            raise Unsupported("deactivated SPARQL constraint")


def parameter_problem(shapes: rdflib.Graph, predicate: Node, value: Node) -> str | None:
    """What is wrong with one constraint parameter, as pyshacl would refuse it (None: fine)."""
    if predicate in (SH.minCount, SH.maxCount):
        number = value.value if isinstance(value, Literal) else None
        if not isinstance(number, int) or isinstance(number, bool) or number < 0:
            return "must be a non-negative integer"
    elif predicate in (SH.datatype, SH["class"]) and not isinstance(value, URIRef):
        return "must be an IRI"
    elif predicate == SH.nodeKind and value not in NODE_KINDS:
        return "must be sh:IRI, sh:Literal, sh:BlankNode or a combination of them"
    elif predicate == SH["in"] and value != RDF.nil and (value, RDF.first, None) not in shapes:
        return "must be an RDF list"
    elif predicate in (SH.minInclusive, SH.maxInclusive) and not isinstance(value, Literal):
        return "must be a literal"
    elif predicate == SH.pattern:
        try:
            re.compile(str(value))
        except re.error as exc:
            return f"is not a regular expression ({exc})"
    return None


def check_parameters(shapes: rdflib.Graph, shape: Node, names: rdflib.Graph) -> None:
    """Refuse invalid constraint parameters with the message the pyshacl path gives (exit 2)."""
    for predicate, value in shapes.predicate_objects(shape):
        problem = parameter_problem(shapes, predicate, value)
        if problem:
            raise CitydipError(
                f"the shapes are not valid SHACL: {short(names, predicate)} {short(names, value)} on "
                f"{short(names, shape)} {problem}; fix the shapes file"
            )


# ---------------------------------------------------------------- compiling


def compile_shapes(shapes: rdflib.Graph) -> list[NodeShapeCheck]:
    """The checks for every active node shape with a target, in a stable order.

    Raises :class:`Unsupported` for a feature the evaluator lacks and ``CitydipError`` for
    shapes that are not valid SHACL.
    """
    node_shapes = set(shapes.subjects(RDF.type, SH.NodeShape)) | set(shapes.subjects(SH.property, None))
    for predicate in TARGETS:
        for shape in shapes.subjects(predicate, None):
            if shape not in node_shapes:
                raise Unsupported(f"{shape} has a target but is no node shape")
    names = prefixed_graph()
    plan = []
    for shape in sorted(node_shapes, key=str):
        if shapes.value(shape, SH.deactivated) == _TRUE:
            continue
        check_supported(shapes, shape)
        if not (is_implicit_class(shapes, shape) or any((shape, p, None) in shapes for p in TARGETS)):
            continue
        for key in COMPONENTS.keys() - {SH.sparql} - NODE_VALUE_PARAMETERS:
            if (shape, key, None) in shapes:
                raise Unsupported(f"node-level {key} on {shape}")
        check_parameters(shapes, shape, names)
        severity = shapes.value(shape, SH.severity) or SH.Violation
        sparql = [_sparql_constraint(shapes, shape, c) for c in shapes.objects(shape, SH.sparql)]
        properties = [
            _compile_property(shapes, p, names)
            for p in sorted(shapes.objects(shape, SH.property), key=str)
            if shapes.value(p, SH.deactivated) != _TRUE
        ]
        if any((shape, key, None) in shapes for key in NODE_VALUE_PARAMETERS):
            own = PropertyCheck(shape, None, "", severity)
            _add_constraints(shapes, own, names, NODE_VALUE_PARAMETERS)
            properties.insert(0, own)
        plan.append(NodeShapeCheck(shape, severity, sparql, properties))
    return plan


def is_implicit_class(shapes: rdflib.Graph, shape: Node) -> bool:
    """A shape that is also a class targets its instances (SHACL 2.1.3.3)."""
    return (shape, RDF.type, RDFS.Class) in shapes or (shape, RDF.type, OWL.Class) in shapes


def _compile_property(shapes: rdflib.Graph, shape: Node, names: rdflib.Graph) -> PropertyCheck:
    check_supported(shapes, shape)
    if (shape, SH.property, None) in shapes:
        raise Unsupported(f"{shape} is a property shape with nested sh:property")
    check_parameters(shapes, shape, names)
    path = shapes.value(shape, SH.path)
    if path is None:
        raise Unsupported(f"{shape} is a property shape without sh:path")
    severity = shapes.value(shape, SH.severity) or SH.Violation
    check = PropertyCheck(shape, path, path_sparql(shapes, path), severity)
    _add_constraints(shapes, check, names, frozenset(COMPONENTS))
    return check


def _add_constraints(shapes: rdflib.Graph, check: PropertyCheck, names: rdflib.Graph, wanted: frozenset) -> None:
    """The constraints of *check*'s shape among the *wanted* parameters, in a stable order."""
    shape = check.shape
    message = first_message(shapes.objects(shape, SH.message))
    translations = translated(shapes.objects(shape, SH.message))
    for parameter, value in sorted(shapes.predicate_objects(shape)):
        if parameter not in wanted:
            continue
        if parameter == SH.sparql:
            check.constraints.append(_sparql_constraint(shapes, shape, value))
        elif parameter in COMPONENTS:
            component = COMPONENTS[parameter]
            text = str(message) if message is not None else default_message(component, short(names, value))
            check.constraints.append(Constraint(parameter, value, component, text, translations))


def _sparql_constraint(shapes: rdflib.Graph, shape: Node, constraint: Node) -> Constraint:
    """A sh:sparql constraint; its message is the constraint's own, or its shape's."""
    owner = constraint if (constraint, SH.message, None) in shapes else shape
    message = first_message(shapes.objects(owner, SH.message))
    text = str(message) if message is not None else default_message(SH.SPARQLConstraintComponent)
    translations = translated(shapes.objects(owner, SH.message))
    return Constraint(SH.sparql, constraint, SH.SPARQLConstraintComponent, text, translations)
