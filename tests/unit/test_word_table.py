"""WordTable: the longest of a set of words at, or just before, a position (the lookups
the quantity scan makes for every number)."""

from ingest.process.extract.quantities import WordTable


def test_the_longest_word_at_a_position_wins():
    t = WordTable(["亿", "亿元", "万亿元"])
    s = "投资3万亿元"
    assert t.at(s, 3) == "万亿元"
    assert t.at(s, 4) == "亿元"
    assert t.at(s, 6) is None  # past the end
    assert t.at("亿", 0) == "亿"  # a short tail still matches a short word


def test_the_longest_word_just_before_a_position_wins():
    t = WordTable(["达", "达到", "突破"])
    s = "产值达到1800亿元"
    assert t.before(s, 4) == "达到"
    assert t.before(s, 3) == "达"
    assert t.before(s, 0) is None  # nothing before the start
    assert t.before("突破", 2) == "突破"


def test_empty_words_never_match():
    t = WordTable(["", "元"])
    assert t.at("元", 0) == "元"
    assert t.at("x", 0) is None and t.before("x", 0) is None
    assert WordTable([]).at("anything", 0) is None
