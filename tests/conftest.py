"""Shared fixtures: every test gets its own embedded store, never the user's."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO.parent / "shared" / "data"


@pytest.fixture(autouse=True)
def _isolated_store(tmp_path_factory, monkeypatch):
    """Point CITYDIP_STORE at a fresh folder for each test."""
    store = tmp_path_factory.mktemp("store")
    monkeypatch.setenv("CITYDIP_STORE", str(store / "kg"))
    yield


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The third-party data folder ../shared/data (read only, never copied)."""
    if not SHARED_DATA.is_dir():
        pytest.fail(f"{SHARED_DATA} is missing: the tests read the shared twinning data from there")
    return SHARED_DATA


@pytest.fixture(scope="session")
def ontology_and_examples():
    """The packaged ontology and the article's examples in one rdflib graph (read-only in tests)."""
    from citydiplomacy.core.ontology import load_examples, load_ontology

    return load_ontology() + load_examples()


def java_available() -> bool:
    return shutil.which("java") is not None or bool(os.environ.get("JAVA_HOME"))
