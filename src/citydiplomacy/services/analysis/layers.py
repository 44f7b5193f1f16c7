"""The second layer of flows: city-network memberships, beside the twinning network, and the two together.

membership layer = the bipartite graph of cities and the city networks they are members of (one link
per distinct city-network pair, whatever the years it was recorded), and its city projection: two
cities are linked when they share at least one network, weighted by the number of networks they share.
both = the union of the twinning links and the projection: a pair of cities is linked when they are
twinned or share a network; its weight is 1 for the twinning plus the number of shared networks.

A network of n members projects onto n(n-1)/2 city pairs (a covenant of 10,000 cities onto 50 million),
so the projection is never built as a graph: every figure of it is counted exactly from the cities'
network sets (cities with the same set share their co-members).

Co-members twinned: for each network, the pairs of its members that are in the twinning data (twinned
with someone), how many of them are twinned with each other, and the rate expected by chance -- the
twinned share of all pairs of cities of both layers (twinning links with both ends in both layers over
N(N-1)/2). A lift above 1 means co-members twin with each other more often than cities of both layers
do in general. Cities without any recorded twin are left out of both rates: their pairs cannot be seen
twinned, and counting them measures the two sources' coverage, not the cities' behaviour.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import networkx as nx

from citydiplomacy.core.citations import CLIMACTOR_CITATION

LAYERS = ("twinning", "membership", "both")


@dataclass
class MembershipLayer:
    """Who is a member of which network, cities only (a member that is a region is counted, then left out)."""

    networks_of: dict[str, frozenset[str]] = field(default_factory=dict)  # city -> its networks
    members_of: dict[str, set[str]] = field(default_factory=dict)  # network -> its member cities
    network_labels: dict[str, str] = field(default_factory=dict)
    non_city_members: int = 0  # distinct members that are not cdo:City (regions, ...), left out
    from_climactor: bool = False  # some memberships were read from the ClimActor file

    @property
    def links(self) -> int:
        """Distinct city-network pairs."""
        return sum(len(nets) for nets in self.networks_of.values())

    def citation(self) -> str | None:
        """The line to print under any output that shows this layer, when its data needs one."""
        return CLIMACTOR_CITATION if self.from_climactor and self.networks_of else None


def build_layer(
    pairs: list[tuple[str, str]], cities: set[str], labels: dict[str, str], from_climactor: bool
) -> MembershipLayer:
    """The layer from (member city, network) pairs, the store's cities and the networks' labels."""
    networks_of: dict[str, set[str]] = defaultdict(set)
    non_cities = set()
    for city, network in pairs:
        if city in cities:
            networks_of[city].add(network)
        else:
            non_cities.add(city)
    members_of: dict[str, set[str]] = defaultdict(set)
    for city, nets in networks_of.items():
        for network in nets:
            members_of[network].add(city)
    return MembershipLayer(
        {c: frozenset(n) for c, n in networks_of.items()},
        dict(members_of),
        {n: labels.get(n, n.rsplit("/", 1)[-1]) for n in members_of},
        len(non_cities),
        from_climactor,
    )


def bipartite_graph(layer: MembershipLayer) -> nx.Graph:
    """Cities (bipartite=0) and networks (bipartite=1), one edge per membership."""
    b = nx.Graph()
    b.add_nodes_from(layer.networks_of, bipartite=0)
    b.add_nodes_from(layer.members_of, bipartite=1)
    b.add_edges_from((c, n) for c, nets in layer.networks_of.items() for n in nets)
    return b


def co_member_counts(layer: MembershipLayer) -> dict[str, int]:
    """City -> how many other cities share at least one network with it (its degree in the projection).

    Cities with the same set of networks have the same co-members: one union per distinct set."""
    by_set: dict[frozenset[str], int] = {}
    for nets in set(layer.networks_of.values()):
        together: set[str] = set()
        for network in nets:
            together |= layer.members_of[network]
        by_set[nets] = len(together) - 1
    return {city: by_set[nets] for city, nets in layer.networks_of.items()}


def share_a_network(layer: MembershipLayer, a: str, b: str) -> bool:
    """Whether cities *a* and *b* are members of a common network."""
    return not layer.networks_of.get(a, frozenset()).isdisjoint(layer.networks_of.get(b, frozenset()))


@dataclass
class CoMembers:
    """One network's row of the co-members-twinned analysis."""

    network: str
    label: str
    members: int
    members_twinned: int  # members with at least one twin: the pairs are counted among them
    pairs: int
    twinned_pairs: int
    rate: float | None
    expected_rate: float | None
    lift: float | None


def co_members_twinned(layer: MembershipLayer, twinning: nx.Graph) -> tuple[list[CoMembers], dict[str, object]]:
    """Per network: its members, the pairs of those that are twinned with someone, how many of those pairs
    are twinned with each other, the rate, the chance rate and the lift; and the baseline's parts.

    Only cities of both layers count: a pair can be seen twinned only when both cities are in the
    twinning data, and cities in networks with no recorded twin at all (most of ClimActor's, outside the
    Wikidata extracts) would lower both rates by coverage, not by behaviour. The chance rate is the
    twinned share of all pairs of cities of both layers."""
    observed = {c: nets for c, nets in layer.networks_of.items() if c in twinning and twinning.degree(c) > 0}
    links = [(u, v) for u, v in twinning.edges if u in observed and v in observed and u != v]
    n = len(observed)
    all_pairs = n * (n - 1) // 2
    expected = len(links) / all_pairs if all_pairs else None
    twinned: Counter = Counter()
    for u, v in links:
        for network in observed[u] & observed[v]:
            twinned[network] += 1
    seen = Counter(network for nets in observed.values() for network in nets)
    rows = []
    for network, members in layer.members_of.items():
        pairs = seen[network] * (seen[network] - 1) // 2
        rate = twinned[network] / pairs if pairs else None
        lift = rate / expected if rate is not None and expected else None
        label = layer.network_labels[network]
        rows.append(
            CoMembers(network, label, len(members), seen[network], pairs, twinned[network], rate, expected, lift)
        )
    rows.sort(key=lambda r: (-(r.lift if r.lift is not None else -1.0), -r.members, r.label))
    baseline: dict[str, object] = {
        "cities_both_layers": n,
        "pairs_both_layers": all_pairs,
        "twinned_pairs_both_layers": len(links),
        "expected_rate": expected,
    }
    return rows, baseline


def _spread(values: list[int]) -> tuple[float | None, float | None, int | None]:
    """Mean, median and maximum of *values* (None when empty)."""
    if not values:
        return None, None, None
    return statistics.fmean(values), statistics.median(values), max(values)


def membership_summary(layer: MembershipLayer, co_members: dict[str, int]) -> list[tuple[str, object]]:
    """metric,value rows of the bipartite graph and of its city projection."""
    per_city = [len(n) for n in layer.networks_of.values()]
    per_network = [len(m) for m in layer.members_of.values()]
    cities, networks = len(per_city), len(per_network)
    b = bipartite_graph(layer)
    components = sorted((c for c in nx.connected_components(b)), key=len, reverse=True)
    largest_cities = sum(1 for node in components[0] if node in layer.networks_of) if components else 0
    projection_links = sum(co_members.values()) // 2
    mean_nets, median_nets, max_nets = _spread(per_city)
    mean_size, median_size, max_size = _spread(per_network)
    largest = max(layer.members_of, key=lambda k: (len(layer.members_of[k]), k), default=None)
    several = sum(1 for k in per_city if k >= 2)
    return [
        ("membership_cities", cities),
        ("membership_networks", networks),
        ("membership_links", sum(per_city)),
        ("members_not_cities_left_out", layer.non_city_members),
        ("mean_networks_per_city", mean_nets),
        ("median_networks_per_city", median_nets),
        ("max_networks_per_city", max_nets),
        ("cities_in_two_or_more_networks", several),
        ("share_in_two_or_more_networks", several / cities if cities else None),
        ("mean_members_per_network", mean_size),
        ("median_members_per_network", median_size),
        ("max_members_per_network", max_size),
        ("largest_network", layer.network_labels[largest] if largest else None),
        ("bipartite_density", sum(per_city) / (cities * networks) if cities and networks else None),
        ("bipartite_components", len(components)),
        ("bipartite_largest_component_cities", largest_cities),
        ("projection_links", projection_links),
        ("projection_density", projection_links / (cities * (cities - 1) / 2) if cities > 1 else None),
        ("projection_mean_degree", 2 * projection_links / cities if cities else None),
    ]


def union_summary(
    layer: MembershipLayer, twinning: nx.Graph, co_members: dict[str, int], path_sample: int = 2000, seed: int = 42
) -> list[tuple[str, object]]:
    """metric,value rows of the two layers together: overlap of their cities and links, the union's size,
    components and mean distance, and the correlation of twinning degree with network count."""
    twinned, members = set(twinning.nodes), set(layer.networks_of)
    both, union = twinned & members, twinned | members
    co_twinned = sum(1 for u, v in twinning.edges if share_a_network(layer, u, v))
    union_links = sum(co_members.values()) // 2 + twinning.number_of_edges() - co_twinned
    sizes = _union_components(layer, twinning)
    return [
        ("cities_either_layer", len(union)),
        ("cities_both_layers", len(both)),
        ("cities_twinning_only", len(twinned - members)),
        ("cities_membership_only", len(members - twinned)),
        ("city_overlap_jaccard", len(both) / len(union) if union else None),
        ("twinning_links_between_co_members", co_twinned),
        ("share_of_twinning_links_between_co_members", co_twinned / twinning.number_of_edges() if twinning else None),
        ("union_links", union_links),
        ("union_components", len(sizes)),
        ("union_largest_component_cities", sizes[0] if sizes else 0),
        ("union_largest_component_share", sizes[0] / len(union) if union else None),
        *_union_paths(layer, twinning, path_sample, seed),
        ("spearman_twinning_degree_network_count", _degree_network_correlation(layer, twinning, union)),
        # among the cities of both layers only: the others' zeros say where each source looked, not flows
        ("spearman_twinning_degree_network_count_both_layers", _degree_network_correlation(layer, twinning, both)),
    ]


def _union_components(layer: MembershipLayer, twinning: nx.Graph) -> list[int]:
    """Sizes (in cities) of the connected components of the union, largest first: a network joins its
    members as one star does (the same components as its clique, without building it)."""
    g = nx.Graph(twinning.edges)
    g.add_nodes_from(twinning.nodes)
    g.add_nodes_from(layer.networks_of)
    for network, members in layer.members_of.items():
        g.add_edges_from((("network", network), city) for city in members)
    sizes = [sum(1 for node in comp if not isinstance(node, tuple)) for comp in nx.connected_components(g)]
    return sorted((s for s in sizes if s), reverse=True)


def _union_paths(layer: MembershipLayer, twinning: nx.Graph, sample: int, seed: int) -> list[tuple[str, object]]:
    """Mean shortest path between cities of the union's largest component (exact up to *sample* cities,
    else from *sample* seeded sources). The union is searched without building the projection: each
    network is a node joined to its members by links of length 1/2, so city - network - city is one
    step, as the projected link is, and a twinning link is one step."""
    import random

    import numpy as np
    from scipy.sparse.csgraph import dijkstra

    g = nx.Graph()
    g.add_edges_from(twinning.edges, weight=1.0)
    g.add_edges_from(((c, ("network", n)) for n, m in layer.members_of.items() for c in m), weight=0.5)
    if g.number_of_nodes() == 0:
        return [("union_mean_shortest_path", None), ("union_mean_shortest_path_sources", 0)]
    largest = max(nx.connected_components(g), key=len)
    nodes = sorted(largest, key=str)
    index = {node: i for i, node in enumerate(nodes)}
    cities = [index[n] for n in nodes if not isinstance(n, tuple)]
    matrix = nx.to_scipy_sparse_array(g.subgraph(largest), nodelist=nodes, weight="weight", format="csr")
    sources = cities if len(cities) <= sample else random.Random(seed).sample(cities, sample)
    total, pairs = 0.0, 0
    for start in range(0, len(sources), 200):
        dist = dijkstra(matrix, directed=False, indices=sources[start : start + 200])[:, cities]
        total += float(dist.sum())
        pairs += int(np.count_nonzero(dist))
    return [
        ("union_mean_shortest_path", total / pairs if pairs else None),
        ("union_mean_shortest_path_sources", len(sources)),
    ]


def _degree_network_correlation(layer: MembershipLayer, twinning: nx.Graph, cities: set[str]) -> float | None:
    """Spearman correlation of twinning degree and network count over *cities*."""
    degrees = [twinning.degree(c) if c in twinning else 0 for c in cities]
    counts = [len(layer.networks_of.get(c, ())) for c in cities]
    if len(cities) <= 2 or len(set(degrees)) < 2 or len(set(counts)) < 2:
        return None
    from scipy.stats import spearmanr

    return float(spearmanr(degrees, counts).statistic)
