"""The package's layers, read from its source with ``ast`` (issue 11).

``core/`` and ``services/`` know no CLI: only ``cli/`` imports click, nothing below ``cli/``
imports it, and no two modules import each other, directly or round a longer loop. Imports
inside functions count too: a late import is still a dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"
PACKAGE = SRC / "citydiplomacy"

# Modules another slice of issue 11 turns into a service plus a thin cli/ command; the lead
# empties this list once that slice is merged.
NOT_YET_CONVERTED: set[str] = set()  # every command now lives in cli/
# The ``python -m citydiplomacy`` entry point sits above the CLI: it may import it.
ENTRY_POINTS = {"citydiplomacy.__main__"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imported_names(name: str, path: Path) -> set[str]:
    """Every module *name* imports (``from a import b`` counts as ``a.b`` when b is a module)."""
    known = modules()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base)
    return found


def import_graph() -> dict[str, set[str]]:
    """Module -> the package's modules it imports."""
    known = modules()
    return {name: {m for m in imported_names(name, path) if m in known and m != name} for name, path in known.items()}


def outside_cli(name: str) -> bool:
    return not (name == "citydiplomacy.cli" or name.startswith("citydiplomacy.cli."))


def test_only_cli_imports_click():
    offenders = sorted(
        name
        for name, path in modules().items()
        if outside_cli(name) and name not in NOT_YET_CONVERTED
        and any(m == "click" or m.startswith("click.") for m in imported_names(name, path))
    )
    assert offenders == [], f"click imported outside cli/: {offenders}"


def test_nothing_below_cli_imports_it():
    offenders = sorted(
        name
        for name, targets in import_graph().items()
        if outside_cli(name) and name not in NOT_YET_CONVERTED | ENTRY_POINTS
        and any(not outside_cli(target) for target in targets)
    )
    assert offenders == [], f"modules below cli/ that import it: {offenders}"


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of *graph* (as a path that ends where it starts), or None."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return path[path.index(target):] + [target]
            if target not in state and (cycle := visit(target)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (cycle := visit(start)):
            return cycle
    return None


def test_no_import_cycle():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_cycle_finder_finds_one():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None
