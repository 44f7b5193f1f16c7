"""`citydip query list/show/run` on the embedded store and --data: formats, parameters, safety."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pyoxigraph
import pytest
import rdflib
from click.testing import CliRunner

from citydiplomacy.cli import cli
from citydiplomacy.services.querying import params
from citydiplomacy.services.querying.catalog import Question

REPO = Path(__file__).resolve().parent.parent
INSTANCES = str(REPO / "tests" / "data" / "query" / "instances.ttl")
INJECTION = 'Tehran" } ; DROP ALL ; #'
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


@pytest.fixture(scope="module")
def _store_dir(tmp_path_factory):
    return str(tmp_path_factory.mktemp("query-store") / "kg")


@pytest.fixture(autouse=True)
def _shared_store(_store_dir, monkeypatch):
    """One embedded store for the module (creating one costs ~1 s); no test here writes to it."""
    monkeypatch.setenv("CITYDIP_STORE", _store_dir)


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args))


def store_size() -> int:
    result = invoke("query", "run", "--text", COUNT, "--format", "csv")
    assert result.exit_code == 0, result.output
    return int(result.stdout.split()[1])


# ------------------------------------------------------------------ list / show


def test_list_table_and_json():
    table = invoke("query", "list")
    assert table.exit_code == 0
    assert "partners-of-city" in table.stdout
    items = json.loads(invoke("query", "list", "--format", "json").stdout)
    names = {i["name"] for i in items}
    assert {"partners-of-city", "one-sided-twinnings", "agreements-in-force"} <= names
    in_force = next(i for i in items if i["name"] == "agreements-in-force")
    assert in_force["params"] == [{"name": "year", "type": "integer", "default": "2010"}]
    assert in_force["question_fa"]


def test_show_prints_header_and_query():
    result = invoke("query", "show", "partners-of-city")
    assert result.exit_code == 0
    assert "param city" in result.stdout and "SELECT" in result.stdout


def test_unknown_question_is_exit_2_with_hint():
    result = invoke("query", "run", "partners")
    assert result.exit_code == 2
    assert "partners-of-city" in result.output and "Traceback" not in result.output


def test_run_needs_exactly_one_query():
    assert invoke("query", "run").exit_code == 2
    assert invoke("query", "run", "partners-of-city", "--text", COUNT).exit_code == 2


# ------------------------------------------------------------------ sources of queries and data


def test_run_file_and_embedded_store(tmp_path):
    query = tmp_path / "classes.rq"
    query.write_text(
        "# title: classes\nPREFIX owl: <http://www.w3.org/2002/07/owl#>\n"
        "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a owl:Class }\n",
        encoding="utf-8",
    )
    result = invoke("query", "run", str(query), "--format", "csv")
    assert result.exit_code == 0, result.output
    assert int(result.stdout.split()[1]) > 20


def test_data_files_are_added_to_the_bundled_graph():
    text = "PREFIX cdo: <https://w3id.org/citydiplomacy/ontology#> SELECT (COUNT(?a) AS ?n) WHERE { ?a a cdo:TwinningAgreement }"
    with_data = invoke("query", "run", "--text", text, "--data", INSTANCES, "--format", "csv")
    assert with_data.exit_code == 0, with_data.output
    without = invoke("query", "run", "--text", text, "--format", "csv")
    assert int(with_data.stdout.split()[1]) == int(without.stdout.split()[1]) + 8


def test_bad_data_file_is_one_located_line(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix ex: <http://example.org/> .\nex:a ex:b .\n", encoding="utf-8")
    result = invoke("query", "run", "--text", COUNT, "--data", str(bad))
    assert result.exit_code == 2
    assert f"{bad}:2:" in result.output and len(result.output.strip().splitlines()) == 1


def test_missing_data_file():
    result = invoke("query", "run", "--text", COUNT, "--data", "nowhere.ttl")
    assert result.exit_code == 2 and "nowhere.ttl" in result.output


def test_syntax_error_is_exit_2():
    result = invoke("query", "run", "--text", "SELECT ?x WHERE { ?x ")
    assert result.exit_code == 2
    assert "not a valid SPARQL" in result.output and "Traceback" not in result.output


def test_data_and_endpoint_together_are_refused():
    result = invoke("query", "run", "--text", COUNT, "--data", INSTANCES, "--endpoint", "http://127.0.0.1:9/sparql")
    assert result.exit_code == 2


# ------------------------------------------------------------------ output formats

SELECT = (
    "SELECT ?iri ?label ?n ?none WHERE { VALUES (?iri ?label ?n) "
    '{ (<https://example.org/a> "a, \\"quoted\\" label"@en 3) } }'
)


def test_format_table():
    result = invoke("query", "run", "--text", SELECT)
    assert result.exit_code == 0
    assert "<https://example.org/a>" in result.stdout and 'a, "quoted" label' in result.stdout


def test_format_csv_is_sparql_csv():
    result = invoke("query", "run", "--text", SELECT, "--format", "csv")
    assert result.exit_code == 0
    assert result.stdout_bytes.startswith(b"iri,label,n,none\r\n")
    rows = list(csv.reader(io.StringIO(result.stdout, newline="")))
    assert rows[1] == ["https://example.org/a", 'a, "quoted" label', "3", ""]


def test_format_tsv_is_sparql_tsv():
    result = invoke("query", "run", "--text", SELECT, "--format", "tsv")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "?iri\t?label\t?n\t?none"
    assert lines[1] == '<https://example.org/a>\t"a, \\"quoted\\" label"@en\t3\t'


def test_format_json_is_sparql_json():
    result = invoke("query", "run", "--text", SELECT, "--format", "json")
    data = json.loads(result.stdout)
    assert data["head"]["vars"] == ["iri", "label", "n", "none"]
    binding = data["results"]["bindings"][0]
    assert binding["label"] == {"type": "literal", "value": 'a, "quoted" label', "xml:lang": "en"}
    assert binding["n"]["datatype"] == "http://www.w3.org/2001/XMLSchema#integer"


CONSTRUCT = "PREFIX cdo: <https://w3id.org/citydiplomacy/ontology#> CONSTRUCT { ?c a cdo:Thing } WHERE { VALUES ?c { cdo:City cdo:Country } }"


@pytest.mark.parametrize(("fmt", "parser"), [("turtle", "turtle"), ("ntriples", "nt")])
def test_construct_gives_rdf(fmt, parser):
    result = invoke("query", "run", "--text", CONSTRUCT, "--format", fmt)
    assert result.exit_code == 0, result.output
    graph = rdflib.Graph().parse(data=result.stdout, format=parser)
    assert len(graph) == 2


def test_construct_default_format_is_turtle_and_describe_works():
    assert "@prefix cdo:" in invoke("query", "run", "--text", CONSTRUCT).stdout
    describe = invoke(
        "query", "run", "--text", "DESCRIBE <https://w3id.org/citydiplomacy/ontology#City>", "--format", "ntriples"
    )
    assert describe.exit_code == 0 and "<https://w3id.org/citydiplomacy/ontology#City>" in describe.stdout


def test_format_mismatch_is_exit_2():
    assert invoke("query", "run", "--text", CONSTRUCT, "--format", "csv").exit_code == 2
    assert invoke("query", "run", "--text", SELECT, "--format", "turtle").exit_code == 2


@pytest.mark.parametrize(("query", "answer"), [("ASK { ?s ?p ?o }", "true"), ("ASK { <urn:x:none> ?p ?o }", "false")])
def test_ask_prints_true_or_false_and_exits_0(query, answer):
    result = invoke("query", "run", "--text", query)
    assert result.exit_code == 0 and result.stdout.strip() == answer
    assert json.loads(invoke("query", "run", "--text", query, "--format", "json").stdout)["boolean"] is (
        answer == "true"
    )


def test_output_file(tmp_path):
    target = tmp_path / "out.csv"
    result = invoke("query", "run", "--text", SELECT, "--format", "csv", "--output", str(target))
    assert result.exit_code == 0 and result.stdout == ""
    assert target.read_text(encoding="utf-8").startswith("iri,label")


# ------------------------------------------------------------------ parameters and safety


@pytest.mark.parametrize(
    "value",
    [INJECTION, 'a\\" } DROP ALL #', "back\\slash \\u0022 and \\U00000022", "new\nline\ttab", "«تهران» '\"", "} } }"],
)
def test_parameter_values_come_back_unchanged(value):
    result = invoke("query", "run", "--text", "SELECT ?x WHERE { }", "--param", f"x={value}", "--format", "json")
    assert result.exit_code == 0, result.output
    binding = json.loads(result.stdout)["results"]["bindings"][0]["x"]
    assert binding == {"type": "literal", "value": value}


def test_injection_is_a_harmless_literal():
    before = store_size()
    result = invoke(
        "query", "run", "partners-of-city", "--data", INSTANCES, "--param", f"city={INJECTION}", "--format", "json"
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["results"]["bindings"] == []
    assert store_size() == before > 0


CITY = "https://w3id.org/citydiplomacy/resource/city/"
# Berlin (Q64) and Moscow (Q649) are article examples, labelled in English and Persian there;
# Atlantis has an English label only.
BERLIN_TWINNINGS = f"""@prefix cdo: <https://w3id.org/citydiplomacy/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://example.org/twinning/berlin-moscow> a cdo:TwinningAgreement ; cdo:partner <{CITY}Q64> , <{CITY}Q649> .
<https://example.org/twinning/berlin-atlantis> a cdo:TwinningAgreement ; cdo:partner <{CITY}Q64> , <https://example.org/atlantis> .
<https://example.org/atlantis> a cdo:City ; rdfs:label "Atlantis"@en .
"""


@pytest.mark.parametrize(("lang", "moscow"), [("en", "Moscow"), ("fa", "مسکو")])
def test_partners_of_city_names_partners_in_the_chosen_language(tmp_path, lang, moscow):
    data = tmp_path / "berlin.ttl"
    data.write_text(BERLIN_TWINNINGS, encoding="utf-8")
    args = ["--lang", lang, "query", "run", "partners-of-city", "-p", "city=Berlin", "--data", str(data)]
    table = invoke(*args)
    assert table.exit_code == 0, table.output
    moscow_row = next(line for line in table.stdout.splitlines() if "cdr:city/Q649" in line)
    assert moscow in moscow_row and "@" not in moscow_row  # the asked-for language needs no tag
    assert "Atlantis" in table.stdout  # no Persian label: the English one
    answer = json.loads(invoke(*args, "--format", "json").stdout)
    names = {b["partner"]["value"]: b["partnerName"] for b in answer["results"]["bindings"]}
    assert names == {
        CITY + "Q649": {"type": "literal", "value": moscow, "xml:lang": lang},
        "https://example.org/atlantis": {"type": "literal", "value": "Atlantis", "xml:lang": "en"},
    }


def test_partners_of_city_takes_the_language_as_a_parameter_too(tmp_path):
    data = tmp_path / "berlin.ttl"
    data.write_text(BERLIN_TWINNINGS, encoding="utf-8")
    result = invoke(
        "query", "run", "partners-of-city", "-p", "city=برلین", "-p", "lang=fa", "--data", str(data), "--format", "csv"
    )
    assert result.exit_code == 0, result.output
    assert "مسکو" in result.stdout and "Moscow" not in result.stdout


def test_table_cells_are_shown_as_written_not_as_markup():
    """Labels and IRIs may hold "[...]" or ":x:"; rich would read them as markup or emoji codes."""
    values = ["[/]", "a [bold]b[/bold] c", "urn:x:Sparql"]
    quoted = " ".join(f'"{v}"' for v in values)
    text = f"SELECT ?v WHERE {{ VALUES ?v {{ {quoted} }} }}"
    result = invoke("query", "run", "--text", text)
    assert result.exit_code == 0, result.output
    for value in values:
        assert value in result.stdout


def test_values_block_is_checked_and_placed_in_the_where_group():
    bound = {"city": params.to_term("city", "string", INJECTION)}
    text = params.with_values('SELECT ?x # WHERE {\nWHERE { ?x ?p "{" }', bound)
    assert text.count("VALUES (?city)") == 1
    assert text.index("VALUES") > text.index("WHERE {")
    rows = list(pyoxigraph.Store().query(params.with_values("SELECT ?city WHERE { }", bound)))
    assert rows[0]["city"] == pyoxigraph.Literal(INJECTION)
    construct = params.with_values("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", bound)
    assert construct.startswith("CONSTRUCT { ?s ?p ?o } WHERE { VALUES")


@pytest.mark.parametrize(
    "update",
    [
        "DROP ALL",
        "CLEAR DEFAULT",
        "PREFIX ex: <http://example.org/> INSERT DATA { ex:a ex:b ex:c }",
        "DELETE WHERE { ?s ?p ?o }",
    ],
)
def test_updates_are_refused(update, tmp_path):
    before = store_size()
    result = invoke("query", "run", "--text", update)
    assert result.exit_code == 2
    assert "read-only" in result.output and "Traceback" not in result.output
    path = tmp_path / "update.rq"
    path.write_text(update, encoding="utf-8")
    assert invoke("query", "run", str(path)).exit_code == 2
    assert store_size() == before


@pytest.mark.parametrize(
    ("type_", "value", "expected"),
    [
        (
            "integer",
            " 2010 ",
            pyoxigraph.Literal("2010", datatype=pyoxigraph.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
        ),
        (
            "gYear",
            "1996",
            pyoxigraph.Literal("1996", datatype=pyoxigraph.NamedNode("http://www.w3.org/2001/XMLSchema#gYear")),
        ),
        (
            "date",
            "2001-06-15",
            pyoxigraph.Literal("2001-06-15", datatype=pyoxigraph.NamedNode("http://www.w3.org/2001/XMLSchema#date")),
        ),
        (
            "boolean",
            "TRUE",
            pyoxigraph.Literal("true", datatype=pyoxigraph.NamedNode("http://www.w3.org/2001/XMLSchema#boolean")),
        ),
        ("iri", "cdo:City", pyoxigraph.NamedNode("https://w3id.org/citydiplomacy/ontology#City")),
        ("iri", "<https://example.org/x>", pyoxigraph.NamedNode("https://example.org/x")),
    ],
)
def test_typed_parameters(type_, value, expected):
    assert params.to_term("p", type_, value) == expected


@pytest.mark.parametrize(
    ("type_", "value"),
    [
        ("integer", "20x0"),
        ("gYear", "96"),
        ("date", "2001-13-01"),
        ("iri", "not an iri"),
        ("iri", "https://x/> } DROP ALL #"),
        ("decimal", "1,5"),
    ],
)
def test_bad_parameter_values_are_exit_2(type_, value, tmp_path):
    path = tmp_path / "q.rq"
    path.write_text(f"# param: p {type_}\nSELECT ?p WHERE {{ }}\n", encoding="utf-8")
    result = invoke("query", "run", str(path), "--param", f"p={value}")
    assert result.exit_code == 2
    assert "--param p=" in result.output and "Traceback" not in result.output


def test_required_and_unknown_parameters(tmp_path):
    path = tmp_path / "q.rq"
    path.write_text("# param: p integer\nSELECT ?p WHERE { }\n", encoding="utf-8")
    missing = invoke("query", "run", str(path))
    assert missing.exit_code == 2 and "--param p=" in missing.output
    unknown = invoke("query", "run", "agreements-in-force", "--param", "yaer=2000")
    assert unknown.exit_code == 2 and "year" in unknown.output
    assert invoke("query", "run", str(path), "--param", "novalue").exit_code == 2


def test_malformed_param_header_names_the_line(tmp_path):
    path = tmp_path / "q.rq"
    path.write_text("# title: t\n# param: p color red\nSELECT * WHERE { }\n", encoding="utf-8")
    result = invoke("query", "run", str(path))
    assert result.exit_code == 2 and f"{path}:2:" in result.output


def test_question_from_header_parses():
    from citydiplomacy.services.querying.catalog import parse_question

    q = parse_question(
        "# title: T\n# question: Q?\n# question-fa: پ؟\n# scope: data\n# param: y gYear 2000\nSELECT * {}\n# param: ignored integer 1\n",
        "n",
    )
    assert isinstance(q, Question)
    assert (q.title, q.question, q.question_fa, q.scope) == ("T", "Q?", "پ؟", "data")
    assert [(p.name, p.type, p.default) for p in q.params] == [("y", "gYear", "2000")]


def test_label_parameter_matches_every_language_through_values_rows():
    terms = params.to_term("city", "label", "new york")
    assert pyoxigraph.Literal("New York", language="en") in terms and pyoxigraph.Literal("new york") in terms
    assert len(terms) == 6
    block = params.values_block({"city": terms, "n": params.to_term("n", "integer", "2")})
    assert block.count("(") == 1 + 6  # the header and one row per label form
    persian = params.to_term("city", "label", "تهران")
    assert len(persian) == 3 and pyoxigraph.Literal("تهران", language="fa") in persian


def test_most_twinned_cities_lists_a_city_with_two_english_labels_once(tmp_path):
    """New York has two English labels in Wikidata ("New York", "New York City"): one row, not two."""
    data = tmp_path / "two-labels.ttl"
    data.write_text(
        "@prefix cdo: <https://w3id.org/citydiplomacy/ontology#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        '<urn:x:ny> a cdo:City ; rdfs:label "New York"@en , "New York City"@en .\n'
        '<urn:x:rome> a cdo:City ; rdfs:label "Rome"@en .\n'
        '<urn:x:tokyo> a cdo:City ; rdfs:label "Tokyo"@en .\n'
        "<urn:x:a1> a cdo:TwinningAgreement ; cdo:partner <urn:x:ny> , <urn:x:rome> .\n"
        "<urn:x:a2> a cdo:TwinningAgreement ; cdo:partner <urn:x:ny> , <urn:x:tokyo> .\n",
        encoding="utf-8",
    )
    result = invoke("query", "run", "most-twinned-cities", "--param", "min=2", "--data", str(data), "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(row["city"], row["name"], row["twinnings"]) for row in rows] == [("urn:x:ny", "New York", "2")]
