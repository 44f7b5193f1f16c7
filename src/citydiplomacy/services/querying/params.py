"""Binding ``--param name=value`` as typed RDF terms, never as query text.

Each value is parsed by its declared type into a pyoxigraph term and sent, to the embedded
store and to a remote endpoint alike, as a ``VALUES`` block at the start of the query's
WHERE group. The terms are written by pyoxigraph's N-Triples serializer and checked to read
back (through a real SPARQL parser) as the very same terms, so no value can end its literal
early; the insertion point is found with pygments' SPARQL lexer, not by text search.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re

import pyoxigraph
from pygments.lexers import SparqlLexer
from pygments.token import Comment

from citydiplomacy.core.errors import CitydipError
from citydiplomacy.core.namespaces import PREFIXES
from citydiplomacy.core.store import select
from citydiplomacy.services.querying.catalog import PARAM_TYPES, Question

XSD = "http://www.w3.org/2001/XMLSchema#"
LABEL_LANGUAGES = ("en", "fa")  # the languages of the project's labels
_GYEAR = re.compile(r"^-?\d{4,}(Z|[+-]\d{2}:\d{2})?$")
_PREFIXED = re.compile(r"^([A-Za-z][\w.-]*)?:([^\s<>\"{}|^`\\]*)$")


def _typed(value: str, datatype: str) -> pyoxigraph.Literal:
    return pyoxigraph.Literal(value, datatype=pyoxigraph.NamedNode(XSD + datatype))


def to_term(name: str, type_: str, value: str):
    """Parse *value* as a *type_* term; a value that does not fit is an error naming the parameter."""

    def bad(kind: str, example: str) -> CitydipError:
        # Each hint said once: "not an integer; give one such as 2010", not the phrase twice.
        return CitydipError(f"--param {name}={value!r}: not {kind}; give {example}")

    if type_ == "string":
        return pyoxigraph.Literal(value)
    if type_ == "label":
        return label_terms(value)
    if type_ == "integer":
        try:
            return _typed(str(int(value.strip())), "integer")
        except ValueError:
            raise bad("an integer", "one such as 2010") from None
    if type_ == "decimal":
        if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", value.strip()):
            raise bad("a decimal number", "one such as 2.5")
        return _typed(value.strip(), "decimal")
    if type_ == "boolean":
        lowered = value.strip().lower()
        if lowered not in ("true", "false", "1", "0"):
            raise bad("a boolean", "true or false")
        return _typed("true" if lowered in ("true", "1") else "false", "boolean")
    if type_ == "date":
        try:
            return _typed(dt.date.fromisoformat(value.strip()).isoformat(), "date")
        except ValueError:
            raise bad("a date", "one as YYYY-MM-DD, such as 2010-05-31") from None
    if type_ == "gYear":
        if not _GYEAR.match(value.strip()):
            raise bad("a year", "one as YYYY, such as 2010")
        return _typed(value.strip(), "gYear")
    if type_ == "iri":
        return to_iri(name, value)
    raise CitydipError(f"parameter {name}: unknown type {type_!r}; use one of {', '.join(PARAM_TYPES)}")


def label_terms(value: str) -> list[pyoxigraph.Literal]:
    """A name as every literal an rdfs:label may hold for it: plain, @en or @fa, as typed or in Title Case.

    A question then matches ``?x rdfs:label ?name`` through the index (a FILTER on
    LCASE(STR(?label)) would scan every label once per row: minutes on imported data).
    """
    texts = [value.strip()] + ([value.strip().title()] if value.strip().title() != value.strip() else [])
    terms = []
    for text in texts:
        terms.append(pyoxigraph.Literal(text))
        terms.extend(pyoxigraph.Literal(text, language=lang) for lang in LABEL_LANGUAGES)
    return terms


def to_iri(name: str, value: str, option: str | None = None) -> pyoxigraph.NamedNode:
    """An absolute IRI, or a prefixed name with one of the project's prefixes (cdr:Tehran)."""
    text = value.strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1]
    match = _PREFIXED.match(text)
    if match and (match.group(1) or "") in PREFIXES:
        text = PREFIXES[match.group(1) or ""] + match.group(2)
    try:
        node = pyoxigraph.NamedNode(text)
    except ValueError:
        node = None
    if node is None or ":" not in text:
        known = ", ".join(sorted(PREFIXES))
        where = f"{option} {value!r}" if option else f"--param {name}={value!r}"
        raise CitydipError(
            f"{where}: not an IRI; give an absolute IRI (https://...) or a prefixed name with one of: {known}"
        )
    return node


def parse_assignments(pairs: tuple[str, ...] | list[str]) -> dict[str, str]:
    """``name=value`` strings from the command line, as a dict (last one wins)."""
    values: dict[str, str] = {}
    for pair in pairs:
        if "=" not in pair:
            raise CitydipError(f"--param {pair!r}: write --param NAME=VALUE")
        key, value = pair.split("=", 1)
        key = key.strip().lstrip("?$")
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
            raise CitydipError(f"--param {pair!r}: {key!r} is not a SPARQL variable name")
        values[key] = value
    return values


def bind(question: Question, assignments: dict[str, str]) -> dict[str, object]:
    """Terms for every declared parameter (given or default) plus undeclared ones as strings."""
    bound: dict[str, object] = {}
    for param in question.params:
        if param.name in assignments:
            bound[param.name] = to_term(param.name, param.type, assignments[param.name])
        elif param.default is not None:
            bound[param.name] = to_term(param.name, param.type, param.default)
        else:
            raise CitydipError(
                f"question {question.name!r} needs --param {param.name}=VALUE ({param.type}); "
                f"`citydip query show {question.name}` describes it"
            )
    for key, value in assignments.items():
        if question.param(key) is None:
            if question.params:
                names = ", ".join(p.name for p in question.params)
                raise CitydipError(f"--param {key}: question {question.name!r} takes only: {names}")
            # A query without a header: bind plain strings, or IRIs written as <...>.
            bound[key] = to_iri(key, value) if value.startswith("<") else pyoxigraph.Literal(value)
    return bound


def values_block(bound: dict[str, object]) -> str:
    """``VALUES (?a ?b) { (t1 t2) ... }`` with each term serialized and verified to read back unchanged.

    A parameter bound to a list of terms (a label) gives one row per term.
    """
    names = list(bound)
    choices = [value if isinstance(value, list) else [value] for value in bound.values()]
    rows = list(itertools.product(*choices))
    block = "VALUES ({}) {{ {} }}".format(
        " ".join("?" + n for n in names),
        " ".join("({})".format(" ".join(str(term) for term in row)) for row in rows),
    )
    check = [
        tuple(solution[n] for n in names) for solution in select(pyoxigraph.Store(), f"SELECT * WHERE {{ {block} }}")
    ]
    if check != rows:
        raise CitydipError("a --param value cannot be written safely into the query; simplify the value")
    return block


def _significant_tokens(text: str):
    """(offset, token type, value) for every token of *text* that is not space or comment."""
    for offset, ttype, value in SparqlLexer().get_tokens_unprocessed(text):
        if value.strip() and ttype not in Comment:
            yield offset, ttype, value


def where_brace(text: str) -> int:
    """Offset just after the ``{`` that opens the query's outermost WHERE group.

    Found with pygments' SPARQL lexer (so braces inside strings, IRIs and comments are not
    counted): the first top-level group introduced by WHERE, or, when WHERE is omitted, the
    first top-level group of a SELECT, ASK or DESCRIBE query.
    """
    depth = 0
    form = None
    previous = ""
    fallback = None
    for offset, _ttype, value in _significant_tokens(text):
        word = value.upper()
        if form is None and word in ("SELECT", "ASK", "DESCRIBE", "CONSTRUCT"):
            form = word
        if value == "{":
            if depth == 0 and previous == "WHERE":
                return offset + 1
            if depth == 0 and fallback is None and form in ("SELECT", "ASK", "DESCRIBE"):
                fallback = offset + 1
            depth += 1
        elif value == "}":
            depth -= 1
        previous = word
    if fallback is not None:
        return fallback
    raise CitydipError("cannot find the WHERE clause to bind --param values into; write the query as ... WHERE { ... }")


def with_values(text: str, bound: dict[str, object]) -> str:
    """The query text with the bindings as a VALUES block at the start of its WHERE group."""
    if not bound:
        return text
    at = where_brace(text)
    return text[:at] + " " + values_block(bound) + " " + text[at:]
