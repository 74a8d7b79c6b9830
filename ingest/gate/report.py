"""What the gate decided and how it reads: `Failure`, `GateResult`, and the two report
files (`gate.json`, every expectation's outcome; `summary.txt`, what on-call reads first)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from ingest.gate.spec import GateSpec

__all__ = ["Failure", "GateResult", "write_reports"]


@dataclass(frozen=True)
class Failure:
    """One expectation that did not pass on one table."""

    suite: str
    expectation: str
    table: str
    severity: str  # "block" | "warn" | "quarantine"
    unexpected_count: int | None  # rows (or tables, for row_counts) that failed; None: errored
    examples: tuple[Mapping[str, Any], ...]
    hint: str
    element_count: int | None = None
    error: str | None = None


@dataclass(frozen=True)
class GateResult:
    passed: bool
    blocking: tuple[Failure, ...]
    warnings: tuple[Failure, ...]
    report_path: Path
    summary_path: Path
    docs_path: Path | None
    expectations_run: int = 0
    seconds: float = 0.0
    # Row-level mention failures set aside rather than blocking: every failing row, with
    # the expectation that failed it (the pipeline quarantines them and rebuilds).
    quarantined: tuple[Failure, ...] = ()
    quarantine_rows: tuple[Mapping[str, Any], ...] = ()



def write_reports(res: GateResult, outcomes: list[dict[str, Any]], build_db: Path,
                   published_db: Path | None, spec: GateSpec, rows: dict[str, int],
                   t_read: float) -> None:
    doc = {
        "passed": res.passed,
        "build_db": str(build_db),
        "published_db": str(published_db) if published_db else None,
        "config": str(spec.source),
        "seconds": res.seconds,
        "read_seconds": round(t_read, 3),
        "rows": rows,
        "blocking": [asdict(f) for f in res.blocking],
        "warnings": [asdict(f) for f in res.warnings],
        "quarantined": [asdict(f) for f in res.quarantined],
        "quarantine_rows": list(res.quarantine_rows),
        "expectations": outcomes,
        "docs": str(res.docs_path) if res.docs_path else None,
    }
    res.report_path.write_text(json.dumps(doc, ensure_ascii=False, indent=2, default=str),
                               encoding="utf-8")
    res.summary_path.write_text(_summary_text(res, build_db, published_db, rows),
                                encoding="utf-8")


def _summary_text(res: GateResult, build_db: Path, published_db: Path | None,
                  rows: dict[str, int]) -> str:
    verdict = "PASSED" if res.passed else "BLOCKED - not published"
    lines = [
        f"zonewatch quality gate: {verdict}",
        f"{len(res.blocking)} blocking, {len(res.warnings)} warning(s); "
        f"{res.expectations_run} expectations on {len(rows)} tables in {res.seconds:.1f}s",
        f"build copy: {build_db}",
        f"compared with published: {published_db or 'none'}",
        "",
    ]
    if res.quarantine_rows:
        lines += [f"{len(res.quarantine_rows)} mention(s) quarantined: set aside with their "
                  "reason (table `quarantine`), not published; the rest goes on", ""]
    for f in (*res.blocking, *res.quarantined, *res.warnings):
        label = {"block": "BLOCK", "quarantine": "QUAR "}.get(f.severity, "WARN ")
        if f.unexpected_count is None:
            what = f"errored: {f.error}" if f.error else "failed"
        else:
            total = f" of {f.element_count}" if f.element_count is not None else ""
            what = f"{f.unexpected_count}{total} rows unexpected"
        lines.append(f"{label} {f.expectation} on {f.table} ({f.suite}): {what}")
        if f.hint:
            lines.append(f"      first look: {f.hint}")
        for i, ex in enumerate(f.examples, 1):
            lines.append(f"      example {i}:")
            for k, v in ex.items():
                if v is not None:
                    lines.append(f"        {k}: {v}")
        lines.append("")
    if not res.blocking and not res.warnings and not res.quarantined:
        lines += ["every expectation passed", ""]
    lines.append(f"details: {res.report_path}")
    if res.docs_path:
        lines.append(f"Data Docs: {res.docs_path}")
    return "\n".join(lines) + "\n"
