"""``citydip query``: list, show and run the competency questions (or any SPARQL query).

Exit codes: 0 answered (an ASK that answers false is still 0; read its output), 2 bad input,
an update, or an unreachable/failing endpoint, 3 internal error.
"""

from __future__ import annotations

import json
import sys

import click

from citydiplomacy.cli.messages import headers, tr
from citydiplomacy.cli.options import common_options, current_lang, http_limit_options, output_option
from citydiplomacy.core.citations import citations
from citydiplomacy.core.errors import CitydipError
from citydiplomacy.core.output import print_table
from citydiplomacy.services.querying import catalog, empties, local, params, results
from citydiplomacy.services.querying.answering import PreparedQuery, answer_locally, answer_remotely, prepare
from citydiplomacy.services.querying.results import Answer

# A question that declares this parameter gets the --lang value as its default (the language
# of the labels it fetches, as in twinnings-per-country-pair).
LANG_PARAM = "lang"


@click.group()
def query() -> None:
    """Ask the knowledge graph the article's competency questions, or any SPARQL query."""


@query.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@common_options
def list_(fmt: str) -> None:
    """List the bundled questions: name, scope (article or data), parameters and title."""
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
    rows = [(q.name, q.scope, "\n".join(_param_summary(p) for p in q.params), _title(q)) for q in questions]
    print_table(headers("name", "scope", "parameters", "title"), rows, title=tr("competency questions"))


def _param_summary(param: catalog.Param) -> str:
    """``city (label) = Tehran``, or ``p (integer, required)``: what -p NAME=VALUE takes."""
    if param.default is None:
        return f"{param.name} ({param.type}, required)"
    return f"{param.name} ({param.type}) = {param.default}"


def _title(question: catalog.Question) -> str:
    """The question's title, or with --lang fa its Persian question (the header has no Persian title)."""
    return (question.question_fa if current_lang() == "fa" else "") or question.title


@query.command("show")
@click.argument("name")
@common_options
def show(name: str) -> None:
    """Show a question's header, parameters and SPARQL text."""
    q = catalog.resolve(name)
    rows = [
        ("name", q.name),
        ("title", q.title),
        ("question", q.question),
        ("question (fa)", q.question_fa),
        ("scope", q.scope),
    ]
    rows += [
        (f"param {p.name}", f"{p.type}, default {p.default!r}" if p.default is not None else f"{p.type}, required")
        for p in q.params
    ]
    if q.path:
        rows.append(("file", str(q.path)))
    print_table(headers("field", "value"), rows)
    click.echo(q.text.rstrip("\n"))


@query.command("run")
@click.argument("name", required=False)
@click.option("--text", "text", help="A SPARQL query given inline instead of NAME or FILE.rq.")
@click.option(
    "--param",
    "-p",
    "param_pairs",
    multiple=True,
    metavar="NAME=VALUE",
    help="Bind a parameter (repeatable); typed by the question's header.",
)
@click.option(
    "--data",
    "data_files",
    multiple=True,
    type=click.Path(dir_okay=False),
    help="Query these RDF files (with the ontology and examples) instead of the embedded store (repeatable).",
)
@click.option("--endpoint", help="Run on this SPARQL 1.1 endpoint instead of locally.")
@click.option(
    "--default-graph",
    "default_graphs",
    multiple=True,
    metavar="IRI",
    help="With --endpoint: query this graph as the default graph (repeatable).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(results.FORMATS),
    help="Output format (default: table, or turtle for CONSTRUCT/DESCRIBE).",
)
@output_option("Write the answer to this file (atomically; its folder is created) instead of stdout.", old=())
@http_limit_options(
    timeout_help="Seconds allowed for the endpoint's whole answer (a deadline per request, not per read), "
    "or, locally, for a query's SERVICE calls.",
    size_help="With --endpoint: largest answer accepted (bytes, or e.g. 10M, 1G).",
)
@click.option("--user", envvar="CITYDIP_USER", help="User name for the endpoint (or $CITYDIP_USER).")
@click.option(
    "--password", envvar="CITYDIP_PASSWORD", help="Password for the endpoint (or $CITYDIP_PASSWORD); never printed."
)
@click.option(
    "--auth",
    type=click.Choice(["basic", "digest"]),
    default="basic",
    show_default=True,
    help="HTTP authentication scheme with --user.",
)
@click.option(
    "--allow-service", is_flag=True, help="Let the query call the SERVICE endpoints it names (refused by default)."
)
@common_options
def run(
    name,
    text,
    param_pairs,
    data_files,
    endpoint,
    default_graphs,
    fmt,
    output,
    timeout,
    retries,
    max_bytes,
    user,
    password,
    auth,
    allow_service,
) -> None:
    """Run a question by NAME, a FILE.rq, or --text QUERY; print its answer.

    SELECT and ASK print a table (or csv, tsv, json); CONSTRUCT and DESCRIBE print RDF.
    Updates are refused: this command only reads. A query with SERVICE (a call to another
    endpoint) runs only with --allow-service, here and on --endpoint alike; locally its SERVICE
    calls then get --timeout seconds.
    """
    _check_sources(name, text, endpoint, data_files, default_graphs)
    question = catalog.parse_question(text, "--text") if text is not None else catalog.resolve(name)
    prepared = prepare(question, _with_lang(question, param_pairs), allow_service=allow_service)
    _check_format(prepared, fmt)
    note: str | None = None
    cited: list[str] = []
    if endpoint:
        answer = answer_remotely(
            endpoint,
            prepared,
            default_graphs=default_graphs,
            timeout=timeout,
            retries=retries,
            max_bytes=max_bytes,
            user=user,
            password=password,
            auth=auth,
        )
    else:
        answer, note, cited = _answer_here(data_files, prepared, timeout)
    emit(answer, fmt, title=_title(question) or None, output=output, note=note)
    for line in cited:  # the closing line(s)
        click.echo(line, err=True)


def _with_lang(question: catalog.Question, param_pairs: tuple[str, ...]) -> list[str]:
    """The --param pairs, plus ``lang=<--lang>`` for a question that takes a language and was not given one."""
    pairs = list(param_pairs)
    given = params.parse_assignments(pairs)
    if question.param(LANG_PARAM) is not None and LANG_PARAM not in given and current_lang() != "en":
        pairs.append(f"{LANG_PARAM}={current_lang()}")
    return pairs


def _check_sources(name, text, endpoint, data_files, default_graphs) -> None:
    """One query, from one place: the usage errors, before anything is read."""
    if (name is None) == (text is None):
        raise CitydipError("give a question NAME (see `citydip query list`), a FILE.rq, or --text QUERY, and only one")
    if endpoint and data_files:
        raise CitydipError("--data queries local files and --endpoint a server; give one of them")
    if default_graphs and not endpoint:
        raise CitydipError(
            "--default-graph applies to --endpoint; locally the default graph is the union of all graphs"
        )
    for graph in default_graphs:
        params.to_iri("graph", graph, option="--default-graph")  # an absolute IRI, or a one-line error


def _check_format(prepared: PreparedQuery, fmt: str | None) -> None:
    """--format must suit the query's form: RDF for CONSTRUCT/DESCRIBE, a table for SELECT/ASK."""
    if fmt is None:
        return
    if prepared.form == "graph" and fmt not in results.GRAPH_FORMATS:
        raise CitydipError(f"{prepared.where}: gives RDF (CONSTRUCT/DESCRIBE); use --format turtle or ntriples")
    if prepared.form != "graph" and fmt in results.GRAPH_FORMATS:
        raise CitydipError(f"{prepared.where}: gives a table (SELECT/ASK); use --format table, csv, tsv or json")


def _answer_here(data_files, prepared: PreparedQuery, timeout: float) -> tuple[Answer, str | None, list[str]]:
    """The answer, for an empty one the line saying why, and for one that shows third-party data whose
    licence asks it (the question's ``# cites:``) the citations (all asked while the store is open).

    Open the store here, not in ``run``: the parser's reference cycles keep ``run``'s frame
    alive until the next garbage collection, and a store held there would keep its lock."""
    if data_files:
        store = local.bundled_store(data_files)
    else:
        from citydiplomacy.cli import store_from_context

        store = store_from_context(read_only=True)
    answer = answer_locally(store, prepared, timeout=timeout)
    empty = answer.form == "select" and not answer.rows
    cited = citations(store, prepared.question.cites) if not empty else []
    return answer, empties.empty_note(store, prepared, current_lang()) if empty else None, cited


def emit(
    answer: Answer, fmt: str | None, title: str | None = None, output: str | None = None, note: str | None = None
) -> None:
    """Print (or atomically write to *output*) the answer; *fmt* None picks table or turtle.

    *note*: why an empty answer is empty, for stderr (stdout keeps the format as it is).
    """
    if fmt is None:
        fmt = "turtle" if answer.form == "graph" else "table"
    if fmt == "table" and output is None:
        _print_table(answer, title, note)
        return
    if fmt == "table":
        raise CitydipError("--output writes a machine format; add --format csv, tsv, json, turtle or ntriples")
    if note:
        click.echo(note, err=True)
    data = results.serialize(answer, fmt)
    if output is not None:
        from citydiplomacy.core.rdfio import atomic_write

        atomic_write(output, data)
        return
    stream = sys.stdout.buffer
    stream.write(data)
    if data and not data.endswith(b"\n"):
        stream.write(b"\n")
    stream.flush()


def _print_table(answer: Answer, title: str | None, note: str | None = None) -> None:
    if answer.form == "graph":
        raise CitydipError("a CONSTRUCT or DESCRIBE query gives RDF; use --format turtle or ntriples")
    if answer.form == "ask":
        click.echo("true" if answer.boolean else "false")
        return
    lang = current_lang()
    rows = [[results.display(row.get(v), lang) for v in answer.variables] for row in answer.rows]
    print_table(answer.variables, rows, title=title)
    if not answer.rows:
        click.echo(note or empties.say("none", current_lang()), err=True)
