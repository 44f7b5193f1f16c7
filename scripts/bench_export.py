#!/usr/bin/env python
"""Benchmark ``citydip export`` of a real store: seconds and peak RSS per format.

Imports the shared Wikidata extracts (``relations.tsv`` and ``query.csv``) into a temporary
store, then runs ``python -m citydiplomacy --store TMP export --what WHAT --format F`` once per
format in a child process (this repository's ``src`` first on PYTHONPATH) and prints each
child's wall seconds, peak resident memory (its own ``ru_maxrss``, from ``os.wait4``) and
output size. Usage::

    python scripts/bench_export.py [--what data|all|...] [--formats turtle,jsonld] [--src PATH/TO/src]
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
    SHARED / "wikidata-p190-l3viathan2016" / "relations.tsv",
    SHARED / "wikidata-p190-ursino2021" / "query.csv",
]
FORMATS = ("turtle", "ntriples", "nquads", "rdfxml", "jsonld")


def run_child(command: list[str], env: dict, out: Path | None = None) -> tuple[int, float, float, str]:
    """Run *command* (its stdout into *out*); its exit code, wall seconds, peak RSS in MB and stderr."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as err, open(out or os.devnull, "wb") as stdout:
        child = subprocess.Popen(command, env=env, stdout=stdout, stderr=err)
        _pid, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        return child.returncode, seconds, usage.ru_maxrss / 1024, err.read().decode("utf-8", "replace")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--what", default="data", help="--what to export (default: data)")
    parser.add_argument("--formats", default=",".join(FORMATS), help="comma-separated export formats")
    parser.add_argument("--src", default=str(REPO / "src"), help="the citydiplomacy source folder to run")
    args = parser.parse_args()
    missing = [str(p) for p in SOURCES if not p.exists()]
    if missing:
        print(f"missing shared data: {', '.join(missing)}", file=sys.stderr)
        return 2
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([args.src, os.environ.get("PYTHONPATH", "")]))
    with tempfile.TemporaryDirectory(prefix="bench-export-") as tmp:
        base = [sys.executable, "-m", "citydiplomacy", "--store", str(Path(tmp) / "store")]
        code, seconds, peak, err = run_child([*base, "import", *map(str, SOURCES)], env)
        if code != 0:
            print(err, file=sys.stderr)
            return code
        print(f"import: {seconds:.1f} s, peak RSS {peak:.0f} MB")
        print(f"{'format':10} {'seconds':>8} {'peak MB':>8} {'MB out':>8}")
        for fmt in args.formats.split(","):
            out = Path(tmp) / f"export.{fmt}"
            command = [*base, "export", "--what", args.what, "--format", fmt]
            code, seconds, peak, err = run_child(command, env, out)
            if code != 0:
                print(f"{fmt}: exit {code}\n{err}", file=sys.stderr)
                return code
            size = out.stat().st_size / 1e6
            print(f"{fmt:10} {seconds:8.1f} {peak:8.0f} {size:8.1f}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
