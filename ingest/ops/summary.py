"""The run summary printed after `make demo`: what was read, what was published, where
the warehouse, the gate report and the logs are."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import duckdb

from ingest.config import Paths

__all__ = ["summarise"]

logger = logging.getLogger(__name__)
logger.addHandler(logging.NullHandler())

FACT_TABLES = ("fct_investment", "fct_output", "fct_compute")


def _latest_report(reports_dir: Path) -> Path | None:
    runs = sorted((p for p in reports_dir.glob("*/gate.json")), key=lambda p: p.stat().st_mtime)
    return runs[-1].parent if runs else None


def summarise(paths: Paths, logs_dir: Path | None = None) -> str:
    lines = ["", "zonewatch summary", "================="]
    if paths.landing_db.is_file():
        con = duckdb.connect(str(paths.landing_db), read_only=True)
        try:
            pages = con.execute("select count(*) from raw_pages").fetchone()
            docs = con.execute(
                "select count(*) filter (where status = 'ok'), "
                "count(*) filter (where status = 'rejected') from documents").fetchone()
            rejected = con.execute(
                "select url, reject_reason from documents where status = 'rejected' "
                "order by url").fetchall()
        finally:
            con.close()
        lines.append(f"pages landed      {pages[0] if pages else 0}  (raw bytes under "
                     f"{paths.raw_dir})")
        if docs:
            lines.append(f"pages read        {docs[0]} ok, {docs[1]} rejected")
        lines += [f"  rejected: {u}  ({r})" for u, r in rejected]
    if paths.warehouse.is_file():
        con = duckdb.connect(str(paths.warehouse), read_only=True)
        try:
            for t in FACT_TABLES:
                n = con.execute(f"select count(*) from {t}").fetchone()  # fixed names
                lines.append(f"{t:<17} {n[0] if n else 0} facts")
            m = con.execute("select count(*) from fct_mentions").fetchone()
            lines.append(f"{'fct_mentions':<17} {m[0] if m else 0} mentions")
        finally:
            con.close()
        lines.append(f"warehouse         {paths.warehouse}")
    else:
        lines.append(f"warehouse         not published ({paths.warehouse} does not exist)")
    report = _latest_report(paths.reports_dir)
    if report is not None:
        gate = json.loads((report / "gate.json").read_text(encoding="utf-8"))
        verdict = "passed" if gate.get("passed") else "BLOCKED"
        lines.append(f"quality gate      {verdict} ({len(gate.get('warnings', []))} warnings, "
                     f"{len(gate.get('blocking', []))} blocking)")
        lines.append(f"gate report       {report / 'summary.txt'}")
        docs_index = next(iter(sorted(report.rglob("index.html"))), None)
        if docs_index:
            lines.append(f"data docs         {docs_index}")
    if logs_dir is not None:
        lines.append(f"airflow logs      {logs_dir}")
    return "\n".join(lines)
