"""PNG plots with matplotlib's Agg canvas (no display, no pyplot state, no map download).

Each function renders one figure into bytes and writes it atomically, so a failed run never leaves a
half-written PNG.
"""

from __future__ import annotations

import io
import math
import warnings
from collections import Counter
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure

from citydiplomacy.core.rdfio import atomic_write


def _save(fig: Figure, path: Path) -> Path:
    """Render *fig* as PNG into memory, then write it atomically (no half-written file on failure)."""
    FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # glyphs missing from the default font (labels in many scripts)
        fig.savefig(buffer, format="png", dpi=120, bbox_inches="tight")
    atomic_write(path, buffer.getvalue())
    return path


def _caption(fig: Figure, caption: str | None) -> None:
    """A footer under the figure: the citation its data asks for."""
    if caption:
        fig.text(0.01, -0.02, caption, fontsize=7, ha="left", va="top", wrap=True)


def degree_distribution(
    degree_counts: list[tuple[int, int]],
    path: Path,
    xlabel: str = "twinning degree k (distinct partner cities)",
    title: str = "Degree distribution of the twinning network",
    caption: str | None = None,
) -> Path:
    """P(k) and the complementary cumulative distribution P(K >= k) on log-log axes."""
    fig = Figure(figsize=(7, 5))
    ax = fig.add_subplot()
    pairs = [(k, c) for k, c in degree_counts if k > 0]
    total = sum(c for _, c in pairs) or 1
    ks = [k for k, _ in pairs]
    pk = [c / total for _, c in pairs]
    ccdf, running = [], total
    for _, c in pairs:
        ccdf.append(running / total)
        running -= c
    ax.loglog(ks, pk, "o", markersize=4, label="P(k): share of cities with degree k")
    ax.loglog(ks, ccdf, "-", linewidth=1.5, label="P(K ≥ k)")
    ax.set(xlabel=xlabel, ylabel="share of cities", title=title)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    _caption(fig, caption)
    return _save(fig, path)


def links_map(cities: list[dict], edges: list[tuple[str, str]], path: Path) -> Path:
    """Links as straight segments between (lon, lat) points, cities sized by degree."""
    where = {c["city"]: (c["lon"], c["lat"]) for c in cities if c.get("lon") is not None}
    segments = [(where[u], where[v]) for u, v in edges if u in where and v in where]
    fig = Figure(figsize=(14, 7))
    ax = fig.add_subplot()
    ax.add_collection(LineCollection(segments, linewidths=0.3, alpha=0.15, colors="tab:blue"))
    placed = [c for c in cities if c.get("lon") is not None]
    ax.scatter(
        [c["lon"] for c in placed],
        [c["lat"] for c in placed],
        s=[2 + 3 * math.sqrt(c["degree"]) for c in placed],
        c="tab:red",
        alpha=0.6,
        linewidths=0,
    )
    ax.set(
        xlim=(-180, 180),
        ylim=(-90, 90),
        aspect="equal",
        xlabel="longitude",
        ylabel="latitude",
        title=f"Twinning links with coordinates at both ends: {len(segments):,} of {len(edges):,}",
    )
    ax.grid(True, alpha=0.2)
    return _save(fig, path)


def country_heatmap(country_pairs: list[dict], countries: list[dict], path: Path, top: int = 20) -> Path:
    """Links between the *top* countries with most links (diagonal = domestic), log colour scale."""
    names = [c["country"] for c in countries[:top]]
    index = {name: i for i, name in enumerate(names)}
    size = len(names)
    matrix = [[0] * size for _ in range(size)]
    for row in country_pairs:
        a, b = row["country_a"], row["country_b"]
        if a in index and b in index:
            matrix[index[a]][index[b]] += row["links"]
            if a != b:
                matrix[index[b]][index[a]] += row["links"]
    masked = [[value if value > 0 else math.nan for value in line] for line in matrix]
    fig = Figure(figsize=(max(6, 0.45 * size + 3), max(5, 0.45 * size + 2)))
    ax = fig.add_subplot()
    peak = max((v for line in matrix for v in line), default=1) or 1
    image = ax.imshow(masked, cmap="viridis", norm=LogNorm(vmin=1, vmax=max(peak, 2)))
    ax.set_xticks(range(size), names, rotation=90, fontsize=8)
    ax.set_yticks(range(size), names, fontsize=8)
    ax.set_title(f"Twinning links between the {size} countries with most links (diagonal: domestic)")
    fig.colorbar(image, ax=ax, label="links")
    return _save(fig, path)


def cityness_scatter(
    scores, flow_threshold, place_threshold, path: Path, annotate: int = 8, caption: str | None = None
) -> Path:
    """Place score (x) against flow score (y) with the quadrant lines."""
    colours = {
        "network city": "tab:blue",
        "hierarchical town": "tab:orange",
        "both": "tab:green",
        "neither": "tab:gray",
    }
    fig = Figure(figsize=(8, 7))
    ax = fig.add_subplot()
    for name, colour in colours.items():
        pts = [s for s in scores if s.quadrant == name]
        ax.scatter(
            [s.place for s in pts],
            [s.flow for s in pts],
            s=8,
            alpha=0.5,
            c=colour,
            label=f"{name} ({len(pts):,})",
            linewidths=0,
        )
    if flow_threshold is not None:
        ax.axhline(flow_threshold, color="black", linewidth=0.8, linestyle="--")
    if place_threshold is not None:
        ax.axvline(place_threshold, color="black", linewidth=0.8, linestyle="--")
    ranked = sorted((s for s in scores if s.place is not None), key=lambda s: -(s.flow - s.place))
    for s in ranked[:annotate]:
        ax.annotate(s.label, (s.place, s.flow), fontsize=7, xytext=(3, 3), textcoords="offset points")
    ax.set(
        xlim=(-0.02, 1.02),
        ylim=(-0.02, 1.02),
        xlabel="place score (town-ness: rank in the national urban hierarchy)",
        ylabel="flow score (city-ness: twinning, networks, reach abroad)",
        title="City-ness against town-ness",
    )
    ax.legend(loc="lower right", fontsize=8)
    _caption(fig, caption)
    return _save(fig, path)


def layers_overlap(cities: list[dict], path: Path, caption: str | None = None) -> Path:
    """How the two layers overlap: cities in twinning only, in networks only, in both (bars), and for the
    cities of either layer, twinning degree against the number of networks (scatter, log(1 + x) axes)."""
    fig = Figure(figsize=(13, 5.5))
    bars, scatter = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 2]})
    groups = {
        "twinning only": sum(1 for c in cities if c["twinning_degree"] and not c["networks"]),
        "both layers": sum(1 for c in cities if c["twinning_degree"] and c["networks"]),
        "networks only": sum(1 for c in cities if c["networks"] and not c["twinning_degree"]),
    }
    shown = bars.bar(list(groups), list(groups.values()), color=["tab:blue", "tab:purple", "tab:red"])
    bars.bar_label(shown, labels=[f"{v:,}" for v in groups.values()])
    bars.set(ylabel="cities", title="Cities by layer")
    pairs = Counter((c["twinning_degree"], c["networks"]) for c in cities)
    scatter.scatter(
        [math.log1p(d) for d, _ in pairs],
        [math.log1p(n) for _, n in pairs],
        s=[15 + 15 * math.sqrt(count) for count in pairs.values()],
        alpha=0.5,
        c="tab:purple",
        linewidths=0,
    )
    top_degree = max((d for d, _ in pairs), default=0)
    top_networks = max((n for _, n in pairs), default=0)
    scatter.set_xticks([math.log1p(v) for v in _ticks(top_degree)], [str(v) for v in _ticks(top_degree)])
    scatter.set_yticks([math.log1p(v) for v in _ticks(top_networks)], [str(v) for v in _ticks(top_networks)])
    scatter.set(
        xlabel="twinning degree (distinct partner cities)",
        ylabel="city networks joined",
        title="Twinning degree against networks joined (marker area: cities)",
    )
    scatter.grid(True, alpha=0.3)
    _caption(fig, caption)
    return _save(fig, path)


def _ticks(top: int) -> list[int]:
    """0, 1, 2, 5, 10, 20, 50, ... up to *top*: readable ticks on a log(1 + x) axis."""
    ticks, step = [0], 1
    while step <= max(top, 1):
        ticks += [v for v in (step, 2 * step, 5 * step) if v <= max(top, 1)]
        step *= 10
    return ticks
