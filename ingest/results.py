"""What each pipeline step hands back: small frozen records, typed for the CLI and the
tests, and `to_xcom()` for Airflow (plain JSON values, the same keys as the fields)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["Built", "Gated", "Landed", "Processed", "Published", "RunResult", "SourceFetched",
           "StepResult"]


@dataclass(frozen=True)
class StepResult:
    def to_xcom(self) -> dict[str, Any]:
        """The record as a JSON-ready dict (what a DAG task returns)."""
        return asdict(self)


@dataclass(frozen=True)
class SourceFetched(StepResult):
    """One source discovered and fetched into raw files and the run's spool."""

    source: str
    discovered: int = 0
    skipped_fresh: int = 0  # fetched recently enough not to ask again
    discovery_errors: int = 0
    fetched: int = 0
    not_modified: int = 0  # 304s
    errors: int = 0
    seconds: float = 0.0
    failed: str | None = None  # why the whole source failed (every page, or its config)


@dataclass(frozen=True)
class Landed(StepResult):
    """Pages read (an --input dir, or this run's fetch spool) and landed."""

    pages_seen: int
    landed_new: int
    errors: int
    sources: tuple[SourceFetched, ...] = ()  # a --sources run: what each source fetched


@dataclass(frozen=True)
class Processed(StepResult):
    pages_processed: int
    pages_rejected: int
    mentions: int


@dataclass(frozen=True)
class Built(StepResult):
    build_db: str
    dbt_nodes: int
    incremental: bool
    new_staging_rows: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Gated(StepResult):
    passed: bool
    warnings: int
    quarantined: int
    report_dir: str
    summary_path: str
    docs_path: str | None


@dataclass(frozen=True)
class Published(StepResult):
    warehouse: str


@dataclass(frozen=True)
class RunResult(StepResult):
    """One whole run, step by step. A run with nothing new since the published warehouse
    was built has no build, gate or publish step; `unchanged` says why."""

    run_id: str
    land: Landed
    process: Processed
    build: Built | None = None
    gate: Gated | None = None
    publish: Published | None = None
    unchanged: str | None = None
