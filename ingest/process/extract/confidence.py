"""A confidence (0–1) for each mention: how likely its table, unit, value and status are
right, from how each of its four decisions was made.

Naive-Bayes calibration: start from the prior precision and move the log-odds by each
decision's own observed precision (its factor in `confidence.yml`, fitted on the real
corpus's dev part by scripts/calibrate_confidence.py; checked on its test part). A way
of deciding with no observations yet counts as the prior. The basis names every
decision, so a reviewer sorting by confidence sees why a figure is doubtful:
``indicator=keyword_far;status=no_cue;period=context;region=document``.
"""

from __future__ import annotations

import math
from functools import cache
from pathlib import Path
from typing import Any

import yaml

__all__ = ["COMPONENTS", "FACTORS_PATH", "basis_text", "confidence"]

COMPONENTS = ("indicator", "status", "period", "region")
FACTORS_PATH = Path(__file__).with_name("confidence.yml")


@cache
def _factors() -> dict[str, Any]:
    return dict(yaml.safe_load(FACTORS_PATH.read_text(encoding="utf-8")))


def _logit(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


@cache
def confidence(indicator_how: str, status_how: str, period_basis: str,
               region_basis: str) -> float:
    f = _factors()
    prior = float(f["prior"])
    z = _logit(prior)
    for comp, value in zip(COMPONENTS, (indicator_how, status_how, period_basis, region_basis),
                           strict=True):
        p = float(f.get(comp, {}).get(value, prior))
        z += _logit(p) - _logit(prior)
    return round(1 / (1 + math.exp(-z)), 4)


def basis_text(indicator_how: str, status_how: str, period_basis: str, region_basis: str) -> str:
    return (f"indicator={indicator_how};status={status_how};"
            f"period={period_basis};region={region_basis}")
