"""The fuzz run of scripts/fuzz.py, bounded in time, as part of the suite (issue 10).

It feeds generated and mutated inputs to the RDF readers, `citydip import csv`, `citydip import
climactor`, the date parser and --param binding; any outcome other than a result or a one-line user error fails.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_fuzz_run_finds_no_crash(tmp_path):
    result = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "fuzz.py"), "--seconds", "40"],
        capture_output=True, text=True, timeout=400, env={**os.environ, "CITYDIP_STORE": str(tmp_path / "kg")},
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    lines = [line for line in result.stdout.splitlines() if line.startswith("fuzz ")]
    assert len(lines) == 5 and all(" 0 crashes" in line for line in lines), result.stdout
    assert all(int(line.split()[2]) > 0 for line in lines), "every target ran at least one case"
