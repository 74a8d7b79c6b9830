"""A confidence (0–1) for each mention from how its table and status were decided.

The factors are data (`confidence.yml`), calibrated on the real corpus's dev part. The
basis names every decision, so a reviewer sorting by confidence sees why a figure is
doubtful: ``indicator=keyword_far;status=no_cue;period=context;region=document``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

__all__ = ["basis_text", "confidence"]

_FACTORS = Path(__file__).with_name("confidence.yml")


@cache
def _factors() -> dict[str, dict[str, float]]:
    data = yaml.safe_load(_FACTORS.read_text(encoding="utf-8"))
    return {k: {kk: float(vv) for kk, vv in v.items()} for k, v in data.items()}


def confidence(indicator_how: str, status_how: str) -> float:
    """Product of the indicator and status factors; an unknown way is a KeyError, so
    a new decision path cannot ship without a factor."""
    f = _factors()
    return round(f["indicator"][indicator_how] * f["status"][status_how], 4)


def basis_text(indicator_how: str, status_how: str, period_basis: str, region_basis: str) -> str:
    return (f"indicator={indicator_how};status={status_how};"
            f"period={period_basis};region={region_basis}")
