"""The manual builds: `mkdocs build --strict` passes, and its CLI reference covers every command."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_mkdocs_build_strict_passes_and_the_cli_reference_lists_every_command(tmp_path):
    from citydiplomacy.cli import COMMANDS

    site = tmp_path / "site"
    # This checkout's package first, so mkdocs-click documents the commands of this tree.
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"), NO_MKDOCS_2_WARNING="1")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(REPO / "mkdocs.yml"), "-d", str(site)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    reference = (site / "cli" / "index.html").read_text(encoding="utf-8")
    documented = set(re.findall(r'id="citydip-([a-z]+)"', reference))
    assert set(COMMANDS) <= documented, f"missing from the CLI reference: {sorted(set(COMMANDS) - documented)}"


def test_the_readme_is_short_and_keeps_its_two_commands_first():
    text = (REPO / "README.md").read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 200, "the README stays short; the manual is in docs/"
    blocks = re.findall(r"^```sh\n(.*?)^```", text, re.S | re.M)
    assert "citydip import" in blocks[0] and "citydip query run" in blocks[0]
    # .ci/run runs the first line of the second ```sh block: the test command.
    assert "python -m pytest" in blocks[1].splitlines()[0]


def test_every_page_is_in_the_navigation():
    config = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    pages = sorted(path.name for path in (REPO / "docs").glob("*.md"))
    assert pages and all(f": {name}" in config for name in pages), "a page missing from nav is hard to find"
