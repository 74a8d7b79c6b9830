"""The gate passes good data and catches each kind of bad data with the right severity.

Every failure test checks three things: the expectation is reported in
`blocking` (or `warnings`) with the right unexpected_count, the example rows
point at the page and sentence, and GX's own stored result for it says
success False (a None count or an errored expectation would not pass this).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from ingest.gate.run import DEFAULT_CONFIG, Failure, GateResult
from ingest.serve.publish import file_digest, publish
from tests.gate.builder import fact_row, good_build, write_build
from tests.gate.conftest import Tables, gx_outcome


def find(failures: tuple[Failure, ...], expectation: str, table: str) -> Failure:
    hits = [f for f in failures if f.expectation == expectation and f.table == table]
    names = [(f.expectation, f.table) for f in failures]
    assert len(hits) == 1, f"{expectation} on {table} not reported once; got {names}"
    return hits[0]


def test_good_build_passes(gate: Callable[..., GateResult]) -> None:
    res = gate()
    assert res.passed, res.summary_path.read_text()
    assert res.blocking == () and res.warnings == ()
    assert res.report_path.is_file() and res.summary_path.is_file()
    assert res.docs_path is not None and res.docs_path.name == "index.html"
    assert res.docs_path.is_file()
    doc = json.loads(res.report_path.read_text())
    assert doc["passed"] is True
    assert len(doc["expectations"]) == res.expectations_run > 60
    for o in doc["expectations"]:  # every expectation really evaluated
        assert o["success"] and not o["errored"], o
        if o["type"] != "expect_table_row_count_to_be_between":
            assert o["unexpected_count"] == 0, o
    assert "PASSED" in res.summary_path.read_text()


# ----------------------------------------------------------------- one row per kind of bad data


def unit_slip(t: Tables) -> None:  # 1800 yuan: the 亿 multiplier lost
    t["fct_investment"][0]["value"] = 1800.0


def duplicate_fact_id(t: Tables) -> None:
    t["fct_investment"].append(dict(t["fct_investment"][0], value=9.9e9))


def orphan_region(t: Tables) -> None:
    t["fct_output"][0]["region_id"] = "r_atlantis"


def orphan_indicator(t: Tables) -> None:
    t["fct_compute"][0]["indicator_id"] = "gpu_count"


def offsets_off_by_one(t: Tables) -> None:
    m = t["stg_landing__mentions"][0]
    m["char_start"] += 1
    m["char_end"] += 1


def offsets_past_text(t: Tables) -> None:
    m = t["stg_landing__mentions"][2]
    m["char_end"] = 10_000


def negative_value(t: Tables) -> None:
    t["stg_landing__mentions"][2]["value"] = -45.0  # a count can't be negative


def target_already_past(t: Tables) -> None:
    m = t["stg_landing__mentions"][0]
    m["status"] = "target"  # a 2023 target on a page published in mid-2024
    doc = next(d for d in t["stg_landing__documents"] if d["document_id"] == m["document_id"])
    doc["published_at"] = date(2024, 6, 1)


def same_bytes_twice(t: Tables) -> None:
    docs = t["stg_landing__documents"]
    docs[1]["content_sha256"] = docs[0]["content_sha256"]


def percent_out_of_range(t: Tables) -> None:
    t["stg_landing__mentions"][1]["value"] = -250.0  # a decline is negative, but not -250 %


def year_as_amount(t: Tables) -> None:
    t["stg_landing__mentions"][3]["period_end"] = t["stg_landing__mentions"][3]["period_end"] \
        .replace(year=2300)


def unknown_unit(t: Tables) -> None:
    t["fct_output"][1]["unit"] = "USD"


def fact_period_reversed(t: Tables) -> None:
    f = t["fct_investment"][1]
    f["period_start"], f["period_end"] = f["period_end"], f["period_start"]


def no_evidence(t: Tables) -> None:
    t["fct_output"][1]["evidence"] = None


def zero_mentions(t: Tables) -> None:
    t["fct_compute"][0]["mention_count"] = 0


def empty_ok_documents(t: Tables) -> None:  # the parser lost the body of 5 accepted pages
    for i in range(5):
        t["stg_landing__documents"].append(dict(
            t["stg_landing__documents"][0], document_id=f"e{i:015d}",
            url=f"https://www.hefei.gov.cn/news/empty{i}.html", text="", text_length=0,
            cjk_share=0.0))


def mojibake_document(t: Tables) -> None:
    t["stg_landing__documents"][1].update(text="ËÕÖÝ¾­¿ªÇø", cjk_share=0.0)


def flood_of_rejected_empty_documents(t: Tables) -> None:
    for i in range(10):
        t["stg_landing__documents"].append(dict(
            t["stg_landing__documents"][0], document_id=f"x{i:015d}",
            url=f"https://www.hefei.gov.cn/news/blank{i}.html", text="", text_length=0,
            cjk_share=None, status="rejected", reject_reason="empty"))


def fct_mention_orphan_fact(t: Tables) -> None:
    t["fct_mentions"][0]["fact_id"] = "f_gone"


@dataclass(frozen=True)
class Case:
    mutate: Callable[[Tables], None]
    expectation: str
    table: str
    severity: str
    unexpected_count: int
    url_col: str | None = None


CASES = [
    Case(unit_slip, "fact_value_range_cny", "fct_investment", "quarantine", 1, "source_url"),
    Case(duplicate_fact_id, "fact_id_unique", "fct_investment", "block", 2, "source_url"),
    Case(orphan_region, "fact_region_known", "fct_output", "block", 1, "source_url"),
    Case(orphan_indicator, "fact_indicator_known", "fct_compute", "block", 1, "source_url"),
    Case(offsets_off_by_one, "mention_raw_text_matches_slice", "stg_landing__mentions",
         "quarantine",
         1, "url"),
    Case(offsets_past_text, "mention_offsets_within_text", "stg_landing__mentions",
         "quarantine", 1,
         "url"),
    Case(negative_value, "mention_value_positive", "stg_landing__mentions",
         "quarantine", 1, "url"),
    Case(percent_out_of_range, "mention_percent_in_range", "stg_landing__mentions",
         "quarantine", 1,
         "url"),
    Case(year_as_amount, "mention_period_end_year", "stg_landing__mentions",
         "quarantine", 1, "url"),
    Case(unknown_unit, "fact_unit_in_set", "fct_output", "quarantine", 1, "source_url"),
    Case(no_evidence, "fact_evidence_not_null", "fct_output", "quarantine", 1, "source_url"),
    Case(fact_period_reversed, "fact_period_ordered", "fct_investment", "quarantine", 1,
         "source_url"),
    Case(zero_mentions, "fact_mention_count_positive", "fct_compute", "block", 1, "source_url"),
    Case(empty_ok_documents, "ok_document_has_text", "stg_landing__documents", "block", 5, "url"),
    Case(mojibake_document, "ok_document_cjk_share", "stg_landing__documents", "block", 1, "url"),
    Case(flood_of_rejected_empty_documents, "documents_mostly_ok", "stg_landing__documents",
         "warn", 10, "url"),
    Case(target_already_past, "mention_target_not_before_page", "stg_landing__mentions",
         "warn", 1, "url"),
    Case(same_bytes_twice, "document_content_unique", "stg_landing__documents", "block", 2,
         "url"),
    Case(fct_mention_orphan_fact, "fct_mention_fact_exists", "fct_mentions", "block", 1, "url"),
]


@pytest.mark.parametrize("case", CASES, ids=[c.mutate.__name__ for c in CASES])
def test_bad_data_is_caught(gate: Callable[..., GateResult], case: Case) -> None:
    tables = good_build()
    case.mutate(tables)
    res = gate(tables)

    failures = {"block": res.blocking, "warn": res.warnings,
                "quarantine": res.quarantined}[case.severity]
    f = find(failures, case.expectation, case.table)
    assert f.severity == case.severity
    assert f.unexpected_count == case.unexpected_count
    assert res.passed is (case.severity != "block" and not res.blocking)
    if case.severity == "quarantine":
        # every failing row is handed over to be set aside, with its page and reason: the
        # mention itself, or every mention that states the failing fact
        rows = [r for r in res.quarantine_rows if r["expectation"] == case.expectation]
        assert rows and len(rows) == len({r["mention_id"] for r in rows})
        if case.table.startswith("fct_"):
            (ex,) = f.examples
            stated_by = {m["mention_id"] for m in tables["fct_mentions"]
                         if m["fact_id"] == ex["fact_id"]}
            assert {r["mention_id"] for r in rows} == stated_by
        for row in rows:
            assert row["url"].startswith("https://") and row["mention_id"] and row["reason"]
    # GX's own record: the expectation ran and failed (not errored, not skipped).
    gx = gx_outcome(res, case.table, case.expectation)
    assert gx["success"] is False
    assert not gx["exception_info"].get("raised_exception")
    assert gx["result"]["unexpected_count"] == case.unexpected_count
    # examples point at the page and the sentence
    assert 1 <= len(f.examples) <= 3
    if case.url_col:
        assert all(str(ex[case.url_col]).startswith("https://") for ex in f.examples), f.examples
    summary = res.summary_path.read_text()
    assert case.expectation in summary and f"{case.unexpected_count} of" in summary
    assert "first look:" in summary


def test_many_bad_mentions_are_systemic_and_block(gate: Callable[..., GateResult]) -> None:
    tables = good_build()
    for m in tables["stg_landing__mentions"]:
        m["char_end"] += 1  # every offset wrong: an extractor bug, not a bad page
    res = gate(tables)
    f = find(res.blocking, "mention_raw_text_matches_slice", "stg_landing__mentions")
    assert f.severity == "block" and f.unexpected_count == len(tables["stg_landing__mentions"])
    assert res.passed is False and not res.quarantine_rows


def every_yuan_slipped(t: Tables) -> None:  # every 亿 lost: a parser change, not one page
    for table in ("fct_investment", "fct_output", "fct_compute"):
        for f in t[table]:
            if f["unit"] == "CNY":
                f["value"] = 1800.0
    t["fct_investment"] += [fact_row(i, value=1800.0) for i in range(10)]


def test_unit_slip_report_names_the_row(gate: Callable[..., GateResult]) -> None:
    tables = good_build()
    unit_slip(tables)
    res = gate(tables)
    f = find(res.quarantined, "fact_value_range_cny", "fct_investment")
    (ex,) = f.examples
    assert ex["value"] == 1800.0 and ex["unit"] == "CNY"
    assert ex["source_url"] == "https://www.hefei.gov.cn/news/2024/001.html"
    assert "120亿元" in ex["evidence"]
    assert ex["mention_ids"] == "m1, m5"  # the mentions quarantine sets aside for it
    summary = res.summary_path.read_text()
    assert "PASSED" in summary and "https://www.hefei.gov.cn/news/2024/001.html" in summary
    assert "unit slip" in summary  # the hint from gate.yml
    assert "2 mention(s) quarantined" in summary
    doc = json.loads(res.report_path.read_text())
    assert doc["passed"] is True and doc["blocking"] == []
    assert doc["quarantined"][0]["expectation"] == "fact_value_range_cny"


# ----------------------------------------------------------------- facts quarantine their mentions


def test_a_one_yuan_fact_is_quarantined_with_every_mention_behind_it(
        gate: Callable[..., GateResult]) -> None:
    """A ratio sentence gone wrong ("翻了一番" read as 1 yuan) made a 1-yuan investment fact;
    fact_value_range_cny blocked the whole publication. Now the two mentions (on two
    pages) that state the fact are set aside and everything else passes."""
    tables = good_build()
    (fact,) = [f for f in tables["fct_investment"] if f["indicator_id"] == "fixed_asset_investment"]
    fact["value"] = 1.0
    for m in tables["stg_landing__mentions"]:
        if m["mention_id"] in ("m1", "m5"):
            m["value"] = 1.0  # 1 > 0: no mention expectation sees anything wrong
    res = gate(tables)

    assert res.passed, res.summary_path.read_text()
    assert res.blocking == ()
    f = find(res.quarantined, "fact_value_range_cny", "fct_investment")
    assert f.severity == "quarantine" and f.unexpected_count == 1
    assert [(r["mention_id"], r["url"]) for r in res.quarantine_rows] == [
        ("m1", "https://www.hefei.gov.cn/news/2024/001.html"),
        ("m5", "https://www.hefei.gov.cn/news/2024/003.html")]
    by_id = {m["mention_id"]: m for m in tables["stg_landing__mentions"]}
    for row in res.quarantine_rows:  # the same shape as a mention's own quarantine row
        assert set(row) == {"mention_id", "document_id", "url", "sentence", "raw_text",
                            "expectation", "reason"}
        m = by_id[row["mention_id"]]
        assert (row["document_id"], row["sentence"], row["raw_text"]) == (
            m["document_id"], m["sentence"], m["raw_text"])
        assert row["expectation"] == "fact_value_range_cny"
        assert "unit slip" in row["reason"] and fact["fact_id"] in row["reason"]
    doc = json.loads(res.report_path.read_text())
    assert doc["passed"] is True and len(doc["quarantine_rows"]) == 2
    shares = {o["expectation"]: o for o in doc["expectations"] if o["suite"] == "quarantine"}
    assert shares["quarantine_mention_share"]["success"] is True
    assert shares["quarantine_mention_share"]["unexpected_count"] == 2
    assert shares["quarantine_page_share"]["unexpected_count"] == 2  # pages 001 and 003


def test_a_failing_fact_no_mention_states_blocks(gate: Callable[..., GateResult]) -> None:
    tables = good_build()
    tables["fct_investment"].append(fact_row(0, value=1.0))  # in no fct_mentions row
    res = gate(tables)
    f = find(res.blocking, "fact_value_range_cny", "fct_investment")
    assert "no mention in fct_mentions states fact(s) f_bulk_0" in f.hint
    assert not res.passed and not res.quarantine_rows


def test_many_bad_facts_are_systemic_and_block(gate: Callable[..., GateResult]) -> None:
    tables = good_build()
    every_yuan_slipped(tables)
    negative_value(tables)  # and one odd mention, which alone would be quarantined
    res = gate(tables)
    f = find(res.blocking, "fact_value_range_cny", "fct_investment")
    assert f.severity == "block" and f.unexpected_count == 12 and f.element_count == 12
    assert f.hint.startswith("systemic, not quarantined: 12 of 12 rows failed")
    assert "unit slip" in f.hint
    # nothing is set aside in a systemic run: the odd mention blocks with it
    odd = find(res.blocking, "mention_value_positive", "stg_landing__mentions")
    assert "not quarantined" in odd.hint
    assert res.passed is False and not res.quarantine_rows and res.quarantined == ()
    assert "BLOCKED" in res.summary_path.read_text()


def _page_spread(t: Tables) -> None:
    """One bad row on each of the three pages, each under its expectation's own limit."""
    offsets_off_by_one(t)  # m1, page 001
    negative_value(t)  # m3, page 002
    (fact,) = [f for f in t["fct_investment"] if f["indicator_id"] == "industrial_investment"]
    fact["value"] = 1.0  # m6, page 003


def _mention_spread(t: Tables) -> None:
    """Four bad mentions on two pages, each expectation failing one row."""
    offsets_off_by_one(t)  # m1
    percent_out_of_range(t)  # m2
    negative_value(t)  # m3
    year_as_amount(t)  # m4


@pytest.mark.parametrize("mutate, check, n, total", [
    (_mention_spread, ("quarantine_mention_share", "stg_landing__mentions"), 4, 6),
    (_page_spread, ("quarantine_page_share", "stg_landing__documents"), 3, 3),
], ids=["mentions", "pages"])
def test_a_run_quarantining_too_many_mentions_or_pages_is_systemic_and_blocks(
        gate: Callable[..., GateResult], mutate: Callable[[Tables], None],
        check: tuple[str, str], n: int, total: int) -> None:
    tables = good_build()
    mutate(tables)
    res = gate(tables)
    f = find(res.blocking, *check)
    assert f.unexpected_count == n and f.element_count == total
    assert "systemic" in f.hint and f.examples
    assert all(ex["url"].startswith("https://") for ex in f.examples)
    assert res.passed is False and not res.quarantine_rows and res.quarantined == ()
    assert all("not quarantined" in b.hint for b in res.blocking if b.suite != "quarantine")
    summary = res.summary_path.read_text()
    assert "BLOCKED" in summary and check[0] in summary


def test_quarantine_shares_come_from_gate_yml(gate: Callable[..., GateResult],
                                              tmp_path: Path) -> None:
    cfg = yaml.safe_load(DEFAULT_CONFIG.read_text())
    cfg["thresholds"]["quarantine_min_pages"] = 3
    path = tmp_path / "gate.yml"
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True))
    tables = good_build()
    _page_spread(tables)
    res = gate(tables, config=path)
    assert res.passed, res.summary_path.read_text()
    assert sorted((r["mention_id"], r["expectation"]) for r in res.quarantine_rows) == [
        ("m1", "mention_raw_text_matches_slice"), ("m3", "mention_value_positive"),
        ("m6", "fact_value_range_cny")]


def test_a_mention_failing_twice_is_quarantined_once(gate: Callable[..., GateResult]) -> None:
    tables = good_build()
    negative_value(tables)  # m3 (45 new enterprises) now -45 ...
    (fact,) = [f for f in tables["fct_output"] if f["unit"] == "count"]
    fact["value"] = -45.0  # ... and so is the fact it states
    res = gate(tables)
    assert res.passed, res.summary_path.read_text()
    assert find(res.quarantined, "fact_value_range_count", "fct_output")
    assert [(r["mention_id"], r["expectation"]) for r in res.quarantine_rows] == [
        ("m3", "mention_value_positive")]  # the first layer that caught it names it


def test_raw_text_slice_mismatch_example(gate: Callable[..., GateResult]) -> None:
    tables = good_build()
    offsets_off_by_one(tables)
    res = gate(tables)
    (ex,) = find(res.quarantined, "mention_raw_text_matches_slice",
                 "stg_landing__mentions").examples
    assert ex["mention_id"] == "m1" and ex["raw_text"] == "120亿元"
    assert ex["text_slice"] == "20亿元，"
    assert ex["sentence"].startswith("2023年") and ex["url"].endswith("/001.html")


# ----------------------------------------------------------------- row-count collapse


def _published_with(tmp_path: Path, n_investment: int) -> Path:
    tables = good_build()
    tables["fct_investment"] = [fact_row(i) for i in range(n_investment)]
    return write_build(tmp_path / "published.duckdb", tables)


def test_collapse_vs_published_blocks(gate: Callable[..., GateResult], tmp_path: Path) -> None:
    published = _published_with(tmp_path, 40)  # build has 2 investment facts: 2 < 0.5 * 40
    before = file_digest(published)
    res = gate(published=published)
    f = find(res.blocking, "fact_row_count_not_collapsed", "row_counts")
    assert f.unexpected_count == 1  # one table collapsed
    (ex,) = f.examples
    assert ex == {"table_name": "fct_investment", "build_rows": 2, "min_rows": 20,
                  "published_rows": 40}
    gx = gx_outcome(res, "row_counts", "fact_row_count_not_collapsed")
    assert gx["success"] is False and gx["result"]["unexpected_count"] == 1
    # the gate only reads the published file: a blocked run leaves it byte-identical
    assert file_digest(published) == before


@pytest.mark.parametrize("n_published", [3, 4, 9])  # 2 >= 0.5*4; 3 and 9 are below the floor
def test_no_collapse_when_close_or_small(gate: Callable[..., GateResult], tmp_path: Path,
                                         n_published: int) -> None:
    res = gate(published=_published_with(tmp_path, n_published))
    assert res.passed, res.summary_path.read_text()


def test_blocked_run_leaves_published_warehouse_identical(
        gate: Callable[..., GateResult], tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    publish(write_build(tmp_path / "first.duckdb", good_build()), warehouse)
    before = file_digest(warehouse)
    tables = good_build()
    every_yuan_slipped(tables)
    res = gate(tables, published=warehouse)
    assert not res.passed
    # what the pipeline does: publish only when the gate passed
    if res.passed:  # pragma: no cover
        publish(tmp_path / "build1.duckdb", warehouse)
    assert file_digest(warehouse) == before


# ----------------------------------------------------------------- config controls severity


def test_severity_comes_from_gate_yml(gate: Callable[..., GateResult], tmp_path: Path) -> None:
    cfg = yaml.safe_load(DEFAULT_CONFIG.read_text())
    for e in cfg["suites"]["facts"]["expectations"]:
        if e["name"] == "fact_region_known":
            e["severity"] = "warn"
    path = tmp_path / "gate.yml"
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True))
    tables = good_build()
    orphan_region(tables)
    res = gate(tables, config=path)
    assert res.passed
    assert find(res.warnings, "fact_region_known", "fct_output").unexpected_count == 1


def test_threshold_comes_from_gate_yml(gate: Callable[..., GateResult], tmp_path: Path) -> None:
    cfg = yaml.safe_load(DEFAULT_CONFIG.read_text())
    cfg["thresholds"]["collapse_ratio"] = 0.01
    path = tmp_path / "gate.yml"
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True))
    res = gate(published=_published_with(tmp_path, 40), config=path)
    assert res.passed, res.summary_path.read_text()


def test_missing_table_blocks(gate: Callable[..., GateResult], tmp_path: Path) -> None:
    tables: dict[str, Any] = good_build()
    del tables["fct_compute"]
    res = gate(tables)
    assert not res.passed
    f = find(res.blocking, "table_readable", "fct_compute")
    assert f.unexpected_count is None and f.error


def test_cli_exit_codes(tmp_path: Path) -> None:
    import subprocess
    import sys

    from ingest.config import PROJECT_ROOT

    tables = good_build()
    every_yuan_slipped(tables)
    bad = write_build(tmp_path / "bad.duckdb", tables)
    good = write_build(tmp_path / "good.duckdb", good_build())
    for db, code in ((good, 0), (bad, 3)):
        out = subprocess.run([sys.executable, "-m", "ingest.gate.run", "run", str(db),
                              str(tmp_path / f"r_{db.stem}")], cwd=PROJECT_ROOT,
                             capture_output=True, text=True, check=False)
        assert out.returncode == code, out.stdout + out.stderr
    assert "fact_value_range_cny" in (tmp_path / "r_bad" / "summary.txt").read_text()


def test_a_writer_holding_the_published_file_is_reported_as_a_lock(
        gate: Callable[..., GateResult], tmp_path: Path) -> None:
    """It was reported as "did dbt build run?"."""
    import subprocess
    import sys

    published = _published_with(tmp_path, 2)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time\n"
         "con = duckdb.connect(sys.argv[1])\nprint('held', flush=True)\ntime.sleep(120)\n",
         str(published)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        res = gate(published=published)
    finally:
        holder.kill()
        holder.wait()
    f = find(res.blocking, "table_readable", "row_counts")
    assert "another process holds the file read-write" in f.hint
    assert f.error and "lock" in f.error.lower()
