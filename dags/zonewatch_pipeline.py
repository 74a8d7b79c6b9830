"""zonewatch_pipeline: land → process → dbt_build → gate → publish, daily or after any
source landed (per-source schedules: dags/zonewatch_fetch.py).

Wiring only: every task body is one call into ``ingest.pipeline`` (imported inside the
task, so parsing this file stays cheap). The run's ``RunConfig`` travels between tasks
as a small dict in XCom next to each step's counts.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from airflow.sdk import Asset, AssetAny, Param, dag, task

from ingest.config import (
    PROJECT_ROOT,
    ConfigError,
    RunConfig,
    default_warehouse,
    default_workdir,
    run_id_from_airflow,
)
from ingest.fetch.schedules import fetches_itself, landed_asset, scheduled_groups
from ingest.ops.notify import ZonewatchNotifier
from ingest.results import StepResult
from ingest.runlock import workdir_lock

DAG_ID = "zonewatch_pipeline"
# Every task writes a DuckDB file (landing.duckdb, the build copy, the warehouse); DuckDB
# takes one writer. Runs are serial (max_active_runs=1, one task at a time) and every
# task also sits in this one-slot pool, which other zonewatch DAGs share.
POOL = "zonewatch_duckdb"
# Fetches write no DuckDB file, so they run outside the one-slot pool, in parallel.
FETCH_POOL = "default_pool"
# The same defaults as the CLI and `make demo` (ingest.config).
DEFAULT_WORKDIR = str(default_workdir())
DEFAULT_WAREHOUSE = str(default_warehouse())
WAREHOUSE_ASSET = Asset(name="zonewatch_warehouse",
                        uri=Path(DEFAULT_WAREHOUSE).expanduser().resolve().as_uri())
# With ZONEWATCH_SOURCES set, each source lands on its own `schedule:` (the fetch DAGs of
# dags/zonewatch_fetch.py) and this DAG runs after any of them landed; without it, daily.
LANDED = [Asset(*landed_asset(name)) for g in scheduled_groups() for name in g.sources]
SCHEDULE: Any = AssetAny(*LANDED) if LANDED else "@daily"

# on_failure_callback: an Airflow notifier; the zonewatch_notify connection's type picks
# the provider's HttpNotifier or SmtpNotifier (ingest/ops/notify.py).
NOTIFY = ZonewatchNotifier()

DOC_MD = """
### zonewatch_pipeline

Runs daily, or, when `ZONEWATCH_SOURCES` names a sources file, after any of its
sources landed: each source is fetched on its own `schedule:` by a `zonewatch_fetch_*`
DAG whose land task updates the Asset `zonewatch_landed_<source>`; a run those Assets
trigger fetches nothing itself and processes, builds, gates and publishes what they
landed. A manual run (or a backfill) with `sources_file` fetches every source itself.

Lands Chinese regional-development pages, extracts investment / output / compute facts,
builds the DuckDB warehouse with dbt, checks it with Great Expectations and publishes it
atomically. One run at a time; each task is one call into `ingest.pipeline`.

Tasks, in order (each waits for the one before):

- `plan`: checks the params and lists the sources; a bad param or sources file fails at
  once without retry: fix it and trigger again.
- `fetch` (one mapped task per source of `sources_file`; none for `input_dir`):
  discovers and fetches the source (robots.txt, per-host rate limit, conditional GET,
  last run's failures retried) into raw files and a spool; no DuckDB writes, so sources
  run in parallel. Retried 3 times with exponential backoff; a source that still fails
  fails alone (its pages are in `page_errors` and retried next run) and the rest land.
- `land`: the one DuckDB writer of `landing.duckdb`: the fetch spool (or the
  `input_dir` files) into `raw_pages`, `fetch_state`, `page_errors`.
- `process`: decode, parse, extract every new page into `documents` / `mentions`. Bad
  *pages* never fail it (they go to `page_errors`); a worker process that dies (killed,
  out of memory) fails it after saving the pages it finished, and its one retry takes
  the rest. Any other failure here is a bug: read the traceback.
- `dbt_build`: fresh build copy `<workdir>/build/warehouse.duckdb`, `dbt build` (seeds,
  models, tests). The failing model or dbt test is named in the log. Skipped, with
  `gate` and `publish`, when nothing is new: the published warehouse was built by the
  same project from the same landing state (the log says so).
- `gate`: Great Expectations suites on the build copy; report in
  `<workdir>/reports/<run_id>/`. No retry; a block fails the run and notifies on-call.
- `publish`: replaces the published warehouse in one atomic `os.replace`. If it fails,
  the old warehouse is still in place: clear the task to retry.

Until `publish` succeeds the published warehouse is untouched; readers keep the last
good data.

**When the gate fails:** the task log prints `GATE BLOCKED` with the path of
`<workdir>/reports/<run_id>/summary.txt` (and `gate.json`, Data Docs beside it); the same
summary goes to the `zonewatch_notify` connection if one is set, sent by Airflow's
`HttpNotifier` (http: webhook JSON) or `SmtpNotifier` (smtp: mail).
Run `zonewatch failures` to list the failing expectations and the quarantined pages.
The previously published warehouse is unchanged; readers keep the last good data.
Fix the data or the rule, then clear `land` with its downstream tasks (or trigger a
new run). When one page is at fault, the summary prints the command that sets it aside,
`zonewatch exclude URL|DOCUMENT_ID --reason TEXT --workdir DIR` (undo: `zonewatch
include`); then clear `dbt_build` with its downstream tasks: every build leaves the
excluded pages' facts out (the ledger is in the landing zone).

Params: `input_dir` **or** `sources_file` (a given `sources_file` wins), `workdir`,
`warehouse`. Defaults come from `ZONEWATCH_INPUT` / `ZONEWATCH_SOURCES`,
`ZONEWATCH_WORKDIR`, `ZONEWATCH_WAREHOUSE`, else the project's `samples/corpus` and
`data/` (warehouse: `<workdir>/warehouse.duckdb`), the same defaults as the `zonewatch`
command line, so `zonewatch summary` and `zonewatch failures` read this DAG's runs;
`zonewatch failures --run` takes the Airflow run id as the UI shows it.
Pool `zonewatch_duckdb` (1 slot) must exist: `airflow pools set zonewatch_duckdb 1 duckdb`.
"""


def _default(env: str, fallback: str | None) -> str | None:
    return os.environ.get(env) or fallback


def _next(cfg: RunConfig, result: StepResult) -> dict[str, Any]:
    """What a task hands downstream in XCom: the config and the step's small result."""
    return {"cfg": cfg.to_dict(), "result": result.to_xcom()}


@dag(
    dag_id=DAG_ID,
    schedule=SCHEDULE,
    start_date=datetime(2025, 1, 1),
    catchup=False,
    max_active_runs=1,
    dagrun_timeout=timedelta(hours=4),
    tags=["zonewatch", "duckdb", "dbt", "great-expectations"],
    doc_md=DOC_MD,
    default_args={
        "owner": "zonewatch",
        "retries": 0,
        "pool": POOL,
        "execution_timeout": timedelta(hours=1),
        "on_failure_callback": NOTIFY,
    },
    params={
        "input_dir": Param(
            _default("ZONEWATCH_INPUT", str(PROJECT_ROOT / "samples" / "corpus")),
            type=["null", "string"], description="directory of saved pages (or use sources_file)",
        ),
        "sources_file": Param(
            _default("ZONEWATCH_SOURCES", None),
            type=["null", "string"],
            description="YAML file of sources to fetch; wins over input_dir",
        ),
        "workdir": Param(DEFAULT_WORKDIR, type="string",
                         description="raw pages, landing.duckdb, build copy, reports"),
        "warehouse": Param(DEFAULT_WAREHOUSE, type="string",
                           description="the published DuckDB file"),
    },
)
def zonewatch_pipeline() -> None:
    @task(retries=0)
    # Long on purpose: TaskFlow declares the DAG's tasks and their wiring inside this one
    # function; each task body is a call into ingest.pipeline.
    def plan(params: dict[str, Any] | None = None, run_id: str | None = None,
             dag_run: Any = None) -> dict[str, Any]:
        from airflow.sdk.exceptions import AirflowFailException

        p = params or {}
        try:
            cfg = RunConfig.create(
                workdir=p["workdir"], warehouse=p["warehouse"],
                sources_file=p.get("sources_file") or None,
                input_dir=None if p.get("sources_file") else (p.get("input_dir") or None),
                run_id=run_id_from_airflow(run_id),  # `zonewatch failures --run` maps back
            )
            from ingest.pipeline import source_names

            names = source_names(cfg)
            if not fetches_itself(getattr(dag_run, "run_type", None)):
                names = []  # the fetch DAGs fetched and landed; keep the file's encodings
        except ConfigError as e:  # bad params or sources file: retrying will not help
            raise AirflowFailException(f"bad params: {e}") from e
        return {"cfg": cfg.to_dict(), "result": {"sources": names}}

    @task(retries=0)
    def sources(up: dict[str, Any]) -> list[str]:
        return list(up["result"]["sources"])

    # One mapped task per source: fetches run in parallel (they write raw files and a
    # spool, never DuckDB) and a broken source fails alone, after its retries.
    @task(retries=3, retry_delay=timedelta(seconds=30), retry_exponential_backoff=2.0,
          max_retry_delay=timedelta(minutes=10), pool=FETCH_POOL)
    def fetch(up: dict[str, Any], source: str) -> dict[str, Any]:
        from ingest.pipeline import fetch_source_step

        return fetch_source_step(RunConfig.from_dict(up["cfg"]), source).to_xcom()

    @task(retries=1, retry_delay=timedelta(seconds=30), trigger_rule="all_done")
    def land(up: dict[str, Any]) -> dict[str, Any]:
        from ingest.pipeline import land_step

        cfg = RunConfig.from_dict(up["cfg"])
        with workdir_lock(cfg.paths.workdir, cfg.run_id):
            return _next(cfg, land_step(cfg))

    @task(retries=1, retry_delay=timedelta(seconds=30))  # resumes: finished pages are saved
    def process(up: dict[str, Any]) -> dict[str, Any]:
        from ingest.pipeline import process_step

        cfg = RunConfig.from_dict(up["cfg"])
        with workdir_lock(cfg.paths.workdir, cfg.run_id):
            return _next(cfg, process_step(cfg))

    @task
    def dbt_build(up: dict[str, Any]) -> dict[str, Any]:
        from airflow.sdk.exceptions import AirflowSkipException

        from ingest.pipeline import build_step, nothing_new

        cfg = RunConfig.from_dict(up["cfg"])
        with workdir_lock(cfg.paths.workdir, cfg.run_id):
            if (why := nothing_new(cfg)) is not None:
                raise AirflowSkipException(why)  # gate and publish skip too: no asset event
            return _next(cfg, build_step(cfg))

    @task(retries=0, on_failure_callback=NOTIFY)
    def gate(up: dict[str, Any]) -> dict[str, Any]:
        import logging

        from ingest.ops.notify import gate_details
        from ingest.pipeline import GateBlocked, gate_step

        cfg = RunConfig.from_dict(up["cfg"])
        try:
            with workdir_lock(cfg.paths.workdir, cfg.run_id):
                return _next(cfg, gate_step(cfg))
        except GateBlocked as e:
            summary, report_dir = gate_details(e)
            logging.getLogger(__name__).error(
                "GATE BLOCKED: publication stopped, the published warehouse is unchanged.\n"
                "summary: %s/summary.txt  (then run `zonewatch failures`)\n%s",
                report_dir or cfg.report_dir, summary or "")
            raise

    @task(outlets=[WAREHOUSE_ASSET])
    def publish(up: dict[str, Any]) -> dict[str, Any]:
        from ingest.pipeline import publish_step

        cfg = RunConfig.from_dict(up["cfg"])
        with workdir_lock(cfg.paths.workdir, cfg.run_id):
            return _next(cfg, publish_step(cfg))

    planned = plan()
    fetched = fetch.partial(up=planned).expand(source=sources(planned))
    landed = land(planned)
    fetched >> landed
    publish(gate(dbt_build(process(landed))))


zonewatch_pipeline()
