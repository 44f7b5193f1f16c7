"""Check the store (ontology, examples, imported data) and given files with an OWL reasoner (``citydip reason``).

HermiT and Pellet run through owlready2 (Java); OWL-RL runs in Python (owlrl). Both paths
return a :class:`ReasonerResult` and are compared with the *asserted* hierarchy the same way,
so the report lists only what the reasoner adds.

Reusable entry points (other tests and modules import them):

* :func:`prepare_for_owl_reasoner` -- a copy of a graph that HermiT accepts (datatypes outside
  the OWL 2 datatype map converted, ``owl:imports`` dropped);
* :func:`run_owl_reasoner` -- run one reasoner over an rdflib graph (HermiT: owlready2's bundled
  jar, output parsed here; Pellet: owlready2's sync_reasoner_pellet in a fresh World);
* :func:`java_for` -- the Java a reasoner will run on (Pellet's need read from its jars; see
  :mod:`citydiplomacy.services.java`), or one line saying where none was found;
* :func:`reasoning_input` (with :func:`check_size` and :data:`MAX_TRIPLES`), :func:`result_to_json`,
  :func:`explain_empty_findings`, :func:`write_materialised` and :func:`incoherence_error` --
  what ``citydip reason`` does around the reasoner, for scripts.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from collections.abc import Set as AbstractSet
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeGuard, cast

import rdflib
from rdflib import Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD

from citydiplomacy.core.errors import (
    EXIT_BAD_INPUT,
    EXIT_FAILED,
    EXIT_INTERNAL,
    CitydipError,
)
from citydiplomacy.core.labels import display_name
from citydiplomacy.core.namespaces import GEO, GRAPH_ANALYSIS, bind_prefixes
from citydiplomacy.services.java import INSTALL_HINT, find_java, java_needed_by_jars

REASONERS = ("hermit", "pellet", "owlrl")
REASONER_NAMES = {"hermit": "HermiT", "pellet": "Pellet", "owlrl": "OWL-RL"}

_RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_OWL_NS = str(OWL)

# The OWL 2 datatype map (OWL 2 Structural Specification, section 4) plus rdf:langString.
OWL2_DATATYPES: frozenset[URIRef] = frozenset(
    [
        XSD[name]
        for name in (
            "decimal",
            "integer",
            "nonNegativeInteger",
            "nonPositiveInteger",
            "positiveInteger",
            "negativeInteger",
            "long",
            "int",
            "short",
            "byte",
            "unsignedLong",
            "unsignedInt",
            "unsignedShort",
            "unsignedByte",
            "double",
            "float",
            "string",
            "normalizedString",
            "token",
            "language",
            "Name",
            "NCName",
            "NMTOKEN",
            "boolean",
            "hexBinary",
            "base64Binary",
            "anyURI",
            "dateTime",
            "dateTimeStamp",
        )
    ]
    + [OWL.real, OWL.rational, RDF.PlainLiteral, RDF.XMLLiteral, RDFS.Literal, URIRef(_RDF_NS + "langString")]
)

# Dates and years become the first instant they stand for (xsd:dateTime is in the map).
_DATE_LIKE = {XSD.date, XSD.gYear, XSD.gYearMonth}

# Properties whose object may name a datatype inside a class expression or data range.
_DATARANGE_POSITIONS = {OWL.someValuesFrom, OWL.allValuesFrom, OWL.onDataRange, OWL.onDatatype}

_TZ = re.compile(r"(Z|[+-]\d\d:\d\d)$")


def _date_like_to_datetime(lexical: str, datatype: URIRef) -> str | None:
    """'2001-05-12' / '1990' / '1990-05' (optionally with a time zone) -> an xsd:dateTime lexical form."""
    text = lexical.strip()
    tz_match = _TZ.search(text)
    tz = tz_match.group(1) if tz_match else ""
    core = text[: len(text) - len(tz)] if tz else text
    negative = core.startswith("-")
    digits = core[1:] if negative else core
    if datatype == XSD.gYear and re.fullmatch(r"\d{4,}", digits):
        core = f"{core}-01-01"
    elif datatype == XSD.gYearMonth and re.fullmatch(r"\d{4,}-\d\d", digits):
        core = f"{core}-01"
    elif datatype == XSD.date and re.fullmatch(r"\d{4,}-\d\d-\d\d", digits):
        pass
    else:
        return None
    return f"{core}T00:00:00{tz}"


def _convert_literal(lit: Literal) -> Literal:
    datatype = lit.datatype
    if datatype is None or datatype in OWL2_DATATYPES:
        return lit
    lexical = str(lit)
    if datatype in _DATE_LIKE:
        converted = _date_like_to_datetime(lexical, datatype)
        if converted is not None:
            return Literal(converted, datatype=XSD.dateTime)
    return Literal(lexical, datatype=XSD.string)


def _is_outside_map(node) -> bool:
    """A datatype IRI HermiT would refuse: an XSD/GeoSPARQL datatype not in the OWL 2 map."""
    if not isinstance(node, URIRef) or node in OWL2_DATATYPES:
        return False
    return str(node).startswith(str(XSD)) or node == GEO.wktLiteral or node == GEO.gmlLiteral


def prepare_for_owl_reasoner(graph: rdflib.Graph) -> rdflib.Graph:
    """A copy of *graph* that HermiT (and Pellet) accept.

    HermiT refuses literals whose datatype is outside the OWL 2 datatype map (xsd:date, xsd:gYear,
    xsd:gYearMonth, geo:wktLiteral, ...): dates and years become xsd:dateTime (their first
    instant), anything else xsd:string. ``rdfs:range`` axioms to such datatypes are dropped, and
    the same datatypes inside data ranges of restrictions are mapped like their literals.
    ``owl:imports`` is dropped because the caller merges the modules itself (and the reasoner must
    not go to the network). The published ontology and examples need no conversion (their data keeps
    to the map: years are xsd:integer); imported and user data may carry xsd:date and xsd:gYear.
    """
    out = rdflib.Graph()
    bind_prefixes(out)
    for s, p, o in graph:
        if p == OWL.imports:
            continue
        if isinstance(o, Literal):
            o = _convert_literal(o)
        elif _is_outside_map(o):
            if p == RDFS.range:
                continue
            if p in _DATARANGE_POSITIONS:
                o = XSD.dateTime if o in _DATE_LIKE else XSD.string
        out.add((s, p, o))
    return out


@dataclass
class ReasonerResult:
    """What a reasoner said about a graph, already compared with the asserted hierarchy."""

    reasoner: str
    consistent: bool
    unsatisfiable: list[URIRef] = field(default_factory=list)
    # (subclass, superclass) pairs entailed but not in the asserted transitive closure, most specific only.
    inferred_subclasses: list[tuple[URIRef, URIRef]] = field(default_factory=list)
    # (individual, class) pairs entailed but not asserted (nor implied by asserted subclass axioms).
    inferred_types: list[tuple[URIRef, URIRef]] = field(default_factory=list)
    # The input plus the inferred triples (the input alone when inconsistent).
    graph: rdflib.Graph | None = None
    seconds: float = 0.0
    inferred_subclass_pairs_total: int = 0
    message: str = ""
    input_triples: int = 0
    # Triples the reasoner adds to the input (OWL-RL: its materialisation; HermiT/Pellet: the
    # classification and realisation statements not already in the input), and per property.
    added_triples: int = 0
    added_by_property: list[tuple[URIRef, int]] = field(default_factory=list)
    # Added triples every OWL graph entails (x owl:sameAs x, C rdfs:subClassOf owl:Thing, ...): not counted above.
    trivial_triples: int = 0

    @property
    def coherent(self) -> bool:
        return self.consistent and not self.unsatisfiable


# ---------------------------------------------------------------- Java


def _java_error(reasoner: str, java: str, text: str) -> CitydipError:
    """Turn owlready2's multi-line Java failure into one actionable line."""
    version = re.search(
        r"class file version (\d+)(?:\.\d+)?\)?, this version of the Java Runtime only recognizes class file versions up to (\d+)",
        text,
    )
    if version:
        needed = int(version.group(1)) - 44
        have = int(version.group(2)) - 44
        return CitydipError(
            f"{reasoner}: the {reasoner.capitalize()} bundled with owlready2 needs Java {needed} or newer, "
            f"but {java} is Java {have}; install a newer JRE (set JAVA_HOME to it) or use --reasoner hermit",
            EXIT_BAD_INPUT,
        )
    if "OutOfMemoryError" in text:
        return CitydipError(f"{reasoner}: Java ran out of memory; reason over fewer --data files", EXIT_BAD_INPUT)
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.strip().startswith("at ")]
    lines = [ln for ln in lines if not ln.startswith("Java error message is")]
    reason = lines[0] if lines else "unknown Java error"
    for ln in lines:  # the most telling line is usually the last 'Caused by' or the exception line
        if ln.startswith("Caused by:") or "Exception" in ln:
            reason = ln
    return CitydipError(f"{reasoner}: the reasoner failed ({reason[:300]})", EXIT_INTERNAL)


# ---------------------------------------------------------------- hierarchy comparison

_BUILTIN_PREFIXES = (_OWL_NS, _RDF_NS, str(RDFS), str(XSD))


def _is_user_class(node) -> TypeGuard[URIRef]:
    return isinstance(node, URIRef) and not str(node).startswith(_BUILTIN_PREFIXES)


def _class_closure(graph: rdflib.Graph) -> dict[URIRef, set[URIRef]]:
    """Named class -> all its named superclasses (subClassOf and equivalentClass, transitively)."""
    direct: dict[URIRef, set[URIRef]] = defaultdict(set)
    for s, o in graph.subject_objects(RDFS.subClassOf):
        if _is_user_class(s) and _is_user_class(o) and s != o:
            direct[s].add(o)
    for s, o in graph.subject_objects(OWL.equivalentClass):
        if _is_user_class(s) and _is_user_class(o) and s != o:
            direct[s].add(o)
            direct[o].add(s)
    closure: dict[URIRef, set[URIRef]] = {}
    for start in list(direct):
        seen: set[URIRef] = set()
        stack = list(direct[start])
        while stack:
            node = stack.pop()
            if node in seen:
                continue
            seen.add(node)
            stack.extend(direct.get(node, ()))
        seen.discard(start)
        closure[start] = seen
    return closure


def _types(graph: rdflib.Graph, closure: dict[URIRef, set[URIRef]]) -> dict[URIRef, set[URIRef]]:
    """Named individual -> its named classes, closed under *closure*."""
    result: dict[URIRef, set[URIRef]] = defaultdict(set)
    for s, o in graph.subject_objects(RDF.type):
        if isinstance(s, URIRef) and _is_user_class(o):
            result[s].add(o)
            result[s] |= closure.get(o, set())
    return result


def _most_specific(
    pairs: set[tuple[URIRef, URIRef]], closure: dict[URIRef, set[URIRef]]
) -> list[tuple[URIRef, URIRef]]:
    """Drop (a, b) when another new pair (a, c) has c strictly below b."""
    by_sub: dict[URIRef, set[URIRef]] = defaultdict(set)
    for a, b in pairs:
        by_sub[a].add(b)
    kept = []
    for a, sups in by_sub.items():
        for b in sups:
            below = any(c != b and b in closure.get(c, set()) and c not in closure.get(b, set()) for c in sups)
            if not below:
                kept.append((a, b))
    return sorted(kept)


def compare_with_asserted(
    asserted: rdflib.Graph, materialised: rdflib.Graph, unsatisfiable: AbstractSet[URIRef] = frozenset()
) -> tuple[list[tuple[URIRef, URIRef]], list[tuple[URIRef, URIRef]], int]:
    """What *materialised* entails beyond *asserted*: (subclass pairs, type pairs, total new closure pairs)."""
    before = _class_closure(asserted)
    after = _class_closure(materialised)
    new_sub = {
        (a, b)
        for a, sups in after.items()
        if a not in unsatisfiable
        for b in sups
        if b not in before.get(a, set()) and b != a
    }
    types_before = _types(asserted, before)
    types_after = _types(materialised, after)
    # Only things that are individuals in the input (not classes or properties typed by OWL-RL).
    individuals = set(types_before) | {
        s for s in asserted.subjects(RDF.type, OWL.NamedIndividual) if isinstance(s, URIRef)
    }
    new_types = {(i, c) for i in individuals for c in types_after.get(i, set()) if c not in types_before.get(i, set())}
    return _most_specific(new_sub, after), _most_specific(new_types, after), len(new_sub)


# ---------------------------------------------------------------- running

# One result line of HermiT's command line (``-c -O -D -I``: classify classes, object and data
# properties, realise individuals), in OWL functional syntax with full IRIs, e.g.
#   SubClassOf( <https://w3id.org/citydiplomacy/ontology#City> <http://www.w3.org/2002/07/owl#Thing> )
#   EquivalentClasses( <...#A> <http://www.w3.org/2002/07/owl#Nothing> )
# Ours rather than owlready2's private ``_HERMIT_RESULT_REGEXP`` (the same pattern in 0.51), so an
# owlready2 upgrade cannot change how we read HermiT.
HERMIT_AXIOM = re.compile(r"^(?P<axiom>[A-Za-z]+)\( (?P<iris>(?:<[^>]+>\s*)+) \)$", re.MULTILINE)

_HERMIT_RELATIONS = {
    "SubClassOf": RDFS.subClassOf,
    "SubObjectPropertyOf": RDFS.subPropertyOf,
    "SubDataPropertyOf": RDFS.subPropertyOf,
    "Type": RDF.type,
    "EquivalentClasses": OWL.equivalentClass,
    "EquivalentObjectProperties": OWL.equivalentProperty,
    "EquivalentDataProperties": OWL.equivalentProperty,
}


def _hermit_classpath() -> str:
    """HermiT as owlready2 ships it: its ``hermit/`` folder and ``hermit/HermiT.jar`` in the package."""
    import owlready2

    folder = Path(owlready2.__file__).parent / "hermit"
    jar = folder / "HermiT.jar"
    if not jar.is_file():
        raise CitydipError(f"hermit: {jar} is missing from the owlready2 install; reinstall owlready2", EXIT_INTERNAL)
    return os.pathsep.join([str(folder), str(jar)])


def parse_hermit_output(output: str) -> tuple[set[URIRef], rdflib.Graph]:
    """HermiT's printed classification -> (unsatisfiable classes, inferred triples).

    Axioms about OWL's own terms (owl:Thing, owl:Nothing, owl:topObjectProperty, ...) are left
    out; a class equivalent to owl:Nothing is reported as unsatisfiable instead.
    """
    inferred = rdflib.Graph()
    unsat: set[URIRef] = set()
    for match in HERMIT_AXIOM.finditer(output.replace("\r", "")):
        relation = match.group("axiom")
        iris = [URIRef(i) for i in match.group("iris").strip()[1:-1].split("> <")]
        predicate = _HERMIT_RELATIONS.get(relation)
        if predicate is None:
            continue
        if relation == "EquivalentClasses" and OWL.Nothing in iris:
            unsat |= {i for i in iris if _is_user_class(i)}
            continue
        ours = [i for i in iris if not str(i).startswith(_OWL_NS)]
        if predicate in (OWL.equivalentClass, OWL.equivalentProperty):
            inferred += [(a, predicate, b) for a in ours for b in ours if a != b]
        elif len(iris) == 2 and len(ours) == 2:
            inferred.add((iris[0], predicate, iris[1]))
    return unsat, inferred


def _start_hermit(java: str, path: Path) -> subprocess.CompletedProcess:
    """Run HermiT's command line on the N-Triples file *path*; a missing Java or an hour is exit 2."""
    from owlready2 import reasoning as owlr

    command = [
        java,
        f"-Xmx{owlr.JAVA_MEMORY}M",
        "-cp",
        _hermit_classpath(),
        "org.semanticweb.HermiT.cli.CommandLine",
        "-c",
        "-O",
        "-D",
        "-I",
        path.as_uri(),
    ]
    try:
        return subprocess.run(command, capture_output=True, timeout=3600, check=False)
    except FileNotFoundError:
        raise CitydipError(f"hermit: cannot run {java}; {INSTALL_HINT}", EXIT_BAD_INPUT) from None
    except subprocess.TimeoutExpired:
        raise CitydipError("hermit: gave up after an hour; reason over fewer --data files", EXIT_BAD_INPUT) from None


def _run_hermit(prepared: rdflib.Graph, java: str) -> tuple[bool, set[URIRef], rdflib.Graph, str]:
    """Run owlready2's bundled HermiT on *prepared* and read its classification and realisation.

    HermiT is started with the command line owlready2 uses, but its output is parsed here:
    owlready2 0.51 (``_apply_reasoning_results``) records one kind per entity, so for an IRI
    that is both a class and an individual (OWL 2 punning, which the ontology uses for
    Figure 1's transitions) the class's ``SubClassOf`` results come back as ``rdf:type``.
    """
    with tempfile.TemporaryDirectory(prefix="citydip-reason-") as tmp:
        path = Path(tmp) / "input.nt"
        prepared.serialize(destination=str(path), format="nt", encoding="utf-8")
        run = _start_hermit(java, path)
    output = (run.stdout or b"").decode("utf-8", "replace")
    errors = (run.stderr or b"").decode("utf-8", "replace")
    if run.returncode != 0:
        if "Inconsistent ontology" in output + errors or "InconsistentOntologyException" in errors:
            return False, set(), rdflib.Graph(), ""
        raise _java_error("hermit", java, errors or output)
    unsat, inferred = parse_hermit_output(output)
    return True, unsat, inferred, ""


@contextmanager
def _owlready_temp_files_in(folder: str) -> Iterator[None]:
    """Within the block, Python's default temp folder is *folder*; the old value is restored on exit.

    owlready2's ``sync_reasoner_pellet`` writes the world to a ``NamedTemporaryFile(delete=False)``
    with no way to pass a folder, and leaves that file behind when Pellet fails; with the default
    pointed at our own TemporaryDirectory, the file goes away with it. ``tempfile.tempdir`` is
    process-wide, so this is only for the few seconds of one Pellet run.
    """
    old_tempdir = tempfile.tempdir
    tempfile.tempdir = folder
    try:
        yield
    finally:
        tempfile.tempdir = old_tempdir


def _sync_pellet(world, java: str, tmp: str) -> str | None:
    """Run Pellet on *world*; None when consistent, else owlready2's one-line message."""
    import owlready2
    from owlready2.base import OwlReadyInconsistentOntologyError, OwlReadyJavaError

    try:
        with _owlready_temp_files_in(tmp):
            owlready2.sync_reasoner_pellet(world, debug=0)
    except OwlReadyInconsistentOntologyError as exc:
        return " ".join(str(exc).split())[:300]
    except OwlReadyJavaError as exc:
        raise _java_error("pellet", java, str(exc)) from None
    except FileNotFoundError:
        raise CitydipError(f"pellet: cannot run {java}; {INSTALL_HINT}", EXIT_BAD_INPUT) from None
    return None


def _run_pellet(prepared: rdflib.Graph, java: str) -> tuple[bool, set[URIRef], rdflib.Graph, str]:
    """Run owlready2's Pellet in a fresh World; return (consistent, unsat, inferred triples, message)."""
    import owlready2

    owlready2.JAVA_EXE = java
    world = owlready2.World()
    inferred = rdflib.Graph()
    with tempfile.TemporaryDirectory(prefix="citydip-reason-") as tmp:
        path = Path(tmp) / "input.nt"
        prepared.serialize(destination=str(path), format="nt", encoding="utf-8")
        try:
            world.get_ontology(path.as_uri()).load()
        except Exception as exc:  # noqa: BLE001 - owlready2 raises bare exceptions on odd input
            raise CitydipError(f"pellet: owlready2 could not read the graph ({exc})", EXIT_INTERNAL) from None
        message = _sync_pellet(world, java, tmp)
        if message is not None:
            return False, set(), inferred, message
        unsat = {URIRef(c.iri) for c in world.inconsistent_classes() if getattr(c, "iri", None) != str(OWL.Nothing)}
        buffer = io.BytesIO()
        world.get_ontology("http://inferrences/").save(buffer, format="ntriples")
    world.close()
    inferred.parse(data=buffer.getvalue().decode("utf-8"), format="nt")
    inferred.remove((URIRef("http://inferrences"), None, None))
    return True, unsat, inferred, ""


def _run_owlrl(prepared: rdflib.Graph, java: str | None = None) -> tuple[bool, set[URIRef], rdflib.Graph, str]:
    """OWL 2 RL closure in Python; inconsistency shows as owl:Nothing members or rdfs:comment errors."""
    import owlrl

    closed = rdflib.Graph()
    for triple in prepared:
        closed.add(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(closed)
    # owlrl records violations as [] a err:ErrorMessage ; err:error "..." (its Closure.py); collect and drop them.
    err = rdflib.Namespace("http://www.daml.org/2002/03/agents/agent-ont#")
    errors = []
    for node, message in list(closed.subject_objects(err.error)):
        errors.append(str(message))
        closed.remove((node, None, None))
    for s in closed.subjects(RDF.type, OWL.Nothing):
        errors.append(f"{s} is an instance of owl:Nothing")
    unsat = {s for s in closed.subjects(RDFS.subClassOf, OWL.Nothing) if _is_user_class(s)} | {
        s for s in closed.subjects(OWL.equivalentClass, OWL.Nothing) if _is_user_class(s)
    }
    inferred = rdflib.Graph()
    for s, p, o in closed - prepared:
        # OWL-RL works on generalised RDF (literal subjects such as "5"^^xsd:integer a rdfs:Literal);
        # those are not RDF and no RDF writer accepts them.
        if isinstance(s, Literal) or not isinstance(p, URIRef):
            continue
        inferred.add((s, p, o))
    if errors:
        return False, unsat, inferred, "; ".join(sorted(errors))[:300]
    return True, unsat, inferred, ""


_RUNNERS = {"hermit": _run_hermit, "pellet": _run_pellet, "owlrl": _run_owlrl}


def java_for(reasoner: str) -> str | None:
    """The ``java`` that *reasoner* will run on (None for OWL-RL); a one-line CitydipError if none will do.

    Called before the input is read, so a missing or too old Java is said at once.
    """
    if reasoner == "hermit":
        return find_java(who="HermiT")
    if reasoner == "pellet":
        return find_java(minimum=pellet_needs_java(), who="Pellet")
    return None


def pellet_needs_java() -> int | None:
    """The Java major version owlready2's bundled Pellet needs (25 for owlready2 0.51), read from its jars."""
    import owlready2

    return java_needed_by_jars(str(Path(owlready2.__file__).parent / "pellet"))


def run_owl_reasoner(graph: rdflib.Graph, reasoner: str = "hermit", java: str | None = None) -> ReasonerResult:
    """Reason over *graph* with ``hermit``, ``pellet`` (owlready2, Java) or ``owlrl`` (Python).

    The graph is first passed through :func:`prepare_for_owl_reasoner`. *java* defaults to
    :func:`java_for`'s choice. Raises :class:`CitydipError` (exit 2) when Java is missing or too
    old for the chosen reasoner.
    """
    if reasoner not in REASONERS:
        raise CitydipError(f"unknown reasoner {reasoner!r}; use one of: {', '.join(REASONERS)}")
    java = java or java_for(reasoner)
    prepared = prepare_for_owl_reasoner(graph)
    started = time.monotonic()
    consistent, unsat, inferred, message = _RUNNERS[reasoner](prepared, java or "")  # no Java: OWL-RL, which ignores it
    seconds = time.monotonic() - started
    materialised = rdflib.Graph()
    bind_prefixes(materialised)
    for triple in graph:
        materialised.add(triple)
    result = ReasonerResult(
        reasoner,
        consistent,
        sorted(unsat),
        graph=materialised,
        seconds=seconds,
        message=message,
        input_triples=len(graph),
    )
    if not consistent:
        return result
    if reasoner == "pellet":
        inferred = _without_punning_artefacts(prepared, inferred)
    added = inferred - prepared
    for triple in added:
        materialised.add(triple)
    result.inferred_subclasses, result.inferred_types, result.inferred_subclass_pairs_total = compare_with_asserted(
        prepared, prepared + inferred, unsat
    )
    telling = [t for t in added if not _is_trivial(t)]
    result.added_triples = len(telling)
    result.trivial_triples = len(added) - len(telling)
    result.added_by_property = Counter(cast(URIRef, p) for _, p, _ in telling).most_common()  # RDF predicates are IRIs
    return result


_REFLEXIVE = {OWL.sameAs, OWL.equivalentClass, OWL.equivalentProperty, RDFS.subClassOf, RDFS.subPropertyOf}
_TOP = {OWL.Thing, RDFS.Resource, OWL.topObjectProperty, OWL.topDataProperty}


def _is_trivial(triple) -> bool:
    """A triple every OWL graph entails (``x owl:sameAs x``, ``C rdfs:subClassOf owl:Thing``, ...)."""
    s, p, o = triple
    return (s == o and p in _REFLEXIVE) or o in _TOP or (s == OWL.Nothing and p == RDFS.subClassOf)


def _without_punning_artefacts(prepared: rdflib.Graph, inferred: rdflib.Graph) -> rdflib.Graph:
    """Pellet's results less owlready2's misreading of punned IRIs.

    owlready2 records one kind per entity, so for an IRI that is both a class and an individual
    (``cdo:CityNetworkMembership a cdo:FormOfRelationBetweenCities``) the individual's asserted
    type comes back as a superclass; HermiT, whose output is parsed here, does not say so.
    """
    kept = rdflib.Graph()
    for s, p, o in inferred:
        if p == RDFS.subClassOf and (s, RDF.type, o) in prepared and (s, RDFS.subClassOf, o) not in prepared:
            continue
        kept.add((s, p, o))
    return kept


# ---------------------------------------------------------------- for callers (the CLI, scripts)


# Triples above which ``citydip reason`` refuses to start a reasoner unless --max-triples says
# otherwise, chosen so a run takes about a minute at most. Measured with scripts/bench_reason.py
# (generated cities and twinnings on the ontology and examples, 2 cores shared with other work):
#   HermiT  5,800: 7 s | 13,300: 27 s | 22,700: 111 s | 41,400: not finished in 300 s
#   Pellet  5,800: 4 s | 13,300: 18 s | 22,700:  51 s | 41,400:  87 s (0.6 GB)
#   OWL-RL 22,700: 27 s | 78,900: 51 s (0.5 GB) | 154,000: 97 s (0.9 GB) | 266,500: 218 s (1.4 GB)
MAX_TRIPLES = {"hermit": 15_000, "pellet": 30_000, "owlrl": 400_000}
_MEASURED = {
    "hermit": "HermiT took 111 s on 22,700 triples and did not finish 41,400 in 5 minutes",
    "pellet": "Pellet took 87 s on 41,400 triples and grows faster than the graph",
}


def store_graphs_to_reason(store) -> list[str]:
    """The store's graphs ``reason`` reads: the ontology, the examples and the imported data."""
    from citydiplomacy.core.store import graph_names

    return [
        name for name in graph_names(store) if name != GRAPH_ANALYSIS
    ]  # scores derived from the data add nothing to reason about


def count_store_triples(store, graphs: list[str]) -> int:
    """How many triples *graphs* of *store* hold, counted by the store (0.3 s for 280,000; no copy)."""
    if not graphs:
        return 0
    names = " ".join(f"<{name}>" for name in graphs)
    rows = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {names} }} GRAPH ?g {{ ?s ?p ?o }} }}")
    return int(next(iter(rows))[0].value)


def check_size(triples: int, reasoner: str, max_triples: int | None) -> None:
    """Refuse (exit 2) a graph above *max_triples* before a reasoner runs for an hour on it."""
    if max_triples is None or triples <= max_triples:
        return
    if reasoner == "owlrl":
        advice = "OWL-RL's time and memory grow with the graph"
        options = "reason over a sample with --no-imported --data FILE, or raise --max-triples"
    else:
        advice = f"{REASONER_NAMES[reasoner]} would not finish in reasonable time ({_MEASURED[reasoner]})"
        options = "use --reasoner owlrl (OWL 2 RL, about a minute per 80,000 triples), --no-imported --data SAMPLE, or raise --max-triples"
    raise CitydipError(
        f"{triples:,} triples to reason over, above --max-triples {max_triples:,}: {advice}; {options}",
        EXIT_BAD_INPUT,
    )


def reasoning_input(
    data: Iterable[str | Path] = (), store=None, max_triples: int | None = None, reasoner: str = "hermit"
) -> rdflib.Graph:
    """What ``citydip reason`` checks: the store's ontology, examples and imported data (or, without
    *store*, the packaged ontology and examples), plus the RDF files *data*.

    With *max_triples*, :func:`check_size` refuses a larger input before the store is copied
    into memory (the store's own count) and again once the files are read.
    """
    from citydiplomacy.core.ontology import load_examples, load_ontology
    from citydiplomacy.core.rdfio import read_many
    from citydiplomacy.core.store import to_rdflib

    if store is not None:
        graphs = store_graphs_to_reason(store)
        check_size(count_store_triples(store, graphs), reasoner, max_triples)
        graph = to_rdflib(store, graphs)
    else:
        graph = load_ontology()
        graph += load_examples()
    data = list(data)
    if data:
        read_many(data, graph)
        check_size(len(graph), reasoner, max_triples)
    bind_prefixes(graph)
    return graph


def result_to_json(result: ReasonerResult, graph: rdflib.Graph) -> dict:
    """The result as plain JSON data, each term with its IRI and its label in *graph*."""

    def term(node):
        return {"iri": str(node), "label": display_name(graph, node)}

    return {
        "reasoner": result.reasoner,
        "consistent": result.consistent,
        "coherent": result.coherent,
        "message": result.message,
        "seconds": round(result.seconds, 3),
        "unsatisfiable": [term(c) for c in result.unsatisfiable],
        "inferred_subclasses": [{"subclass": term(a), "superclass": term(b)} for a, b in result.inferred_subclasses],
        "inferred_subclass_pairs_total": result.inferred_subclass_pairs_total,
        "inferred_types": [{"individual": term(i), "class": term(c)} for i, c in result.inferred_types],
        "input_triples": result.input_triples,
        "added_triples": result.added_triples,
        "trivial_triples": result.trivial_triples,
        "added_by_property": [{"property": str(p), "triples": n} for p, n in result.added_by_property],
        "notes": explain_empty_findings(result),
    }


def explain_empty_findings(result: ReasonerResult) -> list[str]:
    """Plain sentences for what the reasoner did not find and why, so an empty table is no riddle."""
    if not result.consistent:
        return []
    notes = []
    if not result.inferred_subclasses:
        why = "the ontology asserts every subclass relation that follows from its axioms"
        if result.reasoner == "owlrl":
            why += " (as far as OWL 2 RL sees: it does not classify defined classes; --reasoner hermit does)"
        notes.append(f"No class hierarchy beyond the asserted one: {why}.")
    if not result.inferred_types:
        notes.append(
            "No individual gains a type: every type that follows from the definitions, domains and ranges "
            "is already asserted, or implied by the asserted subclass axioms."
        )
    trivial = (
        f" ({result.trivial_triples:,} trivial ones such as x owl:sameAs x left out)" if result.trivial_triples else ""
    )
    if result.reasoner == "owlrl" and result.added_triples:
        notes.append(
            f"OWL-RL materialised {result.added_triples:,} triples{trivial}: what the asserted axioms entail "
            "under OWL 2 RL (superclass types, domains and ranges, inverse and symmetric properties, ...)."
        )
    elif not result.added_triples:
        notes.append(f"The reasoner added no triple to the input{trivial}.")
    return notes


def write_materialised(graph: rdflib.Graph, out: str | Path) -> None:
    """Write *graph* to *out* (atomically, deterministically); the format comes from the suffix
    (an exported format: .ttl, .nt, .jsonld, .rdf/.owl/.xml, .nq), else Turtle."""
    from citydiplomacy.core import formats
    from citydiplomacy.core.rdfio import atomic_write
    from citydiplomacy.services.export import serialize

    fmt = formats.by_suffix(out)
    atomic_write(out, serialize(graph, fmt.name if fmt is not None and fmt.exported else formats.TURTLE.name))


def incoherence_error(result: ReasonerResult, graph: rdflib.Graph) -> CitydipError | None:
    """The exit-1 error for an inconsistent graph or unsatisfiable classes; None when all is well."""
    if not result.consistent:
        detail = f" ({result.message})" if result.message else ""
        return CitydipError(
            f"the ontology, examples and data are inconsistent according to {result.reasoner}{detail}; "
            "remove --data files one by one to find the culprit",
            EXIT_FAILED,
        )
    if result.unsatisfiable:
        names = ", ".join(display_name(graph, c) for c in result.unsatisfiable)
        return CitydipError(f"{len(result.unsatisfiable)} unsatisfiable class(es): {names}", EXIT_FAILED)
    return None
