"""Charset labels and the codecs they stand for: what a page declares (`charset=` in a
header or a `<meta>`) mapped to the codec that really reads such pages (supersets for
the CJK families: GB2312 and GBK read as GB18030, Big5 as Big5-HKSCS, Latin-1 as
cp1252), a strict decoding that tries the other Big5 variant too, and the guesses of
charset-normalizer believed for a web page. Used by `ingest.process.decode`.
"""

from __future__ import annotations

import codecs

__all__ = ["CODEC_ALIASES", "PLAUSIBLE_GUESSES", "codec_for", "strict_codec"]

#: declared label (lower case) -> codec actually used (supersets for CJK)
CODEC_ALIASES: dict[str, str] = {
    **dict.fromkeys(
        [
            "gb2312",
            "gbk",
            "gb18030",
            "x-gbk",
            "cp936",
            "ms936",
            "windows-936",
            "euc-cn",
            "csgb2312",
            "gb_2312-80",
            "gb_2312",
            "chinese",
            "iso-ir-58",
            "csgbk",
        ],
        "gb18030",
    ),
    **dict.fromkeys(
        ["big5", "big-5", "cn-big5", "csbig5", "x-x-big5", "x-big5", "big5-hkscs", "big5hkscs"],
        "big5hkscs",
    ),
    **dict.fromkeys(["cp950", "ms950", "windows-950"], "cp950"),
    **dict.fromkeys(["utf8", "utf-8", "unicode-1-1-utf-8", "x-unicode20utf8"], "utf-8"),
    **dict.fromkeys(
        ["iso-8859-1", "latin1", "latin-1", "l1", "us-ascii", "ascii", "windows-1252", "cp1252"],
        "cp1252",
    ),
}
#: what a Big5 family label is also tried as when the first codec fails
BIG5_FALLBACK = {"big5hkscs": "cp950", "cp950": "big5hkscs"}
#: charset-normalizer guesses we believe for web pages (others are noise on binary input)
PLAUSIBLE_GUESSES = frozenset(
    codecs.lookup(name).name
    for name in (
        "utf-8",
        "ascii",
        "gb18030",
        "gbk",
        "gb2312",
        "big5",
        "big5hkscs",
        "cp950",
        "cp1252",
        "latin-1",
        "iso8859-15",
        "cp1250",
        "iso8859-2",
        "cp1251",
        "koi8-r",
        "iso8859-5",
        "shift_jis",
        "cp932",
        "euc_jp",
        "euc_kr",
        "cp949",
    )
)


def codec_for(label: str | None) -> str | None:
    """Python codec for a declared charset label, or None if unknown."""
    if not label:
        return None
    key = label.strip().strip("\"'").lower()
    if key in CODEC_ALIASES:
        return CODEC_ALIASES[key]
    try:
        name = codecs.lookup(key).name
    except LookupError:
        return None
    return CODEC_ALIASES.get(name, name)


def strict_codec(raw: bytes, codec: str) -> tuple[str, str] | None:
    """(text, codec that worked), trying the other Big5 variant too."""
    for c in (codec, BIG5_FALLBACK.get(codec)):
        if c is None:
            continue
        try:
            return raw.decode(c), c
        except (UnicodeDecodeError, LookupError):
            continue
    return None
