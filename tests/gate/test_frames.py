"""How the gate reads tables for GX at any size: row-wise checks on numbered chunks,
whole-column checks on ranks, and a run whose failures sit in later chunks."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import duckdb
import pytest

from benchmarks.buildcopy import build_copy
from ingest.gate import frames as gate_frames
from ingest.gate import run as gate
from ingest.gate.spec import ROW_KEY, load_spec
from ingest.gate.tally import Tally
from tests.gate.builder import gate_views


def _gate_view(con: duckdb.DuckDBPyConnection, table: str) -> duckdb.DuckDBPyConnection:
    """The gate reads `table` through its dbt view, as in a build copy."""
    con.execute("create schema if not exists gate")
    con.execute(f'create view gate."gate__{table}" as {gate_views()[f"gate__{table}"]}')
    return con


def _regions(n: int) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(f"""
        create table main.dim_region as
        select 'r' || i as region_id,
               case when i % 3 = 0 then 'city' when i % 3 = 1 then 'district' else null end
                   as level,
               case when i = 7 then null else '很长的名字' || i end as name_zh
        from range({n}) as t(i)
    """)
    return _gate_view(con, "dim_region")


def test_chunks_number_rows_across_the_table(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gate_frames, "CHUNK_VECTORS", 1)  # 2,048 rows a chunk
    con = _regions(5000)
    frames = list(gate_frames.chunks(con, "dim_region",
                                     {"region_id": False, "level": False, "name_zh": True}))
    assert [len(f) for f in frames] == [2048, 2048, 904]
    assert [r for f in frames for r in f[ROW_KEY]] == list(range(5000))
    names = [v for f in frames for v in f["name_zh"].dropna()]
    # checked only for NULLs: its nullness survives, its text is not carried
    assert len(names) == 4999 and set(names) == {""}


def test_an_empty_table_is_one_empty_chunk() -> None:
    con = duckdb.connect()
    con.execute("create table main.dim_region (region_id varchar, level varchar)")
    _gate_view(con, "dim_region")
    (frame,) = gate_frames.chunks(con, "dim_region", {"region_id": False, "level": False})
    assert frame.empty and {"region_id", "level", ROW_KEY} <= set(frame.columns)


def test_whole_frame_reads_equality_columns_as_ranks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gate_frames, "CHUNK_VECTORS", 1)
    con = _regions(5000)
    con.execute("update main.dim_region set region_id = 'r10' where region_id = 'r4321'")
    con.execute("update main.dim_region set region_id = null where region_id = 'r99'")
    frame = gate_frames.whole_frame(con, "dim_region", {"region_id": False},
                                    frozenset({"region_id"}))
    assert len(frame) == 5000 and frame[ROW_KEY].tolist() == list(range(5000))
    ranks = frame["region_id"]
    assert ranks.isna().sum() == 1  # NULL stays NULL
    dup = ranks[ranks.duplicated(keep=False)]
    assert len(dup) == 2 and dup.nunique() == 1  # equal values, equal ranks; no others
    assert gate_frames.decode_ranks(con, "dim_region", "region_id", [int(dup.iloc[0])]) == {
        int(dup.iloc[0]): "r10"}
    assert gate_frames.encodable(load_spec(), "stg_landing__mentions") == {"mention_id"}


def _result(success: bool, unexpected: int, elements: int, mostly: float | None) -> Any:
    cfg = SimpleNamespace(
        meta={"suite": "documents", "name": "documents_mostly_ok", "severity": "warn"},
        type="expect_column_values_to_be_in_set",
        to_json_dict=lambda: {"kwargs": {"column": "status", "mostly": mostly}})
    return SimpleNamespace(expectation_config=cfg, success=success, exception_info={},
                           result={"unexpected_count": unexpected, "element_count": elements,
                                   "missing_count": 0, "partial_unexpected_index_list": []})


@pytest.mark.parametrize(("mostly", "passes"), [(0.5, True), (0.9, False), (None, False)])
def test_chunk_results_add_up_like_one_batch(mostly: float | None, passes: bool) -> None:
    """8 bad rows of 10 fail the first chunk alone; of all 40 rows they are 20%."""
    import pandas as pd

    frame = pd.DataFrame({ROW_KEY: [0], "document_id": ["d"]})
    src = gate.TABLE_QUERIES["stg_landing__documents"]
    first = _result(False, 8, 10, mostly)
    tally = Tally.of(first, {})
    tally.add(first, frame, src, 3, 0)
    tally.add(_result(True, 0, 30, mostly), frame, src, 3, 0)
    assert (tally.unexpected, tally.elements, tally.chunks) == (8, 40, 2)
    assert tally.success is passes


def test_failures_in_later_chunks_are_found_and_named(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gate_frames, "CHUNK_VECTORS", 1)  # 6,000 mentions: 3 chunks
    db = tmp_path / "build.duckdb"
    build_copy(db, n_mentions=6000, n_facts=1500)
    with duckdb.connect(str(db)) as con:
        ids = [r[0] for r in con.execute(
            "select mention_id from staging.stg_landing__mentions where unit = 'CNY' "
            "order by mention_id").fetchall()]
        bad, dup_of, dup = ids[-1], ids[3], ids[-2]
        con.execute("update staging.stg_landing__mentions set value = -5 where mention_id = ?",
                    [bad])
        con.execute("update staging.stg_landing__mentions set mention_id = ? "
                    "where mention_id = ?", [dup_of, dup])
    res = gate.run_gate(db, tmp_path / "report")

    (unique,) = [f for f in res.blocking if f.expectation == "mention_id_unique"]
    assert unique.unexpected_count == 2 and unique.element_count == 6000
    assert {ex["mention_id"] for ex in unique.examples} == {dup_of}  # decoded, not a rank
    assert all(ex.get("url", "").startswith("https://") for ex in unique.examples)

    (neg,) = [f for f in res.quarantined if f.expectation == "mention_value_positive"]
    assert neg.unexpected_count == 1 and neg.examples[0]["mention_id"] == bad
    assert neg.examples[0]["value"] == -5 and neg.examples[0]["sentence"]
    assert [r["mention_id"] for r in res.quarantine_rows] == [bad]
    outcome = {(o["table"], o["expectation"]): o for o in
               __import__("json").loads(res.report_path.read_text())["expectations"]}
    assert outcome[("stg_landing__mentions", "mention_value_positive")]["chunks"] == 3
    assert outcome[("stg_landing__mentions", "mention_value_positive")]["element_count"] \
        > 2048  # summed over chunks, not the last chunk's
