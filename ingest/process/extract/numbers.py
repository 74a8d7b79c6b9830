"""Numerals as printed in Chinese prose → exact Decimals.

Handles Arabic digits with thousands separators and decimals (``1,800``, ``12.5``),
Chinese numerals (``三千``, ``一千二百``, ``两``), and mixed forms with the large
multipliers 万/亿 (``1.2万亿``, ``3万``, ``三千亿``).
"""

from __future__ import annotations

import logging
import re
from decimal import Decimal, InvalidOperation

__all__ = ["NUMBER_RE", "parse_number", "MULTIPLIERS"]

logger = logging.getLogger(__name__)
logger.addHandler(logging.NullHandler())

_DIGITS = {"零": 0, "〇": 0, "○": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
           "六": 6, "七": 7, "八": 8, "九": 9}
_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
# 兆 is 10^12 in Taiwan and Hong Kong money (3兆3757.93億元); with 瓦/帕/赫 it is mega, but
# those carry no unit we measure, so such a number never becomes a quantity.
MULTIPLIERS = {"万": Decimal(10) ** 4, "亿": Decimal(10) ** 8, "兆": Decimal(10) ** 12}

_ARABIC = r"\d+(?:,\d{3})+(?!\d)(?:\.\d+)?|\d+(?:\.\d+)?"
# 一千五百九十点五九 / 二点五 (Macau and Hong Kong papers print decimals in words)
_CN = r"[零〇○一二两三四五六七八九十百千]+(?:点[零〇○一二三四五六七八九]+)?"
# A number: digits (optionally with 十/百/千 before a large multiplier: 3千万) or Chinese
# numerals, then any run of 万/亿 (万亿, 亿亿).
# 1亿5000万 is one number; "1800 亿" (a stray space) too.
# (The lookahead names the characters a number starts with: it changes no match, but the
# scan skips every other position at once.)
_NUMBER_FIRST = r"[\d零〇○一二两三四五六七八九十百千]"
NUMBER_RE = re.compile(
    rf"(?={_NUMBER_FIRST})"
    rf"(?:(?:{_ARABIC})(?: ?[十百千]?[万亿兆]+(?:\d+(?:\.\d+)?[十百千]?[万亿]+)*)?"
    rf"|{_CN}(?:[万亿兆]+)?)")


def _parse_cn_small(s: str) -> int:
    """Chinese numeral below 10,000: 一千二百 → 1200, 十五 → 15, 两 → 2."""
    total, digit = 0, None
    for ch in s:
        if ch in _DIGITS:
            digit = _DIGITS[ch]
        elif ch in _SMALL_UNITS:
            total += (1 if digit is None else digit) * _SMALL_UNITS[ch]
            digit = None
        else:
            raise ValueError(f"not a Chinese numeral: {s!r}")
    if digit is not None:
        total += digit
    return total


def _parse_plain(s: str) -> Decimal:
    if s and (s[0].isdigit()):
        scale = 1
        if s[-1] in _SMALL_UNITS:  # 3千(万): digits times 十/百/千
            s, scale = s[:-1], _SMALL_UNITS[s[-1]]
        try:
            return Decimal(s.replace(",", "")) * scale
        except InvalidOperation as exc:
            raise ValueError(f"not a number: {s!r}") from exc
    if "点" in s:  # 二十五点七三: the integer in words, then digit by digit
        whole, _, frac = s.partition("点")
        return (Decimal(_parse_cn_small(whole)) if whole else Decimal(0)) + Decimal(
            "0." + "".join(str(_DIGITS[ch]) for ch in frac))
    if s and all(ch in _DIGITS for ch in s) and len(s) > 1:
        # digit-by-digit reading: 二〇二五 → 2025
        return Decimal("".join(str(_DIGITS[ch]) for ch in s))
    return Decimal(_parse_cn_small(s))


def parse_number(text: str) -> Decimal:
    """Parse a numeral (as matched by NUMBER_RE) into an exact Decimal.

    >>> parse_number("1.2万亿")
    Decimal('1200000000000.0')
    """
    s = text.strip().replace(" ", "")
    if not s:
        raise ValueError("empty number")
    # Segments end at a run of 万/亿: 1亿5000万 = 1×亿 + 5000×万; 1.2万亿 = 1.2×万×亿.
    total = Decimal(0)
    current = ""
    i = 0
    while i < len(s):
        if s[i] in MULTIPLIERS:
            mult = Decimal(1)
            while i < len(s) and s[i] in MULTIPLIERS:
                mult *= MULTIPLIERS[s[i]]
                i += 1
            total += (_parse_plain(current) if current else Decimal(1)) * mult
            current = ""
            continue
        current += s[i]
        i += 1
    if current:
        total += _parse_plain(current)
    return total
