"""Sizes in bytes as people write them ('512M', '1G', '2GiB'), for every size limit of citydip.

One parser for ``--max-input-size`` and ``--max-response-size``: K, M, G and T are powers of
1024, with or without a trailing ``B`` / ``iB``.
"""

from __future__ import annotations

import re

_UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}
_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*", re.IGNORECASE)


def parse_size(text: str) -> int:
    """Bytes from '1048576', '64k', '512M', '1.5G', '2GiB'; a ValueError that says what to write."""
    match = _SIZE.fullmatch(str(text))
    if not match:
        raise ValueError(f"{text!r} is not a size; give bytes or a number with K, M, G or T (e.g. 512M)")
    size = int(float(match.group(1)) * _UNITS[match.group(2).lower()])
    if size < 1:
        raise ValueError(f"{text!r} is too small; give at least 1 byte")
    return size


def human_size(size: int) -> str:
    """'512 MB' for an exact multiple of a unit, else the number of bytes."""
    for unit in ("T", "G", "M", "K"):
        factor = _UNITS[unit.lower()]
        if size >= factor and size % factor == 0:
            return f"{size // factor} {unit}B"
    return f"{size} bytes"
