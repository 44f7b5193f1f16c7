#!/usr/bin/env python
"""Benchmark ``citydip import csv`` on a generated spreadsheet: rows, wall seconds, peak RSS.

Generates N rows (city, country, partner, partner country, start, end) over a pool of
N/4 made-up cities in a temporary folder, runs ``python -m citydiplomacy --store TMP import
csv ...`` in a child process (this repository's ``src`` first on PYTHONPATH) and prints the
child's wall time and peak resident memory (``ru_maxrss``). Usage::

    python scripts/bench_import_csv.py [--rows 100000] [--seed 1] [--src PATH/TO/src]

``--src`` benchmarks another checkout (e.g. an exported older commit) with the same file.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
COUNTRIES = ["Iran", "France", "Germany", "Japan", "Brazil", "Kenya", "Canada", "Chile", "Spain", "Viet Nam"]


def write_sheet(path: Path, rows: int, seed: int) -> None:
    """Rows over a pool of rows/4 cities, so cities repeat and some pairs merge."""
    rng = random.Random(seed)
    pool = [(f"Town {i}", COUNTRIES[i % len(COUNTRIES)]) for i in range(max(rows // 4, 2))]
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write("City,Country,Partner,Partner country,Signed,Ended\n")
        for _ in range(rows):
            (a, ka), (b, kb) = rng.sample(pool, 2)
            start = rng.choice(["", str(rng.randint(1950, 2020)), f"{rng.randint(1340, 1400)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"])
            end = rng.choice(["", "", "", str(rng.randint(2000, 2030))])
            handle.write(f"{a},{ka},{b},{kb},{start},{end}\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--src", default=str(REPO / "src"), help="the citydiplomacy source folder to run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-import-csv-") as tmp:
        sheet = Path(tmp) / "sheet.csv"
        write_sheet(sheet, args.rows, args.seed)
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([args.src, os.environ.get("PYTHONPATH", "")]))
        command = [
            sys.executable, "-m", "citydiplomacy", "--store", str(Path(tmp) / "store"), "import", "csv", str(sheet),
            "--city-a", "City", "--country-a", "Country", "--city-b", "Partner", "--country-b", "Partner country",
            "--start", "Signed", "--end", "Ended", "--report", str(Path(tmp) / "report.csv"),
        ]
        started = time.perf_counter()
        done = subprocess.run(command, env=env, capture_output=True, text=True)
        seconds = time.perf_counter() - started
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    if done.returncode != 0:
        print(done.stdout + done.stderr, file=sys.stderr)
        return done.returncode
    summary = [line for line in done.stdout.splitlines() if line.startswith(("┃", "│"))][:2]
    print("\n".join(summary))
    print(f"rows {args.rows}  seconds {seconds:.1f}  peak RSS {peak_mb:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
