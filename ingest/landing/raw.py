"""Raw bytes on disk, content-addressed: `raw/<sha[:2]>/<sha256>`, written atomically
(temp file, fsync, `os.replace`, directory fsync), and the `raw_pages` row that names them."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

__all__ = ["RAW_PAGE_COLUMNS", "TMP_PREFIX", "fsync_dir", "raw_file_path", "raw_page_row",
           "sha256_hex", "utc_naive", "write_raw_file"]

logger = logging.getLogger(__name__)
logger.addHandler(logging.NullHandler())

TMP_PREFIX = ".tmp-"
RAW_PAGE_COLUMNS = ("sha256", "url", "source", "fetched_at", "http_status", "headers", "size",
                    "path", "sidecar")


def sha256_hex(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def utc_naive(ts: datetime | None) -> datetime:
    """DuckDB TIMESTAMP columns hold naive UTC."""
    ts = ts or datetime.now(UTC)
    if ts.tzinfo is not None:
        ts = ts.astimezone(UTC).replace(tzinfo=None)
    return ts


def fsync_dir(d: Path) -> None:
    """Make a rename in `d` durable; a platform that cannot sync a directory is logged at
    debug level (the file itself was synced)."""
    try:
        fd = os.open(d, os.O_RDONLY)
    except OSError:  # some platforms cannot open a directory; the data file is synced anyway
        return
    try:
        os.fsync(fd)
    except OSError:
        logger.debug("directory fsync not supported for %s", d)
    finally:
        os.close(fd)


def raw_page_row(sha256: str, url: str, source: str | None, fetched_at: datetime,
                  http_status: int | None, headers: Mapping[str, str] | None, size: int,
                  path: str, sidecar: Mapping[str, Any] | None) -> tuple[Any, ...]:
    """One `raw_pages` row in RAW_PAGE_COLUMNS order (JSON text for headers and sidecar)."""

    def as_json(d: Mapping[str, Any] | None) -> str | None:
        return None if d is None else json.dumps(dict(d), ensure_ascii=False, sort_keys=True)

    return (sha256, url, source, utc_naive(fetched_at), http_status, as_json(headers), size,
            path, as_json(sidecar))


def raw_file_path(raw_dir: Path, sha256: str) -> Path:
    """Where content `sha256` lives under `raw_dir` (`raw/<sha[:2]>/<sha256>`)."""
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError(f"not a sha256 hex digest: {sha256!r}")
    return raw_dir / sha256[:2] / sha256


def write_raw_file(raw_dir: Path, sha256: str, body: bytes) -> Path:
    """Write `body` to its content-addressed path atomically (temp file, fsync,
    `os.replace`, directory fsync) -- the same layout and steps as
    `LandingStore.land`, usable by fetchers that must not open DuckDB.
    Concurrent writers of the same content are safe (same bytes, atomic replace)."""
    dest = raw_file_path(raw_dir, sha256)
    if dest.is_file() and dest.stat().st_size == len(body):
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f"{TMP_PREFIX}{sha256[:12]}-", dir=dest.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(body)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp_name, dest)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise
    fsync_dir(dest.parent)
    return dest


