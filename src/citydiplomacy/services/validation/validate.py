"""What ``citydip validate`` computes, as plain functions: files, the store, or the ontology.

Each returns a :class:`~citydiplomacy.services.validation.report.Report`. The choice of engine
lives here (the fast evaluator inside pyoxigraph, or pyshacl when the shapes or the inference
need it), so a script gets the same report as the command. Showing progress and notes is the
caller's: pass ``progress`` (as :func:`citydiplomacy.core.output.progress`) and ``on_note``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import pyoxigraph as ox
import rdflib

from citydiplomacy.core import resources
from citydiplomacy.core.errors import CitydipError
from citydiplomacy.core.labels import best_label, label_graph
from citydiplomacy.core.namespaces import bind_prefixes
from citydiplomacy.core.ontology import load_examples, load_ontology
from citydiplomacy.core.output import no_progress
from citydiplomacy.core.rdfio import load_into_store, load_packaged, read_many
from citydiplomacy.services.validation import fast
from citydiplomacy.services.validation.engine import load_shapes, validate_graph
from citydiplomacy.services.validation.report import Report, report_from_results

ENGINES = ("auto", "fast", "pyshacl")
Note = Callable[[str], None]


def validate_files(
    paths: Sequence[str],
    *,
    shapes: rdflib.Graph | None = None,
    inference: str = "rdfs",
    engine: str = "auto",
    input_format: str | None = None,
    progress=no_progress,
    on_note: Note | None = None,
) -> Report:
    """Validate RDF files (``-`` = standard input) with the packaged ontology mixed in.

    *shapes* default to the packaged ``shapes/data.ttl``; *engine* ``auto`` and ``fast`` use
    the fast evaluator unless the shapes or *inference* need pyshacl (then *on_note* is told why).
    """
    shapes = shapes if shapes is not None else load_shapes("data")
    if _use_fast(engine, shapes, inference, on_note):
        return _files_fast(paths, shapes, inference, input_format, progress)
    graph = rdflib.Graph()
    bind_prefixes(graph)
    read_many(paths, graph, input_format)
    with progress(f"validating {len(graph)} triples"):
        return validate_graph(graph, shapes=shapes, ontology=load_ontology(), inference=inference, inplace=True)


def validate_store(
    store: ox.Store,
    *,
    shapes: rdflib.Graph | None = None,
    inference: str = "rdfs",
    engine: str = "auto",
    progress=no_progress,
    on_note: Note | None = None,
) -> Report:
    """Validate the instance data of an embedded *store* (every graph but the ontology's)."""
    shapes = shapes if shapes is not None else load_shapes("data")
    if not _use_fast(engine, shapes, inference, on_note, fallback_inside=True):
        data, ontology = fast.store_instance_graphs(store)
        with progress(f"validating {len(data)} triples"):
            return validate_graph(data, shapes=shapes, ontology=ontology, inference=inference, inplace=True)
    with progress("validating the store"):
        found = fast.validate_store(store, shapes=shapes, inference=inference)
    return report_from_results(
        found.results,
        shapes=shapes,
        label_graph=label_graph(store, {r.focus_node for r in found.results}),
        triples=found.triples,
        seconds=found.seconds,
        inference=inference,
        label_chooser=best_label,
    )


def lint_ontology(
    paths: Sequence[str] = (),
    *,
    shapes: rdflib.Graph | None = None,
    input_format: str | None = None,
    progress=no_progress,
) -> Report:
    """Run the ontology's own quality checks (``shapes/ontology-qa.ttl``, no inference).

    On the packaged ontology and its examples (the examples carry most of the facts whose sources
    the checks look at), or on the ontology files in *paths*.
    """
    shapes = shapes if shapes is not None else load_shapes("ontology-qa")
    if paths:
        graph = rdflib.Graph()
        bind_prefixes(graph)
        read_many(paths, graph, input_format)
    else:
        graph = load_ontology() + load_examples()
    with progress(f"validating {len(graph)} triples"):
        return validate_graph(graph, shapes=shapes, ontology=None, inference="none", inplace=True)


def _use_fast(
    engine: str, shapes: rdflib.Graph, inference: str, on_note: Note | None, fallback_inside: bool = False
) -> bool:
    """Whether the fast evaluator runs; when it cannot, say why through *on_note*.

    *fallback_inside*: the store path lets ``fast.validate_store`` fall back to pyshacl
    itself, so it goes on with the fast entry point after the note.
    """
    if engine not in ENGINES:
        raise CitydipError(f"unknown engine {engine!r}; use one of: {', '.join(ENGINES)}")
    if engine == "pyshacl":
        return False
    reason = fast.unsupported_reason(shapes, inference)
    if reason is None:
        return True
    if on_note is not None:
        on_note(f"the fast engine cannot do this ({reason}); validating with pyshacl, which is much slower on big data")
    return fallback_inside


def _files_fast(
    paths: Sequence[str], shapes: rdflib.Graph, inference: str, input_format: str | None, progress
) -> Report:
    """The files and the ontology in the default graph of an in-memory store, checked there.

    That default graph is pyshacl's data graph (data + ontology mixed in). In memory rather
    than a temporary on-disk store: at 2M triples it peaked at 1.9 GB in 71 s, on disk at
    2.7 GB in 227 s.
    """
    started = time.perf_counter()
    store = ox.Store()
    with progress(f"loading {len(paths)} file(s)", total=len(paths)) as advance:
        for path in paths:
            load_into_store(store, [path], ox.DefaultGraph(), input_format, flatten_quads=True)
            advance()
    triples = len(store)
    load_packaged(store, resources.ontology_files(), ox.DefaultGraph())
    with progress(f"validating {triples} triples"):
        found = fast.evaluate(store, shapes, inference, started)
    return report_from_results(
        found.results,
        shapes=shapes,
        label_graph=label_graph(store, {r.focus_node for r in found.results}),
        triples=triples,
        seconds=found.seconds,
        inference=inference,
        label_chooser=best_label,
    )
