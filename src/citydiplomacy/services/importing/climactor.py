"""The ClimActor file (Hsu et al. 2020; Climactor 2.0, Manya et al. 2025): cities and regions and the
transnational climate initiatives and city networks they take part in, as the second layer of the graph.

Licence of the data: non-commercial use, with citation (:data:`CITATION`); it is read from where the user
keeps it and never copied into the project.

The chain: :func:`read_climactor` (text and row checks, before a store is opened) -> :func:`import_climactor`
(reconcile each actor with the graph's cities, then write networks, actors and memberships in one bulk step).

- **Initiatives.** Each dataset name of ``initiatives_committed`` (split on ``;`` and ``,``) maps, through the
  packaged table ``citydiplomacy/data/climactor-initiatives.csv``, to one initiative and a year. Kinds:
  ``network`` (a city network, ``cdo:CityNetwork``), ``initiative`` (a pledge, declaration, campaign or
  alliance that cities and regions join; also written as a ``cdo:CityNetwork``, with ``dcterms:type``
  saying which it is), ``reporting`` (a reporting platform or database such as CDP, NAZCA, the carbonn
  registry: reporting to it is not membership, so those links are counted, not imported) and ``none``
  (not an initiative: ``NA``, a web address, a stray word).
- **Memberships.** One ``cdo:CityNetworkMembership`` per actor, initiative and year (several dataset names
  for the same initiative and year give one), IRI from a hash of the three, with ``cdo:observationYear``
  (the year the dataset recorded it, never a start date) and the file as PROV source.
- **Actors.** A city is reconciled (:class:`Reconciler`); unmatched or ambiguous it becomes
  ``cdr:city/climactor-<iso3>-<name-slug>`` with its label, country, point and population from the file.
  A region is a ``cdo:NonCentralGovernment`` ``cdr:region/climactor-<iso3>-<name-slug>`` (never a city),
  based in its country. Rows that name the same actor twice (the file repeats some in capitals) give the
  same IRI; the first row's point and population win. Only actors with at least one membership are written.
"""

from __future__ import annotations

import csv
import datetime as _dt
import hashlib
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pyoxigraph as ox
from rdflib.namespace import DCTERMS

from citydiplomacy.core.errors import EXIT_INTERNAL, CitydipError
from citydiplomacy.core.inputs import check_regular_file
from citydiplomacy.core.namespaces import CDO, CDR, ORG, WD
from citydiplomacy.core.output import no_progress
from citydiplomacy.core.resources import package_data_file
from citydiplomacy.services.importing import countrynames
from citydiplomacy.services.importing.sources import CLIMACTOR_HEADER as HEADER
from citydiplomacy.services.importing.sources import SourceFile
from citydiplomacy.services.importing.spreadsheet import CityIndex, CountryIndex
from citydiplomacy.services.importing.textnorm import fold, slug
from citydiplomacy.services.importing.writer import (
    CITY,
    CLDR,
    T,
    activity_exists,
    activity_iri,
    count_triples,
    country_iri,
    existing_functional_values,
    geometry_iri,
    graph_for,
    name_source,
    name_source_quads,
    provenance_quads,
)

CITATION = (
    "ClimActor data: Hsu, A., Yeo, Z.Y., Rauber, R. et al., Scientific Data 7, 374 (2020); "
    "Manya, D. et al. (2025), Climactor 2.0, doi:10.15139/S3/GGWVVQ. Non-commercial use only."
)
MAPPING_FILE = "climactor-initiatives.csv"
IMPORTED_KINDS = ("network", "initiative")
KINDS = (*IMPORTED_KINDS, "reporting", "none")
MISSING = {"", "NA", "NaN", "nan", "NULL"}
ISO3 = re.compile(r"[A-Z]{3}")
REGION = str(CDR) + "region/"
NETWORK = str(CDR) + "network/"
MEMBERSHIP = str(CDR) + "membership/"
CLIMACTOR_CITY = CITY + "climactor-"

# Reconciliation: a candidate's point must lie within BASE_KM + KM_PER_SQRT_PERSON * sqrt(population).
BASE_KM = 10.0
KM_PER_SQRT_PERSON = 0.02


class V:
    """Terms the importer writes besides the writer's (built once)."""

    Membership = ox.NamedNode(str(CDO.CityNetworkMembership))
    CityNetwork = ox.NamedNode(str(CDO.CityNetwork))
    NonCentralGovernment = ox.NamedNode(str(CDO.NonCentralGovernment))
    member = ox.NamedNode(str(ORG.member))
    organization = ox.NamedNode(str(ORG.organization))
    observationYear = ox.NamedNode(str(CDO.observationYear))
    basedIn = ox.NamedNode(str(CDO.basedIn))
    dctype = ox.NamedNode(str(DCTERMS.type))
    citation = ox.NamedNode(str(DCTERMS.bibliographicCitation))


# ---------------------------------------------------------------- the mapping of dataset names


@dataclass(frozen=True)
class Initiative:
    """One row of the mapping table: what a dataset name of the file stands for."""

    dataset_name: str
    network: str
    kind: str
    label_en: str
    label_fa: str
    wikidata: str
    year: int | None

    @property
    def iri(self) -> str:
        """``cdr:Eurocities`` (the article's nodes) as written, else ``cdr:network/<slug>``."""
        if self.network.startswith("cdr:"):
            return str(CDR) + self.network[4:]
        return NETWORK + self.network


@cache
def initiatives() -> dict[str, Initiative]:
    """The packaged mapping, by dataset name; a broken table is our bug (exit 3)."""
    path = package_data_file(MAPPING_FILE)
    table: dict[str, Initiative] = {}
    with open(path, newline="", encoding="utf-8") as handle:
        for line, row in enumerate(csv.DictReader(handle), 2):
            kind = row["kind"]
            if kind not in KINDS or (kind != "none" and not row["network"]) or row["dataset_name"] in table:
                raise CitydipError(f"{path}:{line}: bad mapping row {row}", EXIT_INTERNAL)
            year = int(row["year"]) if row["year"] else None
            table[row["dataset_name"]] = Initiative(
                row["dataset_name"], row["network"], kind, row["label_en"], row["label_fa"], row["wikidata"], year
            )
    return table


def split_initiatives(cell: str) -> list[str]:
    """The dataset names of one ``initiatives_committed`` cell: split on ``;`` (also ``;;``) and ``,``."""
    return [part.strip() for part in re.split(r"[;,]", cell) if part.strip()]


# ---------------------------------------------------------------- reading the file


@dataclass
class ActorRow:
    """One checked row: a city or region, where it lies, and its initiatives."""

    line: int
    name: str
    iso: str
    region: bool
    country: str
    point: tuple[float, float] | None  # (lon, lat)
    population: int | None
    names: list[str]

    @property
    def memberships(self) -> list[Initiative]:
        """The imported initiatives of the row, one per (initiative, year), in file order."""
        table, seen, found = initiatives(), set(), []
        for name in self.names:
            item = table.get(name)
            if item and item.kind in IMPORTED_KINDS and (item.iri, item.year) not in seen:
                seen.add((item.iri, item.year))
                found.append(item)
        return found


@dataclass
class ClimactorFile:
    """The rows of the file that passed the checks, and what was skipped or changed (with lines)."""

    path: Path
    source: SourceFile
    rows: list[ActorRow] = field(default_factory=list)
    lines: int = 0
    skipped: list[tuple[int, str, str]] = field(default_factory=list)  # (line, reason, detail)
    issues: list[tuple[int, str, str]] = field(default_factory=list)  # (line, kind, detail): row kept


def _decoded_lines(path: Path, issues: list[tuple[int, str, str]]):
    """The file's lines as text; a line that is not UTF-8 is read as Mac OS Roman (the file's one
    such line writes a no-break space as byte 0xCA) and reported."""
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, 1):
            try:
                text = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                text = raw.decode("mac_roman")
                issues.append((number, "not UTF-8", f"byte 0x{raw[exc.start]:02X}; line read as Mac OS Roman"))
            if "\0" in text:
                raise CitydipError(f"{path}:{number}: holds a NUL byte, so it is not a text CSV; is it the right file?")
            yield text.replace("\u00a0", " ")


def read_climactor(path: str | Path) -> ClimactorFile:
    """Read and check the file; a wrong header is one CitydipError, a bad row is skipped and reported."""
    path = Path(path)
    check_regular_file(str(path))  # the project's one guard: missing, folder, FIFO, device
    read = ClimactorFile(path, SourceFile.of(path))
    try:
        reader = csv.reader(_decoded_lines(path, read.issues))
        header = [cell.strip() for cell in next(reader, [])]
        if header != HEADER:
            raise CitydipError(f"{path}:1: expected the ClimActor header {','.join(HEADER)}; found {','.join(header)}")
        for row in reader:
            read.lines += 1
            _check_row(read, reader.line_num, row)
    except csv.Error as exc:
        raise CitydipError(f"{path}:{reader.line_num}: not a readable CSV ({exc})") from None
    except OSError as exc:
        raise CitydipError(f"{path}: cannot read ({exc.strerror or exc})") from None
    return read


def _check_row(read: ClimactorFile, line: int, row: list[str]) -> None:
    """One row: skipped (with its reason) when it names no actor or country; else kept, bad values dropped."""
    if len(row) != len(HEADER):
        read.skipped.append((line, "wrong number of fields", f"{len(row)} fields, expected {len(HEADER)}"))
        return
    cell = dict(zip(HEADER, (value.strip() for value in row), strict=True))
    if cell["name"] in MISSING:
        read.skipped.append((line, "missing name", "column 'name' is empty"))
        return
    if not ISO3.fullmatch(cell["iso"]):
        read.skipped.append((line, "bad country code", f"iso {cell['iso']!r} is not an ISO 3166 alpha-3 code"))
        return
    kind = cell["entity_type"].casefold()
    if kind not in ("city", "region"):
        read.issues.append((line, "entity type", f"entity_type {cell['entity_type']!r}: taken as a city"))
    names = [] if cell["initiatives_committed"] in MISSING else split_initiatives(cell["initiatives_committed"])
    table = initiatives()
    for name in names:
        if name not in table:
            read.issues.append((line, "unknown initiative", f"{name!r} is not in {MAPPING_FILE}; not imported"))
    read.rows.append(
        ActorRow(
            line,
            cell["name"],
            cell["iso"],
            kind == "region",
            cell["country"] if cell["country"] not in MISSING else "",
            _point(read, line, cell["lng"], cell["lat"]),
            _population(read, line, cell["population"]),
            names,
        )
    )


def _point(read: ClimactorFile, line: int, lng: str, lat: str) -> tuple[float, float] | None:
    """(lon, lat), or None when missing or not a point on Earth (reported)."""
    if lng in MISSING or lat in MISSING:
        return None
    try:
        lon, la = float(lng), float(lat)
    except ValueError:
        lon = la = math.nan
    if not (-180 <= lon <= 180 and -90 <= la <= 90):
        read.issues.append((line, "bad coordinates", f"lat {lat!r} lng {lng!r} ignored"))
        return None
    return lon, la


def _population(read: ClimactorFile, line: int, text: str) -> int | None:
    """A count written as 16637 or 1.5e+07; anything else (negative, not a number) is reported."""
    if text in MISSING:
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (value >= 0 and math.isfinite(value)):
        read.issues.append((line, "bad population", f"population {text!r} ignored"))
        return None
    return round(value)


# ---------------------------------------------------------------- reconciliation


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance between two (lon, lat) points, in km (haversine, mean Earth radius)."""
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))


def radius_km(population: int | None) -> float:
    """How far a city's recorded point may lie from another source's: more for a bigger city."""
    return BASE_KM + KM_PER_SQRT_PERSON * math.sqrt(population or 0)


_WKT = re.compile(r"\s*POINT\s*\(\s*(\S+)\s+(\S+)\s*\)\s*", re.IGNORECASE)


def wkt_point(wkt: str) -> tuple[float, float] | None:
    """(lon, lat) of a WKT ``POINT(lon lat)``, or None."""
    match = _WKT.fullmatch(wkt)
    if not match:
        return None
    try:
        return float(match[1]), float(match[2])
    except ValueError:
        return None


def row_country_keys(row: ActorRow) -> frozenset[str]:
    """Every name of the row's country: from its ISO code (the authority), else from the name written."""
    alpha2 = countrynames.alpha2_of_alpha3(row.iso)
    return countrynames.same_country_keys(alpha2 or row.country or row.iso)


@dataclass
class Match:
    """How an actor was reconciled: outcome, IRI, the candidates that passed, the distance to the match."""

    outcome: str  # matched | created | ambiguous | region
    iri: str
    candidates: list[str] = field(default_factory=list)
    distance: float | None = None
    note: str = ""


class Reconciler:
    """The rule: a city of the graph (not one this importer created) is the actor when (1) one of its
    labels folds to the actor's name, (2) its country is the actor's (ISO code) or it has none, and
    (3) its point lies within ``radius_km(max population)`` of the actor's (a name with no such city is
    tried again without a trailing state or country: ``Albany, NY``); a city with no country
    needs (3), a city in the same country with no point to compare passes on (1) and (2). Exactly one
    such city, or several of which exactly one passed (3) by its point: matched; several otherwise:
    ambiguous (a new city is made, nothing merged); none: created."""

    def __init__(self, store: ox.Store):
        self.cities = CityIndex(store)
        populations, points = existing_functional_values(store)
        self.population = {iri: int(value) for iri, value in populations.items() if value.isdigit()}
        self.point = {iri: p for iri, wkt in points.items() if (p := wkt_point(wkt)) is not None}

    def candidates(self, row: ActorRow) -> list[tuple[str, float | None]]:
        """The graph's cities that pass the rule for the row's name, else for its name without a
        trailing state or country (``Albany, NY``, ``London, UK``, ``Alburqueque, Spain``)."""
        passed = self._passing(row, row.name)
        base = name_without_region(row)
        return passed if passed or base is None else self._passing(row, base)

    def _passing(self, row: ActorRow, name: str) -> list[tuple[str, float | None]]:
        """The graph's cities called *name* that pass the rule for *row*, with their distance (None: not compared)."""
        wanted = row_country_keys(row)
        passed: list[tuple[str, float | None]] = []
        for city in sorted(self.cities.by_name.get(fold(name), ())):
            if city.startswith(CLIMACTOR_CITY):
                continue  # our own earlier import: matching it would make a second import differ
            keys: set[str] = self.cities.country_keys.get(city, set())
            if keys and not keys & wanted:
                continue
            point = self.point.get(city)
            if point is None or row.point is None:
                if keys:
                    passed.append((city, None))
                continue
            distance = distance_km(row.point, point)
            if distance <= radius_km(max(row.population or 0, self.population.get(city, 0))):
                passed.append((city, distance))
        return passed

    def resolve(self, row: ActorRow, own_iri: str) -> Match:
        """The actor's IRI and how it was found (see the class docstring)."""
        if row.region:
            return Match("region", own_iri)
        passed = self.candidates(row)
        near = [(city, distance) for city, distance in passed if distance is not None]
        if len(passed) > 1 and len(near) == 1:
            city, near_km = near[0]
            others = f"{len(passed) - 1} more of that name and country have no point to compare"
            return Match("matched", city, [self.cities.describe(c) for c, _ in passed], near_km, others)
        if len(passed) == 1:
            city, distance = passed[0]
            return Match("matched", city, [self.cities.describe(city)], distance, _match_note(distance))
        if passed:
            return Match("ambiguous", own_iri, [self.cities.describe(city) for city, _ in passed])
        return Match("created", own_iri)


_REGION_SUFFIX = re.compile(r"(.+?),\s*([A-Z]{2,3}|[^,]+)")


def name_without_region(row: ActorRow) -> str | None:
    """The name before a trailing ``, XX`` (a state or country code) or ``, <the row's country>``; else None."""
    match = _REGION_SUFFIX.fullmatch(row.name.strip())
    if match is None or "," in match[2]:
        return None
    suffix = match[2].strip()
    if re.fullmatch(r"[A-Z]{2,3}", suffix) or countrynames.same_country_keys(suffix) & row_country_keys(row):
        return match[1].strip()
    return None


def _match_note(distance: float | None) -> str:
    return "same name and country; no point to compare" if distance is None else ""


def own_iri(row: ActorRow) -> str:
    """The IRI the actor gets when it is not matched: from its kind, country code and name."""
    prefix = REGION + "climactor-" if row.region else CLIMACTOR_CITY
    return f"{prefix}{row.iso.lower()}-{slug(row.name)}"


def membership_iri(member: str, network: str, year: int | None) -> ox.NamedNode:
    """Deterministic: the same member, network and year give the same membership on every import."""
    digest = hashlib.sha256(f"{member}|{network}|{'' if year is None else year}".encode()).hexdigest()
    return ox.NamedNode(MEMBERSHIP + digest[:20])


# ---------------------------------------------------------------- writing


@dataclass
class ClimactorOutcome:
    """What the import did: counts for the summary, one report row per input row, triples added."""

    rows: int = 0
    outcomes: Counter = field(default_factory=Counter)  # matched / created / ambiguous / region / not imported
    links: int = 0  # dataset names on the kept rows
    kinds: Counter = field(default_factory=Counter)  # links by kind of initiative
    memberships: int = 0  # distinct (actor, initiative, year) written
    networks: int = 0
    members: set[str] = field(default_factory=set)  # distinct actors with a membership
    skipped: Counter = field(default_factory=Counter)
    report_rows: list[tuple] = field(default_factory=list)
    triples_added: int = 0

    @property
    def actors(self) -> int:
        """Distinct actors (cities and regions) that have a membership."""
        return len(self.members)


REPORT_HEADER = [
    "line",
    "name",
    "iso",
    "entity type",
    "outcome",
    "IRI",
    "candidates",
    "distance km",
    "memberships",
    "note",
]


class _ClimactorImport:
    """One import of one file: the reconciler, the countries, the quads, and the report."""

    def __init__(self, store: ox.Store, read: ClimactorFile):
        self.store, self.read = store, read
        self.graph = graph_for(read.source)
        self.activity_was = activity_exists(store, activity_iri(read.source))
        label = f"import of {read.path.name} (ClimActor)"
        quads, self.src, self.act = provenance_quads(store, [read.source], self.graph, label)
        self.quads: list[tuple] = [(q.subject, q.predicate, q.object, q.graph_name) for q in quads]
        self.quads.append((self.src, V.citation, ox.Literal(CITATION), self.graph))  # its licence asks for it
        self.reconciler = Reconciler(store)
        self.countries = CountryIndex(store)
        self.country_of: dict[str, ox.NamedNode] = {}
        self.written: set[str] = set()  # actors and networks described in this run
        self.cited: set[str] = set()
        self.out = ClimactorOutcome(rows=read.lines)
        self.notes: dict[int, list[str]] = {}
        for line, kind, detail in read.issues:
            self.notes.setdefault(line, []).append(f"{kind}: {detail}")

    def take(self, row: ActorRow) -> None:
        """Reconcile the row's actor and write it with its memberships (rows without any are reported)."""
        wanted = row.memberships
        table = initiatives()
        self.out.links += len(row.names)
        self.out.kinds.update(table[name].kind if name in table else "unknown" for name in row.names)
        match = self.reconciler.resolve(row, own_iri(row))
        note = match.note
        if not wanted:
            outcome, iri, note = "not imported", "", "no membership: its initiatives are reporting platforms or none"
        else:
            outcome, iri = match.outcome, match.iri
            self._actor(row, match)
            self.out.members.add(iri)
            for item in wanted:
                self._membership(iri, item)
        self.out.outcomes[outcome] += 1
        note = "; ".join([note, *self.notes.get(row.line, [])]).strip("; ")
        distance = "" if match.distance is None or not wanted else f"{match.distance:.1f}"
        kind = "Region" if row.region else "City"
        candidates = " | ".join(match.candidates)
        self.out.report_rows.append(
            (row.line, row.name, row.iso, kind, outcome, iri, candidates, distance, len(wanted), note)
        )

    def _actor(self, row: ActorRow, match: Match) -> None:
        """A created city or a region, described once (the first row that names it wins)."""
        if match.outcome == "matched" or match.iri in self.written:
            return
        self.written.add(match.iri)
        node, g = ox.NamedNode(match.iri), self.graph
        country = self._country(row)
        # ClimActor writes names as English-language sources do (no diacritics): tagged @en
        self.quads += [(node, T.label, ox.Literal(row.name, language="en"), g), (node, T.source, self.src, g)]
        if row.region:
            self.quads += [(node, T.type, V.NonCentralGovernment, g), (node, V.basedIn, country, g)]
            return
        self.quads += [(node, T.type, T.City, g), (node, T.country, country, g)]
        if row.population is not None:
            self.quads.append((node, T.population, ox.Literal(str(row.population), datatype=T.integer), g))
        if row.point is not None:
            geometry = geometry_iri(match.iri[len(CITY) :])
            wkt = ox.Literal(f"POINT({row.point[0]} {row.point[1]})", datatype=T.wktLiteral)
            self.quads += [(node, T.hasGeometry, geometry, g), (geometry, T.type, T.Geometry, g)]
            self.quads.append((geometry, T.asWKT, wkt, g))

    def _country(self, row: ActorRow) -> ox.NamedNode:
        """The graph's country of the row (by any CLDR name of its ISO code), else a new one with CLDR's names."""
        if row.iso in self.country_of:
            return self.country_of[row.iso]
        alpha2 = countrynames.alpha2_of_alpha3(row.iso)
        cldr = countrynames.lookup(alpha2 or row.country or row.iso)
        name = cldr.english if cldr else (row.country or row.iso)
        found = self.countries.find(name)
        node = ox.NamedNode(found) if found else country_iri(slug(name))
        if not found:
            g = self.graph
            self.quads += [(node, T.type, T.Country, g), (node, T.label, ox.Literal(name, language="en"), g)]
            if cldr:
                self.cited.add(CLDR)
                self.quads += [(node, T.label, ox.Literal(cldr.persian, language="fa"), g)]
                self.quads += [(node, T.source, name_source(CLDR), g)]
            self.countries.add(name, node.value)
        self.country_of[row.iso] = node
        return node

    def _membership(self, member: str, item: Initiative) -> None:
        """The membership of *member* in the initiative, for the dataset's year; the network once."""
        self._network(item)
        node, g = membership_iri(member, item.iri, item.year), self.graph
        if node.value in self.written:
            return
        self.written.add(node.value)
        self.out.memberships += 1
        self.quads += [
            (node, T.type, V.Membership, g),
            (node, V.member, ox.NamedNode(member), g),
            (node, V.organization, ox.NamedNode(item.iri), g),
            (node, T.source, self.src, g),
            (node, T.wasDerivedFrom, self.src, g),
            (node, T.wasGeneratedBy, self.act, g),
        ]
        if item.year is not None:
            self.quads.append((node, V.observationYear, ox.Literal(str(item.year), datatype=T.integer), g))

    def _network(self, item: Initiative) -> None:
        """The initiative as a cdo:CityNetwork with its English and Persian names (the article's own
        nodes, such as cdr:Eurocities, are described already and only gain the source)."""
        if item.iri in self.written:
            return
        self.written.add(item.iri)
        self.out.networks += 1
        node, g = ox.NamedNode(item.iri), self.graph
        self.quads.append((node, T.source, self.src, g))
        if item.network.startswith("cdr:"):
            return
        self.quads += [
            (node, T.type, V.CityNetwork, g),
            (node, T.label, ox.Literal(item.label_en, language="en"), g),
            (node, T.label, ox.Literal(item.label_fa, language="fa"), g),
        ]
        if item.kind == "initiative":
            what = "pledge, declaration, campaign or alliance (not an organization of cities)"
            self.quads.append((node, V.dctype, ox.Literal(what, language="en"), g))
        if item.wikidata:
            self.quads.append((node, T.wikidataItem, ox.NamedNode(f"{WD}{item.wikidata}"), g))

    def finish(self) -> ClimactorOutcome:
        """Write everything in one bulk step and count what the store gained."""
        cited = name_source_quads(self.cited, self.act, self.graph)
        self.quads += [(q.subject, q.predicate, q.object, q.graph_name) for q in cited]
        if not self.activity_was:
            ended = _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat()
            self.quads.append((self.act, T.endedAtTime, ox.Literal(ended, datatype=T.dateTime), self.graph))
        before = count_triples(self.store)
        # bulk_extend skips per-quad transactions; a failure part-way is completed by importing again.
        self.store.bulk_extend(ox.Quad(*terms) for terms in self.quads)
        self.store.flush()
        self.quads = []
        self.out.triples_added = count_triples(self.store) - before
        return self.out


def import_climactor(store: ox.Store, read: ClimactorFile, progress=no_progress) -> ClimactorOutcome:
    """Reconcile and import the rows of *read* into *store*; importing the same file again adds nothing."""
    run = _ClimactorImport(store, read)
    for line, reason, detail in read.skipped:
        run.out.skipped[reason] += 1
        run.out.report_rows.append((line, "", "", "", "skipped", "", "", "", 0, f"{reason}: {detail}"))
    with progress(f"importing {read.path.name}", total=len(read.rows)) as advance:
        for row in read.rows:
            run.take(row)
            advance()
    run.out.report_rows.sort(key=lambda r: r[0])
    return run.finish()


__all__ = [
    "CITATION",
    "ClimactorFile",
    "ClimactorOutcome",
    "Initiative",
    "Reconciler",
    "import_climactor",
    "initiatives",
    "read_climactor",
]
