"""The article's statements, asked back with SPARQL over the ontology and the examples (no reasoning):
one test per row of Table 1, one per transition of Figure 1, and the other structures the issue names
(functions and the shared one, theory -> pattern -> process -> space, actors and spaces of the kinds of
diplomacy, contrasts declared disjoint, state forms, organizations, factors, relations)."""

from __future__ import annotations

import pytest
import rdflib

from citydiplomacy.core.namespaces import PREFIXES

PROLOGUE = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())


@pytest.fixture(scope="module")
def graph(ontology_and_examples) -> rdflib.Graph:
    return ontology_and_examples


def ask(graph, query: str) -> list[tuple]:
    return [tuple(None if v is None else v.toPython() for v in row) for row in graph.query(PROLOGUE + query)]


def holds(graph, query: str) -> bool:
    return bool(graph.query(PROLOGUE + query).askAnswer)


def labels(graph, query: str) -> set[str]:
    return {row[0] for row in ask(graph, query)}


# ---------------------------------------------------------------- Table 1, one test per row

TABLE_1 = [
    ("security", {"political"}, {"peace-seeking actions", "defence of human rights"}),
    ("development", {"economic"}, {"exchange of experience", "granting loans", "educational assistance", "help with mutual crises"}),
    ("economy", {"economic"}, {"trade agreements", "lobbying to host competitions"}),
    ("culture", {"cultural", "political"}, {"twinning", "cultural exchange", "holding exhibitions"}),
    ("networks", {"cultural", "political", "economic"}, {"forming formal organizations", "creating regional unions"}),
    ("representation", {"political"}, {"lobbying", "taking up representation in political structures"}),
]


@pytest.mark.parametrize("dimension,function_types,activities", TABLE_1, ids=[row[0] for row in TABLE_1])
def test_table_1_row(graph, dimension, function_types, activities):
    found_types = labels(graph, f"""
        SELECT ?t WHERE {{
          ?d a cdo:Dimension ; rdfs:label "{dimension}"@en ; cdo:hasFunctionType ?ft .
          ?ft a cdo:FunctionType ; rdfs:label ?t . FILTER(lang(?t) = "en")
        }}""")
    assert found_types == function_types
    found_activities = labels(graph, f"""
        SELECT ?a WHERE {{
          ?d a cdo:Dimension ; rdfs:label "{dimension}"@en ; cdo:hasActivity ?act .
          ?act a cdo:ActivityType ; dcterms:source cdr:article-rastegar-1399-table1 ; rdfs:label ?a .
          FILTER(lang(?a) = "en")
        }}""")
    assert found_activities == activities
    # every Persian label is there too, for the dimension and its activities
    missing_fa = ask(graph, f"""
        SELECT ?x WHERE {{
          ?d rdfs:label "{dimension}"@en ; cdo:hasActivity ?x .
          FILTER NOT EXISTS {{ ?x rdfs:label ?fa FILTER(lang(?fa) = "fa") }}
        }}""")
    assert missing_fa == []


def test_table_1_has_exactly_six_dimensions_and_each_table_activity_one_dimension(graph):
    assert ask(graph, "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a cdo:Dimension }") == [(6,)]
    rows = ask(graph, """
        SELECT ?act (COUNT(?d) AS ?n) WHERE {
          ?act a cdo:ActivityType ; dcterms:source cdr:article-rastegar-1399-table1 .
          OPTIONAL { ?d cdo:hasActivity ?act }
        } GROUP BY ?act""")
    assert len(rows) == sum(len(r[2]) for r in TABLE_1)
    assert {n for _, n in rows} == {1}


def test_activities_named_in_the_text_hang_off_their_dimension(graph):
    rows = set(ask(graph, """
        SELECT ?dl ?al WHERE {
          ?d cdo:hasActivity ?a ; rdfs:label ?dl . ?a rdfs:label ?al .
          FILTER(lang(?dl) = "en" && lang(?al) = "en")
          FILTER NOT EXISTS { ?a dcterms:source cdr:article-rastegar-1399-table1 }
        }"""))
    assert ("economy", "city branding") in rows
    assert ("economy", "hosting international mega-events") in rows
    assert ("security", "collecting signatures") in rows


# ---------------------------------------------------------------- Figure 1, one test per transition

FIGURE_1 = [
    (1, "space of places", "space of flows"),
    (2, "central place theory", "central flow theory"),
    (3, "Fordism", "post-Fordism"),
    (4, "hierarchical relation pattern", "network relation pattern"),
    (5, "traditional diplomacy", "city diplomacy"),
]


@pytest.mark.parametrize("order,old,new", FIGURE_1, ids=[f"{o}-{a}" for o, a, _ in FIGURE_1])
def test_figure_1_transition(graph, order, old, new):
    rows = ask(graph, f"""
        SELECT ?t ?o WHERE {{
          ?t a cdo:Transition ; cdo:transitionFrom ?from ; cdo:transitionTo ?to .
          OPTIONAL {{ ?t cdo:order ?o }}
          ?from rdfs:label "{old}"@en . ?to rdfs:label "{new}"@en .
          ?t rdfs:label ?l . FILTER(lang(?l) = "fa")
        }}""")
    assert len(rows) == 1 and rows[0][1] == order
    # old and new are contrasted: declared disjoint, directly or through a superclass of the new term
    # (traditional diplomacy is disjoint with non-traditional diplomacy, of which city diplomacy is a kind)
    assert holds(graph, f"""
        ASK {{ ?a rdfs:label "{old}"@en . ?b rdfs:label "{new}"@en . ?b rdfs:subClassOf* ?c .
               {{ ?a owl:disjointWith ?c }} UNION {{ ?c owl:disjointWith ?a }} }}""")


def test_figure_1_has_exactly_five_transitions(graph):
    assert ask(graph, "SELECT (COUNT(DISTINCT ?t) AS ?n) WHERE { ?t a cdo:Transition }") == [(5,)]


# ---------------------------------------------------------------- functions

def test_functions_of_traditional_and_city_diplomacy_and_the_shared_one(graph):
    def reading(name):
        return labels(graph, f"""SELECT ?l WHERE {{ ?f cdo:inReading cdo:{name} ; a cdo:DiplomaticFunction ;
                                    rdfs:label ?l FILTER(lang(?l) = "en") }}""")
    assert reading("BaylisSmithFunctions") == {"information gathering", "advisory and communication role",
                                               "protection of national interests", "negotiation", "consular services"}
    assert reading("FiveFunctionsOfCityDiplomacy") == {"facilitating communication", "information gathering",
                                                       "conflict prevention", "negotiating treaties and contracts",
                                                       "becoming a symbol of the international community"}
    assert reading("ThononFunctionsOfCityDiplomacy") == {"awareness-raising", "political pressure", "cooperation"}
    shared = labels(graph, """
        SELECT ?l WHERE { ?f cdo:functionOf cdo:TraditionalDiplomacy , cdo:CityDiplomacy ; rdfs:label ?l
                          FILTER(lang(?l) = "en") }""")
    assert shared == {"information gathering"}
    readings_of_city = labels(graph, """
        SELECT ?r WHERE { ?r a cdo:FunctionReading ; cdo:readingOf cdo:CityDiplomacy }""")
    assert len(readings_of_city) == 2


# ---------------------------------------------------------------- kinds of diplomacy, actors, spaces

def _some(graph, cls: str, prop: str) -> set[str]:
    return {str(r[0]).rsplit("#", 1)[1] for r in ask(graph, f"""
        SELECT ?c WHERE {{ cdo:{cls} rdfs:subClassOf [ owl:onProperty cdo:{prop} ; owl:someValuesFrom ?c ] }}""")}


def test_hierarchy_of_kinds_of_diplomacy(graph):
    kinds = labels(graph, """SELECT ?l WHERE { ?k rdfs:subClassOf+ cdo:Diplomacy ; rdfs:label ?l FILTER(lang(?l) = "en") }""")
    assert {"traditional diplomacy", "non-traditional diplomacy", "city diplomacy", "paradiplomacy",
            "economic diplomacy", "commercial diplomacy", "cultural diplomacy"} <= kinds
    assert holds(graph, "ASK { cdo:CityDiplomacy rdfs:subClassOf+ cdo:NonTraditionalDiplomacy }")
    assert holds(graph, "ASK { cdo:CommercialDiplomacy rdfs:subClassOf+ cdo:EconomicDiplomacy }")


def test_actors_and_spaces_of_the_kinds_of_diplomacy(graph):
    assert "LocalGovernment" in _some(graph, "CityDiplomacy", "hasKeyActor")
    assert {"NationState", "ForeignMinistry"} <= _some(graph, "TraditionalDiplomacy", "hasKeyActor")
    assert "NonCentralGovernment" in _some(graph, "Paradiplomacy", "hasKeyActor")
    # the article sets city diplomacy beside the space of flows (Figure 1) but never says it belongs to it
    assert _some(graph, "CityDiplomacy", "belongsToSpace") == set()
    assert holds(graph, "ASK { cdo:CityDiplomacy skos:related cdo:SpaceOfFlows }")
    assert _some(graph, "TraditionalDiplomacy", "belongsToSpace") == {"SpaceOfPlaces"}
    assert _some(graph, "CityDiplomacy", "facilitatesProcess") == {"CityNess"}
    assert holds(graph, "ASK { cdo:hasKeyActor rdfs:subPropertyOf cdo:hasActor }")


def test_theory_pattern_process_space_chain(graph):
    """What the article says (issue 13): a theory leads to a relation pattern, a process and a space rest on
    a theory; the pattern, process and space are only related (skos:related), never a chain of existentials."""
    rows = set(ask(graph, """
        SELECT ?t ?p ?r ?s WHERE {
          ?theory rdfs:subClassOf [ owl:onProperty cdo:leadsToPattern ; owl:someValuesFrom ?pattern ] .
          ?process rdfs:subClassOf [ owl:onProperty cdo:basedOnTheory ; owl:someValuesFrom ?theory ] ;
                   rdfs:subClassOf cdo:Process .
          ?space rdfs:subClassOf [ owl:onProperty cdo:basedOnTheory ; owl:someValuesFrom ?theory ] ;
                 rdfs:subClassOf cdo:Space .
          ?theory rdfs:label ?t . ?pattern rdfs:label ?p . ?process rdfs:label ?r . ?space rdfs:label ?s .
          FILTER(lang(?t) = "en" && lang(?p) = "en" && lang(?r) = "en" && lang(?s) = "en")
        }"""))
    assert rows == {("central place theory", "hierarchical relation pattern", "town-ness", "space of places"),
                    ("central flow theory", "network relation pattern", "city-ness", "space of flows")}
    assert not holds(graph, "ASK { ?p rdfs:subClassOf [ owl:onProperty cdo:drivesProcess ; owl:someValuesFrom cdo:CityNess ] }")
    assert not holds(graph, "ASK { ?p rdfs:subClassOf [ owl:onProperty cdo:occursIn ; owl:someValuesFrom ?s ] }")
    assert holds(graph, "ASK { cdo:CityNess skos:related cdo:NetworkRelationPattern , cdo:SpaceOfFlows }")


@pytest.mark.parametrize("a,b", [
    ("SpaceOfPlaces", "SpaceOfFlows"), ("CentralPlaceTheory", "CentralFlowTheory"), ("Fordism", "PostFordism"),
    ("HierarchicalRelationPattern", "NetworkRelationPattern"), ("UnitaryState", "FederalState"),
    ("PrivateInternationalOrganization", "NonPrivateInternationalOrganization"),
    ("TraditionalDiplomacy", "NonTraditionalDiplomacy"), ("CityNess", "TownNess"),
])
def test_contrasts_are_disjoint(graph, a, b):
    assert holds(graph, f"ASK {{ {{ cdo:{a} owl:disjointWith cdo:{b} }} UNION {{ cdo:{b} owl:disjointWith cdo:{a} }} }}")


def test_state_form_and_its_effect(graph):
    assert _some(graph, "FederalState", "allowsInternationalRole") == {"WideInternationalRole"}
    assert _some(graph, "UnitaryState", "allowsInternationalRole") == {"NarrowInternationalRole"}


def test_two_classifications_of_international_organizations(graph):
    subs = labels(graph, """SELECT ?l WHERE { ?c rdfs:subClassOf cdo:InternationalOrganization ; rdfs:label ?l
                                             FILTER(lang(?l) = "en") }""")
    assert {"private international organization", "non-private international organization",
            "financial international organization", "productive international organization",
            "technical and advisory assistance organization"} <= subs
    direct = dict(ask(graph, "SELECT ?o ?d WHERE { ?o cdo:relatesToCitiesDirectly ?d }"))
    assert direct["https://w3id.org/citydiplomacy/resource/WorldBank"] is True
    assert direct["https://w3id.org/citydiplomacy/resource/WorldTradeOrganization"] is False
    by_classification = {}
    for cls, classification in ask(graph, """SELECT ?l ?k WHERE { ?c rdfs:subClassOf cdo:InternationalOrganization ;
                                   cdo:inClassification [ rdfs:label ?k ] ; rdfs:label ?l
                                   FILTER(lang(?l) = "en" && lang(?k) = "en") }"""):
        by_classification.setdefault(classification, set()).add(cls)
    assert by_classification == {
        "classification by ownership": {"private international organization", "non-private international organization"},
        "classification by function": {"financial international organization", "productive international organization",
                                       "technical and advisory assistance organization",
                                       "cooperative international organization"},
    }


def test_four_factors_behind_city_diplomacy(graph):
    rows = ask(graph, """SELECT ?f WHERE { ?f a cdo:FactorOfCityDiplomacy ; cdo:factorOf cdo:CityDiplomacy }""")
    assert len(rows) == 4
    assert len(ask(graph, "SELECT ?a WHERE { ?a cdo:argumentAgainst cdo:CityDiplomacy }")) == 7


def test_two_readings_of_para(graph):
    rows = set(ask(graph, """SELECT ?l ?fav WHERE { ?r cdo:readingOf cdo:Paradiplomacy ; a cdo:ParaReading ;
                             cdo:favouredBySupportersOfCityDiplomacy ?fav ; rdfs:label ?l FILTER(lang(?l) = "en") }"""))
    assert rows == {("alongside national diplomacy", True), ("outside national diplomacy", False)}


def test_forms_of_relations_between_cities_and_axes(graph):
    forms = labels(graph, """SELECT ?l WHERE { ?f a cdo:FormOfRelationBetweenCities ; rdfs:label ?l FILTER(lang(?l) = "en") }""")
    assert forms == {"twinning", "municipal international cooperation", "city network membership",
                     "relations through international development organizations"}
    axes = ask(graph, "SELECT ?ax (COUNT(?c) AS ?n) WHERE { ?c cdo:onAxis ?ax } GROUP BY ?ax")
    assert len(axes) == 2 and all(n >= 3 for _, n in axes)


def test_examples_link_to_dimensions_and_actors(graph):
    rows = set(ask(graph, """
        SELECT ?x ?dl WHERE { ?x cdo:dimension ?d . ?d rdfs:label ?dl FILTER(lang(?dl) = "en") }"""))
    base = "https://w3id.org/citydiplomacy/resource/"
    for name, dim in [("MayorsForPeace", "security"), ("CitiesForPeace", "security"), ("UCLG", "networks"),
                      ("UCLG", "representation"), ("Eurocities", "networks"), ("M4", "networks"),
                      ("London2012OlympicsHosting", "economy"), ("EuropeanUnion", "representation")]:
        assert (base + name, dim) in rows, (name, dim)
    hosts = set(ask(graph, """SELECT ?h ?c ?y WHERE { ?h a cdo:MegaEventHosting ; cdo:performedBy ?c ; cdo:date ?y }"""))
    assert {(base + "LosAngeles1984OlympicsHosting", base + "city/Q65"),
            (base + "London2012OlympicsHosting", base + "city/Q84")} == {(h, c) for h, c, _ in hosts}


def test_example_links_point_at_the_right_kinds(graph):
    wrong_dimension = ask(graph, """SELECT ?x ?d WHERE { ?x cdo:dimension ?d FILTER NOT EXISTS { ?d a cdo:Dimension } }""")
    assert wrong_dimension == []
    wrong_actor = ask(graph, """
        SELECT ?x ?a WHERE {
          ?x cdo:performedBy|cdo:foundedBy|cdo:counterpart ?a .
          FILTER NOT EXISTS { ?a a/rdfs:subClassOf* ?c . VALUES ?c { cdo:Actor cdo:City } }
        }""")
    assert wrong_actor == []
    wrong_activity = ask(graph, """SELECT ?x WHERE { ?x a/rdfs:subClassOf* cdo:DiplomaticActivity .
                                   FILTER NOT EXISTS { ?x cdo:activityType/a cdo:ActivityType } }""")
    assert wrong_activity == []
