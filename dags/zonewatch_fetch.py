"""zonewatch_fetch_<schedule>: each source fetched and landed on its own `schedule:`.

Generated from the sources file `ZONEWATCH_SOURCES` names (none without it): one DAG per
distinct schedule (`ingest.fetch.schedules.fetch_groups`), in it per source a `fetch_<name>`
task (discover + fetch into raw files and the run's spool, in parallel, no DuckDB) and a
`land_<name>` task (that spool into landing.duckdb, in the one-slot pool) whose success
updates the source's Asset `zonewatch_landed_<name>`. zonewatch_pipeline is scheduled on
those Assets and takes the landed pages from there. Wiring only: every task body is one
call into `ingest.pipeline`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from airflow.sdk import DAG, Asset, Param, task

from ingest.config import RunConfig, default_warehouse, default_workdir, run_id_from_airflow
from ingest.fetch.schedules import (
    FetchGroup,
    landed_asset,
    scheduled_groups,
    scheduled_sources_file,
)
from ingest.runlock import workdir_lock

POOL = "zonewatch_duckdb"  # the one-slot pool every DuckDB writer shares
FETCH_POOL = "default_pool"  # fetches write raw files and a spool only

DOC_MD = """
### {dag_id}

Fetches the sources whose `schedule:` is `{schedule}` in `{sources_file}`: {sources}.

Per source, `fetch_<name>` discovers and fetches it (robots.txt, per-host rate limit,
conditional GET, last run's failures retried) into raw files and this run's spool,
retried 3 times with backoff; `land_<name>` then lands that spool into `landing.duckdb`
(runs when the fetch failed too, so its errors are recorded and retried next run) and
updates the Asset `zonewatch_landed_<name>`, which schedules `zonewatch_pipeline`
(process → dbt_build → gate → publish).

**Backfill one source:** the `sources` param names the sources a run fetches (default:
all of this DAG's); the others' tasks skip and update no Asset:
`airflow backfill create --dag-id {dag_id} --from-date 2026-11-01 --to-date 2026-11-03
--dag-run-conf '{{"sources": ["NAME"]}}'`, or trigger with the same conf.
"""


def _cfg(params: dict[str, Any], run_id: str | None) -> RunConfig:
    return RunConfig.create(workdir=params["workdir"], warehouse=params["warehouse"],
                            sources_file=params["sources_file"],
                            run_id=run_id_from_airflow(run_id))


def _wanted(params: dict[str, Any], name: str) -> None:
    from airflow.sdk.exceptions import AirflowSkipException

    if name not in (params.get("sources") or ()):
        raise AirflowSkipException(f"{name} is not in this run's sources param")


def _source_tasks(name: str) -> None:
    @task(task_id=f"fetch_{name}", retries=3, retry_delay=timedelta(seconds=30),
          retry_exponential_backoff=2.0, max_retry_delay=timedelta(minutes=10),
          pool=FETCH_POOL)
    def fetch(params: dict[str, Any] | None = None,
              run_id: str | None = None) -> dict[str, Any]:
        from ingest.pipeline import fetch_source_step

        _wanted(params or {}, name)
        return fetch_source_step(_cfg(params or {}, run_id), name).to_xcom()

    # none_skipped: a fetch that failed still lands what it recorded (its errors are kept
    # in page_errors and retried next run); a fetch skipped by the `sources` param skips
    # this too, so that source's Asset is not updated.
    @task(task_id=f"land_{name}", retries=1, retry_delay=timedelta(seconds=30),
          pool=POOL, trigger_rule="none_skipped",
          outlets=[Asset(*landed_asset(name))])
    def land(params: dict[str, Any] | None = None,
             run_id: str | None = None) -> dict[str, Any]:
        from ingest.pipeline import land_step

        _wanted(params or {}, name)
        cfg = _cfg(params or {}, run_id)
        with workdir_lock(cfg.paths.workdir, cfg.run_id):
            return land_step(cfg, source=name).to_xcom()

    fetch() >> land()


def _fetch_dag(group: FetchGroup, sources_file: str) -> DAG:
    with DAG(
        dag_id=group.dag_id,
        schedule=group.schedule,
        start_date=datetime(2025, 1, 1),
        catchup=False,
        max_active_runs=1,
        dagrun_timeout=timedelta(hours=2),
        description=f"fetch + land on {group.schedule}: {', '.join(group.sources)}",
        tags=["zonewatch", "fetch"],
        doc_md=DOC_MD.format(dag_id=group.dag_id, schedule=group.schedule,
                             sources_file=sources_file, sources=", ".join(group.sources)),
        default_args={"owner": "zonewatch"},
        params={
            "sources": Param(list(group.sources), type="array",
                             description="the sources this run fetches (a backfill of one "
                                         "source names only it)"),
            "sources_file": Param(sources_file, type="string"),
            "workdir": Param(str(default_workdir()), type="string"),
            "warehouse": Param(str(default_warehouse()), type="string"),
        },
    ) as dag:
        for name in group.sources:
            _source_tasks(name)
    return dag


for _group in scheduled_groups():  # none without ZONEWATCH_SOURCES
    globals()[_group.dag_id] = _fetch_dag(_group, str(scheduled_sources_file()))
