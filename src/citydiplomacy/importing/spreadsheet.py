"""A researcher's spreadsheet of twinnings: reconcile names against the graph, then import.

Reconciliation (name + country, case-, accent- and punctuation-insensitive, see textnorm.fold):
1. a QID column, when given and filled, decides (``cdr:city/Q..``);
2. else the cities of the graph with a label equal to the name and a country equal to the
   country: exactly one -> matched; several -> ambiguous (row skipped, candidates reported);
3. else the cities with that label and no country in the graph (query.csv and relations.tsv
   give none): exactly one -> matched (noted), several -> ambiguous;
4. else a new city ``cdr:city/<name-slug>--<country-slug>`` is created (deterministic, so a
   second import of the same file matches it instead of creating another).

The spreadsheet states neither side, so its agreements get no ``cdo:statedBy``. Status:
``cdo:StatusEnded`` when the end date is not in the future, else ``cdo:StatusUnknown``.
"""

from __future__ import annotations

import csv
import datetime as _dt
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from citydiplomacy.errors import CitydipError
from citydiplomacy.importing.dates import DateError, parse_date
from citydiplomacy.importing.sources import QID_RE, SourceFile
from citydiplomacy.importing.textnorm import fold, slug
from citydiplomacy.importing.writer import (
    CITY,
    T,
    activity_exists,
    activity_iri,
    city_iri,
    count_triples,
    country_iri,
    graph_for,
    provenance_quads,
    twinning_iri,
)
from citydiplomacy.namespaces import CDO, WD
from citydiplomacy.output import progress
from rdflib.namespace import RDFS

_WD_URL = re.compile(r"(?:https?://www\.wikidata\.org/(?:entity|wiki)/)?(Q[1-9][0-9]*)")


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


class CityIndex:
    """Cities in the store by folded label, with the folded names of their countries."""

    def __init__(self, store: ox.Store):
        self.by_name: dict[str, set[str]] = {}
        self.countries: dict[str, set[str]] = {}
        self.display: dict[str, str] = {}
        self.known: set[str] = set()
        query = f"""
            SELECT ?c ?l ?k ?kl ?w WHERE {{
              ?c a <{CDO.City}> .
              OPTIONAL {{ ?c <{RDFS.label}> ?l }}
              OPTIONAL {{ ?c <{CDO.country}> ?k . OPTIONAL {{ ?k <{RDFS.label}> ?kl }} }}
              OPTIONAL {{ ?c <{CDO.wikidataItem}> ?w }}
            }}"""
        rows = list(store.query(query, use_default_graph_as_union=True))
        self.known = {row["c"].value for row in rows}
        # A city described elsewhere (e.g. the article's cdr:London) with cdo:wikidataItem wd:Q84
        # is the same as the imported cdr:city/Q84: collapse both to the Wikidata-keyed IRI.
        canonical: dict[str, str] = {}
        for row in rows:
            if row["w"] is not None and row["w"].value.startswith(str(WD)):
                target = CITY + row["w"].value[len(str(WD)):]
                if target in self.known:
                    canonical[row["c"].value] = target
        for row in rows:
            city = canonical.get(row["c"].value, row["c"].value)
            if row["l"] is not None:
                self.by_name.setdefault(fold(row["l"].value), set()).add(city)
                self.display.setdefault(city, row["l"].value)
            if row["k"] is not None:
                names = self.countries.setdefault(city, set())
                names.add(fold(row["k"].value.rsplit("/", 1)[-1].replace("-", " ")))
                if row["kl"] is not None:
                    names.add(fold(row["kl"].value))

    def describe(self, city: str) -> str:
        countries = sorted(self.countries.get(city, ())) or ["no country"]
        return f"{city} ({self.display.get(city, '')}; {countries[0]})"

    def add(self, city: str, name: str, country: str) -> None:
        self.known.add(city)
        self.by_name.setdefault(fold(name), set()).add(city)
        self.countries.setdefault(city, set()).add(fold(country))
        self.display.setdefault(city, name)

    def resolve(self, name: str, country: str) -> Resolution:
        candidates = self.by_name.get(fold(name), set())
        wanted = fold(country)
        same_country = sorted(c for c in candidates if wanted in self.countries.get(c, ()))
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


def _city_key(iri: str) -> str:
    return iri[len(CITY):]


def _sort_key(key: str):
    return (0, int(key[1:]), "") if QID_RE.fullmatch(key) else (1, 0, key)


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


def _sniff(path: Path, delimiter: str | None) -> str:
    if delimiter:
        return "\t" if delimiter in ("\\t", "TAB", "tab") else delimiter
    with open(path, newline="", encoding="utf-8-sig") as handle:
        sample = handle.read(8192)
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        return ","


def import_spreadsheet(
    store: ox.Store, path: Path, columns: Columns, calendar: str = "auto", delimiter: str | None = None
) -> SpreadsheetOutcome:
    source = SourceFile.of(path)
    graph = graph_for(source)
    sep = _sniff(path, delimiter)
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle, delimiter=sep)
            header = [h.strip() for h in next(reader, [])]
            missing = [(option, column) for option, column in columns.named() if column not in header]
            if missing:
                option, column = missing[0]
                raise CitydipError(
                    f"{path}: no column {column!r} (given to {option}); the file's columns are: "
                    + ", ".join(repr(h) for h in header)
                )
            index = {name: header.index(name) for _, name in columns.named()}
            records = [(reader.line_num, row) for row in reader]
    except UnicodeDecodeError as exc:
        raise CitydipError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start}); save it as UTF-8 CSV") from None
    except csv.Error as exc:
        raise CitydipError(f"{path}: not a readable CSV ({exc})") from None

    out = SpreadsheetOutcome(graph=graph.value)
    before = count_triples(store)
    cities = CityIndex(store)
    statuses = {
        row["a"].value: row["s"].value
        for row in store.query(
            f"SELECT ?a ?s WHERE {{ ?a <{CDO.status}> ?s }}", use_default_graph_as_union=True
        )
    }
    dates: dict[tuple[str, str], str] = {
        (row["a"].value, row["p"].value): row["d"].value
        for row in store.query(
            f"SELECT ?a ?p ?d WHERE {{ VALUES ?p {{ <{CDO.startDate}> <{CDO.endDate}> }} ?a ?p ?d }}",
            use_default_graph_as_union=True,
        )
    }
    act_was = activity_exists(store, activity_iri(source))
    quads, src, act = provenance_quads(store, [source], graph, f"import of {path.name} (spreadsheet)")
    Q, Lit = ox.Quad, ox.Literal
    seen_pairs: set[str] = set()
    today = _dt.date.today().isoformat()

    def skip(line: int, reason: str, detail: str) -> None:
        out.skipped[reason] += 1
        out.skipped_lines.append((line, f"{reason}: {detail}"))

    with progress(f"importing {path.name}", total=len(records)) as advance:
        for line, row in records:
            advance()
            if not any(cell.strip() for cell in row):
                continue
            out.rows += 1
            if len(row) != len(header):
                skip(line, "wrong number of fields", f"{len(row)} fields, the header has {len(header)}")
                out.report_rows.append((line, "", "", "", "skipped", "", "", "wrong number of fields"))
                continue
            cell = {name: row[i].strip() for name, i in index.items()}
            sides = []
            problem = None
            for side, name_col, country_col, qid_col in (
                ("a", columns.city_a, columns.country_a, columns.qid_a),
                ("b", columns.city_b, columns.country_b, columns.qid_b),
            ):
                name, country = cell[name_col], cell[country_col]
                qid = cell.get(qid_col, "") if qid_col else ""
                if qid:
                    match = _WD_URL.fullmatch(qid)
                    if not match:
                        problem = ("bad QID", f"side {side}: {qid!r} is not a Wikidata QID (Q123)")
                        break
                    sides.append((side, name, country, qid, match.group(1)))
                    continue
                if not name:
                    problem = ("missing city name", f"side {side}: column {name_col!r} is empty")
                    break
                if not country:
                    problem = ("missing country", f"side {side}: column {country_col!r} is empty")
                    break
                sides.append((side, name, country, qid, None))
            parsed_dates = {}
            if problem is None:
                for prop, col in ((T.startDate, columns.start), (T.endDate, columns.end)):
                    if col and cell[col]:
                        try:
                            parsed_dates[prop] = parse_date(cell[col], calendar)
                        except DateError as exc:
                            problem = ("bad date", f"column {col!r}: {exc}")
                            break
            if problem is not None:
                skip(line, *problem)
                for side in sides:
                    out.report_rows.append((line, side[0], side[1], side[2], "skipped", "", "", problem[0]))
                continue
            resolved = []
            for side, name, country, _raw, qid in sides:
                if qid:
                    iri = CITY + qid
                    res = Resolution("matched" if iri in cities.known else "created", iri, note="by QID")
                else:
                    res = cities.resolve(name, country)
                resolved.append((side, name, country, qid, res))
            ambiguous = any(res.outcome == "ambiguous" for *_, res in resolved)
            self_twin = not ambiguous and resolved[0][4].iri == resolved[1][4].iri
            for side, name, country, _qid, res in resolved:
                note = "; ".join(x for x in (res.note, "row skipped: self-twinning" if self_twin else "") if x)
                out.report_rows.append(
                    (line, side, name, country, res.outcome, res.iri or "", " | ".join(res.candidates), note)
                )
                if res.outcome == "ambiguous":
                    out.ambiguous += 1
                elif res.outcome == "matched":
                    out.matched += 1
            if ambiguous:
                which = ", ".join(f"{name!r} ({country})" for _s, name, country, _q, res in resolved if res.outcome == "ambiguous")
                skip(line, "ambiguous city", f"{which}: several cities match; add a QID column (--qid-a/--qid-b)")
                continue
            if self_twin:
                skip(line, "self-twinning", f"both sides are {resolved[0][4].iri}")
                continue
            for _side, name, country, qid, res in resolved:
                if res.outcome != "created" or res.iri in cities.known:
                    continue
                out.created += 1
                city = ox.NamedNode(res.iri)
                quads += [Q(city, T.type, T.City, graph)]
                if name:
                    quads.append(Q(city, T.label, Lit(name), graph))
                if country:
                    k = country_iri(slug(country))
                    quads += [
                        Q(city, T.country, k, graph),
                        Q(k, T.type, T.Country, graph),
                        Q(k, T.label, Lit(country), graph),
                    ]
                if qid:
                    quads.append(Q(city, T.wikidataItem, ox.NamedNode(f"{WD}{qid}"), graph))
                cities.add(res.iri, name or qid or "", country or "")
            key_a, key_b = sorted((_city_key(resolved[0][4].iri), _city_key(resolved[1][4].iri)), key=_sort_key)
            agreement = twinning_iri(key_a, key_b)
            if agreement.value in statuses or agreement.value in seen_pairs:
                out.merged += 1
            else:
                out.imported += 1
            seen_pairs.add(agreement.value)
            quads += [
                Q(agreement, T.type, T.TwinningAgreement, graph),
                Q(agreement, T.partner, city_iri(key_a), graph),
                Q(agreement, T.partner, city_iri(key_b), graph),
                Q(agreement, T.source, src, graph),
                Q(agreement, T.wasDerivedFrom, src, graph),
                Q(agreement, T.wasGeneratedBy, act, graph),
            ]
            for prop, (lexical, datatype) in parsed_dates.items():
                stored = dates.get((agreement.value, prop.value))
                if stored is None or stored == lexical:
                    quads.append(Q(agreement, prop, Lit(lexical, datatype=ox.NamedNode(datatype)), graph))
                    dates[(agreement.value, prop.value)] = lexical
                else:
                    out.report_rows.append(
                        (line, "", "", "", "date conflict", agreement.value, "", f"{prop.value.split('#')[-1]} {lexical} not added; the graph has {stored}")
                    )
            end = parsed_dates.get(T.endDate)
            status = T.StatusEnded if end and end[0] <= today else T.StatusUnknown
            stored = statuses.get(agreement.value)
            if stored is None or stored == status.value:
                quads.append(Q(agreement, T.status, status, graph))
                statuses[agreement.value] = status.value
    if not act_was:
        quads.append(Q(act, T.endedAtTime, Lit(_dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat(), datatype=T.dateTime), graph))
    store.extend(quads)
    store.flush()
    out.triples_added = count_triples(store) - before
    return out
