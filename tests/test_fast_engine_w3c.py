"""The fast SHACL engine against the W3C SHACL core test suite (w3c/data-shapes, ``tests/core``).

The test files come from the pyshacl sdist on PyPI (:mod:`w3c_shacl`; never committed here).
Each file is a manifest whose ``sht:Validate`` entries name a data graph, a shapes graph (most
often the file itself) and the expected ``sh:ValidationReport``. Every test whose shapes the
fast engine accepts (``fast.unsupported_reason(shapes, "none") is None``) runs in pyoxigraph with
inference ``none``; the others are the ones ``citydip validate`` sends to pyshacl, and there the
test checks that pyshacl gives the W3C answer (``sh:conforms``).

How results are compared (:func:`_result_key`), per result: focus node, result path, value,
source constraint component, severity, and the source shape when it is an IRI.

* Blank nodes have no identity across two parsers: a blank focus node, value or source shape
  compares as ``_:`` (any blank node). Result paths are compared structurally (a SHACL path
  written as a tuple: ``("inverse", p)``, ``("sequence", p, q)``, ...), so blank path nodes match.
* A literal without datatype is ``xsd:string`` (RDF 1.1), whichever side wrote it.
* Where the W3C report leaves ``sh:value`` or ``sh:resultPath`` out, that field is not
  compared (the expected result matches a found one whatever that field is there).
* Messages are never compared (the W3C suite does not prescribe them); results are a multiset.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pyshacl
import pytest
import rdflib
from rdflib import BNode, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, XSD

from citydiplomacy.core.namespaces import SH
from citydiplomacy.services.validation import fast
from citydiplomacy.services.validation.fast.plan import COMPONENTS
from w3c_shacl import core_tests_dir

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SHT = Namespace("http://www.w3.org/ns/shacl-test#")
Node = rdflib.term.Node
ANY = object()  # a field the W3C report leaves out
# SHACL-SPARQL (spec section 5) is no Core component: the W3C core tests have none; its
# cases are in tests/test_fast_engine_components.py (against pyshacl).
NOT_CORE = frozenset({SH.SPARQLConstraintComponent})


def _test_files() -> list[Path]:
    """Every core test file that is a manifest with entries (not the -data / -shapes halves)."""
    root = core_tests_dir()
    return sorted(p for p in root.glob("*/*.ttl") if p.name != "manifest.ttl" and b"mf:entries" in p.read_bytes())


def pytest_generate_tests(metafunc):
    if "w3c_file" in metafunc.fixturenames:
        files = _test_files()
        root = core_tests_dir()
        ids = [str(p.relative_to(root).with_suffix("")) for p in files]
        params = [
            pytest.param(path, marks=pytest.mark.xfail(strict=True, reason=KNOWN_FALLBACK_DEVIATIONS[test_id]))
            if test_id in KNOWN_FALLBACK_DEVIATIONS
            else path
            for path, test_id in zip(files, ids, strict=True)
        ]
        metafunc.parametrize("w3c_file", params, ids=ids)


# W3C tests where the fallback engine, pyshacl, is known to differ from the W3C answer (strict:
# the test fails if pyshacl is fixed, so the entry gets removed).
KNOWN_FALLBACK_DEVIATIONS = {
    "property/uniqueLang-002": 'pyshacl reads sh:uniqueLang "1"^^xsd:boolean as true; W3C ignores the constraint',
}


# ---------------------------------------------------------------- reading a test


def _parse(path: Path) -> rdflib.Graph:
    return rdflib.Graph().parse(path, format="turtle", publicID=path.as_uri())


def _cases(path: Path) -> list[tuple[URIRef, rdflib.Graph, rdflib.Graph, rdflib.Graph, Node]]:
    """(test, data graph, shapes graph, manifest graph, expected report) of every sht:Validate entry."""
    manifest = _parse(path)
    out = []
    for entries in manifest.objects(None, MF.entries):
        for test in Collection(manifest, entries):
            assert (test, RDF.type, SHT.Validate) in manifest, f"{test} is not an sht:Validate"
            action = manifest.value(test, MF.action)
            graphs = {}
            for role in (SHT.dataGraph, SHT.shapesGraph):
                source = str(manifest.value(action, role))
                graphs[role] = manifest if source == path.as_uri() else _parse(Path(source.removeprefix("file://")))
            out.append(
                (test, graphs[SHT.dataGraph], graphs[SHT.shapesGraph], manifest, manifest.value(test, MF.result))
            )
    assert out, f"{path.name} has no test entries"
    return out


# ---------------------------------------------------------------- the comparator


def _term(term: Node | None) -> object:
    """A term comparable across parsers and engines."""
    if term is None:
        return None
    if isinstance(term, BNode):
        return "_:"
    if isinstance(term, Literal) and term.datatype is None and not term.language:
        return Literal(str(term), datatype=XSD.string)
    return term


def _path(graph: rdflib.Graph, path: Node | None) -> object:
    """A SHACL path as a tuple, blank nodes resolved (the same path in two graphs is equal)."""
    if path is None or isinstance(path, URIRef):
        return path
    if (path, RDF.first, None) in graph:
        return ("sequence", *(_path(graph, p) for p in Collection(graph, path)))
    for kind in (SH.inversePath, SH.zeroOrMorePath, SH.oneOrMorePath, SH.zeroOrOnePath):
        inner = graph.value(path, kind)
        if inner is not None:
            return (str(kind), _path(graph, inner))
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        return ("alternative", *(_path(graph, p) for p in Collection(graph, alternatives)))
    return ("unknown", str(path))


def _result_key(focus, path, value, component, severity, shape) -> tuple:
    shape_key = shape if isinstance(shape, URIRef) else "_:"
    return (_term(focus), path, _term(value), component, severity, shape_key)


def _expected(manifest: rdflib.Graph, report: Node) -> tuple[bool, list[tuple]]:
    conforms = manifest.value(report, SH.conforms)
    assert isinstance(conforms, Literal), "the expected report has no sh:conforms"
    keys = []
    for r in manifest.objects(report, SH.result):
        path = manifest.value(r, SH.resultPath)
        value = manifest.value(r, SH.value)
        key = _result_key(
            manifest.value(r, SH.focusNode),
            ANY if path is None else _path(manifest, path),
            ANY if value is None else value,
            manifest.value(r, SH.sourceConstraintComponent),
            manifest.value(r, SH.resultSeverity),
            manifest.value(r, SH.sourceShape),
        )
        keys.append(key)
    return bool(conforms.value), keys


def _unmatched(expected: list[tuple], found: list[tuple]) -> tuple[list[tuple], list[tuple]]:
    """The expected results no found one matches, and the found ones left over (a multiset match)."""
    left = Counter(found)
    missing = []
    # exact keys first, then the ones with fields the W3C report leaves out
    for key in sorted(expected, key=lambda k: sum(field is ANY for field in k)):
        match = next(
            (f for f in left if left[f] and all(e is ANY or e == g for e, g in zip(key, f, strict=True))), None
        )
        if match is None:
            missing.append(key)
        else:
            left[match] -= 1
    return missing, list(left.elements())


# ---------------------------------------------------------------- the tests


def _run_fast(data: rdflib.Graph, shapes: rdflib.Graph) -> list:
    store = ox.Store()
    store.bulk_load(data.serialize(format="nt").encode(), format=ox.RdfFormat.N_TRIPLES)
    return fast.evaluate(store, shapes, "none", 0.0).results


def test_w3c_core(w3c_file: Path):
    for test, data, shapes, manifest, report in _cases(w3c_file):
        reason = fast.unsupported_reason(shapes, "none")
        conforms, expected = _expected(manifest, report)
        if reason is not None:
            # The fast engine declines these shapes, so `citydip validate` runs pyshacl: check that
            # the fallback gives the W3C answer.
            found_conforms = pyshacl.validate(data, shacl_graph=shapes, inference="none", advanced=True)[0]
            assert found_conforms == conforms, f"{test}: falls back to pyshacl ({reason}), which disagrees with W3C"
            continue
        results = _run_fast(data, shapes)
        found = [
            _result_key(r.focus_node, _path(shapes, r.path), r.value, r.component, r.severity, r.source_shape)
            for r in results
        ]
        assert (not results) == conforms, f"{test}: sh:conforms {conforms} expected, {len(results)} result(s) found"
        missing, extra = _unmatched(expected, found)
        assert not missing and not extra, f"{test}:\n  expected, not found: {missing}\n  found, not expected: {extra}"


def _supported_components() -> set[URIRef]:
    """The constraint components the fast engine runs in the W3C core tests it accepts."""
    covered: set[URIRef] = set()
    for path in _test_files():
        for _test, _data, shapes, _manifest, _report in _cases(path):
            if fast.unsupported_reason(shapes, "none") is None:
                covered |= {
                    component for parameter, component in COMPONENTS.items() if (None, parameter, None) in shapes
                }
    return covered


def test_every_claimed_core_component_has_a_w3c_test():
    missing = fast.SUPPORTED_COMPONENTS - NOT_CORE - _supported_components()
    assert not missing, f"claimed by the fast engine, no W3C core test it runs: {sorted(missing)}"
