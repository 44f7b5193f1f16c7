"""The wheel carries ontology/, shapes/ and queries/, so an installed citydip works from any folder."""

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_wheel_ships_artefacts_and_runs_outside_checkout(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(dist)],
        cwd=REPO, check=True, capture_output=True,
    )
    wheel = next(dist.glob("citydiplomacy-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for folder in ("ontology", "shapes", "queries"):
        tracked = [p for p in (REPO / folder).rglob("*") if p.is_file()]
        assert tracked, f"{folder}/ is empty in the checkout"
        for path in tracked:
            assert f"citydiplomacy/{path.relative_to(REPO).as_posix()}" in names
    templates = [p for p in (REPO / "src" / "citydiplomacy" / "services" / "templates").glob("*.j2")]
    assert templates, "the docs templates are missing from the checkout"
    for path in templates:
        assert f"citydiplomacy/services/templates/{path.name}" in names

    target = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(target)
    env = {**os.environ, "PYTHONPATH": str(target), "CITYDIP_STORE": str(tmp_path / "store")}
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = subprocess.run(
        [sys.executable, "-c", "from citydiplomacy.core import resources; print(resources.ontology_dir())"],
        cwd=elsewhere, env=env, check=True, capture_output=True, text=True,
    ).stdout.strip()
    assert Path(where).is_relative_to(target)
    info = subprocess.run(
        [sys.executable, "-m", "citydiplomacy", "info", "--format", "json"],
        cwd=elsewhere, env=env, check=True, capture_output=True, text=True,
    )
    assert json.loads(info.stdout)["classes"] > 0
