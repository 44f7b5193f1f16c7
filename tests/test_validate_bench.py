"""scripts/bench_validate.py keeps working, and the planted errors are found (small size here)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "bench_validate.py"


def test_benchmark_script_runs_and_finds_the_planted_errors():
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--triples", "1500", "--inference", "none", "--error-rate", "0.05"],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    generated = re.search(r"generated (\d+) triples .*\((\d+) planted errors", done.stdout)
    found = re.search(r"validated (\d+) triples .* in [\d.]+ s \([\d.]+ s CPU\): (\d+) violation, (\d+) warning", done.stdout)
    assert generated and found, done.stdout
    triples, planted = int(generated.group(1)), int(generated.group(2))
    assert int(found.group(1)) == triples > 1000
    assert planted > 0
    # every planted error gives at least one result, except a duplicate of an ended agreement
    # (a renewal, not reported); duplicates give one warning on each side
    assert int(found.group(2)) + int(found.group(3)) >= planted * 0.8
