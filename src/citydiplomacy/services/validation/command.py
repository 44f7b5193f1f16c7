"""``citydip validate``: check data (or the ontology itself) against the SHACL shapes."""

from __future__ import annotations

import time

import click
import rdflib

from citydiplomacy.core.errors import EXIT_FAILED
from citydiplomacy.core.namespaces import GRAPH_ONTOLOGY, bind_prefixes
from citydiplomacy.core.output import progress
from citydiplomacy.core.rdfio import INPUT_FORMATS, read_many
from citydiplomacy.services.validation import report as render
from citydiplomacy.services.validation.engine import INFERENCE_MODES, SEVERITIES, load_shapes, validate_graph


def _store_instance_data() -> tuple[rdflib.Graph, rdflib.Graph]:
    """The embedded store's instance data (every graph but the ontology) and its ontology graph.

    The ontology is kept apart and handed to pyshacl as the ontology graph, so the data graph
    (which SHACL targets and RDFS inference work on) stays the instance data only.
    """
    from citydiplomacy.cli import store_from_context
    from citydiplomacy.core.store import graph_names, to_rdflib

    store = store_from_context(read_only=True)
    names = [name for name in graph_names(store) if name != GRAPH_ONTOLOGY]
    data = to_rdflib(store, names) if names else rdflib.Graph()
    bind_prefixes(data)
    ontology = to_rdflib(store, [GRAPH_ONTOLOGY])
    return data, ontology


@click.command("validate")
@click.argument("data", nargs=-1, type=str, metavar="[DATA]...")
@click.option(
    "--ontology",
    "check_ontology",
    is_flag=True,
    help="Lint the ontology with shapes/ontology-qa.ttl instead (the packaged ontology, or the DATA files given).",
)
@click.option(
    "--inference",
    type=click.Choice(INFERENCE_MODES),
    default="rdfs",
    show_default=True,
    help="Inference pyshacl runs on data + ontology before validating (ignored with --ontology).",
)
@click.option("--shapes", "extra_shapes", multiple=True, metavar="FILE", help="Extra SHACL shapes to apply as well (repeatable).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "turtle", "json"]),
    default="text",
    show_default=True,
    help="text: a table by focus node and counts; turtle: the SHACL report graph; json: results and summary.",
)
@click.option(
    "--fail-on",
    type=click.Choice(SEVERITIES),
    default="violation",
    show_default=True,
    help="Exit 1 when a result of this severity or worse is found.",
)
@click.option(
    "--input-format",
    type=click.Choice(INPUT_FORMATS, case_sensitive=False),
    default=None,
    help="RDF syntax of DATA (default: from each file's extension; required for '-').",
)
@click.option(
    "--engine",
    type=click.Choice(["auto", "fast", "pyshacl"]),
    default="auto",
    show_default=True,
    help="'fast' evaluates the shapes inside pyoxigraph (same results as pyshacl, tested; files are "
    "loaded into a temporary in-memory store); 'pyshacl' is the reference; 'auto' = fast, or pyshacl "
    "with a note on stderr when the shapes or --inference need it.",
)
@click.option(
    "--limit",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Text format: show at most this many results in the table (0 = all); counts cover all.",
)
@click.pass_context
def validate(ctx, data, check_ontology, inference, extra_shapes, fmt, fail_on, input_format, engine, limit):
    """Validate DATA files (or '-' for standard input) against the ontology and shapes/data.ttl.

    With no DATA, validates the instance data of the embedded store (the article's examples and
    anything imported). With --ontology, runs the ontology's own quality checks.

    Reads Turtle, N-Triples, N-Quads, TriG, JSON-LD and RDF/XML. Exit codes: 0 conforms,
    1 does not conform (at --fail-on), 2 bad input or bad shapes.
    """
    from citydiplomacy.core.ontology import load_ontology

    shapes = load_shapes("ontology-qa" if check_ontology else "data", extra_shapes)
    if data and not check_ontology and engine != "pyshacl":
        report = _validate_files_fast(data, shapes, inference, input_format)
        if report is not None:
            _emit(report, fmt, fail_on, ", ".join(data), limit)
            if report.fails(fail_on):
                ctx.exit(EXIT_FAILED)
            return
    if data:
        graph = rdflib.Graph()
        bind_prefixes(graph)
        read_many(data, graph, input_format)
        what = ", ".join(data)
    elif check_ontology:
        graph, what = load_ontology(), "the packaged ontology"
    elif engine != "pyshacl":
        report = _validate_store_fast(shapes, inference)
        _emit(report, fmt, fail_on, "the store's instance data", limit)
        if report.fails(fail_on):
            ctx.exit(EXIT_FAILED)
        return
    else:
        graph, store_ontology = _store_instance_data()
        what = "the store's instance data"

    # pyshacl reports no progress; on a terminal, at least show that it runs and for how long.
    with progress(f"validating {len(graph)} triples"):
        if check_ontology:
            report = validate_graph(graph, shapes=shapes, ontology=None, inference="none", inplace=True)
        else:
            ontology = store_ontology if not data else load_ontology()
            report = validate_graph(graph, shapes=shapes, ontology=ontology, inference=inference, inplace=True)

    _emit(report, fmt, fail_on, what, limit)
    if report.fails(fail_on):
        ctx.exit(EXIT_FAILED)


def _emit(report, fmt: str, fail_on: str, what: str, limit: int) -> None:
    if fmt == "json":
        click.echo(render.to_json(report, fail_on))
    elif fmt == "turtle":
        click.echo(render.to_turtle(report), nl=False)
    else:
        render.print_text(report, fail_on, what, limit)


def _validate_store_fast(shapes: rdflib.Graph, inference: str):
    """Validate the store in place with the fast evaluator (pyshacl if the shapes need it)."""
    from citydiplomacy.cli import store_from_context
    from citydiplomacy.services.validation.fast import unsupported_reason, validate_store
    from citydiplomacy.services.validation.engine import report_from_results

    store = store_from_context(read_only=True)
    reason = unsupported_reason(shapes, inference)
    if reason is not None:
        _note_pyshacl(reason)
    with progress("validating the store"):
        fast = validate_store(store, shapes=shapes, inference=inference)
    return report_from_results(
        fast.results,
        shapes=shapes,
        label_graph=_labels_of(store, {r.focus_node for r in fast.results}),
        triples=fast.triples,
        seconds=fast.seconds,
        inference=inference,
    )


def _validate_files_fast(paths, shapes: rdflib.Graph, inference: str, input_format: str | None):
    """Validate DATA files with the fast engine; None (after a note on stderr) when pyshacl must.

    The files and the ontology go into the default graph of an in-memory store, which is
    pyshacl's data graph (data + ontology mixed in). In memory rather than a temporary
    on-disk store: at 2M triples it peaked at 1.9 GB in 71 s, on disk at 2.7 GB in 227 s.
    """
    import pyoxigraph as ox

    from citydiplomacy.core import resources
    from citydiplomacy.services.validation import fast
    from citydiplomacy.services.validation.engine import report_from_results
    from citydiplomacy.services.validation.files import load_files_into_store

    reason = fast.unsupported_reason(shapes, inference)
    if reason is not None:
        _note_pyshacl(reason)
        return None
    started = time.perf_counter()
    store = ox.Store()
    with progress(f"loading {len(paths)} file(s)", total=len(paths)) as advance:
        for path in paths:
            load_files_into_store(store, [path], ox.DefaultGraph(), input_format)
            advance()
    triples = len(store)
    for path in resources.ontology_files():
        store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ox.DefaultGraph())
    with progress(f"validating {triples} triples"):
        found = fast.evaluate(store, shapes, inference, started)
    return report_from_results(
        found.results,
        shapes=shapes,
        label_graph=_labels_of(store, {r.focus_node for r in found.results}),
        triples=triples,
        seconds=found.seconds,
        inference=inference,
    )


def _note_pyshacl(reason: str) -> None:
    click.echo(f"note: the fast engine cannot do this ({reason}); validating with pyshacl, "
               "which is much slower on big data", err=True)


def _labels_of(store, nodes) -> rdflib.Graph:
    """A small graph with the rdfs:label of *nodes*, so the report can name them."""
    import pyoxigraph

    graph = rdflib.Graph()
    bind_prefixes(graph)
    iris = [n for n in nodes if isinstance(n, rdflib.URIRef)]
    for start in range(0, len(iris), 2000):
        values = " ".join(f"<{iri}>" for iri in iris[start : start + 2000])
        rows = store.query(
            f"SELECT ?s ?label WHERE {{ VALUES ?s {{ {values} }} ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label }}",
            use_default_graph_as_union=True,
        )
        for row in rows:
            label = row["label"]
            graph.add((rdflib.URIRef(row["s"].value), rdflib.RDFS.label,
                       rdflib.Literal(label.value, lang=label.language) if label.language
                       else rdflib.Literal(label.value, datatype=label.datatype.value)))
    del pyoxigraph
    return graph
