"""`zonewatch report` from a real warehouse (`zonewatch run` over samples/corpus, once for
the module, ~45 s), and the report opened in headless Chromium with the network off: every
chart rendered (plotly's SVG in the DOM) and the screenshot is not a blank page.

Chromium is Debian's `chromium` (`make tools` installs it); without it the browser test
skips, saying so. Network off: a new network namespace (`unshare -n`, as root) when the
machine allows one, and in any case every host name resolves to nothing and every
connection goes to a closed proxy port.
"""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from ingest.cli import main
from ingest.serve.report import FIGURES
from tests.report_html import plotly_json, remote_refs, tags

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "corpus"
CHROMIUM_TIMEOUT_S = 120
WINDOW = (1200, 2000)

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Built:
    warehouse: Path
    report: Path
    page: str


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    tmp = tmp_path_factory.mktemp("report")
    warehouse = tmp / "warehouse.duckdb"
    assert main(["run", "--input", str(SAMPLES), "--workdir", str(tmp / "work"),
                 "--warehouse", str(warehouse)]) == 0
    report = tmp / "report.html"
    assert main(["report", "--warehouse", str(warehouse), "--out", str(report)]) == 0
    yield Built(warehouse, report, report.read_text(encoding="utf-8"))


def _one(warehouse: Path, sql: str) -> tuple:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        row = con.execute(sql).fetchone()
    finally:
        con.close()
    assert row is not None, sql
    return row


def test_report_from_a_real_run_holds_its_figures(built: Built) -> None:
    region, indicator, year, pct = _one(built.warehouse, """
        select r.name_zh, i.name_zh, year(p.target_period_end), round(100 * p.attainment_share, 1)
        from fct_target_progress as p
        join dim_region as r using (region_id) join dim_indicator as i using (indicator_id)
        where p.attainment_share is not null
        order by p.target_fact_id limit 1""")
    assert plotly_json(f"{region} · {indicator} · {year}") in built.page
    assert re.search(rf'"x":\[[^\]]*(?<![\d.]){re.escape(str(pct))}[,\]]', built.page)
    (compute_region,) = _one(built.warehouse, """
        select r.name_zh from fct_compute as c join dim_region as r using (region_id)
        where c.is_current and c.unit = 'PFLOPS' order by c.fact_id limit 1""")
    assert plotly_json(compute_region) in built.page
    assert '"example.gov.cn"' in built.page and '"local files"' in built.page
    # the first run's warehouse holds no gate run yet (its own is recorded after the build)
    assert "no quality-gate runs recorded" in built.page


def test_report_from_a_real_run_is_self_contained(built: Built) -> None:
    assert remote_refs(built.page) == []
    assert not [t for t, a in tags(built.page) if t == "script" and "src" in a]


# --------------------------------------------------------------------------- Chromium


def _chromium() -> str:
    """The browser, or a failure: `make test` runs `make tools`, which installs it, so a
    missing chromium is a broken setup to see, not a test to pass over."""
    exe = shutil.which("chromium")
    assert exe is not None, "chromium is not installed: run `make tools` (Debian's package)"
    return exe


def _offline_prefix() -> list[str]:
    """`unshare -n` when this process may make a network namespace (root), else nothing:
    the flags in _render keep Chromium off the network either way."""
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "-n", "true"], capture_output=True,
                                  timeout=30).returncode == 0:
        return [unshare, "-n"]
    return []


def _render(exe: str, page: Path, profile: Path, *extra: str) -> subprocess.CompletedProcess:
    cmd = [*_offline_prefix(), exe, "--headless", "--no-sandbox", "--disable-gpu",
           "--no-first-run", "--disable-extensions", "--disable-background-networking",
           f"--user-data-dir={profile}",
           '--host-resolver-rules=MAP * ~NOTFOUND', "--proxy-server=127.0.0.1:9",
           "--virtual-time-budget=5000", *extra, page.as_uri()]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=CHROMIUM_TIMEOUT_S,
                         cwd=profile.parent)
    assert res.returncode == 0, res.stderr[-2000:]
    return res


def _png_size(png: Path) -> tuple[int, int]:
    head = png.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR", png
    return struct.unpack(">II", head[16:24])


@pytest.mark.services
def test_report_renders_offline_in_chromium(built: Built, tmp_path: Path) -> None:
    exe = _chromium()
    dom = _render(exe, built.report, tmp_path / "profile", "--dump-dom").stdout

    plots = {a.get("id"): a.get("class", "") for t, a in tags(dom) if t == "div"}
    for name, _ in FIGURES:
        assert "js-plotly-plot" in plots.get(f"chart-{name}", ""), f"chart-{name} not drawn"
    assert dom.count('class="main-svg"') >= len(FIGURES)
    assert dom.count('class="point"') > 0  # bars and markers drawn
    (indicator,) = _one(built.warehouse, """
        select i.name_zh from fct_target_progress join dim_indicator as i using (indicator_id)
        order by target_fact_id limit 1""")
    assert indicator in dom  # an axis label, as SVG text

    blank = tmp_path / "blank.html"
    blank.write_text("<!DOCTYPE html><html><body></body></html>\n", encoding="utf-8")
    size = f"--window-size={WINDOW[0]},{WINDOW[1]}"
    shots = {}
    for name, page in (("report", built.report), ("blank", blank)):
        shot = tmp_path / f"{name}.png"
        _render(exe, page, tmp_path / f"profile-{name}", size, f"--screenshot={shot}")
        assert _png_size(shot) == WINDOW
        shots[name] = shot.stat().st_size
    # a blank page compresses to a few kB; four charts' colours and text do not
    assert shots["report"] > 5 * shots["blank"], shots


@pytest.mark.services
def test_data_docs_render_offline_in_chromium(built: Built, tmp_path: Path) -> None:
    """GX's Data Docs drew their tables with bootstrap-table from a CDN: offline, the index
    was a title and two empty buttons. The gate now points them at pinned copies."""
    exe = _chromium()
    (index,) = sorted((built.warehouse.parent / "work" / "reports").glob("*/docs/index.html"))
    page = index.read_text(encoding="utf-8")
    assert [r for r in remote_refs(page) if r[0] in ("script", "link")] == []
    dom = _render(exe, index, tmp_path / "profile", "--dump-dom").stdout
    assert "bootstrap-table" in dom  # the table plugin ran
    rows = re.findall(r'<tr[^>]*data-index="\d+"', dom)
    assert len(rows) >= 5, "the validation results table has no rows"
    assert "row_counts" in dom and "fct_mentions" in dom  # suites named in the table

    blank = tmp_path / "blank.html"
    blank.write_text("<!DOCTYPE html><html><body></body></html>\n", encoding="utf-8")
    size = f"--window-size={WINDOW[0]},{WINDOW[1]}"
    shots = {}
    for name, p in (("docs", index), ("blank", blank)):
        shot = tmp_path / f"{name}.png"
        _render(exe, p, tmp_path / f"profile-{name}", size, f"--screenshot={shot}")
        shots[name] = shot.stat().st_size
    assert shots["docs"] > 5 * shots["blank"], shots
