"""The article's claims as data (issue 13): every claim's Persian quote is found verbatim in the article
text, ids are unique, modality/kind/author/about-terms are known, every axiom a claim names is held by
the ontology, the generated module is in step with the tables, and every subclass, disjointness and
restriction between the article's terms rests on an asserted claim or carries a modelling-decision note.

The article text is ../shared/seed (found as the other tests find ../shared, see conftest.py); the
comparison normalises whitespace runs to one space, drops the zero-width non-joiner and reads Arabic
yeh/kaf as Persian, because the PDF text drops ZWNJs and mixes the two alphabets' letters."""

from __future__ import annotations

import csv
import importlib.util
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import rdflib
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import OWL, PROV, RDF, RDFS, SKOS

from citydiplomacy.core import resources
from citydiplomacy.core.namespaces import AUTHOR, CDO, CLAIM, MODELLING_DECISION, OA

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "scripts" / "build_claims.py"
SEED_NAME = "urban-diplomacy-rastegar-1399.fa.txt"  # in ../shared/seed, beside the shared data folder
HEADER = "id\tsection\tquote_fa\tenglish\tattributed_to\tmodality\tkind\tabout\tencodes"


def _builder():
    spec = importlib.util.spec_from_file_location("build_claims", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_claims"] = module
    spec.loader.exec_module(module)
    return module


build_claims = _builder()


def normalise(text: str) -> str:
    text = text.replace("\u200c", "").replace("\u064a", "\u06cc").replace("\u0643", "\u06a9")
    return re.sub(r"\s+", " ", text).strip()


def _rows() -> list[tuple[str, dict[str, str]]]:
    return build_claims.read_claims()


@pytest.fixture(scope="module")
def onto() -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in resources.ontology_files():
        graph.parse(path, format="turtle")
    return graph


def test_the_tables_have_the_header_and_enough_rows():
    files = build_claims.claim_files()
    assert files, "no ontology/claims/claims-*.tsv"
    for path in files:
        assert path.read_text(encoding="utf-8").splitlines()[0] == HEADER, path
    sections = Counter(row["section"] for _, row in _rows())
    for part in ("abstract", "intro", "s1", "s1-1", "s1-2", "s2-1", "s2-2-a", "s2-2-b"):
        assert sections[part] >= 3, (part, sections)


@pytest.mark.shared_data
def test_every_quote_is_found_verbatim_in_the_article(shared_data):
    path = shared_data.parent / "seed" / SEED_NAME
    if not path.is_file():
        pytest.fail(f"the article text is missing: {path}")
    seed = normalise(path.read_text(encoding="utf-8"))
    missing = [
        f"{where} {row['id']}: {row['quote_fa']}" for where, row in _rows() if normalise(row["quote_fa"]) not in seed
    ]
    assert missing == [], "quotes not in the article:\n" + "\n".join(missing)


def test_the_quote_check_can_fail():
    seed = normalise("دیپلماسی سنتی اساسا\nقائل به  برتری")
    assert normalise("سنتی اساسا قائل") in seed
    assert normalise("دیپلماسی شهری اساسا") not in seed


def test_ids_unique_and_modality_kind_author_known():
    ids = Counter(row["id"] for _, row in _rows())
    assert [i for i, n in ids.items() if n > 1] == []
    authors = build_claims.read_authors()
    bad = []
    for where, row in _rows():
        if row["modality"] not in build_claims.MODALITIES:
            bad.append(f"{where}: modality {row['modality']}")
        if row["kind"] not in build_claims.KINDS:
            bad.append(f"{where}: kind {row['kind']}")
        if row["attributed_to"] != "article" and row["attributed_to"] not in authors:
            bad.append(f"{where}: author {row['attributed_to']}")
    assert bad == []


def test_about_terms_exist_and_encoded_axioms_hold(onto):
    examples = rdflib.Graph().parse(resources.examples_file(), format="turtle")
    defined = {s for g in (onto, examples) for s in g.subjects(RDF.type, None) if isinstance(s, URIRef)}
    problems = []
    for where, row in _rows():
        problems += [f"{where}: {c}" for c in row["about"].split() if build_claims.expand(c, where) not in defined]
        problems += [
            f"{where}: {a.text}"
            for a in build_claims.parse_axioms(row["encodes"], where)
            if not build_claims.holds(onto, a)
        ]
    assert problems == []


def test_the_generated_module_is_in_step_with_the_tables():
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--check"], check=False, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, f"run python scripts/build_claims.py:\n{done.stdout}{done.stderr}"


def test_a_bad_table_is_refused_with_file_and_line(tmp_path, monkeypatch):
    bad = tmp_path / "claims-bad.tsv"
    bad.write_text(HEADER + "\ns1-99\ts1\tشهرها\tcities\tnobody\tasserted\tdescription\tcdo:City\t\n", encoding="utf-8")
    monkeypatch.setattr(build_claims, "CLAIMS_DIR", tmp_path)
    monkeypatch.setattr(build_claims, "AUTHORS", REPO / "ontology" / "claims" / "authors.tsv")
    with pytest.raises(build_claims.ClaimsError, match=r"claims-bad.tsv:2: author 'nobody'"):
        build_claims.build()
    bad.write_text(
        HEADER + "\ns1-99\ts1\tشهرها\tcities\tarticle\tasserted\tdescription\tcdo:City\t"
        "cdo:City subClassOf cdo:Country\n",
        encoding="utf-8",
    )
    with pytest.raises(build_claims.ClaimsError, match="does not hold the axiom 'cdo:City subClassOf cdo:Country'"):
        build_claims.build()


def test_each_claim_is_a_web_annotation_with_its_quote_author_and_terms(onto):
    claim = CLAIM["s2-2-a-12"]
    assert (claim, RDF.type, CDO.Claim) in onto and (CDO.Claim, RDFS.subClassOf, OA.Annotation) in onto
    target = onto.value(claim, OA.hasTarget)
    assert onto.value(target, OA.hasSource) == URIRef(str(build_claims.CDR) + "article-rastegar-1399-s2-2-a")
    exact = onto.value(onto.value(target, OA.hasSelector), OA.exact)
    assert "بسیار نزدیک" in str(exact) and exact.language == "fa"
    assert onto.value(claim, PROV.wasAttributedTo) == AUTHOR.criekmans
    assert {label.language for label in onto.objects(AUTHOR.criekmans, RDFS.label)} == {"en", "fa"}
    assert onto.value(claim, CDO.modality) == CDO.ModalityAsserted
    assert {CDO.Paradiplomacy, CDO.CityDiplomacy} <= set(
        onto.objects(claim, URIRef("http://purl.org/dc/terms/subject"))
    )


def test_an_encoded_axiom_points_back_at_its_claim(onto):
    """From a class axiom to the sentences behind it, as Protégé shows it."""
    claims = set()
    for node in onto.subjects(OWL.annotatedSource, CDO.CityDiplomacy):
        target = onto.value(node, OWL.annotatedTarget)
        if isinstance(target, BNode) and onto.value(target, OWL.someValuesFrom) == CDO.CityNess:
            claims |= set(onto.objects(node, CDO.basedOnClaim))
    assert CLAIM["s1-2-16"] in claims


def test_the_over_claims_of_issue_13_are_gone(onto):
    assert (CDO.CityDiplomacy, RDFS.subClassOf, CDO.Paradiplomacy) not in onto
    assert (CDO.CityDiplomacy, SKOS.related, CDO.Paradiplomacy) in onto
    assert (CDO.CityDiplomacy, OWL.disjointWith, CDO.DevelopmentCooperation) not in onto
    assert frozenset((CDO.CityDiplomacy, CDO.DevelopmentCooperation)) not in build_claims.all_disjoint_pairs(onto)
    assert (CDO.Diplomacy, CDO.DevelopmentCooperation) not in {
        (a, b) for pair in build_claims.all_disjoint_pairs(onto) for a in pair for b in pair
    }
    fillers = {
        onto.value(r, OWL.someValuesFrom)
        for r in onto.objects(CDO.CityDiplomacy, RDFS.subClassOf)
        if isinstance(r, BNode)
    }
    assert not fillers & {CDO.CityNetwork, CDO.AssociationOfMunicipalities, CDO.CityDiplomat}
    glob = {
        onto.value(r, OWL.someValuesFrom)
        for r in onto.objects(CDO.Globalization, RDFS.subClassOf)
        if isinstance(r, BNode)
    }
    assert CDO.Decentralization not in glob
    definition = " ".join(str(d) for d in onto.objects(CDO.CityDiplomacy, SKOS.definition))
    assert "any international action" not in definition and "reconstruct" not in definition
    assert "lowered the risk" not in " ".join(str(d) for d in onto.objects(CDO.CulturalDiplomacy, SKOS.definition))


def test_every_axiom_between_the_articles_terms_has_a_claim_or_a_modelling_decision(onto):
    """Scope: rdfs:subClassOf (named class or restriction) and owl:disjointWith with a cdo: subject, in every
    module but alignments.ttl (alignments to external vocabularies) and claims.ttl; owl:AllDisjointClasses
    need the note on the axiom node itself."""
    offenders = build_claims.unjustified(onto)
    assert offenders == [], "no asserted claim and no 'Modelling decision:' note for:\n" + "\n".join(offenders)
    assert build_claims.all_disjoint_nodes_without_note() == []
    assert len(build_claims.axioms_in_scope()) > 80


def test_the_coverage_check_can_fail_and_accepts_both_kinds_of_decision(onto):
    graph = rdflib.Graph()
    graph += onto
    decided = [n for n in graph.subjects(SKOS.editorialNote, None) if (n, RDF.type, OWL.Axiom) in graph]
    node = next(
        n
        for n in decided
        if graph.value(n, OWL.annotatedSource) == CDO.Fordism
        and graph.value(n, OWL.annotatedTarget) == CDO.ProductionRegime
    )
    graph.remove((node, SKOS.editorialNote, None))
    assert build_claims.unjustified(graph) == ["spaces.ttl: cdo:Fordism subClassOf cdo:ProductionRegime"]
    graph.add((node, RDFS.seeAlso, MODELLING_DECISION["production-regimes"]))
    assert build_claims.unjustified(graph) == []
    hedged = CLAIM["s2-2-a-20"]
    assert graph.value(hedged, CDO.modality) == CDO.ModalityHedged
    assert Literal("cdo:CityDiplomacy related cdo:EconomicDiplomacy") in set(graph.objects(hedged, CDO.encodesAxiom))


def test_claims_are_counted_by_section_and_modality(onto):
    by_modality = Counter(
        str(onto.value(c, CDO.modality)).rsplit("Modality", 1)[-1] for c in onto.subjects(RDF.type, CDO.Claim)
    )
    assert by_modality["Asserted"] > 80 and by_modality["Hedged"] >= 10 and by_modality["Reported"] >= 10
    with (REPO / "ontology" / "claims" / "authors.tsv").open(encoding="utf-8") as handle:
        keys = {row["key"] for row in csv.DictReader(handle, delimiter="\t")}
    assert {"clrae", "wbi", "sizoo", "baylis-smith", "thonon", "bilder", "de-villiers", "castells", "taylor"} <= keys
