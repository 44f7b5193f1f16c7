#!/usr/bin/env python
"""Time the membership-layer figures at ClimActor's size, on generated data (no file is read).

14,400 cities, 70 networks sized like ClimActor's initiatives (the largest 10,641 members, as the
Global Covenant of Mayors in the Dec 2022 file), members drawn at random with a fixed seed, and
19,297 random twinning links among 25,000 cities (the shared P190 graph's size). Prints the seconds of
each step of ``analyze network --layer both``'s layer figures (services/analysis/layers.py) and the
projection's size, which is counted, never built. Usage::

    python scripts/bench_layers.py [--seed 1]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

import networkx as nx  # noqa: E402

from citydiplomacy.services.analysis import layers  # noqa: E402

LARGEST = [10641, 4349, 977, 628, 594, 547, 346, 287, 269, 167]  # members of ClimActor's largest initiatives


def generated(seed: int) -> tuple[layers.MembershipLayer, nx.Graph]:
    """A membership layer and a twinning network of the real data's sizes."""
    rnd = random.Random(seed)
    cities = [f"c{i}" for i in range(14400)]
    sizes = LARGEST + [rnd.randint(2, 150) for _ in range(60)]
    pairs = [(c, f"n{k}") for k, n in enumerate(sizes) for c in rnd.sample(cities, n)]
    twinning = nx.Graph()
    twinning.add_edges_from((f"c{rnd.randrange(25000)}", f"c{rnd.randrange(25000)}") for _ in range(19297))
    return layers.build_layer(pairs, set(cities), {}, False), twinning


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    layer, twinning = generated(args.seed)
    print(f"# {datetime.now(UTC):%Y-%m-%d} python scripts/bench_layers.py --seed {args.seed}")
    print(
        f"memberships {layer.links:,}, networks {len(layer.members_of)}, twinning links {twinning.number_of_edges():,}"
    )
    start = time.perf_counter()
    co_members = layers.co_member_counts(layer)
    steps = [("co-members of every city", time.perf_counter() - start)]
    start = time.perf_counter()
    summary = dict(layers.membership_summary(layer, co_members))
    steps.append(("membership summary", time.perf_counter() - start))
    start = time.perf_counter()
    layers.co_members_twinned(layer, twinning)
    steps.append(("co-members twinned", time.perf_counter() - start))
    start = time.perf_counter()
    union = dict(layers.union_summary(layer, twinning, co_members))
    steps.append(("union (2,000 path sources)", time.perf_counter() - start))
    for name, seconds in steps:
        print(f"{name:30} {seconds:7.2f} s")
    print(f"projection links counted: {summary['projection_links']:,}; union links: {union['union_links']:,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
