#!/usr/bin/env python3
"""Write the ontology's Turtle files in one canonical form, so that a change to a term is a one-line diff.

    python scripts/ontology_format.py            # rewrite every file under ontology/ that differs
    python scripts/ontology_format.py --check    # exit 1 and list the files that differ
    python scripts/ontology_format.py FILE ...   # only these files

The form: a prefix block with exactly the prefixes the file uses (names and IRIs from
``citydiplomacy.core.namespaces.PREFIXES``, sorted by name; the project's own IRIs without a
prefix are written in full); then the owl:Ontology header; then every subject that says more
than its type, grouped by kind (classes, object, datatype and annotation properties,
individuals, the rest) and sorted by name; then anonymous axioms (``[] a owl:AllDifferent``);
then the bare declarations of terms defined elsewhere. Predicates come in a fixed order
(rdf:type, rdfs:label, skos:prefLabel, skos:definition, rdfs:comment, then by name), objects
sorted (IRIs, then literals with English before Persian, then blank nodes), one restriction or
list per line.

rdflib's own Turtle writer was measured first and not used: the order of blank nodes (the
restrictions of a class) follows the order of parsing, so the same graph came out differently
after its triples were shuffled, and it writes the header IRI with a ``cd:`` prefix.

Comments cannot survive any serializer: a file with a ``#`` comment line is refused (exit 2)
until the note is moved into an annotation (rdfs:comment or skos:editorialNote).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

import rdflib
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS, XSD

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from citydiplomacy.core.namespaces import PREFIXES  # noqa: E402

ONTOLOGY_DIR = ROOT / "ontology"
INDENT = "    "
PREDICATE_ORDER = [RDF.type, RDFS.label, SKOS.prefLabel, SKOS.definition, RDFS.comment]
KIND_ORDER = [OWL.Ontology, OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty,
              OWL.NamedIndividual]
LANGUAGE_ORDER = ["en", "fa"]
LOCAL_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$|^[A-Za-z0-9_][A-Za-z0-9_.-]*[A-Za-z0-9_-]$")
SHORTHAND = {XSD.integer: re.compile(r"^[+-]?[0-9]+$"), XSD.decimal: re.compile(r"^[+-]?[0-9]*\.[0-9]+$"),
             XSD.boolean: re.compile(r"^(true|false)$")}
ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


class FormatError(Exception):
    """A file the formatter cannot write without losing something (a comment, a shared blank node)."""


def default_files() -> list[Path]:
    """Every Turtle file of the ontology folder: header, modules, extensions, examples."""
    return sorted(ONTOLOGY_DIR.rglob("*.ttl"))


class TurtleWriter:
    """Writes one graph; remembers which prefixes it used so the prefix block lists only those."""

    def __init__(self, graph: rdflib.Graph):
        self.graph = graph
        self.used: set[str] = set()
        self.references = Counter(o for o in graph.objects() if isinstance(o, BNode))
        shared = [b for b, n in self.references.items() if n > 1]
        if shared:
            raise FormatError(f"{len(shared)} blank node(s) referenced more than once; give them an IRI")
        self.namespaces = sorted(((ns, name) for name, ns in PREFIXES.items()), key=lambda x: -len(x[0]))

    # ---------------------------------------------------------------- terms
    def iri(self, node: URIRef) -> str:
        text = str(node)
        for ns, name in self.namespaces:
            if text.startswith(ns) and LOCAL_NAME.match(text[len(ns):]):
                self.used.add(name)
                return f"{name}:{text[len(ns):]}"
        return f"<{text}>"

    def literal(self, node: Literal) -> str:
        lexical = str(node)
        if node.datatype in SHORTHAND and SHORTHAND[node.datatype].match(lexical):
            return lexical
        quoted = '"' + "".join(ESCAPES.get(ch, ch) for ch in lexical) + '"'
        if node.language:
            return f"{quoted}@{node.language}"
        if node.datatype is not None and node.datatype != XSD.string:
            return f"{quoted}^^{self.iri(node.datatype)}"
        return quoted

    def term(self, node) -> str:
        if isinstance(node, Literal):
            return self.literal(node)
        if isinstance(node, BNode):
            return self.inline(node)
        if node == RDF.nil:
            return "()"
        return self.iri(node)

    # ---------------------------------------------------------------- blank nodes and lists
    def list_items(self, node: BNode) -> list | None:
        """The members of the RDF list starting at *node*, or None if it is not a plain list."""
        items = []
        while node != RDF.nil:
            if not isinstance(node, BNode) or set(self.graph.predicates(node)) != {RDF.first, RDF.rest}:
                return None
            firsts, rests = list(self.graph.objects(node, RDF.first)), list(self.graph.objects(node, RDF.rest))
            if len(firsts) != 1 or len(rests) != 1 or (items and self.references[node] != 1):
                return None
            items.append(firsts[0])
            node = rests[0]
        return items

    def inline(self, node: BNode) -> str:
        items = self.list_items(node)
        if items is not None:
            return "( " + " ".join(self.term(item) for item in items) + " )"
        return "[ " + " ; ".join(f"{verb} " + " , ".join(objects) for verb, objects in self.pairs(node)) + " ]"

    # ---------------------------------------------------------------- ordering
    def predicate_key(self, predicate: URIRef):
        if predicate in PREDICATE_ORDER:
            return (0, PREDICATE_ORDER.index(predicate), "")
        return (1, 0, self.iri(predicate))

    def object_key(self, node):
        if isinstance(node, URIRef):
            return (0, self.term(node))
        if isinstance(node, Literal):
            language = node.language or ""
            rank = LANGUAGE_ORDER.index(language) if language in LANGUAGE_ORDER else len(LANGUAGE_ORDER)
            return (1, rank, language, str(node.datatype or ""), str(node))
        return (2, self.term(node))

    def pairs(self, subject) -> list[tuple[str, list[str]]]:
        """(verb, written objects) for each predicate of *subject*, both in the canonical order."""
        out = []
        for predicate in sorted(set(self.graph.predicates(subject)), key=self.predicate_key):
            objects = sorted(self.graph.objects(subject, predicate), key=self.object_key)
            out.append(("a" if predicate == RDF.type else self.iri(predicate), [self.term(o) for o in objects]))
        return out

    def kind(self, subject) -> int:
        types = set(self.graph.objects(subject, RDF.type))
        return next((i for i, kind in enumerate(KIND_ORDER) if kind in types), len(KIND_ORDER))

    # ---------------------------------------------------------------- statements
    def statement(self, subject) -> str:
        head = "[]" if isinstance(subject, BNode) else self.iri(subject)
        lines = [f"{verb} " + (" ,\n" + INDENT * 2).join(objects) for verb, objects in self.pairs(subject)]
        return head + " " + (" ;\n" + INDENT).join(lines) + " .\n"

    def body(self) -> str:
        subjects = set(self.graph.subjects())
        named = [s for s in subjects if not isinstance(s, BNode)]
        anonymous = [s for s in subjects if isinstance(s, BNode) and self.references[s] == 0]
        bare = [s for s in named if set(self.graph.predicates(s)) == {RDF.type}
                and self.kind(s) != KIND_ORDER.index(OWL.Ontology)]
        described = [s for s in named if s not in set(bare)]
        blocks = [self.statement(s) for s in sorted(described, key=lambda s: (self.kind(s), self.iri(s)))]
        blocks += sorted(self.statement(s) for s in anonymous)
        if bare:
            blocks.append("".join(self.statement(s) for s in sorted(bare, key=lambda s: (self.kind(s), self.iri(s)))))
        return "\n".join(blocks)

    def document(self) -> str:
        body = self.body()
        prefixes = "".join(f"@prefix {name}: <{PREFIXES[name]}> .\n" for name in sorted(self.used))
        return prefixes + "\n" + body


def check_no_comments(path: Path, text: str) -> None:
    for number, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith("#"):
            raise FormatError(f"{path}:{number}: a comment would be lost; move it into an annotation "
                              "(rdfs:comment or skos:editorialNote) first")


def canonical(path: Path) -> str:
    """The canonical Turtle text of the file at *path*."""
    text = path.read_text(encoding="utf-8")
    check_no_comments(path, text)
    graph = rdflib.Graph(bind_namespaces="none")
    graph.parse(data=text, format="turtle")
    return TurtleWriter(graph).document()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="list the files that differ and exit 1; write nothing")
    parser.add_argument("files", nargs="*", type=Path, help="default: every .ttl under ontology/")
    args = parser.parse_args(argv)
    differ = []
    try:
        for path in args.files or default_files():
            text = canonical(path)
            if path.read_text(encoding="utf-8") != text:
                differ.append(path)
                if not args.check:
                    path.write_text(text, encoding="utf-8")
    except FormatError as exc:
        print(f"ontology_format: {exc}", file=sys.stderr)
        return 2
    for path in differ:
        print(("differs: " if args.check else "rewrote: ") + str(path))
    return 1 if (args.check and differ) else 0


if __name__ == "__main__":
    sys.exit(main())
