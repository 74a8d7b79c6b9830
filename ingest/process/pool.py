"""Run `process_page` over a stream of landed pages, on several CPU cores when it pays.

Extraction is pure Python (regular expressions) and parsing holds the GIL for most of
its time, so threads would share one core; worker processes do not. Results come back
in input order, with a bounded number of pages in flight, so a backlog of any size is
never one list and the rows are written in the same order a single process would write
them.

`ZONEWATCH_PROCESS_WORKERS` sets the number of worker processes (default: the CPUs
this process may run on; 1 means no pool). A small backlog, or a daemonic parent
process (which may not have children), is processed here, without a pool.
"""

from __future__ import annotations

import itertools
import logging
import multiprocessing
import os
import traceback
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass

from ingest.config import ConfigError
from ingest.landing.store import RawPage
from ingest.process.page import ProcessedPage, process_page

__all__ = ["Outcome", "process_pages", "worker_count", "MIN_PAGES_FOR_POOL",
           "PAGES_PER_TASK"]

logger = logging.getLogger(__name__)
logger.addHandler(logging.NullHandler())

WORKERS_ENV = "ZONEWATCH_PROCESS_WORKERS"
PAGES_PER_TASK = 32  # pages sent to a worker at once: amortises pickling round trips
TASKS_PER_WORKER = 4  # tasks in flight per worker: keeps workers busy, memory bounded
MIN_PAGES_FOR_POOL = 500  # below this, starting workers (~1 s each) costs more than it saves


@dataclass(frozen=True)
class Outcome:
    """One page's result: `processed`, or the `error` (type, message, traceback) that
    `process_page` raised on it; `pid` is the process that did the work."""

    raw: RawPage
    processed: ProcessedPage | None
    error: str | None = None
    trace: str | None = None
    pid: int = 0


def worker_count() -> int:
    """Worker processes to use: `ZONEWATCH_PROCESS_WORKERS`, else the usable CPUs."""
    v = os.environ.get(WORKERS_ENV, "").strip()
    if not v:
        return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                   else os.cpu_count() or 1)
    if not v.isdigit() or int(v) < 1:
        raise ConfigError(f"{WORKERS_ENV}={v!r}: expected a whole number of workers, 1 or more")
    return int(v)


def _one(raw: RawPage, override: str | None) -> Outcome:
    try:
        return Outcome(raw, process_page(raw, raw.read_bytes(), encoding_override=override),
                       pid=os.getpid())
    except Exception as exc:  # a parser bug must not lose the other pages
        return Outcome(raw, None, f"{type(exc).__name__}: {exc}", traceback.format_exc(),
                       os.getpid())


def _task(batch: list[tuple[RawPage, str | None]]) -> list[Outcome]:
    return [_one(raw, override) for raw, override in batch]


def process_pages(pages: Iterable[RawPage], overrides: dict[str, str], *,
                  total: int, workers: int | None = None) -> Iterator[Outcome]:
    """One `Outcome` per page, in order. `total` (the backlog's size) decides whether a
    pool is worth starting; `workers` defaults to `worker_count()`.

    A worker that dies (killed, out of memory) raises `BrokenProcessPool` here: pages
    not yet yielded stay unprocessed in the landing store, and the next run takes them.
    """
    n = worker_count() if workers is None else workers
    jobs = ((raw, overrides.get(raw.source or "")) for raw in pages)
    if n <= 1 or total < MIN_PAGES_FOR_POOL or multiprocessing.current_process().daemon:
        for raw, override in jobs:
            yield _one(raw, override)
        return
    batches = iter(lambda: list(itertools.islice(jobs, PAGES_PER_TASK)), [])
    # spawn, not fork: the parent may hold threads (Airflow's task runner) and open
    # DuckDB connections, which a forked child must not inherit
    with ProcessPoolExecutor(n, mp_context=multiprocessing.get_context("spawn")) as pool:
        in_flight: deque[Future[list[Outcome]]] = deque(
            pool.submit(_task, b) for b in itertools.islice(batches, n * TASKS_PER_WORKER))
        while in_flight:
            done = in_flight.popleft().result()
            if (b := next(batches, None)) is not None:
                in_flight.append(pool.submit(_task, b))
            yield from done
