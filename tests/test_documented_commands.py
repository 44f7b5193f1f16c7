"""Every command shown in the docs runs as shown (README.md and docs/*.md).

Each ```sh block of a page is a shell session: its `citydip ...` (and `mkdir ...`) commands run in
order, per page, on a fresh store (CITYDIP_STORE in tmp_path), from a copy of the repository root
made of symbolic links (so `../shared/data` and `tests/data/...` resolve as in the docs, and the
files the commands write land in tmp_path, not in the checkout). A command exits 0 unless its
trailing comment says `exit N`. The ```text block after a ```sh block (the next fenced block) shows key
lines of the output; each must appear in what the block's commands printed (box-drawing characters and runs of
white space count as one space, `…` stands for anything). A block preceded by `<!-- not run ... -->`
is an illustration only (a remote server, the full-size runs): those are skipped, and kept few.
"""

from __future__ import annotations

import os
import re
import shlex
import stat
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
RUNNABLE = {"citydip", "mkdir"}
NOT_RUN = "<!-- not run"

pytestmark = pytest.mark.shared_data


@dataclass
class Block:
    """One ```sh block: where it starts, its commands and the output lines the page shows."""

    line: int
    commands: list[str] = field(default_factory=list)
    expected: list[str] = field(default_factory=list)
    not_run: bool = False


def fenced_blocks(text: str) -> list[tuple[int, str, list[str], str]]:
    """(first line number, info string, body lines, the last non-blank line before the fence)."""
    lines = text.splitlines()
    found, index, previous = [], 0, ""
    while index < len(lines):
        line = lines[index]
        if line.startswith("```"):
            info, body, start = line[3:].strip(), [], index + 1
            index += 1
            while index < len(lines) and not lines[index].startswith("```"):
                body.append(lines[index])
                index += 1
            found.append((start, info, body, previous))
            previous = "```"
        elif line.strip():
            previous = line.strip()
        index += 1
    return found


def shell_commands(body: list[str]) -> list[str]:
    """The commands of a block: continuation lines joined, `a && b` split, comment lines dropped."""
    joined, pending = [], ""
    for line in body:
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        joined.append(pending + line)
        pending = ""
    commands = []
    for line in joined:
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        commands.extend(part.strip() for part in line.split(" && "))
    return commands


def page_blocks(page: Path) -> list[Block]:
    """The ```sh blocks of a page, each with the ```text block that follows it (if any)."""
    fences = fenced_blocks(page.read_text(encoding="utf-8"))
    blocks: list[Block] = []
    for position, (start, info, body, before) in enumerate(fences):
        if info != "sh":
            continue
        block = Block(start, shell_commands(body), not_run=before.startswith(NOT_RUN))
        follower = fences[position + 1] if position + 1 < len(fences) else None
        if follower and follower[1] == "text":
            block.expected = [line for line in follower[2] if line.strip()]
        blocks.append(block)
    return blocks


def first_word(command: str) -> str:
    try:
        return shlex.split(command, comments=True)[0]
    except (ValueError, IndexError):
        return ""


def expected_exit(command: str) -> int:
    match = re.search(r"#.*\bexit (\d)\b", command)
    return int(match.group(1)) if match else 0


def normalise(text: str) -> str:
    """Box-drawing characters and white space runs become one space, so table cells compare as words."""
    return " ".join(re.sub(r"[\u2500-\u257f]", " ", text).split())


def shows(output: str, expected_line: str) -> bool:
    pieces = [re.escape(piece.strip()) for piece in normalise(expected_line).split("…")]
    return re.search(".*?".join(pieces), output) is not None


@pytest.fixture()
def workdir(tmp_path: Path) -> Path:
    """A view of the repository root whose writes land in tmp_path, with ../shared beside it."""
    root = tmp_path / "repo"
    root.mkdir()
    for entry in REPO.iterdir():
        if entry.name not in {".git", "site"}:
            (root / entry.name).symlink_to(entry)
    (tmp_path / "shared").symlink_to(REPO.parent / "shared")
    return root


@pytest.fixture()
def environment(tmp_path: Path) -> dict[str, str]:
    """`citydip` on PATH is this checkout's package; a fresh store; tables wide enough not to wrap."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    wrapper = bin_dir / "citydip"
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m citydiplomacy "$@"\n', encoding="utf-8")
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IEXEC)
    env = {key: value for key, value in os.environ.items() if key != "CITYDIP_DEBUG"}
    env.update(
        PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}",
        PYTHONPATH=str(REPO / "src"),
        CITYDIP_STORE=str(tmp_path / "store"),
        COLUMNS="200",
        PYTHONIOENCODING="utf-8",
    )
    return env


def test_the_pages_have_runnable_blocks_and_few_illustrations():
    blocks = {page.name: page_blocks(page) for page in PAGES}
    run = [block for page in blocks.values() for block in page if not block.not_run]
    skipped = [block for page in blocks.values() for block in page if block.not_run]
    assert len(run) >= 8, "the README tour and about one block per page run"
    assert len(skipped) <= 5, "illustrations that cannot run stay few"
    for name, page in blocks.items():
        for block in page:
            if block.not_run:
                continue
            for command in block.commands:
                if first_word(command) not in RUNNABLE:
                    assert "citydip " not in command, f"{name}:{block.line}: {command!r} would not run; make it runnable or mark the block"
            if any(first_word(command) in RUNNABLE for command in block.commands):
                assert block.expected, f"{name}:{block.line}: a ```text block after the commands shows a key line"


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_documented_commands_run_as_shown(page: Path, workdir: Path, environment: dict[str, str]):
    for block in page_blocks(page):
        if block.not_run:
            continue
        printed = []
        for command in block.commands:
            if first_word(command) not in RUNNABLE:
                continue  # pip install, python -m pytest, ...: the CI and the development page run those
            result = subprocess.run(
                ["bash", "-c", command], cwd=workdir, env=environment, capture_output=True, text=True, timeout=600
            )
            where = f"{page.name}:{block.line}: {command}"
            assert result.returncode == expected_exit(command), f"{where}\nexit {result.returncode}\n{result.stderr[-2000:]}"
            printed.append(result.stdout + "\n" + result.stderr)
        if not printed:
            continue  # nothing of this block runs here, so the text block after it is not its output
        output = normalise("\n".join(printed))
        for line in block.expected:
            assert shows(output, line), f"{page.name}:{block.line}: the output does not show {line!r}:\n{output[-3000:]}"
