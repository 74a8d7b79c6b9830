"""The exclusion ledger (ingest/landing/exclusions.py) on a LandingStore: who, when, why;
URLs resolved by their canonical form; include keeps the history."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pytest

from ingest.landing.exclusions import NotExcluded, UnknownTarget
from ingest.landing.store import DDL_PATH, LandingStore

T0 = datetime(2024, 3, 20, 8, 0, tzinfo=UTC)
URL = "https://example.gov.cn/news/a.html"


def _doc(document_id: str, url: str, fetched_at: datetime = T0) -> dict[str, object]:
    return dict(
        document_id=document_id, sha256=document_id * 4, url=url, title="t",
        published_at=date(2024, 3, 20), published_at_source="sidecar", fetched_at=fetched_at,
        encoding="utf-8", encoding_source="meta", text="签约亿元以上项目83个", text_length=11,
        cjk_share=0.8, status="ok", reject_reason=None, extractor_version="test",
        processed_at=fetched_at)


@pytest.fixture
def store(tmp_path: Path):
    with LandingStore(tmp_path) as s:
        s.insert_documents([
            _doc("a000000000000001", URL),
            # a later version of the same page, linked with tracking junk and a fragment
            _doc("a000000000000002", "https://EXAMPLE.gov.cn/news/a.html?utm_source=wx#top",
                 datetime(2024, 4, 1, tzinfo=UTC)),
            _doc("b000000000000001", "https://example.gov.cn/news/b.html"),
        ])
        yield s


def test_exclude_by_id_records_who_when_and_why(store: LandingStore) -> None:
    before = datetime.now(UTC).replace(tzinfo=None)
    res = store.exclude("b000000000000001", reason="fact_value_range_cny", by="alice")

    assert [e.document_id for e in res.new] == ["b000000000000001"] and res.already == ()
    (e,) = store.exclusions()
    assert (e.document_id, e.url, e.target, e.reason, e.excluded_by) == (
        "b000000000000001", "https://example.gov.cn/news/b.html", "b000000000000001",
        "fact_value_range_cny", "alice")
    assert before <= e.excluded_at <= datetime.now(UTC).replace(tzinfo=None)
    assert e.is_current and e.included_at is None and e.included_by is None


def test_a_url_stands_for_every_document_of_its_canonical_url(store: LandingStore) -> None:
    res = store.exclude("https://example.gov.cn/news/a.html?spm=1.2#x", reason="bad page",
                        by="bob")

    assert sorted(e.document_id for e in res.new) == ["a000000000000001", "a000000000000002"]
    assert {e.document_id for e in store.exclusions()} == {"a000000000000001",
                                                           "a000000000000002"}
    assert all(e.target == "https://example.gov.cn/news/a.html?spm=1.2#x"
               for e in store.exclusions())


@pytest.mark.parametrize("target", ["ffffffffffffffff", "https://example.gov.cn/news/zzz.html",
                                    "a00000000000000"])  # an id prefix is no id
def test_an_unknown_target_is_an_error_and_writes_nothing(store: LandingStore,
                                                          target: str) -> None:
    with pytest.raises(UnknownTarget, match="no document has the"):
        store.exclude(target, reason="x", by="alice")
    with pytest.raises(UnknownTarget):
        store.include(target, by="alice")
    assert store.exclusions(current_only=False) == []


def test_an_empty_reason_is_refused(store: LandingStore) -> None:
    with pytest.raises(ValueError, match="--reason must not be empty"):
        store.exclude("b000000000000001", reason="  \n ", by="alice")
    assert store.exclusions(current_only=False) == []


def test_excluding_twice_keeps_the_first_exclusion(store: LandingStore) -> None:
    store.exclude("b000000000000001", reason="first", by="alice")
    again = store.exclude("https://example.gov.cn/news/b.html", reason="second", by="bob")

    assert again.new == () and [e.reason for e in again.already] == ["first"]
    assert [(e.reason, e.excluded_by) for e in store.exclusions(current_only=False)] == [
        ("first", "alice")]


def test_include_marks_the_row_undone_and_keeps_the_history(store: LandingStore) -> None:
    store.exclude("b000000000000001", reason="first", by="alice")
    (done,) = store.include("b000000000000001", by="bob")

    assert done.included_by == "bob" and done.included_at is not None
    assert store.exclusions() == []
    (row,) = store.exclusions(current_only=False)
    assert (row.reason, row.excluded_by, row.included_by) == ("first", "alice", "bob")
    assert row.included_at == done.included_at and not row.is_current

    # set aside again: a second row, the first one stays as history
    store.exclude("b000000000000001", reason="second", by="carol")
    history = store.exclusions(current_only=False)
    assert [(e.reason, e.is_current) for e in history] == [("first", False), ("second", True)]
    assert [e.reason for e in store.exclusions()] == ["second"]


def test_include_by_url_undoes_every_excluded_document_of_it(store: LandingStore) -> None:
    store.exclude(URL, reason="bad page", by="alice")
    store.exclude("b000000000000001", reason="other", by="alice")

    done = store.include("https://example.gov.cn/news/a.html/", by="bob")  # trailing slash

    assert sorted(e.document_id for e in done) == ["a000000000000001", "a000000000000002"]
    assert [e.document_id for e in store.exclusions()] == ["b000000000000001"]


def test_include_of_a_page_that_is_not_excluded_is_an_error(store: LandingStore) -> None:
    with pytest.raises(NotExcluded, match="is not excluded"):
        store.include("b000000000000001", by="alice")
    store.exclude("b000000000000001", reason="x", by="alice")
    store.include("b000000000000001", by="alice")
    with pytest.raises(NotExcluded):  # already included
        store.include("b000000000000001", by="alice")


def test_the_ledger_survives_reopening(tmp_path: Path, store: LandingStore) -> None:
    store.exclude("b000000000000001", reason="kept", by="alice")
    store.close()
    with LandingStore(tmp_path, read_only=True) as again:
        assert [e.reason for e in again.exclusions()] == ["kept"]


def test_a_landing_zone_older_than_the_ledger_reads_as_no_exclusions(tmp_path: Path) -> None:
    # a landing file written before the table existed, opened read-only (no DDL run)
    ddl = DDL_PATH.read_text(encoding="utf-8")
    con = duckdb.connect(str(tmp_path / "landing.duckdb"))
    con.execute(ddl[: ddl.index("-- The exclusion ledger")])
    con.close()
    with LandingStore(tmp_path, read_only=True) as store:
        assert store.exclusions() == [] and store.exclusions(current_only=False) == []
    with LandingStore(tmp_path) as store:  # opened for writing: the table is created
        assert store.table_columns("exclusions")[:2] == ["document_id", "url"]
