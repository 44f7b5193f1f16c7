"""Turn parsed sources into pyoxigraph quads and add them to the store, idempotently.

Design (documented in the README section):
- all imported sources share the one named graph ``GRAPH_DATA``; queries see the union of it,
  the ontology and the examples. (A graph per source was tried first: the same agreement,
  city and label triples then sit in several graphs and pyoxigraph must deduplicate them in
  every union query, which made simple counts 10-20x slower on the full data. Which source
  said what stays queryable through prov:wasDerivedFrom / prov:wasGeneratedBy.)
- one ``cdo:TwinningAgreement`` per unordered pair, IRI ``cdr:twinning/Q<a>-Q<b>`` (QIDs sorted
  numerically), so every source that records the pair adds to the same resource: its
  ``cdo:statedBy`` sides accumulate and ``prov:wasDerivedFrom`` lists every source;
- IRIs of sources and import activities derive from the file's SHA-256 and the activity's
  times are written once, so importing the same file again adds no triple;
- a city's population and geometry are functional: the first import that gives one wins,
  later differing values are reported, not added (so the union never holds two);
- Persian names the sources lack come from two named lists, each a prov:Entity the import
  ``prov:used`` and the named node cites with ``dcterms:source``: CLDR's country names
  (``countrynames``) and the project's names of Iranian cities (``persiancities``). A node that
  has a Persian label already (the article's examples) keeps it and gets no second one.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from urllib.parse import quote, unquote

import pyoxigraph as ox
from rdflib import URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, XSD

from citydiplomacy.core import provenance
from citydiplomacy.core.namespaces import CDO, CDR, GEO, GRAPH_DATA, WD
from citydiplomacy.core.store import select
from citydiplomacy.services.importing import countrynames, persiancities
from citydiplomacy.services.importing.sources import QID_RE, Parsed, SourceFile

SCHEMA_VERSION = "https://schema.org/version"


def _n(iri) -> ox.NamedNode:
    """A pyoxigraph IRI from an rdflib term or a string."""
    return ox.NamedNode(str(iri))


class T:
    """pyoxigraph terms built once (the hot path only concatenates strings)."""

    type = _n(RDF.type)
    label = _n(RDFS.label)
    comment = _n(RDFS.comment)
    City = _n(CDO.City)
    Country = _n(CDO.Country)
    TwinningAgreement = _n(CDO.TwinningAgreement)
    partner = _n(CDO.partner)
    statedBy = _n(CDO.statedBy)
    status = _n(CDO.status)
    StatusUnknown = _n(CDO.StatusUnknown)
    StatusEnded = _n(CDO.StatusEnded)
    startDate = _n(CDO.startDate)
    endDate = _n(CDO.endDate)
    country = _n(CDO.country)
    population = _n(CDO.population)
    wikidataItem = _n(CDO.wikidataItem)
    hasGeometry = _n(GEO.hasGeometry)
    asWKT = _n(GEO.asWKT)
    Geometry = _n(GEO.Geometry)
    wktLiteral = _n(GEO.wktLiteral)
    integer = _n(XSD.integer)
    dateTime = _n(XSD.dateTime)
    source = _n(DCTERMS.source)
    title = _n(DCTERMS.title)
    identifier = _n(DCTERMS.identifier)
    isPartOf = _n(DCTERMS.isPartOf)
    version = ox.NamedNode(SCHEMA_VERSION)
    Entity = _n(PROV.Entity)
    Activity = _n(PROV.Activity)
    SoftwareAgent = _n(PROV.SoftwareAgent)
    wasDerivedFrom = _n(PROV.wasDerivedFrom)
    wasGeneratedBy = _n(PROV.wasGeneratedBy)
    used = _n(PROV.used)
    wasAssociatedWith = _n(PROV.wasAssociatedWith)
    startedAtTime = _n(PROV.startedAtTime)
    endedAtTime = _n(PROV.endedAtTime)


CITY = str(CDR) + "city/"
TWINNING = str(CDR) + "twinning/"
COUNTRY = str(CDR) + "country/"
WD_NS = str(WD)


def city_iri(key: str) -> ox.NamedNode:
    """The city with *key* (a QID or a slug) under ``cdr:city/``."""
    return ox.NamedNode(CITY + key)


def geometry_iri(key: str) -> ox.NamedNode:
    """The point of the city with *key*: one geometry per city, so a re-import adds none."""
    return ox.NamedNode(CITY + key + "/geometry")


def twinning_iri(key_a: str, key_b: str) -> ox.NamedNode:
    """QID pairs: ``Q<a>-Q<b>``; any other pair: ``<a>_<b>`` (no key of ``city_key`` holds ``_``)."""
    if QID_RE.fullmatch(key_a) and QID_RE.fullmatch(key_b):
        return ox.NamedNode(f"{TWINNING}{key_a}-{key_b}")
    return ox.NamedNode(f"{TWINNING}{key_a}_{key_b}")


_IN_CITY = re.compile(re.escape(CITY) + r"(.*)", re.DOTALL)
_IN_CDR = re.compile(re.escape(str(CDR)) + r"(.*)", re.DOTALL)
_SLUG_KEY = re.compile(r"[^\W_]+(?:-{1,2}[^\W_]+)*")
_MARKED = re.compile(r"(~~?)(.*)", re.DOTALL)


def _escape(text: str) -> str:
    """Percent-encode everything but letters, digits, '.' and '-' (so no '_' nor '~' is left)."""
    return quote(text, safe="").replace("_", "%5F").replace("~", "%7E")


def city_key(iri: str) -> str:
    """The part of an agreement IRI that stands for the city *iri*: injective, never holds ``_``.

    ``cdr:city/Q84`` -> ``Q84`` and ``cdr:city/isfahan--iran`` -> ``isfahan--iran`` (today's IRIs);
    any other IRI is marked with ``~`` so it cannot meet those: ``cdr:Paris`` -> ``~Paris``,
    an IRI outside ``cdr:`` -> ``~~`` + its percent-encoded form. ``city_of_key`` inverts it.
    """
    local = _IN_CITY.fullmatch(iri)
    if local and (QID_RE.fullmatch(local[1]) or _SLUG_KEY.fullmatch(local[1])):
        return local[1]
    relative = _IN_CDR.fullmatch(iri)
    if relative:
        return "~" + _escape(relative[1])
    return "~~" + _escape(iri)


def city_of_key(key: str) -> str:
    """The city IRI that ``city_key`` turned into *key*."""
    marked = _MARKED.fullmatch(key)
    if marked is None:
        return CITY + key
    return unquote(marked[2]) if marked[1] == "~~" else str(CDR) + unquote(marked[2])


def _pair_order(key: str) -> tuple:
    """Sort key of a city key: QIDs numerically (Q2 before Q10), then any other key."""
    return (0, int(key.lstrip("Q")), "") if QID_RE.fullmatch(key) else (1, 0, key)


def agreement_between(iri_a: str, iri_b: str) -> ox.NamedNode:
    """The agreement IRI of the unordered pair of cities; refuses a key that does not lead back."""
    keys = sorted((city_key(iri_a), city_key(iri_b)), key=_pair_order)
    if {city_of_key(key) for key in keys} != {iri_a, iri_b} or keys[0] == keys[1]:
        raise RuntimeError(f"bug: agreement keys {keys} do not stand for the partners {iri_a} and {iri_b}")
    return twinning_iri(*keys)


def country_iri(slug: str) -> ox.NamedNode:
    """The country named by *slug* under ``cdr:country/``."""
    return ox.NamedNode(COUNTRY + slug)


def source_iri(source: SourceFile) -> ox.NamedNode:
    """The file as a prov:Entity, named by its hash so the same bytes are the same entity."""
    return ox.NamedNode(f"{CDR}source/{source.sha256[:16]}")


def activity_iri(source: SourceFile) -> ox.NamedNode:
    """The import of *source*, named by its hash so importing it again is the same activity."""
    return ox.NamedNode(f"{CDR}import/{source.sha256[:16]}")


def graph_for(source: SourceFile) -> ox.NamedNode:
    """Every source goes into the one data graph (see the module docstring for why)."""
    return ox.NamedNode(GRAPH_DATA)


def _now() -> ox.Literal:
    """The current UTC time as an xsd:dateTime, to the second."""
    stamp = _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat()
    return ox.Literal(stamp, datatype=T.dateTime)


def count_triples(store: ox.Store, graph: ox.NamedNode | None = None) -> int:
    """Triples in the named graphs of *store* (or in *graph* only), for the before/after report."""
    if graph is None:
        query = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    else:
        query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph.value}> {{ ?s ?p ?o }} }}"
    return int(next(iter(select(store, query)))["n"].value)


def existing_functional_values(store: ox.Store) -> tuple[dict[str, str], dict[str, str]]:
    """Population and WKT already stored for each city IRI (from any source)."""
    populations = {
        row["c"].value: row["v"].value
        for row in select(store, f"SELECT ?c ?v WHERE {{ GRAPH ?g {{ ?c <{CDO.population}> ?v }} }}")
    }
    points = {
        row["c"].value: row["v"].value
        for row in select(
            store, f"SELECT ?c ?v WHERE {{ GRAPH ?g {{ ?c <{GEO.hasGeometry}> ?x . ?x <{GEO.asWKT}> ?v }} }}"
        )
    }
    return populations, points


def existing_agreements(store: ox.Store) -> set[str]:
    """Agreement IRIs already stored, to tell new agreements from merged ones."""
    return {
        row["a"].value
        for row in select(store, f"SELECT DISTINCT ?a WHERE {{ GRAPH ?g {{ ?a a <{CDO.TwinningAgreement}> }} }}")
    }


def activity_exists(store: ox.Store, activity: ox.NamedNode) -> bool:
    """Was this import run before? Then its times are not written again."""
    return any(True for _ in store.quads_for_pattern(activity, T.type, T.Activity, None))


def slugify_country(name: str) -> str:
    """The slug of a country name, the last part of its IRI."""
    from citydiplomacy.services.importing.textnorm import slug

    return slug(name)


def provenance_quads(
    store: ox.Store, sources: list[SourceFile], graph: ox.NamedNode, label: str
) -> tuple[list[ox.Quad], ox.NamedNode, ox.NamedNode]:
    """The source entities and the import activity; the activity's times only on first import."""
    main = sources[0]
    act = activity_iri(main)
    quads: list[ox.Quad] = []
    for source in sources:
        ent = source_iri(source)
        quads += [
            ox.Quad(ent, T.type, T.Entity, graph),
            ox.Quad(ent, T.title, ox.Literal(source.origin["path"] if source.origin else source.path.name), graph),
            ox.Quad(ent, T.identifier, ox.Literal(f"sha256:{source.sha256}"), graph),
            ox.Quad(act, T.used, ent, graph),
        ]
        if source.origin:
            repo, commit = source.origin["repository"], source.origin["commit"]
            quads += [
                ox.Quad(ent, T.isPartOf, ox.NamedNode(f"{repo}/tree/{commit}"), graph),
                ox.Quad(ent, T.version, ox.Literal(commit), graph),
                ox.Quad(
                    ent,
                    T.label,
                    ox.Literal(f"{source.origin['path']} from {repo.split('github.com/')[-1]} at commit {commit[:7]}"),
                    graph,
                ),
            ]
        else:
            quads.append(ox.Quad(ent, T.label, ox.Literal(f"{source.path.name} (origin not documented)"), graph))
    # The activity and the versioned agent that ran it, written the one way (core.provenance).
    started = None if activity_exists(store, act) else _dt.datetime.now(_dt.UTC).replace(microsecond=0)
    quads += provenance.as_quads(provenance.activity_triples(URIRef(act.value), label, started=started), graph)
    return quads, source_iri(main), act


@dataclass
class ImportResult:
    """What one import did, for the report: counts, skipped rows, conflicts, triples before and after."""

    graph: str
    source_key: str
    fmt: str
    rows: int
    pairs: int
    new_agreements: int
    merged_agreements: int
    self_loops: dict[str, int]
    skipped: dict[str, int]
    triples_before: int
    triples_after: int
    conflicts: list[str] = field(default_factory=list)
    already_imported: bool = False

    @property
    def triples_added(self) -> int:
        """Triples the import added (0 when it was already imported)."""
        return self.triples_after - self.triples_before


def import_parsed(store: ox.Store, parsed: Parsed) -> ImportResult:
    """Add what *parsed* says to the store in one transaction-free bulk step.

    A chain: what the store holds already -> the provenance -> the cities -> the agreements -> writing.
    """
    main = parsed.files[0]
    graph = graph_for(main)
    before = _StoreBefore.of(store, activity_iri(main))
    quads, src, act = provenance_quads(store, parsed.files, graph, f"import of {main.path.name} ({parsed.fmt})")
    conflicts: list[str] = []
    cited: set[str] = set()
    quads += _city_quads(parsed, before, graph, conflicts, cited)
    quads += name_source_quads(cited, act, graph)
    agreements, new, merged = _agreement_quads(parsed, before.agreements, src, act, graph)
    quads += agreements
    if not before.activity_existed:
        quads.append(ox.Quad(act, T.endedAtTime, _now(), graph))
    # bulk_extend skips per-quad transactions (about 5x faster than extend); a failure part-way
    # leaves a partial import, which re-running the same import completes (it is idempotent).
    store.bulk_extend(quads)
    store.flush()
    return ImportResult(
        graph=graph.value,
        source_key=main.key,
        fmt=parsed.fmt,
        rows=parsed.rows,
        pairs=len(parsed.pairs),
        new_agreements=new,
        merged_agreements=merged,
        self_loops=dict(parsed.self_loops),
        skipped=dict(parsed.skipped),
        triples_before=before.triples,
        triples_after=count_triples(store),
        conflicts=conflicts,
        already_imported=before.activity_existed,
    )


@dataclass
class _StoreBefore:
    """What the store holds before an import: the import adds no second value of a functional
    property, counts agreements as new or merged, and writes its activity's times once."""

    triples: int
    activity_existed: bool
    populations: dict[str, str]
    points: dict[str, str]
    agreements: set[str]
    persian: set[str]

    @classmethod
    def of(cls, store: ox.Store, activity: ox.NamedNode) -> _StoreBefore:
        triples = count_triples(store)
        existed = activity_exists(store, activity)
        populations, points = existing_functional_values(store)
        return cls(triples, existed, populations, points, existing_agreements(store), persian_labelled(store))


def persian_labelled(store: ox.Store) -> set[str]:
    """Cities and countries that have a Persian label already (in any graph): they get no second one."""
    query = (
        f"SELECT DISTINCT ?x {{ VALUES ?kind {{ <{CDO.City}> <{CDO.Country}> }} "
        f'?x a ?kind ; <{RDFS.label}> ?l FILTER(LANGMATCHES(LANG(?l), "fa")) }}'
    )
    return {row["x"].value for row in select(store, query, use_default_graph_as_union=True)}


CLDR = "cldr"
PERSIAN_CITIES = "persian-cities"


def name_source(which: str) -> ox.NamedNode:
    """The list a Persian name came from: ``cdr:source/cldr-<version>`` or the project's city names."""
    if which == CLDR:
        return ox.NamedNode(f"{CDR}source/cldr-{countrynames.cldr_version()}")
    return ox.NamedNode(f"{CDR}source/{persiancities.SOURCE_KEY}")


def name_source_quads(cited: set[str], act: ox.NamedNode, graph: ox.NamedNode) -> list[ox.Quad]:
    """Each name list the import took a Persian name from, as a prov:Entity the import used."""
    quads = []
    for which in sorted(cited):
        node = name_source(which)
        if which == CLDR:
            label, home = countrynames.cldr_description(), countrynames.CLDR_HOME
        else:
            label, home = persiancities.SOURCE_LABEL, None
        quads += [ox.Quad(node, T.type, T.Entity, graph), ox.Quad(node, T.label, ox.Literal(label), graph)]
        quads.append(ox.Quad(act, T.used, node, graph))
        if home:
            quads.append(ox.Quad(node, T.isPartOf, ox.NamedNode(home), graph))
    return quads


def persian_label_quads(
    node: ox.NamedNode, name: str | None, which: str, before: _StoreBefore, graph: ox.NamedNode, cited: set[str]
) -> list[ox.Quad]:
    """*node*'s Persian *name* from the list *which*, unless it has one or *name* is None."""
    if name is None or node.value in before.persian:
        return []
    before.persian.add(node.value)
    cited.add(which)
    return [
        ox.Quad(node, T.label, ox.Literal(name, language="fa"), graph),
        ox.Quad(node, T.source, name_source(which), graph),
    ]


def _city_quads(
    parsed: Parsed, before: _StoreBefore, graph: ox.NamedNode, conflicts: list[str], cited: set[str]
) -> list[ox.Quad]:
    """Every city: type, Wikidata item, labels, population, geometry and country (each country once);
    a population or point that differs from the stored one goes to *conflicts* instead; the name
    lists that gave a Persian label go to *cited*."""
    quads: list[ox.Quad] = []
    countries: dict[str, ox.NamedNode] = {}
    for qid, record in parsed.cities.items():
        city = city_iri(qid)
        quads.append(ox.Quad(city, T.type, T.City, graph))
        quads.append(ox.Quad(city, T.wikidataItem, ox.NamedNode(WD_NS + qid), graph))
        for text, lang in record.labels:
            quads.append(ox.Quad(city, T.label, ox.Literal(text, language=lang) if lang else ox.Literal(text), graph))
        persian = persiancities.PERSIAN_CITY_NAMES.get(qid)
        quads += persian_label_quads(city, persian, PERSIAN_CITIES, before, graph, cited)
        quads += _population_quads(qid, city, record.population, before.populations, graph, conflicts)
        quads += _geometry_quads(qid, city, record.wkt, before.points, graph, conflicts)
        if record.country:
            quads += _country_quads(city, record.country, countries, graph)
            node = countries[record.country]
            quads += persian_label_quads(node, countrynames.persian_name(record.country), CLDR, before, graph, cited)
    return quads


def _population_quads(
    qid: str, city: ox.NamedNode, pop: int | None, stored: dict[str, str], graph: ox.NamedNode, conflicts: list[str]
) -> list[ox.Quad]:
    """The city's population, unless the store already has another one (the first import wins)."""
    if pop is None or not _first_value_wins(qid, "population", str(pop), stored.get(city.value), conflicts):
        return []
    return [ox.Quad(city, T.population, ox.Literal(str(pop), datatype=T.integer), graph)]


def _geometry_quads(
    qid: str, city: ox.NamedNode, wkt: str | None, stored: dict[str, str], graph: ox.NamedNode, conflicts: list[str]
) -> list[ox.Quad]:
    """The city's point as a geo:Geometry, unless the store already has another one (the first import wins)."""
    if wkt is None or not _first_value_wins(qid, "coordinates", wkt, stored.get(city.value), conflicts):
        return []
    geom = geometry_iri(qid)
    return [
        ox.Quad(city, T.hasGeometry, geom, graph),
        ox.Quad(geom, T.type, T.Geometry, graph),
        ox.Quad(geom, T.asWKT, ox.Literal(wkt, datatype=T.wktLiteral), graph),
    ]


def _first_value_wins(qid: str, what: str, value: str, stored: str | None, conflicts: list[str]) -> bool:
    """May *value* be added? Yes if the store has none or the same: a functional property keeps the
    first import's value, and a different later one is reported in *conflicts*, not added."""
    if stored is None or stored == value:
        return True
    conflicts.append(f"{qid}: {what} {value} not added, the store already has {stored}")
    return False


def _country_quads(
    city: ox.NamedNode, name: str, countries: dict[str, ox.NamedNode], graph: ox.NamedNode
) -> list[ox.Quad]:
    """The city's cdo:country; the country itself (type, English label) the first time it is named."""
    quads = []
    node = countries.get(name)
    if node is None:
        node = countries[name] = country_iri(slugify_country(name))
        quads.append(ox.Quad(node, T.type, T.Country, graph))
        quads.append(ox.Quad(node, T.label, ox.Literal(name, language="en"), graph))
    quads.append(ox.Quad(city, T.country, node, graph))
    return quads


def _agreement_quads(
    parsed: Parsed, old_agreements: set[str], src: ox.NamedNode, act: ox.NamedNode, graph: ox.NamedNode
) -> tuple[list[ox.Quad], int, int]:
    """One cdo:TwinningAgreement per pair, with its partners, stating sides and provenance; and how
    many of them are new and how many add to an agreement the store already had."""
    quads: list[ox.Quad] = []
    new = merged = 0
    for (a, b), sides in parsed.pairs.items():
        agreement = twinning_iri(a, b)
        if agreement.value in old_agreements:
            merged += 1
        else:
            new += 1
        quads += [
            ox.Quad(agreement, T.type, T.TwinningAgreement, graph),
            ox.Quad(agreement, T.partner, city_iri(a), graph),
            ox.Quad(agreement, T.partner, city_iri(b), graph),
            ox.Quad(agreement, T.status, T.StatusUnknown, graph),
            ox.Quad(agreement, T.source, src, graph),
            ox.Quad(agreement, T.wasDerivedFrom, src, graph),
            ox.Quad(agreement, T.wasGeneratedBy, act, graph),
        ]
        quads += [ox.Quad(agreement, T.statedBy, city_iri(side), graph) for side in sides]
    return quads, new, merged


__all__ = [
    "T",
    "ImportResult",
    "import_parsed",
    "city_iri",
    "city_key",
    "city_of_key",
    "agreement_between",
    "twinning_iri",
    "count_triples",
]
