"""The whole pipeline through the CLI: local HTTP server, real dbt, real gate, real publish."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import signal
from pathlib import Path

import duckdb
import pytest

from ingest.cli import main
from ingest.config import RunConfig
from ingest.landing.store import LandingStore
from ingest.pipeline import (
    WorkerDied,
    fetch_and_land_step,
    land_step,
    process_step,
    run_all,
)
from ingest.serve.publish import file_digest

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "corpus"
SOME_PAGES = ["01_lkg_2024_gdp.html", "04_sip_h1_big5.html", "09_wuhan_digital_policy.md",
              "bad_binary.html"]

pytestmark = pytest.mark.slow


def _facts(warehouse: Path) -> dict[str, set[str]]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return {t: {r[0] for r in con.execute(f"select fact_id from {t}").fetchall()}
                for t in ("fct_investment", "fct_output", "fct_compute")}
    finally:
        con.close()


def test_run_sources_fetches_from_a_local_server_and_publishes(tmp_path, local_site, capsys):
    site_dir = tmp_path / "site"
    site_dir.mkdir()
    for name in SOME_PAGES:
        shutil.copy(SAMPLES / name, site_dir / name)
    site = local_site(site_dir)
    sources = tmp_path / "sources.yml"
    urls = "\n".join(f"      - {site.url('/' + n)}" for n in [*SOME_PAGES, "missing.html"])
    sources.write_text(f"sources:\n  - name: local\n    allow_private: true\n    urls:\n{urls}\n",
                       encoding="utf-8")
    warehouse = tmp_path / "wh.duckdb"

    rc = main(["run", "--sources", str(sources), "--workdir", str(tmp_path / "work"),
               "--warehouse", str(warehouse)])

    assert rc == 0, capsys.readouterr().err
    facts = _facts(warehouse)
    assert facts["fct_output"] and facts["fct_investment"] and facts["fct_compute"]
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        docs = dict(con.execute("select url, status from dim_document").fetchall())
        reason = con.execute("select reject_reason from dim_document where url like "
                             "'%bad_binary.html'").fetchone()
        urls = {r[0] for r in con.execute("select distinct source_url from fct_output").fetchall()}
    finally:
        con.close()
    assert len(docs) == 4  # three pages and the binary one; the 404 is not a document
    assert reason is not None and reason[0].startswith("undecodable")
    assert all(u.startswith(site.base_url) for u in urls)
    with LandingStore(tmp_path / "work", read_only=True) as store:
        errors = store.con.execute("select url, stage, reason from page_errors").fetchall()
    assert any(u.endswith("missing.html") and s == "fetch" and "404" in r for u, s, r in errors)


def test_two_runs_over_the_same_input_give_the_same_facts(tmp_path, capsys):
    first, second = tmp_path / "a.duckdb", tmp_path / "b.duckdb"
    assert main(["run", "--input", str(SAMPLES), "--workdir", str(tmp_path / "w1"),
                 "--warehouse", str(first)]) == 0
    assert main(["run", "--input", str(SAMPLES), "--workdir", str(tmp_path / "w2"),
                 "--warehouse", str(second)]) == 0
    # and again into the first workdir: nothing new lands, nothing changes
    assert main(["run", "--input", str(SAMPLES), "--workdir", str(tmp_path / "w1"),
                 "--warehouse", str(first)]) == 0
    out = capsys.readouterr().out
    assert "(0 new," in out.splitlines()[-1]
    assert _facts(first) == _facts(second)
    assert sum(len(v) for v in _facts(first).values()) > 50


def _publish_then_land_more(tmp_path: Path, first: list[str], more: list[str]) -> tuple[
        Path, Path, Path]:
    """Publish a run over `first`, then land and extract `more` without building: the
    next `run` picks the new pages up incrementally (landing rows never change)."""
    work, warehouse, pages = tmp_path / "work", tmp_path / "wh.duckdb", tmp_path / "pages"
    pages.mkdir()
    for name in first:
        shutil.copy(SAMPLES / name, pages)
    assert main(["run", "--input", str(pages), "--workdir", str(work),
                 "--warehouse", str(warehouse)]) == 0
    for name in more:
        shutil.copy(SAMPLES / name, pages)
    cfg = RunConfig.create(workdir=work, warehouse=warehouse, input_dir=pages)
    land_step(cfg)
    process_step(cfg)
    return work, warehouse, pages


def _run(pages: Path, work: Path, warehouse: Path) -> int:
    return main(["run", "--input", str(pages), "--workdir", str(work),
                 "--warehouse", str(warehouse)])


def test_a_blocked_gate_exits_3_and_leaves_the_published_file_untouched(tmp_path, capsys):
    work, warehouse, pages = _publish_then_land_more(
        tmp_path, ["03_donghu_jan_oct.html", "03_donghu_jan_oct.json"],
        ["01_lkg_2024_gdp.html", "01_lkg_2024_gdp.json"])
    before = file_digest(warehouse)
    # A unit slip on the new page: a district's GDP of 1,800 yuan.
    with LandingStore(work) as store:
        store.con.execute("update mentions set value = 1800 where indicator_id = 'gdp' and "
                          "document_id in (select document_id from documents "
                          "where url like '%lkg-gdp%')")

    rc = _run(pages, work, warehouse)

    err = capsys.readouterr().err
    assert rc == 3
    assert "blocked" in err.lower()
    assert "fact_value_range_cny" in err
    assert file_digest(warehouse) == before

    # on-call's view: the blocked run is listed, and shown in full by its id
    assert main(["failures", "--workdir", str(work)]) == 0
    listing = capsys.readouterr().out
    assert "BLOCKED" in listing and "fact_value_range_cny" in listing
    run_id = listing.splitlines()[1].split()[0]
    assert main(["failures", "--workdir", str(work), "--run", run_id]) == 0
    full = capsys.readouterr().out
    assert "1800" in full and "first look" in full


def test_a_bad_mention_is_quarantined_and_the_rest_published(tmp_path, capsys):
    work, warehouse, pages = _publish_then_land_more(
        tmp_path, ["07_chengdu_q3.html", "07_chengdu_q3.json"],
        ["01_lkg_2024_gdp.html", "01_lkg_2024_gdp.json"])
    with LandingStore(work) as store:
        bad = store.con.execute(
            "select mention_id from mentions join documents using (document_id) "
            "where url like '%lkg-gdp%' order by mention_id limit 1").fetchone()[0]
        store.con.execute("update mentions set char_end = char_end + 1 where mention_id = ?",
                          [bad])

    rc = _run(pages, work, warehouse)

    assert rc == 0, capsys.readouterr().err
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        q = con.execute("select mention_id, expectation, url, reason from quarantine").fetchall()
        published = con.execute("select count(*) from fct_mentions where mention_id = ?",
                                [bad]).fetchone()[0]
        others = con.execute("select count(*) from fct_mentions m join dim_document d "
                             "using (document_id) where d.url like '%lkg-gdp%'").fetchone()[0]
        runs = con.execute("select verdict from validation_runs").fetchall()
    finally:
        con.close()
    assert [(r[0], r[1]) for r in q] == [(bad, "mention_raw_text_matches_slice")]
    assert q[0][2].endswith("lkg-gdp.html") and q[0][3]
    assert published == 0
    assert others > 0  # the page's other figures are published
    assert ("passed",) in runs


def test_systemic_mention_failures_block(tmp_path, capsys):
    work, warehouse, pages = _publish_then_land_more(
        tmp_path, ["07_chengdu_q3.html", "07_chengdu_q3.json"],
        ["01_lkg_2024_gdp.html", "01_lkg_2024_gdp.json", "02_hefei_2022_review.html"])
    before = file_digest(warehouse)
    with LandingStore(work) as store:  # every new offset wrong: an extractor bug
        store.con.execute("update mentions set char_end = char_end + 1 where document_id in "
                          "(select document_id from documents where url not like '%chengdu%')")

    assert _run(pages, work, warehouse) == 3
    assert "mention_raw_text_matches_slice" in capsys.readouterr().err
    assert file_digest(warehouse) == before


def test_a_rerun_over_unchanged_input_adds_no_rows_incrementally(tmp_path):
    cfg = RunConfig.create(workdir=tmp_path / "w", input_dir=SAMPLES)
    run_all(cfg)
    again = RunConfig.create(workdir=tmp_path / "w", input_dir=SAMPLES)
    out = run_all(again)
    assert out.land.landed_new == 0 and out.process.pages_processed == 0
    assert out.build.incremental is True
    assert set(out.build.new_staging_rows.values()) == {0}


@pytest.mark.parametrize("argv, message", [
    (["run"], "one of the arguments --sources --input is required"),
    (["run", "--input", "/nonexistent/dir"], "not a directory"),
    (["run", "--input", ".", "--sources", "x.yml"], "not allowed with argument"),
    (["eval", "--gold", "/nonexistent.jsonl", "--input", "."], "no such file"),
])
def test_bad_arguments_exit_2_with_one_line(argv, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) if argv == ["run"] or "--sources" in argv else _nullctx():
        rc = main(argv)
        assert rc == 2
    err = capsys.readouterr().err.strip()
    assert message in err
    assert len(err.splitlines()) == 1
    assert not (tmp_path / "data").exists()


class _nullctx:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> bool:
        return False


def test_a_rerun_over_an_unchanged_site_asks_for_no_article_again(tmp_path, local_site):
    site_dir = tmp_path / "site"
    site_dir.mkdir()
    for name in SOME_PAGES[:3]:
        shutil.copy(SAMPLES / name, site_dir / name)
    site = local_site(site_dir)
    urls = "\n".join(f"      - {site.url('/' + n)}" for n in SOME_PAGES[:3])
    sources = tmp_path / "sources.yml"

    def config(revisit: float) -> RunConfig:
        sources.write_text(f"sources:\n  - name: local\n    allow_private: true\n"
                           f"    revisit_after_hours: {revisit}\n    urls:\n{urls}\n",
                           encoding="utf-8")
        return RunConfig.create(workdir=tmp_path / "w", sources_file=sources)

    first = fetch_and_land_step(config(24))
    assert first.landed_new == 3 and _article_hits(site) == 3
    # fetched fine an hour ago: not asked for again
    again = fetch_and_land_step(config(24))
    assert _article_hits(site) == 3 and again.landed_new == 0
    # revalidate every run: asked again, same bytes, nothing new lands
    again = fetch_and_land_step(config(0))
    assert _article_hits(site) == 6 and again.landed_new == 0


def _landed(tmp_path: Path, pages: list[str] | dict[str, str]) -> RunConfig:
    """Land pages from an input dir: sample pages by name, or name -> HTML written here."""
    pages_dir = tmp_path / "pages"
    pages_dir.mkdir()
    for name in pages:
        if isinstance(pages, dict):
            (pages_dir / name).write_text(pages[name], encoding="utf-8")
        else:
            shutil.copy(SAMPLES / name, pages_dir)
    cfg = RunConfig.create(workdir=tmp_path / "work", warehouse=tmp_path / "wh.duckdb",
                           input_dir=pages_dir)
    land_step(cfg)
    return cfg


def _article_hits(site) -> int:
    return sum(n for path, n in site.hits.items() if not path.startswith("/robots"))


def test_process_on_two_workers_records_a_failing_page_and_takes_it_next_run(
        tmp_path, monkeypatch):
    from ingest.process import pool as process_pool

    monkeypatch.setattr(process_pool, "MIN_PAGES_FOR_POOL", 1)
    monkeypatch.setenv(process_pool.WORKERS_ENV, "2")
    cfg = _landed(tmp_path, SOME_PAGES)
    with LandingStore(cfg.paths) as store:
        lost = next(p for p in store.raw_pages() if p.url.endswith("04_sip_h1_big5.html"))
    kept = lost.path.with_suffix(".kept")
    lost.path.rename(kept)  # the raw file is unreadable for this run

    first = process_step(cfg)
    assert first.pages_processed == len(SOME_PAGES) - 1
    with LandingStore(cfg.paths, read_only=True) as store:
        errors = store.con.execute(
            "select stage, reason from page_errors where url = ?", [lost.url]).fetchall()
        assert errors == [("parse", errors[0][1])]
        assert errors[0][1].startswith("FileNotFoundError:")
        assert store.count_pending() == 1

    kept.rename(lost.path)
    second = process_step(cfg)
    assert second.pages_processed == 1 and second.mentions > 0
    with LandingStore(cfg.paths, read_only=True) as store:
        assert store.count_pending() == 0
        assert store.count("documents") == len(SOME_PAGES)


def test_a_worker_killed_mid_process_keeps_what_finished_and_the_next_run_takes_the_rest(
        tmp_path, monkeypatch):
    from ingest.process import pool as process_pool

    monkeypatch.setattr(process_pool, "MIN_PAGES_FOR_POOL", 1)
    monkeypatch.setattr(process_pool, "PAGES_PER_TASK", 2)  # few pages in flight
    monkeypatch.setenv(process_pool.WORKERS_ENV, "2")
    n = 160
    cfg = _landed(tmp_path, {
        f"p{i:03d}.html": f"<html><body><p>{2000 + i % 20}年，某开发区地区生产总值达到"
                          f"{100 + i}亿元，签约亿元以上项目{i}个。</p></body></html>"
        for i in range(n)})

    def kill_a_worker(msg: str) -> None:
        if msg.startswith("process: 50/"):
            os.kill(multiprocessing.active_children()[0].pid, signal.SIGKILL)

    with pytest.raises(WorkerDied, match=r"after \d+ of 160 pages; .* stay pending") as died:
        process_step(cfg, kill_a_worker)
    with LandingStore(cfg.paths, read_only=True) as store:
        saved, pending = store.count("documents"), store.count_pending()
    assert f"after {saved} of 160" in str(died.value)
    assert 50 <= saved < n and saved + pending == n

    second = process_step(cfg)
    assert second.pages_processed == n - saved
    with LandingStore(cfg.paths, read_only=True) as store:
        assert store.count_pending() == 0 and store.count("documents") == n
        documents = store.con.execute("select count(distinct document_id) from mentions")
        assert documents.fetchone()[0] == n


def test_pages_an_older_extractor_processed_are_processed_again(tmp_path):
    from ingest.process.extract import extractor_version

    cfg = _landed(tmp_path, SOME_PAGES)
    first = process_step(cfg)
    with LandingStore(cfg.paths) as store:
        before = store.con.execute(
            "select mention_id, value, status from mentions order by 1").fetchall()
        # what an older extractor left: its version on two pages, and a wrong figure
        (doc_id,) = store.con.execute(
            "select document_id from mentions order by mention_id limit 1").fetchone()
        store.con.execute("update documents set extractor_version = 'x-old' where "
                          "document_id in (select document_id from documents order by "
                          "document_id limit 1) or document_id = ?", [doc_id])
        store.con.execute("update mentions set value = -1 where document_id = ?", [doc_id])
        stale = store.count_stale(extractor_version())
    assert stale == 2 and first.pages_processed == len(SOME_PAGES)

    second = process_step(cfg)
    assert second.pages_processed == stale
    with LandingStore(cfg.paths, read_only=True) as store:
        after = store.con.execute(
            "select mention_id, value, status from mentions order by 1").fetchall()
        versions = store.con.execute(
            "select distinct extractor_version from documents").fetchall()
        assert store.count("documents") == len(SOME_PAGES) and store.count_pending(
            extractor_version()) == 0
    assert after == before  # the old rows replaced, none left twice
    assert versions == [(extractor_version(),)]
    assert process_step(cfg).pages_processed == 0  # and then nothing is left to do


def test_publish_takes_only_the_file_the_gate_validated(tmp_path: Path) -> None:
    """A build copy touched after its gate passed (another run, a hand edit) is not
    published: the validated sha256 is in validation_runs and checked before the swap."""
    from ingest.pipeline import build_step, gate_step, publish_step
    from ingest.serve.publish import PublishError

    pages = tmp_path / "pages"
    pages.mkdir()
    for name in SOME_PAGES[:2]:
        shutil.copy(SAMPLES / name, pages)
    cfg = RunConfig.create(workdir=tmp_path / "w", warehouse=tmp_path / "wh.duckdb",
                           input_dir=pages)
    land_step(cfg)
    process_step(cfg)
    build_step(cfg)
    gate_step(cfg)
    con = duckdb.connect(str(cfg.paths.build_db))
    con.execute("create table main.not_validated as select 1 as x")
    con.close()
    with pytest.raises(PublishError, match="changed after the gate validated it"):
        publish_step(cfg)
    assert not cfg.paths.warehouse.exists()
    with LandingStore(cfg.paths, read_only=True) as store:
        validated = store.validated_build(cfg.run_id)
    assert validated is not None and validated[0] and validated[1]


def test_a_malformed_sidecar_is_that_pages_error_and_the_rest_is_published(tmp_path):
    """Before, `published_at: 2024-13-45` exited 2 after earlier pages had landed and the
    later pages never ran."""
    pages = tmp_path / "pages"
    pages.mkdir()
    for name in SOME_PAGES[:2]:
        shutil.copy(SAMPLES / name, pages)
    (pages / "00_odd.html").write_text("<p>某区2024年签约项目12个，总投资50亿元。</p>",
                                       encoding="utf-8")
    (pages / "00_odd.json").write_text('{"published_at": "2024-13-45"}', encoding="utf-8")
    work, warehouse = tmp_path / "w", tmp_path / "wh.duckdb"
    assert main(["run", "--input", str(pages), "--workdir", str(work),
                 "--warehouse", str(warehouse)]) == 0
    with LandingStore(work, read_only=True) as store:
        errors = store.con.execute("select url, stage, reason from page_errors").fetchall()
        assert store.count("raw_pages") == 2
    assert len(errors) == 1 and errors[0][0].endswith("00_odd.html")
    assert errors[0][1] == "read" and "YYYY-MM-DD" in errors[0][2]
    assert warehouse.is_file()


def test_a_run_whose_every_source_failed_exits_1_naming_them(tmp_path, local_site, capsys):
    """Before, a run whose every source failed exited 0 "published"."""
    empty = tmp_path / "site"
    empty.mkdir()
    site = local_site(empty)  # every page 404
    sources = tmp_path / "sources.yml"
    sources.write_text("sources:\n"
                       f"  - name: gone\n    allow_private: true\n    urls: [{site.url('/a')}]\n"
                       f"  - name: moved\n    allow_private: true\n    urls: [{site.url('/b')}]\n",
                       encoding="utf-8")
    rc = main(["run", "--sources", str(sources), "--workdir", str(tmp_path / "w"),
               "--warehouse", str(tmp_path / "wh.duckdb")])
    err = [ln for ln in capsys.readouterr().err.splitlines() if ln.startswith("zonewatch:")]
    assert rc == 1
    assert len(err) == 1 and "every source failed (gone, moved)" in err[0]
    assert not (tmp_path / "wh.duckdb").exists()


def test_a_failed_dbt_test_is_recorded_for_on_call(tmp_path, capsys):
    """A dbt test failure exited 3 but wrote no validation_runs row: `zonewatch failures`
    could not show it."""
    work, warehouse, pages = _publish_then_land_more(
        tmp_path, ["03_donghu_jan_oct.html", "03_donghu_jan_oct.json"],
        ["01_lkg_2024_gdp.html", "01_lkg_2024_gdp.json"])
    with LandingStore(work) as store:  # a unit no seed knows
        store.con.execute("update mentions set unit = 'furlong' where document_id in "
                          "(select document_id from documents where url like '%lkg-gdp%')")
    assert _run(pages, work, warehouse) == 3
    capsys.readouterr()
    assert main(["failures", "--workdir", str(work)]) == 0
    listing = capsys.readouterr().out
    assert "-dbt" in listing and "BLOCKED" in listing and "BLOCK " in listing
