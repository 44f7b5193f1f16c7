"""Running a compiled plan (:mod:`.plan`) against a pyoxigraph store, set at a time.

Each node shape's focus nodes and each property shape's value nodes come from one SPARQL
query per (target, path); the Core constraints are then checked per value in Python, with
rdflib's own literal checks (``Literal.ill_typed``, pyshacl's ``compare_literal``) so that a
value conforms here exactly when it does for pyshacl. SPARQL-based constraints run once over
all focus nodes, with ``$this`` left free instead of pre-bound and ``$PATH`` substituted as
SHACL prescribes. Results are built through :mod:`citydiplomacy.services.validation.report`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from typing import cast

import pyoxigraph as ox
import rdflib
from rdflib import URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, XSD
from rdflib.term import Node

from citydiplomacy.core.namespaces import SH
from citydiplomacy.core.terms import to_ox, to_rdflib
from citydiplomacy.services.validation.fast.plan import Constraint, NodeShapeCheck, PropertyCheck, is_implicit_class
from citydiplomacy.services.validation.report import TEMPLATE, Result, fill, prefixed_graph, result_values, short

# Plain constants: rdflib's Namespace attribute lookup builds a new URIRef on every access.
_LANGSTRING, _STRING = URIRef(RDF.langString), URIRef(XSD.string)
_KINDS_ALLOWED: dict[Node, tuple[type, ...]] = {
    SH.IRI: (ox.NamedNode,),
    SH.BlankNode: (ox.BlankNode,),
    SH.Literal: (ox.Literal,),
    SH.BlankNodeOrIRI: (ox.BlankNode, ox.NamedNode),
    SH.BlankNodeOrLiteral: (ox.BlankNode, ox.Literal),
    SH.IRIOrLiteral: (ox.NamedNode, ox.Literal),
}

Values = dict  # focus node (pyoxigraph term) -> its value nodes at one path
Failure = tuple  # (focus node, value node or None), both pyoxigraph terms


class Checker:
    """Evaluate one shapes graph's plan against one pyoxigraph data store."""

    def __init__(self, data: ox.Store, shapes: rdflib.Graph, types_closed: bool = False):
        """*types_closed*: rdf:type is already closed under rdfs:subClassOf (RDFS materialised)."""
        self.data = data
        self.shapes = shapes
        self.types_closed = types_closed
        self.names = prefixed_graph()  # how nodes are written in messages
        self._types: dict[str, set[str]] | None = None
        self._paths: dict[str, Values] = {}
        self._conforms: dict[tuple, bool] = {}
        self._lists: dict[Node, set] = {}

    def select(self, query: str) -> ox.QuerySolutions:
        """The solutions of a SELECT query on the data."""
        solutions = self.data.query(query)
        assert isinstance(solutions, ox.QuerySolutions)
        return solutions

    def run(self, plan: Iterable[NodeShapeCheck]) -> list[Result]:
        """Every result of *plan*, sorted by focus node, shape, path and value."""
        out: list[Result] = []
        for node_shape in plan:
            focus = self.focus_nodes(node_shape.shape)
            if not focus:
                continue
            found: list[Result] = []
            for constraint in node_shape.sparql:
                found += self.run_sparql(constraint, node_shape.shape, node_shape.severity, focus, None)
            for check in node_shape.properties:
                found += self.check_property(check, focus)
            # pyshacl evaluates each node shape on its own: a node targeted by two node shapes
            # that share a property shape gets that shape's results twice, and so do we.
            unique: dict[tuple, Result] = {}
            for result in found:
                unique.setdefault((*result.key(), result.message), result)
            out += unique.values()
        return sorted(out, key=lambda r: (str(r.focus_node), str(r.source_shape), str(r.path), str(r.value)))

    # -- the data ------------------------------------------------------------

    def focus_nodes(self, shape: Node) -> set:
        """The shape's targets in the data (pyoxigraph terms)."""
        g = self.shapes
        queries = [
            f"SELECT DISTINCT ?s WHERE {{ ?s a/<{RDFS.subClassOf}>* <{cls}> }}"
            for cls in g.objects(shape, SH.targetClass)
        ]
        if is_implicit_class(g, shape):
            queries.append(f"SELECT DISTINCT ?s WHERE {{ ?s a/<{RDFS.subClassOf}>* <{shape}> }}")
        queries += [f"SELECT DISTINCT ?s WHERE {{ ?s <{p}> ?o }}" for p in g.objects(shape, SH.targetSubjectsOf)]
        queries += [f"SELECT DISTINCT ?s WHERE {{ ?o <{p}> ?s }}" for p in g.objects(shape, SH.targetObjectsOf)]
        nodes = {row["s"] for query in queries for row in self.select(query)}
        return nodes | {to_ox(node) for node in g.objects(shape, SH.targetNode)}

    def values(self, path: str) -> Values:
        """Value nodes of every subject at *path* (SPARQL syntax): one query per distinct path, kept."""
        table = self._paths.get(path)
        if table is None:
            table = self._paths[path] = defaultdict(list)
            for s, o in self.select(f"SELECT DISTINCT ?s ?o WHERE {{ ?s {path} ?o }}"):
                table[s].append(o)
        return table

    def types_of(self) -> dict[str, set[str]]:
        """rdf:type/rdfs:subClassOf* of every node (SHACL's notion of an instance), keyed by str(term)."""
        if self._types is None:
            types: dict[str, set[str]] = defaultdict(set)
            query = (
                "SELECT ?s ?c WHERE { ?s a ?c }"
                if self.types_closed
                else f"SELECT ?s ?c WHERE {{ ?s a ?t . ?t <{RDFS.subClassOf}>* ?c }}"
            )
            for s, c in self.select(query):
                types[str(s)].add(c.value)
            self._types = types
        return self._types

    def members(self, rdf_list: Node) -> set:
        """The members of an RDF list of the shapes graph (an sh:in parameter)."""
        if rdf_list not in self._lists:
            self._lists[rdf_list] = set(Collection(self.shapes, rdf_list))
        return self._lists[rdf_list]

    # -- constraints ---------------------------------------------------------

    def conforms(self, parameter: Node, argument: Node, value) -> bool:
        """Whether one value node meets a per-value constraint (``sh:class C`` ...), remembered."""
        key = (parameter, argument, value)
        known = self._conforms.get(key)
        if known is None:
            known = self._conforms[key] = VALUE_TESTS[parameter](self, argument, value)
        return known

    def check_property(self, check: PropertyCheck, focus: set) -> list[Result]:
        """The results of one property shape for the focus nodes of its node shape."""
        values = self.values(check.path_sparql) if check.path is not None else {node: [node] for node in focus}
        out: list[Result] = []
        for constraint in check.constraints:
            if constraint.parameter == SH.sparql:
                out += self.run_sparql(constraint, check.shape, check.severity, focus, check)
                continue
            for node, value in PROPERTY_RUNNERS[constraint.parameter](self, check, constraint, focus, values):
                out.append(self.result(node, check.path, value, check.severity, check.shape, constraint))
        return out

    def run_sparql(
        self, constraint: Constraint, shape: Node, severity: Node, focus: set, check: PropertyCheck | None
    ) -> list[Result]:
        """One result per solution of a sh:select whose ``$this`` is a focus node (as pyshacl: no de-duplication)."""
        g = self.shapes
        select = str(g.value(constraint.value, SH.select))
        text = select.replace("$PATH", check.path_sparql) if check else select
        # $this free instead of pre-bound; SPARQL treats $x and ?x as the same variable.
        solutions = self.select(_prefixes(g, constraint.value) + "\n" + text)
        templates = " ".join([constraint.message, *(template for _, template in constraint.translations)])
        wanted = sorted({name for name in TEMPLATE.findall(templates) if name in _variables(solutions)})
        out = []
        for row in solutions:
            this = row["this"]
            if this not in focus:
                continue
            value = row["value"] if _bound(row, "value") else (None if check else this)
            path = to_rdflib(row["path"]) if _bound(row, "path") else (check.path if check else None)
            bindings = {name: short(self.names, to_rdflib(row[name])) for name in wanted if _bound(row, name)}
            out.append(self.result(this, path, value, severity, shape, constraint, bindings))
        return out

    def result(
        self,
        focus,
        path: Node | None,
        value,
        severity: Node,
        shape: Node,
        constraint: Constraint,
        bindings: dict[str, str] | None = None,
    ) -> Result:
        """A :class:`Result` with its message filled: SPARQL *bindings* first, then this/value/path."""
        focus_node = to_rdflib(focus)
        value_node = to_rdflib(value) if value is not None else None
        message, translations = constraint.message, constraint.translations
        if "{" in message or translations:
            values = {**result_values(self.names, self.shapes, focus_node, value_node, path), **(bindings or {})}
            message = fill(message, values)
            translations = tuple((language, fill(text, values)) for language, text in translations)
        severity_iri = cast(URIRef, severity)
        return Result(focus_node, path, value_node, severity_iri, shape, constraint.component, message, translations)


# ---------------------------------------------------------------- per-value tests


def _is_instance(checker: Checker, cls: Node, value) -> bool:
    return not isinstance(value, ox.Literal) and str(cls) in checker.types_of().get(str(value), ())


def _has_datatype(checker: Checker, datatype: Node, value) -> bool:
    if not isinstance(value, ox.Literal):
        return False
    literal = to_rdflib(value)
    assert isinstance(literal, rdflib.Literal)
    if datatype == _LANGSTRING:
        return literal.language is not None
    if datatype == _STRING:
        return literal.language is None and literal.datatype in (None, _STRING)
    return literal.datatype == datatype and not literal.ill_typed


def _is_member(checker: Checker, rdf_list: Node, value) -> bool:
    return to_rdflib(value) in checker.members(rdf_list)


def _has_node_kind(checker: Checker, kind: Node, value) -> bool:
    return isinstance(value, _KINDS_ALLOWED[kind])


def _compared(value, bound: Node) -> int | None:
    """pyshacl's rule: strings and non-strings never compare; compare_literal otherwise (None: they do not)."""
    from pyshacl.rdfutil.compare import compare_literal

    literal = to_rdflib(value)
    if not isinstance(literal, rdflib.Literal) or not isinstance(bound, rdflib.Literal):
        return None
    if isinstance(literal.value, str) != isinstance(bound.value, str):
        return None
    try:
        return compare_literal(literal, bound)
    except (TypeError, NotImplementedError):
        return None


def _at_least(checker: Checker, minimum: Node, value) -> bool:
    """sh:minInclusive: the value compares with *minimum* and is not below it."""
    order = _compared(value, minimum)
    return order is not None and order >= 0


def _at_most(checker: Checker, maximum: Node, value) -> bool:
    """sh:maxInclusive: the value compares with *maximum* and is not above it."""
    order = _compared(value, maximum)
    return order is not None and order <= 0


VALUE_TESTS: dict[Node, Callable[[Checker, Node, object], bool]] = {
    SH["class"]: _is_instance,
    SH.datatype: _has_datatype,
    SH["in"]: _is_member,
    SH.nodeKind: _has_node_kind,
    SH.minInclusive: _at_least,
    SH.maxInclusive: _at_most,
}


# ---------------------------------------------------------------- per-property runners


def _too_few(
    checker: Checker, check: PropertyCheck, constraint: Constraint, focus: set, values: Values
) -> Iterator[Failure]:
    least = _count(constraint)
    return ((node, None) for node in focus if len(values.get(node, ())) < least)


def _too_many(
    checker: Checker, check: PropertyCheck, constraint: Constraint, focus: set, values: Values
) -> Iterator[Failure]:
    most = _count(constraint)
    return ((node, None) for node in focus if len(values.get(node, ())) > most)


def _count(constraint: Constraint) -> int:
    """The number of sh:minCount / sh:maxCount (the plan has checked it is one)."""
    value = constraint.value
    assert isinstance(value, rdflib.Literal)
    return int(value)


def _each_value(
    checker: Checker, check: PropertyCheck, constraint: Constraint, focus: set, values: Values
) -> Iterator[Failure]:
    for node in focus:
        for value in values.get(node, ()):
            if not checker.conforms(constraint.parameter, constraint.value, value):
                yield node, value


def _unmatched(
    checker: Checker, check: PropertyCheck, constraint: Constraint, focus: set, values: Values
) -> Iterator[Failure]:
    flags = str(checker.shapes.value(check.shape, SH.flags) or "")
    regex = re.compile(str(constraint.value), re.IGNORECASE if "i" in flags else 0)
    for node in focus:
        for value in values.get(node, ()):
            if isinstance(value, ox.BlankNode) or not regex.search(value.value):
                yield node, value


def _none_of(
    checker: Checker, check: PropertyCheck, constraint: Constraint, focus: set, values: Values
) -> Iterator[Failure]:
    g = checker.shapes
    members = [[(p, a) for p, a in g.predicate_objects(m) if p != RDF.type] for m in Collection(g, constraint.value)]
    for node in focus:
        for value in values.get(node, ()):
            if not any(all(checker.conforms(p, a, value) for p, a in member) for member in members):
                yield node, value


PROPERTY_RUNNERS: dict[Node, Callable[..., Iterator[Failure]]] = {
    SH.minCount: _too_few,
    SH.maxCount: _too_many,
    SH.pattern: _unmatched,
    SH["or"]: _none_of,
    **{parameter: _each_value for parameter in VALUE_TESTS},
}
# Every parameter the checker evaluates (sh:sparql runs through Checker.run_sparql).
EVALUATED = frozenset(PROPERTY_RUNNERS) | {SH.sparql}


# ---------------------------------------------------------------- SPARQL helpers


def _prefixes(shapes: rdflib.Graph, node: Node) -> str:
    """The PREFIX lines of a SPARQL constraint's sh:prefixes declarations."""
    lines = []
    for source in shapes.objects(node, SH.prefixes):
        for declaration in shapes.objects(source, SH.declare):
            prefix = shapes.value(declaration, SH.prefix)
            namespace = shapes.value(declaration, SH.namespace)
            if prefix is not None and namespace is not None:
                lines.append(f"PREFIX {prefix}: <{namespace}>")
    return "\n".join(dict.fromkeys(lines))


def _variables(solutions) -> set[str]:
    return {variable.value for variable in solutions.variables}


def _bound(row, name: str) -> bool:
    try:
        return row[name] is not None
    except (KeyError, IndexError):
        return False
