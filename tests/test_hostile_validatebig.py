"""Finding 9: `citydip validate FILE` at scale goes through the fast in-store engine.

Before, a file was parsed into rdflib and handed to pyshacl: 2M triples ran out of 7.5 GB
after 15 minutes. Now files are bulk-loaded into an in-memory pyoxigraph store and checked by
validation/fast.py, whose results are pyshacl's (tests/test_validate_cli.py compares every
file under tests/data/invalid with both engines).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from citydiplomacy.cli import cli
from citydiplomacy.services.validation import validate as validate_service
from citydiplomacy.services.validation import fast

HOSTILE = Path(__file__).parent / "data" / "hostile" / "validatebig"
CDO = "https://w3id.org/citydiplomacy/ontology#"
CDR = "https://w3id.org/citydiplomacy/resource/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
GEO = "http://www.opengis.net/ont/geosparql#"


def run(*args, input=None):
    return CliRunner().invoke(cli, ["validate", *map(str, args)], input=input)


def write_cities(path: Path, cities: int, negative_every: int = 10_000) -> int:
    """N-Triples for *cities* well-formed cities (7 triples each); every nth population is negative."""
    lines = [f"<{CDR}country-1> <{RDF_TYPE}> <{CDO}Country> .\n", f'<{CDR}country-1> <{LABEL}> "Country"@en .\n']
    for i in range(cities):
        city = f"<{CDR}city-Q{i}>"
        population = -5 if i % negative_every == 0 else 1000 + i
        lines += [
            f"{city} <{RDF_TYPE}> <{CDO}City> .\n",
            f'{city} <{LABEL}> "City {i}"@en .\n',
            f"{city} <{CDO}country> <{CDR}country-1> .\n",
            f'{city} <{CDO}population> "{population}"^^<{INTEGER}> .\n',
            f"{city} <{CDO}wikidataItem> <http://www.wikidata.org/entity/Q{i + 1}> .\n",
            f"{city} <{GEO}hasGeometry> _:g{i} .\n",
            f'_:g{i} <{GEO}asWKT> "POINT({i % 180} {i % 90})"^^<{GEO}wktLiteral> .\n',
        ]
    path.write_text("".join(lines), encoding="utf-8")
    return len(lines)


@pytest.fixture
def engines_called(monkeypatch):
    """Which engine ran: the fast evaluator is recorded, pyshacl's entry point too."""
    calls = []
    evaluate, validate_graph = fast.evaluate, validate_service.validate_graph

    def spy_evaluate(*args, **kwargs):
        calls.append("fast")
        return evaluate(*args, **kwargs)

    def spy_pyshacl(*args, **kwargs):
        calls.append("pyshacl")
        return validate_graph(*args, **kwargs)

    monkeypatch.setattr(fast, "evaluate", spy_evaluate)
    monkeypatch.setattr(validate_service, "validate_graph", spy_pyshacl)
    return calls


def test_a_big_file_goes_through_the_fast_engine(tmp_path, engines_called):
    path = tmp_path / "cities.nt"
    triples = write_cities(path, 30_000)  # 210,002 triples
    result = run(path, "--format", "json")
    assert result.exit_code == 1, result.output
    assert engines_called == ["fast"]
    report = json.loads(result.stdout)
    assert report["summary"]["triples"] == triples
    negative = {r["focusNode"] for r in report["results"] if r["sourceShape"].endswith("CityPopulationMinShape")}
    assert negative == {f"{CDR}city-Q{i}" for i in range(0, 30_000, 10_000)}
    assert not result.stderr  # no progress bar and no note in a pipe


def test_small_generated_file_same_results_as_pyshacl(tmp_path, engines_called):
    path = tmp_path / "cities.nt"
    write_cities(path, 300, negative_every=100)

    def keys(engine):
        result = run(path, "--engine", engine, "--format", "json")
        assert result.exit_code == 1, result.output
        return sorted(
            (r["focusNode"], r["path"], r["value"], r["severity"], r["sourceShape"], r["sourceConstraintComponent"])
            for r in json.loads(result.stdout)["results"]
        )

    fast_keys, reference = keys("auto"), keys("pyshacl")
    assert engines_called == ["fast", "pyshacl"]
    assert len(reference) == 3 and fast_keys == reference  # the three negative populations


def test_syntax_error_deep_in_a_big_file_is_located_and_leaves_no_temporary_store(tmp_path, monkeypatch):
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    monkeypatch.setenv("TMPDIR", str(scratch))
    path = tmp_path / "cities.nt"
    good = write_cities(path, 30_000)
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(f'<{CDR}city-bad> <{LABEL}> "unterminated .\n')
    result = run(path)
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith(f"Error: {path}:{good + 1}:"), result.output
    assert "Traceback" not in result.output
    assert list(scratch.iterdir()) == []


def test_syntax_error_in_a_second_file_names_that_file(tmp_path):
    first = tmp_path / "first.nt"
    write_cities(first, 10)
    second = tmp_path / "second.ttl"
    second.write_text("@prefix cdo: <https://w3id.org/citydiplomacy/ontology#> .\n<urn:a> cdo:population 1 ;\n  cdo:", encoding="utf-8")
    result = run(first, second)
    assert result.exit_code == 2
    assert result.output.startswith(f"Error: {second}:3:") and len(result.output.strip().splitlines()) == 1


def test_blank_nodes_of_different_files_stay_apart_and_quads_are_flattened(engines_called):
    """Both files call their geometry _:g; only city B's WKT is not a point."""
    result = run(HOSTILE / "geometry-a.nt", HOSTILE / "geometry-b.nq", "--format", "json")
    assert result.exit_code == 1, result.output
    assert engines_called == ["fast"]
    bad = [r for r in json.loads(result.stdout)["results"] if r["sourceShape"].endswith("CityWktPointShape")]
    assert [r["focusNode"] for r in bad] == [f"{CDR}city-QB"]


def test_owlrl_inference_falls_back_to_pyshacl_with_one_note(engines_called):
    result = run(HOSTILE / "geometry-a.nt", "--inference", "owlrl", "--format", "json")
    assert result.exit_code in (0, 1), result.output
    assert engines_called == ["pyshacl"]
    notes = result.stderr.strip().splitlines()
    assert len(notes) == 1 and "pyshacl" in notes[0] and "owlrl" in notes[0]
    json.loads(result.stdout)


def test_extra_shapes_the_fast_engine_lacks_fall_back_to_pyshacl(tmp_path, engines_called):
    shapes = tmp_path / "closed.ttl"
    shapes.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n@prefix cdo: <https://w3id.org/citydiplomacy/ontology#> .\n"
        "<urn:x:Closed> a sh:NodeShape ; sh:targetClass cdo:City ; sh:closed true ; sh:ignoredProperties () .\n",
        encoding="utf-8",
    )
    result = run(HOSTILE / "geometry-a.nt", "--shapes", shapes, "--format", "json")
    assert engines_called == ["pyshacl"]
    assert result.stderr.count("\n") == 1 and "urn:x:Closed" in result.stderr and "pyshacl" in result.stderr
    closed = [r for r in json.loads(result.stdout)["results"] if r["sourceShape"] == "urn:x:Closed"]
    assert closed and result.exit_code == 1


def test_explicit_pyshacl_engine_is_still_the_reference(engines_called):
    result = run(HOSTILE / "geometry-a.nt", "--engine", "pyshacl")
    assert result.exit_code == 0, result.output
    assert engines_called == ["pyshacl"] and not result.stderr
