"""The Python API of import and analyze: what the commands do, callable with a store and plain arguments."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from click.testing import CliRunner

from citydiplomacy.cli import cli
from citydiplomacy.core.errors import CitydipError
from citydiplomacy.core.store import open_store
from citydiplomacy.services.analysis import api as analysis
from citydiplomacy.services.importing import api as importing

SRC = Path(__file__).resolve().parents[1] / "src" / "citydiplomacy"

RELATIONS = "Q1\tQ2\nQ2\tQ1\nQ1\tQ3\nQ3\tQ3\nbad\tQ2\n"
NAMES = "Q1\tAlpha\nQ2\tBeta\nQ3\tGamma\n"
SHEET = "City,Country,Partner,Partner country,Start\nAlpha,Italy,Delta,Spain,1990\nAlpha,Italy,Beta,Italy,\n"
COLUMNS = importing.Columns("City", "Country", "Partner", "Partner country", start="Start")


@pytest.fixture()
def tsv(tmp_path):
    (tmp_path / "relations.tsv").write_text(RELATIONS, encoding="utf-8")
    (tmp_path / "names.tsv").write_text(NAMES, encoding="utf-8")
    return tmp_path / "relations.tsv"


def test_import_files_pairs_relations_with_names_beside_it(tsv, tmp_path):
    store = open_store(str(tmp_path / "kg"))
    outcome = importing.import_files(store, [tsv])
    [item] = outcome.files
    assert (item.job.fmt, item.job.names, item.job.label) == ("l3viathan-tsv", tsv.with_name("names.tsv"), "relations.tsv (+names.tsv)")
    assert item.result.new_agreements == 2 and outcome.triples_added > 0
    assert [kind for _, _, kind, _ in outcome.issues()] == ["self-twinning", "not a Wikidata item"]
    assert importing.import_files(store, [tsv]).triples_added == 0  # twice adds nothing


def test_read_files_fails_before_any_store(tmp_path):
    (tmp_path / "names.tsv").write_text(NAMES, encoding="utf-8")
    with pytest.raises(CitydipError, match="labels only"):
        importing.read_files([tmp_path / "names.tsv"])
    with pytest.raises(CitydipError, match="no such file"):
        importing.resolve_inputs([tmp_path / "missing.gexf"])
    with pytest.raises(CitydipError, match="unknown import format"):
        importing.resolve_inputs([tmp_path / "names.tsv"], fmt="xlsx")


def test_import_spreadsheet_reconciles_against_the_store(tsv, tmp_path):
    store = open_store(str(tmp_path / "kg"))
    importing.import_files(store, [tsv])
    sheet = tmp_path / "sheet.csv"
    sheet.write_text(SHEET, encoding="utf-8")
    outcome = importing.import_spreadsheet(store, sheet, COLUMNS)
    assert (outcome.rows, outcome.imported + outcome.merged) == (2, 2)
    assert outcome.created >= 1  # Delta (Spain) is in no graph
    with pytest.raises(CitydipError, match="no such file"):
        importing.import_spreadsheet(store, tmp_path / "none.csv", COLUMNS)


def test_analyze_the_store_from_python(tsv, tmp_path):
    store = open_store(str(tmp_path / "kg"))
    importing.import_files(store, [tsv])
    source = analysis.source_from_store(store)
    network = analysis.analyze_network(source)
    summary = dict(network.figures.summary)
    assert summary["sources"] == " ".join(source.sources)
    assert network.data.graph.number_of_edges() == 2
    assert [r["label"] for r in analysis.ranked_cities(network.figures, "degree", 1)] == ["Alpha"]
    scores = analysis.analyze_cityness(source)
    assert {s.label for s in scores.result.scores} == {"Alpha", "Beta", "Gamma"}
    assert analysis.write_cityness(store, analysis.cityness_graph(scores)) > 0
    assert analysis.GRAPH_ANALYSIS not in analysis.source_from_store(store).graphs


def test_analyze_refuses_bad_sources(tmp_path):
    store = open_store(str(tmp_path / "kg"))
    with pytest.raises(CitydipError, match="not an absolute IRI"):
        analysis.source_from_store(store, ["data"])
    with pytest.raises(CitydipError, match="no such graph"):
        analysis.source_from_store(store, ["https://example.org/g"])
    empty = tmp_path / "empty.ttl"
    empty.write_text("<https://example.org/a> <https://example.org/b> <https://example.org/c> .\n", encoding="utf-8")
    with pytest.raises(CitydipError, match="no twinning agreements .* the given files"):
        analysis.analyze_network(analysis.source_from_files([empty]))


def test_cli_and_api_agree(tsv, tmp_path):
    store_dir = tmp_path / "cli-kg"
    run = CliRunner().invoke(cli, ["--store", str(store_dir), "import", str(tsv)])
    assert run.exit_code == 0, run.output
    out = tmp_path / "net.csv"
    run = CliRunner().invoke(cli, ["--store", str(store_dir), "analyze", "network", "--out", str(out)])
    assert run.exit_code == 0, run.output
    figures = analysis.analyze_network(analysis.source_from_store(open_store(str(store_dir), read_only=True))).figures
    assert out.read_text(encoding="utf-8").splitlines()[1].startswith(f"{figures.summary[0][0]},")


@pytest.mark.parametrize("package", ["services/importing", "services/analysis"])
def test_services_know_no_cli(package):
    """The commands live in cli/; the services below it import neither click nor citydiplomacy.cli."""
    for path in (SRC / package).glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            names += [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            assert not any(n == "click" or n.startswith(("click.", "citydiplomacy.cli")) for n in names), path
