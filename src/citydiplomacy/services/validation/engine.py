"""Running pyshacl with the project's shapes; its report is read through :mod:`.report`.

The one entry point other code needs is :func:`validate_graph` (the importer calls it on
generated data); ``citydip validate`` is a thin command around it.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import rdflib

from citydiplomacy.core import resources
from citydiplomacy.core.errors import CitydipError
from citydiplomacy.core.labels import best_label  # importable from here as before
from citydiplomacy.core.namespaces import SH
from citydiplomacy.services.validation.pyshacl_sparql_cache import cached_sparql_parsing
from citydiplomacy.services.validation.report import (
    SEVERITIES,
    SHAPES_NAMESPACE,
    Report,
    Result,
    bind_report_prefixes,
    path_text,
    prefixed_graph,
    results_from_graph,
    short,
)

INFERENCE_MODES = ("none", "rdfs", "owlrl")


def data_shapes_file() -> Path:
    return resources.shapes_dir() / "data.ttl"


def ontology_qa_shapes_file() -> Path:
    return resources.shapes_dir() / "ontology-qa.ttl"


def load_shapes(which: str = "data", extra: Iterable[str | Path] = (), input_format: str | None = None) -> rdflib.Graph:
    """The packaged shapes (``data`` or ``ontology-qa``) plus any *extra* shapes files.

    Extra files go through :func:`citydiplomacy.core.rdfio.read_rdf`, so a broken one ends with
    ``FILE:LINE:COL`` and exit 2.
    """
    from citydiplomacy.core.rdfio import read_rdf

    graph = prefixed_graph()
    packaged = {"data": data_shapes_file(), "ontology-qa": ontology_qa_shapes_file(), "none": None}[which]
    if packaged is not None:
        graph.parse(packaged, format="turtle")
    for path in extra:
        shapes = read_rdf(path, None, input_format if str(path) == "-" else None)
        refuse_service_calls(shapes, str(path))
        graph += shapes
    return graph


_SPARQL_TEXTS = (SH.select, SH.ask, SH.construct, SH.update)


def refuse_service_calls(shapes: rdflib.Graph, where: str) -> None:
    """A user's SHACL-SPARQL constraint may not call SERVICE: validating must never contact a host.

    The keyword is found with pygments' SPARQL lexer (as ``--param`` binding does), so a comment
    or a string that mentions SERVICE is not refused, and a constraint whose prefixes come from
    ``sh:prefixes`` need not parse on its own.
    """
    from pygments.lexers import SparqlLexer
    from pygments.token import Keyword

    lexer = SparqlLexer()
    for prop in _SPARQL_TEXTS:
        for subject, text in shapes.subject_objects(prop):
            for kind, value in lexer.get_tokens(str(text)):
                if kind in Keyword and value.upper() == "SERVICE":
                    raise CitydipError(
                        f"{where}: the SPARQL of {subject.n3()} calls SERVICE (another host); citydip validate "
                        "never contacts other hosts: remove the SERVICE clause or copy the data in"
                    )


def validate_graph(
    data_graph: rdflib.Graph,
    *,
    shapes: rdflib.Graph | None = None,
    ontology: rdflib.Graph | None | bool = True,
    inference: str = "rdfs",
    inplace: bool = False,
    advanced: bool = True,
) -> Report:
    """Validate *data_graph* and return a :class:`Report`.

    - *shapes*: a shapes graph; default the packaged ``shapes/data.ttl``.
    - *ontology*: the ontology graph pyshacl mixes into the data before inference (so
      subclasses and ranges count); ``True`` = the packaged ontology, ``None``/``False`` = none.
    - *inference*: ``none``, ``rdfs`` (default) or ``owlrl``.
    - *inplace*: add the ontology and the inferred triples to *data_graph* itself instead of
      a copy (faster, less memory; use it when the graph is yours to throw away).
    - *advanced*: SHACL Advanced Features (SPARQL targets), needed by the ontology QA shapes.

    Raises :class:`CitydipError` (exit 2) when the shapes are not valid SHACL.
    """
    from citydiplomacy.core.ontology import load_ontology

    if inference not in INFERENCE_MODES:
        raise CitydipError(f"unknown inference mode {inference!r}; use one of: {', '.join(INFERENCE_MODES)}")
    if shapes is None:
        shapes = load_shapes("data")
    if ontology is True:
        ontology = load_ontology()
    triples = len(data_graph)
    started = time.perf_counter()
    work = _with_ontology(data_graph, ontology or None, inplace)
    report_graph = _run_pyshacl(work, shapes, inference, advanced)
    seconds = time.perf_counter() - started
    bind_report_prefixes(report_graph)
    results = results_from_graph(report_graph, work)
    counts = Counter(r.severity_name for r in results)
    return Report(results, report_graph, work, triples, seconds, inference, counts, best_label)


def _with_ontology(data_graph: rdflib.Graph, ontology: rdflib.Graph | None, inplace: bool) -> rdflib.Graph:
    """The data graph with the ontology's triples added (*data_graph* itself when *inplace*).

    Mixed in here rather than through pyshacl's ont_graph: pyshacl's "inoculation" clones
    every blank-node structure recursively and took minutes on this ontology (owl:unionOf
    lists, owl:AllDifferent, restrictions); a plain union of the triples is what it amounts to
    and takes milliseconds. Subclasses, domains and ranges are visible to sh:class and to
    RDFS/OWL RL inference all the same.
    """
    if inplace:
        work = data_graph
    else:
        work = rdflib.Graph()
        for prefix, namespace in data_graph.namespaces():
            work.bind(prefix, namespace, override=False)
        work += data_graph
    if ontology is not None and len(ontology):
        work += ontology
    return work


def _run_pyshacl(work: rdflib.Graph, shapes: rdflib.Graph, inference: str, advanced: bool) -> rdflib.Graph:
    """pyshacl's report graph for *work* (inferred triples are added to *work* itself)."""
    import pyshacl
    from pyshacl.errors import ReportableRuntimeError

    try:
        with cached_sparql_parsing():
            _conforms, report_graph, _text = pyshacl.validate(
                work,
                shacl_graph=shapes,
                ont_graph=None,
                inference=inference,
                advanced=advanced,
                inplace=True,
                allow_infos=False,
                allow_warnings=False,
            )
    except ReportableRuntimeError as exc:
        reason = " ".join(str(getattr(exc, "message", exc)).split())
        raise CitydipError(f"the shapes are not valid SHACL: {reason}; fix the shapes file") from None
    return report_graph


def validate_ontology(ontology: rdflib.Graph | None = None, extra_shapes: rdflib.Graph | None = None) -> Report:
    """Run the ontology QA shapes on *ontology* (default the packaged one), without inference."""
    from citydiplomacy.core.ontology import load_ontology

    graph = ontology if ontology is not None else load_ontology()
    shapes = load_shapes("ontology-qa")
    if extra_shapes is not None:
        shapes += extra_shapes
    return validate_graph(graph, shapes=shapes, ontology=None, inference="none", advanced=True)


__all__ = [
    "INFERENCE_MODES",
    "SEVERITIES",
    "SHAPES_NAMESPACE",
    "Report",
    "Result",
    "best_label",
    "load_shapes",
    "path_text",
    "short",
    "validate_graph",
    "validate_ontology",
]
