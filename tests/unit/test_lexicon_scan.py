"""The extractor's scans against the plain versions they replaced (same answers, faster)."""

from __future__ import annotations

import random
import re

import pytest

from ingest.process.extract.clauses import CLAUSE_END, SEGMENT_END, all_positions, clause_bounds
from ingest.process.extract.lexicon import Lexicon, load_lexicon


def _aliases_one_by_one(lex: Lexicon, text: str) -> list[tuple[int, int, str]]:
    """The scan as it was: every position, every length its first character has."""
    out: list[tuple[int, int, str]] = []
    i, n = 0, len(text)
    while i < n:
        for length in lex.alias_lengths.get(text[i], ()):
            name = text[i:i + length]
            if name in lex.alias_regions:
                out.append((i, i + length, name))
                i += length
                break
        else:
            i += 1
    return out


@pytest.fixture(scope="module")
def lex() -> Lexicon:
    return load_lexicon()


def test_find_aliases_as_the_plain_scan(lex: Lexicon) -> None:
    names = sorted(lex.alias_regions)
    rng = random.Random(15)
    texts = ["", "武", "武汉", "湖北省武汉市东湖新技术开发区", "在武汉东湖高新区举行的武汉",
             "全市" + names[0], names[-1] + names[0][:1]]
    for _ in range(3000):  # names, cut names and names run together, at the end too
        parts = [rng.choice(names)[: rng.randint(1, 6)] for _ in range(rng.randint(1, 5))]
        texts.append(rng.choice(["", "的", "，"]).join(parts))
    for text in texts:
        assert lex.find_aliases(text) == _aliases_one_by_one(lex, text), text


def test_a_name_cut_off_by_the_text_end_keeps_the_length_asked_for(lex: Lexicon) -> None:
    # The plain scan asked for the first character's longest length first; a slice cut
    # short by the end of the text that is itself a name counted with that length.
    longest_by_two: dict[str, int] = {}
    for n in lex.alias_regions:
        longest_by_two[n[:2]] = max(longest_by_two.get(n[:2], 0), len(n))
    cut = next(n for n in sorted(lex.alias_regions)
               if lex.alias_lengths[n[0]][0] > longest_by_two[n[:2]])
    found = lex.find_aliases("，" + cut)
    assert found == _aliases_one_by_one(lex, "，" + cut)
    assert found[-1][1] == 1 + lex.alias_lengths[cut[0]][0]


def test_keyword_of_remembers_the_same_answer(lex: Lexicon) -> None:
    wild = [kw for kw in lex.keyword_indicators if "…" in kw]
    assert wild
    text = "亿元以上工业项目12个，地区生产总值增长5%，亿元以上的重大项目"
    for m in lex.keyword_re.finditer(text):
        first = lex.keyword_of(m.group())
        assert lex.keyword_of(m.group()) == first == lex._resolve_keyword(m.group())


@pytest.mark.parametrize(("s", "w"), [("计划计划目标计划", "计划"), ("aaaa", "aa"), ("abc", ""),
                                      ("", "x"), ("目标任务", "力争")])
def test_all_positions_as_finditer(s: str, w: str) -> None:
    assert all_positions(s, w) == [m.start() for m in re.finditer(re.escape(w), s)]



def _bounds_by_scan(s: str, pos: int, pattern: re.Pattern[str]) -> tuple[int, int]:
    """clause_bounds as it was: scan up to `pos`, search from it."""
    left = 0
    for m in pattern.finditer(s, 0, pos):
        left = m.end()
    m2 = pattern.search(s, pos)
    return left, (m2.start() if m2 else len(s))


@pytest.mark.parametrize("s", [
    "算力规模达1.2EFLOPS 力争明年突破10EFLOPS", "到2025年，A达到5%；B突破10亿元。其中、C增长3%",
    "中 中 “中 a 中", " 中", "中 ", "", "，", "地区生产总值增长5.2%,规上工业增加值增长6%!",
])
def test_clause_bounds_as_the_scan(s: str) -> None:
    for pattern in (CLAUSE_END, SEGMENT_END):
        for pos in range(-1, len(s) + 2):
            assert clause_bounds(s, pos, pattern) == _bounds_by_scan(s, pos, pattern), (s, pos)


@pytest.mark.parametrize("text", ["", "   ", "中 a\u3000b\n中", "abc",
                                  "全区地区生产总值增长5.2%。\n二、主要目标",
                                  "\u4e00\u9fff\u9fa5\u3400\u20000 x"])
def test_cjk_share_as_per_character(text: str) -> None:
    from ingest.process.page import cjk_share

    visible = sum(1 for ch in text if re.match(r"\S", ch))
    cjk = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
    assert cjk_share(text) == (cjk / visible if visible else 0.0)
