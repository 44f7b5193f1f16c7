"""``citydip analyze network`` and ``citydip analyze cityness``: the commands, their tables and files."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import click

from citydiplomacy.cli.messages import headers, tr
from citydiplomacy.cli.options import (
    common_options,
    current_lang,
    input_format_option,
    make_parents,
    out_dir_option,
    output_option,
)
from citydiplomacy.core import formats
from citydiplomacy.core.csvsafe import csv_text
from citydiplomacy.core.errors import CitydipError
from citydiplomacy.core.namespaces import GRAPH_ANALYSIS
from citydiplomacy.core.output import print_table, progress
from citydiplomacy.core.rdfio import atomic_write


def _source_options(func):
    """--data FILE (repeatable), --input-format and --graph IRI (repeatable), shared by both commands."""
    func = click.option(
        "--graph",
        "graphs",
        multiple=True,
        metavar="IRI",
        help="Read only this named graph of the store (repeatable); default: the union of all graphs "
        "except the article's examples and the analysis results.",
    )(func)
    func = input_format_option(
        "RDF format of the --data files when their extension does not tell (turtle, nt, trig, ...)."
    )(func)
    func = click.option(
        "--data",
        "data_files",
        multiple=True,
        metavar="FILE",
        type=click.Path(dir_okay=True, path_type=str),
        help="Analyse these RDF files instead of the store (repeatable: --data a.ttl --data b.nt).",
    )(func)
    return func


def _open_source(data_files, input_format, graphs, read_only=False):
    """The --data files, or the store of the root --store option with its --graph selection."""
    from citydiplomacy.cli import store_from_context
    from citydiplomacy.services.analysis import api

    api.check_graph_iris(graphs)
    if data_files:
        if graphs:
            raise CitydipError("--graph selects graphs of the store; it cannot be combined with --data")
        return api.source_from_files(data_files, input_format)
    return api.source_from_store(store_from_context(read_only=read_only), graphs)


def _layer_option(default: str, text: str):
    """--layer twinning|membership|both."""
    return click.option(
        "--layer",
        type=click.Choice(["twinning", "membership", "both"]),
        default=default,
        show_default=True,
        help=text,
    )


def _read(source, layer: str = "twinning"):
    """The twinning network and membership layer of *source*, with a progress bar on a terminal."""
    from citydiplomacy.services.analysis import api

    with progress("reading the twinning network and the memberships", total=8) as advance:
        return api.read_twinning(source, advance, lang=current_lang(), layer=layer)


def _cite(citation: str | None) -> None:
    """The closing line that cites the membership data, when its licence asks for it."""
    if citation:
        click.echo(citation, err=True)


def _fmt(value, digits: int = 4) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _csv_value(value) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.6g}"
    return value


def _write_csv(path: Path, columns: list[str], rows) -> Path:
    """People open these tables in spreadsheets: cells that would run as formulas are neutralised."""
    cells = ([row.get(c) for c in columns] if isinstance(row, dict) else row for row in rows)
    values = ([_csv_value(v) for v in row] for row in cells)
    atomic_write(path, csv_text(columns, values))
    return path


def _sibling(path: Path, suffix: str) -> Path:
    return path.with_name(f"{path.stem}-{suffix}{path.suffix or '.csv'}")


def _plot_dir(plot: str) -> Path:
    """The --out-dir folder (the option created it with its parents)."""
    return Path(plot)


def _check_out(out: str | None) -> Path | None:
    """The -o/--output file (its folder was created by the option); a folder there is a mistake."""
    if out is None:
        return None
    path = Path(out)
    if path.is_dir():
        raise CitydipError(f"--output {out}: is a folder; give a file name such as {Path(out) / 'network.csv'}")
    if not path.parent.is_dir():
        raise CitydipError(f"--output {out}: {path.parent} is not a folder; choose another path")
    return path


@click.group()
def analyze() -> None:
    """Measure the article's thesis (space of flows vs space of places) on the twinning network and the
    memberships of city networks.

    `network` gives the figures of the twinning network (--layer: or of the membership layer, or both);
    `cityness` scores each city on flows and on place and writes the scores back into the graph.
    """


CITY_COLUMNS = [
    "city",
    "label",
    "country",
    "country_iri",
    "population",
    "lon",
    "lat",
    "degree",
    "clustering",
    "betweenness",
    "eigenvector",
    "component",
    "memberships",
]


@analyze.command()
@_source_options
@output_option(
    "Write metric,value rows to CSV, and CSV-cities, -degrees, -countries and -country-pairs "
    "tables next to it (e.g. net.csv, net-cities.csv, ...).",
    name="out",
    metavar="CSV",
)
@out_dir_option("Write PNG plots into this folder (created if missing).", old=("--plot",), name="plot")
@click.option(
    "--sample",
    default=250,
    show_default=True,
    type=click.IntRange(min=2),
    help="Sources sampled for betweenness when the network has more cities (fixed seed).",
)
@click.option(
    "--path-sample",
    default=2000,
    show_default=True,
    type=click.IntRange(min=2),
    help="Sources sampled for the mean shortest path when the largest component is larger (fixed seed).",
)
@click.option(
    "--top", default=10, show_default=True, type=click.IntRange(min=1), help="How many cities and countries to list."
)
@click.option("--seed", default=42, show_default=True, type=int, help="Seed of the source sampling.")
@_layer_option(
    "twinning",
    "Which flows: the twinning network; the city-network memberships (bipartite graph and its city "
    "projection); or both, with their overlap and the union of their links.",
)
@common_options
def network(data_files, input_format, graphs, out, plot, sample, path_sample, top, seed, layer) -> None:
    """Figures of the twinning network: size, components, degrees, clustering, assortativity, paths,
    central cities, and domestic versus cross-border links by country; with --layer membership or both,
    the memberships of city networks and whether co-members are twinned more often than chance.

    Exit codes: 0 done, 2 no data for the layer or bad input.
    """
    out_path = _check_out(out)
    plot_dir = _plot_dir(plot) if plot else None
    source = _open_source(data_files, input_format, graphs, read_only=True)
    data = _read(source, layer)
    if layer != "membership" and data.graph.number_of_edges():
        _twinning_report(source, data, out_path, plot_dir, sample, path_sample, top, seed, both=layer == "both")
    if layer != "twinning" and data.layer.networks_of:
        _membership_report(source, data, layer, out_path, plot_dir, top, (path_sample, seed))
    _cite(data.layer.citation() if layer != "twinning" else None)


def _twinning_report(source, data, out_path, plot_dir, sample, path_sample, top, seed, both=False) -> None:
    """Today's report of the twinning network: its figures, top cities and countries, tables and plots
    (with --layer both its CSV files are named NAME-twinning*.csv)."""
    from citydiplomacy.services.analysis import api

    with progress("analysing the twinning network", total=6) as advance:
        analysis = api.network_figures(source, data, sample=sample, path_sample=path_sample, seed=seed, advance=advance)
    figures = analysis.figures
    print_table(
        headers("metric", "value"),
        [(k, _fmt(v)) for k, v in figures.summary if k != "sources"],
        title=tr("Twinning network"),
    )
    click.echo("Read: " + " ".join(source.sources), err=True)
    _print_top_cities(figures, top)
    _print_top_countries(figures, top)
    if out_path:
        _write_network_tables(_sibling(out_path, "twinning") if both else out_path, figures)
    if plot_dir:
        _plot_network(plot_dir, analysis)


def _membership_report(source, data, layer: str, out_path, plot_dir, top: int, sampling: tuple[int, int]) -> None:
    """--layer membership|both: the layer's figures, the co-members table, its CSV files and plots;
    *sampling* is (--path-sample, --seed) for the union's mean shortest path."""
    from citydiplomacy.services.analysis import api

    figures = api.layer_figures(data, layer, *sampling)
    title = (
        "Membership layer (cities and city networks)" if layer == "membership" else "Twinning and membership together"
    )
    print_table(headers("metric", "value"), [(k, _fmt(v)) for k, v in figures.summary], title=tr(title))
    click.echo("Read: " + " ".join(source.sources), err=True)
    print_table(
        headers("network", "members", "members twinned", "pairs", "twinned pairs", "rate", "chance rate", "lift"),
        [
            (
                r.label,
                r.members,
                r.members_twinned,
                r.pairs,
                r.twinned_pairs,
                _fmt(r.rate),
                _fmt(r.expected_rate),
                _fmt(r.lift, 2),
            )
            for r in figures.networks[:top]
        ],
        title=tr("Are co-members twinned more often than chance? (top {n} networks)", n=top),
    )
    if out_path:
        written = [
            _write_csv(out_path, ["metric", "value"], [*figures.summary, ("sources", " ".join(source.sources))]),
            _write_csv(_sibling(out_path, "networks"), NETWORK_COLUMNS, (vars(r) for r in figures.networks)),
            _write_csv(_sibling(out_path, "layer-cities"), LAYER_CITY_COLUMNS, figures.cities),
        ]
        click.echo("Wrote " + ", ".join(str(p) for p in written), err=True)
    if plot_dir:
        _plot_layers(plot_dir, figures)


NETWORK_COLUMNS = [
    "network",
    "label",
    "members",
    "members_twinned",
    "pairs",
    "twinned_pairs",
    "rate",
    "expected_rate",
    "lift",
]
LAYER_CITY_COLUMNS = ["city", "label", "country", "population", "twinning_degree", "networks", "co_members"]


def _plot_layers(plot_dir: Path, figures) -> None:
    """The networks-per-city distribution and the overlap of the two layers, captioned with the citation."""
    from citydiplomacy.services.analysis import plots

    per_city = sorted(Counter(r["networks"] for r in figures.cities).items())
    written = [
        plots.degree_distribution(
            per_city,
            plot_dir / "networks-per-city.png",
            xlabel="networks per city (distinct city networks)",
            title="Memberships per city in the membership layer",
            caption=figures.citation,
        ),
        plots.layers_overlap(figures.cities, plot_dir / "layers-overlap.png", caption=figures.citation),
    ]
    click.echo("Wrote " + ", ".join(str(p) for p in written), err=True)


def _city_name(row: dict) -> str:
    return f"{row['label']} ({row['country']})" if row["country"] else row["label"]


def _print_top_cities(figures, top: int) -> None:
    """Three rankings side by side: degree, betweenness, eigenvector."""
    from citydiplomacy.services.analysis.api import ranked_cities

    rankings = [
        (ranked_cities(figures, key, top), key, digits)
        for key, digits in (("degree", 0), ("betweenness", 4), ("eigenvector", 4))
    ]
    rows = []
    for i in range(top):
        cells: list[object] = [i + 1]
        for ranked, key, digits in rankings:
            if i < len(ranked):
                r = ranked[i]
                cells.append(f"{_city_name(r)}  {r[key] if digits == 0 else format(r[key], f'.{digits}f')}")
            else:
                cells.append("")
        if any(cells[1:]):
            rows.append(cells)
    print_table(
        ["#", *headers("by degree", "by betweenness", "by eigenvector (largest component)")],
        rows,
        title=tr("Top {n} cities", n=top),
    )


def _print_top_countries(figures, top: int) -> None:
    """Countries by links (domestic against cross-border) and the country pairs most twinned."""
    if not figures.countries:
        return
    print_table(
        headers("country", "cities", "links", "domestic", "cross-border", "cross-border share"),
        [
            (
                c["country"],
                c["cities"],
                c["links"],
                c["domestic_links"],
                c["cross_border_links"],
                _fmt(c["cross_border_share"], 3),
            )
            for c in figures.countries[:top]
        ],
        title=tr("Top {n} countries by links", n=top),
    )
    print_table(
        headers("country", "country", "links"),
        [(p["country_a"], p["country_b"], p["links"]) for p in figures.country_pairs[:top]],
        title=tr("Top {n} country pairs", n=top),
    )


def _write_network_tables(out_path: Path, figures) -> None:
    """--out CSV and its -cities, -degrees, -countries and -country-pairs siblings."""
    written = [
        _write_csv(out_path, ["metric", "value"], figures.summary),
        _write_csv(_sibling(out_path, "cities"), CITY_COLUMNS, figures.cities),
        _write_csv(_sibling(out_path, "degrees"), ["degree", "cities"], figures.degree_counts),
        _write_csv(
            _sibling(out_path, "countries"),
            ["country", "country_iri", "cities", "links", "domestic_links", "cross_border_links", "cross_border_share"],
            figures.countries,
        ),
        _write_csv(
            _sibling(out_path, "country-pairs"),
            ["country_a", "country_b", "links", "domestic", "country_a_iri", "country_b_iri"],
            figures.country_pairs,
        ),
    ]
    click.echo("Wrote " + ", ".join(str(p) for p in written), err=True)


def _plot_network(plot_dir: Path, analysis) -> None:
    """--plot DIR: the degree distribution, the map of links and the country-pair heatmap."""
    from citydiplomacy.services.analysis import plots

    figures = analysis.figures
    written = [
        plots.degree_distribution(figures.degree_counts, plot_dir / "degree-distribution.png"),
        plots.links_map(figures.cities, list(analysis.data.graph.edges), plot_dir / "links-map.png"),
    ]
    if figures.countries:
        written.append(plots.country_heatmap(figures.country_pairs, figures.countries, plot_dir / "country-pairs.png"))
    click.echo("Wrote " + ", ".join(str(p) for p in written), err=True)


SCORE_COLUMNS = [
    "city",
    "label",
    "country",
    "country_iri",
    "population",
    "degree",
    "memberships",
    "foreign_countries",
    "foreign_partner_share",
    "population_rank",
    "country_cities",
    "capital",
    "flow",
    "place",
    "quadrant",
]


@analyze.command()
@_source_options
@output_option("Write one row per city here, and the summary next to it (-summary.csv).", name="out", metavar="CSV")
@out_dir_option(
    "Write the scatter plot cityness.png into this folder (created if missing).", old=("--plot",), name="plot"
)
@click.option(
    "--write/--no-write",
    default=None,
    help=f"Write the scores into the store's graph {GRAPH_ANALYSIS} "
    "(replacing the previous run). Default: write when reading the store, not with --data.",
)
@click.option("--rdf", "rdf_out", metavar="FILE", callback=make_parents, help="Also save the scores as Turtle to FILE.")
@click.option(
    "--threshold",
    type=click.Choice(["median", "mean"]),
    default="median",
    show_default=True,
    help="Where 'high' begins for the quadrants (strictly above it).",
)
@click.option(
    "--top", default=10, show_default=True, type=click.IntRange(min=1), help="How many cities to list per quadrant."
)
@_layer_option(
    "both",
    "Which horizontal flows make the flow score: twinning (degree, partner countries abroad), membership "
    "(networks joined), or both (all three; the cities of either layer are scored).",
)
@common_options
def cityness(data_files, input_format, graphs, out, plot, write, rdf_out, threshold, top, layer) -> None:
    """Score every city on flows (city-ness) and on place (town-ness) and put it in a quadrant:
    network city, hierarchical town, both or neither.

    Exit codes: 0 done, 2 no data for the layer or bad input.
    """
    from citydiplomacy.services.analysis import api

    started = datetime.now(UTC)
    out_path = _check_out(out)
    rdf_path = _check_out(rdf_out)
    plot_dir = _plot_dir(plot) if plot else None
    source = _open_source(data_files, input_format, graphs, read_only=write is False)
    data = _read(source, layer)
    with progress("scoring cities", total=1) as advance:
        analysis = api.cityness_scores(source, data, threshold, started, layer)
        advance()
    _print_cityness(analysis, top)
    if out_path:
        rows = sorted(analysis.result.scores, key=lambda s: (-s.flow, s.city))
        written = [
            _write_csv(out_path, SCORE_COLUMNS, ({c: getattr(s, c) for c in SCORE_COLUMNS} for s in rows)),
            _write_csv(_sibling(out_path, "summary"), ["metric", "value"], analysis.summary),
        ]
        click.echo("Wrote " + ", ".join(str(p) for p in written), err=True)
    if plot_dir:
        from citydiplomacy.services.analysis import plots

        result = analysis.result
        path = plots.cityness_scatter(
            result.scores,
            result.flow_threshold,
            result.place_threshold,
            plot_dir / "cityness.png",
            caption=analysis.citation,
        )
        click.echo(f"Wrote {path}", err=True)
    _save_scores(analysis, write, rdf_path)
    _cite(analysis.citation)


def _print_cityness(analysis, top: int) -> None:
    """The summary, then the cities most typical of each quadrant."""
    from citydiplomacy.services.analysis.api import quadrant_leaders

    summary = analysis.summary
    print_table(
        headers("metric", "value"),
        [(k, _fmt(v)) for k, v in summary if k != "sources"],
        title=tr("City-ness and town-ness"),
    )
    click.echo("Read: " + " ".join(analysis.source.sources), err=True)
    for quadrant, members in quadrant_leaders(analysis.result, top):
        if members:
            print_table(
                headers("city", "country", "population", "degree", "flow", "place"),
                [
                    (s.label, s.country or "", _fmt(s.population), s.degree, _fmt(s.flow, 3), _fmt(s.place, 3))
                    for s in members
                ],
                title=tr("{quadrant}: top {n}", quadrant=quadrant, n=len(members)),
            )


def _save_scores(analysis, write: bool | None, rdf_path: Path | None) -> None:
    """--rdf FILE, and the store's analysis graph (by default when the store was read, not --data)."""
    from citydiplomacy.cli import store_from_context
    from citydiplomacy.services.analysis import api

    do_write = analysis.source.is_store if write is None else write
    if not (do_write or rdf_path):
        return
    graph = api.cityness_graph(analysis)
    if rdf_path:
        atomic_write(rdf_path, graph.serialize(format=formats.TURTLE.rdflib, encoding="utf-8"))
        click.echo(f"Wrote {rdf_path}", err=True)
    if do_write:
        store = analysis.source.store if analysis.source.is_store else store_from_context()
        count = api.write_cityness(store, graph)
        click.echo(f"Wrote {count:,} triples into the graph {api.GRAPH_ANALYSIS}", err=True)
