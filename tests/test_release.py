"""scripts/release.py: dist/ with every format and the docs; refuses without a changelog entry or matching version."""

from __future__ import annotations

import hashlib
import importlib.util
from pathlib import Path

import pytest
import rdflib
from rdflib import Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import OWL

from citydiplomacy import __version__
from citydiplomacy.core.errors import CitydipError
from citydiplomacy.services.export import merged_ontology, serialize_graphs
from citydiplomacy.core.namespaces import GRAPH_EXAMPLES, GRAPH_ONTOLOGY, ONTOLOGY_IRI
from citydiplomacy.core.ontology import load_examples

REPO = Path(__file__).resolve().parent.parent


def _release_module():
    spec = importlib.util.spec_from_file_location("citydip_release", REPO / "scripts" / "release.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def release():
    return _release_module()


def test_release_builds_every_format_and_the_docs(release, tmp_path, capsys):
    dist = tmp_path / "dist"
    assert release.main(["--dist", str(dist), "--no-wheel", "--no-reason"]) == 0
    listed = capsys.readouterr().out.split()
    formats = {"ttl": "turtle", "nt": "ntriples", "jsonld": "jsonld", "rdf": "rdfxml", "nq": "nquads"}
    for name, graph_iri, source in (
        ("citydiplomacy", GRAPH_ONTOLOGY, merged_ontology()),
        ("examples", GRAPH_EXAMPLES, load_examples()),
    ):
        for suffix, fmt in formats.items():
            path = dist / f"{name}-{__version__}.{suffix}"
            assert str(path) in listed
            # The same bytes as `citydip export` (whose round trips are tested in test_export.py).
            assert path.read_bytes() == serialize_graphs({graph_iri: source}, fmt), path
        assert isomorphic(rdflib.Graph().parse(dist / f"{name}-{__version__}.ttl", format="turtle"), source)
    assert (dist / "docs" / "index.html").is_file() and (dist / "docs" / "fa.html").is_file()
    assert (dist / "context.jsonld").read_bytes() == (REPO / "ontology" / "context.jsonld").read_bytes()
    # Checksums cover every file and are right.
    lines = (dist / "SHA256SUMS").read_text().splitlines()
    assert len(lines) == 13
    for line in lines:
        digest, name = line.split("  ", 1)
        assert hashlib.sha256((dist / name).read_bytes()).hexdigest() == digest


def test_release_refuses_without_a_changelog_entry(release, tmp_path, capsys):
    changelog = tmp_path / "CHANGELOG.md"
    changelog.write_text("# Changelog\n\n## [0.0.1] - 2020-01-01\n- old\n", encoding="utf-8")
    dist = tmp_path / "dist"
    code = release.main(["--dist", str(dist), "--no-wheel", "--no-reason", "--changelog", str(changelog)])
    assert code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"no entry for version {__version__}" in err[0]
    assert not dist.exists()


def test_repository_changelog_has_the_current_version(release):
    release.check_changelog(__version__, REPO / "CHANGELOG.md")


def test_release_refuses_a_version_mismatch(release):
    graph = merged_ontology()
    release.check_ontology_version(__version__, graph, load_examples())
    with pytest.raises(CitydipError, match="owl:versionInfo"):
        release.check_ontology_version("99.0.0", graph)
    onto = URIRef(ONTOLOGY_IRI)
    graph.set((onto, OWL.versionIRI, URIRef(f"{ONTOLOGY_IRI}/0.0.9")))
    with pytest.raises(CitydipError, match="owl:versionIRI"):
        release.check_ontology_version(__version__, graph)
    examples = rdflib.Graph()
    examples.add((URIRef("https://w3id.org/citydiplomacy/examples"), OWL.versionInfo, Literal("0.0.9")))
    with pytest.raises(CitydipError, match="examples.ttl"):
        release.check_ontology_version(__version__, merged_ontology(), examples)
