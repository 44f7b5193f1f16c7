"""JSON-LD of a whole store in one pass over sorted triples (``export --format jsonld --what data|all``).

Why not rdflib + PyLD as for the ontology: on the shared Wikidata extracts they took minutes and
gigabytes (rdflib builds the expanded document, PyLD compacts it term by term). Here each subject
becomes one node object written straight from pyoxigraph's sorted triples, compacted by hand with
the published context: a value takes a context term only when the term's coercion fits it exactly
(``@id``, a datatype, a language map), otherwise it goes under the prefixed name in expanded form.
Literals keep their lexical forms and lists stay rdf:first/rdf:rest, so the document expands to
the very same graph.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator

import pyoxigraph

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


class Compactor:
    """Names IRIs and values the way the published context lets a reader expand them back."""

    def __init__(self, context: dict):
        self.prefixes = sorted(
            ((name, iri) for name, iri in context.items() if isinstance(iri, str) and not name.startswith("@")),
            key=lambda item: -len(item[1]),
        )
        self.terms: dict[str, tuple[str, dict]] = {}  # predicate IRI -> (term, its definition)
        for term, definition in sorted(context.items()):
            if isinstance(definition, dict) and "@id" in definition:
                self.terms.setdefault(self.expand(definition["@id"]), (term, definition))
        self._defined = set(context)

    def expand(self, name: str) -> str:
        prefix, _, local = name.partition(":")
        for candidate, iri in self.prefixes:
            if candidate == prefix:
                return iri + local
        return name

    def iri(self, iri: str) -> str:
        """*iri* as a prefixed name when one expands back to it, else in full."""
        for prefix, namespace in self.prefixes:
            if iri.startswith(namespace) and len(iri) > len(namespace):
                local = iri[len(namespace) :]
                if not local.startswith("//") and f"{prefix}:{local}" not in self._defined:
                    return f"{prefix}:{local}"
        return iri

    def node(self, term) -> str:
        return f"_:{term.value}" if isinstance(term, pyoxigraph.BlankNode) else self.iri(term.value)

    def expanded(self, term) -> dict | str:
        """A value object that needs no coercion: {"@id"}, a plain string, {"@value", ...}."""
        if not isinstance(term, pyoxigraph.Literal):
            return {"@id": self.node(term)}
        if term.language:
            return {"@language": term.language, "@value": term.value}
        if term.datatype.value == XSD_STRING:
            return term.value
        return {"@type": self.iri(term.datatype.value), "@value": term.value}

    def with_term(self, predicate: str, term) -> tuple[str, object, str | None] | None:
        """(context term, compact value, language) when the term's definition fits *term*
        exactly, else None; *language* is set for a term whose container is a language map."""
        found = self.terms.get(predicate)
        if found is None:
            return None
        name, definition = found
        coerce, container = definition.get("@type"), definition.get("@container")
        is_literal = isinstance(term, pyoxigraph.Literal)
        if container == "@language":
            return (name, term.value, term.language) if is_literal and term.language else None
        if container is not None:
            return None
        if coerce == "@id":
            return None if is_literal else (name, self.node(term), None)
        if coerce is not None:
            fits = is_literal and not term.language and term.datatype.value == self.expand(coerce)
            return (name, term.value, None) if fits else None
        return name, self.expanded(term), None


def _sort_values(values: list) -> list:
    return sorted(values, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))


def _node_object(compactor: Compactor, subject, triples: Iterable) -> dict:
    """One subject's triples as a compacted node object (arrays sorted, one value unwrapped)."""
    node: dict[str, object] = {"@id": compactor.node(subject)}
    properties: dict[str, list] = {}
    languages: dict[str, dict[str, list]] = {}
    for triple in triples:
        predicate, value = triple.predicate.value, triple.object
        if predicate == RDF_TYPE and isinstance(value, pyoxigraph.NamedNode):
            properties.setdefault("@type", []).append(compactor.iri(value.value))
            continue
        fitted = compactor.with_term(predicate, value)
        if fitted is None:
            properties.setdefault(compactor.iri(predicate), []).append(compactor.expanded(value))
        elif fitted[2] is not None:
            languages.setdefault(fitted[0], {}).setdefault(fitted[2], []).append(fitted[1])
        else:
            properties.setdefault(fitted[0], []).append(fitted[1])
    for key, values in properties.items():
        values = _sort_values(values)
        node[key] = values[0] if len(values) == 1 else values
    for key, by_language in languages.items():
        node[key] = {
            lang: (texts[0] if len(texts) == 1 else sorted(texts)) for lang, texts in sorted(by_language.items())
        }
    return dict(sorted(node.items()))


def _no_progress(n: int = 1) -> None:
    """The default *advance*: nothing to show."""


def write_jsonld(
    triples: list,
    context: dict,
    advance: Callable[[int], None] = _no_progress,
    context_iri: str | None = None,
    compactor: Compactor | None = None,
) -> Iterator[str]:
    """The JSON-LD document of *triples* (sorted by subject), in pieces: ``@context`` inline (or
    *context_iri*, where the same context is published: ``publish`` writes thousands of small
    files), then ``@graph`` with one node per subject sorted by ``@id``; calls *advance* per subject.
    *compactor*: one made from *context* already (a caller writing many documents makes it once)."""
    compactor = compactor or Compactor(context)
    nodes = []
    start = 0
    for end in range(1, len(triples) + 1):
        if end == len(triples) or triples[end].subject != triples[start].subject:
            nodes.append(_node_object(compactor, triples[start].subject, triples[start:end]))
            advance(1)
            start = end
    nodes.sort(key=lambda n: n["@id"])
    written = json.dumps(context_iri) if context_iri else _indented(context, "  ")
    yield '{\n  "@context": ' + written + ',\n  "@graph": ['
    for index, node in enumerate(nodes):
        yield ("," if index else "") + "\n    " + _indented(node, "    ")
    yield ("\n  ]" if nodes else "]") + "\n}\n"


def _indented(value, indent: str) -> str:
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False).replace("\n", "\n" + indent)
