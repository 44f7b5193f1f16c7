#!/usr/bin/env python
"""Time every bundled competency question on a store, to check that each answers within a budget.

Each question runs with its default parameters (``--param NAME=VALUE`` overrides one, for every
question that has it) over the union of the store's graphs, as ``citydip query run`` runs it
(``services.querying.answering``), *--repeat* times; the best wall time is printed, with the
rows of the answer. Questions over the budget are listed last and make the exit code 1. Usage::

    python scripts/bench_questions.py --store /tmp/kg [--scope data] [--repeat 3] [--budget 1.0] [NAME ...]
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from citydiplomacy.core.store import open_store  # noqa: E402
from citydiplomacy.services.querying import answering, catalog, params  # noqa: E402


def _questions(names: list[str], scope: str) -> list[catalog.Question]:
    """The named questions, else every bundled question of *scope* (``all``: every one)."""
    if names:
        return [catalog.resolve(name) for name in names]
    return [q for q in catalog.bundled() if scope == "all" or q.scope == scope]


def _time(store, question: catalog.Question, given: dict[str, str], repeat: int) -> tuple[float, int]:
    """Best wall seconds of *repeat* runs, and the number of rows (or 1 for ASK/CONSTRUCT)."""
    values = {k: v for k, v in given.items() if question.param(k) is not None}
    prepared = answering.prepare(question, values)
    best, rows = float("inf"), 0
    for _ in range(repeat):
        start = time.perf_counter()
        answer = answering.answer_locally(store, prepared)
        best = min(best, time.perf_counter() - start)
        rows = len(answer.rows) if answer.form == "select" else 1
    return best, rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", metavar="NAME", help="questions to time (default: all of --scope)")
    parser.add_argument("--store", required=True, help="the store folder (opened read-only)")
    parser.add_argument("--scope", choices=("data", "article", "all"), default="data")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--budget", type=float, default=1.0, help="seconds a question may take")
    parser.add_argument("--param", action="append", default=[], metavar="NAME=VALUE")
    args = parser.parse_args(argv)
    given = params.parse_assignments(args.param)
    store = open_store(args.store, read_only=True)
    print(f"# {datetime.now(UTC):%Y-%m-%d} python scripts/bench_questions.py {' '.join(sys.argv[1:])}")
    print(f"{'question':45} {'seconds':>8} {'rows':>7}")
    slow = []
    for question in _questions(args.names, args.scope):
        seconds, rows = _time(store, question, given, args.repeat)
        print(f"{question.name:45} {seconds:8.3f} {rows:7d}", flush=True)
        if seconds > args.budget:
            slow.append(question.name)
    print(f"{len(slow)} question(s) over {args.budget:g} s" + (": " + ", ".join(slow) if slow else ""))
    return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main())
