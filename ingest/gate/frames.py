"""How the gate reads build-copy tables for GX, in bounded memory at any size.

Row-wise expectations get the table in chunks of CHUNK_VECTORS x 2048 rows, each chunk
validated and dropped before the next is read. Whole-column expectations (uniqueness)
get one frame holding only the columns they read. Either way only the columns some
expectation reads are fetched; sentences, URLs and texts for a report's few failing
rows are read back by key afterwards (`rows_by_key`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ingest.gate.spec import EQUALITY_ONLY, ROW_KEY, TABLE_QUERIES, GateSpec

if TYPE_CHECKING:  # pragma: no cover
    import duckdb
    import pandas as pd

__all__ = ["CHUNK_VECTORS", "chunks", "columns_read", "count_distinct", "count_rows",
           "decode_ranks", "encodable", "mentions_of_facts", "rows_by_key", "whole_frame"]

# x 2048 rows (DuckDB's vector size): 262,144 rows a chunk. Larger chunks save GX's
# per-run overhead and cost memory in proportion.
CHUNK_VECTORS = 128


def columns_read(spec: GateSpec, table: str, row_wise: bool) -> dict[str, bool]:
    """Columns the row-wise (or the whole-column) expectations on `table` read -> whether
    only their nullness matters (every use is a not-null check). The key comes first:
    failing rows are reported by it."""
    uses: dict[str, bool] = {TABLE_QUERIES[table].key: False}
    for e in spec.for_table(table):
        if e.row_wise != row_wise:
            continue
        for c in e.columns:
            null_only = e.expect == "column_values_to_not_be_null" and c == e.kwargs.get("column")
            uses[c] = uses.get(c, True) and null_only
    return uses


def encodable(spec: GateSpec, table: str) -> frozenset[str]:
    """Whole-column columns that only equality checks read: safe to read as ranks."""
    whole = [e for e in spec.for_table(table) if not e.row_wise]
    return frozenset(c for e in whole for c in e.columns
                     if all(o.expect in EQUALITY_ONLY for o in whole if c in o.columns))


def _relation(table: str) -> str:
    relation = TABLE_QUERIES[table].relation
    if relation is None:
        raise ValueError(f"{table} is built in Python, not read from the build copy")
    return relation


def _select(table: str, columns: dict[str, bool]) -> str:
    # A column checked only for NULLs is read as '' / NULL: its nullness, not its text.
    select = ", ".join(
        (f'case when "{c}" is null then null else \'\' end as "{c}"' if null_only else f'"{c}"')
        for c, null_only in columns.items())
    return f"select {select} from {_relation(table)} as t"  # noqa: S608 (names from gate.yml, checked by GX)


def chunks(con: duckdb.DuckDBPyConnection, table: str,
           columns: dict[str, bool]) -> Iterator[pd.DataFrame]:
    """The table's rows in frames of at most CHUNK_VECTORS x 2048 rows, each with ROW_KEY
    numbering rows across the whole table. An empty table is one empty frame."""
    return _chunks(con, _select(table, columns))


def _chunks(con: duckdb.DuckDBPyConnection, query: str) -> Iterator[pd.DataFrame]:
    # Its own cursor: the caller queries `con` between chunks (rows_by_key for examples),
    # which would end a result streamed on the connection itself.
    with con.cursor() as cur:
        cur.execute(query)
        offset = 0
        while True:
            frame = cur.fetch_df_chunk(CHUNK_VECTORS)
            if len(frame) == 0 and offset > 0:
                return
            frame.insert(0, ROW_KEY, range(offset, offset + len(frame)))
            offset += len(frame)
            yield frame
            if len(frame) == 0:
                return


def whole_frame(con: duckdb.DuckDBPyConnection, table: str, columns: dict[str, bool],
                encode: frozenset[str] = frozenset()) -> pd.DataFrame:
    """Every row of the given columns in one frame (read in chunks, then joined).

    Columns in `encode` arrive as their dense rank (equal values, equal ranks; NULL stays
    NULL): a lossless stand-in for checks that only compare values for equality
    (uniqueness), 8 bytes a row instead of a Python string (2.4M mention ids held
    ~500 MB). `decode_ranks` turns ranks back into values for the rows a report shows."""
    import pandas as pd

    select = ", ".join(
        (f'case when "{c}" is null then null else dense_rank() over (order by "{c}") end '
         f'as "{c}"' if c in encode else f'"{c}"') for c in columns)
    query = f"select {select} from ({_select(table, columns)}) as t"  # noqa: S608 (names from gate.yml)
    parts = list(_chunks(con, query))
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]


def decode_ranks(con: duckdb.DuckDBPyConnection, table: str, column: str,
           ranks: list[Any]) -> dict[int, Any]:
    """Rank -> value of `column` for the ranks given (see whole_frame's `encode`)."""
    if not ranks:
        return {}
    rows = con.execute(
        f'select distinct r, v from (select "{column}" as v, dense_rank() over '  # noqa: S608 (names from gate.yml)
        f'(order by "{column}") as r from {_relation(table)} as t '
        f'where "{column}" is not null) where r in (select unnest(?))',
        [[int(r) for r in ranks]]).fetchall()
    return {int(r): v for r, v in rows}


def count_rows(con: duckdb.DuckDBPyConnection, table: str) -> int:
    row = con.execute(f"select count(*) from {_relation(table)}").fetchone()  # noqa: S608 (fixed names)
    return int(row[0]) if row else 0


def count_distinct(con: duckdb.DuckDBPyConnection, table: str, column: str) -> int:
    row = con.execute(f'select count(distinct "{column}") from {_relation(table)}'  # noqa: S608 (fixed names)
                      ).fetchone()
    return int(row[0]) if row else 0


def mentions_of_facts(con: duckdb.DuckDBPyConnection,
                      fact_ids: list[Any]) -> dict[Any, list[dict[str, Any]]]:
    """fact_id -> every mention that states it (rows of the gate's fct_mentions view, with
    their page's url, sentence and raw_text), in mention_id order: what quarantine sets
    aside for a failing fact. A fact no mention states is left out."""
    if not fact_ids:
        return {}
    rel = con.execute(
        f'select * from {_relation("fct_mentions")} as t '  # noqa: S608 (fixed names)
        f'where "fact_id" in (select unnest(?)) order by "fact_id", "mention_id"',
        [[str(k) for k in fact_ids]])
    names = [d[0] for d in rel.description]
    out: dict[Any, list[dict[str, Any]]] = {}
    for row in rel.fetchall():
        rec = dict(zip(names, row, strict=True))
        out.setdefault(rec["fact_id"], []).append(rec)
    return out


def rows_by_key(con: duckdb.DuckDBPyConnection, table: str,
                keys: list[Any]) -> dict[Any, dict[str, Any]]:
    """Whole rows of `table` (its gate view) for some keys: examples and quarantine rows
    are read back by key, never kept for every row."""
    if not keys or not TABLE_QUERIES[table].relation:
        return {}
    key = TABLE_QUERIES[table].key
    rel = con.execute(
        f'select * from {_relation(table)} as t '  # noqa: S608 (fixed names)
        f'where "{key}" in (select unnest(?))', [[str(k) for k in keys]])
    names = [d[0] for d in rel.description]
    out: dict[Any, dict[str, Any]] = {}
    for row in rel.fetchall():
        rec = dict(zip(names, row, strict=True))
        out.setdefault(rec[key], rec)
    return out
