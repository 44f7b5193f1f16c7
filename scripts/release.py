#!/usr/bin/env python3
"""Build a release into dist/: the ontology and the examples in every export format, the JSON-LD
context, the HTML documentation (English and Persian) and the wheel.

The version lives in one place, ``src/citydiplomacy/__init__.py`` (``__version__``). The script
refuses (exit 2, one line) when the ontology's owl:versionInfo / owl:versionIRI or the examples'
owl:versionInfo disagree with it, when CHANGELOG.md has no entry for it, or when HermiT finds the
ontology and examples inconsistent (exit 1).

    python scripts/release.py [--dist dist] [--no-wheel] [--no-reason] [--changelog CHANGELOG.md]
"""

from __future__ import annotations

import argparse
import hashlib
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from citydiplomacy import __version__  # noqa: E402
from citydiplomacy.core.errors import CitydipError  # noqa: E402
from citydiplomacy.core.namespaces import EXAMPLES_IRI, GRAPH_EXAMPLES, GRAPH_ONTOLOGY, ONTOLOGY_IRI  # noqa: E402


def check_ontology_version(version: str, ontology, examples=None) -> None:
    """Refuse unless the ontology header (and the examples header, if any) carry *version*."""
    from rdflib import URIRef
    from rdflib.namespace import OWL

    onto = URIRef(ONTOLOGY_IRI)
    info = ontology.value(onto, OWL.versionInfo)
    if info is None or str(info) != version:
        raise CitydipError(
            f"ontology/citydiplomacy.ttl: owl:versionInfo is {str(info) if info is not None else 'missing'!r} "
            f"but __version__ is {version!r}; make them agree before releasing"
        )
    expected_iri = f"{ONTOLOGY_IRI}/{version}"
    iri = ontology.value(onto, OWL.versionIRI)
    if iri is None or str(iri) != expected_iri:
        raise CitydipError(
            f"ontology/citydiplomacy.ttl: owl:versionIRI is <{iri}> but should be <{expected_iri}>; "
            "update it before releasing"
        )
    if examples is not None:
        ex_info = examples.value(URIRef(EXAMPLES_IRI), OWL.versionInfo)
        if ex_info is not None and str(ex_info) != version:
            raise CitydipError(
                f"ontology/examples.ttl: owl:versionInfo is {str(ex_info)!r} but __version__ is {version!r}; "
                "make them agree before releasing"
            )


def check_changelog(version: str, path: Path) -> None:
    """Refuse unless *path* has a heading for *version* (``## [0.1.0] - date`` or ``## 0.1.0``)."""
    if not path.is_file():
        raise CitydipError(f"{path}: no changelog; add one with a '## [{version}]' entry")
    text = path.read_text(encoding="utf-8")
    if not re.search(rf"^##\s+\[?{re.escape(version)}\]?(\s|$)", text, flags=re.M):
        raise CitydipError(f"{path}: no entry for version {version}; add a '## [{version}] - YYYY-MM-DD' section")


def _write(path: Path, data: bytes | str) -> Path:
    from citydiplomacy.core.rdfio import atomic_write

    atomic_write(path, data)
    path.chmod(0o644)
    return path


def build(dist: Path, wheel: bool = True, reason: bool = True, changelog: Path | None = None) -> list[Path]:
    """Check, then write everything into *dist*; return the files written."""
    from citydiplomacy.services.docs import build_docs
    from citydiplomacy.core import formats
    from citydiplomacy.services.export import merged_ontology, serialize_graphs
    from citydiplomacy.core.ontology import load_examples

    version = __version__
    ontology = merged_ontology()
    examples = load_examples()
    check_ontology_version(version, ontology, examples)
    check_changelog(version, changelog or ROOT / "CHANGELOG.md")
    if reason:
        from citydiplomacy.core.errors import EXIT_FAILED
        from citydiplomacy.services.reasoning import run_owl_reasoner

        result = run_owl_reasoner(ontology + examples, "hermit")
        if not result.coherent:
            raise CitydipError(
                f"HermiT: the ontology and examples are {'incoherent' if result.consistent else 'inconsistent'}; "
                "run `citydip reason` and fix them before releasing",
                EXIT_FAILED,
            )

    dist.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name, graph_iri, graph in (("citydiplomacy", GRAPH_ONTOLOGY, ontology), ("examples", GRAPH_EXAMPLES, examples)):
        for fmt in formats.EXPORTED:
            written.append(_write(dist / f"{name}-{version}{fmt.extension}", serialize_graphs({graph_iri: graph}, fmt.name)))
    written.append(_write(dist / "context.jsonld", (ROOT / "ontology" / "context.jsonld").read_bytes()))
    written += build_docs(dist / "docs", note=lambda message: print(message, file=sys.stderr))
    if wheel:
        written += build_wheel(dist)
    sums = "".join(
        f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.relative_to(dist).as_posix()}\n"
        for p in sorted(written)
    )
    written.append(_write(dist / "SHA256SUMS", sums))
    return written


def build_wheel(dist: Path) -> list[Path]:
    """The wheel, with hatchling (the build backend) if importable, else through pip."""
    before = set(dist.glob("*.whl"))
    if shutil.which("hatchling") or _has_module("hatchling"):
        command = [sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(dist)]
    else:
        command = [sys.executable, "-m", "pip", "wheel", str(ROOT), "-w", str(dist), "--no-deps"]
    run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if run.returncode != 0:
        last = (run.stderr or run.stdout).strip().splitlines()[-1:] or ["no output"]
        raise CitydipError(f"building the wheel failed ({' '.join(command[:4])}...): {last[0]}", 3)
    made = sorted(set(dist.glob("*.whl")) - before) or sorted(dist.glob(f"citydiplomacy-{__version__}-*.whl"))
    return made


def _has_module(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dist", default=str(ROOT / "dist"), help="output folder (default: dist/)")
    parser.add_argument("--no-wheel", action="store_true", help="skip building the wheel")
    parser.add_argument("--no-reason", action="store_true", help="skip the HermiT consistency check")
    parser.add_argument("--changelog", default=str(ROOT / "CHANGELOG.md"), help="changelog to check")
    args = parser.parse_args(argv)
    try:
        files = build(Path(args.dist), wheel=not args.no_wheel, reason=not args.no_reason, changelog=Path(args.changelog))
    except CitydipError as exc:
        print(f"Error: {exc.message}", file=sys.stderr)
        return exc.exit_code
    for path in files:
        print(path)
    print(f"citydiplomacy {__version__}: {len(files)} files in {args.dist}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
