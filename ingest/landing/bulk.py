"""Bulk inserts into the landing zone: many rows in one statement, from a registered
DataFrame (a row at a time costs milliseconds a row in DuckDB).

`insert_documents` / `insert_mentions` take what the processing step builds (a
DataFrame, mappings or tuples), checked against the table's own columns;
`insert_rows` takes tuples for the landing's own tables (the spool's landing).
Timestamps go in as naive UTC. No SQL is built from values: table names are fixed,
column names are checked against the schema.

`BulkInserts` is mixed into `ingest.landing.store.LandingStore`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import duckdb
import pandas as pd

from ingest.landing.raw import utc_naive

__all__ = ["BULK_TABLES", "BulkInserts"]

# Tables whose rows callers may insert in bulk (fixed names: never taken from input).
BULK_TABLES = ("documents", "mentions")


def _naive_utc_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Turn tz-aware timestamps (datetime64[tz] or datetime objects) into naive UTC."""
    out = frame.copy()
    for col in out.columns:
        s = out[col]
        if isinstance(s.dtype, pd.DatetimeTZDtype):
            out[col] = s.dt.tz_convert("UTC").dt.tz_localize(None)
        elif s.dtype == object and any(isinstance(v, datetime) and v.tzinfo is not None
                                       for v in s):
            out[col] = [utc_naive(v) if isinstance(v, datetime) else v for v in s]
    return out


class BulkInserts:
    """Bulk inserts on a landing store (`con`: its connection)."""

    if TYPE_CHECKING:  # LandingStore provides it; declared here for the type checker only

        @property
        def con(self) -> duckdb.DuckDBPyConnection: ...

    def table_columns(self, table: str) -> list[str]:
        rows = self.con.execute(
            "select column_name from information_schema.columns "
            "where table_name = ? order by ordinal_position", [table]).fetchall()
        return [r[0] for r in rows]

    def _insert_frame(self, table: str, rows: pd.DataFrame | Iterable[Any],
                      columns: Sequence[str] | None) -> int:
        if table not in BULK_TABLES:
            raise ValueError(f"bulk insert only into {BULK_TABLES}, not {table!r}")
        known = self.table_columns(table)
        if isinstance(rows, pd.DataFrame):
            frame = rows
        else:
            items = list(rows)
            if not items:
                return 0
            if isinstance(items[0], Mapping):
                frame = pd.DataFrame.from_records(items)
            else:
                cols = list(columns) if columns is not None else known
                frame = pd.DataFrame.from_records(items, columns=cols)
        if frame.empty:
            return 0
        frame = _naive_utc_frame(frame)
        if columns is not None and isinstance(rows, pd.DataFrame):
            frame = frame[list(columns)]
        unknown = [c for c in frame.columns if c not in known]
        if unknown:
            raise ValueError(f"{table}: unknown column(s) {unknown}; table has {known}")
        cols = [c for c in known if c in frame.columns]
        col_sql = ", ".join(f'"{c}"' for c in cols)  # names checked against the schema above
        view = f"_zw_bulk_{table}"
        self.con.register(view, frame[cols])
        try:
            self.con.execute(f"insert into {table} ({col_sql}) select {col_sql} from {view}")
        finally:
            self.con.unregister(view)
        return len(frame)

    def insert_documents(self, rows: pd.DataFrame | Iterable[Any],
                         columns: Sequence[str] | None = None) -> int:
        """Insert `documents` rows: a DataFrame, mappings (column -> value), or tuples in
        `columns` order (default: the table's column order). Returns the row count."""
        return self._insert_frame("documents", rows, columns)

    def insert_mentions(self, rows: pd.DataFrame | Iterable[Any],
                        columns: Sequence[str] | None = None) -> int:
        """Insert `mentions` rows; same forms as `insert_documents`."""
        return self._insert_frame("mentions", rows, columns)

    def insert_rows(self, table: str, columns: Sequence[str],
                     rows: list[tuple[Any, ...]]) -> None:
        """Insert tuples into one of the landing's own tables in one statement."""
        if not rows:
            return
        frame = pd.DataFrame.from_records(rows, columns=list(columns))
        col_sql = ", ".join(columns)  # fixed names from the landing modules, not input
        view = f"_zw_rows_{table}"
        self.con.register(view, frame)
        try:
            self.con.execute(f"insert into {table} ({col_sql}) select {col_sql} from {view}")
        finally:
            self.con.unregister(view)
