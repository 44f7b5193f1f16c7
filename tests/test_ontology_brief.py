"""Every term of BRIEF.md sections 1 to 7 is in the ontology with its English label exactly as the
brief writes it and its Persian label, a definition and a source.

The brief's tables and "English (Persian)" lists are parsed at test time from
../shared/domain/BRIEF.md; where the brief words a term as prose (the classification of international
organizations, state forms, forms of relations, factors, examples) the test lists the term's labels
itself, next to the brief's words it comes from."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
import rdflib
from rdflib import Literal
from rdflib.namespace import DCTERMS, RDFS, SKOS

from citydiplomacy.core.namespaces import CDO, CDR

BRIEF = Path(__file__).resolve().parent.parent.parent / "shared" / "domain" / "BRIEF.md"

# "English words (Persian words[; or : or ) ...]" after a start, comma, colon or semicolon
_PAIR = re.compile(r"(?:^|[,:;] |\| )([A-Za-z][A-Za-z' \-]*?) \(([^\x00-\x7f][^;:)]*?)\s*[;:)]")


def norm_fa(text: str) -> str:
    """Persian spelling variants the brief allows us to fix: ZWNJ, Arabic yeh/kaf, spacing, parenthetical notes."""
    text = re.sub(r"\([^)]*\)", "", text)
    text = text.split(" / ")[0]
    text = text.replace("\u200c", "").replace("\u200f", "").replace("ي", "ی").replace("ك", "ک")
    text = unicodedata.normalize("NFC", text)
    return " ".join(text.split())


def sections(text: str) -> dict[str, str]:
    parts = re.split(r"^## ", text, flags=re.M)
    return {p.split("\n", 1)[0].split(".")[0].strip(): p for p in parts[1:]}


def table_rows(section: str) -> list[list[str]]:
    rows = []
    for line in section.splitlines():
        if line.startswith("|") and not re.match(r"^\|[-| ]+\|$", line):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            rows.append(cells)
    return rows[1:] if rows else rows


def pairs(text: str) -> list[tuple[str, str]]:
    flat = " ".join(text.split())
    return [(en.strip(), fa.strip()) for en, fa in _PAIR.findall(flat)]


def _brief_terms() -> list[tuple[str, str, str]]:
    """(brief section, English label, Persian label) for every term the brief lists with both labels."""
    if not BRIEF.is_file():
        pytest.fail(f"{BRIEF} is missing: the test reads the domain brief from ../shared/domain")
    secs = sections(BRIEF.read_text(encoding="utf-8"))
    terms: list[tuple[str, str, str]] = []
    for key in ("1", "2"):
        for cells in table_rows(secs[key]):
            terms.append((key, cells[0], cells[1]))
    # §1: the two readings of "para"
    for en, fa in re.findall(r"\*\*([^*]+)\*\* \(([^;)]+)", secs["1"]):
        terms.append(("1", en, fa))
    # §3: the actors paragraph
    actors = secs["3"].split("\n\n")[0].split("\n", 1)[1]  # the paragraph under the heading
    terms += [("3", en, fa) for en, fa in pairs(actors)]
    # §4: the function lists and Table 1
    s4 = secs["4"]
    functions_text = s4.split("Six dimensions")[0]
    terms += [("4", en, fa) for en, fa in pairs(functions_text)]
    for cells in table_rows(s4):
        for cell in (cells[0], cells[2]):
            terms += [("4", en, fa) for en, fa in pairs(cell)]
        if " - " not in cells[1]:  # atomic function type; composites are links (see test_ontology_sparql)
            terms += [("4", en, fa) for en, fa in pairs(cells[1])]
    return terms


def _brief_text_activities() -> list[str]:
    secs = sections(BRIEF.read_text(encoding="utf-8"))
    text = " ".join(secs["4"].split("More activities named in the text:")[1].split())
    items = []
    for item in text.rstrip(".").split(";"):
        item = re.sub(r"\([^)]*\)", "", item).strip().rstrip(".")
        items.append(" ".join(item.split()))
    return items


# Terms the brief gives in prose: (brief section, the brief's words, our English label, our Persian label)
PROSE_TERMS = [
    ("2", "Figure 1 ... each pair a transition", "transition", "گذار"),
    ("3", "**private** (firms with shareholders)", "private international organization", "سازمان بین‌المللی خصوصی"),
    ("3", "**non-private** (multinational memberships, no shareholders)", "non-private international organization", "سازمان بین‌المللی غیرخصوصی"),
    ("3", "**financial** (مالی)", "financial international organization", "سازمان بین‌المللی مالی"),
    ("3", "**productive** (تولیدی)", "productive international organization", "سازمان بین‌المللی تولیدی"),
    ("3", "**technical and advisory assistance** (کمک‌های فنی و مشاوره‌ای)", "technical and advisory assistance organization", "سازمان کمک‌های فنی و مشاوره‌ای"),
    ("3", "some are mainly cooperative", "cooperative international organization", "سازمان بین‌المللی همکاری‌محور"),
    ("3", "unitary state (دولت تک‌بافت / بسیط", "unitary state", "دولت تک‌بافت"),
    ("3", "federal state (دولت فدرال / چندپارچه", "federal state", "دولت فدرال"),
    ("3", "Moving from unitary to federal widens cities' international role", "wide international role of cities", "نقش بین‌المللی پررنگ شهرها"),
    ("4", "Functions of city diplomacy", "diplomatic function", "کارکرد دیپلماتیک"),
    ("4", "Six dimensions of city diplomacy", "dimension of city diplomacy", "بعد دیپلماسی شهری"),
    ("4", "cultural (فرهنگی), in the composite cells of Table 1", "cultural", "فرهنگی"),
    ("5", "**Twinning / sister cities** (خواهرخواندگی)", "twinning", "خواهرخواندگی"),
    ("5", "**Municipal international cooperation** (مشارکت‌های بین‌المللی شهرداری‌ها)", "municipal international cooperation", "مشارکت‌های بین‌المللی شهرداری‌ها"),
    ("5", "**City network membership**", "city network membership", "عضویت در شبکه شهرها"),
    ("5", "**Relations through international development organizations**", "relations through international development organizations", "ارتباط از طریق سازمان‌های توسعه بین‌المللی"),
    ("5", "**central-government involvement**", "central-government involvement", "نوع دخالت حکومت مرکزی"),
    ("5", "**level/formality**", "level and formality of relations", "سطح ارتباطات"),
    ("6", "Four factors", "factor behind city diplomacy", "عامل پیدایش دیپلماسی شهری"),
    ("6", "the inadequacy of the tools of national diplomacy for keeping peace", "inadequacy of the tools of national diplomacy for keeping peace", "ناکافی بودن ابزارهای سنتی دیپلماسی ملی برای حفظ صلح و آرامش"),
    ("6", "the separation between development and de-escalation in transnational relations", "separation between development and de-escalation in transnational relations", "جدایی میان توسعه و تنش‌زدایی در مناسبات فراملی"),
    ("6", "the recognition of the wide activity between cities", "recognition of the wide activity between cities", "به رسمیت شناختن فعالیت‌های وسیع در حوزه ارتباطات میان شهرها"),
    ("6", "awareness that globalization, as a dynamic flow, changes ...", "awareness that globalization, as a dynamic flow, changes the social, political, human and demographic make-up of cities", "آگاهی از دگرگونی صورت‌بندی‌های اجتماعی و سیاسی شهرها بر اثر جهانی‌سازی"),
    ("6", "Drivers of cities' international role", "driver of cities' international role", "عامل مؤثر بر نقش بین‌المللی شهرها"),
    ("6", "ICT and technological innovation", "ICT and technological innovation", "ابداعات فناورانه و فناوری‌های اطلاعات و ارتباطات"),
    ("6", "informationalism", "informationalism", "اطلاعات‌گرایی"),
    ("6", "central governments' slowness and rigidity before globalization", "central governments' slowness and rigidity before globalization", "ناتوانی حکومت‌های مرکزی در پاسخگویی سریع به الزامات جهانی شدن و انعطاف‌ناپذیری آن‌ها"),
    ("6", "gains from bilateral ties", "gains from bilateral ties", "بهره‌مندی از مواهب ارتباطات دوجانبه"),
    ("6", "structural adjustment, the Reagan and Thatcher era and New Right policies", "structural adjustment and New Right policies", "سیاست‌های تعدیل ساختاری و راست نو"),
    ("6", "competition between cities", "competition between cities", "رقابت میان شهرها"),
    ("6", "devolution", "devolution", "واگذاری اختیارات"),
    ("6", "the weakening of the territorial state", "weakening of the territorial state", "تضعیف مفهوم دولت سرزمینی"),
    ("6", "international organizations and multinational firms", "international organizations and multinational firms", "سازمان‌های بین‌المللی و شرکت‌های چندملیتی"),
    ("6", "Opponents' arguments (Bilder 1989)", "opponents' argument against cities' international role", "استدلال مخالفان نقش‌آفرینی شهرها"),
    ("6", "no legitimacy in foreign affairs", "no legitimacy in foreign affairs", "نداشتن مشروعیت در زمینه روابط بین‌الملل"),
    ("6", "not representing the whole people", "not representing the whole people", "نماینده نبودن از سوی همه مردم"),
    ("6", "a many-voiced foreign policy", "many-voiced foreign policy", "چندصدایی شدن سیاست خارجی"),
    ("6", "risks", "risks of local action abroad", "خطرها و تبعات منفی عملکرد بازیگران غیرمرکزی در کشورهای دیگر"),
    ("6", "less bargaining power for the centre", "less bargaining power for the centre", "کاهش قدرت چانه‌زنی سیاسی دولت مرکزی"),
    ("6", "harm to the country's image", "harm to the country's image", "تخریب چهره کشور"),
    ("6", "lack of information and expertise", "lack of information and expertise", "نداشتن اطلاعات و تخصص لازم"),
]

# BRIEF §7: the named examples, in ontology/examples.ttl (cdr: individuals)
EXAMPLES = [
    ("WorldAssemblyOfCitiesAndLocalAuthorities1996", "World Assembly of Cities and Local Authorities (Istanbul, 1996)", "مجمع جهانی شهرها و مقامات محلی (استانبول، ۱۹۹۶)"),
    ("MayorsForPeace", "Mayors for Peace", "شهرداران برای صلح"),
    ("CitiesForPeace", "Cities for Peace", "شهرها برای صلح"),
    ("UCLG", "United Cities and Local Governments", "شهرها و حکومت‌های محلی متحد"),
    ("Eurocities", "Eurocities", "یوروسیتیز"),
    ("M4", "M4 group of megacities", "گروه M4 ابرشهرها"),
    ("city/Q64", "Berlin", "برلین"), ("city/Q90", "Paris", "پاریس"), ("city/Q649", "Moscow", "مسکو"), ("city/Q84", "London", "لندن"),
    ("city/Q36600", "The Hague", "لاهه"), ("city/Q612", "Dubai", "دبی"),
    ("LosAngeles1984OlympicsHosting", "Los Angeles hosting the 1984 Olympics", "میزبانی المپیک ۱۹۸۴ توسط لس‌آنجلس"),
    ("London2012OlympicsHosting", "London hosting the 2012 Olympics", "میزبانی المپیک ۲۰۱۲ توسط لندن"),
    ("city/Q60", "New York", "نیویورک"), ("city/Q1297", "Chicago", "شیکاگو"),
    ("USStatesTradeOfficesAbroad", "trade and investment offices of US states abroad", "دفاتر تجاری و سرمایه‌گذاری ایالت‌های آمریکا در دیگر کشورها"),
    ("EuropeanUnion", "European Union", "اتحادیه اروپا"), ("EuropeanCommission", "European Commission", "کمیسیون اروپا"),
    ("EuropeanParliament", "European Parliament", "پارلمان اروپا"),
    ("WorldBank", "World Bank", "بانک جهانی"), ("WorldTradeOrganization", "World Trade Organization", "سازمان تجارت جهانی"),
    ("InternationalMonetaryFund", "International Monetary Fund", "صندوق بین‌المللی پول"),
    ("UnitedNations", "United Nations", "سازمان ملل متحد"), ("UNHabitat", "UN-Habitat", "کمیته اسکان بشر"),
    ("PeaceOfWestphalia", "Peace of Westphalia", "معاهده صلح وستفالی"),
]


@pytest.fixture(scope="module")
def graph(ontology_and_examples) -> rdflib.Graph:
    return ontology_and_examples


def _term_with_label(graph, en: str):
    found = [s for s in graph.subjects(RDFS.label, Literal(en, lang="en")) if str(s).startswith(str(CDO))]
    assert len(found) == 1, f"{len(found)} terms with the English label {en!r}"
    return found[0]


def _check(graph, term, en, fa):
    fa_labels = [l for l in graph.objects(term, RDFS.label) if l.language == "fa"]
    assert len(fa_labels) == 1, f"{term}: {len(fa_labels)} Persian labels"
    assert norm_fa(str(fa_labels[0])) == norm_fa(fa), f"{en!r}: Persian label {fa_labels[0]!r}, the brief says {fa!r}"
    assert any(d.language == "en" for d in graph.objects(term, SKOS.definition)), f"{en!r} has no English definition"
    assert (term, DCTERMS.source, None) in graph, f"{en!r} has no dcterms:source"


def test_the_brief_parses_into_enough_terms():
    terms = _brief_terms()
    per_section = {k: sum(1 for s, _, _ in terms if s == k) for k in ("1", "2", "3", "4")}
    assert per_section["1"] >= 10 and per_section["2"] >= 16 and per_section["3"] >= 21 and per_section["4"] >= 35, per_section


@pytest.mark.parametrize("section,en,fa", _brief_terms() if BRIEF.is_file() else [], ids=lambda v: v if isinstance(v, str) and v.isascii() else "")
def test_brief_term_is_in_the_ontology(graph, section, en, fa):
    _check(graph, _term_with_label(graph, en), en, fa)


@pytest.mark.parametrize("section,brief_words,en,fa", PROSE_TERMS, ids=[t[2] for t in PROSE_TERMS])
def test_brief_prose_term_is_in_the_ontology(graph, section, brief_words, en, fa):
    _check(graph, _term_with_label(graph, en), en, fa)


def test_activities_named_in_the_text(graph):
    items = _brief_text_activities()
    assert len(items) == 13, items
    for item in items:
        term = _term_with_label(graph, item)
        assert (term, rdflib.RDF.type, CDO.ActivityType) in graph, item
        assert any(l.language == "fa" for l in graph.objects(term, RDFS.label)), item


@pytest.mark.parametrize("name,en,fa", EXAMPLES, ids=[e[0] for e in EXAMPLES])
def test_brief_section_7_example(graph, name, en, fa):
    node = CDR[name]
    assert Literal(en, lang="en") in set(graph.objects(node, RDFS.label)), name
    assert norm_fa(str(next(l for l in graph.objects(node, RDFS.label) if l.language == "fa"))) == norm_fa(fa)
    assert (node, DCTERMS.source, None) in graph and (node, rdflib.RDF.type, None) in graph
