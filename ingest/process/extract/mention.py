"""`Mention`: one figure found in a page, with everything that says what it means."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

__all__ = ["Mention"]


@dataclass(frozen=True)
class Mention:
    char_start: int
    char_end: int
    raw_text: str
    sentence: str
    value: float
    value_high: float | None
    unit: str
    qualifier: str
    indicator_id: str
    category: str
    status: str
    period_start: date | None
    period_end: date | None
    period_basis: str
    region_id: str | None
    region_text: str | None
    region_basis: str
    confidence: float  # 0–1, from how table and status were decided (confidence.yml)
    basis: str  # indicator=…;status=…;period=…;region=…
