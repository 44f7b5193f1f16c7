#!/usr/bin/env python3
"""Turn the article's claim tables (ontology/claims/claims-*.tsv) into the module ontology/modules/claims.ttl.

    python scripts/build_claims.py            # rewrite ontology/modules/claims.ttl
    python scripts/build_claims.py --check    # exit 1 if the committed module differs from the tables

Each row of a table is one claim of the article: a short exact Persian quote, an English rendering, the
part of the article, whom the article attributes it to, its modality and kind, the terms it is about,
and the axioms the ontology holds because of it (column ``encodes``, syntax below). The module holds
the claims vocabulary (cdo:Claim, modality and kind individuals), one W3C Web Annotation per row
(``cdr:claim/<id>``: target = the article part with an oa:TextQuoteSelector, body = the English
rendering as oa:bodyValue, prov:wasAttributedTo = the cited author, dcterms:subject = the terms), the
cited authors (ontology/claims/authors.tsv), and one owl:Axiom annotation per encoded axiom pointing
back at its claims (cdo:basedOnClaim); ontology/claims/decisions.tsv adds the modelling-decision notes
(skos:editorialNote "Modelling decision: ...") on the axioms no claim of the article asserts.

Encodes syntax (``;`` between axioms; CURIEs with the cdo:/cdr:/org: prefixes):
    cdo:A subClassOf cdo:B                 rdfs:subClassOf between named classes
    cdo:A subClassOf cdo:p some cdo:B      an existential (also: only -> allValuesFrom, value -> hasValue)
    cdo:A subClassOf cdo:p some (cdo:B or cdo:C)   the same with a union of named classes as filler
    cdo:A disjointWith cdo:B               owl:disjointWith, or both members of one owl:AllDisjointClasses
    cdo:A related cdo:B                    skos:related (the weaker link for what the article only relates)
    cdo:A definition                       the English skos:definition of cdo:A
A table naming an axiom the ontology does not hold is refused (exit 2, file:line).
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import rdflib
from rdflib import BNode, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "scripts"))

from citydiplomacy.core.namespaces import (  # noqa: E402
    AUTHOR,
    CDO,
    CDR,
    CLAIM,
    MODELLING_DECISION,
    OA,
    ONTOLOGY_IRI,
    PREFIXES,
)
from ontology_format import TurtleWriter  # noqa: E402

CLAIMS_DIR = ROOT / "ontology" / "claims"
MODULES_DIR = ROOT / "ontology" / "modules"
OUTPUT = MODULES_DIR / "claims.ttl"
AUTHORS = CLAIMS_DIR / "authors.tsv"
DECISIONS = CLAIMS_DIR / "decisions.tsv"
MODULE_IRI = URIRef(ONTOLOGY_IRI + "/claims")
ARTICLE = CDR["article-rastegar-1399"]
COLUMNS = ["id", "section", "quote_fa", "english", "attributed_to", "modality", "kind", "about", "encodes"]
AUTHOR_COLUMNS = ["key", "label_en", "label_fa", "cited_as"]
DECISION_COLUMNS = ["axiom", "note", "decision"]
MODALITIES = {
    "asserted": (
        "asserted",
        "بیان قطعی",
        "The article states it without a hedge, in its own name or citing an author as support.",
    ),
    "hedged": (
        "hedged",
        "با تردید",
        "The article hedges it (shayad, momken, mitavanad, mitavanest, be nazar miresad: perhaps, may, can, could, it seems).",
    ),
    "reported": ("reported", "نقل‌شده", "The article reports another author's view without making it its own."),
}
KINDS = {
    "definition": ("definition", "تعریف"),
    "classification": ("classification", "طبقه‌بندی"),
    "contrast": ("contrast", "مقایسه"),
    "causal": ("causal statement", "گزاره علّی"),
    "figure": ("figure", "رقم"),
    "attribution": ("attribution", "انتساب"),
    "description": ("description", "توصیف"),
}
RESTRICTIONS = {
    "some": OWL.someValuesFrom,
    "only": OWL.allValuesFrom,
    "value": OWL.hasValue,
    "exactly": OWL.cardinality,
}
OUT_OF_SCOPE = ("alignments.ttl", "claims.ttl")  # alignment axioms to external vocabularies; this module
DECISION_NOTE = "Modelling decision: "
CLAIM_ID = re.compile(r"^(abstract|intro|summary|table1|figure1|s[1-3](-[1-6])?(-[ab])?)-[0-9]{2,3}$")
CURIE = re.compile(r"^(cdo|cdr|org):[A-Za-z0-9_./-]+$")
MODALITY_IRI = {key: CDO["Modality" + key.capitalize()] for key in MODALITIES}
KIND_IRI = {key: CDO["ClaimKind" + key.capitalize()] for key in KINDS}


class ClaimsError(Exception):
    """A table the module cannot be built from; the message names the file and line."""


@dataclass(frozen=True)
class Axiom:
    """One axiom of the encodes syntax: source, OWL/RDFS property, and a target (IRI, literal or restriction)."""

    source: URIRef
    predicate: URIRef
    target: URIRef | Literal | None = None
    on_property: URIRef | None = None
    restriction: URIRef | None = None  # owl:someValuesFrom / allValuesFrom / hasValue
    union: frozenset[URIRef] = frozenset()  # the filler is the union of these classes (target None)
    text: str = ""


def expand(curie: str, where: str) -> URIRef:
    if not CURIE.match(curie):
        raise ClaimsError(f"{where}: {curie!r} is not a cdo:/cdr:/org: CURIE")
    prefix, local = curie.split(":", 1)
    return URIRef(PREFIXES[prefix] + local)


def parse_axiom(text: str, where: str) -> Axiom:
    """One axiom of the encodes column (see the module docstring)."""
    words = text.split()
    if len(words) == 2 and words[1] == "definition":
        return Axiom(expand(words[0], where), SKOS.definition, text=text)
    if len(words) == 3 and words[1] in ("subClassOf", "disjointWith", "related"):
        predicate = {"subClassOf": RDFS.subClassOf, "disjointWith": OWL.disjointWith, "related": SKOS.related}[words[1]]
        return Axiom(expand(words[0], where), predicate, expand(words[2], where), text=text)
    if len(words) == 5 and words[1] == "subClassOf" and words[3] == "exactly" and words[4].isdigit():
        return Axiom(
            expand(words[0], where),
            RDFS.subClassOf,
            Literal(int(words[4]), datatype=XSD.nonNegativeInteger),
            expand(words[2], where),
            OWL.cardinality,
            text=text,
        )
    if len(words) == 5 and words[1] == "subClassOf" and words[3] in RESTRICTIONS:
        return Axiom(
            expand(words[0], where),
            RDFS.subClassOf,
            expand(words[4], where),
            expand(words[2], where),
            RESTRICTIONS[words[3]],
            text=text,
        )
    union = re.fullmatch(r"(\S+) subClassOf (\S+) (some|only) \((\S+(?: or \S+)+)\)", text)
    if union:
        members = frozenset(expand(m, where) for m in union.group(4).split(" or "))
        return Axiom(
            expand(union.group(1), where),
            RDFS.subClassOf,
            None,
            expand(union.group(2), where),
            RESTRICTIONS[union.group(3)],
            members,
            text=text,
        )
    raise ClaimsError(
        f"{where}: cannot read the axiom {text!r}; write e.g. 'cdo:A subClassOf cdo:B', "
        "'cdo:A subClassOf cdo:p some cdo:B', 'cdo:A subClassOf cdo:p some (cdo:B or cdo:C)', "
        "'cdo:A disjointWith cdo:B', 'cdo:A related cdo:B', "
        "'cdo:A definition'"
    )


def parse_axioms(cell: str, where: str) -> list[Axiom]:
    return [parse_axiom(part.strip(), where) for part in cell.split(";") if part.strip()]


def read_table(path: Path, columns: list[str]) -> Iterator[tuple[str, dict[str, str]]]:
    """(file:line, row) for each row of a tab-separated table whose header is exactly *columns*."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader, None)
        if header != columns:
            raise ClaimsError(f"{path}:1: the header must be exactly: {' '.join(columns)}")
        for number, cells in enumerate(reader, 2):
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(columns):
                raise ClaimsError(f"{path}:{number}: {len(cells)} cells, expected {len(columns)} (tab-separated)")
            yield f"{shown(path)}:{number}", {k: v.strip() for k, v in zip(columns, cells, strict=True)}


def shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def claim_files() -> list[Path]:
    return sorted(CLAIMS_DIR.glob("claims-*.tsv"))


def read_claims() -> list[tuple[str, dict[str, str]]]:
    return [item for path in claim_files() for item in read_table(path, COLUMNS)]


def read_authors() -> dict[str, dict[str, str]]:
    return {row["key"]: row for _, row in read_table(AUTHORS, AUTHOR_COLUMNS)}


def read_decisions() -> list[tuple[str, dict[str, str]]]:
    return list(read_table(DECISIONS, DECISION_COLUMNS)) if DECISIONS.exists() else []


def module_graph(exclude: Path = OUTPUT) -> rdflib.Graph:
    """The ontology's modules except *exclude* (the generated claims module), one graph."""
    graph = rdflib.Graph()
    for path in sorted(MODULES_DIR.glob("*.ttl")):
        if path != exclude:
            graph.parse(path, format="turtle")
    return graph


def all_disjoint_pairs(graph: rdflib.Graph) -> set[frozenset]:
    pairs = set()
    for node in graph.subjects(RDF.type, OWL.AllDisjointClasses):
        members = list(Collection(graph, graph.value(node, OWL.members)))
        pairs |= {frozenset((a, b)) for a in members for b in members if a != b}
    return pairs


def filler_matches(graph: rdflib.Graph, filler, axiom: Axiom) -> bool:
    if not axiom.union:
        return filler == axiom.target
    members = graph.value(filler, OWL.unionOf) if isinstance(filler, BNode) else None
    return members is not None and frozenset(Collection(graph, members)) == axiom.union


def holds(graph: rdflib.Graph, axiom: Axiom) -> bool:
    """Whether the ontology *graph* holds *axiom*."""
    if axiom.predicate == SKOS.definition:
        return any(d.language == "en" for d in graph.objects(axiom.source, SKOS.definition))
    if axiom.on_property is not None:
        return any(
            graph.value(node, OWL.onProperty) == axiom.on_property
            and filler_matches(graph, graph.value(node, axiom.restriction), axiom)
            for node in graph.objects(axiom.source, RDFS.subClassOf)
            if isinstance(node, BNode)
        )
    if axiom.predicate == OWL.disjointWith:
        return (
            (axiom.source, OWL.disjointWith, axiom.target) in graph
            or (axiom.target, OWL.disjointWith, axiom.source) in graph
            or frozenset((axiom.source, axiom.target)) in all_disjoint_pairs(graph)
        )
    return (axiom.source, axiom.predicate, axiom.target) in graph


def _literal(text: str, language: str) -> Literal:
    return Literal(text, lang=language)


def add_term(graph: rdflib.Graph, term: URIRef, kind: URIRef, labels: tuple[str, str], definition: str) -> None:
    """A term of the claims vocabulary with what test_ontology_structure asks of every cdo: term."""
    graph.add((term, RDF.type, kind))
    graph.add((term, RDFS.label, _literal(labels[0], "en")))
    graph.add((term, RDFS.label, _literal(labels[1], "fa")))
    graph.add((term, SKOS.definition, _literal(definition, "en")))
    graph.add((term, DCTERMS.source, ARTICLE))
    graph.add((term, RDFS.isDefinedBy, URIRef(ONTOLOGY_IRI)))


FA_DEFINITIONS = {
    "Modality": "میزان قطعیتی که مقاله یک گزاره را با آن بیان می‌کند: قطعی، با تردید یا نقل از دیگری.",
    "ClaimKind": "کاری که یک گزاره می‌کند: تعریف، طبقه‌بندی، مقایسه، بیان علت، ارائه رقم، انتساب یا توصیف.",
    "ModalityAsserted": "مقاله گزاره را از زبان خود یا با استناد، بی‌تردید بیان می‌کند.",
    "ModalityHedged": "مقاله گزاره را با تردید (شاید، ممکن است، می‌تواند، می‌توانست) بیان می‌کند.",
    "ModalityReported": "مقاله دیدگاه نویسنده‌ای دیگر را نقل می‌کند بی‌آنکه آن را از آنِ خود بداند.",
    "modality": "وجه یک گزاره.",
    "claimKind": "نوع یک گزاره.",
    "encodesAxiom": "اصلی که هستان‌شناسی به سبب این گزاره دارد.",
    "basedOnClaim": "گزاره‌ای از مقاله که یک اصل هستان‌شناسی بر آن استوار است.",
}


def add_vocabulary(graph: rdflib.Graph) -> None:
    add_term(
        graph,
        CDO.Claim,
        OWL.Class,
        ("claim of the article", "گزاره مقاله"),
        "A statement the article makes (a definition, classification, contrast, causal statement, figure, "
        "attribution or description), anchored on its Persian words: a W3C Web Annotation of the article.",
    )
    graph.add((CDO.Claim, RDFS.subClassOf, OA.Annotation))
    graph.add((CDO.Claim, SKOS.definition, _literal("گزاره‌ای از مقاله با واژه‌های فارسی آن.", "fa")))
    add_term(
        graph,
        CDO.Modality,
        OWL.Class,
        ("modality of a claim", "وجه گزاره"),
        "How firmly the article makes a claim: asserted, hedged, or reported from another author.",
    )
    add_term(
        graph,
        CDO.ClaimKind,
        OWL.Class,
        ("kind of claim", "نوع گزاره"),
        "What a claim does: define, classify, contrast, state a cause, give a figure, attribute, describe.",
    )
    for key, (label, label_fa, definition) in MODALITIES.items():
        add_term(graph, MODALITY_IRI[key], OWL.NamedIndividual, (f"{label} (modality)", label_fa), definition)
        graph.add((MODALITY_IRI[key], RDF.type, CDO.Modality))
    for key, (label, label_fa) in KINDS.items():
        add_term(
            graph,
            KIND_IRI[key],
            OWL.NamedIndividual,
            (f"{label} (kind of claim)", label_fa),
            f"A claim of the kind '{label}'.",
        )
        graph.add((KIND_IRI[key], RDF.type, CDO.ClaimKind))
    add_claim_properties(graph)


def add_claim_properties(graph: rdflib.Graph) -> None:
    """The properties of a claim (modality, kind) and of an axiom annotation (cdo:basedOnClaim)."""
    properties = [
        (CDO.modality, OWL.ObjectProperty, ("modality", "وجه"), "The modality of a claim.", CDO.Modality),
        (CDO.claimKind, OWL.ObjectProperty, ("claim kind", "نوع گزاره"), "The kind of a claim.", CDO.ClaimKind),
        (
            CDO.encodesAxiom,
            OWL.AnnotationProperty,
            ("encodes axiom", "بیانگر اصل"),
            "An axiom the ontology holds because of this claim, in the encodes syntax of docs/claims.md.",
            None,
        ),
        (
            CDO.basedOnClaim,
            OWL.AnnotationProperty,
            ("based on claim", "برگرفته از گزاره"),
            "On an owl:Axiom annotation: a claim of the article the axiom rests on.",
            None,
        ),
    ]
    for term, kind, labels, definition, range_ in properties:
        add_term(graph, term, kind, labels, definition)
        if range_ is not None:
            graph.add((term, RDFS.domain, CDO.Claim))
            graph.add((term, RDFS.range, range_))
    for name, text in FA_DEFINITIONS.items():
        graph.add((CDO[name], SKOS.definition, _literal(text, "fa")))
    for key, (_, label_fa) in KINDS.items():
        graph.add((KIND_IRI[key], SKOS.definition, _literal(f"گزاره‌ای از نوع «{label_fa}».", "fa")))


def add_declarations(graph: rdflib.Graph) -> None:
    """The external terms the module uses, typed so that it is OWL 2 DL read alone (as Protégé does)."""
    for cls in (
        OA.Annotation,
        OA.SpecificResource,
        OA.TextQuoteSelector,
        PROV.Agent,
        URIRef("http://purl.org/dc/terms/BibliographicResource"),
    ):
        graph.add((cls, RDF.type, OWL.Class))
    for prop in (OA.hasTarget, OA.hasSource, OA.hasSelector, PROV.wasAttributedTo):
        graph.add((prop, RDF.type, OWL.ObjectProperty))
    for prop in (OA.exact, OA.bodyValue):
        graph.add((prop, RDF.type, OWL.DatatypeProperty))
    for prop in (
        DCTERMS.source,
        DCTERMS.subject,
        DCTERMS.identifier,
        DCTERMS.isPartOf,
        DCTERMS.bibliographicCitation,
        SKOS.definition,
        SKOS.editorialNote,
        SKOS.related,
        RDFS.comment,
    ):
        graph.add((prop, RDF.type, OWL.AnnotationProperty))


def add_authors(graph: rdflib.Graph, authors: dict[str, dict[str, str]]) -> None:
    for key, row in authors.items():
        node = AUTHOR[key]
        graph.add((node, RDF.type, OWL.NamedIndividual))
        graph.add((node, RDF.type, PROV.Agent))
        graph.add((node, RDFS.label, _literal(row["label_en"], "en")))
        graph.add((node, RDFS.label, _literal(row["label_fa"], "fa")))
        if row["cited_as"]:
            graph.add((node, DCTERMS.bibliographicCitation, Literal(row["cited_as"])))
        cited = f" ({row['cited_as']})" if row["cited_as"] else ""
        graph.add(
            (node, SKOS.definition, _literal(f"An author or body the article cites: {row['label_en']}{cited}.", "en"))
        )
        graph.add(
            (node, SKOS.definition, _literal(f"نویسنده یا نهادی که مقاله به آن ارجاع می‌دهد: {row['label_fa']}.", "fa"))
        )
    graph.add((AUTHOR.article, RDF.type, OWL.NamedIndividual))
    graph.add((AUTHOR.article, RDF.type, PROV.Agent))
    graph.add((AUTHOR.article, RDFS.label, _literal("the article's author (S. H. Rastegar)", "en")))
    graph.add((AUTHOR.article, RDFS.label, _literal("نویسنده مقاله (سید حامد رستگار)", "fa")))
    graph.add(
        (AUTHOR.article, SKOS.definition, _literal("The author of the article, when it speaks in its own voice.", "en"))
    )
    graph.add((AUTHOR.article, SKOS.definition, _literal("نویسنده مقاله، آنجا که مقاله از زبان خود سخن می‌گوید.", "fa")))


def check_row(where: str, row: dict[str, str], authors: dict, parts: set[str], seen: set[str]) -> None:
    if not CLAIM_ID.match(row["id"]) or not row["id"].startswith(row["section"] + "-"):
        raise ClaimsError(f"{where}: id {row['id']!r} must be <section>-<nn> with section {row['section']!r}")
    if row["id"] in seen:
        raise ClaimsError(f"{where}: id {row['id']} is used twice")
    seen.add(row["id"])
    if row["section"] not in parts:
        raise ClaimsError(f"{where}: section {row['section']!r} is not a part in modules/article.ttl")
    for column, known in (("modality", MODALITIES), ("kind", KINDS)):
        if row[column] not in known:
            raise ClaimsError(f"{where}: {column} {row[column]!r} is not one of {', '.join(known)}")
    if row["attributed_to"] != "article" and row["attributed_to"] not in authors:
        raise ClaimsError(f"{where}: author {row['attributed_to']!r} is not in {shown(AUTHORS)}")
    if not row["quote_fa"] or not row["english"] or not row["about"]:
        raise ClaimsError(f"{where}: quote_fa, english and about must not be empty")


def add_claim(graph: rdflib.Graph, row: dict[str, str], where: str, terms: set[URIRef]) -> URIRef:
    node = CLAIM[row["id"]]
    graph.add((node, RDF.type, OWL.NamedIndividual))
    graph.add((node, RDF.type, CDO.Claim))
    graph.add((node, RDFS.label, _literal(f"claim {row['id']}: {row['english']}", "en")))
    graph.add((node, RDFS.label, _literal(f"گزاره {row['id']}: «{row['quote_fa']}»", "fa")))
    graph.add((node, DCTERMS.identifier, Literal(row["id"])))
    graph.add((node, OA.bodyValue, _literal(row["english"], "en")))
    graph.add((node, CDO.modality, MODALITY_IRI[row["modality"]]))
    graph.add((node, CDO.claimKind, KIND_IRI[row["kind"]]))
    graph.add((node, PROV.wasAttributedTo, AUTHOR[row["attributed_to"]]))
    target, selector = BNode(), BNode()
    graph.add((node, OA.hasTarget, target))
    graph.add((target, RDF.type, OA.SpecificResource))
    graph.add((target, OA.hasSource, CDR[f"article-rastegar-1399-{row['section']}"]))
    graph.add((target, OA.hasSelector, selector))
    graph.add((selector, RDF.type, OA.TextQuoteSelector))
    graph.add((selector, OA.exact, _literal(row["quote_fa"], "fa")))
    for curie in row["about"].split():
        term = expand(curie, where)
        if term not in terms:
            raise ClaimsError(f"{where}: about-term {curie} is not defined in the ontology")
        graph.add((node, DCTERMS.subject, term))
    for axiom in parse_axioms(row["encodes"], where):
        graph.add((node, CDO.encodesAxiom, Literal(axiom.text)))
    return node


def union_node(graph: rdflib.Graph, members: frozenset[URIRef]) -> BNode:
    node, items = BNode(), BNode()
    graph.add((node, RDF.type, OWL.Class))
    Collection(graph, items, sorted(members))
    graph.add((node, OWL.unionOf, items))
    return node


def axiom_node(graph: rdflib.Graph, axiom: Axiom, ontology: rdflib.Graph) -> BNode:
    """A fresh owl:Axiom annotation node for *axiom* (its target copied, restriction included)."""
    node = BNode()
    graph.add((node, RDF.type, OWL.Axiom))
    graph.add((node, OWL.annotatedSource, axiom.source))
    graph.add((node, OWL.annotatedProperty, axiom.predicate))
    if axiom.predicate == SKOS.definition:
        target = next(d for d in sorted(ontology.objects(axiom.source, SKOS.definition)) if d.language == "en")
    elif axiom.on_property is not None:
        target = BNode()
        graph.add((target, RDF.type, OWL.Restriction))
        graph.add((target, OWL.onProperty, axiom.on_property))
        graph.add((target, axiom.restriction, axiom.target if not axiom.union else union_node(graph, axiom.union)))
    else:
        target = axiom.target
    graph.add((node, OWL.annotatedTarget, target))
    return node


def defined_terms(ontology: rdflib.Graph) -> set[URIRef]:
    return {
        s
        for s in ontology.subjects(RDF.type, None)
        if isinstance(s, URIRef) and str(s).startswith((str(CDO), str(CDR)))
    }


def add_axiom_annotations(graph, ontology, claims_by_axiom: dict[Axiom, list[tuple[str, URIRef]]]) -> None:
    for axiom, claims in claims_by_axiom.items():
        if not holds(ontology, axiom):
            raise ClaimsError(f"{claims[0][0]}: the ontology does not hold the axiom {axiom.text!r}")
        node = axiom_node(graph, axiom, ontology)
        for _, claim in claims:
            graph.add((node, CDO.basedOnClaim, claim))


def add_decisions(graph: rdflib.Graph, ontology: rdflib.Graph) -> None:
    for where, row in read_decisions():
        axiom = parse_axiom(row["axiom"], where)
        if not holds(ontology, axiom):
            raise ClaimsError(f"{where}: the ontology does not hold the axiom {axiom.text!r}")
        if not row["note"].startswith("Modelling decision: "):
            raise ClaimsError(f"{where}: the note must start with 'Modelling decision: '")
        node = axiom_node(graph, axiom, ontology)
        graph.add((node, SKOS.editorialNote, _literal(row["note"], "en")))
        if row["decision"]:
            graph.add((node, RDFS.seeAlso, MODELLING_DECISION[row["decision"]]))


DECLARATION_TYPES = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, OWL.NamedIndividual)


def declare_used(graph: rdflib.Graph, *sources: rdflib.Graph) -> None:
    """Declare again, with their OWL types only, the terms of other modules the claims module mentions."""
    used = {node for triple in graph for node in triple if isinstance(node, URIRef)}
    defined_here = set(graph.subjects(RDFS.label, None))
    for node in used - defined_here:
        for source in sources:
            for kind in DECLARATION_TYPES:
                if (node, RDF.type, kind) in source:
                    graph.add((node, RDF.type, kind))


def add_header(graph: rdflib.Graph) -> None:
    graph.add((MODULE_IRI, RDF.type, OWL.Ontology))
    graph.add((MODULE_IRI, RDFS.label, _literal("citydiplomacy ontology: the article's claims module", "en")))
    graph.add((MODULE_IRI, RDFS.label, _literal("هستان‌شناسی دیپلماسی شهری: بخش گزاره‌های مقاله", "fa")))
    graph.add((MODULE_IRI, DCTERMS.isPartOf, URIRef(ONTOLOGY_IRI)))
    graph.add(
        (
            MODULE_IRI,
            RDFS.comment,
            _literal(
                'Module "claims", generated by scripts/build_claims.py from ontology/claims/*.tsv (edit the tables, not '
                "this file). The article's argument as data: each claim is a W3C Web Annotation (oa:Annotation), chosen "
                "because it anchors a statement on the exact words of a document (oa:TextQuoteSelector with oa:exact = the "
                "Persian quote, oa:hasSource = the part of the article) with a body (oa:bodyValue = the English "
                "rendering); PROV-O's prov:wasAttributedTo says whose view it is (the article or an author it cites); "
                "dcterms:subject names the terms it is about. Nanopublications would add a named graph per claim, which "
                "an OWL 2 DL module cannot hold; CiTO types citations, not statements. Every axiom a claim encodes gets "
                "an owl:Axiom annotation (cdo:basedOnClaim) so Protégé shows the sentences behind it; the axioms no claim "
                'asserts carry a skos:editorialNote "Modelling decision: ..." (ontology/claims/decisions.tsv).',
                "en",
            ),
        )
    )


def build() -> rdflib.Graph:
    ontology = module_graph()
    authors = read_authors()
    parts = {str(o) for o in ontology.objects(None, DCTERMS.identifier)}
    graph = rdflib.Graph()
    add_header(graph)
    add_vocabulary(graph)
    add_declarations(graph)
    add_authors(graph, authors)
    examples = rdflib.Graph().parse(ROOT / "ontology" / "examples.ttl", format="turtle")
    terms = defined_terms(ontology) | defined_terms(examples) | defined_terms(graph)
    seen: set[str] = set()
    claims_by_axiom: dict[Axiom, list[tuple[str, URIRef]]] = {}
    for where, row in read_claims():
        check_row(where, row, authors, parts, seen)
        claim = add_claim(graph, row, where, terms)
        for axiom in parse_axioms(row["encodes"], where):
            claims_by_axiom.setdefault(axiom, []).append((where, claim))
    add_axiom_annotations(graph, ontology, claims_by_axiom)
    add_decisions(graph, ontology)
    declare_used(graph, ontology, examples)
    return graph


# ---------------------------------------------------------------- coverage (tests/test_claims.py)
def axiom_key(axiom: Axiom) -> tuple:
    """What makes two axioms the same, whatever their written text."""
    target = axiom.target.toPython() if isinstance(axiom.target, Literal) else axiom.target
    return (axiom.source, axiom.predicate, target, axiom.on_property, axiom.restriction, axiom.union)


def curie(node) -> str:
    if isinstance(node, Literal):
        return str(node)
    for prefix in ("cdo", "cdr", "org"):
        if str(node).startswith(PREFIXES[prefix]):
            return f"{prefix}:{str(node)[len(PREFIXES[prefix]) :]}"
    return f"<{node}>"


WORDS = {
    RDFS.subClassOf: "subClassOf",
    OWL.disjointWith: "disjointWith",
    SKOS.related: "related",
    OWL.someValuesFrom: "some",
    OWL.allValuesFrom: "only",
    OWL.hasValue: "value",
    OWL.cardinality: "exactly",
}


def axiom_of(graph: rdflib.Graph, source, predicate, target) -> Axiom | None:
    """The Axiom for the triple (source, predicate, target), reading a restriction target; None if out of reach."""
    if not isinstance(target, BNode):
        if predicate == SKOS.definition:
            return Axiom(source, predicate, text=f"{curie(source)} definition")
        return Axiom(
            source, predicate, target, text=f"{curie(source)} {WORDS.get(predicate, predicate)} {curie(target)}"
        )
    prop = graph.value(target, OWL.onProperty)
    for restriction in (OWL.someValuesFrom, OWL.allValuesFrom, OWL.hasValue, OWL.cardinality):
        filler = graph.value(target, restriction)
        if prop is None or filler is None:
            continue
        if isinstance(filler, BNode) and graph.value(filler, OWL.unionOf) is not None:
            members = frozenset(Collection(graph, graph.value(filler, OWL.unionOf)))
            union = " or ".join(sorted(curie(m) for m in members))
            text = f"{curie(source)} subClassOf {curie(prop)} {WORDS[restriction]} ({union})"
            return Axiom(source, predicate, None, prop, restriction, members, text=text)
        text = f"{curie(source)} subClassOf {curie(prop)} {WORDS[restriction]} {curie(filler)}"
        return Axiom(source, predicate, filler, prop, restriction, text=text)
    return None


def _ours(node) -> bool:
    return isinstance(node, URIRef) and str(node).startswith(str(CDO))


def axioms_in_scope() -> list[tuple[str, Axiom]]:
    """(module file, axiom) for every subclass (named or restriction) and disjointness between the article's
    terms: subject and named classes in the cdo: namespace, in every module except the out-of-scope ones."""
    found = []
    for path in sorted(MODULES_DIR.glob("*.ttl")):
        if path.name in OUT_OF_SCOPE:
            continue
        graph = rdflib.Graph().parse(path, format="turtle")
        for predicate in (RDFS.subClassOf, OWL.disjointWith):
            for source, target in graph.subject_objects(predicate):
                if _ours(source) and (_ours(target) or isinstance(target, BNode)):
                    axiom = axiom_of(graph, source, predicate, target)
                    found.append((path.name, axiom if axiom is not None else Axiom(source, predicate, target)))
    return found


def all_disjoint_nodes_without_note() -> list[str]:
    """The owl:AllDisjointClasses axioms of the modules that carry no modelling-decision note (on the node itself)."""
    missing = []
    for path in sorted(MODULES_DIR.glob("*.ttl")):
        graph = rdflib.Graph().parse(path, format="turtle")
        for node in graph.subjects(RDF.type, OWL.AllDisjointClasses):
            notes = [str(n) for n in graph.objects(node, SKOS.editorialNote)]
            if not any(n.startswith(DECISION_NOTE) for n in notes):
                members = " ".join(
                    str(m).replace(str(CDO), "cdo:") for m in Collection(graph, graph.value(node, OWL.members))
                )
                missing.append(f"{path.name}: AllDisjointClasses({members})")
    return missing


def justifications(graph: rdflib.Graph) -> dict[tuple, set[str]]:
    """axiom key -> how it is justified: 'asserted' (an asserted claim encodes it), 'decision' (a note or link)."""
    found: dict[tuple, set[str]] = {}
    for node in graph.subjects(RDF.type, OWL.Axiom):
        axiom = axiom_of(
            graph,
            graph.value(node, OWL.annotatedSource),
            graph.value(node, OWL.annotatedProperty),
            graph.value(node, OWL.annotatedTarget),
        )
        if axiom is None:
            continue
        kinds = found.setdefault(axiom_key(axiom), set())
        for claim in graph.objects(node, CDO.basedOnClaim):
            if graph.value(claim, CDO.modality) == MODALITY_IRI["asserted"]:
                kinds.add("asserted")
        if any(str(n).startswith(DECISION_NOTE) for n in graph.objects(node, SKOS.editorialNote)) or any(
            str(o).startswith(str(MODELLING_DECISION)) for o in graph.objects(node, None)
        ):
            kinds.add("decision")
    return found


def unjustified(graph: rdflib.Graph) -> list[str]:
    """The in-scope axioms with neither an asserted claim nor a modelling-decision note, by name."""
    known = justifications(graph)
    return sorted(f"{name}: {axiom.text}" for name, axiom in axioms_in_scope() if not known.get(axiom_key(axiom)))


def render() -> str:
    return TurtleWriter(build()).document()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if modules/claims.ttl differs; write nothing")
    args = parser.parse_args(argv)
    try:
        text = render()
    except ClaimsError as exc:
        print(f"build_claims: {exc}", file=sys.stderr)
        return 2
    current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
    if args.check:
        if current != text:
            print(f"differs: {OUTPUT.relative_to(ROOT)} (run python scripts/build_claims.py)")
            return 1
        return 0
    if current != text:
        OUTPUT.write_text(text, encoding="utf-8")
        print(f"wrote {OUTPUT.relative_to(ROOT)}")
    else:
        print(f"{OUTPUT.relative_to(ROOT)} is up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
