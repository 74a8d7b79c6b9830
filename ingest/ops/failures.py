"""`zonewatch failures`: recent quality-gate runs that blocked or warned, for on-call, and
the pages set aside with `zonewatch exclude` (the current exclusions)."""

from __future__ import annotations

import json
import logging
from typing import Any

from ingest.config import Paths
from ingest.landing.exclusions import Exclusion
from ingest.landing.store import LandingStore

__all__ = ["list_failures", "show_run"]

logger = logging.getLogger(__name__)
logger.addHandler(logging.NullHandler())


def _first(failures: list[dict[str, Any]]) -> str:
    if not failures:
        return ""
    f = failures[0]
    return (f"{f['severity'].upper()} {f['expectation']} on {f['table']} "
            f"({f['unexpected_count']} rows)")


def _excluded(exclusions: list[Exclusion]) -> list[str]:
    """The short section of current exclusions (none: no section)."""
    if not exclusions:
        return []
    lines = ["", f"excluded pages ({len(exclusions)}; left out of every build's facts; "
                 "undo: zonewatch include DOCUMENT_ID):"]
    lines += [f"  {e.document_id}  {e.excluded_at:%Y-%m-%d %H:%M}  by {e.excluded_by}: "
              f"{e.reason}  {e.url}" for e in exclusions]
    return lines


def list_failures(paths: Paths, *, include_passed: bool = False, limit: int = 20) -> str:
    if not paths.landing_db.is_file():
        return f"no runs yet ({paths.landing_db} does not exist)"
    with LandingStore(paths, read_only=True) as store:
        runs = store.validation_runs(failed_only=not include_passed, limit=limit)
        excluded = _excluded(store.exclusions())
    if not runs:
        none = "no failed validations" if not include_passed else "no validations yet"
        return "\n".join([none, *excluded])
    lines = [f"{'run':<32} {'validated_at (UTC)':<20} {'verdict':<8} block warn  first failure"]
    for r in runs:
        failures = json.loads(r["failures"])
        verdict = "passed" if r["passed"] else "BLOCKED"
        lines.append(f"{r['run_id']:<32} {r['validated_at']:%Y-%m-%d %H:%M:%S} {verdict:<8} "
                     f"{r['blocking_count']:>5} {r['warning_count']:>4}  {_first(failures)}")
    lines.append("details: zonewatch failures --run RUN_ID")
    return "\n".join([*lines, *excluded])


def show_run(paths: Paths, run_id: str) -> str | None:
    if not paths.landing_db.is_file():
        return None
    with LandingStore(paths, read_only=True) as store:
        runs = [r for r in store.validation_runs(limit=10_000) if r["run_id"] == run_id]
    if not runs:
        return None
    r = runs[0]
    return f"{r['summary'].rstrip()}\nreport directory: {r['report_dir']}"
