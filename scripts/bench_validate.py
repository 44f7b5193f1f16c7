#!/usr/bin/env python
"""Benchmark `citydip validate`'s engine on generated instance data (about 100k triples by default).

Generates cities, twinning agreements, memberships, activities and bids shaped like the
imported Wikidata data, with a share of deliberate errors (negative populations, end before
start, a partner that is not a city, missing status, duplicate pairs...), validates them with
citydiplomacy.services.validation.engine.validate_graph and prints the size, the seconds and what was found.

    python scripts/bench_validate.py                      # ~100k triples, RDFS inference
    python scripts/bench_validate.py --triples 20000 --inference none
"""

from __future__ import annotations

import argparse
import random
import time

import rdflib
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, XSD

from citydiplomacy.core.namespaces import CDO, CDR, GEO, ORG, WD, bind_prefixes
from citydiplomacy.core.ontology import load_ontology
from citydiplomacy.services.validation.engine import load_shapes, validate_graph

STATUSES = [CDO.StatusActive, CDO.StatusUnknown, CDO.StatusEnded, CDO.StatusProposed, CDO.StatusSuspended]
DIMENSIONS = [CDO.SecurityDimension, CDO.DevelopmentDimension, CDO.EconomyDimension,
              CDO.CultureDimension, CDO.NetworksDimension, CDO.RepresentationDimension]


def generate(target: int, error_rate: float, seed: int) -> tuple[rdflib.Graph, int]:
    """About *target* triples; returns the graph and the number of errors planted."""
    rng = random.Random(seed)
    g = rdflib.Graph()
    bind_prefixes(g)
    errors = 0

    def bad() -> bool:
        return rng.random() < error_rate

    # roughly: a city 9 triples, an agreement 7, so cities ~ target/25 and agreements ~ 2x cities
    n_cities = max(10, target // 25)
    countries = [CDR[f"country-{i}"] for i in range(50)]
    for c in countries:
        g.add((c, RDF.type, CDO.Country))
        g.add((c, RDFS.label, Literal(f"Country {c[-2:]}", lang="en")))
    cities = []
    for i in range(n_cities):
        city = CDR[f"city-Q{1000 + i}"]
        cities.append(city)
        geometry = BNode()
        g.add((city, RDF.type, CDO.City))
        g.add((city, RDFS.label, Literal(f"City {i}", lang="en")))
        g.add((city, CDO.country, rng.choice(countries)))
        g.add((city, GEO.hasGeometry, geometry))
        g.add((geometry, GEO.asWKT, Literal(f"POINT({rng.uniform(-180, 180):.4f} {rng.uniform(-90, 90):.4f})", datatype=GEO.wktLiteral)))
        population = rng.randint(10_000, 5_000_000)
        if bad():
            population, errors = -population, errors + 1
        g.add((city, CDO.population, Literal(population, datatype=XSD.integer)))
        item = WD[f"Q{1000 + i}"] if not bad() else URIRef(f"https://www.wikidata.org/wiki/Q{1000 + i}")
        errors += isinstance(item, URIRef) and "wiki/" in item
        g.add((city, CDO.wikidataItem, item))

    n_agreements = 2 * n_cities
    pairs = set()
    for i in range(n_agreements):
        a, b = rng.sample(cities, 2)
        if (a, b) in pairs or (b, a) in pairs:
            continue
        pairs.add((a, b))
        agreement = CDR[f"twinning-{i}"]
        g.add((agreement, RDF.type, CDO.TwinningAgreement))
        g.add((agreement, CDO.partner, a))
        if bad():
            b, errors = rng.choice(countries), errors + 1
        g.add((agreement, CDO.partner, b))
        g.add((agreement, CDO.statedBy, a))
        if not bad():
            g.add((agreement, CDO.status, rng.choice(STATUSES)))
        else:
            errors += 1
        g.add((agreement, DCTERMS.source, WD[f"Q{1000 + i}"]))
        start = rng.randint(1950, 2020)
        g.add((agreement, CDO.startDate, Literal(str(start), datatype=XSD.gYear)))
        if rng.random() < 0.1:
            end = start + rng.randint(1, 10) if not bad() else start - 1
            errors += end < start
            g.add((agreement, CDO.endDate, Literal(f"{end}-06-30", datatype=XSD.date)))
    # a few duplicate pairs
    for j, (a, b) in enumerate(sorted(pairs)[: max(1, int(len(pairs) * error_rate / 4))]):
        dup = CDR[f"twinning-dup-{j}"]
        for p, o in ((RDF.type, CDO.TwinningAgreement), (CDO.partner, a), (CDO.partner, b),
                     (CDO.status, CDO.StatusUnknown), (DCTERMS.source, WD.Q1)):
            g.add((dup, p, o))
        errors += 1

    network = CDR["network-1"]
    g.add((network, RDF.type, CDO.CityNetwork))
    g.add((network, RDFS.label, Literal("Network", lang="en")))
    for i, city in enumerate(cities[: n_cities // 4]):
        membership = CDR[f"membership-{i}"]
        g.add((membership, RDF.type, CDO.CityNetworkMembership))
        g.add((membership, ORG.member, city))
        organization = network if not bad() else cities[0]
        errors += organization != network
        g.add((membership, ORG.organization, organization))
        g.add((membership, CDO.startDate, Literal(str(rng.randint(1980, 2020)), datatype=XSD.gYear)))
    for i, city in enumerate(cities[: n_cities // 4]):
        activity = CDR[f"activity-{i}"]
        g.add((activity, RDF.type, CDO.DiplomaticActivity))
        dimension = rng.choice(DIMENSIONS) if not bad() else CDO.SportsDimension
        errors += dimension == CDO.SportsDimension
        g.add((activity, CDO.dimension, dimension))
        g.add((activity, CDO.performedBy, city))
        g.add((activity, CDO.date, Literal(str(rng.randint(1980, 2020)), datatype=XSD.gYear)))
    return g, errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=100_000, help="about how many triples to generate")
    parser.add_argument("--inference", choices=["none", "rdfs", "owlrl"], default="rdfs")
    parser.add_argument("--error-rate", type=float, default=0.02)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    started = time.perf_counter()
    graph, planted = generate(args.triples, args.error_rate, args.seed)
    generated = time.perf_counter() - started
    ontology = load_ontology()
    shapes = load_shapes("data")
    triples = len(graph)
    started, cpu = time.perf_counter(), time.process_time()
    report = validate_graph(graph, shapes=shapes, ontology=ontology, inference=args.inference, inplace=True)
    total, cpu = time.perf_counter() - started, time.process_time() - cpu
    counts = ", ".join(f"{report.counts.get(s, 0)} {s.lower()}" for s in ("Violation", "Warning", "Info"))
    print(f"generated {triples} triples in {generated:.1f} s ({planted} planted errors; some give more than one result)")
    print(f"validated {triples} triples (+{len(ontology)} ontology) with inference {args.inference} "
          f"in {total:.1f} s ({cpu:.1f} s CPU): {counts}")


if __name__ == "__main__":
    main()
