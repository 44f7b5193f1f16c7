"""Running a question on a SPARQL 1.1 endpoint through SPARQLWrapper.

Parameters travel as a VALUES block of verified terms (see params.with_values); busy
servers (429, 503) are retried with bounded backoff that honours Retry-After; every
failure ends as one line naming the endpoint (without any credentials), exit 2.
"""

from __future__ import annotations

import email.utils
import json
import socket
import time
import urllib.error
from urllib.parse import urlsplit, urlunsplit

import pyoxigraph
from SPARQLWrapper import ASK, BASIC, CONSTRUCT, DIGEST, JSON, POST, SELECT, TURTLE, URLENCODED, SPARQLWrapper
from SPARQLWrapper import SPARQLExceptions

from citydiplomacy import __version__
from citydiplomacy.errors import CitydipError
from citydiplomacy.querying.params import with_values
from citydiplomacy.querying.results import Answer

USER_AGENT = f"citydip/{__version__} (+https://w3id.org/citydiplomacy)"
RETRY_STATUSES = (429, 503)
XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
MAX_WAIT = 30.0  # seconds: the longest single wait, whatever Retry-After asks


def public_url(url: str) -> str:
    """*url* without any user:password@ part, for messages."""
    parts = urlsplit(url)
    if parts.username or parts.password:
        host = parts.hostname or ""
        if parts.port:
            host = f"{host}:{parts.port}"
        return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))
    return url


def check_url(url: str, option: str = "--endpoint") -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise CitydipError(f"{option} {public_url(url)!r}: not an http(s) URL; give for example http://localhost:8890/sparql")
    return url


def retry_wait(headers, attempt: int, max_wait: float = MAX_WAIT) -> float:
    """Seconds to wait before retry *attempt* (0-based): Retry-After if given, else 1, 2, 4...; capped."""
    value = (headers or {}).get("Retry-After") if headers is not None else None
    wait = None
    if value:
        value = value.strip()
        if value.isdigit():
            wait = float(value)
        else:
            try:
                when = email.utils.parsedate_to_datetime(value)
                wait = when.timestamp() - time.time()
            except (TypeError, ValueError):
                wait = None
    if wait is None:
        wait = float(2**attempt)
    return max(0.0, min(wait, max_wait))


def _first_line(text) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    for line in str(text).splitlines():
        if line.strip():
            return " ".join(line.split())[:300]
    return ""


def _reason(exc: BaseException) -> str:
    if isinstance(exc, urllib.error.URLError) and not isinstance(exc, urllib.error.HTTPError):
        exc = exc.reason if isinstance(exc.reason, BaseException) else exc
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused; is the server running and the port right?"
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return "timed out; raise --timeout or check the server"
    if isinstance(exc, socket.gaierror):
        return "unknown host; check the URL"
    return " ".join(str(exc).split()) or exc.__class__.__name__


def _decode_json_results(raw: bytes) -> Answer:
    """SPARQL JSON results, tolerant of old 'typed-literal' and of server-specific blank node ids."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CitydipError(f"the endpoint sent results that are not JSON ({exc.__class__.__name__})") from None
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
    media = (content_type or "text/turtle").split(";")[0].strip()
    rdf_format = pyoxigraph.RdfFormat.from_media_type(media) or pyoxigraph.RdfFormat.TURTLE
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
    sleep=time.sleep,
) -> Answer:
    """Send the query (with its VALUES-bound parameters) and decode the answer."""
    check_url(endpoint)
    where = public_url(endpoint)
    wrapper = SPARQLWrapper(endpoint, agent=USER_AGENT)
    wrapper.setQuery(with_values(text, bound))
    # Our parser already knows the form; SPARQLWrapper's regex can be misled by a comment
    # such as "# question: ... does the article describe" into asking for DESCRIBE results.
    wrapper.queryType = {"select": SELECT, "ask": ASK}.get(form, CONSTRUCT)
    wrapper.setMethod(POST)
    wrapper.setRequestMethod(URLENCODED)
    wrapper.setOnlyConneg(True)
    wrapper.setTimeout(int(max(1, round(timeout))))
    wrapper.setReturnFormat(TURTLE if form == "graph" else JSON)
    for graph in default_graphs:
        wrapper.addDefaultGraph(graph)
    if user:
        wrapper.setHTTPAuth(DIGEST if auth == "digest" else BASIC)
        wrapper.setCredentials(user, password or "")
    attempt = 0
    while True:
        try:
            response = wrapper.query().response
            raw = response.read()
            content_type = response.info().get("Content-Type", "")
            break
        except urllib.error.HTTPError as exc:
            if exc.code in RETRY_STATUSES and attempt < retries:
                sleep(retry_wait(exc.headers, attempt))
                attempt += 1
                continue
            body = _first_line(exc.read() if hasattr(exc, "read") else b"")
            busy = f" after {attempt + 1} tries" if exc.code in RETRY_STATUSES else ""
            raise CitydipError(f"{where}: HTTP {exc.code} {exc.reason}{busy}{': ' + body if body else ''}") from None
        except SPARQLExceptions.Unauthorized:
            hint = "check --user/--password (or CITYDIP_USER/CITYDIP_PASSWORD) and --auth" if user else "give --user and --password"
            raise CitydipError(f"{where}: HTTP 401 unauthorized; {hint}") from None
        except SPARQLExceptions.QueryBadFormed as exc:
            raise CitydipError(f"{where}: HTTP 400, the server rejected the query: {_server_message(exc)}") from None
        except SPARQLExceptions.EndPointNotFound:
            raise CitydipError(f"{where}: HTTP 404, no SPARQL endpoint there; check the URL") from None
        except SPARQLExceptions.URITooLong:
            raise CitydipError(f"{where}: HTTP 414, the request is too long for the server") from None
        except SPARQLExceptions.EndPointInternalError as exc:
            raise CitydipError(f"{where}: HTTP 500, the server failed on the query: {_server_message(exc)}") from None
        except SPARQLExceptions.SPARQLWrapperException as exc:
            raise CitydipError(f"{where}: {_server_message(exc)}") from None
        except (urllib.error.URLError, OSError) as exc:
            raise CitydipError(f"{where}: {_reason(exc)}") from None
    if form == "graph":
        return _decode_rdf(raw, content_type)
    if "xml" in content_type:
        try:
            result = pyoxigraph.parse_query_results(raw, format=pyoxigraph.QueryResultsFormat.XML)
        except (SyntaxError, ValueError) as exc:
            raise CitydipError(f"{where}: results do not parse as SPARQL XML ({_first_line(exc)})") from None
        from citydiplomacy.querying.results import from_pyoxigraph

        return from_pyoxigraph(result)
    answer = _decode_json_results(raw)
    if answer.form != form:
        raise CitydipError(f"{where}: sent a {answer.form} answer to a {form} query")
    return answer


def _server_message(exc: BaseException) -> str:
    text = str(exc)
    # SPARQLWrapper puts the server's response after "Response:"; keep its first line.
    if "Response:" in text:
        text = text.split("Response:", 1)[1]
        text = text.strip().lstrip("b'\"").strip()
    return _first_line(text.replace("\\n", "\n")) or exc.__class__.__name__
