"""Fast SHACL validation of the whole store: the shapes' constraints evaluated by pyoxigraph.

Why: pyshacl (the reference, ``citydiplomacy.services.validation.engine.validate_graph``) walks the
data graph in Python, node by node, after an RDFS closure computed by owlrl; on the ~390,000
triples of the three imported P190 files that takes minutes. Here the same shapes are
evaluated set-at-a-time by the store's SPARQL engine:

1. the data graph pyshacl would see (instance data + the ontology mixed in) is copied into
   an in-memory pyoxigraph store, and the RDFS entailments pyshacl's ``inference="rdfs"``
   would add that matter to the shapes (rdfs2/3 domain and range typing, rdfs5/7
   sub-properties, rdfs9/11 sub-classes) are materialised with SPARQL INSERT rules to a
   fixpoint;
2. each node shape's focus nodes and each property shape's value nodes are fetched with one
   SPARQL query per (target, path), and the SHACL Core components used by shapes/data.ttl
   are checked per focus node, using rdflib's own literal checks (``Literal.ill_typed``) so a
   literal is well-formed here exactly when it is for pyshacl;
3. SPARQL-based constraints (sh:sparql / sh:select) run once over all focus nodes, with
   ``$this`` left free instead of pre-bound, and ``$PATH`` substituted as SHACL prescribes.

Only the constraint components listed in ``SUPPORTED`` are compiled; a shapes graph using
anything else raises :class:`Unsupported`, and callers fall back to pyshacl
(:func:`validate_store` does). ``tests/test_validate_fast.py`` checks on a test corpus (a slice of
each real file, the article's examples, and deliberately broken data) that the results are
the same set of (focus node, path, value, severity, source shape, component) as pyshacl's.
"""

from __future__ import annotations

import re
import time
from collections import Counter, defaultdict
from dataclasses import dataclass

import pyoxigraph as ox
import rdflib
from rdflib import Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, XSD

from citydiplomacy.core.namespaces import GRAPH_ONTOLOGY, SH
from citydiplomacy.core.store import GRAPH_META
from citydiplomacy.core.terms import to_ox, to_rdflib
from citydiplomacy.services.validation.engine import Result

SUPPORTED = {
    SH.minCount,
    SH.maxCount,
    SH.datatype,
    SH["class"],
    SH["in"],
    SH.pattern,
    SH.flags,
    SH.nodeKind,
    SH.minInclusive,
    SH["or"],
    SH.sparql,
}
# Shape-description predicates that carry no constraint.
_IGNORED = {
    RDF.type, SH.name, SH.description, SH.message, SH.severity, SH.path, SH.property, SH.targetClass,
    SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.order, SH.group, RDFS.label, RDFS.comment,
    SH.deactivated, SH.defaultValue,
}
_COMPONENT = {
    SH.minCount: SH.MinCountConstraintComponent,
    SH.maxCount: SH.MaxCountConstraintComponent,
    SH.datatype: SH.DatatypeConstraintComponent,
    SH["class"]: SH.ClassConstraintComponent,
    SH["in"]: SH.InConstraintComponent,
    SH.pattern: SH.PatternConstraintComponent,
    SH.nodeKind: SH.NodeKindConstraintComponent,
    SH.minInclusive: SH.MinInclusiveConstraintComponent,
    SH["or"]: SH.OrConstraintComponent,
    SH.sparql: SH.SPARQLConstraintComponent,
}

# Plain constants: rdflib's Namespace attribute lookup builds a new URIRef on every access.
_CLASS, _DATATYPE, _IN, _NODEKIND, _MININCL = (
    URIRef(SH["class"]), URIRef(SH.datatype), URIRef(SH["in"]), URIRef(SH.nodeKind), URIRef(SH.minInclusive)
)
_LANGSTRING, _STRING = URIRef(RDF.langString), URIRef(XSD.string)

RULES = [
    # rdfs5: sub-property transitivity; rdfs11: sub-class transitivity
    f"INSERT {{ ?a <{RDFS.subPropertyOf}> ?c }} WHERE {{ ?a <{RDFS.subPropertyOf}> ?b . ?b <{RDFS.subPropertyOf}> ?c }}",
    f"INSERT {{ ?a <{RDFS.subClassOf}> ?c }} WHERE {{ ?a <{RDFS.subClassOf}> ?b . ?b <{RDFS.subClassOf}> ?c }}",
    # rdfs7: a sub-property's values are the super-property's values
    f"INSERT {{ ?s ?q ?o }} WHERE {{ ?p <{RDFS.subPropertyOf}> ?q . FILTER(isIRI(?q)) ?s ?p ?o }}",
    # rdfs2 / rdfs3: domain and range typing (no literal subjects)
    f"INSERT {{ ?s a ?c }} WHERE {{ ?p <{RDFS.domain}> ?c . ?s ?p ?o }}",
    f"INSERT {{ ?o a ?c }} WHERE {{ ?p <{RDFS.range}> ?c . ?s ?p ?o . FILTER(!isLiteral(?o)) }}",
    # rdfs9: types through sub-classes
    f"INSERT {{ ?s a ?d }} WHERE {{ ?c <{RDFS.subClassOf}> ?d . ?s a ?c }}",
]


class Unsupported(Exception):
    """The shapes use a SHACL feature this evaluator does not compile; use pyshacl."""


# ---------------------------------------------------------------- term conversion


def _sparql_term(term) -> str:
    if isinstance(term, URIRef):
        return f"<{term}>"
    raise Unsupported(f"path element {term!r}")


def path_sparql(shapes: rdflib.Graph, path) -> str:
    """A SHACL path as a SPARQL property path (IRIs, sequences, inverse, alternatives)."""
    if isinstance(path, URIRef):
        return f"<{path}>"
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


# ---------------------------------------------------------------- the data graph


def build_data_store(quads_nt: bytes, ontology_nt: bytes | None, inference: str) -> ox.Store:
    """An in-memory store holding what pyshacl's data graph would hold, closed under RDFS."""
    store = ox.Store()
    # lenient: the bytes come from a pyoxigraph dump, already valid
    if quads_nt:
        store.bulk_load(quads_nt, format=ox.RdfFormat.N_TRIPLES, lenient=True)
    if ontology_nt:
        store.bulk_load(ontology_nt, format=ox.RdfFormat.N_TRIPLES, lenient=True)
    if inference == "rdfs":
        materialise_rdfs(store)
    elif inference != "none":
        raise Unsupported(f"inference {inference!r}")
    return store


def materialise_rdfs(store: ox.Store) -> None:
    """Apply RULES to a fixpoint; the schema-level transitivity rules (cheap) close first, so
    the data-level pass usually finds everything at once and the next pass only confirms."""
    schema, data = RULES[:2], RULES[2:]
    size = len(store)
    for _ in range(50):
        for _ in range(50):
            for rule in schema:
                store.update(rule)
            new = len(store)
            if new == size:
                break
            size = new
        for rule in data:
            store.update(rule)
        new = len(store)
        if new == size:
            return
        size = new


# ---------------------------------------------------------------- shapes


def _prefixes(shapes: rdflib.Graph, node) -> str:
    lines = []
    for source in shapes.objects(node, SH.prefixes):
        for decl in shapes.objects(source, SH.declare):
            prefix = shapes.value(decl, SH.prefix)
            namespace = shapes.value(decl, SH.namespace)
            if prefix is not None and namespace is not None:
                lines.append(f"PREFIX {prefix}: <{namespace}>")
    return "\n".join(dict.fromkeys(lines))


def _check_supported(shapes: rdflib.Graph, shape) -> None:
    for predicate in set(shapes.predicates(shape, None)):
        if predicate not in SUPPORTED and predicate not in _IGNORED:
            raise Unsupported(f"{shape} uses {predicate}")
    for item_list in shapes.objects(shape, SH["or"]):
        for member in Collection(shapes, item_list):
            keys = set(shapes.predicates(member, None)) - {RDF.type}
            if not keys <= {SH["class"], SH.datatype}:
                raise Unsupported(f"sh:or member of {shape} uses {keys}")
    for constraint in shapes.objects(shape, SH.sparql):
        if shapes.value(constraint, SH.select) is None:
            raise Unsupported(f"SPARQL constraint of {shape} without sh:select")
        if shapes.value(constraint, SH.deactivated) == Literal(True):
            raise Unsupported("deactivated SPARQL constraint")


_NODE_KINDS = {SH.IRI, SH.BlankNode, SH.Literal, SH.BlankNodeOrIRI, SH.BlankNodeOrLiteral, SH.IRIOrLiteral}


def _parameter_problem(shapes: rdflib.Graph, predicate, value) -> str | None:
    """What is wrong with one constraint parameter, as pyshacl would refuse it (None: fine)."""
    if predicate in (SH.minCount, SH.maxCount):
        number = value.value if isinstance(value, Literal) else None
        if not isinstance(number, int) or isinstance(number, bool) or number < 0:
            return "must be a non-negative integer"
    elif predicate in (SH.datatype, SH["class"]) and not isinstance(value, URIRef):
        return "must be an IRI"
    elif predicate == SH.nodeKind and value not in _NODE_KINDS:
        return "must be sh:IRI, sh:Literal, sh:BlankNode or a combination of them"
    elif predicate == SH["in"] and value != RDF.nil and (value, RDF.first, None) not in shapes:
        return "must be an RDF list"
    elif predicate == SH.minInclusive and not isinstance(value, Literal):
        return "must be a literal"
    elif predicate == SH.pattern:
        try:
            re.compile(str(value))
        except re.error as exc:
            return f"is not a regular expression ({exc})"
    return None


def _check_parameters(shapes: rdflib.Graph, shape) -> None:
    """Refuse invalid constraint parameters with the message the pyshacl path gives (exit 2)."""
    from citydiplomacy.core.errors import CitydipError

    for predicate, value in shapes.predicate_objects(shape):
        problem = _parameter_problem(shapes, predicate, value)
        if problem:
            raise CitydipError(
                f"the shapes are not valid SHACL: {_short(predicate)} {_short(value)} on {_short(shape)} "
                f"{problem}; fix the shapes file"
            )


class Checker:
    """Evaluate one shapes graph against one pyoxigraph data store."""

    def __init__(self, data: ox.Store, shapes: rdflib.Graph, types_closed: bool = False):
        """*types_closed*: rdf:type is already closed under rdfs:subClassOf (RDFS materialised)."""
        self.data = data
        self.types_closed = types_closed
        self.shapes = shapes
        self._types: dict[str, set[str]] | None = None
        self._paths: dict[str, dict] = {}
        self._memo: dict = {}
        self._lists: dict = {}

    # -- helpers -------------------------------------------------------------

    def query(self, text: str):
        return self.data.query(text)

    def types_of(self) -> dict[str, set[str]]:
        """rdf:type/rdfs:subClassOf* of every node (SHACL's notion of an instance)."""
        types = self._types
        if types is not None:
            return types
        if self._types is None:
            types: dict[str, set[str]] = defaultdict(set)
            if self.types_closed:
                query = "SELECT ?s ?c WHERE { ?s a ?c }"
            else:
                query = f"SELECT ?s ?c WHERE {{ ?s a ?t . ?t <{RDFS.subClassOf}>* ?c }}"
            for s, c in self.query(query):
                types[_key(s)].add(c.value)
            self._types = types
        return self._types

    def focus_nodes(self, shape) -> set:
        nodes: set = set()
        for cls in self.shapes.objects(shape, SH.targetClass):
            for row in self.query(f"SELECT DISTINCT ?s WHERE {{ ?s a/<{RDFS.subClassOf}>* <{cls}> }}"):
                nodes.add(row["s"])
        if (shape, RDF.type, RDFS.Class) in self.shapes or (shape, RDF.type, OWL.Class) in self.shapes:
            for row in self.query(f"SELECT DISTINCT ?s WHERE {{ ?s a/<{RDFS.subClassOf}>* <{shape}> }}"):
                nodes.add(row["s"])
        for prop in self.shapes.objects(shape, SH.targetSubjectsOf):
            for row in self.query(f"SELECT DISTINCT ?s WHERE {{ ?s <{prop}> ?o }}"):
                nodes.add(row["s"])
        for prop in self.shapes.objects(shape, SH.targetObjectsOf):
            for row in self.query(f"SELECT DISTINCT ?o WHERE {{ ?s <{prop}> ?o }}"):
                nodes.add(row["o"])
        for node in self.shapes.objects(shape, SH.targetNode):
            nodes.add(to_ox(node))
        return nodes

    def values(self, focus: set, path: str) -> dict:
        """Value nodes of *path* for the focus nodes: one query per distinct path, cached."""
        table = self._paths.get(path)
        if table is None:
            table = defaultdict(list)
            for s, o in self.query(f"SELECT DISTINCT ?s ?o WHERE {{ ?s {path} ?o }}"):
                table[s].append(o)
            self._paths[path] = table
        return table

    # -- constraints ---------------------------------------------------------

    def _conforms_value(self, constraint, parameter, value) -> bool:
        key = (constraint, parameter, value)
        known = self._memo.get(key)
        if known is None:
            known = self._memo[key] = self._conforms_value_uncached(constraint, parameter, value)
        return known

    def _conforms_value_uncached(self, constraint, parameter, value) -> bool:
        g = self.shapes
        if constraint == _CLASS:
            return not isinstance(value, ox.Literal) and str(parameter) in self.types_of().get(_key(value), ())
        if constraint == _DATATYPE:
            if not isinstance(value, ox.Literal):
                return False
            lit = to_rdflib(value)
            if parameter == _LANGSTRING:
                return lit.language is not None
            if parameter == _STRING:
                return lit.language is None and lit.datatype in (None, _STRING)
            return lit.datatype == parameter and not lit.ill_typed
        if constraint == _IN:
            members = self._lists.get(parameter)
            if members is None:
                members = self._lists[parameter] = set(Collection(g, parameter))
            return to_rdflib(value) in members
        if constraint == SH.nodeKind:
            kind = {
                SH.IRI: isinstance(value, ox.NamedNode),
                SH.BlankNode: isinstance(value, ox.BlankNode),
                SH.Literal: isinstance(value, ox.Literal),
            }
            allowed = {
                SH.IRI: (SH.IRI,),
                SH.BlankNode: (SH.BlankNode,),
                SH.Literal: (SH.Literal,),
                SH.BlankNodeOrIRI: (SH.BlankNode, SH.IRI),
                SH.BlankNodeOrLiteral: (SH.BlankNode, SH.Literal),
                SH.IRIOrLiteral: (SH.IRI, SH.Literal),
            }[parameter]
            return any(kind[k] for k in allowed)
        if constraint == SH.minInclusive:
            # pyshacl's own rule: strings and non-strings never compare; compare_literal otherwise
            from pyshacl.rdfutil.compare import compare_literal

            if not isinstance(value, ox.Literal):
                return False
            lit = to_rdflib(value)
            if isinstance(lit.value, str) != isinstance(parameter.value, str):
                return False
            try:
                return compare_literal(lit, parameter) >= 0
            except (TypeError, NotImplementedError):
                return False
        raise Unsupported(str(constraint))

    def check_property_shape(self, node_shape, prop_shape, focus: set, out: list) -> None:
        g = self.shapes
        path_node = g.value(prop_shape, SH.path)
        path = path_sparql(g, path_node)
        severity = g.value(prop_shape, SH.severity) or SH.Violation
        message = str(g.value(prop_shape, SH.message) or "")
        values = self.values(focus, path)

        def emit(f, value, component, text=message):
            out.append(
                Result(to_rdflib(f), path_node, to_rdflib(value) if value is not None else None, severity,
                           prop_shape, component, text)
            )

        for constraint, parameter in g.predicate_objects(prop_shape):
            if constraint == SH.minCount:
                n = int(parameter)
                for f in focus:
                    if len(values.get(f, ())) < n:
                        emit(f, None, SH.MinCountConstraintComponent)
            elif constraint == SH.maxCount:
                n = int(parameter)
                for f in focus:
                    if len(values.get(f, ())) > n:
                        emit(f, None, SH.MaxCountConstraintComponent)
            elif constraint in (SH.datatype, SH["class"], SH["in"], SH.nodeKind, SH.minInclusive):
                for f in focus:
                    for v in values.get(f, ()):
                        if not self._conforms_value(constraint, parameter, v):
                            emit(f, v, _COMPONENT[constraint])
            elif constraint == SH.pattern:
                flags = str(g.value(prop_shape, SH.flags) or "")
                regex = re.compile(str(parameter), re.IGNORECASE if "i" in flags else 0)
                for f in focus:
                    for v in values.get(f, ()):
                        if isinstance(v, ox.BlankNode) or not regex.search(v.value):
                            emit(f, v, SH.PatternConstraintComponent)
            elif constraint == SH["or"]:
                members = [
                    [(c, p) for c, p in g.predicate_objects(m) if c != RDF.type] for m in Collection(g, parameter)
                ]
                for f in focus:
                    for v in values.get(f, ()):
                        if not any(all(self._conforms_value(c, p, v) for c, p in member) for member in members):
                            emit(f, v, SH.OrConstraintComponent)
            elif constraint == SH.sparql:
                self.run_sparql(parameter, prop_shape, focus, path, path_node, severity, out)

    def run_sparql(self, constraint, shape, focus: set, path: str | None, path_node, severity, out: list) -> None:
        g = self.shapes
        select = str(g.value(constraint, SH.select))
        text = select.replace("$PATH", path) if path else select
        # $this free instead of pre-bound; SPARQL treats $x and ?x as the same variable.
        text = _prefixes(g, constraint) + "\n" + text
        template = str(g.value(constraint, SH.message) or g.value(shape, SH.message) or "")
        # One result per solution, as pyshacl does (no de-duplication here).
        for row in self.query(text):
            this = row["this"]
            if this not in focus:
                continue
            bindings = {}
            value = row["value"] if _has(row, "value") else (None if path else this)
            result_path = row["path"] if _has(row, "path") else path_node
            out.append(
                Result(
                    to_rdflib(this),
                    to_rdflib(result_path) if isinstance(result_path, (ox.NamedNode, ox.BlankNode)) else result_path,
                    to_rdflib(value) if value is not None else None,
                    severity,
                    shape,
                    SH.SPARQLConstraintComponent,
                    _fill_sparql(template, row, bindings),
                )
            )

    def plan(self) -> list[tuple]:
        """The shapes to evaluate: (node shape, its property shapes), each checked for support.

        Needs no data, so callers can learn before loading anything that the shapes need
        pyshacl (:func:`unsupported_reason`); :meth:`run` evaluates exactly this plan.
        """
        g = self.shapes
        targets = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
        node_shapes = set(g.subjects(RDF.type, SH.NodeShape)) | set(g.subjects(SH.property, None))
        for predicate in targets:
            for shape in g.subjects(predicate, None):
                if shape not in node_shapes:
                    raise Unsupported(f"{shape} has a target but is no node shape")
        plan = []
        for shape in sorted(node_shapes, key=str):
            if g.value(shape, SH.deactivated) == Literal(True):
                continue
            _check_supported(g, shape)
            implicit = (shape, RDF.type, RDFS.Class) in g or (shape, RDF.type, OWL.Class) in g
            if not implicit and not any((shape, p, None) in g for p in targets):
                continue
            for key in (SH.minCount, SH.maxCount, SH.datatype, SH["class"], SH["in"], SH.pattern, SH.nodeKind, SH["or"]):
                if (shape, key, None) in g:
                    raise Unsupported(f"node-level {key} on {shape}")
            _check_parameters(g, shape)
            properties = []
            for prop_shape in sorted(g.objects(shape, SH.property), key=str):
                if g.value(prop_shape, SH.deactivated) == Literal(True):
                    continue
                _check_supported(g, prop_shape)
                _check_parameters(g, prop_shape)
                path_sparql(g, g.value(prop_shape, SH.path))
                properties.append(prop_shape)
            plan.append((shape, properties))
        return plan

    def run(self) -> list[Result]:
        g = self.shapes
        out: list[Result] = []
        for shape, properties in self.plan():
            focus = self.focus_nodes(shape)
            if not focus:
                continue
            severity = g.value(shape, SH.severity) or SH.Violation
            start = len(out)
            for constraint in g.objects(shape, SH.sparql):
                self.run_sparql(constraint, shape, focus, None, None, severity, out)
            for prop_shape in properties:
                self.check_property_shape(shape, prop_shape, focus, out)
            # pyshacl evaluates each node shape on its own: a node targeted by two node shapes
            # that share a property shape gets that shape's results twice, and so do we.
            unique = {}
            for result in out[start:]:
                unique.setdefault((*result.key(), result.message), result)
            out[start:] = unique.values()
        return sorted(
            (_filled(r, g) for r in out),
            key=lambda r: (str(r.focus_node), str(r.source_shape), str(r.path), str(r.value)),
        )


_NS = None


def _short(node) -> str:
    """Prefixed name / literal N3, as `citydip validate` prints nodes."""
    global _NS
    if _NS is None:
        from citydiplomacy.core.namespaces import bind_prefixes

        _NS = rdflib.Graph()
        bind_prefixes(_NS)
    from citydiplomacy.services.validation.engine import short

    return short(_NS, node)


def _filled(result: Result, shapes: rdflib.Graph) -> Result:
    """Fill {$this}, {$value}, {$path} in a message as the validate command does for pyshacl's."""
    if "{" not in result.message:
        return result
    from citydiplomacy.services.validation.engine import path_text

    values = {
        "this": _short(result.focus_node),
        "value": _short(result.value) if result.value is not None else "(none)",
        "path": path_text(shapes, result.path),
    }
    text = re.sub(r"\{[$?](\w+)\}", lambda m: values.get(m.group(1), m.group(0)), result.message)
    return Result(result.focus_node, result.path, result.value, result.severity, result.source_shape,
                      result.component, text)


def _has(row, name: str) -> bool:
    try:
        return row[name] is not None
    except (KeyError, IndexError):
        return False


def _fill_sparql(template: str, row, bindings) -> str:
    def sub(match):
        name = match.group(1)
        if _has(row, name):
            return _short(to_rdflib(row[name]))
        return match.group(0)

    return re.sub(r"\{[$?](\w+)\}", sub, template)


def _key(term) -> str:
    return str(term)


# ---------------------------------------------------------------- entry points


def check(data_nt: bytes, shapes: rdflib.Graph, ontology_nt: bytes | None = None, inference: str = "rdfs") -> list[Result]:
    """Validate N-Triples *data_nt* (+ the ontology mixed in, as pyshacl does) against *shapes*."""
    store = build_data_store(data_nt, ontology_nt, inference)
    return Checker(store, shapes, types_closed=inference == "rdfs").run()


def store_instance_nt(store: ox.Store) -> tuple[bytes, bytes]:
    """The store's instance data (every graph but the ontology and meta) and its ontology, as N-Triples."""
    from citydiplomacy.core.store import graph_names

    names = [n for n in graph_names(store) if n != GRAPH_ONTOLOGY]
    data = b"".join(
        store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(n)) or b"" for n in names
    )
    ontology = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(GRAPH_ONTOLOGY)) or b""
    return data, ontology


@dataclass
class FastReport:
    results: list[Result]
    seconds: float
    triples: int
    engine: str  # "pyoxigraph" or "pyshacl" (fallback)
    phases: dict | None = None  # seconds per phase: copy, rdfs, check

    @property
    def counts(self) -> Counter:
        return Counter(str(r.severity).split("#")[-1] for r in self.results)


def unsupported_reason(shapes: rdflib.Graph, inference: str) -> str | None:
    """Why this evaluator cannot run *shapes* with *inference* (None: it can), known before any data is read."""
    if inference not in ("rdfs", "none"):
        return f"inference {inference!r}"
    try:
        Checker(ox.Store(), shapes).plan()
    except Unsupported as exc:
        return str(exc)
    return None


def evaluate(data_store: ox.Store, shapes: rdflib.Graph, inference: str, started: float) -> FastReport:
    """Validate a store whose default graph is pyshacl's data graph (instance data + ontology).

    The store is closed under RDFS in place (*inference* ``rdfs``); *started* is when the
    caller began (copying or loading), so the phases and the total include that.
    """
    if inference not in ("rdfs", "none"):
        raise Unsupported(f"inference {inference!r}")
    copied = time.perf_counter()
    if inference == "rdfs":
        materialise_rdfs(data_store)
    inferred = time.perf_counter()
    triples = len(data_store)
    results = Checker(data_store, shapes, types_closed=inference == "rdfs").run()
    done = time.perf_counter()
    phases = {"copy": copied - started, "rdfs": inferred - copied, "check": done - inferred}
    return FastReport(results, done - started, triples, "pyoxigraph", phases)


def validate_store(store: ox.Store, shapes: rdflib.Graph | None = None, inference: str = "rdfs") -> FastReport:
    """Validate the store's instance data: the fast evaluator, or pyshacl if the shapes need it."""
    from citydiplomacy.services.validation.engine import load_shapes

    started = time.perf_counter()
    shapes = shapes if shapes is not None else load_shapes("data")
    try:
        reason = unsupported_reason(shapes, inference)
        if reason:
            raise Unsupported(reason)
        # The union of every content graph (instance data + ontology, as pyshacl's data graph
        # once the ontology is mixed in), copied by the engine itself: CONSTRUCT + N-Triples is
        # faster than dumping graph by graph.
        union = store.query(
            f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{GRAPH_META}>) }}"
        ).serialize(format=ox.RdfFormat.N_TRIPLES)
        return evaluate(build_data_store(union, None, "none"), shapes, inference, started)
    except Unsupported:
        from citydiplomacy.services.validation.engine import validate_graph

        data, ontology = store_instance_nt(store)
        graph = rdflib.Graph()
        graph.parse(data=data, format="nt")
        onto = rdflib.Graph()
        onto.parse(data=ontology, format="nt")
        report = validate_graph(graph, shapes=shapes, ontology=onto, inference=inference, inplace=True)
        return FastReport(report.results, time.perf_counter() - started, report.triples, "pyshacl")
