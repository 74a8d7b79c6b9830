"""What the quality gate decided, kept in the landing zone: one `validation_runs` row per
gate run (published as `validation_runs`; `zonewatch failures` reads it) and the
`quarantine` table of mentions a gate set aside (ingest/landing/landing.sql).

`GateHistory` is mixed into `ingest.landing.store.LandingStore`; all values go to DuckDB
as bound parameters.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import duckdb

from ingest.landing.raw import utc_naive

__all__ = ["GateHistory"]


class GateHistory:
    """The gate's verdicts and set-asides on a landing store (`con`: its connection)."""

    if TYPE_CHECKING:  # LandingStore provides it; declared here for the type checker only

        @property
        def con(self) -> duckdb.DuckDBPyConnection: ...

    def record_validation(self, *, run_id: str, passed: bool, blocking: int, warnings: int,
                          expectations: int, report_dir: str, summary: str,
                          failures: list[dict[str, Any]],
                          build_sha256: str | None = None) -> None:
        """One quality-gate run (replaces an earlier row of the same run id)."""
        self.con.execute("delete from validation_runs where run_id = ?", [run_id])
        self.con.execute(
            "insert into validation_runs (run_id, validated_at, passed, blocking_count, "
            "warning_count, expectations, report_dir, summary, failures, build_sha256) "
            "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [run_id, utc_naive(None), passed, blocking, warnings, expectations, report_dir,
             summary, json.dumps(failures, ensure_ascii=False, default=str), build_sha256])

    def validated_build(self, run_id: str) -> tuple[bool, str | None] | None:
        """(passed, sha256 of the build copy it validated) for a run's gate; None: none."""
        row = self.con.execute("select passed, build_sha256 from validation_runs "
                               "where run_id = ?", [run_id]).fetchone()
        return None if row is None else (bool(row[0]), row[1])

    def validation_runs(self, *, failed_only: bool = False,
                        limit: int = 20) -> list[dict[str, Any]]:
        where = "where not passed" if failed_only else ""
        cur = self.con.execute(
            f"select * from validation_runs {where} order by validated_at desc limit ?",
            [limit])
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]

    def quarantine(self, rows: Iterable[Mapping[str, Any]], run_id: str) -> int:
        """Set mentions aside (the gate's row-level failures); a mention quarantined once
        stays out. Returns how many were new."""
        now = utc_naive(None)
        new = 0
        for r in rows:
            exists = self.con.execute("select count(*) from quarantine where mention_id = ?",
                                      [r["mention_id"]]).fetchone()
            if exists and exists[0]:
                continue
            self.con.execute(
                "insert into quarantine (mention_id, document_id, url, sentence, raw_text, "
                "expectation, reason, run_id, quarantined_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [r["mention_id"], r["document_id"], r.get("url"), r.get("sentence"),
                 r.get("raw_text"), r["expectation"], r.get("reason") or r["expectation"],
                 run_id, now])
            new += 1
        return new
