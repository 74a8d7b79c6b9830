"""publish(): checkpoint, fsync, os.replace (a copy only across filesystems) - readers never
see a half-built warehouse."""

from __future__ import annotations

import hashlib
import multiprocessing as mp
import os
from pathlib import Path
from typing import Any

import duckdb
import pytest

from ingest.serve.publish import PublishError, file_digest, publish

TABLES = ("fct_investment", "fct_output", "fct_compute", "dim_region", "version")


def make_build(path: Path, version: int, rows: int = 200) -> Path:
    """A build copy whose every table agrees on `version`; left with a WAL on purpose."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.unlink()
    con = duckdb.connect(str(path))
    con.execute("pragma disable_checkpoint_on_shutdown")
    con.execute("create table version (v integer)")
    con.execute("insert into version values (?)", [version])
    n = rows + version  # row counts differ per version, so a mix would show
    for t in TABLES[:-1]:
        con.execute(f"create table {t} as select range as id, ? as v, "
                    f"repeat('合肥', 50) as pad from range(?)", [version, n])
    con.close()
    return path


def read_snapshot(path: Path) -> tuple[int, set[str]]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        names = {r[0] for r in con.execute("select table_name from information_schema.tables")
                 .fetchall()}
        (v,) = con.execute("select v from version").fetchone()  # type: ignore[misc]
        for t in TABLES[:-1]:
            n, vs = con.execute(f"select count(*), count(distinct v) from {t} "
                                f"where v = ?", [v]).fetchone()  # type: ignore[misc]
            total = con.execute(f"select count(*) from {t}").fetchone()[0]  # type: ignore[index]
            assert vs == 1 and n == total == 200 + v, (t, v, n, total)
        return v, names
    finally:
        con.close()


def test_publish_creates_the_warehouse_without_wal(tmp_path: Path) -> None:
    build = make_build(tmp_path / "build" / "warehouse.duckdb", 1)
    assert build.with_name(build.name + ".wal").exists()  # the fixture leaves a WAL
    warehouse = tmp_path / "pub" / "warehouse.duckdb"
    publish(build, warehouse)
    assert not build.with_name(build.name + ".wal").exists()
    assert not warehouse.with_name(warehouse.name + ".wal").exists()
    assert read_snapshot(warehouse) == (1, set(TABLES))
    assert sorted(p.name for p in warehouse.parent.iterdir()) == ["warehouse.duckdb"]


def test_publish_renames_the_build_copy_instead_of_copying_it(tmp_path: Path) -> None:
    """The next build starts from a fresh copy of the warehouse, so publishing by copy
    only doubled the bytes written (9 s at 100k pages): the build copy's inode becomes
    the warehouse and the build copy is gone."""
    build = make_build(tmp_path / "build" / "warehouse.duckdb", 1)
    inode = build.stat().st_ino
    warehouse = tmp_path / "warehouse.duckdb"
    publish(make_build(tmp_path / "b0.duckdb", 0), warehouse)  # an older one to replace
    publish(build, warehouse)
    assert warehouse.stat().st_ino == inode
    assert not build.exists()
    assert oct(warehouse.stat().st_mode & 0o777) == oct(0o644)
    assert read_snapshot(warehouse) == (1, set(TABLES))


def test_publish_across_filesystems_copies_through_a_temp_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # a rename cannot cross filesystems: publish copies to a temp file beside the
    # warehouse and renames that (the build copy stays)
    from ingest.serve import publish as pub

    monkeypatch.setattr(pub, "_same_filesystem", lambda a, b: False)
    build = make_build(tmp_path / "build" / "warehouse.duckdb", 3)
    warehouse = tmp_path / "pub" / "warehouse.duckdb"
    publish(build, warehouse)
    assert read_snapshot(warehouse) == (3, set(TABLES))
    assert file_digest(warehouse) == file_digest(build)  # a copy: the build stays
    assert warehouse.stat().st_ino != build.stat().st_ino
    assert sorted(p.name for p in warehouse.parent.iterdir()) == ["warehouse.duckdb"]


def test_publish_replaces_atomically_and_old_readers_keep_the_old_file(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    publish(make_build(tmp_path / "b1.duckdb", 1), warehouse)
    old_inode = warehouse.stat().st_ino
    reader = duckdb.connect(str(warehouse), read_only=True)
    try:
        publish(make_build(tmp_path / "b2.duckdb", 2), warehouse)
        assert warehouse.stat().st_ino != old_inode  # a new file was renamed in
        # the open reader still sees the complete old warehouse
        assert reader.execute("select v from version").fetchone() == (1,)
        assert reader.execute("select count(*) from fct_compute").fetchone() == (201,)
    finally:
        reader.close()
    assert read_snapshot(warehouse)[0] == 2


def test_failed_publish_leaves_warehouse_identical(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    publish(make_build(tmp_path / "b1.duckdb", 1), warehouse)
    before = file_digest(warehouse)
    with pytest.raises(PublishError):
        publish(tmp_path / "missing.duckdb", warehouse)
    assert file_digest(warehouse) == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_file_digest_is_sha256(tmp_path: Path) -> None:
    p = tmp_path / "x.bin"
    p.write_bytes(os.urandom(3 << 20))
    assert file_digest(p) == hashlib.sha256(p.read_bytes()).hexdigest()


def _reader(path: str, ready: Any, stop: Any, out: Any) -> None:
    seen: set[int] = set()
    reads = errors = 0
    first_error = ""
    while not stop.is_set():
        try:
            v, names = read_snapshot(Path(path))
            assert names == set(TABLES), names
            seen.add(v)
            reads += 1
        except Exception as e:  # noqa: BLE001 - counted and reported to the test
            errors += 1
            first_error = first_error or repr(e)
        ready.set()
    out.put({"reads": reads, "errors": errors, "seen": sorted(seen), "first_error": first_error})


def test_reader_never_sees_a_partial_warehouse(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    publish(make_build(tmp_path / "b0.duckdb", 0), warehouse)
    builds = [make_build(tmp_path / f"b{i}.duckdb", i) for i in range(1, 9)]
    ctx = mp.get_context("spawn")
    ready, stop, out = ctx.Event(), ctx.Event(), ctx.Queue()
    proc = ctx.Process(target=_reader, args=(str(warehouse), ready, stop, out))
    proc.start()
    try:
        assert ready.wait(60), "reader never started"
        for b in builds:
            publish(b, warehouse)
            # two completed reads after the swap: the second one began after it
            for _ in range(2):
                ready.clear()
                assert ready.wait(60)
        stop.set()
        result = out.get(timeout=60)
    finally:
        stop.set()
        proc.join(60)
        if proc.is_alive():  # pragma: no cover
            proc.kill()
    assert result["errors"] == 0, result
    assert result["reads"] >= len(builds)
    assert result["seen"] == list(range(9)), result  # every version, each one whole


def test_a_killed_publish_leaves_no_temp_copy_after_the_next_one(tmp_path: Path) -> None:
    """A publish killed mid-copy left a full-size `.tmp` beside the warehouse forever."""
    warehouse = tmp_path / "pub" / "warehouse.duckdb"
    warehouse.parent.mkdir(parents=True)
    orphan = warehouse.parent / ".warehouse.duckdb.k1ll3d.tmp"
    orphan.write_bytes(b"\0" * 4096)
    other = warehouse.parent / "notes.tmp"  # not ours: left alone
    other.write_text("keep", encoding="utf-8")
    publish(make_build(tmp_path / "build" / "warehouse.duckdb", 1), warehouse)
    assert sorted(p.name for p in warehouse.parent.iterdir()) == ["notes.tmp",
                                                                  "warehouse.duckdb"]
