"""The data graph pyshacl would see, in a pyoxigraph store, closed under the RDFS rules that matter.

pyshacl's ``inference="rdfs"`` runs owlrl's RDFS closure in Python; the entailments the shapes
can observe (rdfs2/3 domain and range typing, rdfs5/7 sub-properties, rdfs9/11 sub-classes)
are materialised here with SPARQL INSERT rules, to a fixpoint, inside the store.
"""

from __future__ import annotations

import pyoxigraph as ox
from rdflib.namespace import RDFS

from citydiplomacy.core.formats import NTRIPLES

INFERENCES = ("rdfs", "none")

# Schema-level rules first (cheap), then the data-level ones.
SCHEMA_RULES = (
    # rdfs5: sub-property transitivity; rdfs11: sub-class transitivity
    f"INSERT {{ ?a <{RDFS.subPropertyOf}> ?c }} WHERE {{ ?a <{RDFS.subPropertyOf}> ?b . ?b <{RDFS.subPropertyOf}> ?c }}",
    f"INSERT {{ ?a <{RDFS.subClassOf}> ?c }} WHERE {{ ?a <{RDFS.subClassOf}> ?b . ?b <{RDFS.subClassOf}> ?c }}",
)
DATA_RULES = (
    # rdfs7: a sub-property's values are the super-property's values
    f"INSERT {{ ?s ?q ?o }} WHERE {{ ?p <{RDFS.subPropertyOf}> ?q . FILTER(isIRI(?q)) ?s ?p ?o }}",
    # rdfs2 / rdfs3: domain and range typing (no literal subjects)
    f"INSERT {{ ?s a ?c }} WHERE {{ ?p <{RDFS.domain}> ?c . ?s ?p ?o }}",
    f"INSERT {{ ?o a ?c }} WHERE {{ ?p <{RDFS.range}> ?c . ?s ?p ?o . FILTER(!isLiteral(?o)) }}",
    # rdfs9: types through sub-classes
    f"INSERT {{ ?s a ?d }} WHERE {{ ?c <{RDFS.subClassOf}> ?d . ?s a ?c }}",
)
_MAX_PASSES = 50


def store_from_ntriples(ntriples: bytes) -> ox.Store:
    """An in-memory store whose default graph holds *ntriples* (a pyoxigraph dump, already valid)."""
    store = ox.Store()
    if ntriples:
        store.bulk_load(ntriples, format=NTRIPLES.oxigraph_format, lenient=True)
    return store


def materialise_rdfs(store: ox.Store) -> None:
    """Apply the rules to a fixpoint; the schema rules close first, so the data-level pass
    usually finds everything at once and the next pass only confirms."""
    size = len(store)
    for _ in range(_MAX_PASSES):
        _apply_to_fixpoint(store, SCHEMA_RULES)
        for rule in DATA_RULES:
            store.update(rule)
        new = len(store)
        if new == size:
            return
        size = new


def _apply_to_fixpoint(store: ox.Store, rules: tuple[str, ...]) -> None:
    size = len(store)
    for _ in range(_MAX_PASSES):
        for rule in rules:
            store.update(rule)
        new = len(store)
        if new == size:
            return
        size = new
