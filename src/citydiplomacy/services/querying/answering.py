"""What ``citydip query run`` computes: a question, checked and bound, answered by a store or an endpoint.

:func:`ask` and :func:`ask_endpoint` are the one-call forms for scripts; the command uses
:func:`prepare` first, so that every check on the query runs before any store is opened or
any request sent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pyoxigraph

from citydiplomacy.core.http import DEFAULT_MAX_RESPONSE
from citydiplomacy.services.querying import catalog, local, params, remote
from citydiplomacy.services.querying.catalog import Question
from citydiplomacy.services.querying.results import Answer

_QUERY_KEYWORDS = ("select", "ask", "construct", "describe", "prefix", "base")


@dataclass
class PreparedQuery:
    """A question whose SPARQL parsed, whose SERVICE calls are allowed, and whose parameters are typed."""

    question: Question
    where: str  # how messages name it: its file, or its name
    parsed: local.ParsedQuery
    bound: dict[str, object]
    values: dict[str, str] = field(default_factory=dict)  # each parameter as written (or its default)

    @property
    def form(self) -> str:
        """'select', 'ask' or 'graph' (CONSTRUCT, DESCRIBE)."""
        return self.parsed.form


def question_of(text_or_question: str | Question) -> Question:
    """A :class:`Question` from itself, from SPARQL text, or from a bundled name or ``.rq`` file."""
    if isinstance(text_or_question, Question):
        return text_or_question
    words = text_or_question.split(None, 1)
    if "{" in text_or_question or (words and words[0].lower() in _QUERY_KEYWORDS):
        return catalog.parse_question(text_or_question, "query")
    return catalog.resolve(text_or_question)


def prepare(
    question: Question, params_given: Mapping[str, str] | Sequence[str] | None = None, *, allow_service: bool = False
) -> PreparedQuery:
    """Parse *question* (updates refused), refuse its SERVICE calls unless allowed, type its parameters.

    *params_given*: parameter name -> value as written (``{"city": "London"}``), or the
    command's ``NAME=VALUE`` strings; read after the query, so a bad query is reported first.
    """
    where = str(question.path) if question.path else question.name
    parsed = local.parse_query(question.text, where)  # parsed only: nothing runs before the checks
    local.refuse_services(parsed, where, allowed=allow_service)
    if params_given is None or isinstance(params_given, Mapping):
        assignments = dict(params_given or {})
    else:
        pairs = [params_given] if isinstance(params_given, str) else list(params_given)
        assignments = params.parse_assignments(pairs)
    bound = params.bind(question, assignments)
    written = {p.name: p.default for p in question.params if p.default is not None}
    return PreparedQuery(question, where, parsed, bound, {**written, **assignments})


def answer_locally(store: pyoxigraph.Store, prepared: PreparedQuery, *, timeout: float = 60.0) -> Answer:
    """Run *prepared* over the union of *store*'s graphs; its SERVICE calls get *timeout* seconds."""
    return local.run(
        store,
        prepared.question.text,
        prepared.bound,
        where=prepared.where,
        services=prepared.parsed.services,
        timeout=timeout,
    )


def answer_remotely(
    endpoint: str,
    prepared: PreparedQuery,
    *,
    default_graphs: Sequence[str] = (),
    timeout: float = 60.0,
    retries: int = 3,
    max_bytes: int = DEFAULT_MAX_RESPONSE,
    user: str | None = None,
    password: str | None = None,
    auth: str = "basic",
) -> Answer:
    """Send *prepared* to a SPARQL 1.1 *endpoint* under the HTTP policy (timeouts, retries, size cap)."""
    for graph in default_graphs:
        params.to_iri("graph", graph, option="--default-graph")  # an absolute IRI, or a one-line error
    return remote.run(
        endpoint,
        prepared.question.text,
        prepared.form,
        prepared.bound,
        timeout=timeout,
        user=user,
        password=password,
        auth=auth,
        default_graphs=tuple(default_graphs),
        retries=retries,
        max_bytes=max_bytes,
    )


def ask(
    store: pyoxigraph.Store,
    text_or_question: str | Question,
    params_given: Mapping[str, str] | None = None,
    *,
    allow_service: bool = False,
    timeout: float = 60.0,
) -> Answer:
    """Answer a question (a bundled name, a ``.rq`` file, SPARQL text or a :class:`Question`) from *store*.

    Example: ``ask(store, "partners-of-city", {"city": "Tehran"}).rows``.
    """
    prepared = prepare(question_of(text_or_question), params_given, allow_service=allow_service)
    return answer_locally(store, prepared, timeout=timeout)


def ask_endpoint(
    endpoint: str,
    text_or_question: str | Question,
    params_given: Mapping[str, str] | None = None,
    *,
    allow_service: bool = False,
    **http,
) -> Answer:
    """Like :func:`ask`, on a SPARQL endpoint; *http* as :func:`answer_remotely` takes them."""
    prepared = prepare(question_of(text_or_question), params_given, allow_service=allow_service)
    return answer_remotely(endpoint, prepared, **http)
