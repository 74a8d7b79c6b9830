"""One real Airflow run of zonewatch_pipeline over two or three pages (slow: ~15 s of
Airflow plus the pipeline). Goes through scripts/airflow_demo.sh, so the demo is tested
too: throwaway AIRFLOW_HOME, `airflow db migrate`, pool, `airflow dags test -c`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEMO = PROJECT_ROOT / "scripts" / "airflow_demo.sh"
SAMPLES = PROJECT_ROOT / "samples" / "corpus"
PAGE_SUFFIXES = {".html", ".htm", ".txt", ".md"}
FACT_TABLES = {"fct_investment", "fct_output", "fct_compute"}
RUN_TIMEOUT_S = 900

# Our own two pages, used when samples/corpus has none.
PAGE_1 = """<!doctype html>
<html><head><meta charset="utf-8"><title>成都高新区一季度项目建设提速</title></head>
<body><h1>成都高新区一季度项目建设提速</h1>
<p>2024年一季度，成都高新区完成固定资产投资约180亿元，同比增长9.2%。</p>
<p>园区新开工重点项目26个，其中亿元以上项目14个，计划总投资超过300亿元。</p>
<p>到2025年，区内智算中心算力规模将达到1000PFLOPS。</p>
</body></html>
"""
SIDECAR_1 = {"url": "https://example.org/chengdu-hnd/2024q1.html",
             "title": "成都高新区一季度项目建设提速", "published_at": "2024-04-12"}
PAGE_2 = """合肥经开区发布2023年经济运行情况

2023年，合肥经济技术开发区实现地区生产总值1350亿元，增长6.1%。
全年规模以上工业总产值突破3000亿元，工业投资增长12%。
"""


def _input_dir(dest: Path) -> Path:
    dest.mkdir()
    pages = sorted(p for p in SAMPLES.glob("*") if p.suffix.lower() in PAGE_SUFFIXES) \
        if SAMPLES.is_dir() else []
    if pages:
        for page in pages[:3]:
            shutil.copy2(page, dest / page.name)
            sidecar = page.with_suffix(".json")
            if sidecar.is_file():
                shutil.copy2(sidecar, dest / sidecar.name)
    else:
        (dest / "chengdu-hnd-2024q1.html").write_text(PAGE_1, encoding="utf-8")
        (dest / "chengdu-hnd-2024q1.json").write_text(
            json.dumps(SIDECAR_1, ensure_ascii=False), encoding="utf-8")
        (dest / "hefei-etdz-2023.txt").write_bytes(PAGE_2.encode("gb18030"))
    return dest


@pytest.mark.slow
def test_airflow_dags_test_publishes_the_warehouse(tmp_path):
    pages = _input_dir(tmp_path / "in")
    workdir, warehouse = tmp_path / "wd", tmp_path / "published" / "warehouse.duckdb"
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("ZONEWATCH_", "AIRFLOW"))}
    env |= {"ZONEWATCH_AIRFLOW_HOME": str(tmp_path / "airflow"),
            "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO"}
    proc = subprocess.run(
        ["bash", str(DEMO), "--input", str(pages), "--workdir", str(workdir),
         "--warehouse", str(warehouse), "--logical-date", "2025-06-01"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT_S,
    )
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"dags test exited {proc.returncode}:\n{log[-6000:]}"
    assert "run state=success" in proc.stdout
    # quiet: a line per task and the gate's verdict; Airflow's own output in the log file
    assert len(log.splitlines()) < 25, log
    assert all(f"  {t} " in proc.stdout for t in ("land", "process", "dbt_build", "gate",
                                                 "publish"))
    assert "gate passed" in proc.stdout
    full = (tmp_path / "airflow" / "logs" / "dags-test-latest.log").read_text()
    assert "DagRun Finished" in full and "Returned value was" in full
    assert "Returned value was" not in log

    assert (tmp_path / "airflow" / "airflow.db").is_file()
    assert warehouse.is_file(), f"no published warehouse at {warehouse}"
    reports = list((workdir / "reports").glob("*/summary.txt"))
    assert len(reports) == 1, reports
    assert reports[0].parent.name.startswith("manual__")  # the sanitised Airflow run id

    import duckdb

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = {r[0] for r in con.execute(
            "select table_name from information_schema.tables").fetchall()}
        assert tables >= FACT_TABLES, sorted(tables)
        assert tables >= {"dim_region", "dim_indicator", "dim_document", "fct_mentions"}
        docs = con.execute("select count(*) from dim_document").fetchone()[0]
        facts = sum(con.execute(f"select count(*) from {t}").fetchone()[0]  # noqa: S608
                    for t in sorted(FACT_TABLES))
    finally:
        con.close()
    assert docs >= 1
    assert facts >= 1

    # The same input again: nothing new, so dbt_build skips, and gate and publish with it.
    from ingest.serve.publish import file_digest

    published = file_digest(warehouse)
    again = subprocess.run(
        ["bash", str(DEMO), "--input", str(pages), "--workdir", str(workdir),
         "--warehouse", str(warehouse), "--logical-date", "2025-06-02"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT_S,
    )
    log = again.stdout + again.stderr
    assert again.returncode == 0, f"second dags test exited {again.returncode}:\n{log[-6000:]}"
    assert "nothing new since the published warehouse was built" in log, log[-6000:]
    assert file_digest(warehouse) == published
    assert len(list((workdir / "reports").glob("*/summary.txt"))) == 1  # no second gate


@pytest.mark.slow
def test_airflow_maps_one_fetch_task_per_source(tmp_path, local_site):
    """`--sources` through Airflow: a mapped `fetch` task per source against a local
    127.0.0.1 site, then one `land` writing DuckDB, and the warehouse is published."""
    import duckdb

    site_dir = tmp_path / "site"
    site_dir.mkdir()
    names = sorted(p.name for p in SAMPLES.glob("0[1-4]_*.html"))
    for name in names:
        shutil.copy2(SAMPLES / name, site_dir / name)
    site = local_site(site_dir)
    half = len(names) // 2
    sources = tmp_path / "sources.yml"
    lines = ["sources:"]
    for i, group in enumerate((names[:half], names[half:])):
        lines += [f"  - name: part{i}", "    allow_private: true", "    urls:"]
        lines += [f"      - {site.url('/' + n)}" for n in group]
    sources.write_text("\n".join(lines) + "\n", encoding="utf-8")
    workdir, warehouse = tmp_path / "wd", tmp_path / "warehouse.duckdb"
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("ZONEWATCH_", "AIRFLOW"))}
    env |= {"ZONEWATCH_AIRFLOW_HOME": str(tmp_path / "airflow")}
    proc = subprocess.run(
        ["bash", str(DEMO), "--sources", str(sources), "--workdir", str(workdir),
         "--warehouse", str(warehouse)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT_S,
    )
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"dags test exited {proc.returncode}:\n{log[-6000:]}"
    # the short view names each mapped task; the full log has Airflow's own lines
    assert "  fetch[0] " in proc.stdout and "  fetch[1] " in proc.stdout
    full = (tmp_path / "airflow" / "logs" / "dags-test-latest.log").read_text()
    assert "task_id=fetch map_index=0" in full and "task_id=fetch map_index=1" in full
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        urls = {r[0] for r in con.execute("select url from dim_document").fetchall()}
    finally:
        con.close()
    assert urls == {site.url("/" + n) for n in names}
