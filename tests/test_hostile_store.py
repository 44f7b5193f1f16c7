"""Hostile stores and output paths: concurrent readers, foreign or damaged --store folders,
unwritable outputs and temporary files left by killed runs (issue 10, slice "store")."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph
import pytest
from click.testing import CliRunner

import citydiplomacy
from citydiplomacy.cli import cli
from citydiplomacy.core.store import MARKER, open_store

SRC = Path(citydiplomacy.__file__).resolve().parent.parent  # the code under test, for subprocesses too
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
SHEET = "City,Country,Partner,Partner country\nIsfahan,Iran,Kuala Lumpur,Malaysia\n"
CSV_OPTIONS = ["--city-a", "City", "--country-a", "Country", "--city-b", "Partner", "--country-b", "Partner country"]
# A process that opens the store and keeps it open until its stdin closes.
HOLDER = """
import sys
from citydiplomacy.core.store import open_store
store = open_store(sys.argv[1], read_only=sys.argv[2] == "read")
print("ready", flush=True)
sys.stdin.read()
"""


def _env(**extra: str) -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=str(SRC), **extra)


def _citydip(*args: str, lock_wait: str = "10") -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "citydiplomacy", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(CITYDIP_LOCK_WAIT=lock_wait),
    )


def _finish(process: subprocess.Popen) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=60)
    return process.returncode, out, err


class _Holder:
    """Another process holding the store open, read-only ("read") or read-write ("write")."""

    def __init__(self, store: Path, mode: str):
        self.process = subprocess.Popen(
            [sys.executable, "-c", HOLDER, str(store), mode],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(),
        )

    def __enter__(self):
        line = self.process.stdout.readline()
        assert line.strip() == "ready", self.process.stderr.read()
        return self

    def __exit__(self, *exc):
        self.process.stdin.close()
        self.process.wait(timeout=30)


def _initialised(path: Path) -> Path:
    store = open_store(path)
    del store  # closes it: the store is ready, nobody holds it
    return path


def _one_line_error(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: "), text
    assert "Traceback" not in text and "internal error" not in text
    return lines[0]


# ---------------------------------------------------------------- concurrent readers


def test_two_readers_at_once_both_succeed(tmp_path):
    store = _initialised(tmp_path / "kg")
    readers = [_citydip("--store", str(store), "query", "run", "--text", COUNT, "--format", "csv") for _ in range(2)]
    results = [_finish(r) for r in readers]
    for code, out, err in results:
        assert code == 0, err
        assert int(out.split()[-1]) > 1000
    # a third reader while another process holds the store read-only
    with _Holder(store, "read"):
        code, out, err = _finish(_citydip("--store", str(store), "query", "run", "--text", COUNT, "--format", "csv"))
    assert code == 0, err


def test_reader_while_a_writer_holds_the_store_is_told_to_wait(tmp_path):
    store = _initialised(tmp_path / "kg")
    with _Holder(store, "write"):
        reader = _citydip("--store", str(store), "query", "run", "--text", COUNT, lock_wait="0.5")
        code, _out, err = _finish(reader)
    assert code == 2
    line = _one_line_error(err)
    assert str(store) in line and "being changed by another citydip process" in line
    assert "waited 0.5 s" in line and "CITYDIP_LOCK_WAIT" in line


def test_reader_waits_for_a_short_writer(tmp_path):
    store = _initialised(tmp_path / "kg")
    with _Holder(store, "write"):
        reader = _citydip("--store", str(store), "query", "run", "--text", COUNT, "--format", "csv")
        time.sleep(1.0)  # the reader starts and finds the store held; then the writer ends
    code, out, err = _finish(reader)
    assert code == 0, err
    assert int(out.split()[-1]) > 1000


def test_writer_while_a_reader_holds_the_store_is_told_to_wait(tmp_path):
    store = _initialised(tmp_path / "kg")
    sheet = tmp_path / "sheet.csv"
    sheet.write_text(SHEET, encoding="utf-8")
    with _Holder(store, "read"):
        writer = _citydip("--store", str(store), "import", "csv", str(sheet), *CSV_OPTIONS, lock_wait="0.5")
        code, _out, err = _finish(writer)
    assert code == 2
    assert "in use by another citydip process" in _one_line_error(err)


def test_readers_on_a_new_store_initialise_it_once(tmp_path):
    store = tmp_path / "fresh"
    readers = [_citydip("--store", str(store), "query", "run", "--text", COUNT, "--format", "csv") for _ in range(2)]
    for code, out, err in (_finish(r) for r in readers):
        assert code == 0, err
        assert int(out.split()[-1]) > 1000
    assert (store / MARKER).is_file()


# ---------------------------------------------------------------- what --store may point at


def test_non_empty_foreign_folder_is_refused_and_left_alone(tmp_path):
    folder = tmp_path / "photos"
    folder.mkdir()
    (folder / "holiday.jpg").write_bytes(b"\xff\xd8 not a database")
    for args in (["query", "run", "--text", "ASK {}"], ["export", "--what", "data"]):
        result = CliRunner().invoke(cli, ["--store", str(folder), *args])
        assert result.exit_code == 2, result.output
        line = _one_line_error(result.output)
        assert str(folder) in line and "not a citydip store" in line and "empty or new folder" in line
    assert [p.name for p in folder.iterdir()] == ["holiday.jpg"]


def test_store_made_before_the_marker_still_opens(tmp_path):
    legacy = tmp_path / "old"
    store = pyoxigraph.Store(str(legacy))  # RocksDB files only, as earlier versions left them
    del store
    assert not (legacy / MARKER).exists()
    result = CliRunner().invoke(cli, ["--store", str(legacy), "query", "run", "--text", COUNT, "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert int(result.output.split()[-1]) > 1000


def _garbage_current(store: Path) -> None:
    (store / "CURRENT").write_text("garbage\n")


def _truncated_manifest(store: Path) -> None:
    manifest = next(store.glob("MANIFEST-*"))
    os.truncate(manifest, manifest.stat().st_size // 2)


@pytest.mark.parametrize("damage", [_garbage_current, _truncated_manifest])
def test_damaged_store_is_one_line_exit_2(tmp_path, damage):
    store = _initialised(tmp_path / "kg")
    damage(store)
    result = CliRunner().invoke(cli, ["--store", str(store), "query", "run", "--text", "ASK {}"])
    assert result.exit_code == 2, result.output
    line = _one_line_error(result.output)
    assert str(store) in line and "damaged" in line and "move the folder aside" in line


def test_damaged_store_for_a_writing_command(tmp_path):
    store = _initialised(tmp_path / "kg")
    _garbage_current(store)
    sheet = tmp_path / "sheet.csv"
    sheet.write_text(SHEET, encoding="utf-8")
    result = CliRunner().invoke(cli, ["--store", str(store), "import", "csv", str(sheet), *CSV_OPTIONS])
    assert result.exit_code == 2, result.output
    assert "damaged" in _one_line_error(result.output)


# ---------------------------------------------------------------- files we write


def _unwritable_paths(tmp_path: Path) -> list[Path]:
    """Paths nobody can write, root included: under /proc, and under a regular file."""
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    return [Path("/proc/citydip-hostile.out"), a_file / "out.ttl"]


@pytest.mark.parametrize("command", [
    ["export", "--what", "ontology", "--out"],
    ["query", "run", "--text", "SELECT * WHERE { ?s ?p ?o } LIMIT 1", "--format", "csv", "--output"],
])
def test_unwritable_output_is_one_line_exit_2(tmp_path, command):
    _initialised(tmp_path / "kg")
    for target in _unwritable_paths(tmp_path):
        result = CliRunner().invoke(cli, ["--store", str(tmp_path / "kg"), *command, str(target)])
        assert result.exit_code == 2, result.output
        assert str(target) in _one_line_error(result.output)


def test_unwritable_import_report_and_docs_folder(tmp_path):
    sheet = tmp_path / "sheet.csv"
    sheet.write_text(SHEET, encoding="utf-8")
    for target in _unwritable_paths(tmp_path):
        result = CliRunner().invoke(cli, ["--store", str(tmp_path / "kg"), "import", "csv", str(sheet),
                                          *CSV_OPTIONS, "--report", str(target)])
        assert result.exit_code == 2, result.output
        assert str(target) in _one_line_error(result.output)
        result = CliRunner().invoke(cli, ["docs", "--engine", "builtin", "--out", str(target / "site")])
        assert result.exit_code == 2, result.output
        assert str(target / "site") in _one_line_error(result.output)


def test_stale_temp_file_of_a_killed_export_is_removed(tmp_path):
    target = tmp_path / "ontology.nt"
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait(timeout=30)
    stale = tmp_path / f".ontology.nt.{dead.pid}.tmp"
    stale.write_bytes(b"half an export" * 1000)
    alive = tmp_path / f".ontology.nt.{os.getppid()}.tmp"  # a live process's write in progress
    alive.write_bytes(b"still being written")
    other = tmp_path / f".other.nt.{dead.pid}.tmp"  # another target's: not ours to touch
    other.write_bytes(b"x")
    result = CliRunner().invoke(cli, ["export", "--format", "ntriples", "--out", str(target)])
    assert result.exit_code == 0, result.output
    assert target.stat().st_size > 1000
    assert not stale.exists()
    assert alive.exists() and other.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([target.name, alive.name, other.name])
