"""When each source is fetched: the sources file's `schedule:`s as fetch groups.

A source's `schedule:` (default `@daily`) puts it in the fetch group of that schedule;
`dags/zonewatch_fetch.py` makes one Airflow DAG per group, and each source's land task
updates the source's own Asset (`landed_asset`). The warehouse DAG (zonewatch_pipeline:
process → dbt_build → gate → publish) is scheduled on those Assets, so a source on
`@hourly` lands hourly and the warehouse follows it. Which sources file: the one
`ZONEWATCH_SOURCES` names (`scheduled_sources_file`); without it there is no fetch
DAG and zonewatch_pipeline runs `@daily` on its own params, as before.

Pure functions of the validated sources (no Airflow import), so the DAG files stay
wiring and this logic is tested without a scheduler.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ingest.fetch.sources import Source, load_sources

__all__ = ["DEFAULT_SCHEDULE", "SOURCES_ENV", "FetchGroup", "fetch_dag_id", "fetch_groups",
           "fetches_itself", "landed_asset", "scheduled_groups", "scheduled_sources_file"]

DEFAULT_SCHEDULE = "@daily"  # a source without `schedule:`; zonewatch_pipeline's own
SOURCES_ENV = "ZONEWATCH_SOURCES"
ASSET_TRIGGERED = "asset_triggered"  # Airflow's DagRunType value
# Presets that are the same schedule under two names share one DAG (Airflow's own
# preset table does not know these aliases).
_ALIASES = {"@midnight": "@daily", "@annually": "@yearly"}


@dataclass(frozen=True)
class FetchGroup:
    """The sources fetched on one schedule: one fetch DAG."""

    schedule: str  # as Airflow takes it: an @preset or a 5-field cron
    dag_id: str
    sources: tuple[str, ...]  # in the sources file's order


def _normal(schedule: str | None) -> str:
    s = schedule or DEFAULT_SCHEDULE
    return _ALIASES.get(s, s)


def fetch_dag_id(schedule: str) -> str:
    """`zonewatch_fetch_hourly` for a preset; for a cron, `zonewatch_fetch_cron_` and
    the fields made id-safe, plus a short hash, since `*/30 6-22` and `30 6,22` would
    otherwise read the same."""
    s = _normal(schedule)
    if s.startswith("@"):
        return f"zonewatch_fetch_{s[1:]}"
    readable = re.sub(r"[^0-9A-Za-z]+", "_", s).strip("_") or "every"
    digest = hashlib.sha1(s.encode(), usedforsecurity=False).hexdigest()[:6]
    return f"zonewatch_fetch_cron_{readable}_{digest}"


def landed_asset(source: str) -> tuple[str, str]:
    """(name, uri) of the Asset a source's land task updates: its new pages are in
    landing.duckdb (`raw_pages`, `fetch_state`, `page_errors`)."""
    return f"zonewatch_landed_{source}", f"zonewatch://landing/{source}"


def fetch_groups(sources: Iterable[Source]) -> tuple[FetchGroup, ...]:
    """One group per distinct schedule, in order of first appearance."""
    by_schedule: dict[str, list[str]] = {}
    for s in sources:
        by_schedule.setdefault(_normal(s.schedule), []).append(s.name)
    return tuple(FetchGroup(schedule=k, dag_id=fetch_dag_id(k), sources=tuple(v))
                 for k, v in by_schedule.items())


def scheduled_sources_file() -> Path | None:
    """The sources file that drives the schedules (`ZONEWATCH_SOURCES`), or None."""
    raw = os.environ.get(SOURCES_ENV, "").strip()
    return Path(raw).expanduser().resolve() if raw else None


def scheduled_groups() -> tuple[FetchGroup, ...]:
    """The fetch groups of `scheduled_sources_file()` (none without it). A bad file
    raises ConfigError (FILE:LINE: what is wrong): the DAG file's import error."""
    path = scheduled_sources_file()
    return fetch_groups(load_sources(path)) if path else ()


def fetches_itself(run_type: object) -> bool:
    """Does a zonewatch_pipeline run of this Airflow run type fetch its sources itself?
    Not when the sources' Assets triggered it: their fetch DAGs fetched and landed."""
    return getattr(run_type, "value", run_type) != ASSET_TRIGGERED
