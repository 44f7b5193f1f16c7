"""Name normalisation for reconciliation and IRI slugs (case- and accent-insensitive)."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


@lru_cache(maxsize=1 << 16)
def fold(text: str) -> str:
    """Casefold, strip accents and punctuation, collapse spaces: 'Zürich ' -> 'zurich'.

    Cached: a spreadsheet names the same cities and countries on many rows.
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    # Persian/Arabic letter variants that people type interchangeably.
    stripped = stripped.replace("\u064a", "\u06cc").replace("\u0643", "\u06a9").replace("\u200c", " ")
    return " ".join(_NON_WORD.sub(" ", stripped).split())


def slug(text: str) -> str:
    """IRI-safe local name from a label: folded words joined by '-' (never '_' nor '--')."""
    return "-".join(fold(text).split()) or "unnamed"
