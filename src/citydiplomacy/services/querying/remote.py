"""Running a question on a SPARQL 1.1 endpoint: SPARQLWrapper builds the request, our HTTP policy sends it.

Parameters travel as a VALUES block of verified terms (see params.with_values). Retries,
the deadline, the size cap, redirects and credentials are the policy's (citydiplomacy.core.http);
every failure ends as one line naming the endpoint (without any credentials), exit 2.
"""

from __future__ import annotations

import json
from typing import cast

import pyoxigraph
from SPARQLWrapper import ASK, CONSTRUCT, JSON, POST, SELECT, TURTLE, URLENCODED, SPARQLWrapper

from citydiplomacy.core import formats
from citydiplomacy.core.errors import CitydipError
from citydiplomacy.core.http import DEFAULT_MAX_RESPONSE, RETRY_STATUSES, USER_AGENT, Fetched, HttpClient, printable
from citydiplomacy.services.querying.params import with_values
from citydiplomacy.services.querying.results import Answer

XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"


class EndpointStatusError(Exception):
    """The endpoint answered with an HTTP error status."""

    def __init__(self, fetched: Fetched):
        super().__init__(f"HTTP {fetched.status}")
        self.fetched = fetched


class PolicySPARQLWrapper(SPARQLWrapper):
    """SPARQLWrapper whose prepared request is sent through our HttpClient instead of urllib.

    ``query().response`` is then a complete :class:`Fetched` (status below 300); any other
    status raises :class:`EndpointStatusError`. Credentials are the client's, not SPARQLWrapper's
    (its digest support installs a process-wide urllib opener).
    """

    def __init__(self, client: HttpClient):
        super().__init__(client.url, agent=USER_AGENT)
        self.client = client

    def _query(self) -> tuple[Fetched, str]:  # type: ignore[override]  # our Fetched stands in for urllib's response
        request = self._createRequest()
        # urllib spells header names "User-agent"; send the usual "User-Agent".
        headers = {name.title(): value for name, value in request.header_items()}
        fetched = self.client.fetch(
            request.get_method(),
            request.full_url,
            data=request.data,
            headers=headers,
        )
        if fetched.status >= 300:
            raise EndpointStatusError(fetched)
        return fetched, self.returnFormat


def _first_line(text) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    for line in str(text).splitlines():
        if line.strip():
            return " ".join(line.split())[:300]
    return ""


def _decode_json_results(raw: bytes) -> Answer:
    """SPARQL JSON results, tolerant of old 'typed-literal' and of server-specific blank node ids."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        # A server that gives up while streaming (Oxigraph's --timeout-s) says why at the end.
        tail = printable(raw[-120:].decode("utf-8", errors="replace"))
        raise CitydipError(
            f"the endpoint sent results that are not JSON ({exc.__class__.__name__}); they end with: {tail!r}"
        ) from None
    if "boolean" in data:
        return Answer("ask", boolean=bool(data["boolean"]))
    variables = list(data.get("head", {}).get("vars", []))
    blanks: dict[str, pyoxigraph.BlankNode] = {}

    def term(b: dict):
        kind = b.get("type")
        value = b.get("value", "")
        if kind == "uri":
            return pyoxigraph.NamedNode(value)
        if kind == "bnode":
            return blanks.setdefault(value, pyoxigraph.BlankNode())
        if kind in ("literal", "typed-literal"):
            if b.get("xml:lang"):
                return pyoxigraph.Literal(value, language=b["xml:lang"])
            if b.get("datatype"):
                if b["datatype"] == XSD_BOOLEAN and value in ("0", "1"):
                    value = "true" if value == "1" else "false"  # Virtuoso writes booleans as 1/0
                return pyoxigraph.Literal(value, datatype=pyoxigraph.NamedNode(b["datatype"]))
            return pyoxigraph.Literal(value)
        raise ValueError(f"unknown term type {kind!r}")

    try:
        rows = [{k: term(v) for k, v in binding.items()} for binding in data.get("results", {}).get("bindings", [])]
    except (ValueError, TypeError, AttributeError) as exc:
        raise CitydipError(f"the endpoint sent malformed JSON results ({exc})") from None
    return Answer("select", variables=variables, rows=rows)


def _decode_rdf(raw: bytes, content_type: str) -> Answer:
    media = (content_type or formats.TURTLE.media_type).split(";")[0].strip()
    rdf_format = pyoxigraph.RdfFormat.from_media_type(media) or formats.TURTLE.oxigraph_format
    try:
        triples = [q.triple for q in pyoxigraph.parse(raw, format=rdf_format)]
    except (SyntaxError, ValueError) as exc:
        raise CitydipError(f"the endpoint sent RDF that does not parse as {media} ({_first_line(exc)})") from None
    return Answer("graph", triples=triples)


def run(
    endpoint: str,
    text: str,
    form: str,
    bound: dict[str, object],
    *,
    timeout: float = 60.0,
    user: str | None = None,
    password: str | None = None,
    auth: str = "basic",
    default_graphs: tuple[str, ...] | list[str] = (),
    retries: int = 3,
    max_bytes: int = DEFAULT_MAX_RESPONSE,
) -> Answer:
    """Send the query (with its VALUES-bound parameters) and decode the answer."""
    client = HttpClient(
        endpoint, timeout=timeout, retries=retries, max_bytes=max_bytes, user=user, password=password, auth=auth
    )
    wrapper = PolicySPARQLWrapper(client)
    wrapper.setQuery(with_values(text, bound))
    # Our parser already knows the form; SPARQLWrapper's regex can be misled by a comment
    # such as "# question: ... does the article describe" into asking for DESCRIBE results.
    wrapper.queryType = {"select": SELECT, "ask": ASK}.get(form, CONSTRUCT)
    wrapper.setMethod(POST)
    wrapper.setRequestMethod(URLENCODED)
    wrapper.setOnlyConneg(True)
    wrapper.setReturnFormat(TURTLE if form == "graph" else JSON)
    for graph in default_graphs:
        wrapper.addDefaultGraph(graph)
    try:
        response = cast(Fetched, wrapper.query().response)  # what _query above returned
    except EndpointStatusError as exc:
        raise CitydipError(_status_message(client, exc.fetched)) from None
    return _decode(client.where, response.body, response.headers.get("Content-Type", ""), form)


def _status_message(client: HttpClient, fetched: Fetched) -> str:
    """One line for an HTTP error status, with the server's first line and what to do."""
    where, status, body = client.where, fetched.status, fetched.first_line()
    if status == 401:
        hint = (
            "check --user/--password (or CITYDIP_USER/CITYDIP_PASSWORD) and --auth"
            if client.user
            else "give --user and --password"
        )
        return f"{where}: HTTP 401 unauthorized; {hint}"
    if status == 400:
        return f"{where}: HTTP 400, the server rejected the query: {body or fetched.reason}"
    if status == 404:
        return f"{where}: HTTP 404, no SPARQL endpoint there; check the URL"
    if status == 414:
        return f"{where}: HTTP 414, the request is too long for the server"
    if status == 500:
        return f"{where}: HTTP 500, the server failed on the query: {body or fetched.reason}"
    busy = f" after {fetched.tries} tries" if status in RETRY_STATUSES else ""
    return f"{where}: HTTP {status} {fetched.reason}{busy}{': ' + body if body else ''}"


def _decode(where: str, raw: bytes, content_type: str, form: str) -> Answer:
    if form == "graph":
        return _decode_rdf(raw, content_type)
    if "xml" in content_type:
        try:
            result = pyoxigraph.parse_query_results(raw, format=pyoxigraph.QueryResultsFormat.XML)
        except (SyntaxError, ValueError) as exc:
            raise CitydipError(f"{where}: results do not parse as SPARQL XML ({_first_line(exc)})") from None
        from citydiplomacy.services.querying.results import from_pyoxigraph

        return from_pyoxigraph(result)
    answer = _decode_json_results(raw)
    if answer.form != form:
        raise CitydipError(f"{where}: sent a {answer.form} answer to a {form} query")
    return answer
