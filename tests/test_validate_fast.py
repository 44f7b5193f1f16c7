"""The fast evaluator gives the same SHACL results as pyshacl (the reference) on a test corpus.

Corpus: a slice of each shared file (query.csv and relations.tsv+names.tsv rows, a GEXF
subgraph written with networkx, the first rows of the ClimActor file: its cities, regions,
networks and memberships), the article's examples (in every store), and
tests/data/import/broken.ttl, which breaks every shape of shapes/data.ttl.
"""

from __future__ import annotations

from collections import Counter
from itertools import islice
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner

from citydiplomacy.cli import cli
from citydiplomacy.core.namespaces import GRAPH_ONTOLOGY
from citydiplomacy.core.store import graph_names, open_store, to_rdflib
from citydiplomacy.services.validation import fast as fastcheck
from citydiplomacy.services.validation.engine import load_shapes, validate_graph
from citydiplomacy.services.validation.fast.rdfs import store_from_ntriples
from citydiplomacy.services.validation.report import path_text

BROKEN = Path(__file__).parent / "data" / "import" / "broken.ttl"


def _head(src: Path, dst: Path, lines: int) -> Path:
    with open(src, encoding="utf-8") as handle:
        dst.write_text("".join(islice(handle, lines)), encoding="utf-8")
    return dst


@pytest.fixture(scope="module")
def corpus_store(shared_data, tmp_path_factory):
    """An open store holding the corpus."""
    base = tmp_path_factory.mktemp("corpus")
    query = _head(shared_data / "wikidata-p190-ursino2021" / "query.csv", base / "query.csv", 200)
    (base / "l3").mkdir()
    relations = _head(shared_data / "wikidata-p190-l3viathan2016" / "relations.tsv", base / "l3" / "relations.tsv", 150)
    _head(shared_data / "wikidata-p190-l3viathan2016" / "names.tsv", base / "l3" / "names.tsv", 10055)
    graph = nx.read_gexf(shared_data / "wikidata-p190-ursino2021" / "sister_cities.gexf")
    nodes = list(graph.nodes)[:60]
    gexf = base / "slice.gexf"
    nx.write_gexf(graph.subgraph(nodes).copy(), gexf)
    climactor = shared_data / "climactor-hsu2020" / "subnational_contextuals_database_Dec2022.csv"
    climactor_slice = _head(climactor, base / "climactor.csv", 400)
    store_path = base / "kg"
    files = [str(query), str(gexf), str(relations), str(climactor_slice)]
    result = CliRunner().invoke(cli, ["--store", str(store_path), "import", *files])
    assert result.exit_code == 0, result.output
    store = open_store(store_path)
    store.bulk_load(path=str(BROKEN), format=ox.RdfFormat.TURTLE,
                    to_graph=ox.NamedNode("https://w3id.org/citydiplomacy/graph/data/test-broken"))
    store.flush()
    return store


def _pyshacl_keys(store, shapes, inference):
    names = [n for n in graph_names(store) if n != GRAPH_ONTOLOGY]
    data = to_rdflib(store, names)
    ontology = to_rdflib(store, [GRAPH_ONTOLOGY])
    report = validate_graph(data, shapes=shapes, ontology=ontology, inference=inference, inplace=True)
    # a sequence path is a blank node, copied into the report: compare paths by their text
    return report, Counter(
        (r.focus_node, path_text(report.graph, r.path), r.value, r.severity, r.source_shape, r.component)
        for r in report.results
    )


@pytest.mark.parametrize("inference", ["rdfs", "none"])
def test_same_results_as_pyshacl(corpus_store, inference):
    store = corpus_store
    shapes = load_shapes("data")
    report, expected = _pyshacl_keys(store, shapes, inference)
    fast = fastcheck.validate_store(store, shapes=shapes, inference=inference)
    assert fast.engine == "pyoxigraph"
    got = Counter(
        (r.focus_node, path_text(shapes, r.path), r.value, r.severity, r.source_shape, r.component) for r in fast.results
    )
    missing = set(expected) - set(got)
    extra = set(got) - set(expected)
    assert not missing and not extra, "\n".join(
        ["missing:"] + [str(k) for k in sorted(missing, key=str)] + ["extra:"] + [str(k) for k in sorted(extra, key=str)]
    )
    # pyshacl reports each (focus, path, value, shape) once too
    assert sum(expected.values()) == len(fast.results)
    # the corpus does exercise the shapes: violations and warnings, from many shapes
    assert report.counts["Violation"] > 10 and report.counts["Warning"] > 0
    assert len({key[4] for key in expected}) >= 20


def test_messages_filled(corpus_store):
    store = corpus_store
    fast = fastcheck.validate_store(store)
    duplicate = [r for r in fast.results if str(r.source_shape).endswith("DuplicateTwinningShape")]
    assert duplicate and all("{" not in r.message for r in duplicate)


def test_unsupported_shapes_are_refused(corpus_store):
    shapes = load_shapes("data")
    shapes.add((rdflib.URIRef("https://w3id.org/citydiplomacy/shapes#CityShape"),
                rdflib.URIRef("http://www.w3.org/ns/shacl#closed"), rdflib.Literal(False)))
    store = corpus_store
    data, ontology = fastcheck.store_instance_graphs(store)
    ntriples = (data + ontology).serialize(format="nt", encoding="utf-8")
    with pytest.raises(fastcheck.Unsupported):
        fastcheck.evaluate(store_from_ntriples(ntriples), shapes, "rdfs", 0.0)


# ---------------------------------------------------------------- files (`citydip validate FILE`)


def _file_results_fast(paths, shapes, inference):
    from citydiplomacy.core import resources
    from citydiplomacy.core.rdfio import load_into_store

    store = ox.Store()
    load_into_store(store, paths, ox.DefaultGraph(), flatten_quads=True)
    for path in resources.ontology_files():
        store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE)
    return fastcheck.evaluate(store, shapes, inference, 0.0).results


def _keys(results, shapes):
    def node(term):
        if isinstance(term, rdflib.Literal) and term.datatype is None and not term.language:
            return rdflib.Literal(str(term), datatype=rdflib.XSD.string)  # the same RDF 1.1 term
        return "_:" if isinstance(term, rdflib.BNode) else term

    return Counter(
        (node(r.focus_node), path_text(shapes, r.path), node(r.value), r.severity, r.source_shape, r.component)
        for r in results
    )


@pytest.mark.parametrize("inference", ["rdfs", "none"])
def test_files_same_results_as_pyshacl(inference):
    """broken.ttl (every data shape broken) and the examples, read as files, as pyshacl reads them."""
    from citydiplomacy.core import resources
    from citydiplomacy.core.ontology import load_ontology

    paths = [BROKEN, resources.examples_file()]
    shapes = load_shapes("data")
    graph = rdflib.Graph()
    for path in paths:
        graph.parse(path, format="turtle")
    reference = validate_graph(graph, shapes=shapes, ontology=load_ontology(), inference=inference, inplace=True)
    expected = _keys(reference.results, reference.graph)
    got = _keys(_file_results_fast(paths, shapes, inference), shapes)
    assert got == expected
    assert len({key[4] for key in expected}) >= 20


def test_shapes_the_fast_engine_lacks_are_known_before_loading():
    shapes = load_shapes("data")
    assert fastcheck.unsupported_reason(shapes, "rdfs") is None
    assert fastcheck.unsupported_reason(shapes, "none") is None
    assert "owlrl" in fastcheck.unsupported_reason(shapes, "owlrl")
    closed = load_shapes("data")
    closed.add((rdflib.URIRef("https://w3id.org/citydiplomacy/shapes#CityShape"), rdflib.SH.closed, rdflib.Literal(True)))
    assert "closed" in fastcheck.unsupported_reason(closed, "rdfs")
    # a property shape with its own target would be skipped silently; it must send us to pyshacl
    standalone = load_shapes("data")
    shape = rdflib.URIRef("urn:x:Standalone")
    standalone.add((shape, rdflib.RDF.type, rdflib.SH.PropertyShape))
    standalone.add((shape, rdflib.SH.targetClass, rdflib.URIRef("https://w3id.org/citydiplomacy/ontology#City")))
    standalone.add((shape, rdflib.SH.path, rdflib.RDFS.label))
    standalone.add((shape, rdflib.SH.minCount, rdflib.Literal(5)))
    assert "no node shape" in fastcheck.unsupported_reason(standalone, "rdfs")
