"""``citydip reason``: options in, :mod:`citydiplomacy.services.reasoning` does the work, a report out."""

from __future__ import annotations

import json

import click
import rdflib

from citydiplomacy.cli.messages import headers, tr
from citydiplomacy.cli.options import common_options, current_lang, output_option
from citydiplomacy.core.labels import display_name
from citydiplomacy.services.reasoning import (
    MAX_TRIPLES,
    REASONERS,
    ReasonerResult,
    explain_empty_findings,
    incoherence_error,
    java_for,
    reasoning_input,
    result_to_json,
    run_owl_reasoner,
    write_materialised,
)

_LIMITS = ", ".join(f"{name} {limit:,}" for name, limit in MAX_TRIPLES.items())


@click.command()
@click.option(
    "--reasoner",
    type=click.Choice(REASONERS),
    default="hermit",
    show_default=True,
    help="HermiT/Pellet (OWL 2 DL, Java via owlready2) or OWL-RL (Python, no Java, scales further).",
)
@click.option(
    "--data",
    "data",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=str),
    help="An RDF file to reason over too (repeatable): it is added to what the store holds "
    "(the store itself is not changed).",
)
@click.option(
    "--imported/--no-imported",
    default=True,
    show_default=True,
    help="Reason over the store's imported data too; --no-imported: only the packaged ontology "
    "and examples (plus --data), which HermiT checks in seconds.",
)
@click.option(
    "--max-triples",
    type=click.IntRange(min=1),
    metavar="N",
    help=f"Refuse (exit 2) to reason over more triples than N [default per reasoner: {_LIMITS}].",
)
@output_option(
    "Write the materialised graph (input + inferences) here; format from the suffix (.ttl .nt .jsonld .rdf).",
    name="out",
)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@common_options
def reason(
    reasoner: str, data: tuple[str, ...], imported: bool, max_triples: int | None, out: str | None, fmt: str
) -> None:
    """Check that the store (ontology, examples, imported data) and any --data files are
    consistent, and show what a reasoner infers beyond what they assert.

    HermiT and Pellet do not scale to a whole import (HermiT took 111 s on 22,700 triples):
    above --max-triples the command stops before reasoning and says what to do instead;
    --reasoner owlrl handles a whole import in minutes.

    Exit codes: 0 consistent and every class satisfiable; 1 inconsistent or some class
    unsatisfiable; 2 bad input, too large an input or no suitable Java; 3 internal error.
    """
    from citydiplomacy.cli import store_from_context
    from citydiplomacy.core.output import progress

    java = java_for(reasoner)
    limit = max_triples or MAX_TRIPLES[reasoner]
    store = store_from_context(read_only=True) if imported else None
    with progress("reading the graph" + (" from the store" if store is not None else ""), total=None):
        graph = reasoning_input(data, store=store, max_triples=limit, reasoner=reasoner)
    with progress(f"{reasoner}: reasoning over {len(graph):,} triples", total=None):
        result = run_owl_reasoner(graph, reasoner, java=java)
    if fmt == "json":
        click.echo(json.dumps(result_to_json(result, graph), indent=2, ensure_ascii=False))
    else:
        _print_report(result, graph)
    if out:
        if not result.consistent:
            click.echo(f"not writing {out}: an inconsistent graph entails everything", err=True)
        elif result.graph is not None:
            write_materialised(result.graph, out)
    error = incoherence_error(result, graph)
    if error is not None:
        raise error


def _print_report(result: ReasonerResult, graph: rdflib.Graph) -> None:
    """The summary table, one table per kind of finding that is not empty, and why the others are."""
    from citydiplomacy.core.output import print_table

    rows = [
        ("reasoner", result.reasoner),
        ("triples in", f"{result.input_triples:,}"),
        ("consistent", "consistent" if result.consistent else "INCONSISTENT"),
        ("unsatisfiable classes", len(result.unsatisfiable)),
        ("inferred subclass axioms (most specific)", len(result.inferred_subclasses)),
        ("inferred subclass pairs (closure)", result.inferred_subclass_pairs_total),
        ("inferred types of individuals", len(result.inferred_types)),
        ("triples added (trivial ones left out)", f"{result.added_triples:,}"),
        ("seconds", f"{result.seconds:.1f}"),
    ]
    print_table(["", tr("value")], rows, title=tr("citydip reason"))
    lang = current_lang()

    def name(node) -> str:
        return display_name(graph, node, lang)

    if result.unsatisfiable:
        print_table(
            headers("unsatisfiable class") + ["IRI"],
            [(name(c), str(c)) for c in result.unsatisfiable],
            title=tr("Unsatisfiable classes"),
        )
    if result.inferred_subclasses:
        print_table(
            headers("class", "is inferred to be a subclass of"),
            [(name(a), name(b)) for a, b in result.inferred_subclasses],
            title=tr("Inferred class hierarchy (beyond the asserted closure)"),
        )
    if result.inferred_types:
        print_table(
            headers("individual", "is inferred to be a"),
            [(name(i), name(c)) for i, c in result.inferred_types],
            title=tr("Inferred types of individuals (beyond the asserted ones)"),
        )
    if result.added_by_property:
        print_table(
            headers("property", "triples added"),
            [(graph.namespace_manager.normalizeUri(p), f"{n:,}") for p, n in result.added_by_property[:15]],
            title=tr("What the materialised graph adds, by property"),
        )
    for line in explain_empty_findings(result):
        click.echo(line)
