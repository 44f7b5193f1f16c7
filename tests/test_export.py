"""`citydip export`: every format round-trips, the bytes are stable, RDF/XML opens in owlready2."""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys

import pyoxigraph
import pytest
import rdflib
from click.testing import CliRunner
from rdflib import BNode, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF, RDFS, XSD

from citydiplomacy.cli import cli
from citydiplomacy.core import formats
from citydiplomacy.core.namespaces import CDO, GEO, GRAPH_DATA, GRAPH_ONTOLOGY
from citydiplomacy.core.ontology import load_examples
from citydiplomacy.services.export import (
    FORMATS,
    merged_ontology,
    quiet_rdflib_parsers,
    reparse,
    serialize,
    serialize_graphs,
)

ALL_FORMATS = sorted(FORMATS)


def _as_graph(data: bytes, fmt: str) -> rdflib.Graph:
    graph = rdflib.Graph()
    if fmt == "nquads":
        for s, p, o, _g in _dataset(data).quads((None, None, None, None)):
            graph.add((s, p, o))
    else:
        with quiet_rdflib_parsers():
            graph.parse(data=data, format=formats.named(fmt).rdflib)
    return graph


def _dataset(data: bytes) -> rdflib.Dataset:
    return reparse(data, "nquads")


def _export(args, store=None) -> bytes:
    base = ["--store", store] if store else []
    result = CliRunner().invoke(cli, [*base, "export", *args])
    assert result.exit_code == 0, result.output
    return result.stdout_bytes


@pytest.mark.parametrize("fmt", ALL_FORMATS)
def test_ontology_round_trips_isomorphic(fmt):
    source = merged_ontology()
    assert len(source) > 0
    data = _export(["--format", fmt, "--what", "ontology"])
    assert isomorphic(_as_graph(data, fmt), source)


@pytest.mark.parametrize("fmt", ALL_FORMATS)
def test_examples_round_trip_isomorphic(fmt, tmp_path):
    out = tmp_path / f"examples{formats.named(fmt).extension}"
    result = CliRunner().invoke(cli, ["export", "--format", fmt, "--what", "examples", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    closing = result.stderr.strip().splitlines()[-1]
    assert closing.startswith(f"exported examples to {out}: ") and re.search(r": [\d,]+ (triples|quads), ", closing)
    assert isomorphic(_as_graph(out.read_bytes(), fmt), load_examples())


def _awkward_graph(typed_string: bool = True) -> rdflib.Graph:
    """Blank nodes (a shared one, lists, geometry), languages, datatypes outside the OWL map."""
    g = rdflib.Graph()
    ex = rdflib.Namespace("https://example.org/x#")
    shared = BNode()
    for i in range(6):
        city = ex[f"city{i}"]
        geom = BNode()
        g.add((city, RDF.type, CDO.City))
        g.add((city, RDFS.label, Literal(f"City {i}", lang="en")))
        g.add((city, RDFS.label, Literal(f"شهر {i}", lang="fa")))
        g.add((city, GEO.hasGeometry, geom))
        g.add((geom, GEO.asWKT, Literal(f"POINT({i} {i})", datatype=GEO.wktLiteral)))
        g.add((city, CDO.population, Literal(str(1000 * i), datatype=XSD.integer)))
        g.add((city, ex.seen, shared))
    g.add((shared, RDFS.comment, Literal("line one\nline \"two\"")))
    g.add((ex.year, ex.value, Literal("1999", datatype=XSD.gYear)))
    # rdflib's Turtle shorthand would write 525000000.0 (another lexical form): must stay exact.
    g.add((ex.revenue, ex.value, Literal("525000000", datatype=XSD.decimal)))
    g.add((ex.ratio, ex.value, Literal("2.5E3", datatype=XSD.double)))
    if typed_string:  # sends canonical() down rdflib's path instead of pyoxigraph's
        g.add((ex.s, ex.str, Literal("typed", datatype=XSD.string)))
    g.add((ex.s, ex.plain, Literal("plain")))
    rdflib.collection.Collection(g, BNode(), [ex.city0, ex.city1, Literal(3)])
    restriction = BNode()  # a type that is a class expression, as a reasoner's output has
    g.add((ex.city2, RDF.type, restriction))
    g.add((restriction, OWL.onProperty, ex.seen))
    return g


@pytest.mark.parametrize("typed_string", [True, False])
@pytest.mark.parametrize("fmt", ALL_FORMATS)
def test_awkward_graph_round_trips_and_ignores_insertion_order(fmt, typed_string):
    source = _awkward_graph(typed_string)
    triples = sorted(source, key=lambda t: tuple(x.n3() for x in t))
    random.Random(7).shuffle(triples)
    shuffled = rdflib.Graph()
    for triple in triples:
        shuffled.add(triple)
    first = serialize(source, fmt)
    assert serialize(shuffled, fmt) == first
    assert serialize(source, fmt) == first
    assert isomorphic(_as_graph(first, fmt), source)


@pytest.mark.parametrize("fmt", ["jsonld", "rdfxml", "turtle"])
def test_bytes_identical_across_processes_with_different_hash_seeds(fmt):
    outputs = []
    for seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        run = subprocess.run(
            [sys.executable, "-m", "citydiplomacy", "export", "--format", fmt],
            capture_output=True, env=env, timeout=120,
        )
        assert run.returncode == 0, run.stderr.decode()
        outputs.append(run.stdout)
    assert outputs[0] == outputs[1]
    assert len(outputs[0]) > 1000


def test_jsonld_uses_the_published_context():
    import json

    from citydiplomacy.core.resources import ontology_dir

    published = json.loads((ontology_dir() / "context.jsonld").read_text(encoding="utf-8"))["@context"]
    doc = json.loads(_export(["--format", "jsonld"]))
    assert doc["@context"] == published
    assert published["cdo"] == str(CDO)
    # Compacted: CURIEs and terms, not full IRIs, for our classes.
    ids = {node.get("@id") for node in doc["@graph"]}
    assert "cdo:City" in ids


def _store_with_data(tmp_path) -> str:
    """A store holding the packaged graphs plus a small data graph (with a blank-node geometry)."""
    from citydiplomacy.core.store import open_store

    path = tmp_path / "kg"
    store = open_store(path)
    data = (
        '<https://w3id.org/citydiplomacy/resource/city/Q3616> a <https://w3id.org/citydiplomacy/ontology#City> ;\n'
        '  <http://www.w3.org/2000/01/rdf-schema#label> "Tehran"@en , "تهران"@fa ;\n'
        '  <http://www.opengis.net/ont/geosparql#hasGeometry> [ <http://www.opengis.net/ont/geosparql#asWKT>'
        ' "POINT(51.39 35.69)"^^<http://www.opengis.net/ont/geosparql#wktLiteral> ] .\n'
    )
    store.load(data.encode("utf-8"), format=pyoxigraph.RdfFormat.TURTLE, to_graph=pyoxigraph.NamedNode(GRAPH_DATA))
    store.flush()
    del store
    return str(path)


def test_data_and_all_from_the_store_nquads_keeps_named_graphs(tmp_path):
    store = _store_with_data(tmp_path)
    data = _export(["--format", "nquads", "--what", "data"], store)
    ds = _dataset(data)
    names = {str(g) for _s, _p, _o, g in ds.quads((None, None, None, None))}
    assert names == {GRAPH_DATA}
    assert len(list(ds.quads((None, None, None, None)))) == 5

    everything = _export(["--format", "nquads", "--what", "all"], store)
    ds_all = _dataset(everything)
    names_all = {str(g) for _s, _p, _o, g in ds_all.quads((None, None, None, None))}
    assert {GRAPH_DATA, GRAPH_ONTOLOGY} <= names_all
    ontology_part = rdflib.Graph()
    for s, p, o, _g in ds_all.quads((None, None, None, URIRef(GRAPH_ONTOLOGY))):
        ontology_part.add((s, p, o))
    assert isomorphic(ontology_part, merged_ontology())
    assert _export(["--format", "nquads", "--what", "all"], store) == everything

    lines = _export(["--format", "ntriples", "--what", "data"], store)
    assert isomorphic(_as_graph(lines, "ntriples"), _as_graph(data, "nquads"))
    assert lines.decode().splitlines() == sorted(lines.decode().splitlines())

    turtle = _export(["--format", "turtle", "--what", "data"], store)
    graph = rdflib.Graph().parse(data=turtle, format="turtle")
    assert (URIRef("https://w3id.org/citydiplomacy/resource/city/Q3616"), RDF.type, CDO.City) in graph


def test_serialize_graphs_keeps_blank_nodes_of_graphs_apart():
    a, b = rdflib.Graph(), rdflib.Graph()
    for g in (a, b):
        g.add((URIRef("https://example.org/s"), RDFS.seeAlso, BNode()))
    merged = rdflib.Graph().parse(data=serialize_graphs({"https://example.org/a": a, "https://example.org/b": b}, "turtle"), format="turtle")
    assert len(merged) == 2


def test_out_into_missing_folder_creates_it(tmp_path):
    """Issue 12 (one grammar): the folders of an output file are created, as for --out-dir."""
    result = CliRunner().invoke(cli, ["export", "--out", str(tmp_path / "nope" / "x.ttl")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "nope" / "x.ttl").stat().st_size > 1000


def test_out_under_a_file_is_one_line(tmp_path):
    (tmp_path / "a-file").write_text("x")
    result = CliRunner().invoke(cli, ["export", "--output", str(tmp_path / "a-file" / "x.ttl")])
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1
    assert "a-file" in result.output


@pytest.mark.java
def test_rdfxml_loads_in_owlready2_with_every_class(tmp_path):
    import owlready2

    turtle = rdflib.Graph().parse(data=_export(["--format", "turtle", "--what", "ontology"]), format="turtle")
    declared = {
        s for s in turtle.subjects(RDF.type, OWL.Class) if isinstance(s, URIRef) and str(s).startswith(str(CDO))
    }
    assert len(declared) > 0
    path = tmp_path / "citydiplomacy.rdf"
    path.write_bytes(_export(["--format", "rdfxml", "--what", "ontology"]))
    world = owlready2.World()
    onto = world.get_ontology(path.as_uri()).load()
    loaded = {c.iri for c in world.classes() if c.iri.startswith(str(CDO))}
    assert loaded == {str(c) for c in declared}
    assert onto is not None
    world.close()


@pytest.mark.java
def test_rdfxml_is_read_by_the_owl_api(tmp_path):
    """Protégé reads ontologies with the OWL API; HermiT's command line loads files through it too."""
    from owlready2 import reasoning as owlr

    from citydiplomacy.services.reasoning import find_java

    path = tmp_path / "citydiplomacy.rdf"
    path.write_bytes(_export(["--format", "rdfxml", "--what", "ontology"]))
    run = subprocess.run(
        [find_java(), "-cp", owlr._HERMIT_CLASSPATH, "org.semanticweb.HermiT.cli.CommandLine", "-c", path.as_uri()],
        capture_output=True, text=True, timeout=300,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    # Every class of ours with an asserted named superclass shows up in the classification.
    with_parent = {
        str(s) for s, o in merged_ontology().subject_objects(RDFS.subClassOf)
        if str(s).startswith(str(CDO)) and isinstance(o, URIRef)
    }
    assert with_parent
    mentioned = set(re.findall(r"<([^>]+)>", run.stdout))
    assert with_parent <= mentioned, sorted(with_parent - mentioned)[:5]


@pytest.mark.parametrize("fmt", ALL_FORMATS)
def test_store_data_every_format_round_trips_and_is_stable_across_processes(tmp_path, fmt):
    store = _store_with_data(tmp_path)
    expected = _as_graph(_export(["--format", "nquads", "--what", "data"], store), "nquads")
    runs = []
    for seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        run = subprocess.run(
            [sys.executable, "-m", "citydiplomacy", "--store", store, "export", "--what", "data", "--format", fmt],
            capture_output=True, env=env, timeout=120,
        )
        assert run.returncode == 0, run.stderr.decode()
        runs.append(run.stdout)
    assert runs[0] == runs[1]
    assert isomorphic(_as_graph(runs[0], fmt), expected)


@pytest.mark.parametrize("fmt", ALL_FORMATS)
def test_list_nodes_with_extra_triples_survive(fmt):
    """A reasoner's output puts triples on list nodes (_:l owl:sameAs _:l); no writer may drop them."""
    g = rdflib.Graph()
    ex = rdflib.Namespace("https://example.org/x#")
    head = BNode()
    rdflib.collection.Collection(g, head, [ex.a, ex.b])
    g.add((ex.C, OWL.oneOf, head))
    g.add((head, OWL.sameAs, head))
    g.add((head, RDF.type, RDF.List))
    data = serialize(g, fmt)
    assert isomorphic(_as_graph(data, fmt), g)


def test_export_bytes_from_python_is_what_the_command_writes(tmp_path):
    from citydiplomacy.core.store import open_store
    from citydiplomacy.services.export import export_bytes

    path = _store_with_data(tmp_path)
    for fmt in ("nquads", "jsonld"):
        store = open_store(path, read_only=True)
        result = export_bytes("data", fmt, store)
        del store
        assert not result.empty
        assert result.data == _export(["--format", fmt, "--what", "data"], path)
    with pytest.raises(ValueError, match="needs the store"):
        export_bytes("data", "turtle")


def _awkward_store(tmp_path) -> str:
    """A store whose data graph holds what the JSON-LD writer must get right, plus analyze's scores."""
    from citydiplomacy.core.namespaces import GRAPH_ANALYSIS
    from citydiplomacy.core.store import open_store

    path = tmp_path / "kg"
    store = open_store(path)
    data = _awkward_graph(typed_string=False)
    city = URIRef("https://w3id.org/citydiplomacy/resource/city/Q64")
    data.add((city, CDO.population, Literal("3700000", datatype=XSD.integer)))  # fits the context's coercion
    data.add((city, CDO.population, Literal("about 3.7 million")))  # does not
    data.add((city, RDFS.label, Literal("Berlin", lang="en")))
    data.add((city, RDFS.label, Literal("Berlin", lang="de")))
    data.add((city, RDFS.label, Literal("برلین", lang="fa")))
    data.add((city, RDFS.label, Literal("Berlín", lang="fa")))  # two labels in one language
    data.add((city, RDFS.label, Literal("no language")))
    data.add((city, CDO.partner, URIRef("https://w3id.org/citydiplomacy/resource/city/Q90")))
    data.add((city, CDO.partner, Literal("not an IRI")))
    store.load(data.serialize(format="nt", encoding="utf-8"), format=pyoxigraph.RdfFormat.N_TRIPLES,
               to_graph=pyoxigraph.NamedNode(GRAPH_DATA))
    store.load(b'<https://example.org/x#city1> <https://w3id.org/citydiplomacy/ontology#cityness> "0.5" .',
               format=pyoxigraph.RdfFormat.N_TRIPLES, to_graph=pyoxigraph.NamedNode(GRAPH_ANALYSIS))
    store.flush()
    del store
    return str(path)


def test_store_jsonld_is_valid_compact_and_round_trips(tmp_path):
    import json

    from pyld import jsonld

    store = _awkward_store(tmp_path)
    expected = _as_graph(_export(["--format", "nquads", "--what", "data"], store), "nquads")
    data = _export(["--format", "jsonld", "--what", "data"], store)
    assert isomorphic(_as_graph(data, "jsonld"), expected)
    # The reference implementation reads it to the same graph too (no rdflib leniency relied on).
    document = json.loads(data)
    nquads = jsonld.to_rdf(document, {"format": "application/n-quads"})
    assert isomorphic(rdflib.Graph().parse(data=nquads, format="nt"), expected)
    berlin = next(n for n in document["@graph"] if n["@id"] == "cdr:city/Q64")
    assert berlin["label"]["fa"] == sorted(["برلین", "Berlín"])
    assert berlin["rdfs:label"] == "no language"
    assert berlin["population"] == "3700000"
    assert berlin["partner"] == "cdr:city/Q90"
    ids = [n["@id"] for n in document["@graph"]]
    assert ids == sorted(ids)


def test_what_data_leaves_out_the_scores_and_what_analysis_has_only_them(tmp_path):
    store = _awkward_store(tmp_path)
    data = _as_graph(_export(["--format", "ntriples", "--what", "data"], store), "ntriples")
    assert (None, CDO.cityness, None) not in data
    scores = _as_graph(_export(["--format", "ntriples", "--what", "analysis"], store), "ntriples")
    assert len(scores) == 1 and (None, CDO.cityness, None) in scores
    everything = _as_graph(_export(["--format", "ntriples"], store), "ntriples")  # the default: all
    assert len(everything) > len(data) + len(scores)


def test_every_export_ends_with_a_closing_line_on_stderr(tmp_path):
    store = _store_with_data(tmp_path)
    result = CliRunner().invoke(cli, ["--store", store, "export", "--format", "jsonld", "--what", "data"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("{")
    assert re.fullmatch(r"exported data to standard output: 5 triples, [\d,]+ bytes, [\d.]+ s", result.stderr.strip())
