"""Running pyshacl with the project's shapes, and reading its report into plain rows.

The one entry point other code needs is :func:`validate_graph` (the importer calls it on
generated data); ``citydip validate`` is a thin command around it.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import rdflib
from rdflib.namespace import RDF
from rdflib.term import Literal, Node, URIRef

from citydiplomacy.core import resources
from citydiplomacy.core.errors import CitydipError
from citydiplomacy.core.labels import best_label  # in __all__: importable from here as before
from citydiplomacy.core.namespaces import SH, bind_prefixes
from citydiplomacy.services.validation.pyshacl_sparql_cache import cached_sparql_parsing

INFERENCE_MODES = ("none", "rdfs", "owlrl")
SEVERITIES = ("violation", "warning", "info")
# Rank of each SHACL severity; a result fails a run when its rank >= the --fail-on rank.
_RANK = {SH.Violation: 3, SH.Warning: 2, SH.Info: 1}
_FAIL_ON_RANK = {"violation": 3, "warning": 2, "info": 1}
SHAPES_NAMESPACE = "https://w3id.org/citydiplomacy/shapes#"
_TEMPLATE = re.compile(r"\{[$?](\w+)\}")
# A full IRI inside a message that pyshacl filled in from a SPARQL binding.
_IRI_IN_TEXT = re.compile(r"(?<![<\w])(?:https?|urn):[^\s,;<>\"{}]+?(?=[\s,;)]|\.?$|\.\s)")


def data_shapes_file() -> Path:
    return resources.shapes_dir() / "data.ttl"


def ontology_qa_shapes_file() -> Path:
    return resources.shapes_dir() / "ontology-qa.ttl"


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

    def key(self) -> tuple:
        """What identifies a result across engines (the message text aside)."""
        return (self.focus_node, self.path, self.value, self.severity, self.source_shape, self.component)

    @property
    def severity_name(self) -> str:
        """'Violation', 'Warning', 'Info' (or the local name of a custom severity)."""
        return _local_name(self.severity)


@dataclass
class Report:
    """What one validation run found.

    ``results`` are sorted by focus node; ``graph`` is the SHACL report graph (messages with
    their ``{$value}`` templates filled in); ``data_graph`` is the graph validated (after
    inference), kept to look up labels of focus nodes.
    """

    results: list[Result]
    graph: rdflib.Graph
    data_graph: rdflib.Graph
    triples: int
    seconds: float
    inference: str
    counts: Counter = field(default_factory=Counter)

    @property
    def conforms(self) -> bool:
        """True when there is no result of any severity (SHACL's own notion)."""
        return not self.results

    def fails(self, fail_on: str = "violation") -> bool:
        """True when some result is at least as severe as *fail_on* (violation|warning|info)."""
        threshold = _FAIL_ON_RANK[fail_on]
        return any(_RANK.get(r.severity, 3) >= threshold for r in self.results)

    def label(self, node: Node) -> str | None:
        """The node's rdfs:label (English first), for people reading the report."""
        return best_label(self.data_graph, node)


def _local_name(node: Node) -> str:
    text = str(node)
    return re.split(r"[#/]", text)[-1] or text


def load_shapes(which: str = "data", extra: Iterable[str | Path] = (), input_format: str | None = None) -> rdflib.Graph:
    """The packaged shapes (``data`` or ``ontology-qa``) plus any *extra* shapes files.

    Extra files go through :func:`citydiplomacy.core.rdfio.read_rdf`, so a broken one ends with
    ``FILE:LINE:COL`` and exit 2.
    """
    from citydiplomacy.core.rdfio import read_rdf

    graph = rdflib.Graph()
    bind_prefixes(graph)
    graph.bind("cds", SHAPES_NAMESPACE)
    packaged = {"data": data_shapes_file(), "ontology-qa": ontology_qa_shapes_file(), "none": None}[which]
    if packaged is not None:
        graph.parse(packaged, format="turtle")
    for path in extra:
        shapes = read_rdf(path, None, input_format if str(path) == "-" else None)
        refuse_service_calls(shapes, str(path))
        graph += shapes
    return graph


_SPARQL_TEXTS = (SH.select, SH.ask, SH.construct, SH.update)


def refuse_service_calls(shapes: rdflib.Graph, where: str) -> None:
    """A user's SHACL-SPARQL constraint may not call SERVICE: validating must never contact a host.

    The keyword is found with pygments' SPARQL lexer (as ``--param`` binding does), so a comment
    or a string that mentions SERVICE is not refused, and a constraint whose prefixes come from
    ``sh:prefixes`` need not parse on its own.
    """
    from pygments.lexers import SparqlLexer
    from pygments.token import Keyword

    lexer = SparqlLexer()
    for prop in _SPARQL_TEXTS:
        for subject, text in shapes.subject_objects(prop):
            for kind, value in lexer.get_tokens(str(text)):
                if kind in Keyword and value.upper() == "SERVICE":
                    raise CitydipError(
                        f"{where}: the SPARQL of {subject.n3()} calls SERVICE (another host); citydip validate "
                        "never contacts other hosts: remove the SERVICE clause or copy the data in"
                    )


def validate_graph(
    data_graph: rdflib.Graph,
    *,
    shapes: rdflib.Graph | None = None,
    ontology: rdflib.Graph | None | bool = True,
    inference: str = "rdfs",
    inplace: bool = False,
    advanced: bool = True,
) -> Report:
    """Validate *data_graph* and return a :class:`Report`.

    - *shapes*: a shapes graph; default the packaged ``shapes/data.ttl``.
    - *ontology*: the ontology graph pyshacl mixes into the data before inference (so
      subclasses and ranges count); ``True`` = the packaged ontology, ``None``/``False`` = none.
    - *inference*: ``none``, ``rdfs`` (default) or ``owlrl``.
    - *inplace*: add the ontology and the inferred triples to *data_graph* itself instead of
      a copy (faster, less memory; use it when the graph is yours to throw away).
    - *advanced*: SHACL Advanced Features (SPARQL targets), needed by the ontology QA shapes.

    Raises :class:`CitydipError` (exit 2) when the shapes are not valid SHACL.
    """
    import pyshacl
    from pyshacl.errors import ReportableRuntimeError

    from citydiplomacy.core.ontology import load_ontology

    if inference not in INFERENCE_MODES:
        raise CitydipError(f"unknown inference mode {inference!r}; use one of: {', '.join(INFERENCE_MODES)}")
    if shapes is None:
        shapes = load_shapes("data")
    if ontology is True:
        ontology = load_ontology()
    elif ontology is False:
        ontology = None
    triples = len(data_graph)
    started = time.perf_counter()
    # Mix the ontology in ourselves rather than through pyshacl's ont_graph: pyshacl's
    # "inoculation" clones every blank-node structure recursively and took minutes on this
    # ontology (owl:unionOf lists, owl:AllDifferent, restrictions); a plain union of the
    # triples is what it amounts to and takes milliseconds. The result is the same: subclasses,
    # domains and ranges are visible to sh:class and to RDFS/OWL RL inference.
    if inplace:
        work = data_graph
    else:
        work = rdflib.Graph()
        for prefix, namespace in data_graph.namespaces():
            work.bind(prefix, namespace, override=False)
        work += data_graph
    if ontology is not None and len(ontology):
        work += ontology
    try:
        with cached_sparql_parsing():
            _conforms, report_graph, _text = pyshacl.validate(
                work,
                shacl_graph=shapes,
                ont_graph=None,
                inference=inference,
                advanced=advanced,
                inplace=True,
                allow_infos=False,
                allow_warnings=False,
            )
    except ReportableRuntimeError as exc:
        reason = " ".join(str(getattr(exc, "message", exc)).split())
        raise CitydipError(f"the shapes are not valid SHACL: {reason}; fix the shapes file") from None
    seconds = time.perf_counter() - started
    bind_prefixes(report_graph)
    report_graph.bind("cds", SHAPES_NAMESPACE)
    results = _read_results(report_graph, work)
    counts = Counter(r.severity_name for r in results)
    return Report(results, report_graph, work, triples, seconds, inference, counts)


def validate_ontology(ontology: rdflib.Graph | None = None, extra_shapes: rdflib.Graph | None = None) -> Report:
    """Run the ontology QA shapes on *ontology* (default the packaged one), without inference."""
    from citydiplomacy.core.ontology import load_ontology

    graph = ontology if ontology is not None else load_ontology()
    shapes = load_shapes("ontology-qa")
    if extra_shapes is not None:
        shapes += extra_shapes
    return validate_graph(graph, shapes=shapes, ontology=None, inference="none", advanced=True)


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


def path_text(graph: rdflib.Graph, path: Node | None) -> str:
    """A SHACL property path in SPARQL property-path syntax, e.g. ``geo:hasGeometry/geo:asWKT``."""
    if path is None:
        return ""
    if isinstance(path, URIRef):
        return short(graph, path)
    if (path, RDF.first, None) in graph:
        return "/".join(path_text(graph, p) for p in rdflib.collection.Collection(graph, path))
    for predicate, fmt in ((SH.inversePath, "^{}"), (SH.zeroOrMorePath, "({})*"),
                           (SH.oneOrMorePath, "({})+"), (SH.zeroOrOnePath, "({})?")):
        inner = graph.value(path, predicate)
        if inner is not None:
            return fmt.format(path_text(graph, inner))
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(path_text(graph, p) for p in rdflib.collection.Collection(graph, alternatives)) + ")"
    return str(path)


def _shorten(graph: rdflib.Graph, iri: str) -> str:
    text = short(graph, URIRef(iri))
    return iri if text.startswith("<") else text


def _fill(template: str, values: dict[str, str]) -> str:
    return _TEMPLATE.sub(lambda m: values.get(m.group(1), m.group(0)), template)


def _read_results(report: rdflib.Graph, data: rdflib.Graph) -> list[Result]:
    """Flatten the report graph into :class:`Result` rows, filling in message templates.

    pyshacl substitutes ``{$value}`` and ``{?var}`` only in SPARQL-based constraints; Core
    constraints would show the raw template, so we fill ``{$this}``, ``{$value}`` and
    ``{$path}`` here, in the rows and in the report graph alike.
    """
    rows = []
    for node in list(report.subjects(RDF.type, SH.ValidationResult)):
        focus = report.value(node, SH.focusNode)
        path = report.value(node, SH.resultPath)
        value = report.value(node, SH.value)
        values = {
            "this": short(data, focus),
            "value": short(data, value) if value is not None else "(none)",
            "path": path_text(report, path),
        }
        component = report.value(node, SH.sourceConstraintComponent)
        messages = []
        for message in sorted(report.objects(node, SH.resultMessage), key=str):
            text = str(message)
            filled = _fill(text, values) if _TEMPLATE.search(text) else text
            if component == SH.SPARQLConstraintComponent:
                filled = _IRI_IN_TEXT.sub(lambda m: _shorten(data, m.group(0)), filled)
            if filled != text:
                report.remove((node, SH.resultMessage, message))
                report.add((node, SH.resultMessage, Literal(filled, lang=getattr(message, "language", None))))
                text = filled
            messages.append(text)
        rows.append(
            Result(
                focus_node=focus,
                path=path,
                value=value,
                severity=report.value(node, SH.resultSeverity) or SH.Violation,
                source_shape=report.value(node, SH.sourceShape),
                component=component,
                message=" ".join(dict.fromkeys(messages)) if messages else "",
            )
        )
    rows.sort(key=lambda r: (str(r.focus_node), -_RANK.get(r.severity, 3), str(r.path), str(r.source_shape)))
    return rows


__all__ = [
    "INFERENCE_MODES",
    "SEVERITIES",
    "Report",
    "Result",
    "best_label",
    "load_shapes",
    "path_text",
    "short",
    "validate_graph",
    "validate_ontology",
]


def report_from_results(
    results: Iterable[Result],
    *,
    shapes: rdflib.Graph,
    label_graph: rdflib.Graph,
    triples: int,
    seconds: float,
    inference: str,
) -> Report:
    """A :class:`Report` for results found by another engine (the fast store validator).

    Builds the same sh:ValidationReport graph pyshacl would, so every output format works;
    property paths that are blank-node structures are copied from the shapes graph.
    """
    graph = rdflib.Graph()
    bind_prefixes(graph)
    graph.bind("cds", SHAPES_NAMESPACE)
    rows = sorted(results, key=lambda r: (str(r.focus_node), str(r.path), str(r.value), str(r.source_shape)))
    report = rdflib.BNode()
    graph.add((report, RDF.type, SH.ValidationReport))
    graph.add((report, SH.conforms, Literal(not rows)))
    for r in rows:
        node = rdflib.BNode()
        graph.add((report, SH.result, node))
        graph.add((node, RDF.type, SH.ValidationResult))
        graph.add((node, SH.focusNode, r.focus_node))
        graph.add((node, SH.resultSeverity, r.severity))
        graph.add((node, SH.sourceShape, r.source_shape))
        graph.add((node, SH.sourceConstraintComponent, r.component))
        graph.add((node, SH.resultMessage, Literal(r.message)))
        if r.value is not None:
            graph.add((node, SH.value, r.value))
        if r.path is not None:
            graph.add((node, SH.resultPath, r.path))
            _copy_structure(shapes, graph, r.path)
    counts = Counter(r.severity_name for r in rows)
    return Report(rows, graph, label_graph, triples, seconds, inference, counts)


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
