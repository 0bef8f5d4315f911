"""The one date format set the library accepts from people: ISO (2025-09-01) and the
day-first dotted form used in Kazakhstan's documents (01.09.2025). Registry files, the command
line's options and anything else typed by a person go through :func:`parse_date`."""

from __future__ import annotations

import re
from datetime import date

DATE_FORMATS = "YYYY-MM-DD or DD.MM.YYYY"
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}")
_DOTTED = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")


def parse_date(text: str) -> date:
    """``text`` as a date, in ISO (YYYY-MM-DD) or dotted (DD.MM.YYYY) form; anything else, or
    a day that does not exist, is a ``ValueError`` naming the accepted forms."""
    stripped = text.strip()
    try:
        if _ISO.fullmatch(stripped):
            return date.fromisoformat(stripped)
        dotted = _DOTTED.fullmatch(stripped)
        if dotted:
            day, month, year = (int(g) for g in dotted.groups())
            return date(year, month, day)
    except ValueError:
        pass
    raise ValueError(f"{text[:40]!r} is not a date ({DATE_FORMATS})")
