"""The "use it from Python" page's script runs as written (docs/python.md)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PAGE = REPO / "docs" / "python.md"

pytestmark = pytest.mark.shared_data


def first_python_block(text: str) -> str:
    return re.search(r"```python\n(.*?)```", text, re.S).group(1)


def test_the_documented_script_runs_as_written(shared_data, tmp_path):
    script = first_python_block(PAGE.read_text(encoding="utf-8"))
    assert len(script.strip().splitlines()) <= 12, "the worked example stays about ten lines"
    # Run from the repository root (the page says so), with the store in a temporary folder.
    script = script.replace('KnowledgeGraph("my-store")', f'KnowledgeGraph({str(tmp_path / "kg")!r})')
    result = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("conforms: ")
    rows = [line.rsplit(" ", 1) for line in lines[1:]]
    assert rows and all(int(count) >= 60 for _name, count in rows), result.stdout


def test_the_services_listed_on_the_page_import(tmp_path):
    block = re.findall(r"```python\n(.*?)```", PAGE.read_text(encoding="utf-8"), re.S)[1]
    result = subprocess.run([sys.executable, "-c", block], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def test_knowledge_graph_query_binds_keywords_as_typed_terms(tmp_path):
    from citydiplomacy.graph import KnowledgeGraph

    with KnowledgeGraph(tmp_path / "kg") as kg:
        answer = kg.query("partners-of-city", city='Tehran" } ; DROP ALL ; #')
        assert answer.rows == []
        assert kg.query("most-twinned-cities", {"min": 1}).form == "select"
    with KnowledgeGraph(tmp_path / "kg", read_only=True) as reader:
        assert b"cdo:" in reader.export("ontology", "turtle") or len(reader.export("ontology", "turtle")) > 1000
