"""Per-source schedules for real: `make airflow` with ZONEWATCH_SOURCES naming three
sources on two schedules (alpha `@hourly`; beta and gamma daily), served from
127.0.0.1. Once unpaused, the scheduler starts each fetch DAG on its own schedule (the
latest tick: catchup is off); each source's land task updates its Asset, and
zonewatch_pipeline runs after them, asset-triggered, and publishes every source's
pages. Then a backfill of one source (beta) through the REST API: only beta's tasks
run, gamma's skip, and the pipeline runs after it again.

The scheduler schedules here (the other local test turns that off): with
ZONEWATCH_SOURCES set zonewatch_pipeline has no time schedule of its own.
"""

from __future__ import annotations

import contextlib
import threading
import urllib.parse
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.airflow.local_stack import Local, login, started, wait

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SAMPLES = PROJECT_ROOT / "samples" / "corpus"
PIPELINE = "zonewatch_pipeline"
HOURLY, DAILY = "zonewatch_fetch_hourly", "zonewatch_fetch_daily"
RUN_TIMEOUT_S = 600

pytestmark = [pytest.mark.slow, pytest.mark.services]

PAGES = {"alpha": ["01_lkg_2024_gdp.html", "03_donghu_jan_oct.html"],
         "beta": ["02_hefei_2022_review.html"], "gamma": ["07_chengdu_q3.html"]}


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's name
        pass


@contextlib.contextmanager
def _site(root: Path) -> Iterator[str]:
    """samples/corpus pages from 127.0.0.1 (robots.txt: 404, so allowed)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _sources(base: str) -> str:
    def entry(name: str, schedule: str | None) -> str:
        urls = ", ".join(f"{base}/{p}" for p in PAGES[name])
        line = f"    schedule: \"{schedule}\"\n" if schedule else ""
        return (f"  - name: {name}\n    urls: [{urls}]\n    allow_private: true\n"
                f"    revisit_after_hours: 0\n{line}")

    return "sources:\n" + entry("alpha", "@hourly") + entry("beta", None) + entry("gamma", None)


@pytest.fixture
def scheduled(tmp_path: Path) -> Iterator[Local]:
    with _site(SAMPLES) as base:
        (tmp_path / "sources.yml").write_text(_sources(base), encoding="utf-8")
        with started(tmp_path, {"ZONEWATCH_SOURCES": str(tmp_path / "sources.yml")}) as local:
            yield local


def _runs(local: Local, jwt: str, dag_id: str) -> list[dict[str, Any]]:
    return list(local.api("GET", f"/api/v2/dags/{dag_id}/dagRuns?order_by=run_after",
                          token=jwt)["dag_runs"])


def _states(local: Local, jwt: str, dag_id: str, run_id: str) -> dict[str, str]:
    rid = urllib.parse.quote(run_id, safe="")
    tis = local.api("GET", f"/api/v2/dags/{dag_id}/dagRuns/{rid}/taskInstances",
                    token=jwt)["task_instances"]
    return {t["task_id"]: t["state"] for t in tis}


def _consumed(local: Local, jwt: str, run_id: str) -> set[str]:
    """The Asset names whose events triggered a pipeline run."""
    rid = urllib.parse.quote(run_id, safe="")
    events = local.api("GET", f"/api/v2/dags/{PIPELINE}/dagRuns/{rid}/upstreamAssetEvents",
                       token=jwt)["asset_events"]
    return {str(e.get("name") or e.get("uri")) for e in events}


def _finished(local: Local, jwt: str, dag_id: str, run_type: str, n: int = 1) -> Any:
    def ready() -> list[dict[str, Any]] | None:
        runs = [r for r in _runs(local, jwt, dag_id) if r["run_type"] == run_type]
        done = [r for r in runs if r["state"] in ("success", "failed")]
        return done if len(done) >= n and len(done) == len(runs) else None
    return wait(local, f"{n} {run_type} run(s) of {dag_id}", RUN_TIMEOUT_S, ready, 2.0)


def _published_urls(local: Local) -> set[str]:
    con = duckdb.connect(str(local.root / "wh.duckdb"), read_only=True)
    try:
        return {r[0] for r in con.execute("select url from dim_document").fetchall()}
    finally:
        con.close()


def test_each_source_lands_on_its_schedule_and_the_warehouse_follows(
        scheduled: Local) -> None:
    local = scheduled
    jwt = login(local)
    # Each fetch DAG started on its own schedule, for its latest tick.
    now = datetime.now(UTC)
    hourly = _finished(local, jwt, HOURLY, "scheduled")
    daily = _finished(local, jwt, DAILY, "scheduled")
    for run in hourly + daily:
        assert run["state"] == "success", (run, _states(local, jwt, run["dag_id"],
                                                        run["dag_run_id"]))
    h_at = datetime.fromisoformat(hourly[0]["logical_date"])
    d_at = datetime.fromisoformat(daily[0]["logical_date"])
    assert (h_at.minute, h_at.second) == (0, 0) and now - h_at < timedelta(hours=1, minutes=5)
    assert (d_at.hour, d_at.minute) == (0, 0) and now - d_at < timedelta(days=1, minutes=5)
    assert set(_states(local, jwt, HOURLY, hourly[0]["dag_run_id"])) == {
        "fetch_alpha", "land_alpha"}

    # The pipeline ran after them (asset-triggered, never on a time schedule), and the
    # events of all three sources were consumed by its runs, which all succeeded.
    def every_source_consumed() -> list[dict[str, Any]] | None:
        runs = [r for r in _runs(local, jwt, PIPELINE)
                if r["state"] in ("success", "failed")]
        got = set().union(*(_consumed(local, jwt, r["dag_run_id"]) for r in runs))
        want = {"zonewatch_landed_alpha", "zonewatch_landed_beta", "zonewatch_landed_gamma"}
        return runs if want <= got else None

    runs = wait(local, "pipeline runs triggered by every source's Asset", RUN_TIMEOUT_S,
                every_source_consumed, 3.0)
    assert {r["run_type"] for r in _runs(local, jwt, PIPELINE)} == {"asset_triggered"}
    for run in runs:
        states = _states(local, jwt, PIPELINE, run["dag_run_id"])
        assert run["state"] == "success", (run, states)
    published = _published_urls(local)
    for name, pages in PAGES.items():
        for page in pages:
            assert any(u.endswith("/" + page) for u in published), (name, page, published)

    # Backfill one source: three days ago, beta only.
    day = (d_at - timedelta(days=3)).isoformat()
    before = len(_runs(local, jwt, PIPELINE))
    local.api("POST", "/api/v2/backfills",
              {"dag_id": DAILY, "from_date": day, "to_date": day,
               "dag_run_conf": {"sources": ["beta"]}, "max_active_runs": 1}, token=jwt)
    (back,) = _finished(local, jwt, DAILY, "backfill")
    states = _states(local, jwt, DAILY, back["dag_run_id"])
    assert back["state"] == "success", (back, states)
    assert states == {"fetch_beta": "success", "land_beta": "success",
                      "fetch_gamma": "skipped", "land_gamma": "skipped"}

    def pipeline_after_backfill() -> dict[str, Any] | None:
        runs = _runs(local, jwt, PIPELINE)
        new = [r for r in runs[before:] if r["state"] in ("success", "failed")]
        return new[-1] if new else None

    after = wait(local, "a pipeline run after the backfill", RUN_TIMEOUT_S,
                 pipeline_after_backfill, 3.0)
    assert after["state"] == "success", (after, _states(local, jwt, PIPELINE,
                                                        after["dag_run_id"]))
    assert "zonewatch_landed_beta" in _consumed(local, jwt, after["dag_run_id"])
