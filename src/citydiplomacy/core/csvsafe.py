"""CSV written for people, who open it in a spreadsheet: no cell may run as a formula.

A cell such as ``=HYPERLINK("http://evil.example/x","click")`` copied from an imported file
into a report would run when the report is opened in Excel or LibreOffice (CSV injection).
As OWASP recommends, a text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return gets a leading ``'``, which spreadsheets show as text; plain numbers such as ``-0.35``
or ``+12`` stay numbers. Only what we write changes: the RDF keeps every label as typed.

SPARQL result CSV (``citydip query run --format csv``) is the W3C format for programs and is
not written through this module.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def safe_cell(value: object) -> object:
    """*value*, with a leading ``'`` when it is text a spreadsheet would read as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def csv_text(header: Iterable[object], rows: Iterable[Iterable[object]]) -> str:
    """The whole CSV document (header first, ``\\n`` line ends) with every cell made safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([safe_cell(cell) for cell in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return buffer.getvalue()
