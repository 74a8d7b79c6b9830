"""ingest.process.decode: bytes -> text, one phenomenon per test."""

from __future__ import annotations

import random

import pytest

from ingest.process.charsets import codec_for
from ingest.process.decode import Decoded, UndecodableError, decode

# our own sentences (simplified and traditional versions of the same facts)
LONG_ZH = (
    "滨江新区今年计划新开工产业项目四十个，总投资约六百亿元，全区生产总值预计突破一千九百亿元。"
)
LONG_ZH_T = (
    "濱江新區今年計劃新開工產業項目四十個，總投資約六百億元，全區生產總值預計突破一千九百億元。"
)
SHORT_ZH = "园区经济"
SHORT_ZH_T = "經濟發展"


def html(body: str, head: str = "") -> str:
    return f"<html><head>{head}<title>Test</title></head><body><p>{body}</p></body></html>"


# ------------------------------------------------------------------ plain cases


@pytest.mark.parametrize("text", [LONG_ZH, SHORT_ZH, "产业", LONG_ZH_T])
def test_utf8_undeclared(text: str) -> None:
    d = decode(text.encode("utf-8"))
    assert d == Decoded(text=text, encoding="utf-8", source="detected")


def test_utf8_with_bom_is_stripped() -> None:
    d = decode(b"\xef\xbb\xbf" + LONG_ZH.encode("utf-8"))
    assert d.text == LONG_ZH
    assert (d.encoding, d.source) == ("utf-8", "bom")


def test_utf16_with_bom() -> None:
    d = decode(LONG_ZH.encode("utf-16"))
    assert d.text == LONG_ZH
    assert d.source == "bom"


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_detected(codec: str) -> None:
    """It was rejected as "binary" (its ASCII half is NUL bytes)."""
    page = "<html><head><title>开发区</title></head><body><p>2023年签约项目83个。</p></body></html>"
    d = decode(page.encode(codec))
    assert (d.text, d.encoding, d.source) == (page, codec, "detected")


def test_ascii_only_page() -> None:
    d = decode(b"<html><body>Plain page 2024</body></html>")
    assert d.encoding == "ascii"
    assert d.source == "detected"


# ------------------------------------------------------------------ declared charsets


def test_gbk_declared_in_meta_charset() -> None:
    raw = html(LONG_ZH, '<meta charset="gb2312">').encode("gbk")
    d = decode(raw)
    assert LONG_ZH in d.text
    assert (d.encoding, d.source) == ("gb18030", "meta")


def test_gbk_declared_in_meta_http_equiv() -> None:
    head = '<meta http-equiv="Content-Type" content="text/html; charset=GBK">'
    d = decode(html(LONG_ZH, head).encode("gbk"))
    assert LONG_ZH in d.text
    assert (d.encoding, d.source) == ("gb18030", "meta")


def test_big5_declared_in_meta() -> None:
    d = decode(html(LONG_ZH_T, '<meta charset="big5">').encode("big5"))
    assert LONG_ZH_T in d.text
    assert d.source == "meta"
    assert d.encoding in ("big5hkscs", "cp950")


def test_header_charset_used() -> None:
    d = decode(LONG_ZH.encode("gbk"), content_type="text/html; charset=gb2312")
    assert (d.text, d.encoding, d.source) == (LONG_ZH, "gb18030", "header")


def test_header_beats_meta() -> None:
    raw = html(LONG_ZH, '<meta charset="gbk">').encode("utf-8")
    d = decode(raw, content_type="text/html; charset=UTF-8")
    assert d.source == "header"
    assert LONG_ZH in d.text


def test_header_says_utf8_but_bytes_are_gbk() -> None:
    d = decode(LONG_ZH.encode("gbk"), content_type="text/html; charset=utf-8")
    assert (d.text, d.encoding, d.source) == (LONG_ZH, "gb18030", "detected")


def test_meta_says_utf8_but_bytes_are_gbk() -> None:
    d = decode(html(LONG_ZH, '<meta charset="utf-8">').encode("gbk"))
    assert LONG_ZH in d.text
    assert d.source == "detected"


def test_header_says_gbk_but_bytes_are_big5() -> None:
    d = decode(LONG_ZH_T.encode("big5"), content_type="text/html; charset=gbk")
    assert d.text == LONG_ZH_T
    assert d.source == "detected"


def test_header_says_big5_but_bytes_are_gbk() -> None:
    d = decode(LONG_ZH.encode("gbk"), content_type="text/html; charset=big5")
    assert d.text == LONG_ZH
    assert d.encoding == "gb18030"


def test_meta_says_gbk_but_bytes_are_utf8() -> None:
    d = decode(html(LONG_ZH, '<meta charset="gbk">').encode("utf-8"))
    assert LONG_ZH in d.text
    assert d.encoding == "utf-8"


def test_meta_says_latin1_but_bytes_are_gbk() -> None:
    d = decode(html(LONG_ZH, '<meta charset="iso-8859-1">').encode("gbk"))
    assert LONG_ZH in d.text


def test_unknown_declared_charset_falls_through() -> None:
    d = decode(LONG_ZH.encode("gbk"), content_type="text/html; charset=x-no-such")
    assert d.text == LONG_ZH
    assert d.source == "detected"


# ------------------------------------------------------------------ detection


@pytest.mark.parametrize("text", [LONG_ZH, SHORT_ZH, "中国", "人民", LONG_ZH * 40])
def test_gbk_undeclared(text: str) -> None:
    d = decode(text.encode("gbk"))
    assert (d.text, d.encoding, d.source) == (text, "gb18030", "detected")


@pytest.mark.parametrize("text", [LONG_ZH_T, SHORT_ZH_T, "產業", LONG_ZH_T * 40])
def test_big5_undeclared(text: str) -> None:
    d = decode(text.encode("big5"))
    assert d.text == text
    assert d.encoding in ("big5hkscs", "cp950")
    assert d.source == "detected"


def test_traditional_text_in_gbk() -> None:
    d = decode(LONG_ZH_T.encode("gb18030"))
    assert (d.text, d.encoding) == (LONG_ZH_T, "gb18030")


def test_gb18030_four_byte_character() -> None:
    text = "这里有一个扩展字𠀀，其余照常。" + LONG_ZH
    d = decode(text.encode("gb18030"))
    assert d.text == text


def test_gbk_with_one_stray_byte_still_decodes() -> None:
    raw = (LONG_ZH * 20).encode("gbk")
    d = decode(raw[:60] + b"\xff" + raw[60:])
    assert LONG_ZH in d.text


def test_mixed_ascii_and_gbk_html() -> None:
    page = html(f"Total 1800 yi yuan / {LONG_ZH}")
    d = decode(page.encode("gbk"))
    assert LONG_ZH in d.text


# ------------------------------------------------------------------ override


def test_override_wins() -> None:
    d = decode(LONG_ZH.encode("gbk"), content_type="text/html; charset=utf-8", override="gbk")
    assert (d.text, d.encoding, d.source) == (LONG_ZH, "gb18030", "override")


def test_override_that_does_not_decode_raises() -> None:
    with pytest.raises(UndecodableError, match="override"):
        decode(LONG_ZH.encode("gbk"), override="utf-8")


# ------------------------------------------------------------------ not text


def test_empty_bytes_raise() -> None:
    with pytest.raises(UndecodableError, match="empty"):
        decode(b"")


def test_random_bytes_raise() -> None:
    rng = random.Random(7)
    for size in (64, 512, 4096):
        raw = bytes(rng.randrange(256) for _ in range(size))
        with pytest.raises(UndecodableError):
            decode(raw)


def test_random_high_bytes_raise() -> None:
    rng = random.Random(11)
    raw = bytes(rng.randrange(1, 256) for _ in range(2000))
    with pytest.raises(UndecodableError):
        decode(raw)


def test_png_raises_with_reason() -> None:
    raw = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    with pytest.raises(UndecodableError, match="PNG"):
        decode(raw)


def test_nul_heavy_raises() -> None:
    raw = b"\x00\x01\x00\x02" * 200 + "文本".encode()
    with pytest.raises(UndecodableError, match="NUL"):
        decode(raw)


def test_control_characters_raise() -> None:
    raw = ("说明" + "\x01\x02\x03" * 20).encode("utf-8")
    with pytest.raises(UndecodableError, match="control"):
        decode(raw)


def test_error_is_value_error_with_short_reason() -> None:
    with pytest.raises(ValueError) as info:
        decode(b"\x00" * 100)
    assert len(str(info.value)) < 60


# ------------------------------------------------------------------ codec mapping


@pytest.mark.parametrize(
    ("label", "codec"),
    [
        ("gb2312", "gb18030"),
        ("GBK", "gb18030"),
        ("x-gbk", "gb18030"),
        ("big5", "big5hkscs"),
        ("cp950", "cp950"),
        ("UTF8", "utf-8"),
        ('"utf-8"', "utf-8"),
        ("no-such-charset", None),
        (None, None),
    ],
)
def test_codec_for(label: str | None, codec: str | None) -> None:
    assert codec_for(label) == codec
