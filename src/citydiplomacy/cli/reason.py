"""``citydip reason``: options in, :mod:`citydiplomacy.services.reasoning` does the work, a report out."""

from __future__ import annotations

import json

import click
import rdflib

from citydiplomacy.core.labels import display_name
from citydiplomacy.services.reasoning import (
    REASONERS,
    ReasonerResult,
    incoherence_error,
    reasoning_input,
    result_to_json,
    run_owl_reasoner,
    write_materialised,
)


@click.command()
@click.option("--reasoner", type=click.Choice(REASONERS), default="hermit", show_default=True,
              help="HermiT/Pellet (OWL 2 DL, Java via owlready2) or OWL-RL (Python).")
@click.option("--data", "data", multiple=True, type=click.Path(dir_okay=False, path_type=str),
              help="Extra RDF file(s) to reason over with the ontology and the examples (repeatable).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=str),
              help="Write the materialised graph (input + inferences) here; format from the suffix (.ttl .nt .jsonld .rdf).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def reason(reasoner: str, data: tuple[str, ...], out: str | None, fmt: str) -> None:
    """Check that the ontology, the examples and DATA are consistent, and show what a reasoner infers.

    Exit codes: 0 consistent and every class satisfiable; 1 inconsistent or some class
    unsatisfiable; 2 bad input or no suitable Java; 3 internal error.
    """
    from citydiplomacy.core.output import progress

    graph = reasoning_input(data)
    with progress(f"{reasoner}: reasoning over {len(graph)} triples", total=None):
        result = run_owl_reasoner(graph, reasoner)
    if fmt == "json":
        click.echo(json.dumps(result_to_json(result, graph), indent=2, ensure_ascii=False))
    else:
        _print_report(result, graph)
    if out:
        if not result.consistent:
            click.echo(f"not writing {out}: an inconsistent graph entails everything", err=True)
        else:
            write_materialised(result.graph, out)
    error = incoherence_error(result, graph)
    if error is not None:
        raise error


def _print_report(result: ReasonerResult, graph: rdflib.Graph) -> None:
    """The summary table, then one table per kind of finding that is not empty."""
    from citydiplomacy.core.output import print_table

    rows = [
        ("reasoner", result.reasoner),
        ("triples in", len(graph)),
        ("consistent", "consistent" if result.consistent else "INCONSISTENT"),
        ("unsatisfiable classes", len(result.unsatisfiable)),
        ("inferred subclass axioms (most specific)", len(result.inferred_subclasses)),
        ("inferred subclass pairs (closure)", result.inferred_subclass_pairs_total),
        ("inferred types of individuals", len(result.inferred_types)),
        ("seconds", f"{result.seconds:.1f}"),
    ]
    print_table(["", "value"], rows, title="citydip reason")
    if result.unsatisfiable:
        print_table(["unsatisfiable class", "IRI"],
                    [(display_name(graph, c), str(c)) for c in result.unsatisfiable], title="Unsatisfiable classes")
    if result.inferred_subclasses:
        print_table(["class", "is inferred to be a subclass of"],
                    [(display_name(graph, a), display_name(graph, b)) for a, b in result.inferred_subclasses],
                    title="Inferred class hierarchy (beyond the asserted closure)")
    if result.inferred_types:
        print_table(["individual", "is inferred to be a"],
                    [(display_name(graph, i), display_name(graph, c)) for i, c in result.inferred_types],
                    title="Inferred types of individuals")
