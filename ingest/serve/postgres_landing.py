"""The landing zone copied into PostgreSQL: every landing table of landing.duckdb into
one schema, recreated, in one transaction, streamed with psycopg2 COPY (DuckDB's postgres
extension downloads on first use, which is not possible offline)."""

from __future__ import annotations

import io
import logging
import math
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

__all__ = ["LANDING_TABLES", "load_landing"]

logger = logging.getLogger(__name__)
logger.addHandler(logging.NullHandler())

LANDING_DDL = Path(__file__).resolve().parent.parent / "landing" / "landing.sql"
LANDING_TABLES = (
    "raw_pages",
    "page_errors",
    "documents",
    "mentions",
    "validation_runs",
    "quarantine",
    "fetch_state",
    "exclusions",
)
BATCH_ROWS = 5_000

# DuckDB type -> Postgres type (the landing DDL uses only these; anything else -> text).
_PG_TYPES = {
    "VARCHAR": "text",
    "BOOLEAN": "boolean",
    "TINYINT": "smallint",
    "SMALLINT": "smallint",
    "INTEGER": "integer",
    "BIGINT": "bigint",
    "HUGEINT": "numeric",
    "FLOAT": "real",
    "DOUBLE": "double precision",
    "DATE": "date",
    "TIME": "time",
    "TIMESTAMP": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamptz",
    "JSON": "text",
    "UUID": "uuid",
}


def _pg_type(duckdb_type: str) -> str:
    t = duckdb_type.upper()
    if t.startswith("DECIMAL"):
        return t.replace("DECIMAL", "numeric")
    return _PG_TYPES.get(t, "text")


def _copy_text(value: Any) -> str:
    """One value in COPY's text format."""
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return repr(value)  # shortest round-trip repr: float8 gets the same double
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    s = str(value)
    return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _copy_batches(rows: Iterable[Sequence[Any]]) -> Iterator[io.StringIO]:
    buf = io.StringIO()
    n = 0
    for row in rows:
        buf.write("\t".join(_copy_text(v) for v in row))
        buf.write("\n")
        n += 1
        if n >= BATCH_ROWS:
            buf.seek(0)
            yield buf
            buf, n = io.StringIO(), 0
    if n:
        buf.seek(0)
        yield buf


def _landing_columns(con: Any, table: str) -> list[tuple[str, str]]:
    return [
        (str(r[0]), str(r[1]))
        for r in con.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = 'main' and table_name = ? order by ordinal_position",
            [table],
        ).fetchall()
    ]


def _primary_key(con: Any, table: str) -> list[str]:
    row = con.execute(
        "select constraint_column_names from duckdb_constraints() "
        "where schema_name = 'main' and table_name = ? and constraint_type = 'PRIMARY KEY'",
        [table],
    ).fetchone()
    return list(row[0]) if row else []


def load_landing(landing_db: Path, pg_dsn: str, schema: str = "landing") -> dict[str, int]:
    """Copy the landing tables from `landing_db` (DuckDB, opened read-only) into `schema`
    of the Postgres database `pg_dsn`, recreating them, in one transaction: a concurrent
    build sees the previous copy or this one. A table missing from an older landing file
    is created empty from ingest/landing/landing.sql. Returns rows copied per table."""
    import duckdb
    import psycopg2
    from psycopg2 import sql

    src = duckdb.connect(str(landing_db), read_only=True)
    ddl_only = duckdb.connect()  # the DDL's shape, for tables an older file lacks
    ddl_only.execute(LANDING_DDL.read_text(encoding="utf-8"))
    counts: dict[str, int] = {}
    pg = psycopg2.connect(pg_dsn)
    try:
        with pg, pg.cursor() as cur:  # one transaction: commit on success, else rollback
            cur.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(schema)))
            for table in LANDING_TABLES:
                cols = _landing_columns(src, table)
                present = bool(cols)
                shape = src if present else ddl_only
                target = sql.Identifier(schema, table)
                _recreate(cur, target, cols or _landing_columns(ddl_only, table),
                          _primary_key(shape, table))
                counts[table] = _copy_rows(cur, src, table, target, cols) if present else 0
    finally:
        pg.close()
        src.close()
        ddl_only.close()
    logger.info("landing copied to postgres schema %s: %s", schema, counts)
    return counts


def _recreate(cur: Any, target: Any, cols: Sequence[tuple[str, str]], pk: Sequence[str]) -> None:
    """Drop `target` and create it with the landing table's columns and primary key."""
    from psycopg2 import sql

    col_defs = [sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(_pg_type(t)))
                for c, t in cols]
    if pk:
        col_defs.append(sql.SQL("primary key ({})").format(
            sql.SQL(", ").join(map(sql.Identifier, pk))))
    cur.execute(sql.SQL("drop table if exists {}").format(target))
    cur.execute(sql.SQL("create table {} ({})").format(target, sql.SQL(", ").join(col_defs)))


def _copy_rows(cur: Any, src: Any, table: str, target: Any,
               cols: Sequence[tuple[str, str]]) -> int:
    """Stream `table` from DuckDB into `target` with COPY, BATCH_ROWS at a time; the rows
    Postgres then holds."""
    from psycopg2 import sql

    names = [c for c, _ in cols]
    select = "select {} from main.{}".format(
        ", ".join('"' + c.replace('"', '""') + '"' for c in names), '"' + table + '"')
    rel = src.execute(select)
    copy_sql = sql.SQL("copy {} ({}) from stdin").format(
        target, sql.SQL(", ").join(map(sql.Identifier, names))).as_string(cur)

    def rows() -> Iterator[tuple[Any, ...]]:
        while chunk := rel.fetchmany(BATCH_ROWS):
            yield from chunk

    for buf in _copy_batches(rows()):
        cur.copy_expert(copy_sql, buf)
    cur.execute(sql.SQL("select count(*) from {}").format(target))
    return int(cur.fetchone()[0])
