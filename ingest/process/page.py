"""One landed raw page → one `documents` row and its `mentions` rows.

decode → parse → normalise → extract. A page that cannot be read (binary, empty,
not Chinese) becomes a document with status 'rejected' and the reason, never an
exception that stops the run.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ingest.fetch.headers import header
from ingest.landing.store import RawPage
from ingest.process.decode import UndecodableError, decode
from ingest.process.extract import extract_mentions, extractor_version
from ingest.process.normalise import NormalisedDoc, normalise
from ingest.process.parse import parse

__all__ = ["ProcessedPage", "process_page", "MIN_TEXT_CHARS", "MIN_CJK_SHARE"]

logger = logging.getLogger(__name__)
logger.addHandler(logging.NullHandler())

MIN_TEXT_CHARS = 20
MIN_CJK_SHARE = 0.2
# runs, not characters: findall of one character builds a list of nearly the whole page
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
_SPACE_RUN = re.compile(r"\s+")


@dataclass(frozen=True)
class ProcessedPage:
    document: dict[str, Any]
    mentions: list[dict[str, Any]]
    reject_reason: str | None


def _short_hash(*parts: object) -> str:
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:16]


def cjk_share(text: str) -> float:
    """CJK characters (U+4E00-U+9FFF) over characters that are not whitespace."""
    visible = len(text) - sum(map(len, _SPACE_RUN.findall(text)))
    return sum(map(len, _CJK_RUN.findall(text))) / visible if visible else 0.0


def _join(title: NormalisedDoc | None, body: NormalisedDoc) -> tuple[str, list[int], int]:
    """Title paragraph (if any) then the body, as one text with paragraph starts."""
    if title is None or not title.text:
        return body.text, list(body.paragraph_starts), 0
    shift = len(title.text) + 1
    text = title.text + "\n" + body.text if body.text else title.text
    starts = [*title.paragraph_starts, *(s + shift for s in body.paragraph_starts)]
    return text, starts, len(title.paragraph_starts)


def process_page(raw: RawPage, body: bytes, *,
                 encoding_override: str | None = None) -> ProcessedPage:
    """Turn one raw page into rows for `documents` and `mentions`."""
    now = datetime.now(UTC).replace(tzinfo=None)
    version = extractor_version()
    doc: dict[str, Any] = {
        "document_id": raw.sha256[:16], "sha256": raw.sha256, "url": raw.url, "title": None,
        "published_at": None, "published_at_source": "none", "fetched_at": raw.fetched_at,
        "encoding": None, "encoding_source": None, "text": None, "text_length": 0,
        "cjk_share": None, "status": "rejected", "reject_reason": None,
        "extractor_version": version, "processed_at": now,
    }

    def reject(reason: str) -> ProcessedPage:
        doc["reject_reason"] = reason
        return ProcessedPage(doc, [], reason)

    content_type = header(raw.headers, "Content-Type")
    try:
        decoded = decode(body, content_type, encoding_override)
    except UndecodableError as exc:
        return reject(f"undecodable: {exc}")
    doc["encoding"], doc["encoding_source"] = decoded.encoding, decoded.source
    page = parse(decoded.text, raw.url, raw.sidecar)
    title_norm = normalise([page.title]) if page.title else None
    body_norm = normalise(page.blocks)
    text, starts, title_paragraphs = _join(title_norm, body_norm)
    doc.update(title=title_norm.text if title_norm else None, published_at=page.published_at,
               published_at_source=page.date_source, text=text, text_length=len(text),
               cjk_share=cjk_share(text))
    if len(body_norm.text.strip()) < MIN_TEXT_CHARS:
        return reject(f"no text: {len(body_norm.text.strip())} characters after boilerplate")
    if doc["cjk_share"] < MIN_CJK_SHARE:
        return reject(f"not Chinese: {doc['cjk_share']:.0%} CJK characters")
    doc["status"] = "ok"
    mentions = []
    for m in extract_mentions(text, starts, page.published_at,
                              title_paragraphs=title_paragraphs):
        mentions.append({
            "mention_id": _short_hash(doc["document_id"], m.char_start, m.char_end,
                                      m.indicator_id),
            "document_id": doc["document_id"], "char_start": m.char_start,
            "char_end": m.char_end, "raw_text": m.raw_text, "sentence": m.sentence,
            "value": m.value, "value_high": m.value_high, "unit": m.unit,
            "qualifier": m.qualifier, "indicator_id": m.indicator_id, "category": m.category,
            "status": m.status, "period_start": m.period_start, "period_end": m.period_end,
            "period_basis": m.period_basis, "region_id": m.region_id,
            "region_text": m.region_text, "region_basis": m.region_basis,
            "confidence": m.confidence, "basis": m.basis, "extractor_version": version,
        })
    return ProcessedPage(doc, mentions, None)


