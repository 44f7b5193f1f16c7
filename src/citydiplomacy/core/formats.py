"""The RDF formats citydip reads and writes, each written down once.

Every ``--format`` / ``--input-format`` choice, every reader (rdflib or pyoxigraph) and every
writer looks a format up here, so ``ttl`` means Turtle everywhere and a new format is one
entry. A format's *name* is what the commands print and what ``citydip export`` has always
accepted; its *aliases* are the other spellings users type.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from citydiplomacy.core.errors import CitydipError


@dataclass(frozen=True)
class RdfFormat:
    """One RDF serialisation: how users name it, how files end, and what each library calls it."""

    name: str
    aliases: tuple[str, ...]
    extensions: tuple[str, ...]  # the first is the one citydip writes
    media_type: str
    rdflib: str  # rdflib's parser and serializer name
    oxigraph: str  # the attribute of pyoxigraph.RdfFormat
    quads: bool  # holds named graphs (a dataset), not only triples
    exported: bool  # ``citydip export`` writes it (with its own deterministic writer)

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    @property
    def extension(self) -> str:
        return self.extensions[0]

    @property
    def oxigraph_format(self):
        """pyoxigraph's RdfFormat (imported here, so the registry itself costs no import)."""
        import pyoxigraph

        return getattr(pyoxigraph.RdfFormat, self.oxigraph)


FORMATS: tuple[RdfFormat, ...] = (
    RdfFormat("turtle", ("ttl",), (".ttl", ".turtle"), "text/turtle", "turtle", "TURTLE", False, True),
    RdfFormat(
        "ntriples", ("nt", "n-triples"), (".nt", ".ntriples"), "application/n-triples", "nt", "N_TRIPLES", False, True
    ),
    RdfFormat("jsonld", ("json-ld",), (".jsonld", ".json"), "application/ld+json", "json-ld", "JSON_LD", False, True),
    RdfFormat(
        "rdfxml",
        ("xml", "rdf", "owl", "rdf-xml"),
        (".rdf", ".owl", ".xml"),
        "application/rdf+xml",
        "xml",
        "RDF_XML",
        False,
        True,
    ),
    RdfFormat("nquads", ("nq", "n-quads"), (".nq", ".nquads"), "application/n-quads", "nquads", "N_QUADS", True, True),
    RdfFormat("trig", (), (".trig",), "application/trig", "trig", "TRIG", True, False),
    RdfFormat("n3", (), (".n3",), "text/n3", "n3", "N3", False, False),
)

_BY_NAME = {name: fmt for fmt in FORMATS for name in fmt.names}
_BY_SUFFIX = {ext: fmt for fmt in FORMATS for ext in fmt.extensions}
EXPORTED = tuple(fmt for fmt in FORMATS if fmt.exported)
TURTLE = _BY_NAME["turtle"]
NTRIPLES = _BY_NAME["ntriples"]
NQUADS = _BY_NAME["nquads"]


def choices(formats: tuple[RdfFormat, ...] = FORMATS) -> list[str]:
    """Every name and alias of *formats*, sorted: a command's ``--format`` choice list."""
    return sorted(name for fmt in formats for name in fmt.names)


def find(name: str) -> RdfFormat | None:
    """The format a user named (a name or an alias, any case; rdflib's names are aliases), or None."""
    return _BY_NAME.get(name.strip().lower())


def named(name: str, formats: tuple[RdfFormat, ...] = FORMATS, what: str = "RDF format") -> RdfFormat:
    """The format called *name* among *formats*; an unknown name is the user's mistake (exit 2)."""
    fmt = find(name)
    if fmt is None or fmt not in formats:
        raise CitydipError(f"unknown {what} {name!r}; use one of: {', '.join(choices(formats))}")
    return fmt


def by_suffix(path: str | Path) -> RdfFormat | None:
    """The format a file name's extension stands for, or None."""
    return _BY_SUFFIX.get(Path(str(path)).suffix.lower())


def suffixes() -> list[str]:
    """Every extension a format is recognised by, for messages."""
    return sorted(_BY_SUFFIX)
