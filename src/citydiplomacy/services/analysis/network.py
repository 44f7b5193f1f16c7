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

from citydiplomacy.core.errors import CitydipError
from citydiplomacy.core.inputs import no_triples_message
from citydiplomacy.core.namespaces import GRAPH_DATA, PREFIXES

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


def _value(term) -> str:
    return term.value


def _rows(store: pyoxigraph.Store, query: str, graphs: Sequence[str] | None) -> Iterable:
    kwargs: dict = {"prefixes": _PREFIXES}
    if graphs:
        kwargs["default_graph"] = [pyoxigraph.NamedNode(g) for g in graphs]
    else:
        kwargs["use_default_graph_as_union"] = True
    try:
        yield from store.query(query, **kwargs)
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


def load_twinning(store: pyoxigraph.Store, graphs: Sequence[str] | None = None, advance=lambda n=1: None) -> TwinningData:
    """Build the twinning network from *store* (the union of its graphs, or only *graphs*)."""
    governed: dict[str, str] = {}
    for row in _rows(store, Q_GOVERNS, graphs):
        governed.setdefault(_value(row["lg"]), _value(row["city"]))
    partners: dict[str, set[str]] = defaultdict(set)
    for row in _rows(store, Q_PARTNERS, graphs):
        p = _value(row["p"])
        partners[_value(row["a"])].add(governed.get(p, p))
    advance()
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
    advance()
    known_cities = {_value(r["c"]) for r in _rows(store, Q_CITIES, graphs)}
    data.cities_without_twinning = len(known_cities - set(g.nodes))

    labels: dict[str, tuple[int, str]] = {}
    for row in _rows(store, Q_LABELS, graphs):
        c = _value(row["c"])
        if c not in g:
            continue
        lit = row["l"]
        lang = getattr(lit, "language", None) or ""
        # prefer English, then no language, then any other (alphabetical for stability)
        rank = 0 if lang == "en" else 1 if lang == "" else 2
        cand = (rank, lit.value)
        if c not in labels or cand < labels[c]:
            labels[c] = cand
    advance()
    country_labels: dict[str, tuple[int, str]] = {}
    countries: dict[str, str] = {}
    for row in _rows(store, Q_COUNTRIES, graphs):
        c, k = _value(row["c"]), _value(row["k"])
        if c in g and (c not in countries or k < countries[c]):
            countries[c] = k
        kl = row["kl"]
        if kl is not None:
            lang = getattr(kl, "language", None) or ""
            cand = (0 if lang == "en" else 1 if lang == "" else 2, kl.value)
            if k not in country_labels or cand < country_labels[k]:
                country_labels[k] = cand
    advance()
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
    advance()
    coords: dict[str, tuple[float, float]] = {}
    for row in _rows(store, Q_WKT, graphs):
        c = _value(row["c"])
        if c in g and c not in coords:
            point = parse_point(row["w"].value)
            if point:
                coords[c] = point
    advance()
    memberships: dict[str, set[str]] = defaultdict(set)
    for row in _rows(store, Q_MEMBERSHIPS, graphs):
        p = _value(row["p"])
        memberships[governed.get(p, p)].add(_value(row["o"]))
    advance()
    data.membership_data = bool(memberships)
    for row in _rows(store, Q_CAPITALS, graphs):
        data.capitals.setdefault(_value(row["k"]), set()).add(_value(row["c"]))

    advance()
    for node in g.nodes:
        attrs = g.nodes[node]
        attrs["label"] = labels[node][1] if node in labels else node.rsplit("/", 1)[-1]
        attrs["country"] = countries.get(node)
        k = countries.get(node)
        attrs["country_label"] = (country_labels[k][1] if k in country_labels else k.rsplit("/", 1)[-1]) if k else None
        attrs["population"] = population.get(node)
        lonlat = coords.get(node)
        attrs["lon"], attrs["lat"] = lonlat if lonlat else (None, None)
        attrs["memberships"] = len(memberships.get(node, ()))
        if k and k in data.capitals:
            attrs["capital"] = node in data.capitals[k]
        else:
            attrs["capital"] = None
    return data


# ---------------------------------------------------------------- reading --data files


def store_from_files(paths: Sequence[str], input_format: str | None = None) -> pyoxigraph.Store:
    """An in-memory store holding the RDF files *paths* (each parsed by Oxigraph; on a syntax error the
    file is read again through :func:`citydiplomacy.core.rdfio.read_rdf` for a FILE:LINE:COL message)."""
    from citydiplomacy.core import rdfio

    store = pyoxigraph.Store()
    target = pyoxigraph.NamedNode(GRAPH_DATA)
    for path in paths:
        checked = rdfio.check_input_file(path, input_format)  # FIFOs, size, XML entities, remote contexts
        fmt = checked.fmt
        oxi = getattr(pyoxigraph.RdfFormat, rdfio._OXI_FORMATS.get(fmt, ""), None)
        if oxi is not None:
            try:
                kwargs = {} if fmt in rdfio.QUAD_FORMATS else {"to_graph": target}
                store.load(input=checked.data, format=oxi, base_iri=checked.base_iri, **kwargs)
            except (SyntaxError, ValueError, OSError):
                pass
            else:
                if not rdfio.has_a_triple(checked):
                    raise CitydipError(no_triples_message(checked.name))
                continue
        graph = rdfio.parse_checked(checked)  # raises with the location if it is broken
        data = graph.serialize(format="nquads" if fmt in rdfio.QUAD_FORMATS else "nt", encoding="utf-8")
        if fmt in rdfio.QUAD_FORMATS:
            store.load(input=data, format=pyoxigraph.RdfFormat.N_QUADS)
        else:
            store.load(input=data, format=pyoxigraph.RdfFormat.N_TRIPLES, to_graph=target)
    return store


# ---------------------------------------------------------------- figures


@dataclass
class NetworkFigures:
    summary: list[tuple[str, object]]
    degree_counts: list[tuple[int, int]]
    cities: list[dict]
    countries: list[dict]
    country_pairs: list[dict]


def _safe(value: float) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


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
    """All the figures of ``citydip analyze network`` for *data* (see the module docstring)."""
    g = data.graph
    n, m = g.number_of_nodes(), g.number_of_edges()
    summary: list[tuple[str, object]] = [
        ("agreements", data.agreements),
        ("self_twinnings_dropped", data.self_twinnings),
        ("agreements_without_two_partners", data.malformed),
        ("cities", n),
        ("links", m),
        ("cities_without_twinning_not_in_network", data.cities_without_twinning),
    ]
    degrees = dict(g.degree())
    deg_values = list(degrees.values())
    components = sorted(nx.connected_components(g), key=lambda c: (-len(c), min(c)))
    component_of = {node: i for i, comp in enumerate(components) for node in comp}
    lcc = g.subgraph(components[0]).copy() if components else nx.Graph()
    summary += [
        ("connected_components", len(components)),
        ("largest_component_cities", lcc.number_of_nodes()),
        ("largest_component_links", lcc.number_of_edges()),
        ("largest_component_share_of_cities", lcc.number_of_nodes() / n if n else None),
        ("mean_degree", 2 * m / n if n else None),
        ("median_degree", statistics.median(deg_values) if deg_values else None),
        ("max_degree", max(deg_values) if deg_values else None),
        ("density", nx.density(g) if n > 1 else None),
    ]
    advance()
    summary += [
        ("average_clustering", nx.average_clustering(g) if n else None),
        ("transitivity_global_clustering", nx.transitivity(g) if n else None),
    ]
    advance()
    assort = None
    if m > 0:
        try:
            import warnings

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                assort = _safe(float(nx.degree_assortativity_coefficient(g)))
        except (ZeroDivisionError, ValueError):
            assort = None
    summary.append(("degree_assortativity", assort))
    # the largest clique: a city network formalised as all-pairs twinning (e.g. the Douzelage) shows here
    largest_clique = max(nx.find_cliques(g), key=len, default=[])
    summary.append(("largest_clique_cities", len(largest_clique)))
    summary += _attribute_assortativity(g)
    advance()
    mean_path, sources, longest, exact = mean_shortest_path(lcc, path_sample, seed)
    summary += [
        ("largest_component_mean_shortest_path", mean_path),
        ("mean_shortest_path_sources", sources),
        ("mean_shortest_path_exact", exact),
        ("longest_shortest_path_seen", longest),
    ]
    advance()
    bc_exact = n <= sample
    betweenness = nx.betweenness_centrality(g, k=None if bc_exact else sample, seed=seed) if n else {}
    summary += [("betweenness_exact", bc_exact), ("betweenness_sources", n if bc_exact else sample)]
    advance()
    eigen: dict = {}
    if lcc.number_of_nodes() > 2:
        try:
            eigen = nx.eigenvector_centrality_numpy(lcc, max_iter=1000)
        except (nx.NetworkXException, ArithmeticError):  # pragma: no cover - defensive
            eigen = {}
    elif lcc.number_of_nodes():
        eigen = {node: 1 / math.sqrt(lcc.number_of_nodes()) for node in lcc}
    summary.append(("sampling_seed", seed))
    advance()

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
                "degree": degrees[node],
                "clustering": nx.clustering(g, node),
                "betweenness": betweenness.get(node, 0.0),
                "eigenvector": eigen.get(node) if node in lcc else None,
                "component": component_of[node] + 1,
                "memberships": a.get("memberships", 0),
            }
        )
    cities.sort(key=lambda r: (-r["degree"], r["label"] or "", r["city"]))

    # by country: domestic versus cross-border links
    per_country: dict[str, dict] = {}
    pairs: Counter = Counter()
    domestic = cross = unknown = 0
    for u, v in g.edges:
        cu, cv = g.nodes[u].get("country"), g.nodes[v].get("country")
        for c in (cu, cv):
            if c is not None:
                per_country.setdefault(c, {"cities": set(), "links": 0, "domestic": 0, "cross_border": 0})
        if cu is None or cv is None:
            unknown += 1
            for c in (cu, cv):
                if c is not None:
                    per_country[c]["links"] += 1
            continue
        a, b = sorted((cu, cv))
        pairs[(a, b)] += 1
        if cu == cv:
            domestic += 1
            per_country[cu]["links"] += 1
            per_country[cu]["domestic"] += 1
        else:
            cross += 1
            for c in (cu, cv):
                per_country[c]["links"] += 1
                per_country[c]["cross_border"] += 1
    for node in g.nodes:
        c = g.nodes[node].get("country")
        if c is not None:
            per_country.setdefault(c, {"cities": set(), "links": 0, "domestic": 0, "cross_border": 0})
            per_country[c]["cities"].add(node)
    known = domestic + cross
    summary += [
        ("links_with_both_countries_known", known),
        ("links_with_a_country_unknown", unknown),
        ("domestic_links", domestic),
        ("cross_border_links", cross),
        ("domestic_share", domestic / known if known else None),
        ("cross_border_share", cross / known if known else None),
        ("countries", len(per_country)),
    ]
    label_of = {}
    for node in g.nodes:
        k = g.nodes[node].get("country")
        if k:
            label_of[k] = g.nodes[node].get("country_label") or k
    countries = []
    for k, s in per_country.items():
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
    country_pairs = [
        {
            "country_a": label_of.get(a, a),
            "country_b": label_of.get(b, b),
            "links": count,
            "domestic": a == b,
            "country_a_iri": a,
            "country_b_iri": b,
        }
        for (a, b), count in pairs.items()
    ]
    country_pairs.sort(key=lambda r: (-r["links"], r["country_a"], r["country_b"]))
    degree_counts = sorted(Counter(deg_values).items())
    return NetworkFigures(summary, degree_counts, cities, countries, country_pairs)


def _attribute_assortativity(g: nx.Graph) -> list[tuple[str, object]]:
    """Country assortativity (do cities twin at home?) and log-population assortativity (with peers of
    their size, a horizontal tie, or up and down the hierarchy?), on the links whose ends are known."""
    import warnings

    out: list[tuple[str, object]] = []
    with_country = [n for n in g if g.nodes[n].get("country")]
    sub = g.subgraph(with_country)
    value = None
    if sub.number_of_edges():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                value = _safe(float(nx.attribute_assortativity_coefficient(sub, "country")))
            except (ZeroDivisionError, ValueError):
                value = None
    out.append(("country_assortativity", value))
    # Newman's numeric assortativity is the Pearson correlation of the values at the two ends of every
    # link, counted in both directions; numpy computes it directly (networkx builds a value-by-value
    # mixing matrix, which is slow for thousands of distinct populations).
    import numpy as np

    logpop = {n: math.log10(g.nodes[n]["population"]) for n in g if g.nodes[n].get("population")}
    ends = [(logpop[u], logpop[v]) for u, v in g.edges if u in logpop and v in logpop]
    value = None
    if len(ends) > 1:
        x = np.array([a for a, b in ends] + [b for a, b in ends])
        y = np.array([b for a, b in ends] + [a for a, b in ends])
        if x.std() > 0:
            value = _safe(float(np.corrcoef(x, y)[0, 1]))
    out.append(("log_population_assortativity", value))
    out.append(("links_with_both_populations_known", len(ends)))
    # do big places have more flows? Spearman rank correlation of population and degree
    rho = None
    with_pop = list(logpop)
    if len(with_pop) > 2:
        from scipy.stats import spearmanr

        pops = [g.nodes[n]["population"] for n in with_pop]
        degs = [g.degree(n) for n in with_pop]
        if len(set(pops)) > 1 and len(set(degs)) > 1:
            rho = _safe(float(spearmanr(pops, degs).statistic))
    out.append(("spearman_population_degree", rho))
    return out
