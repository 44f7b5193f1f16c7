"""City-ness against town-ness: a flow score and a place score for every city, and its quadrant.

The article (section 1-2, after Taylor) says every urban region has two processes in a balance that
differs from place to place: city-ness, its horizontal relations in networks (central flow theory), and
town-ness, its hierarchical relation with its hinterland (central place theory). City-ness is measured
on the horizontal flows of the chosen layer (``--layer``): bilateral twinning links, memberships of city
networks (the multilateral flows through which, after Castells, cities join the space of flows), or both
(the default). Town-ness stays vertical: the city's place in its country's urban hierarchy. Here:

flow score  = mean of the available flow components, each in [0, 1]:
    twinning degree d          -> log(1 + d) / log(1 + max d)     (layers twinning and both)
    network memberships m      -> log(1 + m) / log(1 + max m)     (layers membership and both, only if
                                                                    the graph has memberships)
    partner countries abroad f -> log(1 + f) / log(1 + max f)     (layers twinning and both, only for a
                                                                    city whose country and at least one
                                                                    partner's country are known)
    The cities scored are those of the layer: with both, a city in networks but without a twin has
    twinning degree 0 (a measured absence), and a twinned city in no network has 0 networks.
place score = mean of the available place components, each in [0, 1]:
    population rank in its country -> mid-rank percentile (below + equal / 2) / n, among the n cities of
                                      that country in the network whose population is known
    capital status                 -> 1 if the city is its country's capital, 0 if the country's capital
                                      is known and is another city (only where the graph records capitals)
quadrant: "high" is strictly above the threshold (default the median over the cities that have both
scores): high flow + low place = network city, low flow + high place = hierarchical town, high + high =
both, low + low = neither. A city without any place component has no place score and no quadrant.
"""

from __future__ import annotations

import hashlib
import math
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime

import networkx as nx
import rdflib
from rdflib.namespace import DCTERMS, PROV, RDF, XSD

from citydiplomacy.core import provenance
from citydiplomacy.core.namespaces import CDO, CDR, GRAPH_ANALYSIS, bind_prefixes

QUADRANTS = {
    "network city": CDO.NetworkCity,
    "hierarchical town": CDO.HierarchicalTown,
    "both": CDO.NetworkCityAndHierarchicalTown,
    "neither": CDO.NeitherNetworkCityNorHierarchicalTown,
}


@dataclass
class CityScore:
    """One city's flow and place scores, with the inputs they came from (one row of the report)."""

    city: str
    label: str
    country: str | None
    country_iri: str | None
    population: int | None
    degree: int
    memberships: int
    foreign_countries: int | None
    foreign_partner_share: float | None
    population_rank: int | None
    country_cities: int | None
    capital: bool | None
    flow: float
    place: float | None
    quadrant: str | None = None


@dataclass
class Cityness:
    """The scores of every city and how they were classified (thresholds, components used)."""

    scores: list[CityScore]
    method: str
    flow_threshold: float | None
    place_threshold: float | None
    components: dict[str, bool] = field(default_factory=dict)
    layer: str = "both"

    def quadrant_counts(self) -> Counter:
        """Cities per quadrant; the unclassified (no place score) under 'not classified'."""
        return Counter(s.quadrant or "not classified" for s in self.scores)


def _log_scale(value: int, maximum: int) -> float:
    """*value* on [0, 1] by log(1 + v) / log(1 + max): a few very connected cities do not flatten the rest."""
    return math.log1p(value) / math.log1p(maximum) if maximum > 0 else 0.0


def _threshold(values: list[float], method: str) -> float | None:
    """Where 'high' begins: the mean or the median of *values* (None when there are none)."""
    if not values:
        return None
    if method == "mean":
        return statistics.fmean(values)
    return statistics.median(values)


def compute_cityness(
    g: nx.Graph, threshold: str = "median", membership_data: bool | None = None, layer: str = "both"
) -> Cityness:
    """Score every node of *g*: the cities of *layer*, with the node attributes ``load_twinning`` sets
    (``api.layer_graph`` builds it). The flow components of the twinning layer (degree, partner
    countries abroad) count for ``twinning`` and ``both``, the membership component for ``membership``
    and ``both``, when the graph has memberships.

    The steps of the module docstring: the flow inputs of every city and their maxima, the population
    rank within each country, the two scores of each city, then the quadrants.
    """
    nodes = sorted(g.nodes)
    memberships = {n: g.nodes[n].get("memberships", 0) or 0 for n in nodes}
    if membership_data is None:
        membership_data = any(memberships.values())
    twinning = layer in ("twinning", "both")
    reach = {n: _foreign_reach(g, n) for n in nodes}
    scales = _FlowScales(
        degree=max((d for _, d in g.degree()), default=0),
        memberships=max(memberships.values(), default=0) if membership_data and layer != "twinning" else 0,
        foreign=max((count for count, _ in reach.values() if count is not None), default=0) if twinning else 0,
        twinning=twinning,
    )
    ranks = _population_ranks(g, nodes)
    scores = [_score_city(g, n, memberships[n], reach[n], ranks.get(n), scales) for n in nodes]
    flow_threshold, place_threshold = _assign_quadrants(scores, threshold)
    components = {
        "degree": twinning,
        "memberships": scales.memberships > 0,
        "foreign_partner_countries": scales.foreign > 0,
        "population_rank": bool(ranks),
        "capital": any(s.capital is not None for s in scores),
    }
    return Cityness(scores, threshold, flow_threshold, place_threshold, components, layer)


@dataclass
class _FlowScales:
    """The network-wide maxima that scale each flow component to [0, 1]; 0 leaves the component out."""

    degree: int
    memberships: int
    foreign: int
    twinning: bool = True  # the twinning degree is a component (layer twinning or both)


@dataclass
class _PopulationRank:
    """A city's place among the cities of its country whose population is known."""

    percentile: float  # mid-rank: (below + equal / 2) / n
    rank: int  # 1 = the largest
    country_cities: int


def _foreign_reach(g: nx.Graph, n: str) -> tuple[int | None, float | None]:
    """How many foreign countries the partners of *n* are in, and the share of partners abroad;
    (None, None) when the city's country or all its partners' countries are unknown (unknown, not zero)."""
    own = g.nodes[n].get("country")
    if own is None:
        return None, None
    known = [c for c in (g.nodes[p].get("country") for p in g.neighbors(n)) if c is not None]
    if not known:
        return None, None
    abroad = [c for c in known if c != own]
    return len(set(abroad)), len(abroad) / len(known)


def _population_ranks(g: nx.Graph, nodes: list[str]) -> dict[str, _PopulationRank]:
    """The population rank of every city whose country and population are known, within its country."""
    by_country: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for n in nodes:
        c, pop = g.nodes[n].get("country"), g.nodes[n].get("population")
        if c is not None and pop is not None:
            by_country[c].append((pop, n))
    ranks: dict[str, _PopulationRank] = {}
    for members in by_country.values():
        pops = [p for p, _ in members]
        for pop, n in members:
            below = sum(1 for p in pops if p < pop)
            equal = sum(1 for p in pops if p == pop)
            above = sum(1 for p in pops if p > pop)
            ranks[n] = _PopulationRank((below + equal / 2) / len(pops), above + 1, len(pops))
    return ranks


def _score_city(
    g: nx.Graph,
    n: str,
    memberships: int,
    reach: tuple[int | None, float | None],
    rank: _PopulationRank | None,
    scales: _FlowScales,
) -> CityScore:
    """The flow score (mean of the flow components) and place score (mean of the place components) of *n*."""
    attrs = g.nodes[n]
    foreign, foreign_share = reach
    flow_parts = [_log_scale(g.degree(n), scales.degree)] if scales.twinning else []
    if scales.memberships > 0:
        flow_parts.append(_log_scale(memberships, scales.memberships))
    if scales.foreign > 0 and foreign is not None:
        flow_parts.append(_log_scale(foreign, scales.foreign))
    capital = attrs.get("capital")
    place_parts = [rank.percentile] if rank else []
    if capital is not None:
        place_parts.append(1.0 if capital else 0.0)
    return CityScore(
        city=n,
        label=attrs.get("label") or n,
        country=attrs.get("country_label"),
        country_iri=attrs.get("country"),
        population=attrs.get("population"),
        degree=g.degree(n),
        memberships=memberships,
        foreign_countries=foreign,
        foreign_partner_share=foreign_share,
        population_rank=rank.rank if rank else None,
        country_cities=rank.country_cities if rank else None,
        capital=capital,
        flow=statistics.fmean(flow_parts) if flow_parts else 0.0,
        place=statistics.fmean(place_parts) if place_parts else None,
    )


def _assign_quadrants(scores: list[CityScore], method: str) -> tuple[float | None, float | None]:
    """Set the quadrant of every city with both scores; return the flow and place thresholds used."""
    both = [(s, s.place) for s in scores if s.place is not None]
    flow_threshold = _threshold([s.flow for s, _ in both], method)
    place_threshold = _threshold([place for _, place in both], method)
    if flow_threshold is None or place_threshold is None:
        return flow_threshold, place_threshold  # no city has both scores
    for s, place in both:
        high_flow, high_place = s.flow > flow_threshold, place > place_threshold
        if high_flow:
            s.quadrant = "both" if high_place else "network city"
        else:
            s.quadrant = "hierarchical town" if high_place else "neither"
    return flow_threshold, place_threshold


def summary_rows(result: Cityness) -> list[tuple[str, object]]:
    """metric,value rows: thresholds, quadrant counts, components used, flow-place rank correlation."""
    rows: list[tuple[str, object]] = [
        ("layer", result.layer),
        ("cities", len(result.scores)),
        ("cities_with_place_score", sum(1 for s in result.scores if s.place is not None)),
        ("threshold_method", result.method),
        ("flow_threshold", result.flow_threshold),
        ("place_threshold", result.place_threshold),
    ]
    counts = result.quadrant_counts()
    for name in (*QUADRANTS, "not classified"):
        rows.append((f"quadrant_{name.replace(' ', '_')}", counts.get(name, 0)))
    for name, used in result.components.items():
        rows.append((f"component_used_{name}", used))
    both = [s for s in result.scores if s.place is not None]
    rho = None
    if len(both) > 2 and len({s.flow for s in both}) > 1 and len({s.place for s in both}) > 1:
        from scipy.stats import spearmanr

        rho = float(spearmanr([s.flow for s in both], [s.place for s in both]).statistic)
    rows.append(("spearman_flow_place", rho))
    return rows


def _assessment_iri(city: str) -> rdflib.URIRef:
    """A stable IRI per city, so that a new run replaces the previous assessment rather than adding one."""
    prefix = str(CDR) + "city/"
    if city.startswith(prefix) and "/" not in city[len(prefix) :]:
        return CDR["cityness/" + city[len(prefix) :]]
    return CDR["cityness/h" + hashlib.sha1(city.encode("utf-8")).hexdigest()[:16]]


def to_rdf(result: Cityness, started: datetime, sources: list[str]) -> rdflib.Graph:
    """The scores as RDF: one cdo:CitynessAssessment per city, all prov:wasGeneratedBy one
    cdo:CitynessAnalysis activity that records its time and parameters and the graphs/files it used."""
    ended = datetime.now(UTC)
    g = rdflib.Graph()
    bind_prefixes(g)
    stamp = started.strftime("%Y%m%dT%H%M%S%fZ")
    activity = CDR[f"analysis/cityness-{stamp}"]
    graph_node = rdflib.URIRef(GRAPH_ANALYSIS)
    g += provenance.activity_triples(
        activity,
        f"cityness analysis of {started.isoformat(timespec='seconds')}",
        lang="en",
        started=started,
        ended=ended,
    )
    g.add((activity, RDF.type, CDO.CitynessAnalysis))
    g.add((activity, CDO.thresholdMethod, rdflib.Literal(result.method)))
    if result.flow_threshold is not None:
        g.add((activity, CDO.flowThreshold, rdflib.Literal(float(result.flow_threshold), datatype=XSD.double)))
    if result.place_threshold is not None:
        g.add((activity, CDO.placeThreshold, rdflib.Literal(float(result.place_threshold), datatype=XSD.double)))
    used = ", ".join(name for name, on in result.components.items() if on)
    command = f"citydip analyze cityness --layer {result.layer} --threshold {result.method}"
    g.add((activity, DCTERMS.description, rdflib.Literal(f"{command}; components used: {used}", lang="en")))
    for src in sources:
        g.add((activity, PROV.used, rdflib.URIRef(src)))
    g.add((graph_node, PROV.wasGeneratedBy, activity))
    for s in result.scores:
        node = _assessment_iri(s.city)
        city = rdflib.URIRef(s.city)
        g.add((node, RDF.type, CDO.CitynessAssessment))
        g.add((node, CDO.assessedCity, city))
        g.add((node, PROV.wasGeneratedBy, activity))
        g.add((node, CDO.flowScore, rdflib.Literal(float(s.flow), datatype=XSD.double)))
        g.add((node, CDO.twinningDegree, rdflib.Literal(s.degree, datatype=XSD.nonNegativeInteger)))
        if result.components.get("memberships"):
            g.add((node, CDO.networkMembershipCount, rdflib.Literal(s.memberships, datatype=XSD.nonNegativeInteger)))
        if s.foreign_countries is not None:
            g.add(
                (
                    node,
                    CDO.foreignPartnerCountryCount,
                    rdflib.Literal(s.foreign_countries, datatype=XSD.nonNegativeInteger),
                )
            )
        if s.population_rank is not None:
            g.add((node, CDO.populationRankInCountry, rdflib.Literal(s.population_rank, datatype=XSD.positiveInteger)))
        if s.place is not None:
            g.add((node, CDO.placeScore, rdflib.Literal(float(s.place), datatype=XSD.double)))
        if s.quadrant is not None:
            g.add((node, CDO.citynessQuadrant, QUADRANTS[s.quadrant]))
    return g


def write_to_store(store, graph: rdflib.Graph) -> int:
    """Replace the analysis named graph of *store* with *graph*, in one transaction."""
    body = graph.serialize(format="nt", encoding="utf-8").decode("utf-8")
    store.update(f"DROP SILENT GRAPH <{GRAPH_ANALYSIS}> ;\nINSERT DATA {{ GRAPH <{GRAPH_ANALYSIS}> {{\n{body}\n}} }}")
    store.flush()
    return len(graph)
