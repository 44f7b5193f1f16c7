#!/usr/bin/env python
"""Draw a seeded sample of the ClimActor rows the importer matched to a twinning city, for a person to check.

Runs the reconciliation of ``citydip import climactor`` (``climactor.Reconciler``: it ignores the cities
an earlier ClimActor import created, so the store may hold that import or not) on a store that holds the
three Wikidata twinning files, keeps the rows it matches, draws ``--sample`` of them with ``--seed``, and
prints for each: the file's line, name, country code and population; the graph city's IRI, labels and
country; the distance between the two points. An automatic check follows: how many sampled matches were
compared by coordinates, and how many of those lie within 5 km and within the rule's radius.

    python scripts/climactor_match_sample.py --store /tmp/kg \\
        ../shared/data/climactor-hsu2020/subnational_contextuals_database_Dec2022.csv [--sample 100] [--seed 14]

``scripts/climactor-match-sample-checked.csv`` holds the verdicts of a person who read the sample printed
by that command (the file's line, the graph city, verdict, note; no ClimActor data copied); with ``--checked FILE`` the script prints the precision they give.
The data is ClimActor's (Hsu et al. 2020; Manya et al. 2025): non-commercial use, cite it.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from citydiplomacy.core.store import open_store  # noqa: E402
from citydiplomacy.services.importing import climactor  # noqa: E402


def matched_rows(store_path: str, file: str) -> tuple[list[tuple], int]:
    """(line, name, iso, population, city, labels, country, distance) of every matched row; rows read."""
    store = open_store(store_path)
    reconciler = climactor.Reconciler(store)
    read = climactor.read_climactor(file)
    found = []
    for row in read.rows:
        if row.region or not row.memberships:
            continue
        match = reconciler.resolve(row, climactor.own_iri(row))
        if match.outcome == "matched":
            labels = sorted(label for label, cities in reconciler.cities.by_name.items() if match.iri in cities)
            country = sorted(reconciler.cities.countries.get(match.iri, {"(none)"}))[0]
            found.append((row.line, row.name, row.iso, row.population, match.iri, labels, country, match.distance))
    return found, len(read.rows)


def automatic_check(sample: list[tuple]) -> str:
    """How many sampled matches were compared by their points, and how close they lie."""
    compared = [item for item in sample if item[7] is not None]
    near = [item for item in compared if item[7] <= 5]
    within = [item for item in compared if item[7] <= climactor.radius_km(item[3])]
    return (
        f"automatic check: {len(compared)} of {len(sample)} compared by coordinates; "
        f"{len(near)} within 5 km, {len(within)} within the radius of the file's own population "
        f"({len(compared) - len(within)} matched thanks to the graph city's larger population)"
    )


def precision(checked: Path) -> str:
    """The share of the checked sample judged correct (verdict 'correct'; 'unsure' counts as not correct)."""
    with open(checked, newline="", encoding="utf-8") as handle:
        verdicts = [row["verdict"] for row in csv.DictReader(handle)]
    correct = verdicts.count("correct")
    return f"checked by hand: {correct} of {len(verdicts)} correct ({correct / len(verdicts):.0%}); " + ", ".join(
        f"{verdict} {verdicts.count(verdict)}" for verdict in sorted(set(verdicts))
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("file", help="the ClimActor CSV")
    parser.add_argument("--store", required=True, help="a store holding the three Wikidata twinning files")
    parser.add_argument("--sample", type=int, default=100)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--checked", type=Path, help="the verdicts file, to print the precision")
    args = parser.parse_args()
    found, rows = matched_rows(args.store, args.file)
    sample = sorted(random.Random(args.seed).sample(found, min(args.sample, len(found))))
    print(f"{len(found)} of {rows} rows matched to a twinning city; a sample of {len(sample)} (seed {args.seed}):")
    print("line\tClimActor name\tiso\tpopulation\tgraph city\tgraph labels\tgraph country\tdistance km")
    for line, name, iso, population, iri, labels, country, distance in sample:
        km = "-" if distance is None else f"{distance:.1f}"
        print(f"{line}\t{name}\t{iso}\t{population}\t{iri.rsplit('/', 1)[-1]}\t{' / '.join(labels)}\t{country}\t{km}")
    print(automatic_check(sample))
    if args.checked:
        print(precision(args.checked))
    print(climactor.CITATION)


if __name__ == "__main__":
    main()
