"""Why an answer is empty, in words a person can act on (issue 12: honest empties).

An empty table means one of three things: a parameter value that matches nothing in the graph,
data the store lacks (a question's ``# needs:`` header), or a true "none". Told apart only when
the answer is empty, with index look-ups and one ASK per need, so an answered question costs
nothing more. Every text is in :data:`MESSAGES`, in English and Persian.
"""

from __future__ import annotations

import re

import pyoxigraph

from citydiplomacy.core.errors import CitydipError
from citydiplomacy.core.namespaces import PREFIXES
from citydiplomacy.services.querying.catalog import Need
from citydiplomacy.services.querying.params import with_values

LANGUAGES = ("en", "fa")
MESSAGES: dict[str, dict[str, str]] = {
    "none": {"en": "(no answers)", "fa": "(پاسخی یافت نشد)"},
    "none for": {"en": "(no answers for {values})", "fa": "(پاسخی برای {values} یافت نشد)"},
    "none because": {"en": "(no answers: {reasons})", "fa": "(پاسخی یافت نشد: {reasons})"},
    "label unmatched": {
        "en": "no {name} labelled {value!r} in the graph; try another spelling or the English name",
        "fa": "در گراف چیزی با برچسب «{value}» (پارامتر {name}) نیست؛ نگارش دیگری یا نام انگلیسی را بیازمایید",
    },
    "iri unmatched": {
        "en": "{value} (--param {name}) does not occur in the graph; check the IRI "
        "(`citydip query show {question}` shows the default)",
        "fa": "{value} (پارامتر {name}) در گراف نیامده است؛ نشانی را بررسی کنید "
        "(`citydip query show {question}` مقدار پیش‌فرض را نشان می‌دهد)",
    },
    "needs": {"en": "this question needs {what}; {detail}", "fa": "این پرسش به {what} نیاز دارد؛ {detail}"},
    "store has none": {"en": "the store has none", "fa": "در مخزن هیچ‌کدام نیست"},
    "reasons joined": {"en": "; ", "fa": "؛ "},
}
_RDFS_LABEL = pyoxigraph.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
_VARIABLE = re.compile(r"[?$]([A-Za-z_][A-Za-z0-9_]*)")
_PERSIAN_DIGITS = str.maketrans("0123456789,", "۰۱۲۳۴۵۶۷۸۹٬")


def say(key: str, lang: str = "en", **fields) -> str:
    """The message *key* in *lang* (English where no Persian text exists), its fields filled in."""
    texts = MESSAGES[key]
    return (texts.get(lang) or texts["en"]).format(**fields)


def number(n: int, lang: str = "en") -> str:
    """19,297, or ۱۹٬۲۹۷ in Persian."""
    text = f"{n:,}"
    return text.translate(_PERSIAN_DIGITS) if lang == "fa" else text


def empty_note(store: pyoxigraph.Store, prepared, lang: str = "en") -> str:
    """The line to print instead of a bare "(no answers)": why the answer of *prepared* is empty."""
    reasons = why_empty(store, prepared, lang)
    if reasons:
        return say("none because", lang, reasons=say("reasons joined", lang).join(reasons))
    if prepared.values:
        shown = ", ".join(f"{name}={value!r}" for name, value in prepared.values.items())
        return say("none for", lang, values=shown)
    return say("none", lang)


def why_empty(store: pyoxigraph.Store, prepared, lang: str = "en") -> list[str]:
    """Reasons, for a person, that *prepared* (an :class:`~.answering.PreparedQuery`) found nothing.

    First the parameter values that match nothing (those explain everything); else the
    question's needs that the store does not meet. Empty when nothing is missing: a true "none".
    """
    unmatched = unmatched_values(store, prepared, lang)
    if unmatched:
        return unmatched
    question = prepared.question
    return [
        missing for need in question.needs if (missing := unmet_need(store, need, prepared.bound, question.name, lang))
    ]


def unmatched_values(store: pyoxigraph.Store, prepared, lang: str = "en") -> list[str]:
    """A line for each ``label`` parameter no resource carries and each ``iri`` the graph lacks."""
    lines = []
    for param in prepared.question.params:
        term = prepared.bound.get(param.name)
        value = prepared.values.get(param.name, "")
        if param.type == "label" and not any(_has(store, None, _RDFS_LABEL, t) for t in term or ()):
            lines.append(say("label unmatched", lang, name=param.name, value=value.strip()))
        elif param.type == "iri" and isinstance(term, pyoxigraph.NamedNode) and not _occurs(store, term):
            lines.append(
                say("iri unmatched", lang, name=param.name, value=value.strip(), question=prepared.question.name)
            )
    return lines


def _has(store: pyoxigraph.Store, s, p, o) -> bool:
    """One index look-up, in any graph."""
    return next(iter(store.quads_for_pattern(s, p, o, None)), None) is not None


def _occurs(store: pyoxigraph.Store, node: pyoxigraph.NamedNode) -> bool:
    return _has(store, node, None, None) or _has(store, None, None, node) or _has(store, None, node, None)


def unmet_need(store: pyoxigraph.Store, need: Need, bound: dict[str, object], where: str, lang: str = "en") -> str:
    """The sentence saying what *need* asks for and the store lacks; "" when the store has it."""
    if _ask(store, need.pattern, bound, where):
        return ""
    detail = ""
    if need.count_pattern and need.count_text(lang):
        count = _count(store, need.count_pattern, bound, where)
        if count:
            detail = need.count_text(lang).format(count=number(count, lang))
    return say("needs", lang, what=need.text(lang), detail=detail or say("store has none", lang))


def _prologue() -> str:
    return "".join(f"PREFIX {prefix}: <{iri}>\n" for prefix, iri in PREFIXES.items())


def _run(store: pyoxigraph.Store, query: str, pattern: str, bound: dict[str, object], where: str):
    """*query* with the parameters the pattern uses bound, over the union of the store's graphs."""
    used = set(_VARIABLE.findall(pattern))
    text = with_values(_prologue() + query, {k: v for k, v in bound.items() if k in used})
    try:
        return store.query(text, use_default_graph_as_union=True)
    except SyntaxError as exc:
        raise CitydipError(
            f"{where}: its '# needs:' pattern is not valid SPARQL ({' '.join(str(exc).split())})"
        ) from None


def _ask(store: pyoxigraph.Store, pattern: str, bound: dict[str, object], where: str) -> bool:
    return bool(_run(store, f"ASK WHERE {{ {pattern}\n}}", pattern, bound, where))


def _count(store: pyoxigraph.Store, pattern: str, bound: dict[str, object], where: str) -> int:
    """How many distinct values the first variable of *pattern* takes."""
    first = _VARIABLE.search(pattern)
    if first is None:
        return 0
    rows = _run(
        store, f"SELECT (COUNT(DISTINCT ?{first.group(1)}) AS ?n) WHERE {{ {pattern}\n}}", pattern, bound, where
    )
    return int(next(iter(rows))["n"].value)
