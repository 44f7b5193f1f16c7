"""City-ness against town-ness: a flow score and a place score for every city, and its quadrant.

The article (section 1-2, after Taylor) says every urban region has two processes in a balance that
differs from place to place: city-ness, its horizontal relations in networks (central flow theory), and
town-ness, its hierarchical relation with its hinterland (central place theory). Here:

flow score  = mean of the available flow components, each in [0, 1]:
    twinning degree d          -> log(1 + d) / log(1 + max d)
    network memberships m      -> log(1 + m) / log(1 + max m)     (only if the graph has memberships)
    partner countries abroad f -> log(1 + f) / log(1 + max f)     (only for a city whose country and at
                                                                    least one partner's country are known)
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
from datetime import datetime, timezone

import networkx as nx
import rdflib
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, XSD

from citydiplomacy import __version__
from citydiplomacy.core.namespaces import CDO, CDR, bind_prefixes

GRAPH_ANALYSIS = "https://w3id.org/citydiplomacy/graph/analysis"

QUADRANTS = {
    "network city": CDO.NetworkCity,
    "hierarchical town": CDO.HierarchicalTown,
    "both": CDO.NetworkCityAndHierarchicalTown,
    "neither": CDO.NeitherNetworkCityNorHierarchicalTown,
}


@dataclass
class CityScore:
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
    scores: list[CityScore]
    method: str
    flow_threshold: float | None
    place_threshold: float | None
    components: dict[str, bool] = field(default_factory=dict)

    def quadrant_counts(self) -> Counter:
        return Counter(s.quadrant or "not classified" for s in self.scores)


def _log_scale(value: int, maximum: int) -> float:
    return math.log1p(value) / math.log1p(maximum) if maximum > 0 else 0.0


def _threshold(values: list[float], method: str) -> float | None:
    if not values:
        return None
    if method == "mean":
        return statistics.fmean(values)
    return statistics.median(values)


def compute_cityness(g: nx.Graph, threshold: str = "median", membership_data: bool | None = None) -> Cityness:
    """Score every node of the twinning network *g* (node attributes as built by ``load_twinning``)."""
    nodes = sorted(g.nodes)
    attrs = g.nodes
    degree = dict(g.degree())
    memberships = {n: attrs[n].get("memberships", 0) or 0 for n in nodes}
    if membership_data is None:
        membership_data = any(memberships.values())
    foreign: dict[str, int | None] = {}
    foreign_share: dict[str, float | None] = {}
    for n in nodes:
        own = attrs[n].get("country")
        if own is None:
            foreign[n] = foreign_share[n] = None
            continue
        partner_countries = [attrs[p].get("country") for p in g.neighbors(n)]
        known = [c for c in partner_countries if c is not None]
        if not known:  # no partner's country is known: reach abroad is unknown, not zero
            foreign[n] = foreign_share[n] = None
            continue
        abroad = [c for c in known if c != own]
        foreign[n] = len(set(abroad))
        foreign_share[n] = len(abroad) / len(known)
    max_deg = max(degree.values(), default=0)
    max_mem = max(memberships.values(), default=0)
    max_for = max((v for v in foreign.values() if v is not None), default=0)
    use_foreign = max_for > 0

    # population percentile within the country
    by_country: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for n in nodes:
        c, pop = attrs[n].get("country"), attrs[n].get("population")
        if c is not None and pop is not None:
            by_country[c].append((pop, n))
    pct: dict[str, float] = {}
    rank: dict[str, int] = {}
    size: dict[str, int] = {}
    for c, members in by_country.items():
        pops = [p for p, _ in members]
        for pop, n in members:
            below = sum(1 for p in pops if p < pop)
            equal = sum(1 for p in pops if p == pop)
            above = sum(1 for p in pops if p > pop)
            pct[n] = (below + equal / 2) / len(pops)
            rank[n] = above + 1
            size[n] = len(pops)

    scores: list[CityScore] = []
    for n in nodes:
        flow_parts = [_log_scale(degree[n], max_deg)]
        if membership_data and max_mem > 0:
            flow_parts.append(_log_scale(memberships[n], max_mem))
        if use_foreign and foreign[n] is not None:
            flow_parts.append(_log_scale(foreign[n], max_for))
        place_parts = []
        if n in pct:
            place_parts.append(pct[n])
        capital = attrs[n].get("capital")
        if capital is not None:
            place_parts.append(1.0 if capital else 0.0)
        scores.append(
            CityScore(
                city=n,
                label=attrs[n].get("label") or n,
                country=attrs[n].get("country_label"),
                country_iri=attrs[n].get("country"),
                population=attrs[n].get("population"),
                degree=degree[n],
                memberships=memberships[n],
                foreign_countries=foreign[n],
                foreign_partner_share=foreign_share[n],
                population_rank=rank.get(n),
                country_cities=size.get(n),
                capital=capital,
                flow=statistics.fmean(flow_parts),
                place=statistics.fmean(place_parts) if place_parts else None,
            )
        )
    both = [s for s in scores if s.place is not None]
    ft = _threshold([s.flow for s in both], threshold)
    pt = _threshold([s.place for s in both], threshold)
    for s in both:
        high_flow, high_place = s.flow > ft, s.place > pt
        s.quadrant = (
            ("both" if high_place else "network city") if high_flow else ("hierarchical town" if high_place else "neither")
        )
    components = {
        "degree": True,
        "memberships": bool(membership_data and max_mem > 0),
        "foreign_partner_countries": use_foreign,
        "population_rank": bool(pct),
        "capital": any(s.capital is not None for s in scores),
    }
    return Cityness(scores, threshold, ft, pt, components)


def summary_rows(result: Cityness) -> list[tuple[str, object]]:
    """metric,value rows: thresholds, quadrant counts, components used, flow-place rank correlation."""
    rows: list[tuple[str, object]] = [
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
    prefix = str(CDR) + "city/"
    if city.startswith(prefix) and "/" not in city[len(prefix) :]:
        return CDR["cityness/" + city[len(prefix) :]]
    return CDR["cityness/h" + hashlib.sha1(city.encode("utf-8")).hexdigest()[:16]]


def to_rdf(result: Cityness, started: datetime, sources: list[str]) -> rdflib.Graph:
    """The scores as RDF: one cdo:CitynessAssessment per city, all prov:wasGeneratedBy one
    cdo:CitynessAnalysis activity that records its time and parameters and the graphs/files it used."""
    ended = datetime.now(timezone.utc)
    g = rdflib.Graph()
    bind_prefixes(g)
    stamp = started.strftime("%Y%m%dT%H%M%S%fZ")
    activity = CDR[f"analysis/cityness-{stamp}"]
    agent = CDR[f"software/citydip-{__version__}"]
    graph_node = rdflib.URIRef(GRAPH_ANALYSIS)
    g.add((activity, RDF.type, PROV.Activity))
    g.add((activity, RDF.type, CDO.CitynessAnalysis))
    g.add((activity, RDFS.label, rdflib.Literal(f"cityness analysis of {started.isoformat(timespec='seconds')}", lang="en")))
    g.add((activity, PROV.startedAtTime, rdflib.Literal(started.isoformat(), datatype=XSD.dateTime)))
    g.add((activity, PROV.endedAtTime, rdflib.Literal(ended.isoformat(), datatype=XSD.dateTime)))
    g.add((activity, PROV.wasAssociatedWith, agent))
    g.add((activity, CDO.thresholdMethod, rdflib.Literal(result.method)))
    if result.flow_threshold is not None:
        g.add((activity, CDO.flowThreshold, rdflib.Literal(float(result.flow_threshold), datatype=XSD.double)))
    if result.place_threshold is not None:
        g.add((activity, CDO.placeThreshold, rdflib.Literal(float(result.place_threshold), datatype=XSD.double)))
    used = ", ".join(name for name, on in result.components.items() if on)
    g.add((activity, DCTERMS.description, rdflib.Literal(
        f"citydip analyze cityness --threshold {result.method}; components used: {used}", lang="en")))
    for src in sources:
        g.add((activity, PROV.used, rdflib.URIRef(src)))
    g.add((agent, RDF.type, PROV.SoftwareAgent))
    g.add((agent, RDFS.label, rdflib.Literal(f"citydip {__version__}")))
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
            g.add((node, CDO.foreignPartnerCountryCount, rdflib.Literal(s.foreign_countries, datatype=XSD.nonNegativeInteger)))
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
