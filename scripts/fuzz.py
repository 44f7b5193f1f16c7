"""Fuzz the readers that take a user's files, for a bounded time, and print what was found.

Targets (each fed by Hypothesis, mutating small valid seeds and writing random bytes):
  rdf      every RDF syntax through the guarded reader (rdfio.read_rdf) and the store loader
  csv      `citydip import csv` on random spreadsheets (cells, delimiters, encodings, dates)
  climactor `citydip import climactor` on random rows under ClimActor's header (names, codes,
           points, populations, initiative lists, bytes that are not UTF-8)
  dates    the date parser (Gregorian, Solar Hijri, digits in three scripts)
  params   `--param` values bound into a question

A crash is any outcome other than a result or the project's own user-facing error
(CitydipError / DateError, exit 0, 1 or 2). Usage:

    python scripts/fuzz.py --seconds 60          # share the time between the targets
    python scripts/fuzz.py --seconds 20 --target csv

Prints one line per target (cases, seconds, crashes) and exits 1 if anything crashed, with
the smallest failing input Hypothesis found.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
import traceback
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

SEEDS = {
    ".ttl": b'@prefix cdo: <https://w3id.org/citydiplomacy/ontology#> .\n<http://x/a> a cdo:City ; '
    b'<http://www.w3.org/2000/01/rdf-schema#label> "Isfahan"@en .\n',
    ".nt": b'<http://x/a> <http://www.w3.org/2000/01/rdf-schema#label> "\xd8\xa7\xd8\xb5\xd9\x81\xd9\x87\xd8\xa7\xd9\x86"@fa .\n',
    ".jsonld": b'{"@context": {"label": "http://www.w3.org/2000/01/rdf-schema#label"}, "@id": "http://x/a", "label": "Tabriz"}',
    ".rdf": b'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [<!ENTITY x "http://x/">]>\n'
    b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
    b'xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#"><rdf:Description rdf:about="&x;a">'
    b"<rdfs:label>Shiraz</rdfs:label></rdf:Description></rdf:RDF>\n",
    ".trig": b"<http://x/g> { <http://x/a> <http://x/p> 1 . }\n",
}
CSV_HEADER = "City,Country,Partner,Partner country,Signed\n"
HOSTILE_TOKENS = [
    "=HYPERLINK(\"http://evil.example/x\",\"click\")", "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3",
    "\x00", "\ufeff", "\u200c", "٢٠٢٠-٠١-٠١", "۱۳۹۹/۱۰/۰۱", "1399", "2020-02-30", "Paris", "France",
    "Isfahan", "Iran", "تهران", "Q84", "\"", ",", ";", "\t", "\r\n", "<!ENTITY", "@context", "http://127.0.0.1:9/x",
]


def _mutations(seed: bytes):
    """Byte strings near *seed*: cut, spliced with tokens, or replaced."""
    token = st.sampled_from(HOSTILE_TOKENS).map(lambda t: t.encode("utf-8"))
    spliced = st.tuples(st.integers(0, len(seed)), st.lists(token, max_size=4), st.integers(0, len(seed))).map(
        lambda t: seed[: t[0]] + b"".join(t[1]) + seed[t[2]:]
    )
    return st.one_of(st.just(seed), spliced, st.binary(max_size=200), st.builds(lambda n: seed[:n], st.integers(0, len(seed))))


class Target:
    """One fuzz target: a Hypothesis test run repeatedly until its time share is used."""

    def __init__(self, name: str):
        self.name, self.cases, self.crashes = name, 0, []

    def run_for(self, seconds: float, test) -> None:
        stop = time.monotonic() + seconds
        while time.monotonic() < stop:
            try:
                test()
            except Exception as exc:  # noqa: BLE001 - a crash is what we are looking for
                while getattr(exc, "exceptions", None):  # Hypothesis wraps flaky failures in a group
                    exc = exc.exceptions[0]
                self.crashes.append("".join(traceback.format_exception_only(type(exc), exc)).strip())
                if len(self.crashes) >= 5:
                    return


def _quick(examples: int = 50):
    return settings(max_examples=examples, deadline=None, database=None, derandomize=False,
                    suppress_health_check=list(HealthCheck), print_blob=True)


def fuzz_rdf(target: Target, workdir: Path, seconds: float) -> None:
    import pyoxigraph

    from citydiplomacy.core.errors import CitydipError
    from citydiplomacy.core.namespaces import GRAPH_DATA
    from citydiplomacy.core.rdfio import load_into_store, read_rdf

    @_quick()
    @given(st.sampled_from(sorted(SEEDS)).flatmap(lambda ext: st.tuples(st.just(ext), _mutations(SEEDS[ext]))))
    def test(case):
        ext, data = case
        target.cases += 1
        path = workdir / f"case{ext}"
        path.write_bytes(data)
        for reader in (lambda: read_rdf(path), lambda: load_into_store(pyoxigraph.Store(), [path], GRAPH_DATA)):
            try:
                reader()
            except CitydipError:
                pass

    target.run_for(seconds, test)


def fuzz_csv(target: Target, workdir: Path, seconds: float) -> None:
    from click.testing import CliRunner

    from citydiplomacy.cli import cli

    store = str(workdir / "csv-store")
    options = ["--city-a", "City", "--country-a", "Country", "--city-b", "Partner", "--country-b",
               "Partner country", "--start", "Signed"]
    cell = st.one_of(st.sampled_from(HOSTILE_TOKENS), st.text(max_size=12))
    row = st.lists(cell, min_size=0, max_size=6).map(lambda cells: ",".join(cells))
    body = st.lists(row, max_size=6).map(lambda rows: CSV_HEADER + "\n".join(rows))
    encoding = st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1"])

    @_quick(30)
    @given(body, encoding, st.sampled_from([None, ";", "\t", ";;"]))
    def test(text, enc, delimiter):
        target.cases += 1
        path, report = workdir / "case.csv", workdir / "report.csv"
        path.write_bytes(text.encode(enc, errors="replace"))
        args = ["--store", store, "import", "csv", str(path), *options, "--report", str(report)]
        if delimiter:
            args += ["--delimiter", delimiter]
        result = CliRunner().invoke(cli, args)
        if result.exit_code not in (0, 2):
            raise AssertionError(f"exit {result.exit_code}: {result.output.strip()[:200]} {result.exception!r}")

    target.run_for(seconds, test)


CLIMACTOR_HEADER = (
    '"name","iso","entity_type","country","area","num_commit","lat","lng","population",'
    '"population_year","state","admin_1","initiatives_committed","region"\n'
)
CLIMACTOR_TOKENS = ["NA", "IRN", "USA", "City", "Region", "GCoM2022", "NAZCA", "C40Cities2022;;Race to Zero",
                    "Albany, NY", "1.5e+07", "-4", "999", "nan", "inf"]


def fuzz_climactor(target: Target, workdir: Path, seconds: float) -> None:
    from click.testing import CliRunner

    from citydiplomacy.cli import cli

    store = str(workdir / "climactor-store")
    cell = st.one_of(st.sampled_from(CLIMACTOR_TOKENS + HOSTILE_TOKENS), st.text(max_size=12)).map(
        lambda text: '"' + text.replace('"', '""') + '"'
    )
    row = st.lists(cell, min_size=0, max_size=15).map(lambda cells: ",".join(cells))
    body = st.lists(row, max_size=6).map(lambda rows: CLIMACTOR_HEADER + "\n".join(rows))

    @_quick(30)
    @given(body, st.sampled_from(["utf-8", "latin-1", "mac_roman"]))
    def test(text, enc):
        target.cases += 1
        path, report = workdir / "climactor.csv", workdir / "climactor-report.csv"
        path.write_bytes(text.encode(enc, errors="replace"))
        result = CliRunner().invoke(cli, ["--store", store, "import", "climactor", str(path), "--report", str(report)])
        if result.exit_code not in (0, 2):
            raise AssertionError(f"exit {result.exit_code}: {result.output.strip()[:200]} {result.exception!r}")

    target.run_for(seconds, test)


def fuzz_dates(target: Target, workdir: Path, seconds: float) -> None:
    from citydiplomacy.services.importing.dates import DateError, parse_date

    digits = st.sampled_from(["0123456789", "٠١٢٣٤٥٦٧٨٩", "۰۱۲۳۴۵۶۷۸۹"])
    shaped = st.tuples(digits, st.lists(st.integers(0, 9), min_size=1, max_size=8), st.sampled_from(["-", "/", ""])).map(
        lambda t: t[2].join("".join(t[0][d] for d in t[1][i:i + 4]) for i in range(0, len(t[1]), 4))
    )

    @_quick(200)
    @given(st.one_of(shaped, st.text(max_size=16)), st.sampled_from(["auto", "gregorian", "jalali"]))
    def test(raw, calendar):
        target.cases += 1
        try:
            parse_date(raw, calendar)
        except DateError:
            pass

    target.run_for(seconds, test)


def fuzz_params(target: Target, workdir: Path, seconds: float) -> None:
    from citydiplomacy.core.errors import CitydipError
    from citydiplomacy.services.querying import catalog, params

    questions = [q for q in catalog.bundled() if q.params]

    @_quick(100)
    @given(st.sampled_from(questions), st.text(max_size=40))
    def test(question, value):
        target.cases += 1
        try:
            bound = params.bind(question, params.parse_assignments([f"{question.params[0].name}={value}"]))
            params.with_values(question.text, bound)
        except CitydipError:
            pass

    target.run_for(seconds, test)


TARGETS = {"rdf": fuzz_rdf, "csv": fuzz_csv, "climactor": fuzz_climactor, "dates": fuzz_dates, "params": fuzz_params}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="total time budget (default 60)")
    parser.add_argument("--target", choices=sorted(TARGETS), action="append", help="only these targets")
    args = parser.parse_args(argv)
    logging.getLogger("rdflib").setLevel(logging.CRITICAL)  # rdflib warns per odd IRI; not a crash
    names = args.target or list(TARGETS)
    share = args.seconds / len(names)
    failed = False
    with tempfile.TemporaryDirectory(prefix="citydip-fuzz-") as tmp:
        os.environ.setdefault("CITYDIP_STORE", str(Path(tmp) / "store"))
        for name in names:
            target = Target(name)
            started = time.monotonic()
            TARGETS[name](target, Path(tmp), share)
            print(f"fuzz {name:7} {target.cases:7d} cases  {time.monotonic() - started:6.1f} s  "
                  f"{len(target.crashes)} crashes")
            for crash in target.crashes:
                print(f"  crash: {crash[:2000]}")
            failed |= bool(target.crashes)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
