"""Analyse the twinning network from Python: what ``citydip analyze`` computes, without printing.

A :class:`TwinningSource` says what is read: RDF files (:func:`source_from_files`) or graphs of an
open store (:func:`source_from_store`). :func:`analyze_network` gives the network's figures,
:func:`analyze_layers` those of the membership layer and of both layers together (``--layer``),
:func:`analyze_cityness` each city's flow and place scores; :func:`cityness_graph` turns the scores
into RDF and :func:`write_cityness` puts them in the store's analysis graph.

    >>> from citydiplomacy.core.store import open_store
    >>> source = source_from_store(open_store("/tmp/kg", read_only=True))
    >>> analyze_network(source).figures.summary[:3]
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import networkx as nx
import pyoxigraph
import rdflib

from citydiplomacy.core.errors import EXIT_BAD_INPUT, CitydipError
from citydiplomacy.core.namespaces import GRAPH_EXAMPLES
from citydiplomacy.core.store import graph_names
from citydiplomacy.services.analysis import cityness as cn
from citydiplomacy.services.analysis import layers as ly
from citydiplomacy.services.analysis.network import (
    SEED,
    NetworkFigures,
    TwinningData,
    compute_network,
    load_twinning,
    store_from_files,
)

GRAPH_ANALYSIS = cn.GRAPH_ANALYSIS  # the named graph that write_cityness replaces

Advance = Callable[..., None]


def _no_progress(n: int = 1) -> None:
    """The default *advance*: a script that does not show progress needs no callback."""


@dataclass
class TwinningSource:
    """Where the twinning network is read: a store, the graphs of it to read (None: all, for files),
    what provenance names as the sources (file URIs or graph IRIs), and whether it is the embedded store."""

    store: pyoxigraph.Store
    graphs: list[str] | None
    sources: list[str]
    is_store: bool


def check_graph_iris(graphs: Iterable[str]) -> None:
    """A --graph must be a full IRI: a typo such as ``data`` is refused rather than matching nothing."""
    for iri in graphs:
        try:
            pyoxigraph.NamedNode(iri)
        except ValueError:
            raise CitydipError(f"--graph {iri!r} is not an absolute IRI; give the named graph's full IRI") from None


def source_from_files(paths: Sequence[str | Path], input_format: str | None = None) -> TwinningSource:
    """The RDF files *paths* loaded into a store in memory (the embedded store is not opened)."""
    store = store_from_files([str(p) for p in paths], input_format)
    return TwinningSource(store, None, [Path(p).resolve().as_uri() for p in paths], False)


def source_from_store(store: pyoxigraph.Store, graphs: Sequence[str] = ()) -> TwinningSource:
    """The named *graphs* of *store*; by default every graph but the article's illustrative examples
    and the previous analysis results."""
    check_graph_iris(graphs)
    names = graph_names(store)
    missing = [g for g in graphs if g not in names]
    if missing:
        raise CitydipError(f"--graph {missing[0]}: no such graph in the store; the store has: {', '.join(names)}")
    used = list(graphs) or [g for g in names if g not in (cn.GRAPH_ANALYSIS, GRAPH_EXAMPLES)]
    if not used:
        raise CitydipError("the store holds no data graphs; import some with `citydip import` or pass --data FILE")
    return TwinningSource(store, used, used, True)


def check_layer(layer: str) -> str:
    """*layer* if it is one of twinning, membership, both; else the one-line error."""
    if layer not in ly.LAYERS:
        raise CitydipError(f"layer {layer!r}: choose one of {', '.join(ly.LAYERS)}")
    return layer


def read_twinning(
    source: TwinningSource, advance: Advance = _no_progress, lang: str = "en", layer: str = "twinning"
) -> TwinningData:
    """The twinning network and the membership layer of *source*, cities and countries named in *lang*
    where they can be; no data at all for *layer* is the user's error, not an empty result."""
    check_layer(layer)
    data = load_twinning(source.store, source.graphs, advance, lang)
    where = "the store" if source.is_store else "the given files"
    has_twinning, has_members = data.graph.number_of_edges() > 0, bool(data.layer.networks_of)
    if layer == "twinning" and not has_twinning or layer == "both" and not (has_twinning or has_members):
        raise CitydipError(
            f"no twinning agreements (cdo:TwinningAgreement with two cdo:partner cities) found in {where}; "
            "import some with `citydip import` or pass --data FILE",
            EXIT_BAD_INPUT,
        )
    if layer == "membership" and not has_members:
        raise CitydipError(
            f"no memberships of cities in city networks (cdo:CityNetworkMembership with org:member a cdo:City) "
            f"found in {where}; import some with `citydip import climactor FILE` or pass --data FILE",
            EXIT_BAD_INPUT,
        )
    return data


def layer_graph(data: TwinningData, layer: str) -> nx.Graph:
    """The cities of *layer* with their attributes: the twinning network; the cities of the membership
    layer (no links: their flows are counted, not drawn); or the twinning network with the cities that
    are only in networks added."""
    if layer == "twinning":
        return data.graph
    both = nx.compose(data.graph, data.membership_only)
    if layer == "both":
        return both
    g = nx.Graph()
    g.add_nodes_from((n, both.nodes[n]) for n in data.layer.networks_of)
    return g


@dataclass
class LayerFigures:
    """The membership layer and the two layers together (``analyze network --layer membership|both``)."""

    summary: list[tuple[str, object]]
    networks: list[ly.CoMembers]
    cities: list[dict]
    citation: str | None


def layer_figures(data: TwinningData, layer: str, path_sample: int = 2000, seed: int = SEED) -> LayerFigures:
    """Figures of the bipartite layer and its projection, and for ``both`` of the union; per network the
    co-members-twinned analysis; per city its twinning degree, networks and co-members."""
    co_members = ly.co_member_counts(data.layer)
    summary = ly.membership_summary(data.layer, co_members)
    networks, baseline = ly.co_members_twinned(data.layer, data.graph)
    summary += [(f"co_members_{k}", v) for k, v in baseline.items()]
    if layer == "both":
        summary += ly.union_summary(data.layer, data.graph, co_members, path_sample, seed)
    g = layer_graph(data, layer)
    cities = [
        {
            "city": n,
            "label": g.nodes[n].get("label"),
            "country": g.nodes[n].get("country_label"),
            "population": g.nodes[n].get("population"),
            "twinning_degree": data.graph.degree(n) if n in data.graph else 0,
            "networks": len(data.layer.networks_of.get(n, ())),
            "co_members": co_members.get(n, 0),
        }
        for n in g.nodes
    ]
    cities.sort(key=lambda r: (-r["networks"], -r["twinning_degree"], r["label"] or "", r["city"]))
    return LayerFigures(summary, networks, cities, data.layer.citation())


@dataclass
class NetworkAnalysis:
    """The network read (``data``) and its figures; the summary's last row names the sources."""

    data: TwinningData
    figures: NetworkFigures


def network_figures(
    source: TwinningSource,
    data: TwinningData,
    sample: int = 250,
    path_sample: int = 2000,
    seed: int = SEED,
    advance: Advance = _no_progress,
) -> NetworkAnalysis:
    """The figures of *data* (read from *source*); betweenness and paths are sampled past the given sizes."""
    figures = compute_network(data, sample=sample, path_sample=path_sample, seed=seed, advance=advance)
    figures.summary.append(("sources", " ".join(source.sources)))
    return NetworkAnalysis(data, figures)


def analyze_network(
    source: TwinningSource, sample: int = 250, path_sample: int = 2000, seed: int = SEED
) -> NetworkAnalysis:
    """Read the twinning network of *source* and compute its figures."""
    return network_figures(source, read_twinning(source), sample, path_sample, seed)


def analyze_layers(
    source: TwinningSource, layer: str = "both", path_sample: int = 2000, seed: int = SEED
) -> LayerFigures:
    """Read *source* and compute the figures of the membership layer (and, for ``both``, of the union)."""
    return layer_figures(read_twinning(source, layer=layer), layer, path_sample, seed)


def ranked_cities(figures: NetworkFigures, key: str, top: int) -> list[dict]:
    """The *top* cities by *key*: degree (ties by label, the order of ``figures.cities``), betweenness or
    eigenvector (ties by IRI; cities outside the largest component have no eigenvector and are left out).

    Scores are compared to 9 decimals: the numerical solvers give equal scores that differ in the
    last bits from run to run, and the tie-break by IRI must decide those, not the noise."""
    if key == "degree":
        return figures.cities[:top]
    rows = [r for r in figures.cities if r[key] is not None]
    return sorted(rows, key=lambda r: (-round(r[key], 9), r["city"]))[:top]


@dataclass
class CitynessAnalysis:
    """The scores (``result``), its metric,value summary (the last row names the sources), and when it began."""

    source: TwinningSource
    result: cn.Cityness
    summary: list[tuple[str, object]]
    started: datetime
    citation: str | None = None  # the membership data's citation, when it needs one


def cityness_scores(
    source: TwinningSource,
    data: TwinningData,
    threshold: str = "median",
    started: datetime | None = None,
    layer: str = "both",
) -> CitynessAnalysis:
    """Score every city of *layer* on flows and on place; *threshold* (median or mean) splits the quadrants."""
    if threshold not in ("median", "mean"):
        raise CitydipError(f"threshold {threshold!r}: choose median or mean")
    result = cn.compute_cityness(layer_graph(data, check_layer(layer)), threshold, data.membership_data, layer)
    summary = cn.summary_rows(result) + [("sources", " ".join(source.sources))]
    citation = data.layer.citation() if layer != "twinning" else None
    return CitynessAnalysis(source, result, summary, started or datetime.now(UTC), citation)


def analyze_cityness(source: TwinningSource, threshold: str = "median", layer: str = "both") -> CitynessAnalysis:
    """Read the flows of *layer* from *source* and score its cities (nothing is written)."""
    started = datetime.now(UTC)
    return cityness_scores(source, read_twinning(source, layer=layer), threshold, started, layer)


def quadrant_leaders(result: cn.Cityness, top: int) -> list[tuple[str, list[cn.CityScore]]]:
    """The *top* cities most typical of each quadrant: network city, hierarchical town, both."""
    orders: tuple[tuple[str, Callable[[float, float], float]], ...] = (
        ("network city", lambda flow, place: -(flow - place)),
        ("hierarchical town", lambda flow, place: -(place - flow)),
        ("both", lambda flow, place: -(flow + place)),
    )
    leaders = []
    for quadrant, order in orders:
        members = [s for s in result.scores if s.quadrant == quadrant]
        leaders.append((quadrant, sorted(members, key=_most_typical_first(order))[:top]))
    return leaders


def _most_typical_first(order: Callable[[float, float], float]) -> Callable[[cn.CityScore], tuple[float, str]]:
    """The sort key of a quadrant's members by *order* of (flow, place), then by city IRI."""
    # every city in a quadrant has a place score: the quadrants are set only for those
    return lambda s: (order(s.flow, s.place or 0.0), s.city)


def cityness_graph(analysis: CitynessAnalysis) -> rdflib.Graph:
    """The scores as RDF, with the cdo:CitynessAnalysis activity that made them."""
    return cn.to_rdf(analysis.result, analysis.started, analysis.source.sources)


def write_cityness(store: pyoxigraph.Store, graph: rdflib.Graph) -> int:
    """Replace the analysis graph of *store* with *graph*; returns the number of triples written."""
    return cn.write_to_store(store, graph)
