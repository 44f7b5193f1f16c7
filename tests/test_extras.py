"""Heavy parts are extras: without them the core works and the commands that need them say so."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
BLOCK = "import sys\nfor name in {names!r}:\n    sys.modules[name] = None\nfrom citydiplomacy.cli import main\nsys.argv = ['citydip', *{args!r}]\nmain()\n"


def citydip_without(names: list[str], *args: str) -> subprocess.CompletedProcess:
    """Run citydip in a process where *names* cannot be imported, as in a core-only install."""
    code = BLOCK.format(names=names, args=list(args))
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(
    "blocked, args, extra",
    [
        (["networkx", "scipy", "matplotlib"], ["analyze", "network"], "analysis"),
        (["pylode", "jinja2"], ["docs", "--out", "x"], "docs"),
    ],
)
def test_a_command_whose_extra_is_missing_says_what_to_install(blocked, args, extra, tmp_path):
    result = citydip_without(blocked, "--store", str(tmp_path / "kg"), *args)
    assert result.returncode == 2, result.stderr
    assert f"pip install 'citydiplomacy[{extra}]'" in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_the_core_commands_need_no_extra(tmp_path):
    heavy = ["networkx", "scipy", "matplotlib", "pylode", "jinja2"]
    listing = citydip_without(heavy, "--help")
    assert listing.returncode == 0 and "analyze" in listing.stdout and "citydiplomacy[analysis]" in listing.stdout
    question = citydip_without(heavy, "--store", str(tmp_path / "kg"), "query", "run", "most-twinned-cities", "--format", "csv")
    assert question.returncode == 0, question.stderr


def test_core_dependencies_hold_no_heavy_package():
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    core = " ".join(project["dependencies"]).lower()
    assert not any(name in core for name in ("networkx", "scipy", "matplotlib", "pylode"))
    assert set(project["optional-dependencies"]) >= {"analysis", "docs", "all", "test"}


def test_constraints_pin_every_dependency():
    """The constraints file the tests install from pins every package the project names."""
    import re

    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pinned = {}
    for line in (REPO / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, version = line.split("==")
            pinned[re.sub(r"[-_.]+", "-", name).lower()] = version
    names = [*project["dependencies"], *(d for deps in project["optional-dependencies"].values() for d in deps)]
    for requirement in names:
        name = re.split(r"[<>=\[ ]", requirement, maxsplit=1)[0]
        if name != "citydiplomacy":
            assert re.sub(r"[-_.]+", "-", name).lower() in pinned, f"{name} is not pinned in constraints.txt"
