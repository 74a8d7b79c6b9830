"""Calendar dates written in pages, feeds, sitemaps and URLs: one parser, one year range.

Used by discovery (feed `pubDate`, sitemap `lastmod`) and by parsing (meta tags, the
dateline, the URL). A date outside `MIN_YEAR`..`MAX_YEAR` is not a publication date (a
page ID, a phone number or a typo) and reads as no date.
"""

from __future__ import annotations

import datetime as dt
import re
from email.utils import parsedate_to_datetime

__all__ = ["MAX_YEAR", "MIN_YEAR", "calendar_date", "date_from_string", "parse_date"]

MIN_YEAR, MAX_YEAR = 1980, 2100
DATE_RE = re.compile(r"((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?!\d)")
COMPACT_DATE_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})(\d{2})(\d{2})(?!\d)")
_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def calendar_date(y: str | int, m: str | int, d: str | int) -> dt.date | None:
    """The date y-m-d when it exists and its year is in range (a 2-digit y is 20yy)."""
    try:
        year = int(y)
        day = dt.date(year + 2000 if year < 100 else year, int(m), int(d))
    except (TypeError, ValueError):
        return None
    return day if MIN_YEAR <= day.year <= MAX_YEAR else None


def date_from_string(s: str) -> dt.date | None:
    """First plausible calendar date written in ``s`` (2024-03-18, 2024年3月18日, 20240318,
    full-width digits too)."""
    folded = s.translate(_FULLWIDTH)
    for rx in (DATE_RE, COMPACT_DATE_RE):
        for m in rx.finditer(folded):
            day = calendar_date(*m.groups())
            if day:
                return day
    return None


def parse_date(text: str | None) -> dt.date | None:
    """A feed's or sitemap's date: ISO 8601 / W3C datetime or RFC 2822; None if unreadable."""
    t = (text or "").strip()
    if not t:
        return None
    day = date_from_string(t)
    if day is not None:
        return day
    try:
        d = parsedate_to_datetime(t).date()
    except (TypeError, ValueError, IndexError):
        return None
    return d if MIN_YEAR <= d.year <= MAX_YEAR else None
