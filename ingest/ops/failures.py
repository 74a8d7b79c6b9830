"""`zonewatch failures`: recent quality-gate runs that blocked or warned, for on-call, and
the pages set aside with `zonewatch exclude` (the current exclusions)."""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import unquote

from ingest.config import Paths, run_id_from_airflow
from ingest.landing.exclusions import Exclusion
from ingest.landing.store import LandingStore

__all__ = ["list_failures", "run_id_candidates", "show_run", "unknown_run"]

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
    width = max(32, *(len(r["run_id"]) for r in runs))
    lines = [f"{'run':<{width}} {'validated_at (UTC)':<20} {'verdict':<8} block warn  "
             "first failure"]
    for r in runs:
        failures = json.loads(r["failures"])
        verdict = "passed" if r["passed"] else "BLOCKED"
        lines.append(f"{r['run_id']:<{width}} {r['validated_at']:%Y-%m-%d %H:%M:%S} {verdict:<8} "
                     f"{r['blocking_count']:>5} {r['warning_count']:>4}  {_first(failures)}")
    lines.append("details: zonewatch failures --run RUN_ID")
    return "\n".join([*lines, *excluded])


def run_id_candidates(run_id: str) -> list[str]:
    """The project run ids `run_id` may name: itself, and the run id the DAG derives from
    an Airflow run id (`manual__2026-12-02T14:00:00.123456+00:00`, as the UI shows it or
    URL-encoded as in its address bar; `scheduled__…`, `backfill__…`, `dags test` runs)."""
    out = [run_id.strip()]
    for form in (run_id.strip(), unquote(run_id.strip())):
        derived = run_id_from_airflow(form)
        if derived and derived not in out:
            out.append(derived)
    return out


def show_run(paths: Paths, run_id: str) -> str | None:
    """One run in full, by its run id or its Airflow run id; None: no such run."""
    if not paths.landing_db.is_file():
        return None
    wanted = run_id_candidates(run_id)
    with LandingStore(paths, read_only=True) as store:
        runs = [r for r in store.validation_runs(limit=10_000) if r["run_id"] in wanted]
    if not runs:
        return None
    r = runs[0]
    return f"{r['summary'].rstrip()}\nreport directory: {r['report_dir']}"


def unknown_run(paths: Paths, run_id: str, *, latest: int = 5) -> str:
    """The one line for a run id no validation run has: the latest few ids to pick from."""
    if not paths.landing_db.is_file():
        return f"no validation run {run_id!r}: no landing zone at {paths.landing_db}"
    with LandingStore(paths, read_only=True) as store:
        ids = [r["run_id"] for r in store.validation_runs(limit=latest)]
    if not ids:
        return f"no validation run {run_id!r}: no validations yet in {paths.landing_db}"
    return (f"no validation run {run_id!r} in {paths.landing_db}; latest: {', '.join(ids)} "
            "(zonewatch failures --all lists them)")
