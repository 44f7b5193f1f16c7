"""``citydip analyze network`` and ``citydip analyze cityness``: the commands, their tables and files."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import click
import pyoxigraph

from citydiplomacy.core.csvsafe import csv_text
from citydiplomacy.core.errors import EXIT_BAD_INPUT, CitydipError
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
    func = click.option(
        "--input-format",
        default=None,
        help="RDF format of the --data files when their extension does not tell (turtle, nt, trig, ...).",
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
    """(store, graph IRIs to read or None, provenance sources, whether it is the embedded store)."""
    from citydiplomacy.services.analysis.network import store_from_files

    for iri in graphs:
        try:
            pyoxigraph.NamedNode(iri)
        except ValueError:
            raise CitydipError(f"--graph {iri!r} is not an absolute IRI; give the named graph's full IRI") from None
    if data_files:
        if graphs:
            raise CitydipError("--graph selects graphs of the store; it cannot be combined with --data")
        store = store_from_files(list(data_files), input_format)
        return store, None, [Path(f).resolve().as_uri() for f in data_files], False
    from citydiplomacy.cli import store_from_context
    from citydiplomacy.core.store import graph_names

    store = store_from_context(read_only=read_only)
    names = graph_names(store)
    missing = [g for g in graphs if g not in names]
    if missing:
        raise CitydipError(f"--graph {missing[0]}: no such graph in the store; the store has: {', '.join(names)}")
    from citydiplomacy.services.analysis.cityness import GRAPH_ANALYSIS
    from citydiplomacy.core.namespaces import GRAPH_EXAMPLES

    # Default: every graph but the article's illustrative examples and our own previous scores.
    used = list(graphs) or [g for g in names if g not in (GRAPH_ANALYSIS, GRAPH_EXAMPLES)]
    if not used:
        raise CitydipError("the store holds no data graphs; import some with `citydip import` or pass --data FILE")
    return store, used, used, True


def _load(data_files, input_format, graphs, read_only=False):
    from citydiplomacy.services.analysis.network import load_twinning

    store, selected, sources, is_store = _open_source(data_files, input_format, graphs, read_only)
    with progress("reading the twinning network", total=8) as advance:
        data = load_twinning(store, selected, advance)
    if data.graph.number_of_edges() == 0:
        where = "the given files" if data_files else "the store"
        raise CitydipError(
            f"no twinning agreements (cdo:TwinningAgreement with two cdo:partner cities) found in {where}; "
            "import some with `citydip import` or pass --data FILE",
            EXIT_BAD_INPUT,
        )
    return store, data, sources, is_store


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
    target = Path(plot)
    if target.exists() and not target.is_dir():
        raise CitydipError(f"--plot {plot}: is a file; give a folder for the PNG files")
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CitydipError(f"--plot {plot}: cannot create the folder ({exc.strerror})") from None
    return target


def _check_out(out: str | None) -> Path | None:
    if out is None:
        return None
    path = Path(out)
    if path.is_dir():
        raise CitydipError(f"--out {out}: is a folder; give a file name such as {Path(out) / 'network.csv'}")
    if not path.parent.is_dir():
        raise CitydipError(f"--out {out}: the folder {path.parent} does not exist; create it first")
    return path


@click.group()
def analyze() -> None:
    """Measure the article's thesis (space of flows vs space of places) on the twinning network.

    `network` gives the figures of the twinning network; `cityness` scores each city on flows and on
    place and writes the scores back into the graph.
    """


CITY_COLUMNS = [
    "city", "label", "country", "country_iri", "population", "lon", "lat", "degree", "clustering",
    "betweenness", "eigenvector", "component", "memberships",
]


@analyze.command()
@_source_options
@click.option("--out", metavar="CSV", help="Write metric,value rows to CSV, and CSV-cities, -degrees, -countries and -country-pairs "
                   "tables next to it (e.g. net.csv, net-cities.csv, ...).")
@click.option("--plot", metavar="DIR", help="Write PNG plots into this folder (created if missing).")
@click.option("--sample", default=250, show_default=True, type=click.IntRange(min=2),
              help="Sources sampled for betweenness when the network has more cities (fixed seed).")
@click.option("--path-sample", default=2000, show_default=True, type=click.IntRange(min=2),
              help="Sources sampled for the mean shortest path when the largest component is larger (fixed seed).")
@click.option("--top", default=10, show_default=True, type=click.IntRange(min=1), help="How many cities and countries to list.")
@click.option("--seed", default=42, show_default=True, type=int, help="Seed of the source sampling.")
def network(data_files, input_format, graphs, out, plot, sample, path_sample, top, seed) -> None:
    """Figures of the twinning network: size, components, degrees, clustering, assortativity, paths,
    central cities, and domestic versus cross-border links by country.

    Exit codes: 0 done, 2 no twinning data or bad input.
    """
    from citydiplomacy.services.analysis.network import compute_network

    out_path = _check_out(out)
    plot_dir = _plot_dir(plot) if plot else None
    _store, data, sources, _ = _load(data_files, input_format, graphs, read_only=True)
    with progress("analysing the twinning network", total=6) as advance:
        figures = compute_network(data, sample=sample, path_sample=path_sample, seed=seed, advance=advance)
    figures.summary.append(("sources", " ".join(sources)))

    print_table(["metric", "value"], [(k, _fmt(v)) for k, v in figures.summary if k != "sources"], title="Twinning network")
    click.echo("Read: " + " ".join(sources), err=True)
    by_deg = figures.cities[:top]
    by_bc = sorted(figures.cities, key=lambda r: (-r["betweenness"], r["city"]))[:top]
    by_ev = sorted((r for r in figures.cities if r["eigenvector"] is not None), key=lambda r: (-r["eigenvector"], r["city"]))[:top]

    def name(r):
        return f"{r['label']} ({r['country']})" if r["country"] else r["label"]

    rows = []
    for i in range(top):
        cells = [i + 1]
        for ranked, key, digits in ((by_deg, "degree", 0), (by_bc, "betweenness", 4), (by_ev, "eigenvector", 4)):
            if i < len(ranked):
                r = ranked[i]
                cells.append(f"{name(r)}  {r[key] if digits == 0 else format(r[key], f'.{digits}f')}")
            else:
                cells.append("")
        if any(cells[1:]):
            rows.append(cells)
    print_table(["#", "by degree", "by betweenness", "by eigenvector (largest component)"], rows, title=f"Top {top} cities")
    if figures.countries:
        print_table(
            ["country", "cities", "links", "domestic", "cross-border", "cross-border share"],
            [(c["country"], c["cities"], c["links"], c["domestic_links"], c["cross_border_links"], _fmt(c["cross_border_share"], 3))
             for c in figures.countries[:top]],
            title=f"Top {top} countries by links",
        )
        print_table(
            ["country", "country", "links"],
            [(p["country_a"], p["country_b"], p["links"]) for p in figures.country_pairs[:top]],
            title=f"Top {top} country pairs",
        )

    if out_path:
        written = [
            _write_csv(out_path, ["metric", "value"], figures.summary),
            _write_csv(_sibling(out_path, "cities"), CITY_COLUMNS, figures.cities),
            _write_csv(_sibling(out_path, "degrees"), ["degree", "cities"], figures.degree_counts),
            _write_csv(_sibling(out_path, "countries"),
                       ["country", "country_iri", "cities", "links", "domestic_links", "cross_border_links", "cross_border_share"],
                       figures.countries),
            _write_csv(_sibling(out_path, "country-pairs"),
                       ["country_a", "country_b", "links", "domestic", "country_a_iri", "country_b_iri"], figures.country_pairs),
        ]
        click.echo("Wrote " + ", ".join(str(p) for p in written), err=True)
    if plot_dir:
        from citydiplomacy.services.analysis import plots

        written = [plots.degree_distribution(figures.degree_counts, plot_dir / "degree-distribution.png"),
                   plots.links_map(figures.cities, list(data.graph.edges), plot_dir / "links-map.png")]
        if figures.countries:
            written.append(plots.country_heatmap(figures.country_pairs, figures.countries, plot_dir / "country-pairs.png"))
        click.echo("Wrote " + ", ".join(str(p) for p in written), err=True)


SCORE_COLUMNS = [
    "city", "label", "country", "country_iri", "population", "degree", "memberships", "foreign_countries",
    "foreign_partner_share", "population_rank", "country_cities", "capital", "flow", "place", "quadrant",
]


@analyze.command()
@_source_options
@click.option("--out", metavar="CSV", help="Write one row per city here, and the summary next to it (-summary.csv).")
@click.option("--plot", metavar="DIR", help="Write the scatter plot cityness.png into this folder (created if missing).")
@click.option("--write/--no-write", default=None,
              help="Write the scores into the store's graph https://w3id.org/citydiplomacy/graph/analysis "
                   "(replacing the previous run). Default: write when reading the store, not with --data.")
@click.option("--rdf", "rdf_out", metavar="FILE", help="Also save the scores as Turtle to FILE.")
@click.option("--threshold", type=click.Choice(["median", "mean"]), default="median", show_default=True,
              help="Where 'high' begins for the quadrants (strictly above it).")
@click.option("--top", default=10, show_default=True, type=click.IntRange(min=1), help="How many cities to list per quadrant.")
def cityness(data_files, input_format, graphs, out, plot, write, rdf_out, threshold, top) -> None:
    """Score every city on flows (city-ness) and on place (town-ness) and put it in a quadrant:
    network city, hierarchical town, both or neither.

    Exit codes: 0 done, 2 no twinning data or bad input.
    """
    from citydiplomacy.services.analysis import cityness as cn

    started = datetime.now(timezone.utc)
    out_path = _check_out(out)
    rdf_path = _check_out(rdf_out)
    plot_dir = _plot_dir(plot) if plot else None
    store, data, sources, is_store = _load(data_files, input_format, graphs, read_only=write is False)
    with progress("scoring cities", total=1) as advance:
        result = cn.compute_cityness(data.graph, threshold, data.membership_data)
        advance()
    summary = cn.summary_rows(result) + [("sources", " ".join(sources))]
    print_table(["metric", "value"], [(k, _fmt(v)) for k, v in summary if k != "sources"], title="City-ness and town-ness")
    click.echo("Read: " + " ".join(sources), err=True)
    for quadrant, key in (("network city", lambda s: -(s.flow - s.place)), ("hierarchical town", lambda s: -(s.place - s.flow)),
                          ("both", lambda s: -(s.flow + s.place))):
        members = sorted((s for s in result.scores if s.quadrant == quadrant), key=lambda s: (key(s), s.city))[:top]
        if members:
            print_table(
                ["city", "country", "population", "degree", "flow", "place"],
                [(s.label, s.country or "", _fmt(s.population), s.degree, _fmt(s.flow, 3), _fmt(s.place, 3)) for s in members],
                title=f"{quadrant}: top {len(members)}",
            )
    rows = sorted(result.scores, key=lambda s: (-s.flow, s.city))
    if out_path:
        written = [
            _write_csv(out_path, SCORE_COLUMNS, ({c: getattr(s, c) for c in SCORE_COLUMNS} for s in rows)),
            _write_csv(_sibling(out_path, "summary"), ["metric", "value"], summary),
        ]
        click.echo("Wrote " + ", ".join(str(p) for p in written), err=True)
    if plot_dir:
        from citydiplomacy.services.analysis import plots

        path = plots.cityness_scatter(result.scores, result.flow_threshold, result.place_threshold, plot_dir / "cityness.png")
        click.echo(f"Wrote {path}", err=True)
    do_write = is_store if write is None else write
    graph = None
    if do_write or rdf_path:
        graph = cn.to_rdf(result, started, sources)
    if rdf_path:
        atomic_write(rdf_path, graph.serialize(format="turtle", encoding="utf-8"))
        click.echo(f"Wrote {rdf_path}", err=True)
    if do_write:
        if not is_store:
            from citydiplomacy.cli import store_from_context

            store = store_from_context()
        count = cn.write_to_store(store, graph)
        click.echo(f"Wrote {count:,} triples into the graph {cn.GRAPH_ANALYSIS}", err=True)
