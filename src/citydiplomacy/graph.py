"""One object for scripts: the embedded knowledge graph with import, validate, query and export.

As py-brickschema's ``Graph`` does for Brick, :class:`KnowledgeGraph` puts the services behind
one object, so a researcher's script reads like the command line: open the store, import a
file, validate, ask a question, read the rows. It adds no logic of its own: each method calls
the service that the matching ``citydip`` command calls, so both always agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from citydiplomacy.core.store import open_store


class KnowledgeGraph:
    """The embedded store at *path* (default: ``$CITYDIP_STORE`` or the user data folder).

    Created on first use with the ontology and the article's examples. *read_only* shares the
    store with other readers (another script, ``citydip query run``) but refuses imports.
    Use it as a context manager, or call :meth:`close`, to release the store's lock.
    """

    def __init__(self, path: str | Path | None = None, *, read_only: bool = False):
        self.path = path
        self.read_only = read_only
        self.store = open_store(path, read_only=read_only)

    def import_files(self, paths: Iterable[str | Path], fmt: str | None = None):
        """Import the Wikidata P190 files (format detected from the content) and any ClimActor file; see ``citydip import``."""
        from citydiplomacy.services.importing.api import import_files

        return import_files(self.store, [str(p) for p in paths], fmt)

    def import_spreadsheet(self, path: str | Path, columns, calendar: str = "auto", delimiter: str | None = None):
        """Import a researcher's CSV of twinnings, reconciled against the graph; see ``citydip import csv``."""
        from citydiplomacy.services.importing.api import import_spreadsheet

        return import_spreadsheet(self.store, Path(path), columns, calendar=calendar, delimiter=delimiter)

    def import_climactor(self, path: str | Path):
        """Import ClimActor's memberships of cities and regions in city networks; see ``citydip import climactor``."""
        from citydiplomacy.services.importing.api import import_climactor, read_climactor

        return import_climactor(self.store, read_climactor(path))

    def validate(self, engine: str = "auto", inference: str = "rdfs"):
        """SHACL validation of the store's instance data: a Report with ``conforms``, ``counts``, ``results``."""
        from citydiplomacy.services.validation import validate_store

        return validate_store(self.store, engine=engine, inference=inference)

    def query(self, question: str, params: Mapping[str, object] | None = None, **named: object):
        """Answer a bundled question by name, a ``.rq`` file, or SPARQL text: an Answer with ``rows``.

        Parameters go as a mapping or as keywords (``kg.query("partners-of-city", city="Isfahan")``)
        and are bound as typed RDF terms, never pasted into the text.
        """
        from citydiplomacy.services.querying import ask

        given = {name: str(value) for name, value in {**(params or {}), **named}.items()}
        return ask(self.store, question, given or None)

    def export(self, what: str = "data", fmt: str = "turtle") -> bytes:
        """The ontology, the data or all of it, serialised deterministically; see ``citydip export``."""
        from citydiplomacy.services.export import export_bytes

        return export_bytes(what, fmt, self.store).data

    def close(self) -> None:
        """Release the store (and its lock) now rather than when the object is collected."""
        self.store = None  # type: ignore[assignment]  # released: the object is not used after close

    def __enter__(self) -> KnowledgeGraph:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()
