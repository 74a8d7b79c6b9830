"""The whole pipeline through the CLI: local HTTP server, real dbt, real gate, real publish."""

from __future__ import annotations

import json
import multiprocessing
import os
import shlex
import shutil
import signal
from pathlib import Path

import duckdb
import pytest

from ingest.cli import main
from ingest.config import RunConfig
from ingest.landing.store import LandingStore
from ingest.pipeline import (
    fetch_and_land_step,
    land_step,
    process_step,
    run_all,
)
from ingest.serve.publish import file_digest
from ingest.steps.process import WorkerDied

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


def test_a_unit_slip_in_one_fact_is_quarantined_and_the_rest_published(tmp_path, capsys):
    """One sentence gone wrong on one page (the district's 2023 GDP read as 1,800 yuan)
    used to block the whole publication (fact_value_range_cny). Now the mention behind the
    fact is set aside and everything else is published."""
    work, warehouse, pages = _publish_then_land_more(
        tmp_path, ["03_donghu_jan_oct.html", "03_donghu_jan_oct.json"],
        ["01_lkg_2024_gdp.html", "01_lkg_2024_gdp.json"])
    before = file_digest(warehouse)
    with LandingStore(work) as store:
        (bad,) = store.con.execute(
            "select mention_id from mentions where indicator_id = 'gdp' and status = 'actual' "
            "and document_id in (select document_id from documents "
            "where url like '%lkg-gdp%')").fetchall()[0]
        store.con.execute("update mentions set value = 1800 where mention_id = ?", [bad])

    rc = _run(pages, work, warehouse)

    out = capsys.readouterr()
    assert rc == 0, out.err
    assert "1 quarantined" in out.out
    assert file_digest(warehouse) != before  # the new page is published
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        q = con.execute("select mention_id, expectation, url, reason from quarantine").fetchall()
        slipped = con.execute("select count(*) from fct_output where value = 1800").fetchone()[0]
        published = con.execute("select count(*) from fct_mentions where mention_id = ?",
                                [bad]).fetchone()[0]
        others = con.execute("select count(*) from fct_mentions m join dim_document d "
                             "using (document_id) where d.url like '%lkg-gdp%'").fetchone()[0]
        runs = con.execute("select verdict from validation_runs").fetchall()
    finally:
        con.close()
    assert [(r[0], r[1]) for r in q] == [(bad, "fact_value_range_cny")]
    assert q[0][2].endswith("lkg-gdp.html") and "unit slip" in q[0][3]
    assert slipped == 0 and published == 0
    assert others > 0  # the page's other figures are published
    assert ("passed",) in runs


def test_a_blocked_gate_exits_3_and_leaves_the_published_file_untouched(tmp_path, capsys):
    """Systemic: every yuan figure on the new pages read as 1 yuan (an extractor change,
    not an odd sentence) is more than the quarantine may set aside; the run blocks and
    nothing is quarantined."""
    work, warehouse, pages = _publish_then_land_more(
        tmp_path, ["03_donghu_jan_oct.html", "03_donghu_jan_oct.json"],
        ["01_lkg_2024_gdp.html", "01_lkg_2024_gdp.json", "02_hefei_2022_review.html"])
    before = file_digest(warehouse)
    with LandingStore(work) as store:
        store.con.execute("update mentions set value = 1 where unit = 'CNY' and document_id in "
                          "(select document_id from documents where url not like '%donghu%')")

    rc = _run(pages, work, warehouse)

    err = capsys.readouterr().err
    assert rc == 3
    assert "blocked" in err.lower()
    assert "fact_value_range_cny" in err and "quarantine_mention_share" in err
    assert "systemic" in err
    assert file_digest(warehouse) == before
    with LandingStore(work, read_only=True) as store:
        quarantined = store.con.execute("select count(*) from quarantine").fetchone()[0]
    assert quarantined == 0  # a systemic failure sets nothing aside

    # on-call's view: the blocked run is listed, and shown in full by its id
    assert main(["failures", "--workdir", str(work)]) == 0
    listing = capsys.readouterr().out
    assert "BLOCKED" in listing and "fact_value_range_cny" in listing
    run_id = listing.splitlines()[1].split()[0]
    assert main(["failures", "--workdir", str(work), "--run", run_id]) == 0
    full = capsys.readouterr().out
    assert "quarantine_mention_share" in full and "first look" in full


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


def test_a_rerun_with_nothing_new_builds_and_publishes_nothing(tmp_path):
    pages = tmp_path / "pages"
    pages.mkdir()
    for name in SOME_PAGES:
        shutil.copy(SAMPLES / name, pages)
    cfg = RunConfig.create(workdir=tmp_path / "w", input_dir=pages)
    first = run_all(cfg)
    assert first.build is not None and first.unchanged is None
    published = file_digest(cfg.warehouse)
    assert not cfg.paths.build_db.exists()  # published by renaming it
    # a production build runs the data tests, not dbt's unit tests (CI runs those)
    results = json.loads((cfg.paths.workdir / "dbt" / "target" / "run_results.json")
                         .read_text())["results"]
    kinds = {r["unique_id"].split(".")[0] for r in results}
    assert "test" in kinds and "unit_test" not in kinds

    again = run_all(RunConfig.create(workdir=tmp_path / "w", input_dir=pages))
    assert again.land.landed_new == 0 and again.process.pages_processed == 0
    assert again.build is None and again.gate is None and again.publish is None
    assert again.unchanged is not None and "nothing new" in again.unchanged
    assert not cfg.paths.build_db.exists()
    assert file_digest(cfg.warehouse) == published

    # What the landing zone holds changes: an exclusion, then a new page. Each rebuilds.
    with LandingStore(cfg.paths) as store:
        doc = store.con.execute("select document_id from documents where status = 'ok' "
                                "order by document_id limit 1").fetchone()
        store.exclude(doc[0], reason="wrong figures", by="pytest")
    excluded = run_all(RunConfig.create(workdir=tmp_path / "w", input_dir=pages))
    assert excluded.build is not None and excluded.build.incremental is True
    assert excluded.publish is not None and file_digest(cfg.warehouse) != published

    shutil.copy(SAMPLES / "07_chengdu_q3.html", pages)
    more = run_all(RunConfig.create(workdir=tmp_path / "w", input_dir=pages))
    assert more.process.pages_processed == 1 and more.build is not None
    assert more.build.new_staging_rows["stg_landing__mentions"] > 0
    assert run_all(RunConfig.create(workdir=tmp_path / "w", input_dir=pages)).build is None


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


def _page_facts(warehouse: Path, document_id: str) -> tuple[set[str], str | None, int]:
    """(facts only this page states, its dim_document.excluded_reason, its mention_count)."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        only = {r[0] for r in con.execute(
            "select fact_id from fct_mentions group by fact_id "
            "having bool_and(document_id = ?)", [document_id]).fetchall()}
        reason, mentions = con.execute(
            "select excluded_reason, mention_count from dim_document where document_id = ?",
            [document_id]).fetchone()
    finally:
        con.close()
    return only, reason, mentions


def test_an_excluded_page_leaves_the_facts_until_it_is_included(tmp_path, capsys):
    work, warehouse = tmp_path / "work", tmp_path / "wh.duckdb"
    assert _run(SAMPLES, work, warehouse) == 0
    before = _facts(warehouse)
    with LandingStore(work, read_only=True) as store:
        (page,) = store.con.execute("select document_id from documents "
                                    "where url like '%lkg-gdp%'").fetchone()
    only_here, reason, mentions = _page_facts(warehouse, page)
    assert only_here and reason is None and mentions > 0

    assert main(["exclude", page, "--reason", "fact_value_range_cny", "--by", "oncall",
                 "--workdir", str(work)]) == 0
    assert _run(SAMPLES, work, warehouse) == 0
    excluded = _facts(warehouse)
    assert not only_here & set().union(*excluded.values())  # its facts are gone
    assert {t: before[t] - only_here for t in before} == excluded  # and nothing else is
    assert _page_facts(warehouse, page) == (set(), "fact_value_range_cny", 0)

    assert main(["include", page, "--workdir", str(work)]) == 0
    assert _run(SAMPLES, work, warehouse) == 0
    assert _facts(warehouse) == before  # its facts are back
    assert _page_facts(warehouse, page)[1:] == (None, mentions)
    out = capsys.readouterr().out
    assert "(0 new," in out.splitlines()[-1]  # the ledger, not new pages, changed the facts


def test_the_command_a_blocked_run_prints_sets_the_page_aside(tmp_path, capsys):
    """On-call's path: a page blocks the gate; the summary prints the exact command to set
    it aside; after it the next run publishes the other pages."""
    work, warehouse, pages = _publish_then_land_more(
        tmp_path, ["03_donghu_jan_oct.html", "03_donghu_jan_oct.json"],
        ["01_lkg_2024_gdp.html", "01_lkg_2024_gdp.json"])
    # Every amount, count and compute figure of the new page out of range in the facts
    # (too many to quarantine: the run blocks), while each mention stays plausible on its
    # own (positive), so setting the page aside is all it takes.
    with LandingStore(work) as store:
        store.con.execute(
            "update mentions set value = case unit when 'CNY' then 1 else 1e7 end "
            "where unit in ('CNY', 'count', 'PFLOPS') and document_id in "
            "(select document_id from documents where url like '%lkg-gdp%')")
    assert _run(pages, work, warehouse) == 3
    err = capsys.readouterr().err
    commands = {ln.split("set it aside: ", 1)[1] for ln in err.splitlines()
                if "set it aside: " in ln}
    lkg = "https://example.gov.cn/dxh/news/2024/0320/lkg-gdp.html"
    # one per failing expectation, each naming the page
    assert {shlex.split(c)[2] for c in commands} == {lkg}
    command = ("zonewatch exclude https://example.gov.cn/dxh/news/2024/0320/lkg-gdp.html "
               f'--reason "fact_value_range_cny" --workdir {work.resolve()}')
    assert command in commands

    assert main(shlex.split(command)[1:]) == 0
    assert _run(pages, work, warehouse) == 0
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        reasons = dict(con.execute("select url, excluded_reason from dim_document").fetchall())
        slipped = con.execute("select count(*) from fct_mentions m join dim_document d "
                              "using (document_id) where d.url like '%lkg-gdp%'").fetchone()[0]
    finally:
        con.close()
    assert reasons[lkg] == "fact_value_range_cny"
    assert [r for u, r in reasons.items() if "lkg-gdp" not in u] == [None]
    assert slipped == 0 and _facts(warehouse)["fct_output"]  # donghu's facts published
