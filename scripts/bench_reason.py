#!/usr/bin/env python
"""Time `citydip reason` against graph size: where the --max-triples defaults come from.

Generates cities and twinning agreements shaped like the imported Wikidata extracts (per city:
type, two labels, Wikidata item, country, population, a geometry with its WKT; per agreement:
type, two partners, two statements, status, source and provenance), writes them to a Turtle
file and runs ``citydip reason --no-imported --data FILE`` on them in a subprocess (so the
packaged ontology and examples, about 3,800 triples, come on top), with a time limit per run.

    PYTHONPATH=src python scripts/bench_reason.py                        # 2k..40k data triples
    PYTHONPATH=src python scripts/bench_reason.py --sizes 5000,20000 --reasoners hermit --timeout 120
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import rdflib
from rdflib import Literal
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, XSD

from citydiplomacy.core.namespaces import CDO, CDR, GEO, WD, bind_prefixes


def generate(data_triples: int, seed: int = 7) -> rdflib.Graph:
    """About *data_triples* triples of cities and twinnings (14 per agreement, as in the imports)."""
    rng = random.Random(seed)
    graph = rdflib.Graph()
    bind_prefixes(graph)
    countries = [CDR[f"country/c{i}"] for i in range(60)]
    for i, country in enumerate(countries):
        graph.add((country, RDF.type, CDO.Country))
        graph.add((country, RDFS.label, Literal(f"Country {i}", lang="en")))
    agreements = max(1, data_triples // 14)
    cities = [CDR[f"city/Q{100000 + i}"] for i in range(max(2, int(agreements * 0.57)))]
    for i, city in enumerate(cities):
        geometry = CDR[f"city/Q{100000 + i}/geometry"]
        graph.add((city, RDF.type, CDO.City))
        graph.add((city, RDFS.label, Literal(f"City {i}")))
        graph.add((city, RDFS.label, Literal(f"City {i}", lang="en")))
        graph.add((city, CDO.wikidataItem, WD[f"Q{100000 + i}"]))
        graph.add((city, CDO.country, rng.choice(countries)))
        graph.add((city, CDO.population, Literal(rng.randint(1_000, 5_000_000), datatype=XSD.integer)))
        graph.add((city, GEO.hasGeometry, geometry))
        graph.add((geometry, RDF.type, GEO.Geometry))
        graph.add((geometry, GEO.asWKT, Literal(f"POINT({rng.uniform(-180, 180):.4f} {rng.uniform(-90, 90):.4f})",
                                                datatype=GEO.wktLiteral)))
    source = CDR["source/bench"]
    for i in range(agreements):
        a, b = rng.sample(cities, 2)
        twinning = CDR[f"twinning/bench-{i}"]
        graph.add((twinning, RDF.type, CDO.TwinningAgreement))
        for city in (a, b):
            graph.add((twinning, CDO.partner, city))
            graph.add((twinning, CDO.statedBy, city))
        graph.add((twinning, CDO.status, CDO.StatusUnknown))
        graph.add((twinning, DCTERMS.source, source))
        graph.add((twinning, PROV.wasDerivedFrom, source))
    return graph


def measure(path: Path, reasoner: str, timeout: float) -> dict:
    """One ``citydip reason`` run in a child process: seconds, peak memory (Java's included), the answer."""
    command = [sys.executable, "-m", "citydiplomacy", "--store", str(path.parent / "store"), "reason",
               "--reasoner", reasoner, "--no-imported", "--data", str(path), "--max-triples", "100000000",
               "--format", "json"]
    out_path, err_path = path.with_suffix(".out"), path.with_suffix(".err")
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        started = time.monotonic()
        child = subprocess.Popen(command, stdout=out, stderr=err, start_new_session=True)
        status, usage = _wait(child, started + timeout)
    seconds = round(time.monotonic() - started, 1)
    if status is None:
        return {"reasoner": reasoner, "seconds": None, "note": f"not finished in {timeout:g} s"}
    row = {"reasoner": reasoner, "seconds": seconds, "peak_rss_mb": usage.ru_maxrss // 1024}
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        return {**row, "note": err_path.read_text(errors="replace").strip()[-300:]}
    report = json.loads(out_path.read_text())
    return {**row, "consistent": report["consistent"], "input_triples": report["input_triples"],
            "added_triples": report["added_triples"]}


def _wait(child: subprocess.Popen, deadline: float):
    """(wait status, rusage) of *child* (its maximum RSS covers the Java it waited for), or (None, None)."""
    while time.monotonic() < deadline:
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            return status, usage
        time.sleep(0.2)
    os.killpg(child.pid, signal.SIGKILL)  # the child and the Java it started: its own session
    os.wait4(child.pid, 0)
    return None, None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2000,5000,10000,20000,40000", help="data triples, comma-separated")
    parser.add_argument("--reasoners", default="hermit,pellet,owlrl")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per run")
    args = parser.parse_args()
    given_up: set[str] = set()
    with tempfile.TemporaryDirectory(prefix="bench-reason-") as tmp:
        for size in (int(s) for s in args.sizes.split(",")):
            path = Path(tmp) / f"generated-{size}.ttl"
            generate(size).serialize(path, format="turtle")
            for reasoner in args.reasoners.split(","):
                if reasoner in given_up:  # a larger graph would only take longer
                    continue
                row = measure(path, reasoner, args.timeout)
                print(json.dumps({"data_triples": size, **row}), flush=True)
                if row["seconds"] is None:
                    given_up.add(reasoner)


if __name__ == "__main__":
    main()
