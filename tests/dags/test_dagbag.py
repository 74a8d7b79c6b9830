"""The DAG folder imports cleanly and zonewatch_pipeline keeps its operating policy."""

from __future__ import annotations

import json
import subprocess
import sys
import types
from datetime import timedelta
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DAGS_DIR = PROJECT_ROOT / "dags"

ORDER = ["plan", "sources", "fetch", "land", "process", "dbt_build", "gate", "publish"]
WRITERS = ["land", "process", "dbt_build", "gate", "publish"]  # a serial chain
HEAVY = ["duckdb", "dbt", "great_expectations", "pandas", "requests", "bs4", "lxml",
         "ingest.pipeline"]


def test_no_import_errors(dagbag):
    assert dagbag.import_errors == {}
    assert "zonewatch_pipeline" in dagbag.dags


def test_one_dag_per_file_named_after_it(dagbag):
    for dag_id, dag in dagbag.dags.items():
        stem = Path(dag.fileloc).stem  # zonewatch_fetch.py holds zonewatch_fetch_<schedule>
        assert dag_id == stem or dag_id.startswith(f"{stem}_"), (dag_id, dag.fileloc)


def test_owner_tags_schedule_and_docs(pipeline_dag):
    assert pipeline_dag.owner == "zonewatch"
    assert {"zonewatch"} <= set(pipeline_dag.tags)
    assert pipeline_dag.timetable.expression == "0 0 * * *"  # @daily
    assert pipeline_dag.catchup is False
    for words in ("land", "process", "dbt_build", "gate", "publish", "summary.txt",
                  "zonewatch failures"):
        assert words in pipeline_dag.doc_md
    assert all(t.owner == "zonewatch" for t in pipeline_dag.tasks)


def test_task_order_fetches_in_parallel_then_writes_serially(pipeline_dag):
    assert [t.task_id for t in pipeline_dag.topological_sort()] == ORDER
    fetch = pipeline_dag.get_task("fetch")
    assert fetch.is_mapped  # one task per source
    assert pipeline_dag.get_task("sources").downstream_task_ids == {"fetch"}
    assert fetch.downstream_task_ids == {"land"}
    # one broken source fails alone: land runs when every fetch is done, failed or not
    assert pipeline_dag.get_task("land").trigger_rule == "all_done"
    for up, down in zip(WRITERS, WRITERS[1:], strict=False):
        assert pipeline_dag.get_task(up).downstream_task_ids == {down}
        assert pipeline_dag.get_task(down).upstream_task_ids == {up}


def test_one_duckdb_writer_at_a_time(pipeline_dag):
    assert pipeline_dag.max_active_runs == 1
    pools = {t.task_id: t.pool for t in pipeline_dag.tasks}
    # fetches write raw files and a spool only; every task touching DuckDB shares one slot
    assert pools.pop("fetch") == "default_pool"
    assert set(pools.values()) == {"zonewatch_duckdb"}
    assert all(t.pool_slots == 1 for t in pipeline_dag.tasks)


def test_fetch_retries_with_exponential_backoff(pipeline_dag):
    land = pipeline_dag.get_task("fetch")
    assert land.retries >= 1
    assert land.retry_exponential_backoff and land.retry_exponential_backoff > 1
    assert land.retry_delay >= timedelta(seconds=5)
    assert land.max_retry_delay is not None


def test_gate_never_retries_and_notifies(pipeline_dag):
    gate = pipeline_dag.get_task("gate")
    assert gate.retries == 0
    callbacks = gate.on_failure_callback
    callbacks = callbacks if isinstance(callbacks, list) else [callbacks]
    assert callbacks and all(callable(c) for c in callbacks)
    # the dbt / gate / publish steps are deterministic: retrying hides problems
    for task_id in ("dbt_build", "gate", "publish"):
        assert pipeline_dag.get_task(task_id).retries == 0
    # process fails only when a worker process dies (bad pages go to page_errors); what it
    # finished is saved, so one retry resumes with the rest
    assert pipeline_dag.get_task("process").retries == 1


def test_every_task_fails_into_the_zonewatch_airflow_notifier(pipeline_dag):
    from airflow.sdk import BaseNotifier

    from ingest.ops.notify import CONN_ID, ZonewatchNotifier

    for t in pipeline_dag.tasks:
        callbacks = t.on_failure_callback
        callbacks = callbacks if isinstance(callbacks, list) else [callbacks]
        notifiers = [c for c in callbacks if isinstance(c, ZonewatchNotifier)]
        assert len(notifiers) == 1, (t.task_id, callbacks)  # one alert per failure
        assert isinstance(notifiers[0], BaseNotifier) and notifiers[0].conn_id == CONN_ID


def test_gate_callback_calls_notify_failure(pipeline_dag, monkeypatch):
    seen = []
    import ingest.ops.notify

    monkeypatch.setattr(ingest.ops.notify, "notify_failure",
                        lambda context, conn_id: seen.append((context, conn_id)))
    callbacks = pipeline_dag.get_task("gate").on_failure_callback
    for cb in callbacks if isinstance(callbacks, list) else [callbacks]:
        cb({"marker": 1})
    assert seen == [({"marker": 1}, "zonewatch_notify")]


def test_params_and_defaults(pipeline_dag):
    params = pipeline_dag.params.dump()
    assert set(params) == {"input_dir", "sources_file", "workdir", "warehouse"}
    assert params["workdir"] and params["warehouse"]


def test_parsing_imports_nothing_heavy():
    """Parsing the file pulls in airflow.sdk and ingest.config only, never the pipeline."""
    code = (
        "import importlib.util, json, sys\n"
        f"spec = importlib.util.spec_from_file_location('zw_dag', {str(DAGS_DIR / 'zonewatch_pipeline.py')!r})\n"  # noqa: E501
        "mod = importlib.util.module_from_spec(spec); spec.loader.exec_module(mod)\n"
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=PROJECT_ROOT, timeout=120, check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []


# --- the task bodies, called directly with a stub ingest.pipeline (no Airflow run) ---

class _GateBlocked(Exception):
    def __init__(self, summary_text: str, report_dir: str) -> None:
        super().__init__(summary_text, report_dir)


class _Result:
    """Stands for a step's result record (ingest.results): to_xcom() is all a task uses."""

    def __init__(self, xcom: dict) -> None:
        self._xcom = xcom

    def to_xcom(self) -> dict:
        return self._xcom


@pytest.fixture
def stub_pipeline(monkeypatch):
    """Records which step got which RunConfig; the real module is swapped back after."""
    calls: list[tuple[str, object]] = []
    mod = types.ModuleType("ingest.pipeline")
    mod.GateBlocked = _GateBlocked
    for name in ("land_step", "process_step", "build_step", "gate_step", "publish_step"):
        mod.__dict__[name] = (lambda n: lambda cfg: calls.append((n, cfg)) or _Result(
            {"step": n}))(name)
    mod.source_names = lambda cfg: ["a", "b"] if cfg.sources_file else []
    mod.nothing_new = lambda cfg: mod.__dict__.get("unchanged")  # None: there is work
    mod.fetch_source_step = lambda cfg, name: calls.append((f"fetch:{name}", cfg)) or _Result({})
    monkeypatch.setitem(sys.modules, "ingest.pipeline", mod)
    return mod, calls


def _call(dag, task_id, *args, **kwargs):
    return dag.get_task(task_id).python_callable(*args, **kwargs)


def test_task_bodies_pass_the_config_along(pipeline_dag, stub_pipeline, tmp_path):
    _, calls = stub_pipeline
    (tmp_path / "in").mkdir()
    params = {"input_dir": str(tmp_path / "in"), "sources_file": None,
              "workdir": str(tmp_path / "wd"), "warehouse": str(tmp_path / "wh.duckdb")}
    out = _call(pipeline_dag, "plan", params=params,
                run_id="scheduled__2025-06-01T00:00:00+00:00")
    json.dumps(out)  # XCom-able
    assert out["result"] == {"sources": []}  # input_dir: nothing to fetch
    assert _call(pipeline_dag, "sources", out) == []
    assert out["cfg"]["run_id"] == "scheduled__2025-06-01T00_00_00_00_00"
    for task_id in WRITERS:
        out = _call(pipeline_dag, task_id, out)
    assert [n for n, _ in calls] == ["land_step", "process_step", "build_step", "gate_step",
                                     "publish_step"]
    cfgs = {c for _, c in calls}
    assert len(cfgs) == 1  # every step saw the same RunConfig
    cfg = cfgs.pop()
    assert cfg.input_dir == str(tmp_path / "in") and cfg.sources_file is None
    assert cfg.workdir == str(tmp_path / "wd")
    assert cfg.warehouse == str(tmp_path / "wh.duckdb")


def test_dbt_build_skips_when_nothing_is_new(pipeline_dag, stub_pipeline, tmp_path):
    """Nothing new since the published build: dbt_build raises Airflow's skip with the
    reason (gate and publish then skip too), and no build step runs."""
    from airflow.sdk.exceptions import AirflowSkipException

    mod, calls = stub_pipeline
    (tmp_path / "in").mkdir()
    params = {"input_dir": str(tmp_path / "in"), "sources_file": None,
              "workdir": str(tmp_path / "wd"), "warehouse": str(tmp_path / "wh.duckdb")}
    out = _call(pipeline_dag, "plan", params=params, run_id="manual__x")
    mod.unchanged = "nothing new since the published warehouse was built"
    with pytest.raises(AirflowSkipException, match="nothing new since"):
        _call(pipeline_dag, "dbt_build", out)
    assert "build_step" not in [n for n, _ in calls]


def test_sources_file_wins_over_input_dir(pipeline_dag, stub_pipeline, tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "sources.yml").write_text("sources: []\n")
    params = {"input_dir": str(tmp_path / "in"), "sources_file": str(tmp_path / "sources.yml"),
              "workdir": str(tmp_path / "wd"), "warehouse": str(tmp_path / "wh.duckdb")}
    out = _call(pipeline_dag, "plan", params=params, run_id="manual__x")
    assert out["cfg"]["sources_file"] == str(tmp_path / "sources.yml")
    assert out["cfg"]["input_dir"] is None
    assert _call(pipeline_dag, "sources", out) == ["a", "b"]
    _call(pipeline_dag, "fetch", out, "b")
    assert stub_pipeline[1][-1][0] == "fetch:b"


def test_bad_params_fail_plan_without_retry(pipeline_dag, stub_pipeline, tmp_path):
    from airflow.sdk.exceptions import AirflowFailException

    params = {"input_dir": str(tmp_path / "missing"), "sources_file": None,
              "workdir": str(tmp_path / "wd"), "warehouse": str(tmp_path / "wh.duckdb")}
    with pytest.raises(AirflowFailException, match="not a directory"):
        _call(pipeline_dag, "plan", params=params, run_id="manual__x")
    assert stub_pipeline[1] == []


def test_gate_block_logs_the_summary_path_and_fails(pipeline_dag, stub_pipeline, tmp_path,
                                                    caplog):
    mod, _ = stub_pipeline
    report = tmp_path / "wd" / "reports" / "r1"

    def blocked(cfg):
        raise _GateBlocked("2 blocking expectations failed", str(report))

    mod.gate_step = blocked
    (tmp_path / "in").mkdir()
    up = {"cfg": {"input_dir": str(tmp_path / "in"), "sources_file": None, "run_id": "r1",
                  "workdir": str(tmp_path / "wd"), "warehouse": str(tmp_path / "wh.duckdb")},
          "result": {}}
    with caplog.at_level("ERROR"), pytest.raises(_GateBlocked):
        _call(pipeline_dag, "gate", up)
    assert f"{report}/summary.txt" in caplog.text
    assert "2 blocking expectations failed" in caplog.text


def test_params_default_to_the_clis_workdir_and_warehouse(pipeline_dag, monkeypatch):
    """One default for the DAG, the CLI and `make demo` (ingest.config): `zonewatch
    summary` / `failures` with no --workdir read what the DAG wrote."""
    from ingest.config import default_warehouse, default_workdir

    monkeypatch.delenv("ZONEWATCH_WORKDIR", raising=False)
    monkeypatch.delenv("ZONEWATCH_WAREHOUSE", raising=False)
    params = pipeline_dag.params.dump()
    assert params["workdir"] == str(default_workdir()) == str(PROJECT_ROOT / "data")
    assert params["warehouse"] == str(default_warehouse())


@pytest.mark.parametrize("airflow_id", ["manual__2026-12-02T14:00:00.123456+00:00",
                                        "scheduled__2026-12-02T00:00:00+00:00",
                                        "backfill__2026-11-30T00:00:00+00:00"])
def test_failures_finds_the_dag_run_by_its_airflow_run_id(pipeline_dag, stub_pipeline,
                                                          tmp_path, capsys, airflow_id):
    """The run id `plan` derives from Airflow's is the one the gate records; `zonewatch
    failures --run` takes the Airflow id as the UI shows it and maps it back the same way."""
    from ingest.cli import main
    from ingest.landing.store import LandingStore

    (tmp_path / "in").mkdir()
    params = {"input_dir": str(tmp_path / "in"), "sources_file": None,
              "workdir": str(tmp_path / "wd"), "warehouse": str(tmp_path / "wh.duckdb")}
    run_id = _call(pipeline_dag, "plan", params=params, run_id=airflow_id)["cfg"]["run_id"]
    with LandingStore(tmp_path / "wd") as store:  # what gate_step records for that run
        store.record_validation(run_id=run_id, passed=False, blocking=2, warnings=0,
                                expectations=9, report_dir=str(tmp_path / "wd" / "reports"),
                                summary="GATE BLOCKED: 2 blocking", failures=[])
    assert main(["failures", "--workdir", str(tmp_path / "wd"), "--run", airflow_id]) == 0
    assert "GATE BLOCKED: 2 blocking" in capsys.readouterr().out
