"""What a validation run found, shared by both engines: results, messages, paths, severities.

Why one module: pyshacl (:mod:`.engine`) and the fast evaluator (:mod:`.fast`) must give the
same report, so the :class:`Result` and :class:`Report` types, the filling of message templates
(``{$this}``, ``{$value}``, ``{$path}``, ``{?var}``), the default message of each constraint
component, the rendering of nodes and property paths, the order of severities and the SHACL
report graph are written here once. Turning a report into JSON or Turtle is here too.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import cast

import rdflib
from rdflib.collection import Collection
from rdflib.namespace import RDF
from rdflib.term import Literal, Node, URIRef

from citydiplomacy.core.labels import label_rank
from citydiplomacy.core.namespaces import SH, SHAPES_NAMESPACE, bind_prefixes

SEVERITIES = ("violation", "warning", "info")
SEVERITY_ORDER = ("Violation", "Warning", "Info")
# Rank of each SHACL severity; a result fails a run when its rank >= the --fail-on rank.
SEVERITY_RANK = {SH.Violation: 3, SH.Warning: 2, SH.Info: 1}
FAIL_ON_RANK = {"violation": 3, "warning": 2, "info": 1}

TEMPLATE = re.compile(r"\{[$?](\w+)\}")
# A full IRI inside a message that pyshacl filled in from a SPARQL binding.
_IRI_IN_TEXT = re.compile(r"(?<![<\w])(?:https?|urn):[^\s,;<>\"{}]+?(?=[\s,;)]|\.?$|\.\s)")

# The message of a result whose shape has no sh:message, worded as pyshacl words its own;
# ``{}`` is the constraint's parameter, the ``{$...}`` templates are filled per result.
DEFAULT_MESSAGES: dict[Node, str] = {
    SH.MinCountConstraintComponent: "Less than {} values on {{$this}}->{{$path}}",
    SH.MaxCountConstraintComponent: "More than {} values on {{$this}}->{{$path}}",
    SH.DatatypeConstraintComponent: "Value is not Literal with datatype {}",
    SH.ClassConstraintComponent: "Value does not have class {}",
    SH.InConstraintComponent: "Value {{$value}} not in list {}",
    SH.PatternConstraintComponent: "Value does not match pattern '{}'",
    SH.NodeKindConstraintComponent: "Value is not of Node Kind {}",
    SH.MinInclusiveConstraintComponent: "Value is not >= {}",
    SH.OrConstraintComponent: "Node {{$value}} does not conform to one or more shapes in {}",
    SH.SPARQLConstraintComponent: "Results of a SPARQL constraint on {{$this}}",
}

# (graph, node, lang) -> label: core.labels.best_label.
LabelChooser = Callable[[rdflib.Graph, Node, str], "str | None"]


@dataclass(frozen=True)
class Result:
    """One sh:ValidationResult, flattened."""

    focus_node: Node
    path: Node | None
    value: Node | None
    severity: URIRef
    source_shape: Node
    component: URIRef
    message: str
    # (language, filled text) of each sh:message when the shape tags one with a language; the text
    # report picks one per --lang. Empty for shapes with untagged messages only.
    translations: tuple[tuple[str | None, str], ...] = field(default=(), compare=False)

    def key(self) -> tuple:
        """What identifies a result across engines (the message text aside)."""
        return (self.focus_node, self.path, self.value, self.severity, self.source_shape, self.component)

    @property
    def severity_name(self) -> str:
        """'Violation', 'Warning', 'Info' (or the local name of a custom severity)."""
        return local_name(self.severity)

    def message_in(self, lang: str) -> str:
        """The message in *lang* when the shape gives one, else as :func:`core.labels.label_rank` falls back."""
        if not self.translations:
            return self.message
        return min(self.translations, key=lambda item: (label_rank(item[0], lang), item[1]))[1]


def translated(messages: Iterable[Node]) -> tuple[tuple[str | None, str], ...]:
    """(language, text) of *messages* when one has a language tag (else nothing: one text serves all)."""
    pairs = {(m.language, str(m)) for m in messages if isinstance(m, Literal)}
    ordered = tuple(sorted(pairs, key=lambda pair: (pair[0] or "", pair[1])))
    return ordered if any(language for language, _ in ordered) else ()


def first_message(messages: Iterable[Node]) -> Node | None:
    """The one sh:message a result keeps when a shape has several: untagged, else English, else the
    first by language, so every run (whatever the hash seed) keeps the same one."""
    literals = [m for m in messages if isinstance(m, Literal)]
    if not literals:
        return None
    return min(
        literals, key=lambda m: (m.language not in (None, "en"), m.language is not None, m.language or "", str(m))
    )


@dataclass
class Report:
    """What one validation run found.

    ``results`` are sorted by focus node; ``graph`` is the SHACL report graph (messages with
    their ``{$value}`` templates filled in); ``data_graph`` is the graph validated (after
    inference), kept to look up labels of focus nodes with ``label_chooser``.
    """

    results: list[Result]
    graph: rdflib.Graph
    data_graph: rdflib.Graph
    triples: int
    seconds: float
    inference: str
    counts: Counter = field(default_factory=Counter)
    label_chooser: LabelChooser | None = None

    @property
    def conforms(self) -> bool:
        """True when there is no result of any severity (SHACL's own notion)."""
        return not self.results

    def fails(self, fail_on: str = "violation") -> bool:
        """True when some result is at least as severe as *fail_on* (violation|warning|info)."""
        threshold = FAIL_ON_RANK[fail_on]
        return any(SEVERITY_RANK.get(r.severity, 3) >= threshold for r in self.results)

    def label(self, node: Node, lang: str = "en") -> str | None:
        """The node's label in the validated data (in *lang* where it has one), for people reading the report."""
        return self.label_chooser(self.data_graph, node, lang) if self.label_chooser else None


def local_name(node: Node) -> str:
    text = str(node)
    return re.split(r"[#/]", text)[-1] or text


def bind_report_prefixes(graph: rdflib.Graph) -> None:
    """Bind the project's prefixes and the shapes' ``cds:`` on *graph*."""
    bind_prefixes(graph)
    graph.bind("cds", SHAPES_NAMESPACE)


def prefixed_graph() -> rdflib.Graph:
    """An empty graph with :func:`bind_report_prefixes` applied, to name nodes with."""
    graph = rdflib.Graph()
    bind_report_prefixes(graph)
    return graph


# ---------------------------------------------------------------- nodes and paths as text


def short(graph: rdflib.Graph, node: Node | None) -> str:
    """A compact, readable form of a node: prefixed name, <IRI>, "literal"^^dt, or _:b."""
    if node is None:
        return ""
    if isinstance(node, URIRef):
        try:
            return graph.namespace_manager.normalizeUri(node)
        except Exception:  # noqa: BLE001 - fall back to the full IRI
            return f"<{node}>"
    if isinstance(node, Literal):
        return node.n3(graph.namespace_manager)
    return node.n3()


_PATH_FORMS = (
    (SH.inversePath, "^{}"),
    (SH.zeroOrMorePath, "({})*"),
    (SH.oneOrMorePath, "({})+"),
    (SH.zeroOrOnePath, "({})?"),
)


def path_text(graph: rdflib.Graph, path: Node | None) -> str:
    """A SHACL property path in SPARQL property-path syntax, e.g. ``geo:hasGeometry/geo:asWKT``."""
    if path is None:
        return ""
    if isinstance(path, URIRef):
        return short(graph, path)
    if (path, RDF.first, None) in graph:
        return "/".join(path_text(graph, p) for p in Collection(graph, path))
    for predicate, form in _PATH_FORMS:
        inner = graph.value(path, predicate)
        if inner is not None:
            return form.format(path_text(graph, inner))
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(path_text(graph, p) for p in Collection(graph, alternatives)) + ")"
    return str(path)


# ---------------------------------------------------------------- messages


def fill(template: str, values: Mapping[str, str]) -> str:
    """*template* with each ``{$name}`` / ``{?name}`` in *values* replaced; others left as written."""
    return TEMPLATE.sub(lambda m: values.get(m.group(1), m.group(0)), template)


def result_values(
    terms: rdflib.Graph, paths: rdflib.Graph, focus: Node, value: Node | None, path: Node | None
) -> dict[str, str]:
    """What ``{$this}``, ``{$value}`` and ``{$path}`` stand for in one result's message.

    *terms* names the nodes (its prefixes), *paths* holds the path's blank-node structure.
    """
    return {
        "this": short(terms, focus),
        "value": short(terms, value) if value is not None else "(none)",
        "path": path_text(paths, path),
    }


def default_message(component: Node, parameter_text: str = "") -> str:
    """The message template of a *component* whose shape gives no sh:message."""
    return DEFAULT_MESSAGES.get(component, "Constraint {} not met").format(parameter_text)


def shorten_iris(graph: rdflib.Graph, text: str) -> str:
    """Full IRIs written in *text* (pyshacl's filled SPARQL bindings) as prefixed names."""

    def shorter(match: re.Match) -> str:
        name = short(graph, URIRef(match.group(0)))
        return match.group(0) if name.startswith("<") else name

    return _IRI_IN_TEXT.sub(shorter, text)


# ---------------------------------------------------------------- the report graph


def result_order(result: Result) -> tuple:
    """How results are listed: by focus node, the most severe first, then path and shape."""
    return (str(result.focus_node), -SEVERITY_RANK.get(result.severity, 3), str(result.path), str(result.source_shape))


def report_from_results(
    results: Iterable[Result],
    *,
    shapes: rdflib.Graph,
    label_graph: rdflib.Graph,
    triples: int,
    seconds: float,
    inference: str,
    label_chooser: LabelChooser | None = None,
) -> Report:
    """A :class:`Report` for results found by an engine that gives no report graph (the fast one).

    Builds the same sh:ValidationReport graph pyshacl would, so every output format works;
    property paths that are blank-node structures are copied from the shapes graph.
    """
    graph = prefixed_graph()
    rows = sorted(results, key=lambda r: (str(r.focus_node), str(r.path), str(r.value), str(r.source_shape)))
    report = rdflib.BNode()
    graph.add((report, RDF.type, SH.ValidationReport))
    graph.add((report, SH.conforms, Literal(not rows)))
    for row in rows:
        node = rdflib.BNode()
        graph.add((report, SH.result, node))
        _add_result(graph, node, row)
        if row.path is not None:
            _copy_structure(shapes, graph, row.path)
    counts = Counter(r.severity_name for r in rows)
    return Report(rows, graph, label_graph, triples, seconds, inference, counts, label_chooser)


def _add_result(graph: rdflib.Graph, node: Node, result: Result) -> None:
    graph.add((node, RDF.type, SH.ValidationResult))
    graph.add((node, SH.focusNode, result.focus_node))
    graph.add((node, SH.resultSeverity, result.severity))
    graph.add((node, SH.sourceShape, result.source_shape))
    graph.add((node, SH.sourceConstraintComponent, result.component))
    graph.add((node, SH.resultMessage, Literal(result.message)))
    if result.value is not None:
        graph.add((node, SH.value, result.value))
    if result.path is not None:
        graph.add((node, SH.resultPath, result.path))


def _copy_structure(source: rdflib.Graph, target: rdflib.Graph, node: Node) -> None:
    """Copy the triples of a blank-node structure (a SHACL path) from *source* into *target*."""
    pending = [node]
    while pending:
        current = pending.pop()
        if not isinstance(current, rdflib.BNode):
            continue
        for predicate, obj in source.predicate_objects(current):
            if (current, predicate, obj) not in target:
                target.add((current, predicate, obj))
                pending.append(obj)


def results_from_graph(report: rdflib.Graph, data: rdflib.Graph) -> list[Result]:
    """Read a SHACL report graph (pyshacl's) into :class:`Result` rows, filling in message templates.

    pyshacl substitutes ``{$value}`` and ``{?var}`` only in SPARQL-based constraints; Core
    constraints would show the raw template, so we fill ``{$this}``, ``{$value}`` and
    ``{$path}`` here, in the rows and in the report graph alike.
    """
    rows = []
    for node in list(report.subjects(RDF.type, SH.ValidationResult)):
        focus = cast(Node, report.value(node, SH.focusNode))
        path = report.value(node, SH.resultPath)
        value = report.value(node, SH.value)
        component = cast(URIRef, report.value(node, SH.sourceConstraintComponent))
        values = result_values(data, report, focus, value, path)
        shorten = component == SH.SPARQLConstraintComponent
        message = _fill_messages_in_graph(report, node, values, data if shorten else None)
        rows.append(
            Result(
                focus_node=focus,
                path=path,
                value=value,
                severity=cast(URIRef, report.value(node, SH.resultSeverity) or SH.Violation),
                source_shape=cast(Node, report.value(node, SH.sourceShape)),
                component=component,
                message=message,
                translations=translated(report.objects(node, SH.resultMessage)),
            )
        )
    return sorted(rows, key=result_order)


def _fill_messages_in_graph(
    report: rdflib.Graph, node: Node, values: Mapping[str, str], shorten_with: rdflib.Graph | None
) -> str:
    """Fill the templates of *node*'s sh:resultMessage in the graph; their texts, joined."""
    messages = []
    for message in sorted(report.objects(node, SH.resultMessage), key=str):
        text = str(message)
        filled = fill(text, values) if TEMPLATE.search(text) else text
        if shorten_with is not None:
            filled = shorten_iris(shorten_with, filled)
        if filled != text:
            report.remove((node, SH.resultMessage, message))
            report.add((node, SH.resultMessage, Literal(filled, lang=getattr(message, "language", None))))
        messages.append(filled)
    return " ".join(dict.fromkeys(messages)) if messages else ""


# ---------------------------------------------------------------- JSON and Turtle


def _node_json(node) -> str | None:
    return None if node is None else str(node)


def _result_json(report: Report, result: Result) -> dict:
    path = result.path
    item = {
        "focusNode": _node_json(result.focus_node),
        "focusLabel": report.label(result.focus_node),
        "path": path_text(report.graph, path)
        if path is not None and not isinstance(path, URIRef)
        else _node_json(path),
        "value": _node_json(result.value),
        "severity": result.severity_name,
        "sourceShape": _node_json(result.source_shape),
        "sourceConstraintComponent": _node_json(result.component),
        "message": result.message,
    }
    if isinstance(result.value, Literal):
        item["valueDatatype"] = _node_json(result.value.datatype)
        item["valueLanguage"] = result.value.language
    return item


def focus_node_count(report: Report) -> int:
    """How many focus nodes have at least one result (not how many were checked)."""
    return len({r.focus_node for r in report.results})


def exit_code(report: Report, fail_on: str = "violation") -> int:
    """What ``citydip validate`` exits with: 1 when a result reaches *fail_on*, else 0."""
    return 1 if report.fails(fail_on) else 0


def to_json(report: Report, fail_on: str = "violation") -> str:
    """A list of results (full IRIs, for programs) plus a summary with counts per severity.

    ``conforms`` is SHACL's (no result of any severity); ``failed`` and ``exitCode`` say what
    ``--fail-on`` made of the results, as the text summary does.
    """
    summary = {
        "conforms": report.conforms,
        "failed": report.fails(fail_on),
        "failOn": fail_on,
        "exitCode": exit_code(report, fail_on),
        "results": len(report.results),
        "focusNodesWithResults": focus_node_count(report),
        **{name: report.counts.get(name, 0) for name in SEVERITY_ORDER},
        "triples": report.triples,
        "inference": report.inference,
        "seconds": round(report.seconds, 3),
    }
    results = [_result_json(report, r) for r in report.results]
    return json.dumps({"results": results, "summary": summary}, ensure_ascii=False, indent=2)


def to_turtle(report: Report) -> str:
    """The SHACL validation report graph itself."""
    return report.graph.serialize(format="turtle")
