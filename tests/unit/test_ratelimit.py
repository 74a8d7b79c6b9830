"""HostLimiter: minimum interval between starts per host, and a per-host concurrency cap.

No real sleeps: the limiter's `clock` and `sleep` are fakes, and a slot is held by
waiting for the other holder, not for a while.
"""

from __future__ import annotations

import threading

import pytest

from ingest.fetch.ratelimit import HostLimiter


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0
        self.lock = threading.Lock()

    def __call__(self) -> float:
        with self.lock:
            return self.now

    def sleep(self, s: float) -> None:
        with self.lock:
            self.now += s


class ThreadClock:
    """A fake clock for several threads: each thread's time moves only by its own sleeps
    (every thread starts at the same instant), the way sleeps in parallel threads overlap
    on a real clock instead of adding up. `join()` moves the calling thread to the latest
    time any thread reached, as waiting for them all would."""

    def __init__(self, start: float = 100.0) -> None:
        self.start = start
        self.lock = threading.Lock()
        self.times: dict[int, float] = {}

    def __call__(self) -> float:
        with self.lock:
            return self.times.get(threading.get_ident(), self.start)

    def sleep(self, s: float) -> None:
        me = threading.get_ident()
        with self.lock:
            self.times[me] = self.times.get(me, self.start) + s

    def join(self) -> None:
        with self.lock:
            self.times[threading.get_ident()] = max([self.start, *self.times.values()])


def test_min_interval_between_starts_fake_clock() -> None:
    clock = FakeClock()
    lim = HostLimiter(rate_per_s=2.0, concurrency=1, clock=clock, sleep=clock.sleep)
    starts = []
    for _ in range(5):
        with lim.slot("a.gov.cn"):
            starts.append(clock())
    assert [round(s - starts[0], 6) for s in starts] == [0.0, 0.5, 1.0, 1.5, 2.0]
    assert lim.stats("a.gov.cn").starts == 5


def test_hosts_are_independent_fake_clock() -> None:
    clock = FakeClock()
    lim = HostLimiter(rate_per_s=1.0, concurrency=1, clock=clock, sleep=clock.sleep)
    with lim.slot("a"):
        t_a = clock()
    with lim.slot("b"):
        t_b = clock()
    assert t_b == t_a  # b does not wait for a
    with lim.slot("a"):
        assert clock() - t_a == pytest.approx(1.0)


def test_no_wait_after_idle_fake_clock() -> None:
    clock = FakeClock()
    lim = HostLimiter(rate_per_s=2.0, concurrency=1, clock=clock, sleep=clock.sleep)
    with lim.slot("a"):
        pass
    clock.sleep(10)
    t = clock()
    with lim.slot("a"):
        assert clock() == t


def test_configure_and_min_interval_only_slow_down() -> None:
    clock = FakeClock()
    lim = HostLimiter(rate_per_s=10.0, concurrency=4, clock=clock, sleep=clock.sleep)
    lim.min_interval("a", 2.0)  # robots Crawl-delay: 2
    assert lim.stats("a").interval == pytest.approx(2.0)
    lim.min_interval("a", 0.5)  # never loosens
    assert lim.stats("a").interval == pytest.approx(2.0)
    lim.configure("b", rate_per_s=50.0, concurrency=3)
    assert lim.stats("b").interval == pytest.approx(0.02) and lim.stats("b").concurrency == 3
    with pytest.raises(ValueError):
        HostLimiter(1.0, 0)


def test_concurrency_cap_real_threads() -> None:
    clock = ThreadClock()
    lim = HostLimiter(rate_per_s=None, concurrency=2, clock=clock, sleep=clock.sleep)
    lock = threading.Lock()
    in_flight = 0
    peak = 0
    done = 0
    # Each slot is held until a second thread holds one too: the cap is reached every
    # time, and a third holder (a broken cap) would show in `peak`.
    both_in = threading.Barrier(2, timeout=10)

    def work() -> None:
        nonlocal in_flight, peak, done
        with lim.slot("a"):
            with lock:
                in_flight += 1
                peak = max(peak, in_flight)
            both_in.wait()
            with lock:
                in_flight -= 1
                done += 1

    threads = [threading.Thread(target=work) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert done == 12
    assert peak <= 2
    assert lim.stats("a").max_in_flight <= 2 and lim.stats("a").in_flight == 0


def test_rate_lower_bound_threads_fake_clock() -> None:
    clock = ThreadClock()
    lim = HostLimiter(rate_per_s=40.0, concurrency=4, clock=clock, sleep=clock.sleep)
    starts: list[float] = []
    lock = threading.Lock()

    def work() -> None:
        with lim.slot("a"), lock:
            starts.append(clock())

    threads = [threading.Thread(target=work) for _ in range(9)]
    t0 = clock()
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    clock.join()
    starts.sort()
    # 9 starts at 40/s span at least 8 intervals of 25 ms (can never be faster)
    assert starts[-1] - starts[0] >= 8 * 0.025 - 0.005
    assert clock() - t0 < 5.0  # generous upper bound


def test_slot_released_on_exception() -> None:
    lim = HostLimiter(rate_per_s=None, concurrency=1)
    with pytest.raises(RuntimeError), lim.slot("a"):
        raise RuntimeError("boom")
    assert lim.stats("a").in_flight == 0
    with lim.slot("a"):
        pass
