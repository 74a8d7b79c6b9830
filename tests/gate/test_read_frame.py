"""How the gate reads a table for GX: only the validated columns, in chunks, repeating
text as categoricals, nullness-only columns without their text."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from ingest import gate


def test_read_frame_chunks_and_categoricals(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gate, "READ_CHUNK_VECTORS", 1)  # 2,048 rows a chunk: 3 chunks
    con = duckdb.connect()
    con.execute("""
        create table main.dim_region as
        select 'r' || i as region_id,
               case when i % 3 = 0 then 'city' when i % 3 = 1 then 'district' else null end
                   as level,
               case when i = 7 then null else '很长的名字' || i end as name_zh
        from range(5000) as t(i)
    """)
    frame = gate._read_frame(con, "dim_region",
                             {"region_id": False, "level": False, "name_zh": True})
    assert len(frame) == 5000 and list(frame[gate.ROW_KEY]) == list(range(5000))
    assert isinstance(frame["level"].dtype, pd.CategoricalDtype)
    assert sorted(frame["level"].cat.categories) == ["city", "district"]
    assert frame["level"].isna().sum() == 1666
    assert not isinstance(frame["region_id"].dtype, pd.CategoricalDtype)  # the key
    assert frame["region_id"].is_unique
    # checked only for NULLs: its nullness survives, its text is not carried
    assert frame["name_zh"].isna().sum() == 1 and set(frame["name_zh"].dropna()) == {""}


def test_read_frame_of_an_empty_table() -> None:
    con = duckdb.connect()
    con.execute("create table main.dim_region (region_id varchar, level varchar)")
    frame = gate._read_frame(con, "dim_region", {"region_id": False, "level": False})
    assert frame.empty and {"region_id", "level", gate.ROW_KEY} <= set(frame.columns)
