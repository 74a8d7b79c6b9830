"""Raw page bytes -> text, with the encoding and where it came from.

Order of trust: an operator ``override``; a byte-order mark; the charset in
the HTTP ``Content-Type`` header; a ``<meta>`` charset in the first 4 KB;
then detection.  A declared charset is used only if it decodes strictly and
is not clearly wrong (another candidate reads as Chinese much better, e.g.
the header says utf-8 but the bytes are GBK).

Detection tries UTF-8, GB18030 and Big5 first and scores each strict
decoding by how much of its non-ASCII text is common Chinese (GB2312 level 1
or Big5 level 1 characters, CJK punctuation), which is reliable even for a
few characters where byte statistics are not; charset-normalizer is asked
only when no Chinese reading is convincing.  Binary content raises
``UndecodableError`` instead of returning mojibake.
"""

from __future__ import annotations

import codecs
import functools
import logging
import re
from dataclasses import dataclass

import charset_normalizer

from ingest.process.charsets import PLAUSIBLE_GUESSES, codec_for, strict_codec

__all__ = ["Decoded", "UndecodableError", "decode", "chinese_score"]

logger = logging.getLogger(__name__)
logger.addHandler(logging.NullHandler())

META_SCAN_BYTES = 4096
#: non-ASCII characters scored per candidate (enough to tell GBK from Big5)
SCORE_SAMPLE = 4000
#: a reading whose non-ASCII text is at least this Chinese-looking is convincing
CONVINCING = 0.8
#: a declared charset loses to a candidate that beats it by this much
WRONG_MARGIN = 0.3
#: share of control characters that marks binary content
MAX_CONTROL_SHARE = 0.01
#: share of NUL bytes that marks binary content
MAX_NUL_SHARE = 0.001
#: charset-normalizer chaos above this is mojibake
MAX_CHAOS = 0.25
#: U+FFFD share tolerated in the last-resort lenient decoding
MAX_REPLACEMENT_SHARE = 0.002

#: candidates for detection, in tie-break order
DETECT_ORDER = ("utf-8", "gb18030", "big5hkscs", "cp950")

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
#: magic numbers of formats that are never a page
_BINARY_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"%PDF-", "PDF document"),
    (b"PK\x03\x04", "ZIP archive"),
    (b"\x1f\x8b", "gzip data"),
    (b"BM", "BMP image"),
    (b"RIFF", "RIFF media"),
    (b"\x00\x00\x01\x00", "icon"),
)

_CT_CHARSET_RE = re.compile(r"charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:\-]+)", re.I)
_META_RE = re.compile(rb"<meta[^>]*?charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:\-]+)", re.I)
_XML_DECL_RE = re.compile(rb"^\s*<\?xml[^>]*encoding\s*=\s*[\"']([A-Za-z0-9_.:\-]+)", re.I)
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
_NON_ASCII_RE = re.compile(r"[^\x00-\x7f]")


@dataclass(frozen=True)
class Decoded:
    """Decoded page text; ``source`` is bom, header, meta, detected or override."""

    text: str
    encoding: str
    source: str


class UndecodableError(ValueError):
    """The bytes are not text in any charset we can trust; ``str(e)`` says why."""


@functools.lru_cache(maxsize=1)
def _good_chars() -> frozenset[str]:
    """Common hanzi (GB2312 level 1, Big5 level 1) and CJK/general punctuation."""
    chars: set[str] = set()
    for lead in range(0xB0, 0xD8):  # GB2312 level 1: B0A1-D7F9
        chars.update(bytes([lead, t]).decode("gb2312", "ignore") for t in range(0xA1, 0xFF))
    for lead in range(0xA4, 0xC7):  # Big5 level 1: A440-C67E
        for t in (*range(0x40, 0x7F), *range(0xA1, 0xFF)):
            chars.add(bytes([lead, t]).decode("big5", "ignore"))
    chars.update(chr(c) for c in range(0x3000, 0x3020))  # CJK punctuation
    chars.update(chr(c) for c in range(0xFF01, 0xFF5F))  # full-width forms
    chars.update("“”‘’—–…·•●■◆★※－　\u00a0")
    chars.discard("")
    return frozenset(chars)


def chinese_score(text: str) -> tuple[float, int]:
    """(share of sampled non-ASCII chars that are common Chinese, chars sampled)."""
    sample = _NON_ASCII_RE.findall(text, 0, SCORE_SAMPLE * 4)[:SCORE_SAMPLE]
    if not sample:
        return 0.0, 0
    good = _good_chars()
    return sum(ch in good for ch in sample) / len(sample), len(sample)


def _latin_share(text: str) -> float:
    """Share of non-ASCII chars that are accented Latin letters (Western text)."""
    sample = _NON_ASCII_RE.findall(text, 0, SCORE_SAMPLE * 4)[:SCORE_SAMPLE]
    if not sample:
        return 0.0
    return sum("\u00c0" <= ch <= "\u024f" for ch in sample) / len(sample)


def _bomless_utf16(raw: bytes) -> tuple[str, str] | None:
    """UTF-16 saved without a BOM: its ASCII (markup, digits, spaces) puts a NUL in every
    other byte, on the odd side for little-endian and the even side for big-endian, which
    binary files do not. Taken only when it decodes strictly to clean text."""
    if len(raw) < 8 or len(raw) % 2:
        return None
    sample = raw[:8192]
    half = len(sample) // 2
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    for nuls, other, codec in ((odd, even, "utf-16-le"), (even, odd, "utf-16-be")):
        if nuls >= 0.2 * half and other * 10 <= nuls:  # (U+xx00 characters: the rare other)
            try:
                text = raw.decode(codec)
            except UnicodeDecodeError:
                return None
            if _CONTROL_RE.search(text) is None:
                return text, codec
    return None


def _check_binary(raw: bytes) -> None:
    for magic, what in _BINARY_MAGIC:
        if raw.startswith(magic) and (len(magic) > 2 or raw.count(0) > 0):
            raise UndecodableError(f"binary content ({what})")
    if raw.count(0) > max(1, len(raw) * MAX_NUL_SHARE):
        raise UndecodableError("binary content (NUL bytes)")


def _check_text(text: str) -> None:
    if not text:
        return
    controls = len(_CONTROL_RE.findall(text))
    if controls > len(text) * MAX_CONTROL_SHARE:
        raise UndecodableError("binary content (control characters)")


def _declared(raw: bytes, content_type: str | None) -> list[tuple[str, str]]:
    """[(source, codec)] from the header and the first bytes of the page."""
    found: list[tuple[str, str]] = []
    if content_type:
        m = _CT_CHARSET_RE.search(content_type)
        codec = codec_for(m.group(1)) if m else None
        if codec:
            found.append(("header", codec))
        elif m:
            logger.debug("unknown charset %r in Content-Type", m.group(1))
    head = raw[:META_SCAN_BYTES]
    m2 = _META_RE.search(head) or _XML_DECL_RE.search(head)
    if m2:
        codec = codec_for(m2.group(1).decode("ascii", "ignore"))
        if codec:
            found.append(("meta", codec))
        else:
            logger.debug("unknown charset %r in <meta>", m2.group(1))
    return found


def _candidates(raw: bytes) -> list[tuple[float, int, str, str]]:
    """Strict CJK-family readings as (score, -order, codec, text), best first."""
    out: list[tuple[float, int, str, str]] = []
    seen: set[str] = set()
    for order, codec in enumerate(DETECT_ORDER):
        try:
            text = raw.decode(codec)
        except UnicodeDecodeError:
            continue
        if text in seen:
            continue
        seen.add(text)
        score, _ = chinese_score(text)
        out.append((score, -order, codec, text))
    out.sort(reverse=True)
    return out


def _normaliser_guess(raw: bytes) -> tuple[str, str] | None:
    """charset-normalizer's best reading, if it is not mojibake."""
    best = charset_normalizer.from_bytes(raw).best()
    if best is None:
        return None
    try:
        name = codecs.lookup(best.encoding).name
    except LookupError:
        return None
    if name not in PLAUSIBLE_GUESSES:
        logger.debug("ignoring implausible charset-normalizer guess %s", name)
        return None  # e.g. utf-16 without BOM, EBCDIC: noise read into binary
    if best.chaos > MAX_CHAOS:
        logger.debug("charset-normalizer guess %s too chaotic (%.2f)", best.encoding, best.chaos)
        return None
    codec = codec_for(best.encoding) or best.encoding
    found = strict_codec(raw, codec)
    return (found[0], found[1]) if found else None


def _lenient(raw: bytes, codecs_to_try: list[str]) -> tuple[str, str] | None:
    """Last resort: a reading with only a few undecodable bytes."""
    best: tuple[int, float, str, str] | None = None
    for codec in codecs_to_try:
        text = raw.decode(codec, errors="replace")
        bad = text.count("\ufffd")
        if bad > len(text) * MAX_REPLACEMENT_SHARE:
            continue
        score, _ = chinese_score(text)
        if score < CONVINCING:
            continue
        if best is None or (-bad, score) > (-best[0], best[1]):
            best = (bad, score, codec, text)
    return (best[3], best[2]) if best else None


def _finish(text: str, encoding: str, source: str) -> Decoded:
    _check_text(text)
    logger.debug("decoded as %s (%s)", encoding, source)
    return Decoded(text=text, encoding=encoding, source=source)


def decode(raw: bytes, content_type: str | None = None, override: str | None = None) -> Decoded:
    """Decode page bytes; raises ``UndecodableError`` for binary or hopeless input.

    The evidence for an encoding is tried in one fixed order and the first that holds
    decides: the override, a BOM, BOM-less UTF-16, then (binary content refused) pure
    ASCII, a declared charset (header, meta) that is not clearly wrong, detection."""
    if not raw:
        raise UndecodableError("empty content")
    if override:
        return _by_override(raw, override)
    by_bom = _by_bom(raw)
    if by_bom is not None:
        return by_bom
    bomless = _bomless_utf16(raw)
    if bomless is not None:
        return _finish(bomless[0], bomless[1], "detected")
    _check_binary(raw)
    declared = _declared(raw, content_type)
    if raw.isascii():
        source, codec = declared[0] if declared else ("detected", "ascii")
        return _finish(raw.decode("ascii"), codec, source)
    by_declared, candidates = _by_declared(raw, declared)
    if by_declared is not None:
        return by_declared
    return _detected(raw, declared, candidates)


def _by_override(raw: bytes, override: str) -> Decoded:
    """The operator's charset, which must decode the bytes strictly."""
    codec = codec_for(override)
    if codec is None:
        raise UndecodableError(f"unknown override charset {override!r}")
    found = strict_codec(raw, codec)
    if found is None:
        raise UndecodableError(f"override charset {override} does not decode it")
    return _finish(found[0], found[1], "override")


def _by_bom(raw: bytes) -> Decoded | None:
    """The reading a byte-order mark names, when the bytes after it decode."""
    for bom, codec in _BOMS:
        if raw.startswith(bom):
            try:
                return _finish(raw.decode(codec), codec.removesuffix("-sig"), "bom")
            except UnicodeDecodeError:
                logger.debug("BOM %s present but content does not decode", codec)
                break
    return None


Candidates = list[tuple[float, int, str, str]]


def _by_declared(raw: bytes, declared: list[tuple[str, str]]
                 ) -> tuple[Decoded | None, Candidates | None]:
    """The first declared charset that decodes strictly and is not clearly wrong (a
    detected reading beats an unconvincing one by WRONG_MARGIN), and the detection
    candidates if judging it needed them."""
    candidates: Candidates | None = None
    for source, codec in declared:
        found = strict_codec(raw, codec)
        if found is None:
            logger.debug("declared %s (%s) does not decode strictly", codec, source)
            continue
        text, used = found
        score = 1.0 if used == "utf-8" else chinese_score(text)[0]
        if score < CONVINCING:
            candidates = candidates if candidates is not None else _candidates(raw)
            if candidates and candidates[0][0] >= max(CONVINCING, score + WRONG_MARGIN):
                logger.debug("declared %s (%s) is clearly wrong", codec, source)
                continue
        return _finish(text, used, source), candidates
    return None, candidates


def _detected(raw: bytes, declared: list[tuple[str, str]],
              candidates: Candidates | None) -> Decoded:
    """Detection: clean UTF-8 Chinese at once, else the best-scoring CJK reading (UTF-8
    unless clearly beaten), charset-normalizer's guess, a lenient reading; or
    UndecodableError."""
    if candidates is None:
        try:  # fast path: most pages are clean UTF-8 Chinese
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            if chinese_score(text)[0] >= CONVINCING:
                return _finish(text, "utf-8", "detected")
        candidates = _candidates(raw)
    best = candidates[0] if candidates else None
    utf8 = next((c for c in candidates if c[2] == "utf-8"), None)
    if utf8 is not None and best is not None:
        beaten = best[0] >= max(CONVINCING, utf8[0] + WRONG_MARGIN)
        if not beaten or _latin_share(utf8[3]) >= 0.5:
            return _finish(utf8[3], "utf-8", "detected")
    if best is not None and best[0] >= CONVINCING:
        return _finish(best[3], best[2], "detected")
    guess = _normaliser_guess(raw)
    if guess is not None:
        return _finish(guess[0], guess[1], "detected")
    fallback = _lenient(raw, [c for _, c in declared] + list(DETECT_ORDER))
    if fallback is not None:
        return _finish(fallback[0], fallback[1], "detected")
    raise UndecodableError("no charset decodes it cleanly")
