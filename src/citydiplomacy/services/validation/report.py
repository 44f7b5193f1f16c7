"""Turning a validation :class:`~citydiplomacy.services.validation.engine.Report` into text, JSON or Turtle."""

from __future__ import annotations

import json
from collections import Counter

import click

from citydiplomacy.core.output import print_table
from citydiplomacy.services.validation.engine import Report, path_text, short

SEVERITY_ORDER = ("Violation", "Warning", "Info")


def _node_json(node) -> str | None:
    return None if node is None else str(node)


def to_json(report: Report, fail_on: str = "violation") -> str:
    """A list of results (full IRIs, for programs) plus a summary with counts per severity."""
    results = []
    for r in report.results:
        item = {
            "focusNode": _node_json(r.focus_node),
            "focusLabel": report.label(r.focus_node),
            "path": path_text(report.graph, r.path) if r.path is not None and not _is_iri(r.path) else _node_json(r.path),
            "value": _node_json(r.value),
            "severity": r.severity_name,
            "sourceShape": _node_json(r.source_shape),
            "sourceConstraintComponent": _node_json(r.component),
            "message": r.message,
        }
        if r.value is not None and hasattr(r.value, "datatype"):
            item["valueDatatype"] = _node_json(r.value.datatype)
            item["valueLanguage"] = r.value.language
        results.append(item)
    summary = {
        "conforms": report.conforms,
        "failed": report.fails(fail_on),
        "failOn": fail_on,
        "results": len(report.results),
        **{name: report.counts.get(name, 0) for name in SEVERITY_ORDER},
        "triples": report.triples,
        "inference": report.inference,
        "seconds": round(report.seconds, 3),
    }
    return json.dumps({"results": results, "summary": summary}, ensure_ascii=False, indent=2)


def _is_iri(node) -> bool:
    from rdflib import URIRef

    return isinstance(node, URIRef)


def to_turtle(report: Report) -> str:
    """The SHACL validation report graph itself."""
    return report.graph.serialize(format="turtle")


def print_text(report: Report, fail_on: str = "violation", what: str = "data", limit: int = 0) -> None:
    """A table grouped by focus node (label, path, message, value, severity), then the counts.

    *limit* > 0 shows only the first *limit* results in the table (real data can give thousands
    of warnings); the per-shape counts and the totals always cover all of them.
    """
    g = report.data_graph
    if report.results:
        rows = []
        previous = None
        shown = report.results[:limit] if limit > 0 else report.results
        for r in shown:
            first = r.focus_node != previous
            previous = r.focus_node
            rows.append(
                (
                    short(g, r.focus_node) if first else "",
                    (report.label(r.focus_node) or "") if first else "",
                    path_text(report.graph, r.path),
                    r.message,
                    short(g, r.value),
                    r.severity_name,
                )
            )
        print_table(["Focus node", "Label", "Path", "Message", "Value", "Severity"], rows)
        if len(shown) < len(report.results):
            click.echo(f"(first {len(shown)} of {len(report.results)} results; --limit 0 shows all, --format json gives them all)")
        by_shape = Counter((r.source_shape, r.severity_name) for r in report.results)
        if len(by_shape) > 1 or len(shown) < len(report.results):
            print_table(
                ["Shape", "Severity", "Results"],
                [(short(report.graph, shape), severity, n) for (shape, severity), n in by_shape.most_common()],
            )
    counts = ", ".join(f"{report.counts.get(name, 0)} {name.lower()}" for name in SEVERITY_ORDER)
    focus_nodes = len({r.focus_node for r in report.results})
    if report.fails(fail_on):
        verdict = f"does not conform (failing on {fail_on} or worse)"
    elif report.results:
        verdict = f"conforms at --fail-on {fail_on}"
    else:
        verdict = "conforms"
    click.echo(
        f"{what}: {verdict}: {counts} on {focus_nodes} focus node(s); "
        f"{report.triples} triples, inference {report.inference}, {report.seconds:.2f} s"
    )
