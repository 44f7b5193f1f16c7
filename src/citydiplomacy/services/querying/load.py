"""Pushing the knowledge graph to a SPARQL server's Graph Store (what ``citydip load`` runs).

What is pushed: the embedded store's graphs (the ontology, the article's examples and any
imported data) and the RDF files given. It goes through the SPARQL 1.1 Graph Store HTTP
Protocol in N-Triples chunks; a chunk never splits the triples that share a blank node
(an OWL restriction, a list), because each request gets its own blank nodes on the server.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import cast

import pyoxigraph

from citydiplomacy.core import formats
from citydiplomacy.core.errors import CitydipError
from citydiplomacy.core.http import DEFAULT_MAX_RESPONSE, HttpClient, check_url, redact
from citydiplomacy.core.namespaces import GRAPH_DATA
from citydiplomacy.core.output import no_progress
from citydiplomacy.core.rdfio import load_into_store
from citydiplomacy.core.store import graph_names

N_TRIPLES = formats.NTRIPLES.media_type


def blank_node_groups(triples: list[pyoxigraph.Triple]) -> list[list[pyoxigraph.Triple]]:
    """Triples grouped so that all those mentioning connected blank nodes are together."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    keys = []
    for t in triples:
        blanks = [n.value for n in (t.subject, t.object) if isinstance(n, pyoxigraph.BlankNode)]
        for b in blanks[1:]:
            parent[find(blanks[0])] = find(b)
        keys.append(blanks[0] if blanks else None)
    groups: dict[str, list] = defaultdict(list)
    singles = []
    for t, key in zip(triples, keys, strict=True):
        if key is None:
            singles.append([t])
        else:
            groups[find(key)].append(t)
    return singles + list(groups.values())


def chunks(triples: list[pyoxigraph.Triple], size: int) -> list[list[pyoxigraph.Triple]]:
    """At most about *size* triples per chunk (a blank-node group larger than that stays whole)."""
    out: list[list] = []
    current: list = []
    for group in blank_node_groups(triples):
        if current and len(current) + len(group) > size:
            out.append(current)
            current = []
        current.extend(group)
    if current:
        out.append(current)
    return out


class GraphStore:
    """A Graph Store endpoint under the HTTP policy; an upload that is redirected fails."""

    def __init__(
        self,
        url: str,
        user=None,
        password=None,
        auth="auto",
        timeout=60.0,
        retries=3,
        max_bytes=DEFAULT_MAX_RESPONSE,
        option="--endpoint",
    ):
        self.client = HttpClient(
            url,
            option=option,
            timeout=timeout,
            retries=retries,
            max_bytes=max_bytes,
            user=user,
            password=password,
            auth=auth,
        )
        self.where = self.client.where

    def send(self, method: str, graph: str, body: bytes) -> None:
        fetched = self.client.fetch(
            method,
            params={"graph": graph},
            data=body,
            headers={"Content-Type": f"{N_TRIPLES}; charset=utf-8"},
            upload=True,
        )
        if fetched.status == 401:
            hint = (
                "check --user/--password (or CITYDIP_USER/CITYDIP_PASSWORD)"
                if self.client.user
                else "give --user and --password"
            )
            raise CitydipError(f"{self.where}: HTTP 401 unauthorized; {hint}")
        if fetched.status >= 300:
            body_line = fetched.first_line()[:200]
            tries = f" after {fetched.tries} tries" if fetched.tries > 1 else ""
            raise CitydipError(
                f"{self.where}: HTTP {fetched.status} {fetched.reason}{tries} for graph <{graph}>"
                f"{': ' + body_line if body_line else ''}; is this the server's Graph Store endpoint (--graph-store)?"
            )


def collect(store, files: tuple[str, ...], graph: str | None) -> dict[str, list[pyoxigraph.Triple]]:
    """Target graph IRI -> triples: the embedded graphs (kept apart unless *graph*) and the files."""
    targets: dict[str, list] = defaultdict(list)
    for name in graph_names(store):
        triples = [q.triple for q in store.quads_for_pattern(None, None, None, pyoxigraph.NamedNode(name))]
        targets[graph or name].extend(triples)
    if files:
        extra = pyoxigraph.Store()
        load_into_store(extra, files, GRAPH_DATA)
        targets[graph or GRAPH_DATA].extend(q.triple for q in extra)
    # Graphs merged into one target (--graph) may share triples (a term declared in the ontology and
    # the examples): send each once, so "sent" is what the server will hold.
    return {target: list(dict.fromkeys(triples)) for target, triples in targets.items()}


@dataclass
class LoadResult:
    """What :func:`load_to_server` sent: triples per target graph, and what the server then holds."""

    url: str  # the Graph Store URL, credentials redacted
    sent: dict[str, int]  # target graph IRI -> triples sent
    requests: int
    held: dict[str, int] = field(default_factory=dict)  # graph IRI -> triples counted on the server

    @property
    def triples(self) -> int:
        return sum(self.sent.values())


def check_target(endpoint: str, graph_store: str | None = None, graph: str | None = None) -> str:
    """The URL uploads go to (*graph_store*, or else *endpoint*), every argument checked first."""
    target_url = check_url(graph_store or endpoint, "--graph-store" if graph_store else "--endpoint")
    if graph_store and graph_store != endpoint:
        check_url(endpoint)
    if graph is not None:
        try:
            pyoxigraph.NamedNode(graph)
        except ValueError:
            raise CitydipError(
                f"--graph {graph!r}: not an IRI; give an absolute IRI such as https://example.org/graph"
            ) from None
    return target_url


def load_to_server(
    store: pyoxigraph.Store,
    endpoint: str,
    files: Sequence[str] = (),
    *,
    graph_store: str | None = None,
    graph: str | None = None,
    replace: bool = False,
    user: str | None = None,
    password: str | None = None,
    auth: str = "auto",
    chunk_size: int = 5000,
    timeout: float = 60.0,
    retries: int = 3,
    max_bytes: int = DEFAULT_MAX_RESPONSE,
    progress=no_progress,
) -> LoadResult:
    """Push *store*'s graphs and *files* to a server's Graph Store (the SPARQL 1.1 Graph Store Protocol).

    *graph_store* is the Graph Store URL when *endpoint* is the SPARQL endpoint (then the server
    is asked afterwards how many triples each graph holds); *graph* puts everything into one
    graph; *replace* replaces each graph (PUT) instead of adding to it (POST).
    """
    target_url = check_target(endpoint, graph_store, graph)
    targets = collect(store, tuple(files), graph)
    client = GraphStore(
        target_url, user, password, auth, timeout, retries, max_bytes, "--graph-store" if graph_store else "--endpoint"
    )
    plan = [(iri, chunk) for iri, triples in targets.items() for chunk in (chunks(triples, chunk_size) or [[]])]
    started: set[str] = set()
    with progress("loading", total=sum(len(c) for _, c in plan)) as advance:
        for iri, chunk in plan:
            method = "PUT" if replace and iri not in started else "POST"
            if not chunk and method == "POST":
                continue
            started.add(iri)
            body = cast(
                bytes, pyoxigraph.serialize(chunk, format=formats.NTRIPLES.oxigraph_format)
            )  # bytes without an output
            client.send(method, iri, body)
            advance(len(chunk))
    result = LoadResult(redact(target_url), {iri: len(triples) for iri, triples in targets.items()}, len(plan))
    if graph_store and graph_store != endpoint:
        # endpoint is then the SPARQL endpoint: ask it what each graph now holds.
        result.held = {iri: server_count(endpoint, iri, user, password, timeout, retries, max_bytes) for iri in targets}
    return result


def server_count(
    endpoint: str, graph: str, user, password, timeout: float, retries: int = 3, max_bytes: int = DEFAULT_MAX_RESPONSE
) -> int:
    """Number of triples in *graph* on the SPARQL *endpoint* (the graph bound as a typed term)."""
    from citydiplomacy.services.querying import remote

    answer = remote.run(
        endpoint,
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
        "select",
        {"g": pyoxigraph.NamedNode(graph)},
        timeout=timeout,
        user=user,
        password=password,
        retries=retries,
        max_bytes=max_bytes,
    )
    try:
        count = answer.rows[0]["n"]
        if not isinstance(count, pyoxigraph.Literal):
            raise ValueError(count)
        return int(count.value)
    except (IndexError, KeyError, ValueError):
        raise CitydipError(f"{redact(endpoint)}: did not answer the triple count of <{graph}>") from None
