"""Normalise parsed blocks into one text, keeping a map back to the source.

The source of a document is ``"\\n".join(blocks)`` as returned by
``ingest.process.parse``.  ``normalise`` cleans every block in this order:

1. remove pinyin glosses pasted after characters (``產(chǎn)業(yè)`` -> ``產業``);
2. Traditional -> Simplified with OpenCC ``t2s`` (1:1, per character if a
   phrase conversion would change the length);
3. fold full-width ASCII (U+FF01-U+FF5E) to ASCII and U+3000 to a space;
4. collapse whitespace runs to one space and strip (zero-width chars go);

then, across blocks, rejoins lines broken mid-sentence and drops repeated
paragraphs (exact and near duplicates).  Every character of the result keeps
the index of the source character it came from (``source_offsets``), so a
span found in ``text`` can always be traced back to the page.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

import opencc

__all__ = ["NormalisedDoc", "normalise", "to_simplified", "strip_pinyin_glosses", "fold_width",
           "has_pinyin_gloss"]

logger = logging.getLogger(__name__)
logger.addHandler(logging.NullHandler())

#: a block shorter than this is a heading/caption and is never joined to the next one
JOIN_MIN_CHARS = 40
#: a block with no sentence-final mark inside is a headline unless it is at least this long
HEADLINE_MAX_CHARS = 100
#: paragraphs at least this long are checked for near duplicates
NEAR_DUP_MIN_CHARS = 50
#: share of a paragraph's 4-grams found in one earlier paragraph that makes it a repeat
NEAR_DUP_CONTAINMENT = 0.9
NGRAM = 4

#: characters that end a sentence (before and after full-width folding)
SENTENCE_FINAL = frozenset("。！？!?；;：:…”」』.")
_PROSE_MARKS = frozenset("。！？；!?;")
_COMMAS = frozenset("，,、")
_CJK_SPACE_RE = re.compile(r"[\u3400-\u9fff\u201c\u201d] +[\u3400-\u9fff\u201c\u201d]")
#: a block starting like this opens a new item, so the previous one is not continued
_NEW_ITEM_RE = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[)）]|\d+[、.．)）]"
    r"|[■●◆▲★※•·【\[#>\-*])"
)

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"
# a parenthesised run of pinyin letters directly after a CJK character
_GLOSS_RE = re.compile(rf"(?<=[{_CJK}])[(（]([a-zA-Z{_TONED}üÜ]{{1,7}})[)）]")
_TONED_SET = frozenset(_TONED)
# toneless pinyin syllable (neutral tone): accepted only next to toned glosses
_SYLLABLE_RE = re.compile(
    r"^(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?"
    r"(?:iang|iong|uang|ang|eng|ing|ong|uai|ian|iao|uan|van|ai|ei|ao|ou|an|en|er|in|un"
    r"|ia|ie|iu|ua|uo|ui|ue|ve|a|o|e|i|u|v|ü|ng|n|m)$"
)
_WS_RE = re.compile(r"[\s\u200b\u200c\u200d\u2060\ufeff]+")
_ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff")

# Full-width ASCII and the ideographic space to their half-width forms (1:1, so offsets
# do not move).
FULLWIDTH_FOLD = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_FULLWIDTH_RUN = re.compile("[\uff01-\uff5e\u3000]+")


def _fold_run(m: re.Match[str]) -> str:
    return m.group().translate(FULLWIDTH_FOLD)


def fold_width(s: str) -> str:
    """``s.translate(FULLWIDTH_FOLD)``, translating only the runs of full-width characters
    (str.translate looks every character of non-ASCII text up in the table: ~3x slower)."""
    return _FULLWIDTH_RUN.sub(_fold_run, s)


@dataclass(frozen=True)
class NormalisedDoc:
    """Normalised paragraphs joined with ``"\\n"`` plus the way back to the source.

    ``paragraph_starts[i]`` is where paragraph ``i`` starts in ``text``;
    ``source_offsets[j]`` is the index in ``"\\n".join(blocks)`` of the
    character that became ``text[j]`` (a paragraph separator maps to the
    position just after the previous paragraph's last source character).
    """

    text: str
    paragraph_starts: tuple[int, ...]
    source_offsets: tuple[int, ...]

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """Source ``[start, end)`` covering ``text[start:end]`` (end exclusive)."""
        if not 0 <= start < end <= len(self.text):
            raise ValueError(f"bad span {start}:{end} for text of {len(self.text)} chars")
        return self.source_offsets[start], self.source_offsets[end - 1] + 1


@functools.lru_cache(maxsize=1)
def _converter() -> opencc.OpenCC:
    """The process-wide OpenCC t2s converter (built once, it loads dictionaries)."""
    return opencc.OpenCC("t2s")


@functools.lru_cache(maxsize=1)
def _phrase_converter() -> opencc.OpenCC:
    """Taiwan/Hong Kong phrasing to the mainland's (專案 -> 项目, 軟體 -> 软件): OpenCC's
    phrase-level tw2sp, used where a page has traditional characters."""
    return opencc.OpenCC("tw2sp")


# 12。5亿元: a decimal point printed as 。 between digits, before a unit or multiplier
_DECIMAL_MARK_RE = re.compile(r"(?<=\d)。(?=\d+(?:\.\d+)?\s*(?:亿|万|千|百|%|％|个|家|项|P|E|元))")


def to_simplified(s: str) -> str:
    """Traditional -> Simplified (OpenCC t2s); the length may change."""
    return str(_converter().convert(s)) if s else s


def _is_gloss(run: str, block_has_toned: bool) -> bool:
    if any(ch in _TONED_SET for ch in run):
        return True
    return block_has_toned and run.islower() and _SYLLABLE_RE.match(run) is not None


def has_pinyin_gloss(s: str) -> bool:
    """Whether ``s`` holds a parenthesised run of letters after a CJK character (a gloss,
    or what could be one: whether a toneless run is one depends on the rest of the text)."""
    return _GLOSS_RE.search(s) is not None


def strip_pinyin_glosses(s: str) -> str:
    """``s`` without pinyin glosses (no offset map; for matching keys)."""
    if not has_pinyin_gloss(s):
        return s  # (most text has none: no offset map to build)
    return _strip_gloss(s, list(range(len(s))))[0]


def _strip_gloss(block: str, omap: list[int]) -> tuple[str, list[int]]:
    """Remove ``(pīnyīn)`` runs that follow a CJK character."""
    matches = list(_GLOSS_RE.finditer(block))
    if not matches:
        return block, omap
    toned = any(any(ch in _TONED_SET for ch in m.group(1)) for m in matches)
    parts: list[str] = []
    new_map: list[int] = []
    pos = 0
    for m in matches:
        if not _is_gloss(m.group(1), toned):
            continue
        parts.append(block[pos : m.start()])
        new_map.extend(omap[pos : m.start()])
        pos = m.end()
    parts.append(block[pos:])
    new_map.extend(omap[pos:])
    return "".join(parts), new_map


def _convert_block(block: str) -> str:
    """t2s keeping length; falls back to per-character conversion."""
    conv = _converter()
    out = str(conv.convert(block))
    if len(out) == len(block):
        return out
    logger.debug("t2s changed length of a block; converting per character")
    chars = []
    for ch in block:
        c = str(conv.convert(ch))
        chars.append(c if len(c) == 1 else ch)
    return "".join(chars)


def _t2s_fold(blocks: list[str]) -> list[str]:
    """Convert and fold all blocks with one OpenCC call when lengths allow it."""
    joined = "\n".join(blocks)
    converted = str(_converter().convert(joined)) if joined else joined
    if converted != joined:  # traditional script: convert its phrasing too, if 1:1
        phrased = str(_phrase_converter().convert(joined))
        if len(phrased) == len(joined):
            converted = phrased
    if len(converted) == len(joined):
        out = converted.split("\n")
        if len(out) == len(blocks) and all(
            len(a) == len(b) for a, b in zip(out, blocks, strict=True)
        ):
            return [fold_width(b) for b in out]
    return [fold_width(_convert_block(b)) for b in blocks]


def _collapse_ws(block: str, omap: list[int]) -> tuple[str, list[int]]:
    """Whitespace runs -> one space (mapped to the run's first char), then strip."""
    parts: list[str] = []
    new_map: list[int] = []
    pos = 0
    for m in _WS_RE.finditer(block):
        parts.append(block[pos : m.start()])
        new_map.extend(omap[pos : m.start()])
        run = m.group()
        if all(ch in _ZERO_WIDTH for ch in run):
            pass  # zero-width only: drop without a space
        else:
            first = next(i for i, ch in enumerate(run) if ch not in _ZERO_WIDTH)
            parts.append(" ")
            new_map.append(omap[m.start() + first])
        pos = m.end()
    parts.append(block[pos:])
    new_map.extend(omap[pos:])
    text = "".join(parts)
    lead = len(text) - len(text.lstrip(" "))
    text = text.strip(" ")
    return text, new_map[lead : lead + len(text)]


_NUMBERED_HEADING = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]|第[一二三四五六七八九十]+[章节部分])")


def _continues(prev: str, nxt: str) -> bool:
    """Is ``nxt`` the rest of a sentence that ``prev`` broke off?"""
    if not prev or prev[-1] in SENTENCE_FINAL or _NUMBERED_HEADING.match(prev):
        return False  # a finished sentence, or a numbered heading (二、主要目标)
    prose = any(ch in _COMMAS for ch in prev) and not _CJK_SPACE_RE.search(prev)
    if len(prev) < JOIN_MIN_CHARS and not prose:
        return False  # short and comma-free: a heading or caption
    headline_like = not any(ch in _COMMAS for ch in prev) or _CJK_SPACE_RE.search(prev)
    if len(prev) < HEADLINE_MAX_CHARS and headline_like and not _PROSE_MARKS & set(prev):
        return False  # no full stop, no plain commas: a long headline, not prose cut in two
    return _NEW_ITEM_RE.match(nxt) is None


def _grams(p: str) -> set[str]:
    """The paragraph's character 4-grams (slices hash faster than 4-tuples)."""
    return {p[i:i + 4] for i in range(len(p) - 3)}


def _dedupe(paras: list[tuple[str, list[int]]]) -> list[tuple[str, list[int]]]:
    """Drop exact repeats and near repeats (4-gram containment in one earlier paragraph)."""
    seen: set[str] = set()
    kept: list[tuple[str, list[int]]] = []
    earlier: list[set[str]] = []
    union: set[str] = set()
    for text, omap in paras:
        if text in seen:
            logger.debug("dropping repeated paragraph %r", text[:30])
            continue
        seen.add(text)
        if len(text) >= NEAR_DUP_MIN_CHARS:
            grams = _grams(text)
            need = NEAR_DUP_CONTAINMENT * len(grams)
            if (
                grams
                and len(grams & union) >= need
                and any(len(grams & e) >= need for e in earlier)
            ):
                logger.debug("dropping near-duplicate paragraph %r", text[:30])
                continue
            earlier.append(grams)
            union |= grams
        kept.append((text, omap))
    return kept


def normalise(blocks: Sequence[str]) -> NormalisedDoc:
    """Clean ``blocks`` (see the module docstring) and keep offsets true."""
    cleaned: list[tuple[str, list[int]]] = []
    start = 0
    stage1: list[str] = []
    maps: list[list[int]] = []
    for block in blocks:
        text, omap = _strip_gloss(block, list(range(start, start + len(block))))
        stage1.append(text)
        maps.append(omap)
        start += len(block) + 1
    for text, omap in zip(_t2s_fold(stage1), maps, strict=True):
        text = _DECIMAL_MARK_RE.sub(".", text)  # 1:1, offsets stay
        text, omap = _collapse_ws(text, omap)
        if text:
            cleaned.append((text, omap))

    joined: list[tuple[str, list[int]]] = []
    for text, omap in cleaned:
        if joined and _continues(joined[-1][0], text):
            prev_text, prev_map = joined[-1]
            joined[-1] = (prev_text + text, prev_map + omap)
        else:
            joined.append((text, omap))

    paras = _dedupe(joined)
    starts: list[int] = []
    offsets: list[int] = []
    pos = 0
    for i, (text, omap) in enumerate(paras):
        if i:
            offsets.append(offsets[-1] + 1)  # the "\n" separator
            pos += 1
        starts.append(pos)
        offsets.extend(omap)
        pos += len(text)
    return NormalisedDoc(
        text="\n".join(t for t, _ in paras),
        paragraph_starts=tuple(starts),
        source_offsets=tuple(offsets),
    )
