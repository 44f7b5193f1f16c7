#!/usr/bin/env python
"""Benchmark ``citydip publish`` on the whole shared data: pages, files, size, seconds, peak RSS.

Imports the four shared sources (the Wikidata extracts ``query.csv``, ``sister_cities.gexf``,
``relations.tsv`` and ClimActor's memberships) into a temporary store, then runs ``python -m citydiplomacy --store TMP
publish TMP/site`` in a child process (this repository's ``src`` first on PYTHONPATH) and prints
its wall seconds, peak resident memory, the pages and files written and their size on disk.
Usage::

    python scripts/bench_publish.py [--lang en|fa|both] [--runs N] [--src PATH/TO/src]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "data"
SOURCES = [
    SHARED / "wikidata-p190-ursino2021" / "query.csv",
    SHARED / "wikidata-p190-ursino2021" / "sister_cities.gexf",
    SHARED / "wikidata-p190-l3viathan2016" / "relations.tsv",
    SHARED / "climactor-hsu2020" / "subnational_contextuals_database_Dec2022.csv",
]


def run_child(command: list[str], env: dict) -> tuple[int, float, float, float, str]:
    """Run *command*; its exit code, wall seconds, CPU seconds (user + system), peak RSS in MB and stderr."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=err)
        _pid, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        err.seek(0)
        cpu = usage.ru_utime + usage.ru_stime
        text = err.read().decode("utf-8", "replace")
        return os.waitstatus_to_exitcode(status), seconds, cpu, usage.ru_maxrss / 1024, text


def folder_size(root: Path) -> tuple[int, int, int]:
    """(HTML pages, files, bytes) below *root*."""
    files = [p for p in root.rglob("*") if p.is_file()]
    return sum(p.name.endswith(".html") for p in files), len(files), sum(p.stat().st_size for p in files)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", default="both", choices=("en", "fa", "both"))
    parser.add_argument("--runs", type=int, default=1, help="publish this many times (a fresh folder each)")
    parser.add_argument("--src", default=str(REPO / "src"), help="the citydiplomacy source folder to run")
    args = parser.parse_args()
    missing = [str(p) for p in SOURCES if not p.exists()]
    if missing:
        print(f"missing shared data: {', '.join(missing)}", file=sys.stderr)
        return 2
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([args.src, os.environ.get("PYTHONPATH", "")]))
    with tempfile.TemporaryDirectory(prefix="bench-publish-") as tmp:
        base = [sys.executable, "-m", "citydiplomacy", "--store", str(Path(tmp) / "store")]
        code, seconds, _cpu, _peak, err = run_child([*base, "import", *map(str, SOURCES)], env)
        if code != 0:
            print(err, file=sys.stderr)
            return code
        print(f"import of the four shared sources: {seconds:.1f} s")
        for run in range(1, args.runs + 1):
            site = Path(tmp) / f"site{run}"
            code, seconds, cpu, peak, err = run_child([*base, "publish", str(site), "--lang", args.lang], env)
            if code != 0:
                print(err, file=sys.stderr)
                return code
            pages, files, size = folder_size(site)
            print(
                f"publish run {run}: {pages:,} pages, {files:,} files, {size / 1e6:.1f} MB, "
                f"{seconds:.1f} s wall, {cpu:.1f} s CPU, peak RSS {peak:.0f} MB, load average {os.getloadavg()[0]:.1f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
