"""LandingStore: byte-identical, idempotent, crash-safe landing; pending pages; bulk inserts."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from ingest.landing.store import LandingStore

T0 = datetime(2024, 3, 20, 8, 0, tzinfo=UTC)
GBK = "<meta charset=gbk><p>签约亿元以上项目83个</p>".encode("gbk")
BIG5 = "<p>蘇州工業園區</p>".encode("big5")


def _doc(sha: str, **kw: object) -> dict[str, object]:
    row: dict[str, object] = dict(
        document_id=sha[:16], sha256=sha, url="https://example.gov.cn/a", title="t",
        published_at=date(2024, 3, 20), published_at_source="sidecar", fetched_at=T0,
        encoding="gb18030", encoding_source="meta", text="签约亿元以上项目83个",
        text_length=11, cjk_share=0.8, status="ok", reject_reason=None,
        extractor_version="test", processed_at=T0)
    row.update(kw)
    return row


def test_tables_created(tmp_path: Path) -> None:
    with LandingStore(tmp_path) as store:
        names = {r[0] for r in store.con.execute("show tables").fetchall()}
    assert {"raw_pages", "page_errors", "documents", "mentions"} <= names
    assert (tmp_path / "landing.duckdb").is_file()


def test_raw_bytes_byte_identical(tmp_path: Path) -> None:
    with LandingStore(tmp_path) as store:
        res = store.land(GBK, url="https://example.gov.cn/a", source="s", fetched_at=T0,
                         http_status=200, headers={"Content-Type": "text/html"})
        row = store.con.execute(
            "select url, source, size, path, http_status, headers from raw_pages").fetchone()
    assert res.is_new
    assert res.sha256 == hashlib.sha256(GBK).hexdigest()
    assert res.path == tmp_path / "raw" / res.sha256[:2] / res.sha256
    assert res.path.read_bytes() == GBK
    assert row is not None
    assert row[:5] == ("https://example.gov.cn/a", "s", len(GBK),
                       f"raw/{res.sha256[:2]}/{res.sha256}", 200)
    assert '"Content-Type": "text/html"' in row[5]
    assert not list((tmp_path / "raw").glob("*/.tmp-*"))


def test_same_bytes_twice_is_one_page(tmp_path: Path) -> None:
    with LandingStore(tmp_path) as store:
        a = store.land(GBK, url="https://example.gov.cn/a", source="s", fetched_at=T0)
        b = store.land(GBK, url="https://example.gov.cn/mirror", source="s", fetched_at=T0)
        c = store.land(BIG5, url="https://example.gov.cn/b", source="s", fetched_at=T0)
        assert store.count("raw_pages") == 2
    assert a.is_new and not b.is_new and c.is_new
    assert a.sha256 == b.sha256 and a.path == b.path
    # a second run over the same store changes nothing
    with LandingStore(tmp_path) as store:
        again = store.land(GBK, url="https://example.gov.cn/a", source="s", fetched_at=T0)
        assert not again.is_new
        assert store.count("raw_pages") == 2


def test_crash_between_write_and_insert_relands(tmp_path: Path) -> None:
    sha = hashlib.sha256(GBK).hexdigest()
    orphan = tmp_path / "raw" / sha[:2] / sha
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(GBK)  # the file made it, the row did not
    stale_tmp = orphan.parent / ".tmp-deadbeef-x"
    stale_tmp.write_bytes(b"half")  # a crash mid-write leaves only a temp file
    with LandingStore(tmp_path) as store:
        assert not stale_tmp.exists()
        res = store.land(GBK, url="https://example.gov.cn/a", source="s", fetched_at=T0)
        assert res.is_new and store.count("raw_pages") == 1
    assert orphan.read_bytes() == GBK


def test_truncated_raw_file_is_rewritten(tmp_path: Path) -> None:
    sha = hashlib.sha256(GBK).hexdigest()
    bad = tmp_path / "raw" / sha[:2] / sha
    bad.parent.mkdir(parents=True)
    bad.write_bytes(GBK[:5])
    with LandingStore(tmp_path) as store:
        store.land(GBK, url="u", source=None, fetched_at=T0)
    assert bad.read_bytes() == GBK


def test_sidecar_and_tz_stored(tmp_path: Path) -> None:
    with LandingStore(tmp_path) as store:
        store.land(GBK, url="https://example.gov.cn/a", source=None,
                   fetched_at=datetime(2024, 3, 20, 16, 0, tzinfo=UTC),
                   sidecar={"url": "https://example.gov.cn/a", "title": "临空港"})
        (page,) = store.raw_pages()
    assert page.sidecar == {"url": "https://example.gov.cn/a", "title": "临空港"}
    assert page.fetched_at == datetime(2024, 3, 20, 16, 0)  # naive UTC
    assert page.read_bytes() == GBK


def test_pending_pages(tmp_path: Path) -> None:
    with LandingStore(tmp_path) as store:
        a = store.land(GBK, url="https://example.gov.cn/a", source="s", fetched_at=T0)
        b = store.land(BIG5, url="https://example.gov.cn/b", source="s",
                       fetched_at=datetime(2024, 3, 21, tzinfo=UTC))
        assert [p.sha256 for p in store.pending_pages()] == [a.sha256, b.sha256]
        with store.transaction():
            assert store.insert_documents([_doc(a.sha256)]) == 1
        pending = list(store.pending_pages())
        assert [p.sha256 for p in pending] == [b.sha256]
        assert pending[0].path == b.path and pending[0].read_bytes() == BIG5
        # a rejected document also counts as processed
        store.insert_documents([_doc(b.sha256, status="rejected", reject_reason="not_chinese",
                                     text=None, text_length=0)])
        assert list(store.pending_pages()) == []


def test_pending_pages_are_streamed_in_pages(tmp_path: Path) -> None:
    # A backlog larger than one read: every page once, oldest first, and documents written
    # while the stream is open (as process_step does between batches) do not disturb it.
    with LandingStore(tmp_path) as store:
        landed = []
        for i in range(25):
            when = datetime(2024, 3, 1 + i % 20, tzinfo=UTC)  # some share a fetched_at
            res = store.land(f"第{i}页".encode(), url=f"https://example.gov.cn/{i}",
                             source="s", fetched_at=when)
            landed.append((when, res.sha256))
        expected = [sha for _, sha in sorted(landed)]
        assert store.count_pending() == 25
        seen = []
        for page in store.pending_pages(page_size=4):
            seen.append(page.sha256)
            if len(seen) % 3 == 0:
                with store.transaction():
                    store.insert_documents([_doc(page.sha256)])
        assert seen == expected
        assert len(list(store.pending_pages(page_size=4))) == 25 - 25 // 3


def test_transaction_rolls_back(tmp_path: Path) -> None:
    with LandingStore(tmp_path) as store:
        a = store.land(GBK, url="u", source=None, fetched_at=T0)
        with pytest.raises(RuntimeError), store.transaction():
            store.insert_documents([_doc(a.sha256)])
            raise RuntimeError("extractor crashed")
        assert store.count("documents") == 0
        assert len(list(store.pending_pages())) == 1


def test_bulk_insert_mentions_tuples_and_mappings(tmp_path: Path) -> None:
    cols = ["mention_id", "document_id", "char_start", "char_end", "raw_text", "sentence",
            "value", "unit", "qualifier", "indicator_id", "category", "status",
            "period_start", "period_end", "period_basis", "region_text", "region_basis",
            "extractor_version", "confidence", "basis"]
    tricky = "'); drop table raw_pages; --"
    rows = [
        ("m1", "d1", 0, 3, "83个", "签约亿元以上项目83个", 83.0, "count", "exact",
         "signed_projects", "investment", "actual", date(2023, 1, 1), date(2023, 12, 31),
         "context", "临空港", "sentence", "test", 0.9, "indicator=keyword_near"),
        ("m2", "d1", 5, 9, tricky, tricky, 1.8e11, "CNY", "more_than", "gdp", "output",
         "actual", None, None, "unknown", None, "none", "test", 0.5, "indicator=keyword_far"),
    ]
    with LandingStore(tmp_path) as store:
        assert store.insert_mentions(rows, columns=cols) == 2
        assert store.insert_mentions([dict(zip(cols, rows[0], strict=True)) | {
            "mention_id": "m3"}]) == 1
        assert store.insert_mentions([]) == 0
        got = store.con.execute(
            "select mention_id, raw_text, value, period_start from mentions order by 1").fetchall()
        assert store.count("raw_pages") == 0  # still there: values were bound, not spliced
    assert got[1] == ("m2", tricky, 1.8e11, None)
    assert got[0][3] == date(2023, 1, 1)


def test_bulk_insert_rejects_unknown_columns(tmp_path: Path) -> None:
    with LandingStore(tmp_path) as store, pytest.raises(ValueError, match="unknown column"):
        store.insert_documents([{"document_id": "x", "nope": 1}])


def test_record_error(tmp_path: Path) -> None:
    with LandingStore(tmp_path) as store:
        store.record_error("https://example.gov.cn/x", "fetch", "http 404", "run-1")
        store.record_error("file:///in/bad.html", "decode", "binary", "run-1", sha256="ab" * 32)
        rows = store.con.execute(
            "select url, sha256, stage, reason, run_id from page_errors order by stage").fetchall()
        with pytest.raises(ValueError):
            store.record_error("u", "bogus", "r", "run-1")
    assert rows == [("file:///in/bad.html", "ab" * 32, "decode", "binary", "run-1"),
                    ("https://example.gov.cn/x", None, "fetch", "http 404", "run-1")]


def _spooled(store: LandingStore, url: str, body: bytes | None, when: datetime,
             **kw: object) -> object:
    """A spool record as a fetch worker leaves it: the raw file written first."""
    from ingest.landing.spool import SpoolRecord
    from ingest.landing.store import write_raw_file

    sha = None
    if body is not None:
        sha = hashlib.sha256(body).hexdigest()
        write_raw_file(store.paths.raw_dir, sha, body)
    fields: dict[str, object] = dict(source="s", url=url, requested_url=url, final_url=url,
                                     fetched_at=when, status=200, sha256=sha,
                                     size=None if body is None else len(body))
    fields.update(kw)
    return SpoolRecord(**fields)  # type: ignore[arg-type]


def test_ingest_spool_in_batches(tmp_path: Path) -> None:
    # Batches of 2 over 7 records: the same content from two URLs is one raw page, a 304
    # keeps the validators, a failure counts up, an older record of a URL is skipped,
    # and ingesting the same spool again changes nothing.
    t1, t2 = T0, datetime(2024, 3, 21, 8, 0, tzinfo=UTC)
    with LandingStore(tmp_path) as store:
        records = [
            _spooled(store, "https://example.gov.cn/a", GBK, t1, etag='"a1"'),
            _spooled(store, "https://example.gov.cn/a2", GBK, t1),  # same bytes
            _spooled(store, "https://example.gov.cn/b", BIG5, t1),
            _spooled(store, "https://example.gov.cn/c", None, t1, status=503,
                     error="HTTP 503"),
            _spooled(store, "https://example.gov.cn/a", None, t2, status=304,
                     not_modified=True),
            _spooled(store, "https://example.gov.cn/c", None, t2, status=503,
                     error="HTTP 503"),
            _spooled(store, "https://example.gov.cn/b", BIG5, t1),  # not newer: skipped
        ]
        first = store.ingest_spool(records, "run-1", batch_size=2)
        again = store.ingest_spool(records, "run-1", batch_size=2)
        state = {r[0]: r[1:] for r in store.con.execute(
            "select url, etag, last_status, last_sha256, consecutive_failures "
            "from fetch_state").fetchall()}
        pages = store.con.execute("select url from raw_pages order by url").fetchall()
        errors = store.count("page_errors")
    assert (first.records, first.landed_new, first.landed_known, first.not_modified,
            first.errors, first.skipped) == (7, 2, 1, 1, 2, 1)
    assert (again.landed_new, again.errors, again.skipped) == (0, 0, 7)
    assert pages == [("https://example.gov.cn/a",), ("https://example.gov.cn/b",)]
    assert errors == 2
    gbk_sha = hashlib.sha256(GBK).hexdigest()
    assert state["https://example.gov.cn/a"] == ('"a1"', 304, gbk_sha, 0)
    assert state["https://example.gov.cn/a2"] == (None, 200, gbk_sha, 0)
    assert state["https://example.gov.cn/c"] == (None, 503, None, 2)


def test_ingest_spool_records_a_missing_or_torn_raw_file(tmp_path: Path) -> None:
    with LandingStore(tmp_path) as store:
        gone = _spooled(store, "https://example.gov.cn/gone", GBK, T0)
        torn = _spooled(store, "https://example.gov.cn/torn", BIG5, T0)
        store.raw_path(gone.sha256).unlink()  # type: ignore[attr-defined]
        store.raw_path(torn.sha256).write_bytes(BIG5[:3])  # type: ignore[attr-defined]
        res = store.ingest_spool([gone, torn], "run-1")
        reasons = sorted(r[0] for r in store.con.execute(
            "select reason from page_errors").fetchall())
        assert store.count("raw_pages") == 0
    assert res.errors == 2 and res.landed_new == 0
    assert reasons[0].startswith("raw file does not match") and reasons[1].startswith(
        "raw file missing")


def test_an_input_page_over_the_page_cap_is_recorded_not_read(tmp_path: Path) -> None:
    """One 50 MB --input page took 2.2 GB of RAM; fetch caps pages at MAX_PAGE_BYTES."""
    from ingest.config import MAX_PAGE_BYTES, RunConfig
    from ingest.pipeline import land_step

    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "ok.html").write_text("<p>某区2024年地区生产总值突破1800亿元。</p>", encoding="utf-8")
    with (pages / "huge.html").open("wb") as f:
        f.truncate(MAX_PAGE_BYTES + 1)
    cfg = RunConfig.create(workdir=tmp_path / "w", input_dir=pages)
    landed = land_step(cfg)
    assert (landed.pages_seen, landed.landed_new, landed.errors) == (2, 1, 1)
    with LandingStore(cfg.paths, read_only=True) as store:
        (reason,) = store.con.execute("select reason from page_errors").fetchone()
    assert reason.startswith(f"oversized: {MAX_PAGE_BYTES + 1} bytes")


def test_land_step_for_one_source_lands_only_that_sources_spool(tmp_path: Path) -> None:
    """A fetch DAG's land_<source> task lands its own source's spool file; the other
    source's records of the same run stay in the spool for their own land task."""
    from ingest.config import RunConfig
    from ingest.landing.spool import SpoolWriter
    from ingest.pipeline import land_step

    (tmp_path / "sources.yml").write_text("sources: []\n")
    cfg = RunConfig.create(workdir=tmp_path / "w", sources_file=tmp_path / "sources.yml",
                           run_id="r1")
    cfg.paths.ensure()
    with LandingStore(cfg.paths) as store:
        a = _spooled(store, "https://example.gov.cn/a", GBK, T0, source="alpha")
        b = _spooled(store, "https://example.gov.cn/b", BIG5, T0, source="beta")
    for rec in (a, b):
        with SpoolWriter(cfg.paths, "r1", rec.source) as w:  # type: ignore[attr-defined]
            w.write(rec)  # type: ignore[arg-type]
    first = land_step(cfg, source="alpha")
    with LandingStore(cfg.paths, read_only=True) as store:
        urls = [r[0] for r in store.con.execute("select url from raw_pages").fetchall()]
    assert (first.pages_seen, first.landed_new) == (1, 1)
    assert urls == ["https://example.gov.cn/a"]
    second = land_step(cfg, source="beta")
    assert (second.pages_seen, second.landed_new) == (1, 1)
    assert land_step(cfg).landed_new == 0  # both landed once; a whole-run land adds nothing
