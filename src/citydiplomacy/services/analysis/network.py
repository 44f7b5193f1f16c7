"""The twinning network: read from the graph by SPARQL into networkx, and its figures.

Nodes are cities (a partner that is a local government stands for the city it governs), edges are
distinct pairs of cities with at least one cdo:TwinningAgreement between them (an undirected, simple
graph: several agreements between the same pair, or one statement from each side, make one edge).
Self-twinnings are dropped and counted.
"""

from __future__ import annotations

import math
import random
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import networkx as nx
import pyoxigraph

from citydiplomacy.core.citations import climactor_citation
from citydiplomacy.core.errors import CitydipError
from citydiplomacy.core.labels import label_rank
from citydiplomacy.core.namespaces import GRAPH_DATA, PREFIXES
from citydiplomacy.core.store import select
from citydiplomacy.services.analysis.layers import MembershipLayer, build_layer

SEED = 42

_PREFIXES = {k: PREFIXES[k] for k in ("cdo", "rdf", "rdfs", "geo", "org", "wdt", "xsd")}

# A partner that is a local government counts as the city it governs (mapped in Python: an OPTIONAL
# in the partner query made it several times slower on the real data).
Q_GOVERNS = "SELECT ?lg ?city WHERE { { ?lg cdo:governs ?city } UNION { ?city cdo:governedBy ?lg } }"

Q_PARTNERS = """
SELECT ?a ?p WHERE { ?a a/rdfs:subClassOf* cdo:TwinningAgreement ; cdo:partner|cdo:statedBy ?p }
"""

Q_CITIES = "SELECT DISTINCT ?c WHERE { ?c a/rdfs:subClassOf* cdo:City }"
Q_LABELS = "SELECT ?c ?l WHERE { ?c a/rdfs:subClassOf* cdo:City ; rdfs:label ?l }"
Q_COUNTRIES = """
SELECT ?c ?k ?kl WHERE { ?c a/rdfs:subClassOf* cdo:City ; cdo:country ?k . OPTIONAL { ?k rdfs:label ?kl } }
"""
Q_POPULATION = "SELECT ?c ?n WHERE { ?c a/rdfs:subClassOf* cdo:City ; cdo:population ?n }"
Q_WKT = "SELECT ?c ?w WHERE { ?c a/rdfs:subClassOf* cdo:City ; geo:hasGeometry/geo:asWKT ?w }"
Q_MEMBERSHIPS = """
SELECT ?p ?o WHERE { ?m a/rdfs:subClassOf* cdo:CityNetworkMembership ; org:member ?p ; org:organization ?o }
"""
Q_NETWORK_LABELS = """
SELECT DISTINCT ?o ?l WHERE { ?m a/rdfs:subClassOf* cdo:CityNetworkMembership ; org:organization ?o . ?o rdfs:label ?l }
"""
# Capital status: Wikidata's own properties (P36 capital, P1376 capital of), when the data carries them.
Q_CAPITALS = """
SELECT ?k ?c WHERE { { ?k wdt:P36 ?c } UNION { ?c wdt:P1376 ?k } }
"""


@dataclass
class TwinningData:
    """The network and what the graph says about its cities."""

    graph: nx.Graph
    agreements: int = 0
    self_twinnings: int = 0
    malformed: int = 0
    cities_without_twinning: int = 0
    capitals: dict[str, set[str]] = field(default_factory=dict)  # country IRI -> capital city IRIs
    membership_data: bool = False
    layer: MembershipLayer = field(default_factory=MembershipLayer)  # the city-network memberships
    # the cities of the membership layer that have no twin, with the same node attributes (no edges)
    membership_only: nx.Graph = field(default_factory=nx.Graph)


def _value(term) -> str:
    """The lexical value of a term of a query row (IRI or literal)."""
    return term.value


def _rows(store: pyoxigraph.Store, query: str, graphs: Sequence[str] | None) -> Iterable:
    """Rows of *query* over the union of the store's graphs, or over *graphs* only if named."""
    kwargs: dict = {"prefixes": _PREFIXES}
    if graphs:
        kwargs["default_graph"] = [pyoxigraph.NamedNode(g) for g in graphs]
    else:
        kwargs["use_default_graph_as_union"] = True
    try:
        yield from select(store, query, **kwargs)
    except (SyntaxError, OSError) as exc:  # pragma: no cover - our own queries
        raise CitydipError(f"querying the store failed: {exc}", 3) from None


def parse_point(wkt: str) -> tuple[float, float] | None:
    """(lon, lat) from a WKT ``POINT(lon lat)`` (with an optional CRS IRI in front), else None."""
    text = wkt.strip()
    if text.startswith("<"):
        text = text.split(">", 1)[-1].strip()
    upper = text.upper()
    if not upper.startswith("POINT"):
        return None
    inside = text[text.find("(") + 1 : text.rfind(")")].split()
    try:
        lon, lat = float(inside[0]), float(inside[1])
    except (IndexError, ValueError):
        return None
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        return None
    return lon, lat


def load_twinning(
    store: pyoxigraph.Store, graphs: Sequence[str] | None = None, advance=lambda n=1: None, lang: str = "en"
) -> TwinningData:
    """Build the twinning network from *store* (the union of its graphs, or only *graphs*); labels in *lang*.

    Three steps: read the agreements' partners, build the graph of city pairs, then attach what the
    store says about each city. *advance* is called eight times, for a progress bar.
    """
    governed = _governed_cities(store, graphs)
    partners = _agreement_partners(store, graphs, governed)
    advance()
    data = _network_of_pairs(partners)
    advance()
    known_cities = {_value(r["c"]) for r in _rows(store, Q_CITIES, graphs)}
    data.cities_without_twinning = len(known_cities - set(data.graph.nodes))
    data.layer = _membership_layer(store, graphs, governed, known_cities, lang)
    data.membership_only.add_nodes_from(c for c in data.layer.networks_of if c not in data.graph)
    nodes = set(data.graph) | set(data.membership_only)
    facts = _read_city_facts(store, graphs, nodes, data.layer, advance, lang)
    data.membership_data = bool(facts.memberships)
    data.capitals = _capitals(store, graphs)
    advance()
    _annotate_cities(data.graph, facts, data.capitals)
    _annotate_cities(data.membership_only, facts, data.capitals)
    return data


def _membership_layer(store, graphs, governed: dict[str, str], cities: set[str], lang: str) -> MembershipLayer:
    """The memberships of cities in networks (a local government's count for its city), networks named in *lang*."""
    pairs = []
    for row in _rows(store, Q_MEMBERSHIPS, graphs):
        p = _value(row["p"])
        pairs.append((governed.get(p, p), _value(row["o"])))
    best: dict[str, tuple] = {}
    for row in _rows(store, Q_NETWORK_LABELS, graphs):
        _keep_best(best, _value(row["o"]), row["l"], lang)
    from_climactor = climactor_citation(store, graphs) is not None
    return build_layer(pairs, cities, {k: text for k, (_, text) in best.items()}, from_climactor)


def _governed_cities(store: pyoxigraph.Store, graphs: Sequence[str] | None) -> dict[str, str]:
    """Local government IRI -> the city it governs, so that a partner counts as its city."""
    governed: dict[str, str] = {}
    for row in _rows(store, Q_GOVERNS, graphs):
        governed.setdefault(_value(row["lg"]), _value(row["city"]))
    return governed


def _agreement_partners(
    store: pyoxigraph.Store, graphs: Sequence[str] | None, governed: dict[str, str]
) -> dict[str, set[str]]:
    """Agreement IRI -> the distinct cities it joins (a partner or a stating side, government mapped)."""
    partners: dict[str, set[str]] = defaultdict(set)
    for row in _rows(store, Q_PARTNERS, graphs):
        p = _value(row["p"])
        partners[_value(row["a"])].add(governed.get(p, p))
    return partners


def _network_of_pairs(partners: dict[str, set[str]]) -> TwinningData:
    """One edge per agreement of exactly two cities; the others are counted, not drawn."""
    g = nx.Graph()
    data = TwinningData(graph=g, agreements=len(partners))
    for pair in partners.values():
        if len(pair) == 1:
            data.self_twinnings += 1
            continue
        if len(pair) != 2:
            data.malformed += 1
            continue
        a, b = sorted(pair)
        g.add_edge(a, b)
    return data


@dataclass
class _CityFacts:
    """What the store says about the cities of the network, before it becomes node attributes."""

    labels: dict[str, str]
    countries: dict[str, str]
    country_labels: dict[str, str]
    population: dict[str, int]
    coords: dict[str, tuple[float, float]]
    memberships: dict[str, set[str]]


def _read_city_facts(store, graphs, g, layer: MembershipLayer, advance, lang: str = "en") -> _CityFacts:
    """Labels (in *lang* first), countries, populations and points of the cities *g* (a graph or a set),
    one query each, and their memberships from *layer* (five advances)."""
    labels = _city_labels(store, graphs, g, lang)
    advance()
    countries, country_labels = _city_countries(store, graphs, g, lang)
    advance()
    population = _city_populations(store, graphs, g)
    advance()
    coords = _city_points(store, graphs, g)
    advance()
    memberships = {city: set(nets) for city, nets in layer.networks_of.items()}
    advance()
    return _CityFacts(labels, countries, country_labels, population, coords, memberships)


def _label_choice(literal, lang: str = "en") -> tuple:
    """Sort key of a label: core.labels' preference for *lang*, alphabetical among equals (stable)."""
    return (label_rank(getattr(literal, "language", None), lang), literal.value)


def _keep_best(best: dict[str, tuple], key: str, literal, lang: str = "en") -> None:
    """Keep in *best* the preferred label of *key* seen so far."""
    candidate = _label_choice(literal, lang)
    if key not in best or candidate < best[key]:
        best[key] = candidate


def _city_labels(store, graphs, g, lang: str = "en") -> dict[str, str]:
    """The preferred label of each city in *g* that has one."""
    best: dict[str, tuple] = {}
    for row in _rows(store, Q_LABELS, graphs):
        c = _value(row["c"])
        if c in g:
            _keep_best(best, c, row["l"], lang)
    return {c: text for c, (_, text) in best.items()}


def _city_countries(store, graphs, g, lang: str = "en") -> tuple[dict[str, str], dict[str, str]]:
    """City -> its country (the smallest IRI if several), and country -> its preferred label."""
    countries: dict[str, str] = {}
    best: dict[str, tuple] = {}
    for row in _rows(store, Q_COUNTRIES, graphs):
        c, k = _value(row["c"]), _value(row["k"])
        if c in g and (c not in countries or k < countries[c]):
            countries[c] = k
        if row["kl"] is not None:
            _keep_best(best, k, row["kl"], lang)
    return countries, {k: text for k, (_, text) in best.items()}


def _city_populations(store, graphs, g) -> dict[str, int]:
    """The largest non-negative population stated for each city (unreadable numbers are skipped)."""
    population: dict[str, int] = {}
    for row in _rows(store, Q_POPULATION, graphs):
        c = _value(row["c"])
        if c not in g:
            continue
        try:
            n = int(float(row["n"].value))
        except ValueError:
            continue
        if n >= 0:
            population[c] = max(n, population.get(c, 0))
    return population


def _city_points(store, graphs, g) -> dict[str, tuple[float, float]]:
    """The first readable WKT point of each city, as (lon, lat)."""
    coords: dict[str, tuple[float, float]] = {}
    for row in _rows(store, Q_WKT, graphs):
        c = _value(row["c"])
        if c in g and c not in coords:
            point = parse_point(row["w"].value)
            if point:
                coords[c] = point
    return coords


def _capitals(store, graphs) -> dict[str, set[str]]:
    """Country IRI -> its capital cities, from Wikidata's P36 / P1376 where the data has them."""
    capitals: dict[str, set[str]] = {}
    for row in _rows(store, Q_CAPITALS, graphs):
        capitals.setdefault(_value(row["k"]), set()).add(_value(row["c"]))
    return capitals


def _local_name(iri: str) -> str:
    """The last path segment of *iri*: the fallback label of a city or country without one."""
    return iri.rsplit("/", 1)[-1]


def _annotate_cities(g: nx.Graph, facts: _CityFacts, capitals: dict[str, set[str]]) -> None:
    """Write the node attributes that the figures and the cityness scores read."""
    for node in g.nodes:
        attrs = g.nodes[node]
        k = facts.countries.get(node)
        attrs["label"] = facts.labels[node] if node in facts.labels else _local_name(node)
        attrs["country"] = k
        attrs["country_label"] = facts.country_labels.get(k, _local_name(k)) if k else None
        attrs["population"] = facts.population.get(node)
        lonlat = facts.coords.get(node)
        attrs["lon"], attrs["lat"] = lonlat if lonlat else (None, None)
        attrs["memberships"] = len(facts.memberships.get(node, ()))
        attrs["capital"] = node in capitals[k] if k and k in capitals else None


# ---------------------------------------------------------------- reading --data files


def store_from_files(paths: Sequence[str], input_format: str | None = None) -> pyoxigraph.Store:
    """An in-memory store holding the RDF files *paths* (each parsed by Oxigraph; on a syntax error the
    file is read again through :func:`citydiplomacy.core.rdfio.read_rdf` for a FILE:LINE:COL message)."""
    from citydiplomacy.core.rdfio import load_into_store

    store = pyoxigraph.Store()
    load_into_store(store, paths, GRAPH_DATA, input_format)
    return store


# ---------------------------------------------------------------- figures


@dataclass
class NetworkFigures:
    """What ``citydip analyze network`` reports: metric rows, the degree histogram and three tables."""

    summary: list[tuple[str, object]]
    degree_counts: list[tuple[int, int]]
    cities: list[dict]
    countries: list[dict]
    country_pairs: list[dict]


Rows = list[tuple[str, object]]


def _safe(value: float) -> float | None:
    """None for an undefined figure (NaN), so the report shows it as empty rather than 'nan'."""
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def _coefficient(compute) -> float | None:
    """``compute()`` as a float, or None where networkx cannot define it (no variance, NaN): the
    assortativity coefficients warn and divide by zero on such graphs, which is an answer, not an error."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return _safe(float(compute()))
        except (ZeroDivisionError, ValueError):
            return None


def mean_shortest_path(g: nx.Graph, sample: int, seed: int = SEED) -> tuple[float | None, int, int, bool]:
    """Mean shortest-path length over the reachable pairs of the connected graph *g*.

    Exact (all sources) when *g* has at most *sample* nodes; otherwise breadth-first search from
    *sample* sources drawn with a fixed seed. Returns (mean, sources used, longest path seen, exact?).
    The searches run in scipy's compiled csgraph, in chunks so memory stays small.
    """
    import numpy as np
    from scipy.sparse.csgraph import shortest_path

    n = g.number_of_nodes()
    if n < 2:
        return None, 0, 0, True
    nodes = sorted(g.nodes)
    exact = n <= sample
    sources = nodes if exact else random.Random(seed).sample(nodes, sample)
    position = {node: i for i, node in enumerate(nodes)}
    matrix = nx.to_scipy_sparse_array(g, nodelist=nodes, format="csr")
    total = 0.0
    pairs = longest = 0
    for start in range(0, len(sources), 200):
        chunk = [position[s] for s in sources[start : start + 200]]
        dist = shortest_path(matrix, method="D", unweighted=True, directed=False, indices=chunk)
        finite = dist[np.isfinite(dist)]
        total += float(finite.sum())
        pairs += int(finite.size) - len(chunk)
        longest = max(longest, int(finite.max()))
    return (total / pairs if pairs else None), len(sources), longest, exact


def compute_network(
    data: TwinningData, sample: int = 250, path_sample: int = 2000, seed: int = SEED, advance=lambda n=1: None
) -> NetworkFigures:
    """All the figures of ``citydip analyze network`` for *data* (see the module docstring).

    One function per family of figures, each returning its metric rows in the order of the report;
    *advance* is called six times, for a progress bar.
    """
    g = data.graph
    components = sorted(nx.connected_components(g), key=lambda c: (-len(c), min(c)))
    lcc = g.subgraph(components[0]).copy() if components else nx.Graph()
    summary = _input_counts(data) + _size_and_degree(g, components, lcc)
    advance()
    summary += _clustering(g)
    advance()
    summary += _mixing_and_cliques(g)
    advance()
    summary += _path_figures(lcc, path_sample, seed)
    advance()
    betweenness, rows = _betweenness(g, sample, seed)
    summary += rows
    advance()
    eigen = _eigenvector(lcc)
    summary.append(("sampling_seed", seed))
    advance()
    cities = _city_rows(g, components, lcc, betweenness, eigen)
    borders = _count_borders(g)
    summary += borders.summary_rows()
    label_of = _country_labels(g)
    degree_counts = sorted(Counter(d for _, d in g.degree()).items())
    return NetworkFigures(
        summary, degree_counts, cities, _country_rows(borders, label_of), _country_pair_rows(borders, label_of)
    )


def _input_counts(data: TwinningData) -> Rows:
    """What was read and what was left out of the graph, so the figures can be traced to the data."""
    return [
        ("agreements", data.agreements),
        ("self_twinnings_dropped", data.self_twinnings),
        ("agreements_without_two_partners", data.malformed),
        ("cities", data.graph.number_of_nodes()),
        ("links", data.graph.number_of_edges()),
        ("cities_without_twinning_not_in_network", data.cities_without_twinning),
    ]


def _size_and_degree(g: nx.Graph, components: list[set], lcc: nx.Graph) -> Rows:
    """Components, the largest one, degrees and density."""
    n, m = g.number_of_nodes(), g.number_of_edges()
    degrees = [d for _, d in g.degree()]
    return [
        ("connected_components", len(components)),
        ("largest_component_cities", lcc.number_of_nodes()),
        ("largest_component_links", lcc.number_of_edges()),
        ("largest_component_share_of_cities", lcc.number_of_nodes() / n if n else None),
        ("mean_degree", 2 * m / n if n else None),
        ("median_degree", statistics.median(degrees) if degrees else None),
        ("max_degree", max(degrees) if degrees else None),
        ("density", nx.density(g) if n > 1 else None),
    ]


def _clustering(g: nx.Graph) -> Rows:
    """Local (averaged) and global clustering: do a city's partners twin with each other?"""
    n = g.number_of_nodes()
    return [
        ("average_clustering", nx.average_clustering(g) if n else None),
        ("transitivity_global_clustering", nx.transitivity(g) if n else None),
    ]


def _mixing_and_cliques(g: nx.Graph) -> Rows:
    """Degree assortativity, the largest clique, then who twins with whom (country, size)."""
    assort = _coefficient(lambda: nx.degree_assortativity_coefficient(g)) if g.number_of_edges() > 0 else None
    # the largest clique: a city network formalised as all-pairs twinning (e.g. the Douzelage) shows here
    largest_clique: list = max(nx.find_cliques(g), key=len, default=[])
    return [
        ("degree_assortativity", assort),
        ("largest_clique_cities", len(largest_clique)),
        *_attribute_assortativity(g),
    ]


def _attribute_assortativity(g: nx.Graph) -> Rows:
    """Country assortativity (do cities twin at home?) and log-population assortativity (with peers of
    their size, a horizontal tie, or up and down the hierarchy?), on the links whose ends are known."""
    sub = g.subgraph([n for n in g if g.nodes[n].get("country")])
    country = (
        _coefficient(lambda: nx.attribute_assortativity_coefficient(sub, "country")) if sub.number_of_edges() else None
    )
    logpop = {n: math.log10(g.nodes[n]["population"]) for n in g if g.nodes[n].get("population")}
    ends = [(logpop[u], logpop[v]) for u, v in g.edges if u in logpop and v in logpop]
    return [
        ("country_assortativity", country),
        ("log_population_assortativity", _pearson_both_directions(ends)),
        ("links_with_both_populations_known", len(ends)),
        ("spearman_population_degree", _population_degree_correlation(g, list(logpop))),
    ]


def _pearson_both_directions(ends: list[tuple[float, float]]) -> float | None:
    """Newman's numeric assortativity: the Pearson correlation of the values at the two ends of every
    link, counted in both directions. numpy computes it directly (networkx builds a value-by-value
    mixing matrix, which is slow for thousands of distinct populations)."""
    import numpy as np

    if len(ends) <= 1:
        return None
    x = np.array([a for a, b in ends] + [b for a, b in ends])
    y = np.array([b for a, b in ends] + [a for a, b in ends])
    return _safe(float(np.corrcoef(x, y)[0, 1])) if x.std() > 0 else None


def _population_degree_correlation(g: nx.Graph, with_pop: list[str]) -> float | None:
    """Do big places have more flows? Spearman rank correlation of population and degree."""
    if len(with_pop) <= 2:
        return None
    from scipy.stats import spearmanr

    pops = [g.nodes[n]["population"] for n in with_pop]
    degs = [g.degree(n) for n in with_pop]
    if len(set(pops)) > 1 and len(set(degs)) > 1:
        return _safe(float(spearmanr(pops, degs).statistic))
    return None


def _path_figures(lcc: nx.Graph, path_sample: int, seed: int) -> Rows:
    """Mean and longest shortest path in the largest component (sampled on large graphs)."""
    mean_path, sources, longest, exact = mean_shortest_path(lcc, path_sample, seed)
    return [
        ("largest_component_mean_shortest_path", mean_path),
        ("mean_shortest_path_sources", sources),
        ("mean_shortest_path_exact", exact),
        ("longest_shortest_path_seen", longest),
    ]


def _betweenness(g: nx.Graph, sample: int, seed: int) -> tuple[dict, Rows]:
    """Betweenness of every city (from *sample* seeded sources on large graphs) and how it was computed."""
    n = g.number_of_nodes()
    exact = n <= sample
    betweenness = nx.betweenness_centrality(g, k=None if exact else sample, seed=seed) if n else {}
    return betweenness, [("betweenness_exact", exact), ("betweenness_sources", n if exact else sample)]


def _eigenvector(lcc: nx.Graph) -> dict:
    """Eigenvector centrality in the largest component (defined there only; uniform for one or two cities)."""
    size = lcc.number_of_nodes()
    if size > 2:
        try:
            return nx.eigenvector_centrality_numpy(lcc, max_iter=1000)
        except (nx.NetworkXException, ArithmeticError):  # pragma: no cover - defensive
            return {}
    return {node: 1 / math.sqrt(size) for node in lcc} if size else {}


def _city_rows(g: nx.Graph, components: list[set], lcc: nx.Graph, betweenness: dict, eigen: dict) -> list[dict]:
    """One row per city, most partners first."""
    component_of = {node: i for i, comp in enumerate(components) for node in comp}
    cities = []
    for node in g.nodes:
        a = g.nodes[node]
        cities.append(
            {
                "city": node,
                "label": a.get("label"),
                "country": a.get("country_label"),
                "country_iri": a.get("country"),
                "population": a.get("population"),
                "lon": a.get("lon"),
                "lat": a.get("lat"),
                "degree": g.degree(node),
                "clustering": nx.clustering(g, node),
                "betweenness": betweenness.get(node, 0.0),
                "eigenvector": eigen.get(node) if node in lcc else None,
                "component": component_of[node] + 1,
                "memberships": a.get("memberships", 0),
            }
        )
    cities.sort(key=lambda r: (-r["degree"], r["label"] or "", r["city"]))
    return cities


@dataclass
class _Borders:
    """Links counted by the countries at their ends: domestic, cross-border, or with an end unknown."""

    per_country: dict[str, dict] = field(default_factory=dict)
    pairs: Counter = field(default_factory=Counter)
    domestic: int = 0
    cross: int = 0
    unknown: int = 0

    def country(self, iri: str) -> dict:
        """The counters of the country *iri*, created at its first link or city."""
        return self.per_country.setdefault(iri, {"cities": set(), "links": 0, "domestic": 0, "cross_border": 0})

    def summary_rows(self) -> Rows:
        """Domestic against cross-border links, as metric rows."""
        known = self.domestic + self.cross
        return [
            ("links_with_both_countries_known", known),
            ("links_with_a_country_unknown", self.unknown),
            ("domestic_links", self.domestic),
            ("cross_border_links", self.cross),
            ("domestic_share", self.domestic / known if known else None),
            ("cross_border_share", self.cross / known if known else None),
            ("countries", len(self.per_country)),
        ]


def _count_borders(g: nx.Graph) -> _Borders:
    """Count every link as domestic or cross-border (or unknown), per country and per country pair."""
    borders = _Borders()
    for u, v in g.edges:
        cu, cv = g.nodes[u].get("country"), g.nodes[v].get("country")
        known = [c for c in (cu, cv) if c is not None]
        for c in known:
            borders.country(c)
        if len(known) < 2:
            borders.unknown += 1
            for c in known:
                borders.per_country[c]["links"] += 1
            continue
        borders.pairs[tuple(sorted((cu, cv)))] += 1
        if cu == cv:
            borders.domestic += 1
            borders.per_country[cu]["links"] += 1
            borders.per_country[cu]["domestic"] += 1
        else:
            borders.cross += 1
            for c in (cu, cv):
                borders.per_country[c]["links"] += 1
                borders.per_country[c]["cross_border"] += 1
    for node in g.nodes:
        c = g.nodes[node].get("country")
        if c is not None:
            borders.country(c)["cities"].add(node)
    return borders


def _country_labels(g: nx.Graph) -> dict[str, str]:
    """Country IRI -> the label its cities carry (the IRI itself if none)."""
    label_of = {}
    for node in g.nodes:
        k = g.nodes[node].get("country")
        if k:
            label_of[k] = g.nodes[node].get("country_label") or k
    return label_of


def _country_rows(borders: _Borders, label_of: dict[str, str]) -> list[dict]:
    """One row per country, most links first."""
    countries = []
    for k, s in borders.per_country.items():
        links_known = s["domestic"] + s["cross_border"]
        countries.append(
            {
                "country": label_of.get(k, k),
                "country_iri": k,
                "cities": len(s["cities"]),
                "links": s["links"],
                "domestic_links": s["domestic"],
                "cross_border_links": s["cross_border"],
                "cross_border_share": s["cross_border"] / links_known if links_known else None,
            }
        )
    countries.sort(key=lambda r: (-r["links"], r["country"]))
    return countries


def _country_pair_rows(borders: _Borders, label_of: dict[str, str]) -> list[dict]:
    """One row per pair of countries that twin (a country with itself: domestic), most links first."""
    rows = [
        {
            "country_a": label_of.get(a, a),
            "country_b": label_of.get(b, b),
            "links": count,
            "domestic": a == b,
            "country_a_iri": a,
            "country_b_iri": b,
        }
        for (a, b), count in borders.pairs.items()
    ]
    rows.sort(key=lambda r: (-r["links"], r["country_a"], r["country_b"]))
    return rows
