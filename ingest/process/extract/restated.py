"""A figure a page states twice is one fact: the headline's and the body's, the lead's
and its restatement under 数据显示…; which of the two mentions stays."""

from __future__ import annotations

from ingest.process.extract.mention import Mention

__all__ = ["without_restated", "without_restated_title"]


def _figure_key(m: Mention) -> tuple[str, str, str]:
    return m.category, m.unit, f"{m.value:.6g}"

def without_restated_title(mentions: list[Mention], title_end: int) -> list[Mention]:
    """A headline figure the body states again is one fact: the body's, which has the
    sentence around it (its period, its region), not the headline's guess from the date."""
    in_body = {_figure_key(m) for m in mentions if m.char_start >= title_end}
    return [m for m in mentions if m.char_start >= title_end or _figure_key(m) not in in_body]

# Indicators several measures share (the growth of 第一产业 and of 第三产业 are both
# output_growth): two equal figures of these in one page may be two facts.
_SHARED_INDICATORS = frozenset({"output_growth", "investment_growth", "added_value",
                                "projects_count", "investment", "output_value"})

_REGION_RANK = {"sentence": 3, "paragraph": 2, "document": 1, "none": 0}

def without_restated(mentions: list[Mention]) -> list[Mention]:
    """A figure a page states again (the lead's 3132个 restated under 数据显示…) is one fact:
    of two mentions in different sentences with the same indicator, value, status and
    period, and no two regions the sentences name, the one whose region is better founded
    stays."""
    kept: list[Mention] = []
    same_figure: dict[tuple[object, ...], list[int]] = {}  # positions in `kept`, in order
    for m in mentions:
        key = (m.indicator_id, m.unit, m.value, m.status, m.period_start, m.period_end)
        twin = None if m.indicator_id in _SHARED_INDICATORS else next(
            (i for i in same_figure.get(key, ()) if kept[i].sentence != m.sentence and not (
                kept[i].region_basis == m.region_basis == "sentence"
                and (kept[i].region_id, kept[i].region_text) != (m.region_id, m.region_text))),
            None)
        if twin is None:
            same_figure.setdefault(key, []).append(len(kept))
            kept.append(m)
        elif _REGION_RANK[m.region_basis] > _REGION_RANK[kept[twin].region_basis]:
            kept[twin] = m  # (the same figure: its key and place stay)
    return kept
