"""process_pages: the same outcomes, in the same order, on worker processes as in one;
a page that raises is reported without losing the others; the input is read lazily."""

from __future__ import annotations

import hashlib
import os
import signal
from collections.abc import Iterator
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime
from pathlib import Path

import pytest

from ingest.config import ConfigError
from ingest.landing.store import RawPage
from ingest.process import pool as process_pool
from ingest.process.pool import process_pages, worker_count

CORPUS = Path(__file__).resolve().parents[2] / "samples" / "corpus"
PAGES = sorted(p for p in CORPUS.iterdir() if p.suffix in {".html", ".htm", ".txt", ".md"})


def _raw(i: int, path: Path) -> RawPage:
    body = path.read_bytes() if path.exists() else b""
    return RawPage(sha256=hashlib.sha256(b"%d" % i + body).hexdigest(),
                   url=f"http://127.0.0.1/{i}/{path.name}", source="samples",
                   fetched_at=datetime(2025, 3, 1), http_status=200, headers={},
                   size=len(body), path=path, sidecar=None)


def _pages(n: int, missing_at: int | None = None) -> list[RawPage]:
    return [_raw(i, CORPUS / "gone.html" if i == missing_at else PAGES[i % len(PAGES)])
            for i in range(n)]


def _comparable(outcomes: list[process_pool.Outcome]) -> list[tuple]:
    """What a run writes, minus the processing timestamp."""
    out = []
    for o in outcomes:
        doc = None if o.processed is None else {
            k: v for k, v in o.processed.document.items() if k != "processed_at"}
        mentions = None if o.processed is None else o.processed.mentions
        out.append((o.raw.url, doc, mentions, o.error))
    return out


@pytest.fixture
def pool_for_small_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(process_pool, "MIN_PAGES_FOR_POOL", 1)
    monkeypatch.setattr(process_pool, "PAGES_PER_TASK", 3)


def test_two_workers_give_what_one_process_gives_in_order(pool_for_small_runs):
    pages = _pages(120, missing_at=17)
    serial = list(process_pages(pages, {}, total=len(pages), workers=1))
    pooled = list(process_pages(pages, {}, total=len(pages), workers=2))

    assert {o.pid for o in serial} == {os.getpid()}
    workers = {o.pid for o in pooled}
    assert os.getpid() not in workers and 1 <= len(workers) <= 2
    assert _comparable(pooled) == _comparable(serial)
    assert sum(len(o.processed.mentions) for o in pooled if o.processed) > 120


def test_a_page_that_raises_is_reported_and_the_rest_are_processed(pool_for_small_runs):
    pages = _pages(12, missing_at=5)
    for workers in (1, 2):
        got = list(process_pages(pages, {}, total=len(pages), workers=workers))
        assert [o.raw.url for o in got] == [p.url for p in pages]
        failed = [o for o in got if o.processed is None]
        assert [o.raw.url for o in failed] == [pages[5].url]
        assert failed[0].error.startswith("FileNotFoundError:")
        assert "read_bytes" in failed[0].trace
        assert all(o.processed is not None for o in got if o is not failed[0])


def test_the_pool_reads_its_input_lazily(pool_for_small_runs):
    taken = 0

    def stream() -> Iterator[RawPage]:
        nonlocal taken
        for i in range(10_000):
            taken += 1
            yield _raw(i, PAGES[i % len(PAGES)])

    outcomes = process_pages(stream(), {}, total=10_000, workers=2)
    first = next(outcomes)
    assert first.processed is not None
    in_flight = 2 * process_pool.TASKS_PER_WORKER * process_pool.PAGES_PER_TASK
    assert taken <= in_flight + process_pool.PAGES_PER_TASK
    outcomes.close()  # stops the pool without processing the rest


def test_a_worker_that_dies_breaks_the_pool_instead_of_losing_pages(pool_for_small_runs):
    pages = _pages(300)
    outcomes = process_pages(pages, {}, total=len(pages), workers=2)
    first = next(outcomes)
    os.kill(first.pid, signal.SIGKILL)

    got = [first]
    with pytest.raises(BrokenProcessPool):
        got.extend(outcomes)  # whatever finished before the kill, then the error
    assert len(got) < len(pages)
    assert [o.raw.url for o in got] == [p.url for p in pages[:len(got)]]
    assert all(o.processed is not None for o in got)


def test_a_small_backlog_is_processed_without_a_pool():
    pages = _pages(5)
    got = list(process_pages(pages, {}, total=len(pages), workers=2))
    assert {o.pid for o in got} == {os.getpid()}


@pytest.mark.parametrize("value", ["0", "-1", "two", "1.5"])
def test_a_bad_worker_count_is_a_config_error(monkeypatch, value):
    monkeypatch.setenv(process_pool.WORKERS_ENV, value)
    with pytest.raises(ConfigError, match="ZONEWATCH_PROCESS_WORKERS"):
        worker_count()


def test_worker_count_defaults_to_the_usable_cpus(monkeypatch):
    monkeypatch.delenv(process_pool.WORKERS_ENV, raising=False)
    assert worker_count() == len(os.sched_getaffinity(0))
    monkeypatch.setenv(process_pool.WORKERS_ENV, "3")
    assert worker_count() == 3
