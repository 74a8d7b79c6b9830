"""Sources grouped by `schedule:` into fetch DAGs (ingest.fetch.schedules)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.config import ConfigError
from ingest.fetch.schedules import (
    fetch_dag_id,
    fetch_groups,
    landed_asset,
    scheduled_groups,
    scheduled_sources_file,
)
from ingest.fetch.sources import load_sources

SOURCES = """\
sources:
  - name: alpha
    urls: [https://example.gov.cn/a.html]
    schedule: "@hourly"
  - name: beta
    urls: [https://example.gov.cn/b.html]
  - name: gamma
    urls: [https://example.gov.cn/c.html]
    schedule: "@midnight"
  - name: delta
    urls: [https://example.gov.cn/d.html]
    schedule: "*/30 6-22 * * 1-5"
  - name: epsilon
    urls: [https://example.gov.cn/e.html]
    schedule: "30 6,22 * * 1-5"
  - name: zeta
    urls: [https://example.gov.cn/f.html]
    schedule: "@Hourly"
"""


@pytest.fixture
def sources_file(tmp_path: Path) -> Path:
    p = tmp_path / "sources.yml"
    p.write_text(SOURCES, encoding="utf-8")
    return p


def test_one_group_per_schedule_in_file_order(sources_file: Path) -> None:
    groups = fetch_groups(load_sources(sources_file))
    assert [(g.schedule, g.sources) for g in groups] == [
        ("@hourly", ("alpha", "zeta")),
        ("@daily", ("beta", "gamma")),  # no schedule: daily; @midnight is @daily
        ("*/30 6-22 * * 1-5", ("delta",)),
        ("30 6,22 * * 1-5", ("epsilon",)),
    ]
    assert [g.dag_id for g in groups][:2] == ["zonewatch_fetch_hourly", "zonewatch_fetch_daily"]


def test_cron_dag_ids_are_distinct_and_id_safe() -> None:
    a, b = fetch_dag_id("*/30 6-22 * * 1-5"), fetch_dag_id("30 6,22 * * 1-5")
    assert a != b  # both read 30_6_22_1_5 without the hash
    assert a.startswith("zonewatch_fetch_cron_30_6_22_1_5_")
    assert all(c.isalnum() or c == "_" for c in a + b)
    assert fetch_dag_id("@annually") == fetch_dag_id("@yearly") == "zonewatch_fetch_yearly"


def test_each_source_has_its_own_asset() -> None:
    assert landed_asset("alpha") == ("zonewatch_landed_alpha", "zonewatch://landing/alpha")
    assert landed_asset("alpha") != landed_asset("beta")


def test_the_environment_names_the_scheduling_file(sources_file: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ZONEWATCH_SOURCES", raising=False)
    assert scheduled_sources_file() is None and scheduled_groups() == ()
    monkeypatch.setenv("ZONEWATCH_SOURCES", str(sources_file))
    assert scheduled_sources_file() == sources_file.resolve()
    assert len(scheduled_groups()) == 4


def test_a_bad_scheduling_file_is_one_line(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text("sources:\n  - name: a\n    urls: [https://x.gov.cn/]\n"
                   "    schedule: fortnightly\n", encoding="utf-8")
    monkeypatch.setenv("ZONEWATCH_SOURCES", str(bad))
    with pytest.raises(ConfigError, match=r"bad\.yml:4: .*not a cron expression"):
        scheduled_groups()


def test_only_an_asset_triggered_pipeline_run_leaves_fetching_to_the_fetch_dags() -> None:
    from airflow.utils.types import DagRunType

    from ingest.fetch.schedules import fetches_itself

    assert not fetches_itself(DagRunType.ASSET_TRIGGERED)
    assert not fetches_itself("asset_triggered")
    for kind in (DagRunType.MANUAL, DagRunType.SCHEDULED, DagRunType.BACKFILL_JOB, None):
        assert fetches_itself(kind)
