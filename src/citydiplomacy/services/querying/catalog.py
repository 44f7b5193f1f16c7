"""The competency questions shipped in ``queries/*.rq`` and the header that describes each.

A question file starts with comment lines ``# key: value`` (title, question, question-fa,
scope, param, needs); the first line that is not a comment ends the header. Parsing it here keeps
``query list``/``show``, the parameter binder and the explanation of empty answers reading the
same facts.

A ``# needs: PATTERN`` line names data the question cannot answer without (a SPARQL group
pattern with the project's prefixes, checked by ASK only when the answer is empty), followed by
``# needs-en:`` and ``# needs-fa:`` (what that data is, for a person) and optionally
``# needs-count: PATTERN`` with ``# needs-count-en:``/``-fa:`` (what the store holds instead,
``{count}`` standing for the number of the pattern's first variable).

A ``# cites: NAME`` line names third-party data the answer may show whose licence asks to be cited
(``climactor``; see core.citations): ``query run`` ends with its citation when the store holds it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from citydiplomacy.core import resources
from citydiplomacy.core.citations import DATASETS
from citydiplomacy.core.errors import CitydipError

PARAM_TYPES = ("string", "label", "integer", "decimal", "boolean", "date", "gYear", "iri")
SCOPES = ("article", "data")
_HEADER_LINE = re.compile(r"^#\s*([A-Za-z][\w-]*)\s*:\s*(.*?)\s*$")
_PARAM_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass
class Param:
    """One ``# param: NAME TYPE DEFAULT`` line; *default* None means the value is required."""

    name: str
    type: str
    default: str | None = None


@dataclass
class Need:
    """Data a question needs: *pattern* (ASKed), what to say when it is missing, and what to count."""

    pattern: str
    text_en: str = ""
    text_fa: str = ""
    count_pattern: str = ""
    count_en: str = ""
    count_fa: str = ""

    def text(self, lang: str) -> str:
        """What is needed, in *lang*, else in English (the header may lack a Persian one)."""
        return (self.text_fa if lang == "fa" else "") or self.text_en or f"data matching {{ {self.pattern} }}"

    def count_text(self, lang: str) -> str:
        """What the store holds instead (with ``{count}``), in *lang*, else in English; may be empty."""
        return (self.count_fa if lang == "fa" else "") or self.count_en


@dataclass
class Question:
    """A SPARQL query with its header (for ``--text`` queries the header is empty)."""

    name: str
    text: str
    path: Path | None = None
    title: str = ""
    question: str = ""
    question_fa: str = ""
    scope: str = "article"
    params: list[Param] = field(default_factory=list)
    needs: list[Need] = field(default_factory=list)
    cites: list[str] = field(default_factory=list)

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)


def parse_question(text: str, name: str, path: Path | None = None) -> Question:
    """Read the header of a question; a malformed ``param`` or ``needs`` line is an error naming the line."""
    q = Question(name=name, text=text, path=path)
    where = str(path) if path else name
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("#"):
            break
        match = _HEADER_LINE.match(stripped)
        if match:
            _read_field(q, match.group(1).lower(), match.group(2), f"{where}:{number}")
    return q


_TEXT_FIELDS = {"title": "title", "question": "question", "question-fa": "question_fa"}
_NEED_FIELDS = {
    "needs-en": "text_en",
    "needs-fa": "text_fa",
    "needs-count": "count_pattern",
    "needs-count-en": "count_en",
    "needs-count-fa": "count_fa",
}


def _read_field(q: Question, key: str, value: str, at: str) -> None:
    """One ``# key: value`` header line into *q*; *at* is FILE:LINE for messages."""
    if key in _TEXT_FIELDS:
        setattr(q, _TEXT_FIELDS[key], value)
    elif key == "scope":
        if value not in SCOPES:
            raise CitydipError(f"{at}: scope must be one of {', '.join(SCOPES)}, not {value!r}")
        q.scope = value
    elif key == "param":
        q.params.append(_param(value, at))
    elif key == "needs":
        if not value:
            raise CitydipError(f"{at}: write '# needs: PATTERN' (a SPARQL triple pattern such as ?a cdo:startDate ?d)")
        q.needs.append(Need(value))
    elif key == "cites":
        if value not in DATASETS:
            raise CitydipError(f"{at}: '# cites:' names one of {', '.join(DATASETS)}, not {value!r}")
        q.cites.append(value)
    elif key in _NEED_FIELDS:
        if not q.needs:
            raise CitydipError(f"{at}: '# {key}:' describes a '# needs:' line; put it after one")
        setattr(q.needs[-1], _NEED_FIELDS[key], value)


def _param(value: str, at: str) -> Param:
    parts = value.split(None, 2)
    if len(parts) < 2 or not _PARAM_NAME.match(parts[0]) or parts[1] not in PARAM_TYPES:
        raise CitydipError(
            f"{at}: write '# param: NAME TYPE [DEFAULT]' with TYPE one of {', '.join(PARAM_TYPES)}; got {value!r}"
        )
    return Param(parts[0], parts[1], parts[2] if len(parts) == 3 else None)


def bundled_paths() -> list[Path]:
    """The shipped question files, sorted by name."""
    return sorted(resources.queries_dir().glob("*.rq"))


def bundled() -> list[Question]:
    """All shipped questions, parsed."""
    return [load_file(path, name=path.stem) for path in bundled_paths()]


def load_file(path: Path, name: str | None = None) -> Question:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CitydipError(f"{path}: no such file; check the path") from None
    except UnicodeDecodeError:
        raise CitydipError(f"{path}: not UTF-8; re-save the query as UTF-8") from None
    except OSError as exc:
        raise CitydipError(f"{path}: cannot read ({exc.strerror})") from None
    return parse_question(text, name or path.stem, path)


def resolve(name_or_file: str) -> Question:
    """A bundled question by name (``partners-of-city``) or any ``.rq`` file by path."""
    candidate = Path(name_or_file)
    if candidate.is_file():
        return load_file(candidate)
    bundled_file = resources.queries_dir() / f"{name_or_file}.rq"
    if bundled_file.is_file():
        return load_file(bundled_file, name=name_or_file)
    if name_or_file.endswith(".rq"):
        raise CitydipError(f"{name_or_file}: no such file; check the path")
    names = [p.stem for p in bundled_paths()]
    close = [n for n in names if name_or_file.lower() in n]
    hint = f" (did you mean {', '.join(close[:3])}?)" if close else ""
    raise CitydipError(
        f"no question named {name_or_file!r}{hint}; `citydip query list` shows the names, or give a .rq file"
    )
