"""A researcher's spreadsheet of twinnings: reconcile names against the graph, then import.

Reconciliation (name + country, case-, accent- and punctuation-insensitive, see textnorm.fold;
a country by any name CLDR gives it, so 'Iran', 'ایران' and 'IR' are one, see countrynames):
1. a QID column, when given and filled, decides (``cdr:city/Q..``);
2. else the cities of the graph with a label equal to the name and a country equal to the
   country: exactly one -> matched; several -> ambiguous (row skipped, candidates reported);
3. else the cities with that label and no country in the graph (query.csv and relations.tsv
   give none): exactly one -> matched (noted), several -> ambiguous;
4. else a new city ``cdr:city/<name-slug>--<country-slug>`` is created (deterministic, so a
   second import of the same file matches it instead of creating another). Its country is the
   graph's country of that name when there is one, else a new one with CLDR's English and
   Persian names where CLDR knows the country.

The spreadsheet states neither side, so its agreements get no ``cdo:statedBy``. Status:
``cdo:StatusEnded`` when the end date is not in the future, else ``cdo:StatusUnknown``.
An agreement's IRI comes from ``writer.agreement_between``, injective for any two city IRIs
(a user's own ``cdr:Paris`` as well as ``cdr:city/Q90``).

The chain: ``read_sheet`` (text and CSV checks, before the store is opened) -> per row
``check_row`` -> ``resolve_sides`` -> ``write_agreement`` (its quads and report rows). Quads are
collected and written at the end with one ``bulk_extend``; a file whose rows give no agreement
writes nothing at all, not even its provenance.
"""

from __future__ import annotations

import csv
import datetime as _dt
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib.namespace import RDFS

from citydiplomacy.core.errors import CitydipError
from citydiplomacy.core.namespaces import CDO, WD
from citydiplomacy.core.output import progress
from citydiplomacy.services.importing.countrynames import lookup as cldr_country
from citydiplomacy.services.importing.countrynames import same_country_keys
from citydiplomacy.services.importing.dates import DateError, parse_date
from citydiplomacy.services.importing.sources import ENTITY_RE, SourceFile
from citydiplomacy.services.importing.textnorm import fold, slug
from citydiplomacy.services.importing.writer import (
    CITY,
    CLDR,
    T,
    activity_exists,
    activity_iri,
    agreement_between,
    city_iri,
    country_iri,
    graph_for,
    name_source,
    name_source_quads,
    provenance_quads,
)

_WD_URL = re.compile(r"(?:https?://www\.wikidata\.org/(?:entity|wiki)/)?(Q[1-9][0-9]*)")
WRITE_CHUNK = 100_000  # quads per bulk write: bounds the memory of the write
SAVE_AS_UTF8 = "save it as 'CSV UTF-8' (comma delimited) and import again"


@dataclass
class Columns:
    city_a: str
    country_a: str
    city_b: str
    country_b: str
    start: str | None = None
    end: str | None = None
    qid_a: str | None = None
    qid_b: str | None = None

    def named(self) -> list[tuple[str, str]]:
        options = [
            ("--city-a", self.city_a),
            ("--country-a", self.country_a),
            ("--city-b", self.city_b),
            ("--country-b", self.country_b),
            ("--start", self.start),
            ("--end", self.end),
            ("--qid-a", self.qid_a),
            ("--qid-b", self.qid_b),
        ]
        return [(option, column) for option, column in options if column]


@dataclass
class Resolution:
    outcome: str  # matched | ambiguous | created
    iri: str | None
    candidates: list[str] = field(default_factory=list)
    note: str = ""

    def resolved_iri(self) -> str:
        """The IRI of a matched or created city; an ambiguous one has none, and asking for it is a bug."""
        if self.iri is None:
            raise TypeError(f"a {self.outcome} city has no IRI")
        return self.iri


def _union(store: ox.Store, query: str):
    return store.query(query, use_default_graph_as_union=True)


class CityIndex:
    """Cities in the store by folded label, with the folded names of their countries.

    Four flat queries (cities, labels, countries, country labels) instead of one query with
    nested OPTIONALs, which built a row per label x country x country label on the full graph.
    """

    def __init__(self, store: ox.Store):
        self.by_name: dict[str, set[str]] = {}
        self.countries: dict[str, set[str]] = {}
        self.country_keys: dict[str, set[str]] = {}
        self.display: dict[str, str] = {}
        self.known = {row["c"].value for row in _union(store, f"SELECT DISTINCT ?c {{ ?c a <{CDO.City}> }}")}
        canonical = self._wikidata_twins(store)
        city = f"?c a <{CDO.City}> ."
        for row in _union(store, f"SELECT ?c ?l {{ {city} ?c <{RDFS.label}> ?l }}"):
            iri = canonical.get(row["c"].value, row["c"].value)
            self.by_name.setdefault(fold(row["l"].value), set()).add(iri)
            self.display.setdefault(iri, row["l"].value)
        for row in _union(store, f"SELECT ?c ?k {{ {city} ?c <{CDO.country}> ?k }}"):
            slug_words = row["k"].value.rsplit("/", 1)[-1].replace("-", " ")
            self._add_country(canonical.get(row["c"].value, row["c"].value), slug_words)
        query = f"SELECT ?c ?kl {{ {city} ?c <{CDO.country}> ?k . ?k <{RDFS.label}> ?kl }}"
        for row in _union(store, query):
            self._add_country(canonical.get(row["c"].value, row["c"].value), row["kl"].value)

    def _add_country(self, city: str, name: str) -> None:
        """*city* lies in the country called *name*: matched later by any name CLDR gives it."""
        self.countries.setdefault(city, set()).add(fold(name))
        self.country_keys.setdefault(city, set()).update(same_country_keys(name))

    def _wikidata_twins(self, store: ox.Store) -> dict[str, str]:
        """A city described elsewhere (a user's cdr:London, cdo:wikidataItem wd:Q84) is the
        same as an imported cdr:city/Q84: map it to the Wikidata-keyed IRI when that exists."""
        canonical: dict[str, str] = {}
        query = f"SELECT ?c ?w {{ ?c a <{CDO.City}> ; <{CDO.wikidataItem}> ?w }}"
        for row in _union(store, query):
            item = ENTITY_RE.fullmatch(row["w"].value)
            target = city_iri(item[1]).value if item else None
            if target is not None and target in self.known and target != row["c"].value:
                canonical[row["c"].value] = target
        return canonical

    def describe(self, city: str) -> str:
        countries = sorted(self.countries.get(city, ())) or ["no country"]
        return f"{city} ({self.display.get(city, '')}; {countries[0]})"

    def add(self, city: str, name: str, country: str) -> None:
        self.known.add(city)
        self.by_name.setdefault(fold(name), set()).add(city)
        self._add_country(city, country)
        self.display.setdefault(city, name)

    def resolve(self, name: str, country: str) -> Resolution:
        candidates = self.by_name.get(fold(name), set())
        wanted = same_country_keys(country)
        same_country = sorted(c for c in candidates if wanted & self.country_keys.get(c, set()))
        if len(same_country) == 1:
            return Resolution("matched", same_country[0])
        if len(same_country) > 1:
            return Resolution("ambiguous", None, [self.describe(c) for c in same_country])
        countryless = sorted(c for c in candidates if not self.countries.get(c))
        if len(countryless) == 1:
            return Resolution("matched", countryless[0], note="the graph records no country for this city")
        if len(countryless) > 1:
            return Resolution(
                "ambiguous", None, [self.describe(c) for c in countryless], "same name, no country in the graph"
            )
        note = ""
        if candidates:
            note = "same name in other countries: " + "; ".join(self.describe(c) for c in sorted(candidates)[:5])
        return Resolution("created", CITY + f"{slug(name)}--{slug(country)}", note=note)


class CountryIndex:
    """The graph's countries by every name CLDR gives them, so a spreadsheet's 'ایران' or 'Iran'
    reuses the imported ``cdr:country/iran`` instead of creating a second Iran."""

    def __init__(self, store: ox.Store):
        self.by_key: dict[str, str] = {}
        for row in _union(store, f"SELECT ?k ?l {{ ?k a <{CDO.Country}> ; <{RDFS.label}> ?l }}"):
            self.add(row["l"].value, row["k"].value)

    def add(self, name: str, iri: str) -> None:
        """The country *iri* is called *name*; of two countries with one name the smaller IRI wins."""
        for key in same_country_keys(name):
            if key not in self.by_key or iri < self.by_key[key]:
                self.by_key[key] = iri

    def find(self, name: str) -> str | None:
        """The graph's country called *name* (in any language CLDR knows), or None."""
        found = {self.by_key[key] for key in same_country_keys(name) if key in self.by_key}
        return min(found) if found else None


@dataclass
class SpreadsheetOutcome:
    rows: int = 0
    imported: int = 0
    merged: int = 0
    matched: int = 0
    created: int = 0
    ambiguous: int = 0
    skipped: Counter = field(default_factory=Counter)
    skipped_lines: list[tuple[int, str]] = field(default_factory=list)
    report_rows: list[tuple] = field(default_factory=list)
    triples_added: int = 0
    graph: str = ""


@dataclass
class Sheet:
    """The rows of a spreadsheet that passed the text and CSV checks, with their line numbers."""

    path: Path
    header: list[str]
    index: dict[str, int]
    records: list[tuple[int, list[str]]]


def resolve_delimiter(delimiter: str | None) -> str | None:
    """One character, or ``\\t``/``TAB`` for a tab; None (sniff) when not given."""
    if delimiter is None or delimiter == "":
        return None
    if delimiter in ("\\t", "TAB", "tab", "\t"):
        return "\t"
    if len(delimiter) != 1 or delimiter in '"\r\n':
        raise CitydipError(
            f"--delimiter {delimiter!r}: give one character such as ',' or ';' (or \\t or TAB for a tab)"
        )
    return delimiter


def _sniff(sample: str) -> str:
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        return ","


class _CheckedLines:
    """The file's lines for csv.reader, refusing a NUL byte (binary data or UTF-16 without a BOM)."""

    def __init__(self, path: Path, handle):
        self.path, self.handle, self.number = path, handle, 0

    def __iter__(self):
        for number, text in enumerate(self.handle, 1):
            self.number = number
            if "\0" in text:
                raise CitydipError(
                    f"{self.path}:{self.number}: holds a NUL byte, so it is not a text CSV "
                    f"(UTF-16 or a binary file?); {SAVE_AS_UTF8}"
                )
            yield text


def _refuse_utf16(path: Path) -> None:
    with open(path, "rb") as handle:
        start = handle.read(4)
    if start.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise CitydipError(f"{path}: is UTF-16 text (it starts with a UTF-16 byte order mark); {SAVE_AS_UTF8}")


def _first_line_not_utf8(path: Path) -> tuple[int, str]:
    """Line number and first bad byte of the first line that is not UTF-8 (the decoder only says the chunk)."""
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, 1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                return number, f"0x{raw[exc.start]:02X}"
    return 0, "?"


def read_sheet(path: Path, columns: Columns, delimiter: str | None = None) -> Sheet:
    """Every record of *path* with its line; text, CSV and column mistakes are one CitydipError."""
    sep = resolve_delimiter(delimiter)
    _refuse_utf16(path)
    lines = None
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            if sep is None:
                sep = _sniff(handle.read(8192))
                handle.seek(0)
            lines = _CheckedLines(path, handle)
            reader = csv.reader(lines, delimiter=sep)
            header = [h.strip() for h in next(reader, [])]
            index = _column_index(path, header, columns)
            records = [(reader.line_num, row) for row in reader]
    except UnicodeDecodeError:
        line, byte = _first_line_not_utf8(path)
        raise CitydipError(
            f"{path}:{line}: not UTF-8 text (byte {byte}; Latin-1 or Windows-1252 lines in the file?); {SAVE_AS_UTF8}"
        ) from None
    except csv.Error as exc:
        where = f"{path}:{lines.number}" if lines else str(path)
        raise CitydipError(f"{where}: not a readable CSV ({exc}); check the quoting of that line") from None
    return Sheet(path, header, index, records)


def _column_index(path: Path, header: list[str], columns: Columns) -> dict[str, int]:
    if not any(header):
        raise CitydipError(f"{path}: is empty; the first line must name the columns (such as {columns.city_a!r})")
    missing = [(option, column) for option, column in columns.named() if column not in header]
    if missing:
        option, column = missing[0]
        raise CitydipError(
            f"{path}: no column {column!r} (given to {option}); the file's columns are: "
            + ", ".join(repr(h) for h in header)
        )
    return {name: header.index(name) for _, name in columns.named()}


@dataclass
class _Side:
    side: str
    name: str
    country: str
    qid: str | None


class _SheetImport:
    """One import of one sheet: what its rows share (the city index, stored statuses and dates,
    the quads to write) and the chain each row goes through."""

    def __init__(self, store: ox.Store, sheet: Sheet, columns: Columns, calendar: str):
        self.store, self.sheet, self.columns, self.calendar = store, sheet, columns, calendar
        self.source = SourceFile.of(sheet.path)
        self.graph = graph_for(self.source)
        self.out = SpreadsheetOutcome(graph=self.graph.value)
        self.cities = CityIndex(store)
        self.statuses = {
            row["a"].value: row["s"].value for row in _union(store, f"SELECT ?a ?s {{ ?a <{CDO.status}> ?s }}")
        }
        query = f"SELECT ?a ?p ?d {{ VALUES ?p {{ <{CDO.startDate}> <{CDO.endDate}> }} ?a ?p ?d }}"
        self.dates = {(row["a"].value, row["p"].value): row["d"].value for row in _union(store, query)}
        # (s, p, o, g) tuples of shared terms, not ox.Quad (which copies its four IRIs: 5x the
        # memory); each quad once, the checks below never add one twice.
        self.quads: list[tuple] = []
        self.provenance: tuple[ox.NamedNode, ox.NamedNode] | None = None
        self.country_index = CountryIndex(store)
        self.cited: set[str] = set()  # the name lists (CLDR) a new country's names came from
        self.seen_pairs: set[str] = set()
        self.today = _dt.date.today().isoformat()

    def take(self, line: int, row: list[str]) -> None:
        if not any(cell.strip() for cell in row):
            return
        self.out.rows += 1
        checked = self.check_row(line, row)
        if checked is not None:
            resolved = self.resolve_sides(line, checked[0])
            if resolved is not None:
                self.write_agreement(line, resolved, checked[1])

    def skip(self, line: int, reason: str, detail: str) -> None:
        self.out.skipped[reason] += 1
        self.out.skipped_lines.append((line, f"{reason}: {detail}"))

    def check_row(self, line: int, row: list[str]) -> tuple[list[_Side], dict] | None:
        """The row's two sides and parsed dates, or None (skipped and reported)."""
        if len(row) != len(self.sheet.header):
            self.skip(line, "wrong number of fields", f"{len(row)} fields, the header has {len(self.sheet.header)}")
            self.out.report_rows.append((line, "", "", "", "skipped", "", "", "wrong number of fields"))
            return None
        cell = {name: row[i].strip() for name, i in self.sheet.index.items()}
        sides, problem = self._sides(cell)
        dates: dict = {}
        if problem is None:
            dates, problem = self._dates(cell)
        if problem is not None:
            self.skip(line, *problem)
            for side in sides:
                self.out.report_rows.append((line, side.side, side.name, side.country, "skipped", "", "", problem[0]))
            return None
        return sides, dates

    def _sides(self, cell: dict[str, str]) -> tuple[list[_Side], tuple[str, str] | None]:
        c = self.columns
        sides: list[_Side] = []
        for side, name_col, country_col, qid_col in (
            ("a", c.city_a, c.country_a, c.qid_a),
            ("b", c.city_b, c.country_b, c.qid_b),
        ):
            name, country, raw_qid = cell[name_col], cell[country_col], cell.get(qid_col, "") if qid_col else ""
            if raw_qid:
                match = _WD_URL.fullmatch(raw_qid)
                if not match:
                    return sides, ("bad QID", f"side {side}: {raw_qid!r} is not a Wikidata QID (Q123)")
                sides.append(_Side(side, name, country, match.group(1)))
            elif not name:
                return sides, ("missing city name", f"side {side}: column {name_col!r} is empty")
            elif not country:
                return sides, ("missing country", f"side {side}: column {country_col!r} is empty")
            else:
                sides.append(_Side(side, name, country, None))
        return sides, None

    def _dates(self, cell: dict[str, str]) -> tuple[dict, tuple[str, str] | None]:
        parsed = {}
        for prop, col in ((T.startDate, self.columns.start), (T.endDate, self.columns.end)):
            if col and cell[col]:
                try:
                    parsed[prop] = parse_date(cell[col], self.calendar)
                except DateError as exc:
                    return parsed, ("bad date", f"column {col!r}: {exc}")
        return parsed, None

    def resolve_sides(self, line: int, sides: list[_Side]) -> list[tuple[_Side, Resolution]] | None:
        """Each side's city (matched, created or ambiguous), reported; None if the row is skipped."""
        resolved = [(side, self._resolve(side)) for side in sides]
        ambiguous = [side for side, res in resolved if res.outcome == "ambiguous"]
        self_twin = not ambiguous and resolved[0][1].iri == resolved[1][1].iri
        for side, res in resolved:
            note = "; ".join(x for x in (res.note, "row skipped: self-twinning" if self_twin else "") if x)
            self.out.report_rows.append(
                (line, side.side, side.name, side.country, res.outcome, res.iri or "", " | ".join(res.candidates), note)
            )
            self.out.ambiguous += res.outcome == "ambiguous"
            self.out.matched += res.outcome == "matched"
        if ambiguous:
            which = ", ".join(f"{side.name!r} ({side.country})" for side in ambiguous)
            self.skip(line, "ambiguous city", f"{which}: several cities match; add a QID column (--qid-a/--qid-b)")
            return None
        if self_twin:
            self.skip(line, "self-twinning", f"both sides are {resolved[0][1].iri}")
            return None
        return resolved

    def _resolve(self, side: _Side) -> Resolution:
        if side.qid:
            iri = city_iri(side.qid).value
            return Resolution("matched" if iri in self.cities.known else "created", iri, note="by QID")
        return self.cities.resolve(side.name, side.country)

    def _provenance(self) -> tuple[ox.NamedNode, ox.NamedNode]:
        """The source and activity, added with the first agreement (a file with none adds nothing)."""
        if self.provenance is None:
            self.activity_was = activity_exists(self.store, activity_iri(self.source))
            label = f"import of {self.sheet.path.name} (spreadsheet)"
            quads, src, act = provenance_quads(self.store, [self.source], self.graph, label)
            self.quads += [(q.subject, q.predicate, q.object, q.graph_name) for q in quads]
            self.provenance = (src, act)
        return self.provenance

    def _create_city(self, side: _Side, res: Resolution) -> None:
        if res.outcome != "created" or res.iri in self.cities.known:
            return
        g = self.graph
        self.out.created += 1
        city = ox.NamedNode(res.resolved_iri())
        self.quads.append((city, T.type, T.City, g))
        if side.name:
            self.quads.append((city, T.label, ox.Literal(side.name), g))
        if side.country:
            self.quads.append((city, T.country, self._country(side.country), g))
        if side.qid:
            self.quads.append((city, T.wikidataItem, ox.NamedNode(f"{WD}{side.qid}"), g))
        self.cities.add(city.value, side.name or side.qid or "", side.country or "")

    def _country(self, name: str) -> ox.NamedNode:
        """The graph's country called *name*, else a new one named as written and, where CLDR
        knows the country, with CLDR's English and Persian names (citing CLDR)."""
        found = self.country_index.find(name)
        if found is not None:
            return ox.NamedNode(found)
        country, g = country_iri(slug(name)), self.graph
        self.quads += [(country, T.type, T.Country, g), (country, T.label, ox.Literal(name), g)]
        cldr = cldr_country(name)
        if cldr is not None:
            self.cited.add(CLDR)
            self.quads += [
                (country, T.label, ox.Literal(cldr.english, language="en"), g),
                (country, T.label, ox.Literal(cldr.persian, language="fa"), g),
                (country, T.source, name_source(CLDR), g),
            ]
        self.country_index.add(name, country.value)
        return country

    def write_agreement(self, line: int, resolved: list[tuple[_Side, Resolution]], dates: dict) -> None:
        """The agreement between the two resolved cities: exactly those two are its partners."""
        src, act = self._provenance()
        for side, res in resolved:
            self._create_city(side, res)
        partners = [ox.NamedNode(res.resolved_iri()) for _side, res in resolved]
        agreement = agreement_between(partners[0].value, partners[1].value)
        g = self.graph
        if agreement.value in self.seen_pairs or agreement.value in self.statuses:
            self.out.merged += 1
        else:
            self.out.imported += 1
        if agreement.value not in self.seen_pairs:
            self.seen_pairs.add(agreement.value)
            self.quads.append((agreement, T.type, T.TwinningAgreement, g))
            self.quads += [(agreement, T.partner, partner, g) for partner in partners]
            self.quads += [
                (agreement, p, o, g) for p, o in ((T.source, src), (T.wasDerivedFrom, src), (T.wasGeneratedBy, act))
            ]
        self._write_dates(line, agreement, dates)
        end = dates.get(T.endDate)
        status = T.StatusEnded if end and end[0] <= self.today else T.StatusUnknown
        if agreement.value not in self.statuses:
            self.quads.append((agreement, T.status, status, g))
            self.statuses[agreement.value] = status.value

    def _write_dates(self, line: int, agreement: ox.NamedNode, dates: dict) -> None:
        for prop, (lexical, datatype) in dates.items():
            stored = self.dates.get((agreement.value, prop.value))
            if stored is None:
                literal = ox.Literal(lexical, datatype=ox.NamedNode(datatype))
                self.quads.append((agreement, prop, literal, self.graph))
                self.dates[(agreement.value, prop.value)] = lexical
            elif stored != lexical:
                note = f"{prop.value.split('#')[-1]} {lexical} not added; the graph has {stored}"
                self.out.report_rows.append((line, "", "", "", "date conflict", agreement.value, "", note))

    def finish(self) -> SpreadsheetOutcome:
        """Write the quads after every row was read; count only those the store did not hold."""
        if self.provenance is None:
            return self.out
        cited = name_source_quads(self.cited, self.provenance[1], self.graph)
        self.quads += [(q.subject, q.predicate, q.object, q.graph_name) for q in cited]
        if not self.activity_was:
            ended = ox.Literal(_dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat(), datatype=T.dateTime)
            self.quads.append((self.provenance[1], T.endedAtTime, ended, self.graph))
        # bulk_extend in chunks skips the one big transaction that took most of the time and
        # memory; a failure while writing is completed by importing the same file again.
        for start in range(0, len(self.quads), WRITE_CHUNK):
            quads = (ox.Quad(*terms) for terms in self.quads[start : start + WRITE_CHUNK])
            fresh = [quad for quad in quads if quad not in self.store]
            self.store.bulk_extend(fresh)
            self.out.triples_added += len(fresh)
        self.quads = []
        self.store.flush()
        return self.out


def import_spreadsheet(
    store: ox.Store, path: Path, columns: Columns, calendar: str = "auto", delimiter: str | None = None
) -> SpreadsheetOutcome:
    """Read *path* (see ``read_sheet``) and import it (see ``import_sheet``)."""
    return import_sheet(store, read_sheet(path, columns, delimiter), columns, calendar)


def import_sheet(store: ox.Store, sheet: Sheet, columns: Columns, calendar: str = "auto") -> SpreadsheetOutcome:
    """Reconcile and import the rows of *sheet*; nothing is written when no row gives an agreement."""
    run = _SheetImport(store, sheet, columns, calendar)
    with progress(f"importing {sheet.path.name}", total=len(sheet.records)) as advance:
        for line, row in sheet.records:
            advance()
            run.take(line, row)
    return run.finish()
