"""Smoke test for benchmarks/chaos.py (`make chaos`): two cycles on a tiny site, so the
chaos harness cannot rot unnoticed. Each cycle SIGKILLs a real `zonewatch run`, starts a
second one on the same workdir and checks every invariant; a few minutes in all."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.chaos import ChaosSettings, run_chaos


@pytest.mark.slow
def test_two_chaos_cycles_keep_every_invariant(tmp_path: Path) -> None:
    res = run_chaos(ChaosSettings(cycles=2, max_minutes=30, seed=7, initial_pages=6,
                                  pages_per_cycle=1, out_dir=tmp_path, quiet=True))
    assert res.violations == [], "\n".join(res.violations)
    assert res.cycles == 2
    assert res.kills + res.ended_before_kill == 2
    # Every second run was either refused with the lock line or ran after the first.
    assert res.refused + res.second_ran == 2
    assert res.clean_runs == 2
    # Each cycle checks invariants 1-3, the final runs invariant 4 on all three tables.
    for check in ("1 published=validated", "2 reader consistent", "3 no temp files",
                  "3 lock free", "lock exclusive"):
        assert res.checks[check] >= 2, check
    assert res.checks["4 facts equal"] == 3
    assert res.reader_queries > 0 and res.versions_seen_by_reader >= 1
    assert sum(res.facts.values()) > 0
    assert "invariant checks passed" in res.summary()
