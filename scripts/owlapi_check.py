#!/usr/bin/env python3
"""Open the published ontology and examples with the OWL API, as Protégé does, and report what it sees.

    python scripts/owlapi_check.py        # exit 0 when OWL 2 DL with 0 violations and HermiT consistent

Protégé itself is not available here; the closest is the OWL API 3.4.3 that owlready2 bundles inside
HermiT.jar. scripts/owlapi/CheckPublished.java maps every IRI of ontology/catalog-v001.xml to its local
file (Protégé reads the same catalog), loads ontology/examples.ttl and its imports closure from the Turtle
files as they are, checks the OWL 2 DL profile of the closure and runs HermiT on it. Running a .java file
directly needs a JDK (Java 11 or later with javac), not only a JRE.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from citydiplomacy.services.java import java_runtimes  # noqa: E402


def main() -> int:
    import owlready2

    jar = Path(owlready2.__file__).parent / "hermit" / "HermiT.jar"
    jdks = [r for r in java_runtimes() if (Path(r.path).parent / "javac").exists() and (r.major or 0) >= 11]
    if not jdks:
        print("owlapi_check: no JDK (java 11+ with javac) found; install one (Debian: default-jdk-headless)")
        return 2
    source = ROOT / "scripts" / "owlapi" / "CheckPublished.java"
    command = [jdks[0].path, "-cp", str(jar), str(source), str(ROOT / "ontology")]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    print(result.stdout.strip() or result.stderr.strip())
    ok = (
        result.returncode == 0
        and "OWL 2 DL violations: 0" in result.stdout
        and "HermiT consistent: true" in result.stdout
    )
    print(f"owlapi_check: {'passed' if ok else 'failed'} with {jdks[0].path}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
