"""Dates in researchers' spreadsheets: ISO dates, years, Solar Hijri (Jalali) dates and years.

Output is an ``xsd:date`` (full dates) or an ``xsd:gYear`` (years), in the Gregorian calendar,
as the ontology's cdo:startDate / cdo:endDate expect. Conversion uses ``jdatetime``.

Rule for telling the calendars apart (``calendar="auto"``): the year decides, never the script
of the digits (Persian ۰-۹, Arabic-Indic ٠-٩ and ASCII digits are read alike, and an Arabic
spreadsheet writes Gregorian years in Arabic-Indic digits): a year below 1500 is Solar Hijri
(1300-1499 SH is 1921-2121 CE, where every twinning lies), a year of 1500 or more is Gregorian.
So ``٢٠٢٠-٠١-٠١`` is 2020-01-01 and ``۱۳۹۹-۰۱-۰۱`` is 1 Farvardin 1399 = 2020-03-20. Pass
``calendar="gregorian"`` for Gregorian dates before 1500. A Solar Hijri year alone becomes the
Gregorian year in which it begins (1 Farvardin): 1399 -> 2020 (it runs to 20 March 2021).
"""

from __future__ import annotations

import datetime as _dt
import re

import jdatetime

_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
_YEAR = re.compile(r"(\d{3,4})")
_DATE = re.compile(r"(\d{3,4})[-/.](\d{1,2})[-/.](\d{1,2})")
_DMY = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})")
JALALI_LIMIT = 1500

XSD_DATE = "http://www.w3.org/2001/XMLSchema#date"
XSD_GYEAR = "http://www.w3.org/2001/XMLSchema#gYear"


class DateError(ValueError):
    """A date cell that cannot be read; the message says why."""


def parse_date(raw: str, calendar: str = "auto") -> tuple[str, str]:
    """Return (lexical form, datatype IRI) of the Gregorian date or year that *raw* denotes."""
    text = raw.strip()
    text = text.translate(_DIGITS).replace("\u066b", ".").replace("\u060c", "-")
    match = _DATE.fullmatch(text)
    if match is None and _DMY.fullmatch(text):
        raise DateError(f"{raw!r}: write dates year first (YYYY-MM-DD), day-first dates are ambiguous")
    found = match or _YEAR.fullmatch(text)
    if found is None:
        raise DateError(f"{raw!r}: not a date (YYYY-MM-DD) or a year (YYYY), Gregorian or Solar Hijri")
    year = int(found.group(1))
    jalali = year < JALALI_LIMIT if calendar == "auto" else calendar == "jalali"
    if match is None:
        if jalali:
            try:
                start = jdatetime.date(year, 1, 1).togregorian()
            except ValueError as exc:
                raise DateError(f"{raw!r}: not a Solar Hijri year ({exc})") from None
            return f"{start.year:04d}", XSD_GYEAR
        if year < 1:
            raise DateError(f"{raw!r}: year out of range")
        return f"{year:04d}", XSD_GYEAR
    month, day = int(match.group(2)), int(match.group(3))
    try:
        gregorian = jdatetime.date(year, month, day).togregorian() if jalali else _dt.date(year, month, day)
    except ValueError as exc:
        kind = "Solar Hijri" if jalali else "Gregorian"
        raise DateError(f"{raw!r}: not a valid {kind} date ({exc})") from None
    return gregorian.isoformat(), XSD_DATE
