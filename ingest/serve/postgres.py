"""Serve the marts from PostgreSQL: copy the landing zone in, `dbt build --target postgres`,
then switch the built marts into the schema BI tools read, atomically.

    load_landing(landing_db, dsn)        landing.duckdb -> schema `landing` (one transaction)
    build_postgres(landing_db, dsn)      load_landing + dbt build --target postgres
                                         (marts -> `zonewatch_build`; staging, intermediate
                                         and seeds -> `staging`, `intermediate`, `seeds`)
    publish_postgres(dsn)                `zonewatch_build` -> `zonewatch` in one transaction
    check_target(dsn, readers)           before any of it: the server answers and every
                                         reader role exists (a second, not a build)

Atomic switch. Postgres DDL is transactional, so renaming the serving schema away and the
build schema into its place in one transaction is one step for a reader. One more thing
is needed for a reader that reads two marts (in one statement, or in one transaction):
name lookup happens table by table, so a reader that has resolved `zonewatch.fct_output`
to the old table could resolve the next name after the commit, to the new one. The switch
therefore first takes ACCESS EXCLUSIVE locks on every table of the serving schema: it
waits for readers already on the old marts to finish (they keep their locks to the end of
their transaction), and readers arriving meanwhile wait and then resolve every name to the
new marts. The switch runs with a short lock_timeout and retries, so it gives way rather
than deadlocking with a reader; readers never see an error.

The landing copy itself (tables, types, COPY) is `ingest.serve.postgres_landing`.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ingest.build.dbt_build import DbtResult, project_fingerprint, run_dbt
from ingest.config import ConfigError
from ingest.serve.postgres_landing import LANDING_TABLES, load_landing
from ingest.serve.publish import PublishError

__all__ = [
    "LANDING_TABLES",
    "PostgresUnreachable",
    "build_postgres",
    "check_target",
    "load_landing",
    "publish_postgres",
    "serving_fingerprint",
]

logger = logging.getLogger(__name__)
logger.addHandler(logging.NullHandler())

def _connect(dsn: str) -> Any:
    import psycopg2

    return psycopg2.connect(dsn)


class PostgresUnreachable(Exception):
    """The server does not answer or refuses the connection (one line, password hidden)."""


def _redacted(pg_dsn: str) -> str:
    import psycopg2
    from psycopg2.extensions import make_dsn, parse_dsn

    try:
        parts = parse_dsn(pg_dsn)
    except psycopg2.ProgrammingError:  # malformed: show nothing of it
        return "the given --dsn"
    if "password" in parts:
        parts["password"] = "***"
    return make_dsn(**parts)


def check_target(pg_dsn: str, readers: Sequence[str] = (), *, connect_timeout: int = 5) -> None:
    """What serve-postgres needs before it copies or builds anything: the server answers
    `pg_dsn` and every role in `readers` exists (publish_postgres grants them SELECT).
    Raises ConfigError for a malformed DSN or a missing role, PostgresUnreachable when
    the connection fails; both with a one-line message."""
    import psycopg2
    from psycopg2.extensions import parse_dsn

    try:
        parse_dsn(pg_dsn)
    except psycopg2.ProgrammingError as exc:
        raise ConfigError(f"--dsn: not a PostgreSQL connection string "
                          f"({str(exc).strip().splitlines()[0]})") from exc
    try:
        con = psycopg2.connect(pg_dsn, connect_timeout=connect_timeout)
    except psycopg2.Error as exc:
        first = next((ln.strip() for ln in str(exc).splitlines() if ln.strip()), repr(exc))
        raise PostgresUnreachable(f"cannot connect to {_redacted(pg_dsn)}: {first}") from exc
    try:
        with con.cursor() as cur:
            cur.execute("select rolname from pg_roles where rolname = any(%s::text[])",
                        [list(readers)])
            found = {r[0] for r in cur.fetchall()}
    finally:
        con.close()
    missing = [r for r in dict.fromkeys(readers) if r not in found]
    if missing:
        raise ConfigError(
            f"--reader: no role {', '.join(repr(m) for m in missing)} in {_redacted(pg_dsn)} "
            f"(create it first: CREATE ROLE {missing[0]} LOGIN ...); nothing built"
        )


# --------------------------------------------------------------------------- build


def _dsn_env(pg_dsn: str, build_schema: str, landing_schema: str) -> dict[str, str]:
    from psycopg2.extensions import parse_dsn

    p = parse_dsn(pg_dsn)
    return {
        "ZONEWATCH_PG_HOST": p.get("host", "127.0.0.1"),
        "ZONEWATCH_PG_PORT": str(p.get("port", "5432")),
        "ZONEWATCH_PG_USER": p.get("user", "postgres"),
        "ZONEWATCH_PG_PASSWORD": p.get("password", ""),
        "ZONEWATCH_PG_DBNAME": p.get("dbname", "zonewatch"),
        "ZONEWATCH_PG_SCHEMA": build_schema,
        "ZONEWATCH_PG_LANDING_SCHEMA": landing_schema,
    }


@contextmanager
def _env(values: dict[str, str]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def serving_fingerprint(pg_dsn: str, serving_schema: str = "zonewatch") -> str | None:
    """The dbt project fingerprint the served marts were built with (None: none)."""
    import psycopg2
    from psycopg2 import sql

    try:
        con = _connect(pg_dsn)
    except psycopg2.Error:
        return None
    try:
        with con.cursor() as cur:
            cur.execute("select to_regclass(%s)", [f'"{serving_schema}".zonewatch_build_info'])
            if cur.fetchone()[0] is None:
                return None
            cur.execute(
                sql.SQL("select build_fingerprint from {}").format(
                    sql.Identifier(serving_schema, "zonewatch_build_info")
                )
            )
            row = cur.fetchone()
            return str(row[0]) if row else None
    finally:
        con.close()


def build_postgres(
    landing_db: Path,
    pg_dsn: str,
    *,
    work_dir: Path | None = None,
    build_schema: str = "zonewatch_build",
    serving_schema: str = "zonewatch",
    landing_schema: str = "landing",
    full_refresh: bool | None = None,
    extra_args: list[str] | None = None,
) -> DbtResult:
    """load_landing, then `dbt build --target postgres` in-process: marts into
    `build_schema` (dropped first: a failed build's leftovers are never published),
    staging/intermediate/seeds into their own schemas. Incremental staging is kept only
    when the served marts were built by the same dbt project (as the DuckDB build copy);
    `full_refresh` forces either way. Publish with publish_postgres when it succeeded."""
    from psycopg2 import sql

    load_landing(landing_db, pg_dsn, schema=landing_schema)
    fingerprint = project_fingerprint()
    if full_refresh is None:
        full_refresh = serving_fingerprint(pg_dsn, serving_schema) != fingerprint
    con = _connect(pg_dsn)
    try:
        with con, con.cursor() as cur:
            cur.execute(
                sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(build_schema))
            )
    finally:
        con.close()
    work_dir = work_dir or landing_db.parent / "dbt_postgres"
    args = [
        "--vars",
        f'{{"build_fingerprint": "{fingerprint}"}}',
        *(["--full-refresh"] if full_refresh else []),
        *(extra_args or []),
    ]
    with _env(_dsn_env(pg_dsn, build_schema, landing_schema)):
        # build_db is not read by the postgres target; landing_db only for symmetry
        return run_dbt(
            "build",
            work_dir / "unused.duckdb",
            landing_db,
            work_dir,
            extra_args=args,
            target="postgres",
        )


# --------------------------------------------------------------------------- publish


def publish_postgres(
    pg_dsn: str,
    build_schema: str = "zonewatch_build",
    serving_schema: str = "zonewatch",
    *,
    keep_previous: bool = True,
    readers: Sequence[str] = (),
    lock_timeout_ms: int = 200,
    attempts: int = 100,
) -> None:
    """Make the marts in `build_schema` the ones in `serving_schema`, in one transaction.

    Readers see the old marts or the new ones, never a mix (see the module docstring).
    With keep_previous the replaced marts stay as `<serving_schema>_previous` (one
    generation, for rollback); else they are dropped in the same transaction. `readers`:
    roles granted USAGE and SELECT on the new marts before the switch. Raises
    PublishError if there is no build to publish or the locks are never obtained.
    """
    import psycopg2
    from psycopg2 import errors

    con = _connect(pg_dsn)
    try:
        for attempt in range(1, attempts + 1):
            try:
                with con, con.cursor() as cur:  # one transaction
                    _switch(cur, build_schema, serving_schema, keep_previous=keep_previous,
                            readers=readers, lock_timeout_ms=lock_timeout_ms)
                logger.info(
                    "published %s as %s (attempt %d)", build_schema, serving_schema, attempt
                )
                return
            except (errors.LockNotAvailable, errors.DeadlockDetected) as exc:
                # a reader holds the old marts: give way, then try again
                logger.debug("publish attempt %d gave way: %s", attempt, exc)
                time.sleep(min(0.01 * attempt, 0.2))
            except psycopg2.Error as exc:
                raise PublishError(f"publish failed: {exc}") from exc
        raise PublishError(f"could not lock {serving_schema!r} in {attempts} attempts")
    finally:
        con.close()


def _switch(cur: Any, build_schema: str, serving_schema: str, *, keep_previous: bool,
            readers: Sequence[str], lock_timeout_ms: int) -> None:
    """One attempt at the switch, inside the caller's transaction: lock every serving
    table (giving up after lock_timeout_ms), grant the readers, rename the serving schema
    away (to _previous, or _retired and dropped) and the build schema into its place."""
    from psycopg2 import sql

    def ident(name: str) -> Any:
        return sql.Identifier(name)

    cur.execute("select set_config('lock_timeout', %s, true)", [f"{lock_timeout_ms}ms"])
    cur.execute("select to_regclass(%s)", [f'"{build_schema}".zonewatch_build_info'])
    if cur.fetchone()[0] is None:
        raise PublishError(f"no build to publish in schema {build_schema!r}")
    cur.execute(
        "select c.relname from pg_class c join pg_namespace n "
        "on n.oid = c.relnamespace where n.nspname = %s "
        "and c.relkind in ('r', 'v', 'm', 'p') order by c.relname",
        [serving_schema],
    )
    serving_tables = [r[0] for r in cur.fetchall()]
    if serving_tables:
        cur.execute(sql.SQL("lock table {} in access exclusive mode").format(
            sql.SQL(", ").join(sql.Identifier(serving_schema, t) for t in serving_tables)))
    for role in readers:
        cur.execute(sql.SQL("grant usage on schema {} to {}").format(
            ident(build_schema), ident(role)))
        cur.execute(sql.SQL("grant select on all tables in schema {} to {}").format(
            ident(build_schema), ident(role)))
    cur.execute("select 1 from pg_namespace where nspname = %s", [serving_schema])
    has_serving = cur.fetchone() is not None
    old = f"{serving_schema}_previous" if keep_previous else f"{serving_schema}_retired"
    if has_serving:
        cur.execute(sql.SQL("drop schema if exists {} cascade").format(ident(old)))
        cur.execute(sql.SQL("alter schema {} rename to {}").format(
            ident(serving_schema), ident(old)))
    cur.execute(sql.SQL("alter schema {} rename to {}").format(
        ident(build_schema), ident(serving_schema)))
    if has_serving and not keep_previous:
        cur.execute(sql.SQL("drop schema {} cascade").format(ident(old)))
