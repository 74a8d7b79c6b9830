"""The sitemap peer benchmark's case table (benchmarks/sitemap_cases.py) against
zonewatch's walker: every case's expected pages, lastmod dates and "reports a fault"
flag are what `ingest.fetch.discover` really returns, so the benchmark's expectations
cannot drift from the code. Hermetic: documents served from memory, no usp import."""

from __future__ import annotations

import subprocess
import sys

import pytest

from benchmarks.sitemap_cases import CASES, ZW_BASE, Case, run_zonewatch


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case_expectations_match_zonewatch(case: Case) -> None:
    out = run_zonewatch(case)
    assert out.pages == list(case.pages)
    assert bool(out.reports) == case.reports, out.reports
    assert all(u.startswith(ZW_BASE + "/") for u in out.requests)  # never the foreign host


def test_case_table_is_hermetic_and_covers_the_fault_kinds() -> None:
    probe = "import sys, benchmarks.sitemap_cases; sys.exit('usp' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", probe], timeout=60).returncode == 0
    names = {c.name for c in CASES}
    assert len(names) == len(CASES)
    for kind in ("urlset", "index_depth", "gzip", "gzip_bomb", "plain_text", "truncated",
                 "corrupt", "loop", "huge", "entity", "lastmod", "foreign"):
        assert any(kind in n for n in names), kind
    assert {c.basis for c in CASES} <= {"fault", "policy"}
