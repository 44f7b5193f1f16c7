"""Hostile input files: every command that reads a user's RDF file refuses them the same way.

Attack files live in tests/data/hostile/inputs/ (or are made in tmp_path). Whatever could hang
or eat memory on a regression (FIFOs, /dev/zero, entity bombs) runs the CLI in a subprocess
with a timeout and a memory cap, so a regression fails the test instead of the machine.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
import rdflib
from click.testing import CliRunner

from citydiplomacy.cli import cli
from citydiplomacy.core import inputs
from citydiplomacy.core.errors import CitydipError
from citydiplomacy.core.inputs import no_triples_message
from citydiplomacy.core.rdfio import check_input_file, read_rdf
from citydiplomacy.core.sizes import parse_size
from httpservers import loopback_servers, reply

HOSTILE = Path(__file__).parent / "data" / "hostile" / "inputs"
SRC = Path(__file__).resolve().parent.parent / "src"
LABEL_QUERY = "SELECT ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l }"
CDO = "https://w3id.org/citydiplomacy/ontology#"


# ---------------------------------------------------------------- helpers


def _limit_memory():
    """Cap the child's address space: a regression that expands a bomb dies instead of swapping."""
    cap = 3 << 30
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))


def run_cli(tmp_path: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """``citydip ARGS`` in a subprocess of this tree, its own store, a timeout and a memory cap."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")]))
    env["CITYDIP_STORE"] = str(tmp_path / "store")
    env.pop("CITYDIP_MAX_INPUT_SIZE", None)
    return subprocess.run(
        [sys.executable, "-m", "citydiplomacy", *map(str, args)],
        capture_output=True, text=True, timeout=timeout, env=env, preexec_fn=_limit_memory,
    )


def invoke(*args) -> object:
    return CliRunner().invoke(cli, [str(a) for a in args])


def one_error_line(output: str, exit_code: int) -> str:
    """The single ``Error: ...`` line of a refused run (exit 2, no traceback)."""
    assert exit_code == 2, output
    assert "Traceback" not in output
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: "), output
    return lines[0]


# Every command that reads a user's RDF file, as argument lists with FILE in place of the path.
def reading_commands(endpoint: str = "http://127.0.0.1:9/sparql") -> dict[str, list[str]]:
    return {
        "validate": ["validate", "FILE"],
        "validate --ontology": ["validate", "--ontology", "FILE"],
        "validate --shapes": ["validate", "--shapes", "FILE", str(HOSTILE / "protege-entities.owl")],
        "reason --data": ["reason", "--reasoner", "owlrl", "--data", "FILE"],
        "query run --data": ["query", "run", "--text", LABEL_QUERY, "--data", "FILE"],
        "load": ["load", "--endpoint", endpoint, "FILE"],
        "analyze network --data": ["analyze", "network", "--data", "FILE"],
    }


def with_file(command: list[str], path: Path) -> list[str]:
    return [str(path) if part == "FILE" else part for part in command]


JSONLD_CONTEXT = json.dumps({"@context": {"name": "http://schema.org/name"}}).encode()


@pytest.fixture
def counting_server():
    """A 127.0.0.1 server that records requests and answers each with a small JSON-LD context."""
    with loopback_servers() as start:
        yield start(lambda handler, _count: reply(handler, 200, JSONLD_CONTEXT, {"Content-Type": "application/ld+json"}))


# ---------------------------------------------------------------- finding 6a: FIFOs and devices


@pytest.mark.parametrize("command", list(reading_commands()))
def test_fifo_is_refused_fast_by_every_command(tmp_path, command):
    fifo = tmp_path / "pipe.ttl"
    os.mkfifo(fifo)
    result = run_cli(tmp_path, *with_file(reading_commands()[command], fifo), timeout=30)
    line = one_error_line(result.stderr + result.stdout, result.returncode)
    assert str(fifo) in line and "FIFO" in line and "not a regular file" in line


def test_dev_zero_is_refused_without_reading(tmp_path):
    result = run_cli(tmp_path, "validate", "--input-format", "turtle", "/dev/zero", timeout=30)
    line = one_error_line(result.stderr, result.returncode)
    assert "/dev/zero: is a device, not a regular file" in line
    zero = tmp_path / "zero.ttl"
    zero.symlink_to("/dev/zero")
    result = run_cli(tmp_path, "query", "run", "--text", LABEL_QUERY, "--data", zero, timeout=30)
    assert "zero.ttl: is a device" in one_error_line(result.stderr, result.returncode)


# ---------------------------------------------------------------- finding 2: XML entities


@pytest.mark.parametrize(
    "name, what",
    [
        ("billion-laughs.rdf", "refers to another entity"),
        ("external-entity.rdf", "external entity &secret;"),
        ("parameter-entity.rdf", "parameter entity (%inner;)"),
    ],
)
def test_xml_entity_attacks_are_refused_before_parsing(tmp_path, name, what):
    attack = HOSTILE / name
    assert attack.stat().st_size < 1100
    for argv in (["validate", attack], ["query", "run", "--text", LABEL_QUERY, "--data", attack]):
        result = run_cli(tmp_path, *argv, timeout=30)
        line = one_error_line(result.stderr, result.returncode)
        assert str(attack) in line and what in line


def test_billion_laughs_refused_in_process_by_every_reader():
    """The shapes and reasoning paths as well (in process: the guard runs before any parser)."""
    attack = HOSTILE / "billion-laughs.rdf"
    for command in reading_commands().values():
        result = invoke(*with_file(command, attack))
        assert "refers to another entity" in one_error_line(result.output, result.exit_code)


def test_protege_style_entities_still_load():
    owl = HOSTILE / "protege-entities.owl"
    graph = read_rdf(owl)
    assert (rdflib.URIRef(CDO + "ProtegeTestClass"), rdflib.RDFS.subClassOf, rdflib.OWL.Thing) in graph
    result = invoke("query", "run", "--format", "csv", "--data", owl, "--text",
                    f"SELECT ?l WHERE {{ <{CDO}ProtegeTestClass> <http://www.w3.org/2000/01/rdf-schema#label> ?l }}")
    assert result.exit_code == 0, result.output
    assert "Protégé test class" in result.output
    assert invoke("validate", owl).exit_code == 0


def test_plain_entities_expanding_too_far_are_refused(tmp_path):
    """Non-nested entities are bounded too: one 100 KB value referenced 2,000 times."""
    value = "x" * 100_000
    body = "".join(f'<rdf:Description rdf:about="http://ex/{i}"><rdfs:label>&big;</rdfs:label></rdf:Description>' for i in range(2000))
    path = tmp_path / "wide.rdf"
    path.write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [ <!ENTITY big "{value}"> ]>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        f'xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">{body}</rdf:RDF>\n'
    )
    with pytest.raises(CitydipError, match="entities expand to .* over the limit"):
        check_input_file(path)


# ---------------------------------------------------------------- finding 3b: JSON-LD remote contexts


def _jsonld_attacks(tmp_path: Path, base: str) -> dict[str, Path]:
    node = {"@id": "http://example.org/a", "name": "A"}
    documents = {
        "string": {"@context": f"{base}/ctx-string", **node},
        "array": {"@context": [f"{base}/ctx-array", {"ex": "http://example.org/"}], **node},
        "import": {"@context": {"@version": 1.1, "@import": f"{base}/ctx-import"}, **node},
        "scoped": {"@context": {"@version": 1.1, "knows": {"@id": "http://example.org/knows",
                                                            "@context": f"{base}/ctx-scoped"}},
                   "@id": "http://example.org/a", "knows": {"@id": "http://example.org/b", "name": "B"}},
        "nested": {"@graph": [{"@context": f"{base}/ctx-nested", **node}]},
        "relative": {"@context": "context.jsonld", **node},
    }
    paths = {}
    for kind, document in documents.items():
        paths[kind] = tmp_path / f"remote-{kind}.jsonld"
        paths[kind].write_text(json.dumps(document), encoding="utf-8")
    return paths


def test_remote_jsonld_contexts_are_never_fetched(tmp_path, counting_server):
    attacks = _jsonld_attacks(tmp_path, counting_server.url())
    (tmp_path / "context.jsonld").write_text('{"@context": {"name": "http://schema.org/name"}}')
    for kind, path in attacks.items():
        for label, command in reading_commands(counting_server.url() + "/sparql").items():
            result = invoke(*with_file(command, path))
            line = one_error_line(result.output, result.exit_code)
            assert str(path) in line and "@context refers to" in line and "inline the context" in line, (kind, label)
    assert counting_server.requests == []


def test_remote_context_in_a_broken_file_is_not_fetched_for_the_error_location(tmp_path, counting_server):
    """pyoxigraph refuses the remote context; the old fallback then asked rdflib, which fetched it."""
    path = tmp_path / "broken.jsonld"
    path.write_text(f'{{"@context": "{counting_server.url()}/ctx",\n "@id": 5, "name": "x"}}')
    for command in (["query", "run", "--text", LABEL_QUERY, "--data", path], ["validate", path]):
        result = invoke(*command)
        assert "@context refers to" in one_error_line(result.output, result.exit_code)
    assert counting_server.requests == []


def test_jsonld_syntax_error_is_located_after_the_context_is_inlined(tmp_path):
    path = tmp_path / "broken-own.jsonld"
    path.write_text('{"@context": "https://w3id.org/citydiplomacy/context.jsonld",\n "@id": "x", "name": }')
    result = invoke("validate", path)
    assert f"{path}:2:" in one_error_line(result.output, result.exit_code)


def test_own_context_is_substituted_from_the_packaged_file(tmp_path):
    """The project's context IRI (string, in an array, or @import-ed) is read from ontology/context.jsonld."""
    iri = "https://w3id.org/citydiplomacy/context.jsonld"
    node = {"@id": "https://w3id.org/citydiplomacy/resource/city-x", "@type": "cdo:City"}
    for context in (iri, [iri], {"@version": 1.1, "@import": iri}):
        path = tmp_path / "own.jsonld"
        path.write_text(json.dumps({"@context": context, **node}), encoding="utf-8")
        graph = read_rdf(path)
        assert (rdflib.URIRef(node["@id"]), rdflib.RDF.type, rdflib.URIRef(CDO + "City")) in graph


# ---------------------------------------------------------------- finding 10: empty, no triples, encodings


@pytest.mark.parametrize("name, content", [("empty.ttl", b""), ("numbers.jsonld", b"[1,2,3]"),
                                           ("blank.nt", b"  \n"), ("object.jsonld", b"{}")])
def test_no_triples_is_the_same_error_in_every_command(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    for label, command in reading_commands().items():
        result = invoke(*with_file(command, path))
        assert one_error_line(result.output, result.exit_code) == f"Error: {no_triples_message(str(path))}", label


LATIN1_XML = (
    '<?xml version="1.0" encoding="ISO-8859-1"?>\n'
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
    'xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">\n'
    '<rdf:Description rdf:about="http://example.org/a"><rdfs:label>café</rdfs:label></rdf:Description>\n'
    "</rdf:RDF>\n"
)


@pytest.mark.parametrize(
    "name, content",
    [
        ("bom.ttl", b"\xef\xbb\xbf" + '<http://example.org/a> <http://www.w3.org/2000/01/rdf-schema#label> "café" .\n'.encode()),
        ("bom.jsonld", b"\xef\xbb\xbf" + json.dumps({"@id": "http://example.org/a",
                                                    "http://www.w3.org/2000/01/rdf-schema#label": "café"}).encode()),
        ("latin1.rdf", LATIN1_XML.encode("latin-1")),
        ("utf16.rdf", LATIN1_XML.replace("ISO-8859-1", "UTF-16").encode("utf-16")),
    ],
)
def test_one_encoding_rule_for_every_command(tmp_path, name, content):
    """UTF-8 with or without BOM, and RDF/XML in its declared encoding, read alike by rdflib and pyoxigraph."""
    path = tmp_path / name
    path.write_bytes(content)
    assert [str(o) for o in read_rdf(path).objects(None, rdflib.RDFS.label)] == ["café"]
    result = invoke("query", "run", "--format", "csv", "--data", path, "--text",
                    "SELECT ?l WHERE { <http://example.org/a> <http://www.w3.org/2000/01/rdf-schema#label> ?l }")
    assert result.exit_code == 0 and "café" in result.output, result.output
    assert invoke("validate", path).exit_code == 0


def test_latin1_turtle_is_refused_by_every_command(tmp_path):
    path = tmp_path / "latin1.ttl"
    path.write_bytes('<http://example.org/a> <http://example.org/b> "café" .\n'.encode("latin-1"))
    for label, command in reading_commands().items():
        result = invoke(*with_file(command, path))
        line = one_error_line(result.output, result.exit_code)
        assert f"{path}:1: not UTF-8 (byte 0xe9)" in line, label


# ---------------------------------------------------------------- size limit


def test_max_input_size_refuses_a_larger_file_and_can_be_raised(tmp_path, monkeypatch):
    owl = HOSTILE / "protege-entities.owl"
    for argv in (["--max-input-size", "100", "validate", owl],
                 ["--max-input-size", "100", "query", "run", "--text", LABEL_QUERY, "--data", owl]):
        result = invoke(*argv)
        line = one_error_line(result.output, result.exit_code)
        assert str(owl) in line and "input size limit (100 bytes)" in line and "--max-input-size" in line
    monkeypatch.setenv("CITYDIP_MAX_INPUT_SIZE", "0.5K")
    result = invoke("validate", owl)
    assert "input size limit (512 bytes)" in one_error_line(result.output, result.exit_code)
    assert invoke("--max-input-size", "2M", "validate", owl).exit_code == 0
    result = invoke("--max-input-size", "lots", "validate", owl)
    assert result.exit_code == 2 and "not a size" in result.output
    inputs.set_max_input_size(None)


def test_parse_size():
    assert parse_size("100") == 100
    assert parse_size("64k") == 64 * 1024
    assert parse_size("1.5G") == 3 << 29
    assert parse_size("2GiB") == 2 << 30
    for bad in ("", "-1", "0", "1 parsec"):
        with pytest.raises(ValueError):
            parse_size(bad)
