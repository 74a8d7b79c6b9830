"""ingest.process.normalise: every transformation, and offsets that stay true."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

import ingest.process.normalise as nm
from ingest.process.normalise import NormalisedDoc, normalise, to_simplified

_FOLD = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}


def check(
    doc: NormalisedDoc, blocks: Sequence[str], number: str, source_form: str | None = None
) -> None:
    """``number`` is in the text and its offsets slice ``source_form`` out of the source."""
    source = "\n".join(blocks)
    assert len(doc.source_offsets) == len(doc.text)
    start = doc.text.index(number)
    a, b = doc.source_span(start, start + len(number))
    assert source[a:b] == (source_form or number)
    # every kept character maps to a source character that folds to it (or to whitespace)
    for j, ch in enumerate(doc.text):
        src = source[doc.source_offsets[j]] if doc.source_offsets[j] < len(source) else "\n"
        if ch.isdigit():
            assert src.translate(_FOLD) == ch


# ------------------------------------------------------------------ pinyin glosses


def test_pinyin_gloss_removed() -> None:
    blocks = ["江畔產(chǎn)業(yè)園區(qū)去年產值達到320億元。"]
    doc = normalise(blocks)
    assert doc.text == "江畔产业园区去年产值达到320亿元。"
    check(doc, blocks, "320")


def test_pinyin_gloss_full_width_parentheses() -> None:
    blocks = ["新區（qū）今年引進項目58個。"]
    doc = normalise(blocks)
    assert doc.text == "新区今年引进项目58个。"
    check(doc, blocks, "58")


def test_toneless_gloss_removed_next_to_toned_ones() -> None:
    blocks = ["我們(men)的產(chǎn)能提升了15%。"]
    doc = normalise(blocks)
    assert doc.text == "我们的产能提升了15%。"
    check(doc, blocks, "15")


@pytest.mark.parametrize(
    "kept",
    [
        "(以下简称“规划”)",
        "(BIM)",
        "(2022―2026年)",
        "(上海)",
        "(AI)",
        "(app)",
    ],
)
def test_real_parenthetical_kept(kept: str) -> None:
    blocks = [f"东湖片区{kept}全年新增投资45亿元。"]
    doc = normalise(blocks)
    assert kept in doc.text
    check(doc, blocks, "45")


def test_gloss_after_latin_letter_not_removed() -> None:
    blocks = ["采用模型 (ǎ) 的说法并不常见，涉及资金8亿元。"]
    doc = normalise(blocks)
    assert "(ǎ)" in doc.text


def test_strip_pinyin_glosses_helper() -> None:
    assert nm.strip_pinyin_glosses("長(zhǎng)江(jiāng)") == "長江"


# ------------------------------------------------------------------ traditional -> simplified


def test_traditional_converted() -> None:
    blocks = ["臨港區規劃總投資約1200億元，預計帶動就業兩萬人。"]
    doc = normalise(blocks)
    assert doc.text == "临港区规划总投资约1200亿元,预计带动就业两万人。"
    check(doc, blocks, "1200")


def test_simplified_untouched() -> None:
    blocks = ["这座产业园去年营收增长了12%。"]
    assert normalise(blocks).text == blocks[0]


def test_t2s_length_change_falls_back_per_character(monkeypatch: pytest.MonkeyPatch) -> None:
    class Shrinking:
        """Whole strings lose a character; single characters convert 1:1."""

        def convert(self, s: str) -> str:
            if len(s) > 1:
                s = s.replace("園區", "园")
            return s.replace("園", "园").replace("區", "区")

    monkeypatch.setattr(nm, "_converter", lambda: Shrinking())
    blocks = ["科技園區擴建後面積達到66公頃。"]
    doc = normalise(blocks)
    assert doc.text.startswith("科技园区")
    check(doc, blocks, "66")


def test_to_simplified() -> None:
    assert to_simplified("臨空港經濟區") == "临空港经济区"
    assert to_simplified("") == ""


# ------------------------------------------------------------------ full-width folding


def test_full_width_digits_and_punctuation_folded() -> None:
    blocks = ["全年产值突破１８００亿元，同比增长８％！"]
    doc = normalise(blocks)
    assert doc.text == "全年产值突破1800亿元,同比增长8%!"
    check(doc, blocks, "1800", "１８００")
    check(doc, blocks, "8%", "８％")


def test_ideographic_space_folded_and_collapsed() -> None:
    blocks = ["\u3000\u3000园区今年新增企业36家。"]
    doc = normalise(blocks)
    assert doc.text == "园区今年新增企业36家。"
    check(doc, blocks, "36")


# ------------------------------------------------------------------ whitespace


def test_whitespace_runs_collapsed_and_stripped() -> None:
    blocks = ["  新建 \t 道路   12条，\xa0 改造桥梁 7座。  "]
    doc = normalise(blocks)
    assert doc.text == "新建 道路 12条, 改造桥梁 7座。"
    check(doc, blocks, "12")
    check(doc, blocks, "7")


def test_zero_width_characters_removed() -> None:
    blocks = ["总投资\u200b达到\ufeff90亿元。"]
    doc = normalise(blocks)
    assert doc.text == "总投资达到90亿元。"
    check(doc, blocks, "90")


def test_empty_and_blank_blocks_dropped() -> None:
    blocks = ["", "   ", "第一段写明投资5亿元。", "\u3000", "第二段写明产值9亿元。"]
    doc = normalise(blocks)
    assert doc.text == "第一段写明投资5亿元。\n第二段写明产值9亿元。"
    assert doc.paragraph_starts == (0, 12)
    check(doc, blocks, "9")


def test_no_blocks() -> None:
    doc = normalise([])
    assert doc == NormalisedDoc(text="", paragraph_starts=(), source_offsets=())


# ------------------------------------------------------------------ broken lines


BROKEN_HEAD = (
    "据园区负责人介绍,今年一季度新签约项目共计十二个,其中"
    "先进制造类项目占比过半,现场签约的企业包括一家精密仪器有"
)
BROKEN_TAIL = "限公司,协议投资额为35亿元。"


def test_broken_line_joined_without_separator() -> None:
    blocks = [BROKEN_HEAD, BROKEN_TAIL]
    doc = normalise(blocks)
    assert doc.text == BROKEN_HEAD + BROKEN_TAIL
    assert doc.paragraph_starts == (0,)
    check(doc, blocks, "35")
    check(doc, blocks, "有限公司", "有\n限公司")


def test_short_heading_kept_separate() -> None:
    blocks = ["打造算力高地", "新区计划到2026年建成算力规模800P的智算中心。"]
    doc = normalise(blocks)
    assert doc.text.split("\n") == blocks
    check(doc, blocks, "800")


def test_long_headline_without_full_stop_not_joined() -> None:
    title = (
        "新区加快建设智算中心 培育数字经济新动能 力争"
        "三年内形成千亿级产业集群并带动上下游企业集聚发展"
    )
    blocks = [title, "会上发布的数据显示,相关投资已达210亿元。"]
    assert len(title) >= nm.JOIN_MIN_CHARS
    doc = normalise(blocks)
    assert doc.text.split("\n") == blocks


def test_block_ending_with_full_stop_not_joined() -> None:
    blocks = [BROKEN_HEAD + "。", BROKEN_TAIL]
    assert len(normalise(blocks).paragraph_starts) == 2


def test_next_list_item_not_joined() -> None:
    blocks = [BROKEN_HEAD, "二、加快推进园区基础设施建设，新增投资18亿元。"]
    doc = normalise(blocks)
    assert len(doc.paragraph_starts) == 2
    check(doc, blocks, "18")


# ------------------------------------------------------------------ repeated paragraphs


PARA = (
    "今年以来,开发区围绕集成电路和新型显示两条主线招商,累计引进"
    "亿元以上项目二十六个,协议总投资达到480亿元,同比增长三成。"
)


def test_exact_duplicate_dropped() -> None:
    blocks = [PARA, "小标题", PARA]
    doc = normalise(blocks)
    assert doc.text == PARA + "\n小标题"


def test_near_duplicate_dropped() -> None:
    near = PARA.replace("两条主线", "两大主线")
    assert near != PARA and len(near) >= nm.NEAR_DUP_MIN_CHARS
    blocks = [PARA, near, "后续段落提到新增用地120亩。"]
    doc = normalise(blocks)
    assert doc.text == PARA + "\n后续段落提到新增用地120亩。"
    check(doc, blocks, "120")
    check(doc, blocks, "480")


def test_traditional_copy_of_simplified_paragraph_dropped() -> None:
    trad = (
        "今年以來，開發區圍繞集成電路和新型顯示兩條主線招商，累計引進"
        "億元以上項目二十六個，協議總投資達到480億元，同比增長三成。"
    )
    doc = normalise([PARA, trad])
    assert doc.text == PARA


def test_different_paragraphs_with_shared_phrases_kept() -> None:
    other = (
        "明年开发区将围绕集成电路主线继续招商,计划引进亿元以"
        "上项目三十个,新增用地九百亩,重点培育五家龙头企业。"
    )
    doc = normalise([PARA, other])
    assert doc.text.split("\n") == [PARA, other]


def test_short_similar_paragraphs_kept() -> None:
    blocks = ["一期投资10亿元。", "二期投资10亿元。"]
    assert normalise(blocks).text.split("\n") == blocks


# ------------------------------------------------------------------ offsets across paragraphs


def test_paragraph_starts_and_offsets_across_blocks() -> None:
    blocks = ["  標題一  ", "第一段：投資２５億元。", "第二段：產值６０億元。"]
    doc = normalise(blocks)
    paras = doc.text.split("\n")
    assert paras == ["标题一", "第一段:投资25亿元。", "第二段:产值60亿元。"]
    assert [doc.text[s : s + 3] for s in doc.paragraph_starts] == ["标题一", "第一段", "第二段"]
    check(doc, blocks, "25", "２５")
    check(doc, blocks, "60", "６０")


def test_source_span_rejects_bad_span() -> None:
    doc = normalise(["投资7亿元。"])
    with pytest.raises(ValueError):
        doc.source_span(3, 3)
    with pytest.raises(ValueError):
        doc.source_span(0, 99)


def test_all_steps_together() -> None:
    line = (
        "臨空港產(chǎn)業(yè)基地今年投資達到１５"
        "０億元，同比增長了兩成以上，其中智能製造項目佔比最高"
    )
    blocks = [
        "\u3000\u3000" + line + "並且持續擴大規模，帶動相關企業",
        "集聚發展。",
        line + "並且持續擴大規模，帶動相關企業集聚發展。",
    ]
    doc = normalise(blocks)
    assert doc.text.startswith("临空港产业基地今年投资达到150亿元,")
    assert "\n" not in doc.text  # joined, then the repeat dropped
    check(doc, blocks, "150", "１５０")


def test_decimal_point_printed_as_ideographic_full_stop() -> None:
    """12。5亿元 is 12.5亿元; a sentence end before 5月份 stays a sentence end."""
    assert normalise(["投资12。5亿元,增长3。2%"]).text == "投资12.5亿元,增长3.2%"
    assert normalise(["增长5.2%。5月份以来"]).text == "增长5.2%。5月份以来"


def test_taiwan_and_hong_kong_phrasing_becomes_the_mainlands() -> None:
    """專案 is 项目 and 軟體 is 软件 (OpenCC tw2sp), not 专案/软体; offsets stay 1:1."""
    doc = normalise(["簽約專案83個,軟體產業營收"])
    assert doc.text == "签约项目83个,软件产业营收"
    assert len(doc.source_offsets) == len(doc.text)


def test_fold_width_as_translate() -> None:
    s = "ＧＤＰ增长５．２％，　１２３４亿元（ＡＢＣ）" + "".join(map(chr, range(0xFF00, 0xFF62)))
    assert nm.fold_width(s) == s.translate(nm.FULLWIDTH_FOLD)


def test_strip_pinyin_glosses_without_a_gloss_is_the_text() -> None:
    assert nm.strip_pinyin_glosses("产业(chǎn)园（B区）") == "产业园（B区）"
    assert nm.strip_pinyin_glosses("没有注音的文字") == "没有注音的文字"
