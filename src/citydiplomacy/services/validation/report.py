"""Turning a validation :class:`~citydiplomacy.services.validation.engine.Report` into text, JSON or Turtle."""

from __future__ import annotations

import json

from citydiplomacy.services.validation.engine import Report, path_text

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
