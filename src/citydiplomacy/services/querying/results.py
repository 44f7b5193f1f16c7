"""One shape for every answer (embedded or remote) and its output formats.

SELECT rows are pyoxigraph terms; CSV, TSV and JSON are written by pyoxigraph's own
SPARQL 1.1 results serializers (CSV: plain values; TSV: N-Triples-style terms), and
CONSTRUCT/DESCRIBE triples by its RDF serializers, so no format is written by hand.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pyoxigraph

from citydiplomacy.core import formats
from citydiplomacy.core.errors import CitydipError
from citydiplomacy.core.namespaces import PREFIXES

SELECT_FORMATS = ("table", "csv", "tsv", "json")
# CONSTRUCT/DESCRIBE answers: Turtle or N-Triples, by any of their names (turtle, ttl, ntriples, nt, ...).
_GRAPH_RDF_FORMATS = (formats.TURTLE, formats.NTRIPLES)
GRAPH_FORMATS = tuple(name for fmt in _GRAPH_RDF_FORMATS for name in fmt.names)
FORMATS = (*SELECT_FORMATS, *GRAPH_FORMATS)
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_RESULTS_FORMATS = {
    "csv": pyoxigraph.QueryResultsFormat.CSV,
    "tsv": pyoxigraph.QueryResultsFormat.TSV,
    "json": pyoxigraph.QueryResultsFormat.JSON,
}


@dataclass
class Answer:
    """form is 'select', 'ask' or 'graph' (CONSTRUCT and DESCRIBE)."""

    form: str
    variables: list[str] = field(default_factory=list)
    rows: list[dict[str, object]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[pyoxigraph.Triple] = field(default_factory=list)


def from_pyoxigraph(result) -> Answer:
    """Materialise a pyoxigraph query result."""
    if isinstance(result, pyoxigraph.QueryBoolean):
        return Answer("ask", boolean=bool(result))
    if isinstance(result, pyoxigraph.QuerySolutions):
        names = [v.value for v in result.variables]
        rows = [{n: solution[n] for n in names if solution[n] is not None} for solution in result]
        return Answer("select", variables=names, rows=rows)
    return Answer("graph", triples=list(result))


def term_to_json(term) -> dict:
    """A term as a SPARQL 1.1 JSON results binding."""
    if isinstance(term, pyoxigraph.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, pyoxigraph.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, pyoxigraph.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    raise CitydipError(f"cannot write the RDF-star term {term} in SPARQL results; use a plain query")


def to_json_dict(answer: Answer) -> dict:
    if answer.form == "ask":
        return {"head": {}, "boolean": bool(answer.boolean)}
    return {
        "head": {"vars": answer.variables},
        "results": {"bindings": [{k: term_to_json(v) for k, v in row.items()} for row in answer.rows]},
    }


def serialize(answer: Answer, fmt: str) -> bytes:
    """The answer in a machine format (csv, tsv, json, turtle, ntriples)."""
    if answer.form == "graph":
        rdf = formats.find(fmt)
        if rdf not in _GRAPH_RDF_FORMATS:
            raise CitydipError(f"a CONSTRUCT or DESCRIBE query gives RDF; use --format turtle or ntriples, not {fmt}")
        used = _used_prefixes(answer.triples) if rdf is formats.TURTLE else None
        return pyoxigraph.serialize(answer.triples, format=rdf.oxigraph_format, prefixes=used) or b""
    if fmt not in _RESULTS_FORMATS:
        raise CitydipError(f"a SELECT or ASK query gives a table; use --format table, csv, tsv or json, not {fmt}")
    data = json.dumps(to_json_dict(answer)).encode("utf-8")
    parsed = pyoxigraph.parse_query_results(data, format=pyoxigraph.QueryResultsFormat.JSON)
    return parsed.serialize(format=_RESULTS_FORMATS[fmt]) or b""


def _used_prefixes(triples) -> dict[str, str]:
    iris = set()
    for t in triples:
        for term in (t.subject, t.predicate, t.object):
            if isinstance(term, pyoxigraph.NamedNode):
                iris.add(term.value)
    return {p: ns for p, ns in PREFIXES.items() if any(i.startswith(ns) for i in iris)}


# Characters a local name may hold in a table (``cdr:city/Q656``): meant for people to read,
# not to paste into Turtle, which would need the slash escaped. Machine formats keep full IRIs.
_DISPLAY_LOCAL_EXTRA = "_-./"
_PREFIXES_LONGEST_FIRST = sorted(PREFIXES.items(), key=lambda kv: -len(kv[1]))


def display(term, lang: str = "en") -> str:
    """A term for people: prefixed names for IRIs, the text of literals (with @tag unless the
    tag is English or *lang*, the language the reader asked for)."""
    if term is None:
        return ""
    if isinstance(term, pyoxigraph.NamedNode):
        return prefixed(term.value)
    if isinstance(term, pyoxigraph.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, pyoxigraph.Literal):
        if term.language and term.language not in ("en", lang):
            return f"{term.value} @{term.language}"
        return term.value
    return str(term)


def prefixed(iri: str) -> str:
    """``cdr:city/Q656`` for an IRI under one of the project's prefixes, else ``<iri>``."""
    for prefix, ns in _PREFIXES_LONGEST_FIRST:
        local = iri[len(ns) :]
        if iri.startswith(ns) and local and all(c.isalnum() or c in _DISPLAY_LOCAL_EXTRA for c in local):
            return f"{prefix}:{local}"
    return f"<{iri}>"
