"""Loading the packaged ontology and the article's examples as rdflib graphs."""

from __future__ import annotations

import hashlib

import rdflib

from citydiplomacy.core import resources
from citydiplomacy.core.namespaces import bind_prefixes


def load_ontology() -> rdflib.Graph:
    """The whole ontology (main file and modules) as one rdflib graph."""
    graph = rdflib.Graph()
    bind_prefixes(graph)
    for path in resources.ontology_files():
        graph.parse(path, format="turtle")
    return graph


def load_examples() -> rdflib.Graph:
    """The article's named examples (individuals), without the ontology."""
    graph = rdflib.Graph()
    bind_prefixes(graph)
    path = resources.examples_file()
    if path.exists():
        graph.parse(path, format="turtle")
    return graph


def artefacts_fingerprint() -> str:
    """A hash of the packaged ontology and examples, to tell a store built from older files."""
    digest = hashlib.sha256()
    files = [*resources.ontology_files(), resources.examples_file()]
    for path in files:
        if path.exists():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()
