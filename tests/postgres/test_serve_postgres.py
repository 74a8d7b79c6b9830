"""Serving from PostgreSQL: `dbt build --target postgres` on the tiny landing zone of
tests/dbt, compared with the DuckDB build of the same landing, and the atomic schema
switch of publish_postgres under concurrent readers.

Runs against the throwaway PostgreSQL of the `postgres_server` fixture (tests/conftest.py,
tests/services.py: a fresh `initdb` on a free 127.0.0.1 port, never the machine's 5432);
skipped when PostgreSQL's programs are not installed (`make tools`), failing when the
server does not start. Every test works in a database `zonewatch_test_<random>` created
here and dropped at the end.
"""

from __future__ import annotations

import json
import random
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import psycopg2
import pytest
from psycopg2.extensions import make_dsn, parse_dsn

from tests.dbt.small_build import fx
from tests.services import PostgresServer

REPO = Path(__file__).resolve().parents[2]
# The admin connection; host and port are those of the `postgres_server` fixture's server.
ADMIN_DSN = "user=postgres dbname=postgres"
MARTS = (
    "dim_document",
    "dim_indicator",
    "dim_region",
    "fct_compute",
    "fct_conflicts",
    "fct_investment",
    "fct_mentions",
    "fct_output",
    "fct_region_rollup",
    "quarantine",
    "validation_runs",
    "zonewatch_build_info",
)
FACT_TABLES = ("fct_investment", "fct_output", "fct_compute", "fct_conflicts", "fct_mentions")




# --------------------------------------------------------------------------- database


@pytest.fixture(scope="module")
def pg_dsn(postgres_server: PostgresServer) -> Iterator[str]:
    admin_dsn = make_dsn(ADMIN_DSN, host=postgres_server.host, port=postgres_server.port)
    try:
        admin = psycopg2.connect(admin_dsn, connect_timeout=3)
    except psycopg2.OperationalError as exc:
        pytest.fail(f"no PostgreSQL at {admin_dsn!r}: {exc} (the throwaway server of "
                    "tests/services.py stopped answering)")
    admin.autocommit = True
    dbname = f"zonewatch_test_{uuid.uuid4().hex[:12]}"
    with admin.cursor() as cur:
        # UTF8: substring() must count code points like Python (the offsets test)
        cur.execute(f"create database \"{dbname}\" encoding 'UTF8' template template0")
    try:
        yield make_dsn(admin_dsn, dbname=dbname)
    finally:
        with admin.cursor() as cur:
            cur.execute(f'drop database if exists "{dbname}" with (force)')
        admin.close()


def pg_query(dsn: str, sql: str, params: Any = None) -> list[tuple[Any, ...]]:
    con = psycopg2.connect(dsn)
    try:
        with con, con.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall()
    finally:
        con.close()


def pg_marts(dsn: str, schema: str) -> dict[str, Any]:
    """Row counts of every mart and the ids of the fact tables, as of now."""
    out: dict[str, Any] = {}
    for t in MARTS:
        out[t] = pg_query(dsn, f'select count(*) from "{schema}"."{t}"')[0][0]
    for t in FACT_TABLES:
        key = "mention_id" if t == "fct_mentions" else "fact_id"
        out[f"{t}.ids"] = sorted(r[0] for r in pg_query(dsn, f'select {key} from "{schema}"."{t}"'))
    out["dim_region.ids"] = sorted(
        r[0] for r in pg_query(dsn, f'select region_id from "{schema}".dim_region')
    )
    # the tree walk (a recursive CTE; ancestors a varchar[] array) and the rollup
    out["dim_region.tree"] = sorted(
        pg_query(dsn, f'select region_id, path, ancestors from "{schema}".dim_region')
    )
    out["fct_region_rollup.rows"] = sorted(
        pg_query(dsn, "select rollup_id, region_id, fact_id, value, child_regions, "
                      f'children_reporting from "{schema}".fct_region_rollup')
    )
    out["fct_conflicts.pairs"] = sorted(
        pg_query(dsn, "select fact_id, conflict_group_id, conflicting_fact_count "
                      f'from "{schema}".fct_conflicts')
    )
    return out


def duckdb_marts(path: Path) -> dict[str, Any]:
    con = duckdb.connect(str(path), read_only=True)
    try:

        def q(sql: str) -> list[tuple[Any, ...]]:
            return con.execute(sql).fetchall()

        out: dict[str, Any] = {t: q(f"select count(*) from main.{t}")[0][0] for t in MARTS}
        for t in FACT_TABLES:
            key = "mention_id" if t == "fct_mentions" else "fact_id"
            out[f"{t}.ids"] = sorted(r[0] for r in q(f"select {key} from main.{t}"))
        out["dim_region.ids"] = sorted(r[0] for r in q("select region_id from main.dim_region"))
        out["dim_region.tree"] = sorted(q("select region_id, path, ancestors from main.dim_region"))
        out["fct_region_rollup.rows"] = sorted(
            q("select rollup_id, region_id, fact_id, value, child_regions, children_reporting "
              "from main.fct_region_rollup"))
        out["fct_conflicts.pairs"] = sorted(
            q("select fact_id, conflict_group_id, conflicting_fact_count from main.fct_conflicts")
        )
        return out
    finally:
        con.close()


def run_results(work_dir: Path) -> list[dict[str, Any]]:
    data = json.loads((work_dir / "target" / "run_results.json").read_text(encoding="utf-8"))
    return list(data["results"])


# --------------------------------------------------------------------------- builds


@dataclass
class FirstBuild:
    tmp: Path
    landing_db: Path
    pg: Any  # DbtResult
    pg_seconds: float
    pg_results: list[dict[str, Any]]
    pg_marts: dict[str, Any]
    duck_marts: dict[str, Any]
    duck_seconds: float


@pytest.fixture(scope="module")
def first_build(pg_dsn: str, tmp_path_factory: pytest.TempPathFactory) -> FirstBuild:
    from ingest.serve.postgres import build_postgres

    tmp = tmp_path_factory.mktemp("pg_build")
    landing_db = tmp / "landing.duckdb"
    fx.write_landing(landing_db, fx.fixture_docs())

    started = time.perf_counter()
    res = build_postgres(landing_db, pg_dsn, work_dir=tmp / "dbt_pg")
    pg_seconds = time.perf_counter() - started
    marts = pg_marts(pg_dsn, "zonewatch_build") if res.success else {}

    build_db = tmp / "duck" / "warehouse.duckdb"
    build_db.parent.mkdir()
    duck = fx.dbt_build(tmp / "duck", build_db, landing_db)
    assert duck.success, duck.failures
    print(f"\ndbt build --target postgres: {pg_seconds:.2f}s; duckdb: {duck.seconds:.2f}s")
    return FirstBuild(
        tmp,
        landing_db,
        res,
        pg_seconds,
        run_results(tmp / "dbt_pg"),
        marts,
        duckdb_marts(build_db),
        duck.seconds,
    )


def test_postgres_build_passes_all_tests(first_build: FirstBuild) -> None:
    res = first_build.pg
    assert res.success, (res.errored_nodes, res.failed_tests)
    statuses = {r["unique_id"]: r["status"] for r in first_build.pg_results}
    # exposures (models/exposures.yml) are in the build's results, with nothing to run
    exposures = {k: statuses.pop(k) for k in list(statuses) if k.startswith("exposure.")}
    assert set(exposures.values()) == {"no-op"}
    not_ok = {k: v for k, v in statuses.items() if v not in ("success", "pass")}
    assert not_ok == {}  # warn-severity tests included: they pass too
    kinds = {k.split(".")[0] for k in statuses}
    assert {"seed", "model", "test", "unit_test"} <= kinds
    # the singular tests ran on Postgres (offsets: substring on code points)
    assert statuses["test.zonewatch.assert_mention_offsets_match_text"] == "pass"
    assert statuses["test.zonewatch.assert_every_fact_in_one_fact_table"] == "pass"
    assert statuses["test.zonewatch.assert_region_path_follows_parent"] == "pass"
    assert statuses[
        "unit_test.zonewatch.fct_region_rollup.test_region_rollup_reports_without_double_counting"
    ] == "pass"
    assert sum(k.startswith("unit_test.") for k in statuses) >= 4


def test_postgres_marts_match_duckdb(first_build: FirstBuild) -> None:
    assert first_build.pg.success
    pg, duck = first_build.pg_marts, first_build.duck_marts
    assert pg["fct_investment"] > 0 and pg["fct_conflicts"] > 0
    assert pg == duck


def test_postgres_marts_carry_their_descriptions_as_comments(
    first_build: FirstBuild, pg_dsn: str
) -> None:
    """persist_docs on the postgres target: every mart and every mart column has a COMMENT
    (what Superset and Metabase show), the same text as the YAML description."""
    assert first_build.pg.success
    manifest = json.loads((first_build.tmp / "dbt_pg" / "target" / "manifest.json").read_text())
    marts = {n["name"]: n for n in manifest["nodes"].values()
             if n["resource_type"] == "model" and n["fqn"][1] == "marts"}
    tables = dict(pg_query(
        pg_dsn,
        "select c.relname, obj_description(c.oid, 'pg_class') from pg_class c "
        "join pg_namespace n on n.oid = c.relnamespace "
        "where n.nspname = 'zonewatch_build' and c.relkind = 'r'"))
    assert set(tables) == set(marts)
    for name, comment in tables.items():
        assert comment and comment == marts[name]["description"], name
    columns = pg_query(
        pg_dsn,
        "select c.relname, a.attname, col_description(c.oid, a.attnum) from pg_class c "
        "join pg_namespace n on n.oid = c.relnamespace "
        "join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped "
        "where n.nspname = 'zonewatch_build' and c.relkind = 'r'")
    assert len(columns) > 150
    assert [f"{t}.{c}" for t, c, comment in columns if not (comment or "").strip()] == []
    for table, column, comment in columns:
        assert comment == marts[table]["columns"][column]["description"], (table, column)


def test_landing_copy_is_faithful(first_build: FirstBuild, pg_dsn: str) -> None:
    con = duckdb.connect(str(first_build.landing_db), read_only=True)
    try:
        duck_docs = con.execute(
            "select document_id, text, published_at, fetched_at, cjk_share from documents "
            "order by document_id"
        ).fetchall()
        duck_mentions = con.execute(
            "select mention_id, value, char_start from mentions order by mention_id"
        ).fetchall()
    finally:
        con.close()
    assert (
        pg_query(
            pg_dsn,
            "select document_id, text, published_at, fetched_at, cjk_share "
            "from landing.documents order by document_id",
        )
        == duck_docs
    )
    assert (
        pg_query(
            pg_dsn, "select mention_id, value, char_start from landing.mentions order by mention_id"
        )
        == duck_mentions
    )


def _special_values() -> list[float]:
    rng = random.Random(20240501)
    values = [
        0.0,
        1.0,
        -1.0,
        5.0,
        100.0,
        5000.0,
        0.15,
        0.0001,
        0.00001,
        0.000123456,
        999999.0,
        999999.4,
        999999.5,
        9999995.0,
        123456.7,
        1234567.0,
        2.0e12,
        2.1e12,
        1.0e11 + 1e-3,
        12345000000.0,
        12345650000.0,
        1.5e-5,
        9.999995e-5,
        1e100,
        -0.000012345,
        1e-100,
        -2.5e200,
        1e-310,
        3.14159265358979,
        2.5,
        0.5,
        1e21,
        7.0e-7,
        123.4565,
        1.0000005,
    ]
    for _ in range(2000):
        mantissa = rng.uniform(1, 10) * rng.choice([1, -1])
        values.append(round(mantissa, rng.randint(0, 9)) * 10.0 ** rng.randint(-8, 14))
    return values


def test_number_key_matches_duckdb_printf(pg_dsn: str, first_build: FirstBuild) -> None:
    """fact_ids are equal across targets only if postgres__zw_number_key is printf('%.12g')
    to the character: compile the real macro for Postgres and compare on many values."""
    from dbt.cli.main import dbtRunner

    from ingest.serve.postgres import _dsn_env, _env

    inline = (
        "select x, {{ zonewatch.zw_number_key('x') }} as k "
        "from unnest(cast(%(xs)s as double precision[])) with ordinality as t(x, i) "
        "order by i"
    )
    work = first_build.tmp / "dbt_compile"
    with _env(_dsn_env(pg_dsn, "zonewatch_build", "landing")):
        res = dbtRunner().invoke(
            [
                "compile",
                "--project-dir",
                str(REPO / "dbt_project"),
                "--profiles-dir",
                str(REPO / "dbt_project"),
                "--target",
                "postgres",
                "--target-path",
                str(work / "target"),
                "--log-path",
                str(work / "logs"),
                "--quiet",
                "--inline",
                inline,
            ]
        )
    assert res.success, res.exception
    compiled = res.result.results[0].node.compiled_code
    values = _special_values()
    pg = [k for _, k in pg_query(pg_dsn, compiled, {"xs": values})]
    con = duckdb.connect()
    try:
        row = con.execute(
            "select list_transform(cast(? as double[]), lambda x: printf('%.12g', x))", [values]
        ).fetchone()
        assert row is not None
        duck = list(row[0])
    finally:
        con.close()
    mismatches = [(v, p, d) for v, p, d in zip(values, pg, duck, strict=True) if p != d]
    assert mismatches == []


# --------------------------------------------------------------------------- publish


def more_docs() -> list[Any]:
    """The fixture plus a new page (ids unused by the fixture) with one more output fact
    and one more investment fact."""
    docs = fx.fixture_docs()
    d6 = fx.Doc(
        "d000000000000006",
        "https://www.wuhan.gov.cn/f.html",
        date(2024, 4, 1),
        datetime(2024, 4, 2, 8, 0),
        "2023年武汉市地区生产总值增长5.7%。2023年武汉市固定资产投资1200亿元。",
    )
    d6.mention(
        "m20",
        "5.7%",
        value=5.7,
        unit="percent",
        indicator_id="gdp_growth",
        category="output",
        period_start=date(2023, 1, 1),
        period_end=date(2023, 12, 31),
        region_id="cn-4201",
        region_text="武汉",
        region_basis="sentence",
    )
    d6.mention("m21", "1200亿元", **{**fx.FAI_2023, "value": 1.2e11})
    return [*docs, d6]


# One statement reading two marts: what a BI dashboard does.
READ_ONE_STATEMENT = """
    select o.n, o.min_id, d.n
    from (select count(*) as n, min(fact_id) as min_id from zonewatch.fct_output) as o
    cross join (select count(*) as n from zonewatch.dim_document) as d
"""


def marts_state(dsn: str, schema: str) -> tuple[int, str, int]:
    row = pg_query(dsn, READ_ONE_STATEMENT.replace("zonewatch.", f'"{schema}".'))[0]
    return (int(row[0]), str(row[1]), int(row[2]))


class Reader(threading.Thread):
    """Reads both marts until told to stop (bounded): one statement, or two statements in
    one REPEATABLE READ transaction. Records every state seen and every error."""

    def __init__(self, dsn: str, mode: str, max_reads: int = 200_000) -> None:
        super().__init__(daemon=True)
        self.dsn, self.mode, self.max_reads = dsn, mode, max_reads
        self.seen: dict[tuple[int, str, int], int] = {}
        self.errors: list[str] = []
        self.reads = 0
        self.stop = threading.Event()
        self.cond = threading.Condition()

    def read_once(self, cur: Any) -> tuple[int, str, int]:
        if self.mode == "statement":
            cur.execute(READ_ONE_STATEMENT)
            n, min_id, docs = cur.fetchone()
            return (int(n), str(min_id), int(docs))
        cur.execute("begin isolation level repeatable read")
        cur.execute("select count(*), min(fact_id) from zonewatch.fct_output")
        n, min_id = cur.fetchone()
        cur.execute("select count(*) from zonewatch.dim_document")
        (docs,) = cur.fetchone()
        cur.execute("commit")
        return (int(n), str(min_id), int(docs))

    def run(self) -> None:
        con = psycopg2.connect(self.dsn)
        con.autocommit = True
        try:
            with con.cursor() as cur:
                while not self.stop.is_set() and self.reads < self.max_reads:
                    try:
                        state = self.read_once(cur)
                    except psycopg2.Error as exc:
                        self.errors.append(f"{type(exc).__name__}: {exc}")
                        cur.execute("rollback")
                        continue
                    with self.cond:
                        self.seen[state] = self.seen.get(state, 0) + 1
                        self.reads += 1
                        self.cond.notify_all()
        finally:
            con.close()

    def wait_reads(self, n: int, timeout: float = 30.0) -> bool:
        """Block until `n` more reads completed (synchronisation, not a timing check)."""
        with self.cond:
            target = self.reads + n
            return self.cond.wait_for(lambda: self.reads >= target or not self.is_alive(), timeout)


def swap_back(dsn: str) -> None:
    """Make the previous generation the next build again, so the test can switch back
    and forth between two builds without rebuilding."""
    con = psycopg2.connect(dsn)
    try:
        with con, con.cursor() as cur:
            cur.execute("alter schema zonewatch_previous rename to zonewatch_build")
    finally:
        con.close()


def test_publish_switch_is_atomic_for_concurrent_readers(
    pg_dsn: str, first_build: FirstBuild
) -> None:
    from ingest.serve.postgres import build_postgres, publish_postgres, serving_fingerprint

    assert first_build.pg.success
    old = marts_state(pg_dsn, "zonewatch_build")
    publish_postgres(pg_dsn)
    assert marts_state(pg_dsn, "zonewatch") == old
    assert serving_fingerprint(pg_dsn) is not None

    # second build: more pages (incremental staging: same project fingerprint)
    landing_b = first_build.tmp / "landing_b.duckdb"
    fx.write_landing(landing_b, more_docs())
    res = build_postgres(landing_b, pg_dsn, work_dir=first_build.tmp / "dbt_pg_b")
    assert res.success, (res.errored_nodes, res.failed_tests)
    new = marts_state(pg_dsn, "zonewatch_build")
    assert (new[0], new[2]) == (old[0] + 1, old[2] + 1)  # one more output fact, one more page
    # the serving schema still has the old marts while the new ones wait in the build
    assert marts_state(pg_dsn, "zonewatch") == old

    readers = [
        Reader(pg_dsn, "statement"),
        Reader(pg_dsn, "statement"),
        Reader(pg_dsn, "transaction"),
    ]
    for r in readers:
        r.start()
    switches = 12
    try:
        for r in readers:
            assert r.wait_reads(5)
        expected = old
        for _ in range(switches):
            publish_postgres(pg_dsn)  # build -> serving, serving -> previous
            expected = new if expected == old else old
            swap_back(pg_dsn)  # previous -> build, for the next switch
            # every reader reads again after the switch (and races the next one)
            for r in readers:
                assert r.wait_reads(3), "reader stalled"
            assert marts_state(pg_dsn, "zonewatch") == expected
    finally:
        for r in readers:
            r.stop.set()
        for r in readers:
            r.join(timeout=30)
    for r in readers:
        assert not r.is_alive()
        assert r.errors == [], r.errors[:5]
        assert set(r.seen) <= {old, new}, r.seen  # never a mix of two builds
        assert set(r.seen) == {old, new}
    print(f"\nswitches: {switches}; reads: {[r.reads for r in readers]}")


def test_reader_transaction_keeps_old_marts_until_it_ends(
    pg_dsn: str, first_build: FirstBuild
) -> None:
    """A reader inside a transaction that has read one old mart reads the other old mart
    too: the switch waits for it (and gives way by retrying, never deadlocking)."""
    from ingest.serve.postgres import publish_postgres

    before = marts_state(pg_dsn, "zonewatch")
    upcoming = marts_state(pg_dsn, "zonewatch_build")
    assert before != upcoming

    reader = psycopg2.connect(pg_dsn)
    reader.autocommit = True  # explicit begin/commit below
    publisher: threading.Thread | None = None
    errors: list[BaseException] = []
    try:
        cur = reader.cursor()
        cur.execute("begin isolation level read committed")
        cur.execute("select count(*), min(fact_id) from zonewatch.fct_output")
        first = cur.fetchone()

        def publish() -> None:
            try:
                publish_postgres(pg_dsn, lock_timeout_ms=50, attempts=10_000)
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        publisher = threading.Thread(target=publish, daemon=True)
        publisher.start()
        # wait (bounded) until the publisher is blocked on the reader's lock
        for _ in range(2000):
            waiting = pg_query(pg_dsn, "select count(*) from pg_locks where not granted")[0][0]
            if waiting:
                break
            publisher.join(timeout=0.005)
        assert publisher.is_alive(), "publish did not wait for the reader"
        cur.execute("select count(*) from zonewatch.dim_document")
        second = cur.fetchone()
        assert (int(first[0]), str(first[1]), int(second[0])) == before
        cur.execute("commit")
    finally:
        reader.close()
        if publisher is not None:
            publisher.join(timeout=60)
    assert errors == []
    assert publisher is not None and not publisher.is_alive()
    assert marts_state(pg_dsn, "zonewatch") == upcoming


def test_publish_without_build_fails_cleanly(pg_dsn: str) -> None:
    from ingest.serve.postgres import PublishError, publish_postgres

    with pytest.raises(PublishError):
        publish_postgres(pg_dsn, build_schema="zonewatch_no_such_build")


def test_dsn_env_parses_uri() -> None:
    from ingest.serve.postgres import _dsn_env

    env = _dsn_env("postgresql://bi:secret@db.example:6543/wh", "b", "l")
    assert env["ZONEWATCH_PG_HOST"] == "db.example"
    assert env["ZONEWATCH_PG_PORT"] == "6543"
    assert env["ZONEWATCH_PG_USER"] == "bi"
    assert env["ZONEWATCH_PG_PASSWORD"] == "secret"
    assert env["ZONEWATCH_PG_DBNAME"] == "wh"
    assert parse_dsn(make_dsn(ADMIN_DSN))  # the admin DSN is well-formed


def test_cli_serves_a_validated_run_to_postgres(pg_dsn: str, tmp_path: Path) -> None:
    from ingest.cli import main

    samples = Path(__file__).resolve().parents[2] / "samples" / "corpus"
    work = tmp_path / "work"
    assert main(["serve-postgres", "--dsn", pg_dsn, "--workdir", str(work)]) == 2  # no run yet
    assert main(["run", "--input", str(samples), "--workdir", str(work)]) == 0
    assert main(["serve-postgres", "--dsn", pg_dsn, "--workdir", str(work)]) == 0
    wh = duckdb.connect(str(work / "warehouse.duckdb"), read_only=True)
    try:
        expected = wh.execute("select count(*) from fct_investment").fetchone()[0]
    finally:
        wh.close()
    with psycopg2.connect(pg_dsn) as conn, conn.cursor() as cur:
        cur.execute("select count(*) from zonewatch.fct_investment")
        assert cur.fetchone()[0] == expected


# --------------------------------------------------------------------------- checks first


def _passed_run_workdir(work: Path) -> Path:
    """A workdir whose last quality-gate run passed: serve-postgres's local checks pass."""
    from ingest.landing.store import LandingStore

    with LandingStore(work) as store:
        store.record_validation(run_id="20261202T140000Z-aaaaaa", passed=True, blocking=0,
                                warnings=0, expectations=9, report_dir=str(work / "reports"),
                                summary="passed", failures=[])
    return work


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Records every start of a landing copy or a dbt build on Postgres (none run)."""
    import ingest.serve.postgres as pgserve
    from ingest.build.dbt_build import DbtResult

    started: list[str] = []

    def build(landing_db: Path, dsn: str, **_: Any) -> DbtResult:
        started.append("build_postgres")
        return DbtResult(success=False, failed_tests=(), errored_nodes=("stub",), nodes_run=0)

    def load(*_: Any, **__: Any) -> dict[str, int]:
        started.append("load_landing")
        return {}

    monkeypatch.setattr(pgserve, "build_postgres", build)
    monkeypatch.setattr(pgserve, "load_landing", load)
    return started


def _one_line_error(capsys: pytest.CaptureFixture[str], *words: str) -> str:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert err.startswith("zonewatch: error: "), err
    for w in words:
        assert w in err, err
    return err


def test_missing_reader_role_fails_before_any_build(
        pg_dsn: str, tmp_path: Path, builds: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    from ingest.cli import main

    work = _passed_run_workdir(tmp_path / "work")
    missing = f"zw_no_such_reader_{uuid.uuid4().hex[:8]}"
    rc = main(["serve-postgres", "--dsn", pg_dsn, "--workdir", str(work), "--reader", missing])
    assert rc == 2
    _one_line_error(capsys, "--reader", repr(missing), "nothing built")
    assert builds == []  # neither the landing copy nor dbt started
    assert not (work / "dbt_postgres").exists()  # no dbt target dir either


def test_existing_reader_role_passes_the_check_and_the_build_starts(
        pg_dsn: str, tmp_path: Path, builds: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    from ingest.cli import main

    role = f"zw_reader_{uuid.uuid4().hex[:8]}"
    missing = f"zw_no_such_reader_{uuid.uuid4().hex[:8]}"
    con = psycopg2.connect(pg_dsn)
    con.autocommit = True
    try:
        with con.cursor() as cur:
            cur.execute(f'create role "{role}"')  # a role of this test: cluster-wide, dropped
        work = _passed_run_workdir(tmp_path / "work")
        # one role there, one not: only the missing one is named, nothing built
        assert main(["serve-postgres", "--dsn", pg_dsn, "--workdir", str(work),
                     "--reader", role, "--reader", missing]) == 2
        err = _one_line_error(capsys, repr(missing))
        assert repr(role) not in err
        assert builds == []
        # every role there: the build starts (the stub fails it: exit 1)
        assert main(["serve-postgres", "--dsn", pg_dsn, "--workdir", str(work),
                     "--reader", role]) == 1
        assert builds == ["build_postgres"]
        assert "dbt build --target postgres failed" in capsys.readouterr().err
    finally:
        with con.cursor() as cur:
            cur.execute(f'drop role if exists "{role}"')
        con.close()


def test_unreachable_server_fails_before_any_build(
        tmp_path: Path, builds: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """No server on the port: one line (the password hidden), exit 1, nothing built."""
    from ingest.cli import main
    from tests.services import free_port

    work = _passed_run_workdir(tmp_path / "work")
    dsn = f"postgresql://postgres:s3cret-pw@127.0.0.1:{free_port()}/zonewatch"
    assert main(["serve-postgres", "--dsn", dsn, "--workdir", str(work),
                 "--reader", "bi_reader"]) == 1
    err = _one_line_error(capsys, "cannot connect", "nothing built")
    assert "s3cret-pw" not in err
    assert builds == []


def test_malformed_dsn_is_a_usage_error(
        tmp_path: Path, builds: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    from ingest.cli import main

    work = _passed_run_workdir(tmp_path / "work")
    assert main(["serve-postgres", "--dsn", "host=127.0.0.1 port", "--workdir", str(work)]) == 2
    _one_line_error(capsys, "--dsn")
    assert builds == []
