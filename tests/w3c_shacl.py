"""The W3C SHACL core tests (w3c/data-shapes), taken from the pyshacl sdist on PyPI.

We may not commit third-party files, and tests have no network but the package registries.
The pyshacl source distribution ships the W3C core tests under
``pyshacl-<version>/test/resources/sht_tests/core/``; :func:`core_tests_dir` downloads the
sdist of the *installed* pyshacl with pip (``--no-binary :all:``), extracts only that folder
into a cache (``$CITYDIP_TEST_CACHE`` or ``~/.cache/citydiplomacy-tests``) and reuses it.
A failed download fails the test (one line), never skips it.
"""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import pytest

CORE = "test/resources/sht_tests/core/"


def cache_dir() -> Path:
    """Where downloaded test material is kept between runs."""
    configured = os.environ.get("CITYDIP_TEST_CACHE")
    return Path(configured) if configured else Path.home() / ".cache" / "citydiplomacy-tests"


def core_tests_dir() -> Path:
    """The folder of the W3C core tests (``node/``, ``property/``, ``path/`` ...), downloaded once."""
    version = importlib.metadata.version("pyshacl")
    target = cache_dir() / f"pyshacl-{version}-sht-core"
    if (target / "manifest.ttl").is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        sdist = _download_sdist(version, Path(tmp))
        staging = Path(tmp) / "core"
        _extract_core(sdist, staging)
        if not (staging / "manifest.ttl").is_file():
            pytest.fail(f"{sdist.name} has no {CORE}manifest.ttl: the W3C SHACL core tests are not in this sdist")
        try:
            staging.rename(target)  # atomic: a half-extracted folder is never reused
        except OSError:
            # Another test process (pytest-xdist) got there first: use its copy, never remove it.
            if not (target / "manifest.ttl").is_file():
                raise
    return target


def _download_sdist(version: str, into: Path) -> Path:
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:"]
    command += ["--disable-pip-version-check", "-q", f"pyshacl=={version}", "-d", str(into)]
    run = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    found = sorted(into.glob("pyshacl-*.tar.gz"))
    if run.returncode != 0 or not found:
        last = (run.stderr.strip().splitlines() or ["no output"])[-1]
        pytest.fail(f"could not download the pyshacl {version} sdist from PyPI (W3C SHACL tests): {last}")
    return found[0]


def _extract_core(sdist: Path, into: Path) -> None:
    """Only ``<top>/test/resources/sht_tests/core/**``, regular files, no path tricks."""
    with tarfile.open(sdist, "r:gz") as tar:
        for member in tar.getmembers():
            top, _, rest = member.name.partition("/")
            if not member.isfile() or not rest.startswith(CORE) or ".." in Path(rest).parts:
                continue
            destination = into / rest[len(CORE) :]
            destination.parent.mkdir(parents=True, exist_ok=True)
            source = tar.extractfile(member)
            assert source is not None
            with source, destination.open("wb") as out:
                shutil.copyfileobj(source, out)
