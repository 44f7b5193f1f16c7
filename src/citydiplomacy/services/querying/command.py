"""``citydip query``: list, show and run the competency questions (or any SPARQL query).

Exit codes: 0 answered (an ASK that answers false is still 0; read its output), 2 bad input,
an update, or an unreachable/failing endpoint, 3 internal error.
"""

from __future__ import annotations

import json

import click

from citydiplomacy.core.errors import CitydipError
from citydiplomacy.core.http import parse_size
from citydiplomacy.core.output import print_table
from citydiplomacy.services.querying import catalog, local, params, remote, results


class ByteSize(click.ParamType):
    """A size in bytes written as 512M, 1G or plain bytes (parsed by citydiplomacy.core.http.parse_size)."""

    name = "SIZE"

    def convert(self, value, param, ctx):
        if isinstance(value, int):
            return value
        try:
            return parse_size(value)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


BYTE_SIZE = ByteSize()


@click.group()
def query() -> None:
    """Ask the knowledge graph the article's competency questions, or any SPARQL query."""


@query.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def list_(fmt: str) -> None:
    """List the bundled questions: name, scope (article or data) and title."""
    questions = catalog.bundled()
    if fmt == "json":
        items = [
            {
                "name": q.name,
                "scope": q.scope,
                "title": q.title,
                "question": q.question,
                "question_fa": q.question_fa,
                "params": [{"name": p.name, "type": p.type, "default": p.default} for p in q.params],
            }
            for q in questions
        ]
        click.echo(json.dumps(items, indent=2, ensure_ascii=False))
        return
    print_table(["name", "scope", "title"], [(q.name, q.scope, q.title) for q in questions], title="competency questions")


@query.command("show")
@click.argument("name")
def show(name: str) -> None:
    """Show a question's header, parameters and SPARQL text."""
    q = catalog.resolve(name)
    rows = [("name", q.name), ("title", q.title), ("question", q.question), ("question (fa)", q.question_fa), ("scope", q.scope)]
    rows += [(f"param {p.name}", f"{p.type}, default {p.default!r}" if p.default is not None else f"{p.type}, required") for p in q.params]
    if q.path:
        rows.append(("file", str(q.path)))
    print_table(["field", "value"], rows)
    click.echo(q.text.rstrip("\n"))


@query.command("run")
@click.argument("name", required=False)
@click.option("--text", "text", help="A SPARQL query given inline instead of NAME or FILE.rq.")
@click.option("--param", "-p", "param_pairs", multiple=True, metavar="NAME=VALUE", help="Bind a parameter (repeatable); typed by the question's header.")
@click.option("--data", "data_files", multiple=True, type=click.Path(dir_okay=False), help="Query these RDF files (with the ontology and examples) instead of the embedded store (repeatable).")
@click.option("--endpoint", help="Run on this SPARQL 1.1 endpoint instead of locally.")
@click.option("--default-graph", "default_graphs", multiple=True, metavar="IRI", help="With --endpoint: query this graph as the default graph (repeatable).")
@click.option("--format", "fmt", type=click.Choice(results.FORMATS), help="Output format (default: table, or turtle for CONSTRUCT/DESCRIBE).")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the answer to this file (atomically) instead of stdout.")
@click.option("--timeout", type=click.FloatRange(min=1), default=60.0, show_default=True, help="Seconds allowed for the endpoint's whole answer (a deadline per request, not per read), or, locally, for a query's SERVICE calls.")
@click.option("--retries", type=click.IntRange(0, 10), default=3, show_default=True, help="Retries when the endpoint answers 429 or 503 (Retry-After honoured up to 30 s).")
@click.option("--max-response-size", "max_bytes", type=BYTE_SIZE, default="512M", show_default=True, help="With --endpoint: largest answer accepted (bytes, or e.g. 10M, 1G).")
@click.option("--user", envvar="CITYDIP_USER", help="User name for the endpoint (or $CITYDIP_USER).")
@click.option("--password", envvar="CITYDIP_PASSWORD", help="Password for the endpoint (or $CITYDIP_PASSWORD); never printed.")
@click.option("--auth", type=click.Choice(["basic", "digest"]), default="basic", show_default=True, help="HTTP authentication scheme with --user.")
@click.option("--allow-service", is_flag=True, help="Let the query call the SERVICE endpoints it names (refused by default).")
def run(name, text, param_pairs, data_files, endpoint, default_graphs, fmt, output, timeout, retries, max_bytes, user, password, auth, allow_service) -> None:
    """Run a question by NAME, a FILE.rq, or --text QUERY; print its answer.

    SELECT and ASK print a table (or csv, tsv, json); CONSTRUCT and DESCRIBE print RDF.
    Updates are refused: this command only reads. A query with SERVICE (a call to another
    endpoint) runs only with --allow-service, here and on --endpoint alike; locally its SERVICE
    calls then get --timeout seconds.
    """
    if (name is None) == (text is None):
        raise CitydipError("give a question NAME (see `citydip query list`), a FILE.rq, or --text QUERY, and only one")
    if endpoint and data_files:
        raise CitydipError("--data queries local files and --endpoint a server; give one of them")
    if default_graphs and not endpoint:
        raise CitydipError("--default-graph applies to --endpoint; locally the default graph is the union of all graphs")
    for graph in default_graphs:
        params.to_iri("graph", graph, option="--default-graph")  # an absolute IRI, or a one-line error
    question = catalog.parse_question(text, "--text") if text is not None else catalog.resolve(name)
    where = str(question.path) if question.path else question.name
    parsed = local.parse_query(question.text, where)  # parsed only: nothing runs before the checks
    local.refuse_services(parsed, where, allowed=allow_service)
    form = parsed.form
    bound = params.bind(question, params.parse_assignments(param_pairs))
    if fmt is not None:
        if form == "graph" and fmt not in results.GRAPH_FORMATS:
            raise CitydipError(f"{where}: gives RDF (CONSTRUCT/DESCRIBE); use --format turtle or ntriples")
        if form != "graph" and fmt in results.GRAPH_FORMATS:
            raise CitydipError(f"{where}: gives a table (SELECT/ASK); use --format table, csv, tsv or json")
    if endpoint:
        answer = remote.run(
            endpoint, question.text, form, bound, timeout=timeout, user=user, password=password,
            auth=auth, default_graphs=default_graphs, retries=retries, max_bytes=max_bytes,
        )
    else:
        answer = _run_locally(data_files, question.text, bound, where, parsed, timeout)
    results.emit(answer, fmt, title=question.title or None, output=output)


def _run_locally(data_files, text: str, bound: dict, where: str, parsed: local.ParsedQuery, timeout: float):
    """Open the store here, not in ``run``: the parser's reference cycles keep ``run``'s frame
    alive until the next garbage collection, and a store held there would keep its lock."""
    if data_files:
        store = local.bundled_store(data_files)
    else:
        from citydiplomacy.cli import store_from_context

        store = store_from_context(read_only=True)
    return local.run(store, text, bound, where=where, services=parsed.services, timeout=timeout)
