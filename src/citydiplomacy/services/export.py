"""The ontology, the examples and the stored data in five RDF formats, byte for byte stable (``citydip export``).

Determinism matters (a release diff should show only real changes), so every export goes
through :func:`canonical`: blank nodes get content-derived labels (pyoxigraph's
canonicalisation) and triples are inserted in sorted order, which fixes
the iteration order the serializers follow; N-Triples/N-Quads lines are sorted, JSON-LD nodes
are sorted by ``@id``, and the prefixes are always the project's (``namespaces.PREFIXES``).
"""

from __future__ import annotations

import json
import warnings
from contextlib import contextmanager
from dataclasses import dataclass

import rdflib
from rdflib import BNode, Literal, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.namespace import OWL, RDF, XSD
from rdflib.plugins.serializers.turtle import TurtleSerializer

from citydiplomacy.core import formats, resources
from citydiplomacy.core.errors import CitydipError
from citydiplomacy.core.namespaces import (
    GRAPH_ANALYSIS,
    GRAPH_EXAMPLES,
    GRAPH_ONTOLOGY,
    PREFIXES,
    bind_prefixes,
)
from citydiplomacy.core.output import no_progress

# The formats the registry marks as exported, by name (each also accepted by its aliases: ttl, nt, ...).
FORMATS: tuple[str, ...] = tuple(fmt.name for fmt in formats.EXPORTED)
# What --what selects: the packaged ontology or examples, the store's imported data (without the
# scores analyze writes), those scores alone, or every graph of the store.
WHAT = ("all", "ontology", "examples", "data", "analysis")
STORE_WHAT = ("data", "analysis", "all")


class ExactTurtleSerializer(TurtleSerializer):
    """rdflib's Turtle serializer, except that a literal whose shorthand would change its lexical
    form ("525000000"^^xsd:decimal -> 525000000.0, doubles -> 5.25e+08) is written in full, so
    the file re-parses into exactly the same terms."""

    def label(self, node, position):
        text = super().label(node, position)
        if isinstance(node, Literal) and node.datatype is not None and not text.startswith('"') and text != str(node):
            return node._literal_n3(use_plain=False, qname_callback=lambda dt: self.get_pname(dt, True))
        return text


rdflib.plugin.register("citydip-turtle", rdflib.serializer.Serializer, __name__, "ExactTurtleSerializer")


def export_format(name: str) -> formats.RdfFormat:
    """The registry's entry for an export ``--format`` (a name or an alias); unknown ones are exit 2."""
    return formats.named(name, formats.EXPORTED, "export format")


def _sort_key(triple):
    # N3 forms order IRIs, blank nodes and literals (with their datatype/language) totally.
    return tuple(term.n3() for term in triple)


def _has_bnode(triple) -> bool:
    return any(isinstance(t, BNode) for t in triple)


def _oxigraph_canonical(graph: rdflib.Graph) -> list | None:
    """Triples of *graph* with blank nodes relabelled by pyoxigraph's canonicalisation, or None
    when the fast path cannot promise the very same terms (then rdflib's algorithm is used)."""
    import pyoxigraph

    if any(isinstance(o, Literal) and o.datatype == XSD.string for o in graph.objects()):
        return None  # pyoxigraph (RDF 1.1) merges "x" and "x"^^xsd:string; rdflib keeps them apart
    data = graph.serialize(format="nt", encoding="utf-8")
    dataset = pyoxigraph.Dataset(pyoxigraph.parse(data, format=formats.NTRIPLES.oxigraph_format))
    dataset.canonicalize(pyoxigraph.CanonicalizationAlgorithm.UNSTABLE)

    from citydiplomacy.core.terms import to_rdflib

    triples = [(to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)) for q in dataset]
    ground_before = {t for t in graph if not _has_bnode(t)}
    ground_after = {t for t in triples if not _has_bnode(t)}
    if len(triples) != len(graph) or ground_before != ground_after:
        return None
    return triples


def canonical(graph: rdflib.Graph, bnode_prefix: str = "") -> rdflib.Graph:
    """A copy of *graph* with content-derived blank node labels and sorted insertion order.

    Blank nodes are relabelled by pyoxigraph's canonicalisation (Rust, ~10x faster than
    rdflib.compare.to_canonical_graph on the ontology), falling back to rdflib's when the graph
    holds literals pyoxigraph would not give back identically. Labels are stable for the same
    graph and the same library versions.
    """
    triples = _oxigraph_canonical(graph)
    if triples is None:
        triples = list(to_canonical_graph(graph))
    if bnode_prefix:
        triples = [
            tuple(BNode(bnode_prefix + str(t)) if isinstance(t, BNode) else t for t in triple) for triple in triples
        ]
    out = rdflib.Graph(store="SimpleMemory", bind_namespaces="core")  # iterates in insertion order
    bind_prefixes(out)
    for triple in sorted(triples, key=_sort_key):
        out.add(triple)
    return out


def _sort_jsonld(value, in_list: bool = False):
    """Sort JSON-LD arrays (they are sets, except ``@list``) and ``@graph`` nodes for stable bytes."""
    if isinstance(value, dict):
        return {k: _sort_jsonld(v, in_list=(k == "@list")) for k, v in value.items()}
    if isinstance(value, list):
        items = [_sort_jsonld(v) for v in value]
        if in_list:
            return items
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    return value


def serialize(graph: rdflib.Graph, fmt: str) -> bytes:
    """*graph* in export format *fmt* (a name or alias), deterministically. nquads puts it in the default graph."""
    name = export_format(fmt).name
    if name == "nquads":
        return serialize_graphs({None: graph}, name)
    return _GRAPH_WRITERS[name](canonical(graph))


def _sorted_lines(text: str) -> bytes:
    """Line formats (N-Triples, N-Quads): each line once, sorted."""
    lines = sorted({line for line in text.splitlines() if line.strip()})
    return ("\n".join(lines) + "\n").encode("utf-8") if lines else b""


def _ntriples(canon: rdflib.Graph) -> bytes:
    return _sorted_lines(canon.serialize(format=formats.NTRIPLES.rdflib, encoding="utf-8").decode("utf-8"))


def _turtle(canon: rdflib.Graph) -> bytes:
    return canon.serialize(format="citydip-turtle", encoding="utf-8")  # ExactTurtleSerializer


def _rdfxml(canon: rdflib.Graph) -> bytes:
    # rdflib's plain "xml" serializer, not "pretty-xml": pretty-xml orders its xmlns
    # declarations by set iteration (bytes change with PYTHONHASHSEED) and writes literal list
    # members as IRIs inside rdf:parseType="Collection". The flat form sorts its prefixes and is
    # what Protégé and owlready2 read anyway.
    return canon.serialize(format=formats.named("rdfxml").rdflib, encoding="utf-8")


def _plain_lists(graph: rdflib.Graph) -> bool:
    """True when every RDF list node is a blank node with exactly one rdf:first, one rdf:rest,
    nothing else and one reference: the lists rdflib's JSON-LD writer renders without loss."""
    for node in set(graph.subjects(RDF.first, None)):
        if not isinstance(node, BNode):
            return False
        if set(graph.predicates(node, None)) - {RDF.first, RDF.rest}:
            return False
        if len(list(graph.objects(node, RDF.first))) != 1 or len(list(graph.objects(node, RDF.rest))) != 1:
            return False
        if len(list(graph.subject_predicates(node))) > 1:
            return False
    return True


def _jsonld(canon: rdflib.Graph) -> bytes:
    """Compact JSON-LD: rdflib writes expanded JSON-LD, PyLD (the JSON-LD API reference
    implementation) compacts it with the published context.

    rdflib's own compaction drops the blank nodes behind terms coerced to ``@id`` (restrictions,
    lists), and PyLD's fromRdf is quadratic (69 s for 20,000 triples), hence the split. Literals
    keep their lexical forms (no native numbers), so the round trip is exact.
    """
    from pyld import jsonld

    context = resources.jsonld_context()
    if _plain_lists(canon):
        # rdflib writes an rdf:type whose object is a blank node (a reasoner's restriction types) as
        # an invalid "@type": [{"@id": ...}]; such graphs keep rdf:type as an ordinary property.
        plain_type = any(not isinstance(o, URIRef) for o in canon.objects(None, RDF.type))
        expanded = json.loads(canon.serialize(format="json-ld", encoding="utf-8", use_rdf_type=plain_type))
    else:
        # rdflib turns every rdf:first/rest chain into @list and drops other triples on its nodes
        # (a reasoner's output has them: _:l owl:sameAs _:l); PyLD's fromRdf does it right, slowly.
        nquads = canon.serialize(format="nt", encoding="utf-8").decode("utf-8")
        expanded = jsonld.from_rdf(nquads, {"format": "application/n-quads"})
    compacted = jsonld.compact(expanded, {"@context": context})
    if "@graph" in compacted:
        compacted["@graph"] = sorted(
            (_sort_jsonld(node) for node in compacted["@graph"]), key=lambda n: str(n.get("@id", ""))
        )
    else:
        compacted = {k: (v if k == "@context" else _sort_jsonld(v)) for k, v in compacted.items()}
    # The context is written inline (the content of ontology/context.jsonld) so the file parses offline.
    compacted["@context"] = context
    return (json.dumps(compacted, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


# Export's own deterministic writer for each exported format but N-Quads (serialize_graphs writes it).
_GRAPH_WRITERS = {"turtle": _turtle, "ntriples": _ntriples, "jsonld": _jsonld, "rdfxml": _rdfxml}


def serialize_graphs(graphs: dict[str | None, rdflib.Graph], fmt: str) -> bytes:
    """Several graphs: N-Quads keeps each in its named graph (None = default); other formats merge them."""
    fmt = export_format(fmt).name
    if fmt != "nquads":
        merged = rdflib.Graph()
        for index, graph in enumerate(graphs.values()):
            # Blank nodes of different graphs stay distinct after canonical relabelling.
            for triple in canonical(graph, bnode_prefix=f"g{index}x") if len(graphs) > 1 else graph:
                merged.add(triple)
        return serialize(merged, fmt)
    lines: list[str] = []
    for index, (name, graph) in enumerate(graphs.items()):
        text = _ntriples(canonical(graph, bnode_prefix=f"g{index}x")).decode("utf-8")
        # An N-Triples line plus the graph's name before its final " ." is the N-Quads line.
        lines.extend(text.splitlines() if name is None else (f"{line[:-2]} <{name}> ." for line in text.splitlines()))
    return _sorted_lines("\n".join(lines))


def merged_ontology() -> rdflib.Graph:
    """The ontology as one document: modules merged, imports between them dropped.

    The modules are all in this graph already, so an ``owl:imports`` of one of them would
    only make Protégé or owlready2 go to the network for what the file already holds.
    """
    from citydiplomacy.core.ontology import load_ontology

    graph = load_ontology()
    local = set(graph.subjects(RDF.type, OWL.Ontology))
    for s, o in list(graph.subject_objects(OWL.imports)):
        if o in local:
            graph.remove((s, OWL.imports, o))
    return graph


def _store_names(store, what: str) -> list[str]:
    """The store's named graphs that --what covers: all of them, the imported ones (neither the
    packaged two nor analyze's scores), or the scores alone."""
    from citydiplomacy.core.store import graph_names

    names = graph_names(store)
    if what == "data":
        names = [n for n in names if n not in (GRAPH_ONTOLOGY, GRAPH_EXAMPLES, GRAPH_ANALYSIS)]
    elif what == "analysis":
        names = [n for n in names if n == GRAPH_ANALYSIS]
    return names


def _needs_store(what: str, store) -> None:
    if store is None:
        raise ValueError(f"exporting --what {what} needs the store: pass store= (citydiplomacy.core.store.open_store)")


def graphs_for(what: str, store=None) -> dict[str, rdflib.Graph]:
    """Named graph IRI -> graph, for --what; *store* (a pyoxigraph store) is read for data, analysis and all."""
    from citydiplomacy.core.ontology import load_examples

    if what == "ontology":
        return {GRAPH_ONTOLOGY: merged_ontology()}
    if what == "examples":
        return {GRAPH_EXAMPLES: load_examples()}
    from citydiplomacy.core.store import to_rdflib

    _needs_store(what, store)
    graphs = {name: to_rdflib(store, [name]) for name in _store_names(store, what)}
    if what == "all" and GRAPH_ONTOLOGY in graphs:
        graphs[GRAPH_ONTOLOGY] = merged_ontology()
    return graphs


def _store_graph_quads(store, name: str):
    """The quads of one named graph; the ontology graph as one merged document (see merged_ontology)."""
    import pyoxigraph

    graph = pyoxigraph.NamedNode(name)
    if name != GRAPH_ONTOLOGY:
        yield from store.quads_for_pattern(None, None, None, graph)
        return
    data = merged_ontology().serialize(format="nt", encoding="utf-8")
    for triple in pyoxigraph.parse(data, format=formats.NTRIPLES.oxigraph_format):
        yield pyoxigraph.Quad(triple.subject, triple.predicate, triple.object, graph)


def _canonical_store_dataset(store, what: str, progress):
    """The quads --what covers, as a pyoxigraph Dataset with canonical blank node labels."""
    import pyoxigraph

    names = _store_names(store, what)
    with progress(f"reading {len(names)} graph(s) from the store") as advance:

        def quads():
            for name in names:
                yield from _store_graph_quads(store, name)
                advance(1)

        dataset = pyoxigraph.Dataset(quads())
    with progress(f"labelling the blank nodes of {len(dataset):,} quads"):
        dataset.canonicalize(pyoxigraph.CanonicalizationAlgorithm.UNSTABLE)
    return dataset


def _sorted_triples(dataset) -> list:
    """The dataset's graphs merged, each triple once, sorted by subject, predicate, object."""
    return sorted({q.triple for q in dataset}, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))


def _store_jsonld(dataset, progress) -> tuple[bytes, int]:
    from citydiplomacy.services.export_jsonld import write_jsonld

    triples = _sorted_triples(dataset)
    subjects = len({t.subject for t in triples})
    with progress(f"writing JSON-LD of {subjects:,} subjects", total=subjects) as advance:
        data = "".join(write_jsonld(triples, resources.jsonld_context(), advance)).encode("utf-8")
    return data, len(triples)


def store_bytes_counted(store, what: str, fmt: str, progress=no_progress) -> tuple[bytes, int]:
    """--what data/analysis/all in any export format, written from pyoxigraph without rdflib;
    the bytes and the number of triples (quads for N-Quads) written.

    pyoxigraph canonicalises the dataset and serialises it (the shared Wikidata extracts,
    145,000 triples: N-Triples in 5 s instead of 73 s, Turtle in seconds instead of minutes);
    JSON-LD is written node by node by :mod:`.export_jsonld` (seconds instead of minutes and
    gigabytes with rdflib + PyLD). Lexical forms stay exactly as stored. Line formats are sorted
    line by line; Turtle and RDF/XML get the triples in sorted order and the project's prefixes.
    """
    import pyoxigraph

    fmt = export_format(fmt).name
    dataset = _canonical_store_dataset(store, what, progress)
    if fmt == "jsonld":
        return _store_jsonld(dataset, progress)
    with progress(f"writing {fmt}"):
        if fmt in ("nquads", "ntriples"):
            if fmt == "nquads":
                text = pyoxigraph.serialize(dataset, format=formats.NQUADS.oxigraph_format) or b""
            else:
                text = pyoxigraph.serialize((q.triple for q in dataset), format=formats.NTRIPLES.oxigraph_format) or b""
            lines = sorted(set(text.splitlines()))
            return (b"\n".join(lines) + b"\n" if lines else b""), len(lines)
        triples = _sorted_triples(dataset)
        oxi_format = formats.named(fmt).oxigraph_format  # turtle or rdfxml
        # cdr: is left out: resource IRIs have slashes after it (cdr:city\/Q100 is legal but unreadable).
        prefixes = {p: ns for p, ns in sorted(PREFIXES.items()) if p != "cdr"}
        return pyoxigraph.serialize(triples, format=oxi_format, prefixes=prefixes) or b"", len(triples)


def store_bytes(store, what: str, fmt: str) -> bytes:
    """--what data/analysis/all in *fmt* from the store (see :func:`store_bytes_counted`)."""
    return store_bytes_counted(store, what, fmt)[0]


@dataclass
class Export:
    """The bytes of one export, how many triples they hold (quads for N-Quads), and whether
    --what data found nothing imported to export."""

    data: bytes
    empty: bool
    triples: int = 0


def export_bytes(what: str = "all", fmt: str = "turtle", store=None, progress=no_progress) -> Export:
    """Everything ``citydip export`` writes: *what* (see WHAT) in *fmt* (see FORMATS; aliases such as ``ttl`` too).

    *store* (a pyoxigraph store, e.g. ``open_store(path, read_only=True)``) is needed for
    ``data``, ``analysis`` and ``all``. The same graph and library versions give the same bytes.
    *progress* is :func:`citydiplomacy.core.output.progress` or a function like it.
    """
    fmt = export_format(fmt).name
    if what not in WHAT:
        raise CitydipError(f"unknown --what {what!r}; use one of: {', '.join(WHAT)}")
    if what in STORE_WHAT:
        _needs_store(what, store)
        data, triples = store_bytes_counted(store, what, fmt, progress)
        return Export(data, what in ("data", "analysis") and triples == 0, triples)
    graphs: dict[str | None, rdflib.Graph] = {name: graph for name, graph in graphs_for(what, store).items()}
    with progress(f"writing {fmt}"):
        data = serialize_graphs(graphs, fmt)
    return Export(data, False, sum(len(g) for g in graphs.values()))


def reparse(data: bytes, fmt: str) -> rdflib.Graph | rdflib.Dataset:
    """Read an export back (used by the tests and the release check)."""
    entry = export_format(fmt)
    with quiet_rdflib_parsers():
        if entry.quads:
            dataset = rdflib.Dataset()
            dataset.parse(data=data, format=entry.rdflib)
            return dataset
        return rdflib.Graph().parse(data=data, format=entry.rdflib)


@contextmanager
def quiet_rdflib_parsers():
    """rdflib's own N-Quads and JSON-LD parsers use its deprecated ConjunctiveGraph and
    default_context internally; that is rdflib's to fix, not a caller's, so it is not shown."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"rdflib\.")
        yield
