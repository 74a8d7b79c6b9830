"""What the gate decided and how it reads: `Failure`, `GateResult`, and the two report
files (`gate.json`, every expectation's outcome; `summary.txt`, what on-call reads first)."""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from ingest.gate.spec import GateSpec

__all__ = ["Failure", "GateResult", "set_aside_command", "write_reports"]

# Tables built from pages' mentions by the intermediate models, which leave the pages of
# the exclusion ledger out: `zonewatch exclude` takes a page's rows out of these. The
# staging frames (stg_landing__*) and dim_document keep every page, so a failure there
# gets no command (setting the page aside would not change it).
LEDGER_REACHES = frozenset({"fct_investment", "fct_output", "fct_compute", "fct_mentions"})
# Example columns that name the page, best first.
PAGE_COLUMNS = ("document_id", "url", "source_url")


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


def _workdir_of(build_db: Path) -> Path | None:
    """The workdir of a pipeline build copy (`<workdir>/build/warehouse.duckdb`)."""
    workdir = build_db.parent.parent
    if build_db.parent.name == "build" and (workdir / "landing.duckdb").is_file():
        return workdir
    return None


def set_aside_command(f: Failure, example: Mapping[str, Any],
                      workdir: Path | None = None) -> str | None:
    """`zonewatch exclude <page> --reason "<expectation>"` for the page an example of a
    blocking failure comes from, when setting that page aside takes the row out (the
    failure's table is in LEDGER_REACHES); None otherwise."""
    if f.severity != "block" or f.table not in LEDGER_REACHES:
        return None
    page = next((str(example[c]) for c in PAGE_COLUMNS if example.get(c)), None)
    if page is None:
        return None
    reason = (f'"{f.expectation}"' if re.fullmatch(r"[\w.:-]+", f.expectation)
              else shlex.quote(f.expectation))
    where = f" --workdir {shlex.quote(str(workdir))}" if workdir else ""
    return f"zonewatch exclude {shlex.quote(page)} --reason {reason}{where}"


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
    workdir = _workdir_of(build_db)
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
        commands: list[str] = []  # one per page, however many of its rows are shown
        for i, ex in enumerate(f.examples, 1):
            lines.append(f"      example {i}:")
            for k, v in ex.items():
                if v is not None:
                    lines.append(f"        {k}: {v}")
            command = set_aside_command(f, ex, workdir)
            if command and command not in commands:
                commands.append(command)
                lines.append(f"      set it aside: {command}")
        lines.append("")
    if not res.blocking and not res.warnings and not res.quarantined:
        lines += ["every expectation passed", ""]
    lines.append(f"details: {res.report_path}")
    if res.docs_path:
        lines.append(f"Data Docs: {res.docs_path}")
    return "\n".join(lines) + "\n"
