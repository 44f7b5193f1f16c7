#!/usr/bin/env python
"""Benchmark the knowledge graph at real size: import, validate, every competency question.

Fast way: the three shared P190 files and then the ClimActor file (its actors reconciled with the
twinning cities, ``importing.climactor``) imported into a fresh pyoxigraph store
(``citydiplomacy.services.importing``), validated with ``citydiplomacy.services.validation.fast``, and every
question of ``queries/`` run by ``citydiplomacy.services.querying.local.run`` (what ``citydip query``
does). Plain way, in the same run: the same importer logic writing into an in-memory
rdflib Dataset, pyshacl (``citydiplomacy.services.validation.engine.validate_graph``, what
``citydip validate`` runs) on an rdflib graph of the same data, and rdflib's SPARQL engine.

For every step it prints triples, wall seconds and the step's peak resident memory
(Linux VmHWM, reset before each step through /proc/self/clear_refs; plain-way validation
and queries run in a forked child, so a step that exceeds --timeout is stopped and shown
as a lower bound). Usage::

    python scripts/bench_kg.py [--data ../shared/data] [--timeout 1800] [--skip-plain]
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

import pyoxigraph as ox  # noqa: E402
import rdflib  # noqa: E402

from citydiplomacy.services.importing import climactor, sources, writer  # noqa: E402
from citydiplomacy.core.terms import to_rdflib  # noqa: E402
from citydiplomacy.services.validation import fast as fastcheck  # noqa: E402
from citydiplomacy.core.namespaces import GRAPH_ONTOLOGY  # noqa: E402
from citydiplomacy.services.querying import catalog, local, params  # noqa: E402
from citydiplomacy.core.store import graph_names, open_store  # noqa: E402

# Values for questions whose parameters have no default (the bench must run every question).
SAMPLE = {"iri": "<https://w3id.org/citydiplomacy/resource/city/Q84>", "string": "London", "integer": "2",
          "decimal": "1.0", "boolean": "true", "date": "2000-01-01", "gYear": "2000"}


# ---------------------------------------------------------------- measuring


def reset_peak() -> None:
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
    except OSError:
        pass


def peak_mb() -> float:
    try:
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Step:
    rows: list[tuple] = []

    def __init__(self, way: str, name: str):
        self.way, self.name = way, name
        self.triples = ""
        self.note = ""

    def __enter__(self):
        reset_peak()
        self.started = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.started
        self.peak = peak_mb()
        Step.rows.append((self.way, self.name, self.triples, self.seconds, self.peak, self.note))
        print(f"{self.way:5s} {self.name:42s} {str(self.triples):>9s} {self.seconds:9.2f} s {self.peak:8.0f} MB  {self.note}",
              flush=True)
        return False


def in_child(function, timeout: float):
    """Run *function* in a forked child; (seconds, peak MB, result) or (None, None, None) on timeout."""
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)

    def target():
        reset_peak()
        started = time.perf_counter()
        try:
            value = function()
        except Exception as exc:  # noqa: BLE001 - report, do not crash the bench
            value = f"error: {exc.__class__.__name__}: {' '.join(str(exc).split())[:200]}"
        child.send((time.perf_counter() - started, peak_mb(), value))
        child.close()

    process = ctx.Process(target=target)
    process.start()
    if parent.poll(timeout):
        answer = parent.recv()
        process.join()
        return answer
    process.kill()
    process.join()
    return None, None, None


# ---------------------------------------------------------------- the plain way's store


class _Value:
    __slots__ = ("value",)

    def __init__(self, term):
        self.value = str(term)


class PlainStore:
    """The few pyoxigraph Store calls the importer makes, answered by an rdflib Dataset."""

    def __init__(self):
        self.dataset = rdflib.Dataset(default_union=True)

    @staticmethod
    def _term(term):
        return to_rdflib(term)

    def query(self, text, use_default_graph_as_union=False):
        result = self.dataset.query(text)
        for row in result:
            yield {str(v): (_Value(row[v]) if row[v] is not None else None) for v in result.vars}

    def quads_for_pattern(self, s, p, o, g=None):
        pattern = tuple(None if t is None else self._term(t) for t in (s, p, o))
        return iter([q for q in self.dataset.quads(pattern)])

    def bulk_extend(self, quads):
        graphs = {}
        batch = []
        for q in quads:
            name = q.graph_name.value
            graph = graphs.get(name)
            if graph is None:
                graph = graphs[name] = self.dataset.graph(rdflib.URIRef(name))
            batch.append((self._term(q.subject), self._term(q.predicate), self._term(q.object), graph))
        self.dataset.addN(batch)

    extend = bulk_extend

    def flush(self):
        pass

    def __len__(self):
        return len(self.dataset)


def plain_union_graph(plain: PlainStore, ontology_and_examples: bytes) -> rdflib.Graph:
    graph = rdflib.Graph()
    for s, p, o, _g in plain.dataset.quads((None, None, None, None)):
        graph.add((s, p, o))
    graph.parse(data=ontology_and_examples, format="nt")
    return graph


# ---------------------------------------------------------------- main


def question_bindings(question) -> dict:
    given = {p.name: SAMPLE[p.type] for p in question.params if p.default is None and p.type in SAMPLE}
    return params.bind(question, given)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(REPO.parent / "shared" / "data"))
    parser.add_argument("--timeout", type=float, default=1800, help="seconds allowed to each plain-way child step")
    parser.add_argument("--query-timeout", type=float, default=300, help="seconds allowed to each plain-way question")
    parser.add_argument("--skip-plain", action="store_true")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    data = Path(args.data)
    files = [
        (data / "wikidata-p190-ursino2021" / "query.csv", "ursino-csv", None),
        (data / "wikidata-p190-ursino2021" / "sister_cities.gexf", "gexf", None),
        (data / "wikidata-p190-l3viathan2016" / "relations.tsv", "l3viathan-tsv",
         data / "wikidata-p190-l3viathan2016" / "names.tsv"),
    ]
    questions = catalog.bundled()
    print(f"{'way':5s} {'step':42s} {'triples':>9s} {'seconds':>11s} {'peak':>11s}")

    # ---------------- fast way
    workdir = Path(tempfile.mkdtemp(prefix="bench-kg-"))
    fast_total = 0.0
    with Step("fast", "open fresh store (ontology + examples)") as step:
        store = open_store(workdir / "kg")
        step.triples = len(store)
    fast_total += step.seconds
    for path, fmt, names in files:
        with Step("fast", f"import {path.name}") as step:
            result = writer.import_parsed(store, sources.parse(path, fmt, names))
            step.triples = len(store)
            step.note = f"{result.pairs} pairs, {result.new_agreements} new"
        fast_total += step.seconds
    climactor_file = data / "climactor-hsu2020" / "subnational_contextuals_database_Dec2022.csv"
    with Step("fast", f"import {climactor_file.name[:28]}") as step:
        done = climactor.import_climactor(store, climactor.read_climactor(climactor_file))
        step.triples = len(store)
        step.note = f"{done.memberships} memberships, {done.outcomes['matched']} rows matched"
    fast_total += step.seconds
    with Step("fast", "validate (fastcheck)") as step:
        report = fastcheck.validate_store(store)
        step.triples = report.triples
        phases = ", ".join(f"{k} {v:.1f} s" for k, v in (report.phases or {}).items())
        step.note = f"engine {report.engine}: {dict(report.counts)} ({phases})"
    fast_total += step.seconds
    from citydiplomacy.services.validation.engine import load_shapes, path_text

    shapes_graph = load_shapes("data")
    fast_results = {
        (str(r.focus_node), path_text(shapes_graph, r.path), str(r.value), str(r.severity), str(r.source_shape),
         str(r.component))
        for r in report.results
    }
    fast_answers = {}
    slowest = 0.0
    for question in questions:
        with Step("fast", f"query {question.name}") as step:
            try:
                answer = local.run(store, question.text, question_bindings(question))
                if answer.form == "ask":
                    fast_answers[question.name] = bool(answer.boolean)
                elif answer.form == "graph":
                    fast_answers[question.name] = len(answer.triples)
                else:
                    fast_answers[question.name] = len(answer.rows)
                step.note = f"{fast_answers[question.name]} rows"
            except Exception as exc:  # noqa: BLE001
                step.note = f"error: {exc}"
        fast_total += step.seconds
        slowest = max(slowest, step.seconds)
    print(f"fast  TOTAL {fast_total:.2f} s; slowest question {slowest:.2f} s", flush=True)
    if args.skip_plain:
        return 0

    # ---------------- plain way
    plain_total = 0.0
    lower_bound = False
    onto = b"".join(
        store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(g)) or b""
        for g in graph_names(store) if not g.startswith("https://w3id.org/citydiplomacy/graph/data")
    )
    ontology_only = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(GRAPH_ONTOLOGY))
    del store
    plain = PlainStore()
    for path, fmt, names in files:
        with Step("plain", f"import {path.name}") as step:
            writer.import_parsed(plain, sources.parse(path, fmt, names))
            step.triples = len(plain)
        plain_total += step.seconds
    with Step("plain", f"import {climactor_file.name[:28]}") as step:
        climactor.import_climactor(plain, climactor.read_climactor(climactor_file))  # type: ignore[arg-type]
        step.triples = len(plain)
    plain_total += step.seconds
    with Step("plain", "rdflib graph: data + ontology + examples") as step:
        graph = plain_union_graph(plain, onto)
        step.triples = len(graph)
    plain_total += step.seconds
    del plain

    def plain_validate():
        from citydiplomacy.services.validation.engine import validate_graph

        data_graph = rdflib.Graph()
        for t in graph:
            data_graph.add(t)
        ontology = rdflib.Graph().parse(data=ontology_only, format="nt")
        for t in ontology:
            data_graph.remove(t)
        result = validate_graph(data_graph, ontology=ontology, inference="rdfs", inplace=True)
        from citydiplomacy.services.validation.engine import path_text

        keys = {
            (str(r.focus_node), path_text(result.graph, r.path), str(r.value), str(r.severity), str(r.source_shape),
             str(r.component))
            for r in result.results
        }
        return dict(result.counts), keys

    seconds, peak, value = in_child(plain_validate, args.timeout)
    if seconds is None:
        seconds, lower_bound = args.timeout, True
        print(f"plain validate (pyshacl)                          > {args.timeout:.0f} s (stopped)", flush=True)
        Step.rows.append(("plain", "validate (pyshacl)", len(graph), seconds, None, "stopped at timeout"))
    elif isinstance(value, str):
        print(f"plain validate (pyshacl) {len(graph):>27d} {seconds:9.2f} s {peak:8.0f} MB  {value}", flush=True)
    else:
        counts, keys = value
        same = "same results as fastcheck" if keys == fast_results else (
            f"DIFFERENT from fastcheck: {len(keys - fast_results)} only in pyshacl, {len(fast_results - keys)} only in fastcheck")
        print(f"plain validate (pyshacl) {len(graph):>27d} {seconds:9.2f} s {peak:8.0f} MB  {counts}; {same}", flush=True)
    plain_total += seconds
    for question in questions:
        bound = question_bindings(question)
        text = params.with_values(question.text, bound)

        def run_rdflib(text=text):
            result = graph.query(text)
            return len(list(result)) if result.type == "SELECT" else (bool(result.askAnswer) if result.type == "ASK" else len(result))

        q_seconds, q_peak, q_value = in_child(run_rdflib, args.query_timeout)
        if q_seconds is None:
            q_seconds, lower_bound = args.query_timeout, True
            print(f"plain query {question.name:36s}           > {args.query_timeout:.0f} s (stopped)", flush=True)
        else:
            same = "same" if fast_answers.get(question.name) == q_value else f"fast gave {fast_answers.get(question.name)}"
            print(f"plain query {question.name:36s} {'':>9s} {q_seconds:9.2f} s {q_peak:8.0f} MB  {q_value} rows ({same})",
                  flush=True)
        plain_total += q_seconds
    bound_text = " (plain is a lower bound: some steps were stopped)" if lower_bound else ""
    print(f"plain TOTAL {plain_total:.2f} s{bound_text}")
    print(f"RATIO plain/fast = {plain_total / fast_total:.1f}x{bound_text}")
    print(f"fast validation results: {len(fast_results)} distinct")
    return 0


if __name__ == "__main__":
    sys.exit(main())
