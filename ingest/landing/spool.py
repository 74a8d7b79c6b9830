"""The fetch spool: one JSON line per fetched URL, the hand-off from fetchers to land.

Fetchers never write DuckDB. They write raw bytes to `raw/<sha[:2]>/<sha256>` and a
`SpoolRecord` per URL to `spool/<run_id>/<source>.jsonl` with `SpoolWriter`; the
single-writer land step reads them back with `read_spool` (see docs/design.md,
"Fetching"). Every line is flushed and fsynced as it is written, so a crash loses at
most the line being written; readers skip a torn or unreadable line (logged).
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from ingest.config import Paths

__all__ = ["SpoolRecord", "SpoolWriter", "read_spool", "spool_dir", "spool_path"]

logger = logging.getLogger(__name__)
logger.addHandler(logging.NullHandler())


@dataclass(frozen=True)
class SpoolRecord:
    """What happened to one canonical URL in one run."""

    source: str
    url: str  # canonical
    requested_url: str
    final_url: str | None
    fetched_at: datetime
    status: int | None
    headers: dict[str, str] = field(default_factory=dict)
    sha256: str | None = None  # NULL when no body
    size: int | None = None
    not_modified: bool = False  # a 304
    etag: str | None = None
    last_modified: str | None = None
    error: str | None = None  # NULL when fine
    published_hint: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and (self.sha256 is not None or self.not_modified)

    def to_json(self) -> str:
        d = asdict(self)
        ts = self.fetched_at
        if ts.tzinfo is None:
            ts = ts.replace(tzinfo=UTC)
        d["fetched_at"] = ts.astimezone(UTC).isoformat()
        return json.dumps(d, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> SpoolRecord:
        ts = datetime.fromisoformat(str(d["fetched_at"]))
        if ts.tzinfo is None:
            ts = ts.replace(tzinfo=UTC)
        headers = d.get("headers") or {}
        if not isinstance(headers, dict):
            raise ValueError("headers must be an object")
        return cls(
            source=str(d["source"]), url=str(d["url"]),
            requested_url=str(d.get("requested_url") or d["url"]),
            final_url=d.get("final_url"), fetched_at=ts, status=d.get("status"),
            headers={str(k): str(v) for k, v in headers.items()},
            sha256=d.get("sha256"), size=d.get("size"),
            not_modified=bool(d.get("not_modified", False)), etag=d.get("etag"),
            last_modified=d.get("last_modified"), error=d.get("error"),
            published_hint=d.get("published_hint"))


def _paths(workdir: str | Path | Paths) -> Paths:
    return workdir if isinstance(workdir, Paths) else Paths.create(workdir)


def spool_dir(workdir: str | Path | Paths, run_id: str) -> Path:
    if not run_id or "/" in run_id or "\\" in run_id or run_id.startswith("."):
        raise ValueError(f"bad run id {run_id!r}")
    return _paths(workdir).workdir / "spool" / run_id


def spool_path(workdir: str | Path | Paths, run_id: str, source: str) -> Path:
    if not source or "/" in source or "\\" in source or source.startswith("."):
        raise ValueError(f"bad source name {source!r}")
    return spool_dir(workdir, run_id) / f"{source}.jsonl"


class SpoolWriter:
    """Appends records to `spool/<run_id>/<source>.jsonl`; thread-safe; a context manager."""

    def __init__(self, workdir: str | Path | Paths, run_id: str, source: str) -> None:
        self.path = spool_path(workdir, run_id, source)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._fh = open(self.path, "ab")  # noqa: SIM115 - closed in close()
        self.count = 0
        # a torn last line from a crashed writer stays torn: start on a fresh line
        if self._fh.tell() > 0:
            with open(self.path, "rb") as fh:
                fh.seek(-1, os.SEEK_END)
                if fh.read(1) != b"\n":
                    self._fh.write(b"\n")

    def write(self, record: SpoolRecord) -> None:
        line = record.to_json().encode("utf-8") + b"\n"
        with self._lock:
            if self._fh.closed:
                raise ValueError("SpoolWriter is closed")
            self._fh.write(line)
            self._fh.flush()
            os.fsync(self._fh.fileno())
            self.count += 1

    def close(self) -> None:
        with self._lock:
            if not self._fh.closed:
                self._fh.close()

    def __enter__(self) -> SpoolWriter:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def _read_file(path: Path) -> Iterator[SpoolRecord]:
    with open(path, "rb") as fh:
        for n, raw in enumerate(fh, 1):
            if not raw.strip():
                continue
            try:
                yield SpoolRecord.from_dict(json.loads(raw.decode("utf-8")))
            except (UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
                torn = not raw.endswith(b"\n")
                logger.warning("%s:%d: skipping %s spool line (%s)", path, n,
                               "torn" if torn else "unreadable", exc.__class__.__name__)


def read_spool(workdir: str | Path | Paths, run_id: str,
               source: str | None = None) -> Iterator[SpoolRecord]:
    """Every readable record of a run (one source's, or all sources' in name order)."""
    if source is not None:
        files = [spool_path(workdir, run_id, source)]
    else:
        files = sorted(spool_dir(workdir, run_id).glob("*.jsonl"))
    for f in files:
        if f.is_file():
            yield from _read_file(f)
