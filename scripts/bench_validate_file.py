#!/usr/bin/env python
"""Benchmark `citydip validate FILE` on a generated N-Triples file (2,000,000 triples by default).

Generates twinning data with bench_validate.generate (cities, agreements, memberships,
activities, bids, with planted errors) in blocks of about 100k triples, each block's IRIs and
blank nodes renamed so the blocks are distinct, writes it to a temporary folder, runs
`citydip validate FILE --format json` as a subprocess and prints triples, wall seconds, peak
RSS of the child (its own, from os.wait4) and the result counts; then the same at --pyshacl-triples with
`--engine pyshacl` and the fast engine, for the ratio.

    python scripts/bench_validate_file.py                    # 2M fast, 100k both engines
    python scripts/bench_validate_file.py --triples 500000 --pyshacl-triples 0
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_validate import generate  # noqa: E402

BLOCK = 100_000


def write_ntriples(path: Path, target: int, seed: int = 1) -> int:
    """About *target* triples of generated data in *path*; returns the number of lines."""
    blocks = max(1, round(target / BLOCK))
    wanted = target // blocks
    graph, _planted = generate(wanted, 0.02, seed)
    if len(graph) < wanted:  # generate() gives a little less than asked: ask once more, scaled
        graph, _planted = generate(wanted * wanted // len(graph), 0.02, seed)
    block = graph.serialize(format="nt", encoding="utf-8").decode("utf-8")
    lines = 0
    with open(path, "w", encoding="utf-8") as out:
        for k in range(blocks):
            text = block.replace("/resource/", f"/resource/b{k}-").replace("_:", f"_:b{k}")
            out.write(text)
            lines += text.count("\n")
    return lines


def run_validate(path: Path, engine: str) -> dict:
    """Run the CLI in a child process: wall seconds, the child's own peak RSS (MB), the summary.

    os.wait4 gives that child's rusage; resource.getrusage(RUSAGE_CHILDREN) would give the
    largest of all children so far.
    """
    store = tempfile.mkdtemp(prefix="bench-validate-store-")
    command = [sys.executable, "-m", "citydiplomacy", "--store", store, "validate", str(path),
               "--engine", engine, "--format", "json"]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        child = subprocess.Popen(command, stdout=out, stderr=err)
        _pid, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if child.returncode not in (0, 1):
            raise SystemExit(f"validate failed ({child.returncode}): {err.read().decode().strip()}")
        summary = json.loads(out.read())["summary"]
    shutil.rmtree(store, ignore_errors=True)
    return {"seconds": seconds, "peak_mb": usage.ru_maxrss / 1024, "summary": summary}


def report(label: str, triples: int, run: dict) -> None:
    s = run["summary"]
    peak = f"{run['peak_mb']:.0f} MB"
    print(f"{label}: {triples} triples, {run['seconds']:.1f} s wall, peak RSS {peak}, "
          f"{s['Violation']} violation, {s['Warning']} warning, {s['Info']} info")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=2_000_000)
    parser.add_argument("--pyshacl-triples", type=int, default=100_000, help="size for the engine ratio (0 = skip)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-validate-file-") as folder:
        if args.pyshacl_triples:
            small = Path(folder) / "small.nt"
            n = write_ntriples(small, args.pyshacl_triples)
            reference, quick = run_validate(small, "pyshacl"), run_validate(small, "fast")
            report("pyshacl", n, reference)
            report("fast   ", n, quick)
            same = {k: reference["summary"][k] for k in ("Violation", "Warning", "Info")} == {
                k: quick["summary"][k] for k in ("Violation", "Warning", "Info")}
            print(f"ratio pyshacl/fast: {reference['seconds'] / quick['seconds']:.1f}x wall; same counts: {same}")
        if args.triples:
            big = Path(folder) / "big.nt"
            n = write_ntriples(big, args.triples)
            print(f"(file: {big.stat().st_size / 1e6:.0f} MB)")
            report("fast   ", n, run_validate(big, "auto"))


if __name__ == "__main__":
    main()
