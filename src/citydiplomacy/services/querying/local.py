"""Running a question on the embedded store, or on an in-memory copy with ``--data`` files added.

Queries see the union of the named graphs as their default graph, as a SPARQL server
without FROM does (pyoxigraph's own union mode: about three times faster on imported data
than listing the graphs). Parameters arrive as the same verified VALUES block a remote
endpoint gets (pyoxigraph's substitutions would need every parameter in the SELECT
projection), so a question means the same thing here and on a server.
"""

from __future__ import annotations

import sys
import threading
from dataclasses import dataclass
from urllib.parse import urlsplit

import pyoxigraph

from citydiplomacy.core import resources
from citydiplomacy.core.errors import CitydipError
from citydiplomacy.core.http import scrub_secrets
from citydiplomacy.core.namespaces import GRAPH_DATA, GRAPH_EXAMPLES, GRAPH_ONTOLOGY
from citydiplomacy.core.rdfio import load_into_store, load_packaged
from citydiplomacy.services.querying.params import with_values
from citydiplomacy.services.querying.results import Answer, from_pyoxigraph


def bundled_store(data_files: list[str] | tuple[str, ...] = ()) -> pyoxigraph.Store:
    """An in-memory store with the ontology, the article's examples and *data_files* (in the data graph)."""
    store = pyoxigraph.Store()
    load_packaged(store, resources.ontology_files(), GRAPH_ONTOLOGY)
    examples = resources.examples_file()
    if examples.exists():
        load_packaged(store, [examples], GRAPH_EXAMPLES)
    load_into_store(store, data_files, GRAPH_DATA)
    return store


@dataclass(frozen=True)
class Service:
    """One ``SERVICE`` clause: its endpoint IRI (None for ``SERVICE ?var``), as written, and SILENT."""

    iri: str | None
    written: str
    silent: bool


@dataclass(frozen=True)
class ParsedQuery:
    """What ``query run`` needs to know before running anything: the form and the SERVICE calls."""

    form: str
    services: tuple[Service, ...]


_FORMS = {"SelectQuery": "select", "AskQuery": "ask", "ConstructQuery": "graph", "DescribeQuery": "graph"}
_SERVICE_SCHEMES = ("http", "https")
_PARSE_RECURSION_LIMIT = 20000


def parse_query(text: str, where: str) -> ParsedQuery:
    """Parse *text* with rdflib's SPARQL 1.1 grammar, never executing it (a SERVICE is not called).

    Updates are refused (exit 2) and syntax errors reported in one line with their line and column.
    """
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql.parser import parseQuery

    limit = sys.getrecursionlimit()
    try:
        # pyparsing spends ~40 Python frames per nested group: the default limit (1000) would
        # refuse 25 levels; 20000 allows some 500 (pyoxigraph itself crashes near 3000).
        sys.setrecursionlimit(max(limit, _PARSE_RECURSION_LIMIT))
        tree = parseQuery(text)
    except ParseBaseException as exc:
        if _is_update(text):
            raise CitydipError(
                f"{where}: is a SPARQL update (INSERT/DELETE/LOAD/CLEAR/DROP...); `citydip query run` is "
                "read-only: give a SELECT, ASK, CONSTRUCT or DESCRIBE query"
            ) from None
        found = f", found {exc.line[exc.col - 1 :][:20]!r}" if exc.line else ""
        raise CitydipError(
            f"{where}: not a valid SPARQL 1.1 query at line {exc.lineno}, column {exc.col} ({exc.msg}{found})"
        ) from None
    except RecursionError:
        raise CitydipError(
            f"{where}: the query is nested too deeply to read (over some 500 levels); simplify it"
        ) from None
    finally:
        sys.setrecursionlimit(limit)
    return ParsedQuery(_FORMS[tree[1].name], tuple(_services(tree, where)))


def _services(tree, where: str):
    """Every ``SERVICE`` in the parse tree (any depth: OPTIONAL, UNION, subqueries), IRIs resolved."""
    from rdflib.plugins.sparql.algebra import translatePrologue
    from rdflib.plugins.sparql.parserutils import CompValue

    prologue = translatePrologue(tree[0], None)
    pending = [tree[1]]
    while pending:  # an explicit stack: deep nesting cannot overflow Python's recursion limit
        node = pending.pop()
        if isinstance(node, CompValue):
            if node.name == "ServiceGraphPattern":
                yield _service(node, prologue, where)
            pending.extend(dict.values(node))
        elif isinstance(node, list) or type(node).__name__ == "ParseResults":
            pending.extend(node)


def _service(node, prologue, where: str) -> Service:
    from rdflib import Variable
    from rdflib.plugins.sparql.parserutils import CompValue

    term = dict.get(node, "term")
    silent = bool(dict.get(node, "silent"))
    if isinstance(term, Variable):
        return Service(None, f"?{term}", silent)
    written = f"{term['prefix'] or ''}:{term['localname'] or ''}" if isinstance(term, CompValue) else f"<{term}>"
    try:
        iri = str(prologue.absolutize(term))
    except Exception:  # noqa: BLE001 - rdflib raises a bare Exception for an unknown prefix
        raise CitydipError(f"{where}: SERVICE {written} uses an undeclared prefix; add a PREFIX line") from None
    return Service(iri, written, silent)


def refuse_services(parsed: ParsedQuery, where: str, allowed: bool) -> None:
    """SERVICE contacts other hosts: refused unless *allowed*; a variable or non-HTTP IRI always."""
    for service in parsed.services:
        if service.iri is None:
            raise CitydipError(
                f"{where}: SERVICE {service.written} would call addresses taken from the data; "
                "name the endpoint IRI instead (SERVICE <https://...>)"
            )
        if urlsplit(service.iri).scheme.lower() not in _SERVICE_SCHEMES:
            raise CitydipError(f"{where}: SERVICE <{redact(service.iri)}>: only http and https endpoints can be called")
    if parsed.services and not allowed:
        names = ", ".join(dict.fromkeys(f"<{redact(s.iri or '')}>" for s in parsed.services))  # all set: checked above
        raise CitydipError(
            f"{where}: calls SERVICE {names} (a remote SPARQL endpoint); nothing was run: "
            "give --allow-service to let the query contact it"
        )


def check_query(text: str, where: str, allow_service: bool = False) -> str:
    """Parse *text* (never run it); refuse updates, SERVICE unless allowed, syntax errors. Returns the form."""
    parsed = parse_query(text, where)
    refuse_services(parsed, where, allow_service)
    return parsed.form


def _one_line(message: str) -> str:
    """The first line of an error (a server may add its payload after it), printable, short, no password."""
    first = " ".join(message.splitlines()[0].split()) if message.strip() else "no reason given"
    return redact("".join(c if c.isprintable() else "?" for c in first))[:300]


def redact(text: str) -> str:
    """*text* with the user:password part of every URL in it replaced by ``***``."""
    return scrub_secrets(text, mask="***@")


def _is_update(text: str) -> bool:
    """True if *text* parses as a SPARQL 1.1 update (parsed only, never executed)."""
    from rdflib.plugins.sparql.parser import parseUpdate

    try:
        parseUpdate(text)
    except Exception:  # noqa: BLE001 - pyparsing's errors: not an update
        return False
    return True


def run(
    store: pyoxigraph.Store,
    text: str,
    bound: dict[str, object],
    where: str = "query",
    services: tuple[Service, ...] = (),
    timeout: float = 60.0,
) -> Answer:
    """Run a (checked) query with typed bindings over the union of the store's graphs.

    A query that calls *services* gets *timeout* seconds at most: pyoxigraph 0.5 has no HTTP
    timeout of its own, and a SERVICE that never answers would otherwise hold the store, and
    its lock, for ever.
    """
    full = with_values(text, bound)

    def answer() -> Answer:
        return from_pyoxigraph(store.query(full, use_default_graph_as_union=True))

    called = ", ".join(dict.fromkeys(f"<{redact(s.iri or s.written)}>" for s in services))
    try:
        return _within(timeout, answer, f"{where}: SERVICE {called}") if services else answer()
    except SyntaxError as exc:
        raise CitydipError(f"{where}: not a valid SPARQL 1.1 query ({' '.join(str(exc).split())})") from None
    except OSError as exc:
        reason = _one_line(str(exc) or exc.__class__.__name__)
        if services:
            raise CitydipError(
                f"{where}: SERVICE {called} failed ({reason}); check the endpoint, or write SERVICE SILENT "
                "to answer without it"
            ) from None
        raise CitydipError(f"cannot read the store ({reason})") from None


def _within(seconds: float, compute, calling: str):
    """compute() in a daemon thread, awaited *seconds* at most (pyoxigraph releases the GIL meanwhile).

    On time-out the thread is left behind: the command then ends with exit 2, and the process
    exit closes its sockets and releases the store's lock.
    """
    outcome: dict[str, object] = {}

    def work() -> None:
        try:
            outcome["answer"] = compute()
        except BaseException as exc:  # noqa: BLE001 - handed to the waiting thread
            # Without its traceback: the frames hold pyoxigraph results, which must be freed
            # on this thread (pyo3 aborts when they are dropped on another).
            outcome["error"] = exc.with_traceback(None)

    worker = threading.Thread(target=work, name="citydip-query", daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise CitydipError(
            f"{calling}: no answer within {seconds:g} s (--timeout); gave up waiting: check the endpoint "
            "or raise --timeout"
        )
    error = outcome.pop("error", None)
    if isinstance(error, BaseException):
        try:
            raise error
        finally:
            error = None  # no cycle through this frame: it holds the store until collected
    return outcome["answer"]
