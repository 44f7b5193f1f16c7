"""Where the packaged artefacts (ontology/, shapes/, queries/) live.

In a wheel they are inside the package (hatch force-include); in a source checkout or
an editable install they are the top-level folders of the repository.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent.parent  # the package folder, above core/


@cache
def artefact_dir(name: str) -> Path:
    """Return the folder ``ontology``, ``shapes`` or ``queries``."""
    inside = _PACKAGE_DIR / name
    if inside.is_dir():
        return inside
    checkout = _PACKAGE_DIR.parent.parent / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"packaged folder {name!r} not found next to {_PACKAGE_DIR}")


def ontology_dir() -> Path:
    return artefact_dir("ontology")


def shapes_dir() -> Path:
    return artefact_dir("shapes")


def queries_dir() -> Path:
    return artefact_dir("queries")


def core_ontology_files() -> list[Path]:
    """The ontology proper: the header file and the modules it imports, sorted."""
    base = ontology_dir()
    return [base / "citydiplomacy.ttl", *sorted((base / "modules").glob("*.ttl"))]


def extension_files() -> list[Path]:
    """Extension ontologies (``extensions/*.ttl``): each imports the core, the core imports none of them."""
    return sorted((ontology_dir() / "extensions").glob("*.ttl"))


def ontology_files() -> list[Path]:
    """What the store loads as its ontology graph: the core and its extensions.

    The extensions ride along because commands use them (``analyze`` writes the analysis
    extension's terms, and validation and queries read them back).
    """
    return [*core_ontology_files(), *extension_files()]


def examples_file() -> Path:
    """The article's named examples (BRIEF section 7), an ontology of individuals."""
    return ontology_dir() / "examples.ttl"


@cache
def jsonld_context() -> dict:
    """The ``@context`` object of the packaged ``ontology/context.jsonld``: what export compacts
    with, and what the reader substitutes when a file names the project's context IRI."""
    import json

    from citydiplomacy.core.errors import EXIT_INTERNAL, CitydipError

    path = ontology_dir() / "context.jsonld"
    try:
        return json.loads(path.read_text(encoding="utf-8"))["@context"]
    except (OSError, ValueError, KeyError) as exc:
        raise CitydipError(f"{path}: cannot read the JSON-LD context ({exc})", EXIT_INTERNAL) from None


def package_data_file(name: str) -> Path:
    """A table the package ships under ``citydiplomacy/data/`` (such as the ClimActor initiative mapping)."""
    return _PACKAGE_DIR / "data" / name
