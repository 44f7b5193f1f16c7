"""Parsers for the three shared Wikidata P190 extracts, into plain Python records.

Parsing is kept apart from RDF so the rules (which population wins, what is a malformed
row, which side stated a pair) are explicit and testable, and so the hot path builds
pyoxigraph terms once from clean records.

Files are read with libraries: ``csv`` for query.csv and the TSVs, ``xml.etree`` (via
networkx's GEXF reader conventions, but streaming) for the GEXF.
"""

from __future__ import annotations

import csv
import hashlib
import re
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from citydiplomacy.core.errors import CitydipError

FORMATS = ("gexf", "ursino-csv", "l3viathan-tsv")

QID_RE = re.compile(r"Q[1-9][0-9]*")
ENTITY_RE = re.compile(r"https?://www\.wikidata\.org/entity/(Q[1-9][0-9]*)")
POINT_RE = re.compile(
    r"\s*Point\(\s*([-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)\s+([-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)\s*\)\s*",
    re.IGNORECASE,
)
URSINO_HEADER = [
    "city",
    "cityLabel",
    "city_population",
    "city_coordinate_location",
    "sister",
    "sisterLabel",
    "sister_population",
    "sister_coordinate_location",
]
# The header of ClimActor's subnational_contextuals_database (see importing/climactor.py).
CLIMACTOR_HEADER = [
    "name",
    "iso",
    "entity_type",
    "country",
    "area",
    "num_commit",
    "lat",
    "lng",
    "population",
    "population_year",
    "state",
    "admin_1",
    "initiatives_committed",
    "region",
]

# Files whose origin the shared data README documents, recognised by their SHA-256, so the
# provenance records repository and commit only when the bytes are the documented ones.
KNOWN_SOURCES: dict[str, dict[str, str]] = {
    "50447146bd4a1b0954797bad081fae0a728ec3bdf7d99ba4cdf719e9c8728762": {
        "key": "ursino2021-query",
        "repository": "https://github.com/albertoursino/graphs-comparison",
        "commit": "33944e0df8f45473b257f1494d7eb708d74b85e5",
        "path": "query.csv",
    },
    "2a38f4633a90f9fb7ce5d1d23187911b37a58e054eff1cba84996bc4f006b7e0": {
        "key": "ursino2021-gexf",
        "repository": "https://github.com/albertoursino/graphs-comparison",
        "commit": "e6e3612b47cf10ec4e284a66044dad0ddf412b85",
        "path": "sister_cities.gexf",
    },
    "97a24bcf23989728ecfbecb20322237a8800836709931fb750ae92e372294154": {
        "key": "l3viathan2016-relations",
        "repository": "https://github.com/L3viathan/sister-cities",
        "commit": "d3028c22c7e47f18947eb39a41c13e4f2751342e",
        "path": "relations.tsv",
    },
    "d5ad88d76226e093d721bdb7e229f34cefa438366e2bf023eb2f786e91e26e97": {
        "key": "climactor-hsu2020",
        "repository": "https://github.com/datadrivenenvirolab/ClimActor",
        "commit": "2b0fb66c8a414bc17ff20232b98b6511eb42cca8",
        "path": "data-raw/subnational_contextuals_database_Dec2022.csv",
    },
    "d088a22ad6ea7bcca7301a0dbc8698b90e86aec1bb576edab9fb83e85fff0a04": {
        "key": "l3viathan2016-names",
        "repository": "https://github.com/L3viathan/sister-cities",
        "commit": "d3028c22c7e47f18947eb39a41c13e4f2751342e",
        "path": "names.tsv",
    },
}


def qid_number(qid: str) -> int:
    """The number of a QID, to sort QIDs as Wikidata numbers them."""
    return int(qid[1:])


def pair_key(a: str, b: str) -> tuple[str, str]:
    """The unordered pair of two QIDs, sorted numerically (Q2 before Q10)."""
    return (a, b) if qid_number(a) <= qid_number(b) else (b, a)


@dataclass
class SourceFile:
    """One file as a provenance entity: its path, hash and (if documented) origin."""

    path: Path
    sha256: str
    origin: dict[str, str] | None

    @property
    def key(self) -> str:
        """A short name of the source: the documented one, else from the hash."""
        return self.origin["key"] if self.origin else f"sha256-{self.sha256[:16]}"

    @classmethod
    def of(cls, path: Path) -> SourceFile:
        """The file at *path*, hashed in chunks; its origin if the hash is a documented one."""
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        sha = digest.hexdigest()
        return cls(path=path, sha256=sha, origin=KNOWN_SOURCES.get(sha))


@dataclass
class CityRecord:
    """What a source says about one city; several values are kept until the writer picks one."""

    qid: str
    labels: set[tuple[str, str | None]] = field(default_factory=set)  # (text, language tag or None)
    populations: list[int] = field(default_factory=list)
    points: list[tuple[str, str]] = field(default_factory=list)  # (lon, lat) as written
    country: str | None = None

    @property
    def population(self) -> int | None:
        """Several values (rows repeat in query.csv): the largest, a deterministic choice."""
        return max(self.populations) if self.populations else None

    @property
    def wkt(self) -> str | None:
        """Several coordinates: the first in file order."""
        if not self.points:
            return None
        lon, lat = self.points[0]
        return f"POINT({lon} {lat})"


@dataclass
class Issue:
    """A row or value that was skipped or changed, with its line when the source has lines."""

    line: int | None
    kind: str
    message: str


@dataclass
class Parsed:
    """What one source says: cities, unordered pairs with the sides that state them, issues."""

    fmt: str
    files: list[SourceFile]
    cities: dict[str, CityRecord] = field(default_factory=dict)
    pairs: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    directed: bool = True
    rows: int = 0
    rows_new_pair: int = 0  # rows that introduced a pair not seen earlier in the file
    rows_repeat: int = 0  # rows whose pair an earlier row already gave (other side or duplicate)
    self_loops: dict[str, int] = field(default_factory=dict)
    skipped: Counter = field(default_factory=Counter)  # reason -> rows
    issues: list[Issue] = field(default_factory=list)

    def city(self, qid: str) -> CityRecord:
        """The record of *qid*, created at first mention."""
        record = self.cities.get(qid)
        if record is None:
            record = self.cities[qid] = CityRecord(qid)
        return record

    def add_pair(self, a: str, b: str, stated_by: str | None, line: int | None) -> None:
        """Record the unordered pair and the side that states it; a self-twinning is skipped and reported."""
        if a == b:
            self.self_loops[a] = self.self_loops.get(a, 0) + 1
            self.skipped["self-twinning"] += 1
            self.issues.append(Issue(line, "self-twinning", f"{a} twinned with itself; not imported"))
            return
        key = pair_key(a, b)
        sides = self.pairs.get(key)
        if sides is None:
            sides = self.pairs[key] = set()
            self.rows_new_pair += 1
        else:
            self.rows_repeat += 1
        if stated_by:
            sides.add(stated_by)

    def skip(self, line: int | None, reason: str, detail: str) -> None:
        """Count a skipped row under *reason* and report it."""
        self.skipped[reason] += 1
        self.issues.append(Issue(line, reason, detail))

    def multi_value_report(self) -> list[Issue]:
        """Cities for which the source gives several populations or coordinates, and what was kept."""
        found = []
        for qid, record in sorted(self.cities.items(), key=lambda kv: qid_number(kv[0])):
            if len(set(record.populations)) > 1:
                found.append(
                    Issue(
                        None,
                        "several populations",
                        f"{qid}: {sorted(set(record.populations))} -> kept {record.population}",
                    )
                )
            if len(set(record.points)) > 1:
                found.append(
                    Issue(None, "several coordinates", f"{qid}: {len(set(record.points))} points -> kept {record.wkt}")
                )
        return found


# ---------------------------------------------------------------- format detection


def detect_format(path: Path) -> str:
    """Tell the format from the first bytes: GEXF XML, query.csv's header, or QID<TAB>... lines."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(4096)
    except OSError as exc:
        raise CitydipError(f"{path}: cannot read ({exc.strerror or exc})") from None
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    if "<gexf" in text:
        return "gexf"
    first = text.splitlines()[0] if text.splitlines() else ""
    if first.split(",")[:2] == ["city", "cityLabel"]:
        return "ursino-csv"
    if [cell.strip().strip('"') for cell in first.split(",")] == CLIMACTOR_HEADER:
        return "climactor"
    cells = first.split("\t")
    if len(cells) == 2 and QID_RE.fullmatch(cells[0].strip()):
        return "l3viathan-names" if not QID_RE.fullmatch(cells[1].strip()) else "l3viathan-tsv"
    raise CitydipError(
        f"{path}: cannot tell the format (not GEXF, not query.csv's header, not QID<TAB>QID lines, not ClimActor's header); "
        f"name it with --format {'|'.join(FORMATS)}, or use `citydip import csv` for a spreadsheet"
    )


# ---------------------------------------------------------------- query.csv (ursino 2021)


def parse_ursino_csv(path: Path) -> Parsed:
    """query.csv: directed rows (subject item states P190), Italian-ish labels without a tag."""
    parsed = Parsed("ursino-csv", [SourceFile.of(path)])
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None or [h.strip() for h in header] != URSINO_HEADER:
            raise CitydipError(
                f"{path}:1: expected the header {','.join(URSINO_HEADER)}; found {','.join(header or [])}"
            )
        for row in reader:
            _read_ursino_row(parsed, row, reader.line_num)
    parsed.issues.extend(parsed.multi_value_report())
    return parsed


def _read_ursino_row(parsed: Parsed, row: list[str], line: int) -> None:
    """One query.csv row: the two cities (item, label, population, point each) and the pair the first states."""
    parsed.rows += 1
    if len(row) != len(URSINO_HEADER):
        parsed.skip(line, "wrong number of fields", f"line {line}: {len(row)} fields, expected {len(URSINO_HEADER)}")
        return
    qids = []
    for iri in (row[0], row[4]):
        match = ENTITY_RE.fullmatch(iri.strip())
        qids.append(match.group(1) if match else None)
    first, second = qids
    if first is None or second is None:
        parsed.skip(line, "not a Wikidata item", f"line {line}: {row[0]!r} / {row[4]!r} is not a Wikidata entity IRI")
        return
    for qid, label, population, point in ((first, *row[1:4]), (second, *row[5:8])):
        record = parsed.city(qid)
        _add_label(record, label, None)
        _add_population(parsed, record, population, line, f"line {line}: {{qid}} population {{value}} ignored")
        if point.strip():
            match = POINT_RE.fullmatch(point)
            if match:
                record.points.append((match.group(1), match.group(2)))
            else:
                parsed.issues.append(Issue(line, "bad coordinates", f"line {line}: {qid} {point!r} ignored"))
    parsed.add_pair(first, second, first, line)


def _add_label(record: CityRecord, label: str, lang: str | None) -> None:
    """Keep a label unless it is empty or only repeats the QID (the sources write the QID for no label)."""
    label = label.strip()
    if label and label != record.qid:
        record.labels.add((label, lang))


def _add_population(parsed: Parsed, record: CityRecord, text: str, line: int | None, message: str) -> None:
    """Keep a population written as digits; anything else is reported (*message* formatted with the
    city's ``qid`` and the ``value``, each source saying where) and ignored."""
    text = text.strip()
    if not text:
        return
    if text.isdigit():
        record.populations.append(int(text))
    else:
        parsed.issues.append(Issue(line, "non-integer population", message.format(qid=record.qid, value=repr(text))))


# ---------------------------------------------------------------- GEXF (ursino 2021)


def parse_gexf(path: Path) -> Parsed:
    """GEXF 1.2: English labels, country names, undirected edges (no side recorded as stating).

    ``rows`` counts edges (the statements); nodes only describe cities.
    """
    parsed = Parsed("gexf", [SourceFile.of(path)], directed=False)
    graph, q = _gexf_graph(path)
    titles = {}
    for attributes in graph.findall(q("attributes")):
        if attributes.get("class", "node") == "node":
            for attribute in attributes.findall(q("attribute")):
                titles[attribute.get("id")] = attribute.get("title")
    nodes = graph.find(q("nodes"))
    for node in nodes.iter(q("node")) if nodes is not None else ():
        _read_gexf_node(parsed, node, titles, q)
    edges = graph.find(q("edges"))
    for edge in edges.iter(q("edge")) if edges is not None else ():
        _read_gexf_edge(parsed, edge)
    parsed.issues.extend(parsed.multi_value_report())
    return parsed


def _gexf_graph(path: Path):
    """The <graph> element of the GEXF file, and a function that puts a tag in the file's namespace."""
    try:
        tree = ET.parse(path)
    except ET.ParseError as exc:
        line, col = exc.position
        raise CitydipError(
            f"{path}:{line}:{col}: not well-formed GEXF XML ({exc.msg if hasattr(exc, 'msg') else exc})"
        ) from None
    root = tree.getroot()
    ns = root.tag[1:].split("}")[0] if root.tag.startswith("{") else ""
    q = (lambda tag: f"{{{ns}}}{tag}") if ns else (lambda tag: tag)
    graph = root.find(q("graph"))
    if graph is None:
        raise CitydipError(f"{path}: GEXF without a <graph> element")
    return graph, q


def _read_gexf_node(parsed: Parsed, node, titles: dict, q) -> None:
    """One <node>: a city with its English label and the pop, lon, lat and country attributes."""
    qid = (node.get("id") or "").strip()
    if not QID_RE.fullmatch(qid):
        parsed.skip(None, "not a Wikidata item", f"node id {qid!r} is not a QID")
        return
    record = parsed.city(qid)
    _add_label(record, node.get("label") or "", "en")
    values = {}
    for attvalue in node.iter(q("attvalue")):
        values[titles.get(attvalue.get("for"), attvalue.get("for"))] = attvalue.get("value")
    _add_population(parsed, record, values.get("pop") or "", None, "{qid}: population {value} ignored")
    lon, lat = (values.get("lon") or "").strip(), (values.get("lat") or "").strip()
    if lon and lat:
        try:
            float(lon), float(lat)
            record.points.append((lon, lat))
        except ValueError:
            parsed.issues.append(Issue(None, "bad coordinates", f"{qid}: lon {lon!r} lat {lat!r} ignored"))
    country = (values.get("country") or "").strip()
    if country:
        record.country = country


def _read_gexf_edge(parsed: Parsed, edge) -> None:
    """One <edge>: an undirected pair of cities, stated by neither side."""
    parsed.rows += 1
    a, b = (edge.get("source") or "").strip(), (edge.get("target") or "").strip()
    if not (QID_RE.fullmatch(a) and QID_RE.fullmatch(b)):
        parsed.skip(None, "not a Wikidata item", f"edge {edge.get('id')}: {a!r} - {b!r}")
        return
    if a not in parsed.cities or b not in parsed.cities:
        parsed.city(a), parsed.city(b)
    parsed.add_pair(a, b, None, None)


# ---------------------------------------------------------------- relations.tsv + names.tsv (L3viathan 2016)


def parse_names_tsv(path: Path) -> tuple[SourceFile, dict[str, str], list[Issue]]:
    """names.tsv: QID<TAB>name lines; the first name of a QID is kept, malformed lines are reported."""
    labels: dict[str, str] = {}
    issues: list[Issue] = []
    for line, row in _tsv_rows(path):
        if len(row) != 2 or not QID_RE.fullmatch(row[0].strip()) or not row[1].strip():
            issues.append(Issue(line, "malformed name row", f"{path.name} line {line}: {row!r}"))
            continue
        labels.setdefault(row[0].strip(), row[1].strip())
    return SourceFile.of(path), labels, issues


def _tsv_rows(path: Path):
    """(line number, cells) of a tab-separated file read as is: the L3viathan files quote nothing."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        for row in reader:
            yield reader.line_num, row


def parse_l3viathan(path: Path, names: Path | None) -> Parsed:
    """relations.tsv: directed rows subject<TAB>object; names.tsv (if any) gives untagged labels."""
    parsed = Parsed("l3viathan-tsv", [SourceFile.of(path)])
    for line, row in _tsv_rows(path):
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        parsed.rows += 1
        if len(row) != 2:
            parsed.skip(line, "wrong number of fields", f"line {line}: {len(row)} fields, expected 2")
            continue
        a, b = row[0].strip(), row[1].strip()
        if not (QID_RE.fullmatch(a) and QID_RE.fullmatch(b)):
            parsed.skip(line, "not a Wikidata item", f"line {line}: {a!r} / {b!r} is not a QID")
            continue
        parsed.city(a), parsed.city(b)
        parsed.add_pair(a, b, a, line)
    if names is not None:
        names_file, labels, issues = parse_names_tsv(names)
        parsed.files.append(names_file)
        parsed.issues.extend(issues)
        for qid, label in labels.items():
            if qid in parsed.cities:
                parsed.cities[qid].labels.add((label, None))
    return parsed


def parse(path: Path, fmt: str, names: Path | None = None) -> Parsed:
    """Parse *path* as *fmt*; unreadable bytes become one ``Error:`` line (exit 2)."""
    readers = {"gexf": parse_gexf, "ursino-csv": parse_ursino_csv}
    try:
        if fmt in readers:
            return readers[fmt](path)
        if fmt == "l3viathan-tsv":
            return parse_l3viathan(path, names)
    except UnicodeDecodeError as exc:
        raise CitydipError(
            f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start}); is it the right file?"
        ) from None
    except csv.Error as exc:
        raise CitydipError(f"{path}: not readable as {fmt} ({exc})") from None
    except OSError as exc:
        raise CitydipError(f"{path}: cannot read ({exc.strerror or exc})") from None
    raise CitydipError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")


def distinct_pairs(parsed: Parsed) -> int:
    """How many distinct unordered pairs the source gives."""
    return len(parsed.pairs)


def stated_sides(parsed: Parsed) -> Counter:
    """How many pairs are stated by one side, by both, or by none (undirected sources)."""
    return Counter(len(sides) for sides in parsed.pairs.values())


__all__ = ["FORMATS", "Parsed", "CityRecord", "SourceFile", "Issue", "detect_format", "parse", "pair_key"]
