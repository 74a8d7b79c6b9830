"""`zonewatch docs` without a usable warehouse: one line and exit 2, before dbt runs and
without leaving a copy behind (tests/dbt/test_dbt_build.py generates a real site)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.cli import main


def test_missing_warehouse_is_one_line_and_exit_2(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.duckdb"
    assert main(["docs", "--workdir", str(tmp_path), "--warehouse", str(missing)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(missing) in err and "make demo" in err
    assert not (tmp_path / "docs").exists()


def test_a_file_that_is_not_duckdb_is_exit_2(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    bogus = tmp_path / "warehouse.duckdb"
    bogus.write_text("not a database", encoding="utf-8")
    assert main(["docs", "--workdir", str(tmp_path), "--warehouse", str(bogus)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(bogus) in err and "not a readable DuckDB" in err
    assert not (tmp_path / "docs" / "db").exists()
    assert not (tmp_path / "docs" / "target").exists()
