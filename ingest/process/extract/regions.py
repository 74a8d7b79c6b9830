"""Which region a page and each of its sentences is about.

Region names come from the regions seed (names and aliases; a zone and the district
that governs it are one region). Mentions inside an organisation's name
(武汉大学, 浪潮武汉研发中心) and event locations (在深圳举行) do not count.
Ambiguous aliases (鼓楼区 exists in several cities) are resolved by the other regions
the page names.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass

from ingest.process.extract.lexicon import Lexicon

__all__ = ["RegionMention", "bare_zone", "find_region_mentions", "primary_region",
           "publisher_region"]

logger = logging.getLogger(__name__)
logger.addHandler(logging.NullHandler())

_STOP = re.compile(r"[，,。、；;：:！？!?\s“”\"‘’'（()）《》【】\[\]与和同及在]")
_LEVEL_RANK = {"country": 0, "area": 1, "province": 1, "city": 2, "zone": 3, "district": 3,
               "county": 3}


@dataclass(frozen=True)
class RegionMention:
    start: int
    end: int
    text: str
    region_id: str  # for a zone the seed lacks: the region it lies in
    counts: bool  # False for organisation names and event locations
    zone: bool = False  # 常州经开区: a zone of region_id the seed does not know (text is its name)


def _is_org(text: str, end: int, lex: Lexicon) -> bool:
    tail = text[end:end + 12]
    stop = _STOP.search(tail)
    run = tail[: stop.start()] if stop else tail
    return any(s in run for s in lex.rules["org_suffixes"])


def _is_event_location(text: str, start: int, end: int, lex: Lexicon) -> bool:
    before = text[max(0, start - 2):start]
    after = text[end:end + 6]
    return "在" in before and any(m in after for m in lex.rules["event_markers"])


def find_region_mentions(text: str, lex: Lexicon) -> list[RegionMention]:
    """Every region name in `text`, ambiguous aliases resolved page-wide."""
    raw = lex.find_aliases(text)
    # Regions named unambiguously anchor the choice for ambiguous aliases.
    anchors: set[str] = set()
    for _, _, name in raw:
        ids = lex.alias_regions[name]
        if len(ids) == 1:
            anchors.add(ids[0])
            anchors.update(lex.ancestors(ids[0]))
    anchors -= lex.country_ids
    out: list[RegionMention] = []
    for start, end, name in raw:
        ids = lex.alias_regions[name]
        rid = ids[0]
        if len(ids) > 1:
            anchored = [i for i in ids if anchors.intersection(lex.ancestors(i))]
            pool = anchored or list(ids)
            rid = min(pool, key=lambda i: (_LEVEL_RANK.get(lex.regions[i].level, 9), i))
        counts = not (_is_org(text, end, lex) or _is_event_location(text, start, end, lex))
        out.append(RegionMention(start, end, name, rid, counts))
    return _zones(_event_runs(out, text, lex), text, lex)


def _zones(mentions: list[RegionMention], text: str, lex: Lexicon) -> list[RegionMention]:
    """常州经开区 / 楚雄高新区 / 驻马店经济开发区: a known place followed by a zone's suffix
    names a zone the seed does not know, a region of its own inside that place."""
    suffixes = lex.zone_suffix_re
    out: list[RegionMention] = []
    for i, m in enumerate(mentions):
        level = lex.regions[m.region_id].level
        z = suffixes.match(text, m.end)
        if z is None and (named := lex.named_zone_re.match(text, m.end)) and not (
                i + 1 < len(mentions) and mentions[i + 1].start < named.end()):
            z = named  # 宜宾三江新区 (but 湖北武汉经开区 is 武汉经开区, a place the seed knows)
        if z and level in {"city", "district", "county", "province"}:
            name = text[m.start:z.end()]
            out.append(RegionMention(m.start, z.end(), name, m.region_id, m.counts, True))
        else:
            out.append(m)
    return out


def _event_runs(mentions: list[RegionMention], text: str, lex: Lexicon) -> list[RegionMention]:
    """在重庆九龙坡区举行: names written one after another are one place; when that place is
    an event's location, none of them is what the page reports on."""
    out = list(mentions)
    i = 0
    while i < len(out):
        j = i
        while j + 1 < len(out) and out[j + 1].start == out[j].end:
            j += 1
        if j > i and _is_event_location(text, out[i].start, out[j].end, lex):
            for k in range(i, j + 1):
                out[k] = RegionMention(out[k].start, out[k].end, out[k].text, out[k].region_id,
                                       False)
        i = j + 1
    return out


def primary_region(mentions: list[RegionMention], lead_end: int, title_end: int,
                   lex: Lexicon) -> str | None:
    """The region a page is about: the most specific region its title names; else the
    region with the most weighted mentions (lead ×2), descending to the most specific
    region that carries at least a third of its parent's weight."""
    in_title = [m for m in mentions if m.start < title_end and m.counts
                and not lex.regions[m.region_id].is_country]
    if in_title:
        return max(in_title, key=lambda m: (_LEVEL_RANK.get(lex.regions[m.region_id].level, 0),
                                            -m.start)).region_id
    score: Counter[str] = Counter()
    for m in mentions:
        # an area above provinces (奔赴京津冀、长三角招商) is a destination, not a container
        # whose weight would lift the page to the country
        if not m.counts or lex.regions[m.region_id].level in {"country", "area"}:
            continue
        w = 3 if m.start < title_end else 2 if m.start < lead_end else 1
        score[m.region_id] += w
    if not score:
        return None
    # A region's weight includes its descendants' mentions.
    total: Counter[str] = Counter()
    for rid, w in score.items():
        total[rid] += w
        for a in lex.ancestors(rid):
            total[a] += w
    best = max(total, key=lambda r: (total[r], -_LEVEL_RANK.get(lex.regions[r].level, 9)))
    while True:
        children = [r for r in total if lex.regions[r].parent_region_id == best]
        if not children:
            return best
        child = max(children, key=lambda r: total[r])
        if total[child] * 3 < total[best]:
            return best
        best = child


def publisher_region(mentions: list[RegionMention], text: str, lex: Lexicon) -> str | None:
    """The region of the page's publisher (驻马店日报, 牟定县统计局), for a page that names
    no region of its own: the place 全区/全市 means."""
    for m in mentions:
        tail = text[m.end:m.end + 8]
        if not m.counts and any(tail.startswith(w) or tail[:4].find(w) >= 0
                                for w in lex.rules["publisher_suffixes"]):
            return m.region_id
    return None


_STEM = re.compile(r"(?:省|市|县|区|自治州|自治县|地区|盟)$")


def bare_zone(text: str, lead_end: int, primary: str | None, lex: Lexicon) -> RegionMention | None:
    """开发区签约项目10个 / 1至9月，高新区园区实现…: a zone word with no place before it, as
    the subject of the page's lead, on a page of one city or county: that place's zone."""
    if primary is None or lex.regions[primary].level not in {"city", "district", "county"}:
        return None
    words = "|".join(map(re.escape, lex.rules["bare_zones"]))
    m = re.search(rf"(?:^|(?<=[，,。：:\s]))(?:{words})", text[:lead_end])
    if m is None:
        return None
    name = _STEM.sub("", lex.regions[primary].name_zh) + m.group()
    return RegionMention(m.start(), m.end(), name, primary, True, True)
