"""`zonewatch sources check FILE` against list pages served on 127.0.0.1 in the shapes
Chinese portals use, and the starter catalog `sources/hubei.yml`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ingest.cli import main
from ingest.fetch.check import check_source
from ingest.fetch.sources import KINDS, load_sources
from tests.conftest import LocalServer, Reply

ROOT = Path(__file__).resolve().parents[2]
HUBEI = ROOT / "sources" / "hubei.yml"
HTML = (("Content-Type", "text/html; charset=utf-8"),)
TEXT = (("Content-Type", "text/plain"),)

# a paged list: <div class="list"> of links and a 下一页 link
PAGED = """<html><body><div class="nav"><a href="/">首页</a></div>
<div class="list">
  <a href="/xwzx/202403/t20240320_101.shtml">临空港经开区一季度地区生产总值增长8%</a>
  <a href="/xwzx/202403/t20240318_102.shtml">东西湖区签约项目12个</a>
  <a href="/xwzx/202403/t20240315_103.shtml">  新城区  工业投资
     增长 </a>
  <a href="/xwzx/202403/t20240312_104.shtml">第四条</a>
</div>
<div class="page"><a href="/xwzx/index_1.shtml">下一页</a></div>
</body></html>""".encode()

# a <ul> of dated links
DATED = """<html><body><ul class="news">
<li><a href="/tjsj/202403/t20240320_1.shtml">2024年1-2月全市经济运行情况</a>
  <span>2024-03-20</span></li>
<li><a href="tjgb/202402/t20240228_2.shtml">2023年武汉市国民经济和社会发展统计公报</a>
  <span>2024-02-28</span></li>
</ul></body></html>""".encode()


def _yaml(path: Path, *entries: str) -> Path:
    path.write_text("sources:\n" + "".join(entries), encoding="utf-8")
    return path


def _list(name: str, entry: str, link: str, *, private: bool = True,
          nxt: str | None = None) -> str:
    lines = [f"  - name: {name}\n", "    kind: list\n", f"    entry: {entry}\n",
             f"    link_selector: '{link}'\n", f"    allow_private: {str(private).lower()}\n",
             "    rate_limit: 50\n"]
    if nxt:
        lines.append(f"    next_selector: '{nxt}'\n")
    return "".join(lines)


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where a run would write; a check must leave it absent."""
    wd = tmp_path / "wd"
    monkeypatch.setenv("ZONEWATCH_WORKDIR", str(wd))
    monkeypatch.setenv("ZONEWATCH_WAREHOUSE", str(tmp_path / "wh.duckdb"))
    monkeypatch.chdir(tmp_path)
    return wd


def test_both_list_shapes_found_first_page_only_nothing_written(
        local_server: LocalServer, tmp_path: Path, workdir: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    srv = local_server
    srv.route("/xwzx/index.shtml", Reply(200, PAGED, HTML))
    srv.route("/xwzx/index_1.shtml", Reply(200, PAGED, HTML))
    srv.route("/tjsj/index.shtml", Reply(200, DATED, HTML))
    f = _yaml(tmp_path / "s.yml",
              _list("paged", srv.url("/xwzx/index.shtml"), "div.list a",
                    nxt='a:-soup-contains("下一页")'),
              _list("dated", srv.url("/tjsj/index.shtml"), "ul.news li"))
    assert main(["sources", "check", str(f)]) == 0
    out = capsys.readouterr().out
    paged, dated = out.split("source dated (list)")
    assert f"{srv.url('/xwzx/index.shtml')}: http 200" in paged
    assert "4 article link(s) (first list page only)" in paged
    assert (f"1. 临空港经开区一季度地区生产总值增长8% "
            f"<{srv.url('/xwzx/202403/t20240320_101.shtml')}>") in paged
    assert f"3. 新城区 工业投资 增长 <{srv.url('/xwzx/202403/t20240315_103.shtml')}>" in paged
    assert "第四条" not in paged  # three shown
    assert srv.hits.get("/xwzx/index_1.shtml", 0) == 0  # pagination not followed
    assert "2 article link(s)" in dated
    assert (f"2. 2023年武汉市国民经济和社会发展统计公报 "
            f"<{srv.url('/tjsj/tjgb/202402/t20240228_2.shtml')}>") in dated
    assert out.rstrip().splitlines()[-1] == "sources check: all 2 source(s) found article links"
    assert not srv.hits.get("/xwzx/202403/t20240320_101.shtml")  # no article fetched
    assert not workdir.exists() and not (tmp_path / "wh.duckdb").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.yml"]


def test_a_selector_that_matches_nothing_and_a_404_exit_1_named(
        local_server: LocalServer, tmp_path: Path, workdir: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    srv = local_server
    srv.route("/tjsj/index.shtml", Reply(200, DATED, HTML))
    f = _yaml(tmp_path / "s.yml",
              _list("good", srv.url("/tjsj/index.shtml"), "ul.news li"),
              _list("nomatch", srv.url("/tjsj/index.shtml"), "div.articleList li a"),
              _list("gone", srv.url("/missing/index.shtml"), "ul.news li"))
    assert main(["sources", "check", str(f)]) == 1
    out = capsys.readouterr().out
    assert f"{srv.url('/missing/index.shtml')}: http 404" in out
    assert out.count("0 article link(s)") == 2
    last = out.rstrip().splitlines()[-1]
    assert last == ("sources check: 2 of 3 source(s) found no article links: "
                    "nomatch (no links matched); gone (http 404)")


def test_robots_disallowing_the_entry_is_reported_and_nothing_fetched_past_it(
        local_server: LocalServer, tmp_path: Path, workdir: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    srv = local_server
    srv.route("/robots.txt", Reply(200, b"User-agent: *\nDisallow: /xwzx/\n", TEXT))
    srv.route("/xwzx/index.shtml", Reply(200, PAGED, HTML))
    f = _yaml(tmp_path / "s.yml", _list("blocked", srv.url("/xwzx/index.shtml"), "div.list a"))
    assert main(["sources", "check", str(f)]) == 1
    out = capsys.readouterr().out
    assert f"{srv.url('/xwzx/index.shtml')}: refused by robots.txt" in out
    assert out.rstrip().splitlines()[-1].endswith("blocked (refused by robots.txt)")
    assert srv.hits == {"/robots.txt": 1}


def test_loopback_is_refused_without_allow_private(local_server: LocalServer,
                                                  tmp_path: Path) -> None:
    srv = local_server
    srv.route("/xwzx/index.shtml", Reply(200, PAGED, HTML))
    f = _yaml(tmp_path / "s.yml",
              _list("local", srv.url("/xwzx/index.shtml"), "div.list a", private=False))
    got = check_source(load_sources(f)[0])
    assert not got.ok and got.links == ()
    [req] = got.requests
    assert "non-public address 127.0.0.1" in req.describe()
    assert "non-public address" in got.why_not
    assert srv.hits == {}  # not even robots.txt reached the server


def test_the_module_function_reports_status_links_and_titles(local_server: LocalServer,
                                                             tmp_path: Path) -> None:
    srv = local_server
    srv.route("/tjsj/index.shtml", Reply(200, DATED, HTML))
    f = _yaml(tmp_path / "s.yml", _list("dated", srv.url("/tjsj/index.shtml"), "ul.news li"))
    got = check_source(load_sources(f)[0])
    assert got.ok and [(r.url, r.status, r.error) for r in got.requests] == [
        (srv.url("/tjsj/index.shtml"), 200, None)]
    assert [d.title for d in got.links] == ["2024年1-2月全市经济运行情况",
                                            "2023年武汉市国民经济和社会发展统计公报"]


def test_a_bad_file_exits_2_with_the_loaders_line(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "bad.yml"
    f.write_text("sources:\n  - name: x\n    kind: list\n    entry: https://a.example/\n"
                 "    link_selector: 'a'\n    rate_limit: -1\n", encoding="utf-8")
    assert main(["sources", "check", str(f)]) == 2
    err = capsys.readouterr().err.strip()
    assert re.fullmatch(rf"zonewatch: error: {re.escape(str(f))}:6: source 'x': rate_limit .*",
                        err)


def test_hubei_catalog_loads_and_every_entry_is_marked_unverified() -> None:
    sources = load_sources(HUBEI)
    hosts = {h for s in sources for h in s.allowed_hosts}
    assert {"www.wuhan.gov.cn", "www.dxh.gov.cn", "www.wehdz.gov.cn", "tjj.hubei.gov.cn",
            "tjj.wuhan.gov.cn"} <= hosts
    for s in sources:
        assert s.kind in KINDS and s.kind != "urls"
        assert s.rate_limit <= 1 and s.schedule and s.max_pages
        assert not s.allow_private
        if s.kind == "list":
            assert s.link_selector and s.next_selector
    lines = HUBEI.read_text(encoding="utf-8").splitlines()
    names = [i for i, ln in enumerate(lines) if ln.lstrip().startswith("- name:")]
    assert len(names) == len(sources)
    for i in names:
        assert lines[i - 1].strip() == ("# selectors unverified: run "
                                        "`zonewatch sources check sources/hubei.yml`")
