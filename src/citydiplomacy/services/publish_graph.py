"""The graph as ``citydip publish`` reads it: every triple in memory, indexed for pages.

Pages need, for each IRI, its outgoing and incoming triples and the labels of everything they
link to. Asking the store per page costs tens of thousands of queries; the shared data is a few
hundred thousand triples, so one pass builds dictionaries instead. Blank nodes carry the
canonical labels export gives them, so the same graph always gives the same files.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from functools import cache

import pyoxigraph
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from citydiplomacy.core.labels import LABEL_PROPERTIES, label_rank, local_name
from citydiplomacy.core.namespaces import CDO, CDR, GEO, ONTOLOGY_IRI, PREFIXES

RDF_TYPE = pyoxigraph.NamedNode(str(RDF.type))
SUBJECT = pyoxigraph.NamedNode(str(DCTERMS.subject))
ANNOTATED_SOURCE = pyoxigraph.NamedNode(str(OWL.annotatedSource))
CLAIM = pyoxigraph.NamedNode(str(CDO.Claim))
PARTNER = pyoxigraph.NamedNode(str(CDO.partner))
HAS_GEOMETRY = pyoxigraph.NamedNode(str(GEO.hasGeometry))
AS_WKT = pyoxigraph.NamedNode(str(GEO.asWKT))
WKT_POINT = re.compile(r"\s*(?:<[^>]*>\s*)?POINT\s*\(\s*([-+0-9.eE]+)\s+([-+0-9.eE]+)\s*\)\s*", re.IGNORECASE)
DEFINITION_PROPERTIES = tuple(
    pyoxigraph.NamedNode(str(p)) for p in (SKOS.definition, RDFS.comment, DCTERMS.description)
)
TITLE_PROPERTIES = (pyoxigraph.NamedNode(str(DCTERMS.title)),)
_LABEL_INDEX = {str(p): i for i, p in enumerate(LABEL_PROPERTIES)}

# A path segment that is safe as a file name on any web host: no leading dot (.htaccess), no
# "..", nothing a shell or a URL would treat specially.
SAFE_SEGMENT = re.compile(r"[A-Za-z0-9_~-][A-Za-z0-9._~-]*")


@cache
def page_path(iri: str) -> str | None:
    """Where the pages of *iri* go below the site's root, without extension; None when not ours
    or not safe as a file path (``ontology#City`` -> ``ontology/City``, ``resource/city/Q90``)."""
    if iri == ONTOLOGY_IRI:
        return "ontology"
    if iri.startswith(str(CDO)):
        name = iri[len(CDO) :]
        return f"ontology/{name}" if SAFE_SEGMENT.fullmatch(name) else None
    if iri.startswith(str(CDR)):
        segments = iri[len(CDR) :].split("/")
        if all(SAFE_SEGMENT.fullmatch(s) for s in segments):
            return "resource/" + "/".join(segments)
    return None


def prefixed(iri: str) -> str:
    """``cdo:City`` for an IRI under one of the project's prefixes, else the IRI."""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


class SiteGraph:
    """Sorted triples with outgoing and incoming indexes and the label chooser's ranking."""

    def __init__(self, triples: list):
        self.triples = triples
        self.outgoing: dict = defaultdict(list)
        self.incoming: dict = defaultdict(list)
        self._labels: dict = defaultdict(list)  # node -> [(text, language, predicate index)]
        for triple in triples:
            subject, predicate, obj = triple.subject, triple.predicate, triple.object
            self.outgoing[subject].append(triple)
            if isinstance(obj, pyoxigraph.Literal):
                index = _LABEL_INDEX.get(predicate.value)
                if index is not None:
                    self._labels[subject].append((obj.value, obj.language, index))
            else:
                self.incoming[obj].append(triple)
        self._chosen: dict[tuple, str] = {}

    def nodes_with_pages(self) -> list[pyoxigraph.NamedNode]:
        """Every IRI of the graph (subject or object) that gets pages, sorted; the ontology's own IRI too."""
        found = {n for n in (*self.outgoing, *self.incoming) if isinstance(n, pyoxigraph.NamedNode)}
        found.add(pyoxigraph.NamedNode(ONTOLOGY_IRI))
        return sorted((n for n in found if page_path(n.value) is not None), key=lambda n: n.value)

    def label(self, node, lang: str) -> str:
        """core.labels' choice (label in *lang*, else English, untagged, Persian, any), else a name."""
        key = (node, lang)
        if key not in self._chosen:
            candidates = [(label_rank(language, lang, index), text) for text, language, index in self._labels[node]]
            self._chosen[key] = min(candidates)[1] if candidates else self._fallback(node, lang)
        return self._chosen[key]

    def labelled(self, node) -> bool:
        """True when *node* has any label (else pages show its prefixed name)."""
        return bool(self._labels.get(node))

    def _fallback(self, node, lang: str) -> str:
        """A name for an unlabelled node: its dcterms:title (the ontology), an agreement by its
        partners ("Berlin – Paris"), else its prefixed name."""
        title = self.text(node, lang, TITLE_PROPERTIES)
        if title:
            return title
        partners = [o for o in self.objects(node, PARTNER) if self._labels.get(o)]
        if len(partners) >= 2:
            return " – ".join(sorted(self.label(p, lang) for p in partners))
        if isinstance(node, pyoxigraph.BlankNode):
            return "(anonymous)"
        short = prefixed(node.value)
        return short if short != node.value else (local_name(node.value) or node.value)

    def labels_of(self, node) -> list[tuple[str, str]]:
        """Every label of *node* as (language tag or "", text), sorted."""
        return sorted({(language or "", text) for text, language, _ in self._labels.get(node, ())})

    def text(self, node, lang: str, predicates: tuple = DEFINITION_PROPERTIES) -> str:
        """The node's definition or comment (or other *predicates*) in *lang*, else in English,
        else untagged ("" when none)."""
        for wanted in (lang, "en", None):
            for predicate in predicates:
                values = sorted(
                    t.object.value
                    for t in self.outgoing.get(node, ())
                    if t.predicate == predicate
                    and isinstance(t.object, pyoxigraph.Literal)
                    and t.object.language == wanted
                )
                if values:
                    return values[0]
        return ""

    def objects(self, node, predicate) -> list:
        return [t.object for t in self.outgoing.get(node, ()) if t.predicate == predicate]

    def point(self, node) -> tuple[float, float] | None:
        """(longitude, latitude) of the node's geometry when it is a WKT point on Earth, else None."""
        for geometry in self.objects(node, HAS_GEOMETRY):
            for wkt in self.objects(geometry, AS_WKT):
                found = WKT_POINT.fullmatch(wkt.value) if isinstance(wkt, pyoxigraph.Literal) else None
                if found:
                    lon, lat = float(found.group(1)), float(found.group(2))
                    if -180 <= lon <= 180 and -90 <= lat <= 90:
                        return lon, lat
        return None

    def description(self, node) -> list:
        """The node's concise bounded description: its triples and, through blank nodes, theirs."""
        out, seen, todo = [], {node}, [node]
        while todo:
            for triple in self.outgoing.get(todo.pop(0), ()):
                out.append(triple)
                if isinstance(triple.object, pyoxigraph.BlankNode) and triple.object not in seen:
                    seen.add(triple.object)
                    todo.append(triple.object)
        return sorted(out, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))

    def claims_about(self, node) -> list:
        """The article's claims behind *node*: cdo:Claim records whose dcterms:subject is it, or
        that annotate an axiom about it (owl:annotatedSource)."""
        found = {t.subject for t in self.incoming.get(node, ()) if t.predicate == SUBJECT}
        for axiom in (t.subject for t in self.incoming.get(node, ()) if t.predicate == ANNOTATED_SOURCE):
            found.update(t.object for t in self.outgoing.get(axiom, ()))
        return sorted((n for n in found if CLAIM in self.objects(n, RDF_TYPE)), key=lambda n: n.value)

    def type_counts(self) -> list[tuple[pyoxigraph.NamedNode, int]]:
        """(class, number of IRIs typed with it), most frequent first."""
        counts: dict = defaultdict(int)
        for node, triples in self.incoming.items():
            if isinstance(node, pyoxigraph.NamedNode):
                counts[node] += sum(
                    1 for t in triples if t.predicate == RDF_TYPE and isinstance(t.subject, pyoxigraph.NamedNode)
                )
        return sorted(((n, c) for n, c in counts.items() if c), key=lambda item: (-item[1], item[0].value))


def prefixes_used(triples: Iterable) -> dict[str, str]:
    """The project's prefixes that *triples* use (cdr: left out, as export does: resource IRIs
    have slashes after it), for a small Turtle header."""
    iris = {term.value for t in triples for term in t if isinstance(term, pyoxigraph.NamedNode)}
    iris.update(t.object.datatype.value for t in triples if isinstance(t.object, pyoxigraph.Literal))
    return {
        prefix: namespace
        for prefix, namespace in sorted(PREFIXES.items())
        if prefix != "cdr" and any(iri.startswith(namespace) for iri in iris)
    }
