"""Smoke test for benchmarks/: the generator writes pages whose facts the extractor
finds, and the extraction benchmark returns figures. No timing assertions."""

from __future__ import annotations

from pathlib import Path

from benchmarks.generate import MANIFEST, iter_corpus, make_page, write_corpus
from benchmarks.run import STAGES, bench_extraction


def test_generator_is_deterministic() -> None:
    a, b = make_page(7, 3), make_page(7, 3)
    assert a.body == b.body and a.facts == b.facts
    assert make_page(7, 4).body != a.body


def test_extraction_bench_on_five_generated_pages(tmp_path: Path) -> None:
    summary = write_corpus(tmp_path, 5, seed=1)
    assert summary["pages"] == 5
    assert (tmp_path / MANIFEST).is_file()
    rows = list(iter_corpus(tmp_path))
    assert len(rows) == 5 and all(Path(r["path"]).is_file() for r in rows)

    res = bench_extraction(tmp_path, 5, warmup=1, pin=False)
    assert res["pages"] == 5
    for key in ("pages_per_s", "seconds", "floor_pages_per_s", "floor_seconds",
                "ratio_to_floor", "ms_per_page", "floor_ms_per_page", "peak_rss_mb"):
        assert res[key] > 0, key
    assert all(res["stage_ms_per_page"][s] > 0 for s in STAGES)
    assert res["rejected_pages"] == 0
    # The generator's facts are extractable: at least one mention per page on average.
    assert res["mentions"] >= 5


def test_scale_bench_runs_a_small_size_end_to_end(tmp_path: Path) -> None:
    # The scale benchmark's whole path (generate, serve from 127.0.0.1, full / +1% / +0
    # runs, analysis, table) on 40 pages, so `make bench` cannot rot unnoticed.
    from benchmarks.scale import analyse, format_table, run_size

    res = run_size(40, workdir=tmp_path)
    runs = res["runs"]
    assert [runs[r]["error"] for r in ("full", "plus1pct", "plus0")] == [None, None, None]
    assert runs["full"]["fetch"]["landed_new"] == 40
    assert runs["plus1pct"]["fetch"]["landed_new"] == 1  # 1% of 40, at least one page
    assert runs["plus1pct"]["fetch"]["article_requests_served"] == 1  # old pages not re-asked
    assert runs["plus0"]["fetch"]["landed_new"] == 0
    assert runs["plus1pct"]["build"]["incremental"] is True
    # nothing new: as `zonewatch run` does, no build, no gate, no publish
    assert "nothing new since the published warehouse" in runs["plus0"]["unchanged"]
    assert "build" not in runs["plus0"] and runs["plus0"]["seconds"]["gate"] is None
    doc = {"results": [res], "analysis": analyse([res])}
    assert "Full run" in format_table(doc)


def test_publish_bench_times_both_ways_on_the_same_file() -> None:
    from benchmarks.publish_bench import bench_publish, format_publish

    res = bench_publish(mb=2, repeat=1)
    assert res["file_mb"] > 1
    assert res["rename_s"] > 0 and res["copy_s"] > 0
    assert "x the rename" in format_publish(res)
