"""Country names from Unicode CLDR, through Babel: one country, whether named in English, in
Persian or by its ISO 3166 code, and its Persian name for the imported graph.

CLDR's English names and Wikidata's (the GEXF's country attribute) differ for a few countries
(``United States of America``, ``Türkiye``); ``WIKIDATA_NAMES`` maps those to their code.
Historic and disputed entities of the data (Kingdom of Romania, Gaza Strip, Somaliland) have no
code here, so they get no CLDR name rather than a wrong one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import babel
from babel import Locale
from babel.core import get_cldr_version, get_global

from citydiplomacy.services.importing.textnorm import fold

CLDR_HOME = "https://cldr.unicode.org/"

# Two-letter CLDR codes that name groupings, not countries (European Union, United Nations ...).
NOT_COUNTRIES = frozenset({"EU", "EZ", "QO", "UN", "XA", "XB", "ZZ"})

# Wikidata's English names (as the shared GEXF writes them) that CLDR spells otherwise.
WIKIDATA_NAMES = {
    "United States of America": "US",
    "People's Republic of China": "CN",
    "Republic of Ireland": "IE",
    "Czech Republic": "CZ",
    "Democratic Republic of the Congo": "CD",
    "Republic of the Congo": "CG",
    "Myanmar": "MM",
    "The Bahamas": "BS",
    "The Gambia": "GM",
    "Turkey": "TR",
    "State of Palestine": "PS",
    "Palestinian National Authority": "PS",
}

_SAINT = re.compile(r"\bsaint\b")


def name_key(name: str) -> str:
    """A country name as compared: folded, '&' read as 'and', 'Saint' as CLDR's 'St.'."""
    return _SAINT.sub("st", fold(name.replace("&", " and ")))


@dataclass(frozen=True)
class CountryNames:
    """What CLDR calls the country with ISO code *code*, in English and in Persian."""

    code: str
    english: str
    persian: str


@lru_cache(maxsize=1)
def _by_code() -> dict[str, CountryNames]:
    """Every CLDR country by ISO code (loaded once: Babel reads its locale data from disk)."""
    english, persian = Locale("en").territories, Locale("fa").territories
    return {
        code: CountryNames(code, english[code], persian[code])
        for code in english
        if isinstance(code, str) and len(code) == 2 and code.isalpha() and code not in NOT_COUNTRIES and code in persian
    }


@lru_cache(maxsize=1)
def _by_key() -> dict[str, str]:
    """Name key -> ISO code, from CLDR's English and Persian names, the codes and Wikidata's names."""
    index: dict[str, str] = {}
    for code, names in _by_code().items():
        for name in (code, names.english, names.persian):
            index.setdefault(name_key(name), code)
    for name, code in WIKIDATA_NAMES.items():
        index[name_key(name)] = code
    return index


def lookup(name: str) -> CountryNames | None:
    """The CLDR names of the country called *name* (English, Persian, Wikidata's or ISO code)."""
    code = _by_key().get(name_key(name))
    return _by_code()[code] if code else None


def alpha2_of_alpha3(code: str) -> str | None:
    """The two-letter code of an ISO 3166-1 alpha-3 code (``IRN`` -> ``IR``), from CLDR's aliases; None if unknown."""
    aliases = get_global("territory_aliases").get(code.upper())
    if not aliases or len(aliases[0]) != 2 or aliases[0] not in _by_code():
        return None
    return str(aliases[0])


def persian_name(name: str) -> str | None:
    """CLDR's Persian name of the country called *name*, or None where CLDR does not know it."""
    found = lookup(name)
    return found.persian if found else None


@lru_cache(maxsize=1 << 12)
def same_country_keys(name: str) -> frozenset[str]:
    """Every name key of the country called *name*: so 'ایران', 'Iran' and 'IR' meet.

    Cached: a spreadsheet and the graph name the same few hundred countries many times.
    """
    found = lookup(name)
    keys = {name_key(name)}
    if found:
        keys |= {name_key(found.code), name_key(found.english), name_key(found.persian)}
        keys |= {name_key(alias) for alias, code in WIKIDATA_NAMES.items() if code == found.code}
    return frozenset(keys)


def cldr_version() -> str:
    """The CLDR release Babel carries, for the provenance of the names."""
    return str(get_cldr_version())


def cldr_description() -> str:
    """How the provenance names the source of the Persian country names."""
    return f"Unicode CLDR {cldr_version()}: names of countries and territories (read through Babel {babel.__version__})"
