"""ruff and mypy are clean on src/ (the [tool.ruff] and [tool.mypy] settings of pyproject.toml).

Both run as subprocesses from the repository root, as a contributor would run them, so the
test checks the configuration too. ALLOWED lists files other slices were editing when this
test was written; their findings pass until the lead empties it after merging them.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Files still being edited on other branches: their findings are tolerated here, nobody else's.
# Empty this after the merge; the test then requires both tools to exit 0.
ALLOWED: set[str] = set()  # every file of src/ is clean

_RUFF_FINDING = re.compile(r"^(?P<path>[^\s:]+\.py):\d+:\d+: [A-Z]+\d+ ")
_MYPY_FINDING = re.compile(r"^(?P<path>[^\s:]+\.py):\d+: error: ")


def _tool(module: str, *args: str) -> subprocess.CompletedProcess:
    if importlib.util.find_spec(module) is None:
        pytest.fail(f"{module} is not installed: it is in the test extra (pip install -c constraints.txt -e '.[test]')")
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )


def _findings(output: str, pattern: re.Pattern) -> list[str]:
    return [line for line in output.splitlines() if pattern.match(line)]


def _not_allowed(findings: list[str], pattern: re.Pattern) -> list[str]:
    return [line for line in findings if Path(pattern.match(line)["path"]).as_posix() not in ALLOWED]


def test_ruff_is_clean_on_src():
    run = _tool("ruff", "check", "src", "--output-format", "concise", "--no-cache")
    findings = _findings(run.stdout, _RUFF_FINDING)
    if run.returncode != 0 and not findings:
        pytest.fail(f"ruff failed without findings:\n{run.stdout}\n{run.stderr}")
    assert _not_allowed(findings, _RUFF_FINDING) == []


def test_mypy_is_clean_on_src(tmp_path):
    run = _tool("mypy", "--cache-dir", str(tmp_path / "mypy-cache"))
    findings = _findings(run.stdout, _MYPY_FINDING)
    if run.returncode != 0 and not findings:
        pytest.fail(f"mypy failed without findings:\n{run.stdout}\n{run.stderr}")
    assert _not_allowed(findings, _MYPY_FINDING) == []


def test_the_finding_patterns_read_both_tools():
    """A change of output format must not make every finding invisible (and the test vacuous)."""
    assert _RUFF_FINDING.match("src/citydiplomacy/core/store.py:135:7: N818 Exception name `X` should be named")
    assert _MYPY_FINDING.match('src/citydiplomacy/graph.py:67: error: Incompatible types in assignment  [assignment]')


def test_ruff_format_leaves_src_unchanged():
    """One formatting: `ruff format src` (line length 120) is a no-op on the committed sources."""
    run = _tool("ruff", "format", "--check", "--no-cache", "src")
    assert run.returncode == 0, run.stdout + run.stderr


def test_no_function_over_sixty_lines():
    """Small functions (issue 11): a function that does five jobs is split into a chain of steps."""
    import ast

    long = []
    for path in sorted((ROOT / "src").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                if length > 60:
                    long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({length} lines)")
    assert long == []
