"""Per-source schedules: with ZONEWATCH_SOURCES set, dags/zonewatch_fetch.py makes one
fetch DAG per distinct `schedule:`, each source's land task updates its own Asset, and
zonewatch_pipeline is scheduled on those Assets instead of @daily."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DAGS_DIR = PROJECT_ROOT / "dags"

SOURCES = """\
sources:
  - name: alpha
    urls: [http://127.0.0.1:9/a.html]
    allow_private: true
    schedule: "@hourly"
  - name: beta
    urls: [http://127.0.0.1:9/b.html]
    allow_private: true
  - name: gamma
    urls: [http://127.0.0.1:9/c.html]
    allow_private: true
    schedule: "0 6 * * 1-5"
"""


@pytest.fixture(scope="module")
def scheduled_bag(tmp_path_factory: pytest.TempPathFactory):
    from airflow.dag_processing.dagbag import DagBag

    path = tmp_path_factory.mktemp("sched") / "sources.yml"
    path.write_text(SOURCES, encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ZONEWATCH_SOURCES", str(path))
        bag = DagBag(dag_folder=str(DAGS_DIR))
    assert bag.import_errors == {}
    return bag, path


def _cron(dag) -> str:
    return dag.timetable.expression


def test_one_fetch_dag_per_schedule(scheduled_bag) -> None:
    bag, _ = scheduled_bag
    fetch = {k: v for k, v in bag.dags.items() if k.startswith("zonewatch_fetch_")}
    assert set(fetch) == {"zonewatch_fetch_hourly", "zonewatch_fetch_daily",
                          "zonewatch_fetch_cron_0_6_1_5_" + fetch_hash("0 6 * * 1-5")}
    assert _cron(fetch["zonewatch_fetch_hourly"]) == "0 * * * *"
    assert _cron(fetch["zonewatch_fetch_daily"]) == "0 0 * * *"
    tasks = {k: sorted(t.task_id for t in v.tasks) for k, v in fetch.items()}
    assert tasks["zonewatch_fetch_hourly"] == ["fetch_alpha", "land_alpha"]
    assert tasks["zonewatch_fetch_daily"] == ["fetch_beta", "land_beta"]
    for dag in fetch.values():
        assert dag.catchup is False and dag.max_active_runs == 1
        assert dag.params.dump()["sources"] == [t.task_id[6:] for t in dag.tasks
                                               if t.task_id.startswith("fetch_")]


def fetch_hash(cron: str) -> str:
    from ingest.fetch.schedules import fetch_dag_id

    return fetch_dag_id(cron).rsplit("_", 1)[1]


def test_land_updates_the_sources_asset_and_writes_in_the_pool(scheduled_bag) -> None:
    bag, _ = scheduled_bag
    dag = bag.dags["zonewatch_fetch_hourly"]
    fetch, land = dag.get_task("fetch_alpha"), dag.get_task("land_alpha")
    assert fetch.downstream_task_ids == {"land_alpha"}
    assert fetch.pool == "default_pool" and land.pool == "zonewatch_duckdb"
    assert fetch.retries == 3 and fetch.retry_exponential_backoff
    assert land.trigger_rule == "none_skipped"  # a failed fetch still lands its errors
    assert [(a.name, a.uri) for a in land.outlets] == [
        ("zonewatch_landed_alpha", "zonewatch://landing/alpha")]
    assert fetch.outlets == []


def test_the_pipeline_runs_after_any_source_landed(scheduled_bag) -> None:
    bag, _ = scheduled_bag
    pipeline = bag.dags["zonewatch_pipeline"]
    assert type(pipeline.timetable).__name__ == "AssetTriggeredTimetable"
    cond = pipeline.timetable.asset_condition
    assert type(cond).__name__ == "AssetAny"
    assert sorted(a.name for a in cond.objects) == [
        "zonewatch_landed_alpha", "zonewatch_landed_beta", "zonewatch_landed_gamma"]
    # the file's own docs say how to backfill one source
    assert "airflow backfill create --dag-id zonewatch_fetch_daily" in \
        bag.dags["zonewatch_fetch_daily"].doc_md


def test_without_the_variable_there_is_no_fetch_dag_and_the_pipeline_is_daily(dagbag) -> None:
    assert not [k for k in dagbag.dags if k.startswith("zonewatch_fetch")]
    assert dagbag.dags["zonewatch_pipeline"].timetable.expression == "0 0 * * *"


@pytest.fixture
def stub_steps(monkeypatch: pytest.MonkeyPatch):
    calls: list[tuple[str, object, object]] = []

    class _R:
        def to_xcom(self) -> dict:
            return {}

    mod = types.ModuleType("ingest.pipeline")
    mod.fetch_source_step = lambda cfg, name: calls.append(("fetch", name, cfg)) or _R()
    mod.land_step = lambda cfg, source=None: calls.append(("land", source, cfg)) or _R()
    mod.source_names = lambda cfg: ["alpha", "beta", "gamma"]
    monkeypatch.setitem(sys.modules, "ingest.pipeline", mod)
    return calls


def _params(bag_path: Path, tmp_path: Path, sources: list[str]) -> dict:
    return {"sources": sources, "sources_file": str(bag_path), "workdir": str(tmp_path / "w"),
            "warehouse": str(tmp_path / "wh.duckdb")}


def test_the_sources_param_fetches_one_source_and_skips_the_rest(scheduled_bag, stub_steps,
                                                                 tmp_path) -> None:
    """A backfill of one source: its tasks run, another source's skip (no Asset update)."""
    from airflow.sdk.exceptions import AirflowSkipException

    bag, path = scheduled_bag
    dag = bag.dags["zonewatch_fetch_hourly"]
    run_id = "backfill__2026-11-02T00:00:00+00:00"
    params = _params(path, tmp_path, ["alpha"])
    dag.get_task("fetch_alpha").python_callable(params=params, run_id=run_id)
    dag.get_task("land_alpha").python_callable(params=params, run_id=run_id)
    assert [(c[0], c[1]) for c in stub_steps] == [("fetch", "alpha"), ("land", "alpha")]
    cfg = stub_steps[-1][2]
    assert cfg.run_id == "backfill__2026-11-02T00_00_00_00_00"  # fetch and land: one spool
    assert cfg.sources_file == str(path)
    skip = _params(path, tmp_path, ["beta"])
    for task_id in ("fetch_alpha", "land_alpha"):
        with pytest.raises(AirflowSkipException, match="alpha is not in"):
            dag.get_task(task_id).python_callable(params=skip, run_id=run_id)
    assert len(stub_steps) == 2


def test_an_asset_triggered_pipeline_run_fetches_nothing_itself(scheduled_bag, stub_steps,
                                                                tmp_path) -> None:
    bag, path = scheduled_bag
    plan = bag.dags["zonewatch_pipeline"].get_task("plan").python_callable
    params = {"input_dir": None, "sources_file": str(path), "workdir": str(tmp_path / "w"),
              "warehouse": str(tmp_path / "wh.duckdb")}
    run = types.SimpleNamespace(run_type="asset_triggered")
    out = plan(params=params, run_id="asset_triggered__2026-12-04T10:00:00+00:00",
               dag_run=run)
    assert out["result"] == {"sources": []}
    assert out["cfg"]["sources_file"] == str(path)  # its encodings still apply
    manual = plan(params=params, run_id="manual__x",
                  dag_run=types.SimpleNamespace(run_type="manual"))
    assert manual["result"] == {"sources": ["alpha", "beta", "gamma"]}
