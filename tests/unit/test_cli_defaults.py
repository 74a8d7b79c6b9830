"""One default workdir and warehouse for the CLI, the DAG and `make demo` (ingest.config),
and `zonewatch failures --run` with either run id form (the project's or Airflow's)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from ingest.cli import main
from ingest.config import (
    DEFAULT_WORKDIR,
    PROJECT_ROOT,
    Paths,
    default_warehouse,
    default_workdir,
    run_id_from_airflow,
)
from ingest.landing.store import LandingStore

AIRFLOW_IDS = [
    "manual__2026-12-02T14:00:00.123456+00:00",
    "scheduled__2026-12-02T00:00:00+00:00",
    "backfill__2026-11-30T00:00:00+00:00",
    "manual__2026-12-02T14:25:48.305554+00:00_q8ZbW1xk",  # `dags test`, no logical date
    "asset_triggered__2026-12-02T14:00:00+00:00_aBcD1234",
]


@pytest.fixture(autouse=True)
def _no_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ZONEWATCH_WORKDIR", raising=False)
    monkeypatch.delenv("ZONEWATCH_WAREHOUSE", raising=False)


def _validated(work: Path, *run_ids: str, passed: bool = False) -> None:
    """A landing zone holding one quality-gate run per id (oldest first)."""
    with LandingStore(work) as store:
        for rid in run_ids:
            store.record_validation(run_id=rid, passed=passed, blocking=1, warnings=0,
                                    expectations=9, report_dir=str(work / "reports" / rid),
                                    summary=f"summary of {rid}: 1 blocking", failures=[])


def _one_line_error(capsys: pytest.CaptureFixture[str], *words: str) -> str:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert err.startswith("zonewatch: "), err
    for w in words:
        assert w in err, err
    return err


# --------------------------------------------------------------------------- one default


def test_the_default_is_the_projects_data_dir_wherever_the_cli_runs(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # not the project: the default must not follow the cwd
    assert default_workdir() == DEFAULT_WORKDIR == PROJECT_ROOT / "data"
    assert default_warehouse() == PROJECT_ROOT / "data" / "warehouse.duckdb"
    assert Paths.create() == Paths.create(PROJECT_ROOT / "data")
    assert default_warehouse(tmp_path / "wd") == (tmp_path / "wd" / "warehouse.duckdb")


def test_environment_sets_the_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZONEWATCH_WORKDIR", str(tmp_path / "wd"))
    assert Paths.create() == Paths(tmp_path / "wd", tmp_path / "wd" / "warehouse.duckdb")
    monkeypatch.setenv("ZONEWATCH_WAREHOUSE", str(tmp_path / "pub" / "w.duckdb"))
    assert Paths.create().warehouse == tmp_path / "pub" / "w.duckdb"
    assert Paths.create(tmp_path / "other").warehouse == tmp_path / "pub" / "w.duckdb"


@pytest.mark.parametrize("command", [["failures"], ["summary"], ["failures", "--all"]])
def test_bare_commands_read_the_default_workdir(
        command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """A bare `zonewatch summary` / `failures` reads the workdir the DAG and the demo
    wrote (here set by ZONEWATCH_WORKDIR), not `data/` under the current directory."""
    work = tmp_path / "wd"
    _validated(work, "20261202T142548Z-abc123")
    monkeypatch.setenv("ZONEWATCH_WORKDIR", str(work))
    monkeypatch.chdir(tmp_path)
    assert main(command) == 0
    out = capsys.readouterr().out
    if command[0] == "failures":
        assert "20261202T142548Z-abc123" in out
    else:
        assert str(work / "warehouse.duckdb") in out
    assert not (tmp_path / "data").exists()


def test_run_without_workdir_uses_the_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("ZONEWATCH_WORKDIR", str(tmp_path / "wd"))
    seen = {}

    def fake_check(cfg):  # stop before the workdir is touched
        seen["cfg"] = cfg
        from ingest.config import ConfigError
        raise ConfigError("stop here")

    import ingest.pipeline
    monkeypatch.setattr(ingest.pipeline, "check_config", fake_check)
    (tmp_path / "in").mkdir()
    assert main(["run", "--input", str(tmp_path / "in")]) == 2
    capsys.readouterr()
    assert seen["cfg"].workdir == str(tmp_path / "wd")
    assert seen["cfg"].warehouse == str(tmp_path / "wd" / "warehouse.duckdb")


@pytest.mark.skipif(shutil.which("make") is None, reason="no make")
def test_make_demo_passes_no_workdir_of_its_own() -> None:
    """`make demo` leaves the workdir and the warehouse to ingest.config (the script, the
    DAG and the summary after it all read the same default); DEMO_WORKDIR still works."""
    def dry(*extra: str) -> list[str]:
        out = subprocess.run(["make", "-n", "-o", "install", "demo", *extra], cwd=PROJECT_ROOT,
                             capture_output=True, text=True, check=True, timeout=60).stdout
        return [ln for ln in out.splitlines()
                if "airflow_demo.sh" in ln or "zonewatch summary" in ln]

    lines = dry()
    assert len(lines) == 2, lines
    for ln in lines:
        assert "--workdir" not in ln and "--warehouse" not in ln, ln
        assert "data/demo" not in ln, ln
    lines = dry("DEMO_WORKDIR=/tmp/zw-elsewhere")
    assert all('--workdir "/tmp/zw-elsewhere"' in ln for ln in lines), lines


# --------------------------------------------------------------------------- failures --run


@pytest.mark.parametrize("airflow_id", AIRFLOW_IDS)
def test_failures_run_takes_the_airflow_run_id(
        airflow_id: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    work = tmp_path / "wd"
    project_id = run_id_from_airflow(airflow_id)
    assert project_id and ":" not in project_id and "+" not in project_id
    _validated(work, "20261201T000000Z-000000", project_id)
    for given in (airflow_id, project_id, airflow_id.replace(":", "%3A").replace("+", "%2B")):
        assert main(["failures", "--workdir", str(work), "--run", given]) == 0, given
        out = capsys.readouterr().out
        assert f"summary of {project_id}: 1 blocking" in out, given
        assert "report directory: " in out


def test_failures_run_unknown_id_is_one_line_with_the_latest_ids(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    work = tmp_path / "wd"
    ids = [f"20261201T00000{i}Z-00000{i}" for i in range(8)]
    _validated(work, *ids)
    assert main(["failures", "--workdir", str(work), "--run", "manual__nope"]) == 2
    err = _one_line_error(capsys, "'manual__nope'", "latest:", ids[-1], ids[-5])
    assert ids[0] not in err  # the latest few, not all


def test_failures_run_without_landing_zone_is_one_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["failures", "--workdir", str(tmp_path / "none"), "--run", "x"]) == 2
    _one_line_error(capsys, "no landing zone")


def test_failures_list_keeps_long_airflow_ids_in_their_column(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    work = tmp_path / "wd"
    long_id = run_id_from_airflow(AIRFLOW_IDS[3])
    assert long_id is not None
    _validated(work, "20261201T000000Z-000000", long_id)
    assert main(["failures", "--workdir", str(work)]) == 0
    rows = [ln for ln in capsys.readouterr().out.splitlines() if "BLOCKED" in ln]
    assert len(rows) == 2
    assert len({ln.index("BLOCKED") for ln in rows}) == 1  # one column for the verdict
