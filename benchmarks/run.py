"""zonewatch benchmarks: `python -m benchmarks.run [--quick] [--profile N]` (`make bench`).

a. Extraction throughput on one core for generated pages (1,000 and 10,000; `--quick`:
   100 and 1,000): `ingest.process.page.process_page` itself, with its stages (decode, parse,
   normalise, extract) timed by wrapping the functions it calls, against the floor
   measured in the same run over the same bytes: `lxml.html.fromstring(raw)` +
   `text_content()`, and the peer: trafilatura's `extract` with its defaults (main text)
   on the same bytes, when the `bench` dependency group is installed (`make bench`
   installs it). The process is pinned to one CPU while this runs.
b. `ingest.gate.run.run_gate` on a synthetic build copy with 100,000 mentions and 20,000
   facts (`--quick`: 10,000 / 2,000), built by `benchmarks.buildcopy`.
c. Fetching from a local 127.0.0.1 server at 50 req/s per host (1,000 pages;
   `--quick`: 200): `crawl_source` cold and with every page unchanged
   (`benchmarks.fetch_bench.bench_fetch`), and the pipeline's own steps (fetch+land,
   process, dbt build, gate, publish) run three times over the same generated pages
   (`bench_pipeline`: cold; unchanged, within the default revisit window; and with
   `revisit_after_hours: 0`, every page a 304). `--skip-fetch` skips both.
d. Publishing a 256 MiB build copy (`--quick`: 64): rename against the copy it replaced,
   same file, same run (`benchmarks.publish_bench`).
e. Peak RSS (getrusage) after each part.

Prints a table and writes benchmarks/out/results.json. `--profile N` also runs
cProfile over process_page on the first N pages and prints the top functions.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import hashlib
import io
import json
import os
import platform
import pstats
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.generate import iter_corpus, write_corpus

__all__ = ["bench_extraction", "bench_gate", "profile_extraction", "peak_rss_mb", "main"]

OUT_DIR = Path(__file__).resolve().parent / "out"
STAGES = ("decode", "parse", "normalise", "extract")
# ingest.process.page's module-level names for each stage (what process_page calls)
_STAGE_FUNCS = {"decode": "decode", "parse": "parse", "normalise": "normalise",
                "extract": "extract_mentions"}


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far (Linux reports KiB)."""
    ru = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(ru / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)


@contextlib.contextmanager
def one_core() -> Iterator[int | None]:
    """Pin this process to a single CPU (restored afterwards) where the OS allows it."""
    if not hasattr(os, "sched_getaffinity"):
        yield None
        return
    before = os.sched_getaffinity(0)
    cpu = max(before)
    try:
        os.sched_setaffinity(0, {cpu})
    except OSError:
        yield None
        return
    try:
        yield cpu
    finally:
        os.sched_setaffinity(0, before)


@contextlib.contextmanager
def instrumented(acc: dict[str, float]) -> Iterator[None]:
    """Time the stages process_page runs by wrapping the names it looks up in
    ingest.process.page; `acc[stage]` accumulates seconds. Restored on exit."""
    import ingest.process.page as proc

    saved = {name: getattr(proc, name) for name in _STAGE_FUNCS.values()}

    def wrap(stage: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        clock = time.perf_counter

        def timed(*args: Any, **kwargs: Any) -> Any:
            t = clock()
            try:
                return fn(*args, **kwargs)
            finally:
                acc[stage] += clock() - t
        return timed

    try:
        for stage, name in _STAGE_FUNCS.items():
            setattr(proc, name, wrap(stage, saved[name]))
        yield
    finally:
        for name, fn in saved.items():
            setattr(proc, name, fn)


def _raw_page(row: dict[str, Any], body: bytes) -> Any:
    from ingest.landing.store import RawPage

    return RawPage(sha256=hashlib.sha256(body).hexdigest(), url=row["url"], source="bench",
                   fetched_at=datetime(2025, 7, 1), http_status=200, headers={},
                   size=len(body), path=Path(row["path"]), sidecar=None)


def _fact_key(indicator: str, value: float, unit: str) -> tuple[str, float, str]:
    return indicator, round(value, 4), unit


def bench_extraction(corpus_dir: str | Path, n: int, *, warmup: int = 20,
                     pin: bool = True) -> dict[str, Any]:
    """process_page over the first `n` pages of a generated corpus, and the lxml floor.

    Pages are read from disk one at a time (read time is reported, not counted);
    the floor and the full path run back to back on the same bytes. The first
    `warmup` pages are processed once, untimed, before the timed pass (lexicons,
    OpenCC and parse rules load on first use; that cold start is reported apart).
    """
    import lxml.html

    from ingest.process.page import process_page

    peer = _trafilatura_extract()
    acc = dict.fromkeys(STAGES, 0.0)
    ours = floor = read = peer_s = 0.0
    pages = size = mentions = rejected = known = recovered = 0
    clock = time.perf_counter
    ctx = one_core() if pin else contextlib.nullcontext()
    with ctx as cpu:
        cold = None
        for row in iter_corpus(corpus_dir, limit=min(warmup, n)):
            body = Path(row["path"]).read_bytes()
            t = clock()
            process_page(_raw_page(row, body), body)
            lxml.html.fromstring(body).text_content()
            cold = clock() - t if cold is None else cold
            if peer is not None:
                peer(body)
        with instrumented(acc):
            for row in iter_corpus(corpus_dir, limit=n):
                t0 = clock()
                body = Path(row["path"]).read_bytes()
                raw = _raw_page(row, body)
                t1 = clock()
                lxml.html.fromstring(body).text_content()
                t2 = clock()
                res = process_page(raw, body)
                t3 = clock()
                if peer is not None:
                    peer(body)
                    peer_s += clock() - t3
                read += t1 - t0
                floor += t2 - t1
                ours += t3 - t2
                pages += 1
                size += len(body)
                mentions += len(res.mentions)
                rejected += res.reject_reason is not None
                # Generator sanity: known facts found (indicator, value, unit).
                want = Counter(_fact_key(f["indicator_id"], f["value"], f["unit"])
                               for f in row["facts"])
                got = Counter(_fact_key(m["indicator_id"], m["value"], m["unit"])
                              for m in res.mentions)
                known += sum(want.values())
                recovered += sum((want & got).values())
    if pages == 0:
        raise ValueError(f"no pages in {corpus_dir}")
    stage_ms = {s: round(1000 * acc[s] / pages, 3) for s in STAGES}
    stage_ms["other"] = round(1000 * (ours - sum(acc.values())) / pages, 3)
    return {
        "pages": pages, "bytes": size, "kb_per_page": round(size / pages / 1024, 1),
        "cpu": cpu,
        "seconds": round(ours, 3), "pages_per_s": round(pages / ours, 1),
        "ms_per_page": round(1000 * ours / pages, 3),
        "floor_seconds": round(floor, 3), "floor_pages_per_s": round(pages / floor, 1),
        "floor_ms_per_page": round(1000 * floor / pages, 3),
        "ratio_to_floor": round(ours / floor, 1),
        # the peer (None: trafilatura not installed); >= 1.0 means process_page is faster
        "trafilatura_pages_per_s": round(pages / peer_s, 1) if peer_s else None,
        "speed_vs_trafilatura": round(peer_s / ours, 2) if peer_s else None,
        "stage_ms_per_page": stage_ms,
        "read_ms_per_page": round(1000 * read / pages, 3),
        "cold_start_s": round(cold or 0.0, 3),
        "mentions": mentions, "mentions_per_page": round(mentions / pages, 2),
        "rejected_pages": rejected,
        "known_facts": known,
        "known_facts_found_share": round(recovered / known, 4) if known else None,
        "peak_rss_mb": peak_rss_mb(),
    }


def _trafilatura_extract() -> Callable[[bytes], Any] | None:
    """trafilatura's main-text `extract` as the peer, or None when it is not installed."""
    try:
        import trafilatura
    except ImportError:
        return None

    def extract(body: bytes) -> Any:
        return trafilatura.extract(body)

    return extract


def bench_gate(workdir: str | Path, n_mentions: int, n_facts: int) -> dict[str, Any]:
    """Build a synthetic build copy of this size and time ingest.gate.run.run_gate on it."""
    from benchmarks.buildcopy import build_copy
    from ingest.gate.run import run_gate

    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    db = workdir / "build.duckdb"
    t = time.perf_counter()
    counts = build_copy(db, n_mentions=n_mentions, n_facts=n_facts)
    t_build = time.perf_counter() - t
    report = workdir / "gate_report"
    shutil.rmtree(report, ignore_errors=True)
    t = time.perf_counter()
    res = run_gate(db, report)
    seconds = time.perf_counter() - t
    facts = sum(counts[k] for k in ("fct_investment", "fct_output", "fct_compute"))
    read_seconds = None
    with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
        read_seconds = json.loads(res.report_path.read_text(encoding="utf-8"))["read_seconds"]
    return {
        "mentions": counts["stg_landing__mentions"], "facts": facts,
        "documents": counts["stg_landing__documents"], "rows": counts,
        "db_mb": round(db.stat().st_size / 2**20, 1),
        "build_copy_seconds": round(t_build, 2),
        "seconds": round(seconds, 2), "gate_reported_seconds": res.seconds,
        "gate_read_seconds": read_seconds,
        "target_seconds": 30, "within_target": seconds < 30,
        "passed": res.passed, "expectations_run": res.expectations_run,
        "failures": [f"{f.severity}: {f.table}.{f.expectation} ({f.unexpected_count})"
                     for f in (*res.blocking, *res.warnings)],
        "peak_rss_mb": peak_rss_mb(),
    }


def profile_extraction(corpus_dir: str | Path, n: int, top: int = 25) -> str:
    """cProfile over process_page on the first `n` pages (after a warm-up page)."""
    from ingest.process.page import process_page

    rows = list(iter_corpus(corpus_dir, limit=n))
    bodies = [Path(r["path"]).read_bytes() for r in rows]
    raws = [_raw_page(r, b) for r, b in zip(rows, bodies, strict=True)]
    process_page(raws[0], bodies[0])
    prof = cProfile.Profile()
    prof.enable()
    for raw, body in zip(raws, bodies, strict=True):
        process_page(raw, body)
    prof.disable()
    out = io.StringIO()
    st = pstats.Stats(prof, stream=out)
    st.sort_stats("tottime").print_stats(top)
    st.sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def _loadavg() -> list[float] | None:
    """1/5/15-minute load: other work on the machine makes the figures noisier."""
    with contextlib.suppress(OSError):
        return [round(x, 2) for x in os.getloadavg()]
    return None


def _env() -> dict[str, Any]:
    import lxml.etree

    cpu = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    commit = None
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True, timeout=5, cwd=Path(__file__).parent).stdout.strip()
    return {"python": platform.python_version(), "platform": platform.platform(),
            "cpu": cpu, "cpus": os.cpu_count(), "lxml": ".".join(map(str, lxml.etree.LXML_VERSION)),
            "git_commit": commit or None}


def _table(results: dict[str, Any]) -> str:
    lines = []
    ex = results["extraction"]
    lines.append("Extraction (one core; process_page vs lxml.html.fromstring + text_content)")
    hdr = (f"{'pages':>7} {'KB/pg':>6} {'pages/s':>8} {'ms/pg':>7} {'lxml pg/s':>10} "
           f"{'lxml ms':>8} {'x floor':>8} {'decode':>7} {'parse':>7} {'normal.':>7} "
           f"{'extract':>7} {'other':>6} {'ment/pg':>7} {'found':>6} {'RSS MB':>7}")
    lines += [hdr, "-" * len(hdr)]
    for r in ex:
        s = r["stage_ms_per_page"]
        found = r["known_facts_found_share"]
        lines.append(
            f"{r['pages']:>7} {r['kb_per_page']:>6} {r['pages_per_s']:>8} {r['ms_per_page']:>7}"
            f" {r['floor_pages_per_s']:>10} {r['floor_ms_per_page']:>8}"
            f" {r['ratio_to_floor']:>8} {s['decode']:>7} {s['parse']:>7} {s['normalise']:>7}"
            f" {s['extract']:>7} {s['other']:>6} {r['mentions_per_page']:>7}"
            f" {'' if found is None else f'{found:.1%}':>6} {r['peak_rss_mb']:>7}")
    lines.append("(stage columns: ms per page; x floor = our time / lxml-only time; found = "
                 "generated facts recovered by indicator+value+unit)")
    for r in ex:
        if r.get("trafilatura_pages_per_s") is None:
            lines.append(f"peer, {r['pages']} pages: trafilatura not installed (`make bench` "
                         "installs the bench group)")
        else:
            lines.append(f"peer, {r['pages']} pages: trafilatura.extract "
                         f"{r['trafilatura_pages_per_s']} pages/s; process_page "
                         f"{r['pages_per_s']} pages/s = {r['speed_vs_trafilatura']}x the peer "
                         "(>= 1.0: faster)")
    g = results.get("gate")
    lines.append("")
    lines += ["Gate: skipped"] if g is None else _gate_lines(g)
    f = results.get("fetch")
    if f:
        lines += ["", f"Fetch ({f['pages']} pages, {f['rate_per_s']} req/s per host, "
                  f"{f['concurrency']} in flight; expected {f['expected_s']} s)"]
        for label in ("cold", "unchanged"):
            r = f[label]
            lines.append(f"  {label:<9} fetch {r['fetch_s']:>6} s ({r['achieved_req_per_s']} req/s,"
                         f" {r['served_304']} x 304, {r['body_bytes_served']} body bytes); "
                         f"land {r['ingest_s']} s, {r['landed_new']} new raw pages")
    if results.get("pipeline_fetch"):
        from benchmarks.fetch_bench import format_pipeline

        lines += ["", format_pipeline(results["pipeline_fetch"])]
    if results.get("publish"):
        from benchmarks.publish_bench import format_publish

        lines += ["", format_publish(results["publish"])]
    if results.get("gx_routes"):
        from benchmarks.gx_routes import format_table

        lines += ["", "GX routes on DuckDB (why the gate validates pandas frames):",
                  format_table(results["gx_routes"])]
    lines.append("")
    lines.append(f"corpus: {results['corpus']['pages']} pages generated in "
                 f"{results['corpus']['seconds']} s; total wall {results['wall_seconds']} s")
    return "\n".join(lines)


def _gate_lines(g: dict[str, Any]) -> list[str]:
    lines = ["Gate (ingest.gate.run.run_gate on a synthetic build copy)"]
    lines.append(f"  {g['mentions']} mentions, {g['facts']} facts, {g['documents']} documents "
                 f"({g['db_mb']} MB): {g['seconds']} s (target < {g['target_seconds']} s: "
                 f"{'ok' if g['within_target'] else 'MISSED'}; reading tables "
                 f"{g['gate_read_seconds']} s); passed={g['passed']}, "
                 f"{g['expectations_run']} expectations; build copy written in "
                 f"{g['build_copy_seconds']} s; peak RSS {g['peak_rss_mb']} MB")
    for f in g["failures"]:
        lines.append(f"  failure: {f}")
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split(
        "\n\n")[0])
    ap.add_argument("--quick", action="store_true",
                    help="smoke sizes: 100 and 1,000 pages, 10,000 mentions")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--workdir", type=Path, default=None,
                    help="where the corpus and build copy go (default: a temp dir, removed)")
    ap.add_argument("--out", type=Path, default=OUT_DIR / "results.json")
    ap.add_argument("--profile", type=int, default=0, metavar="N",
                    help="also cProfile process_page on the first N pages")
    ap.add_argument("--skip-fetch", action="store_true",
                    help="skip the fetch and pipeline-from-a-local-server benchmarks")
    ap.add_argument("--skip-gate", action="store_true")
    args = ap.parse_args(argv)

    sizes = (100, 1000) if args.quick else (1000, 10000)
    gate_mentions, gate_facts = (10_000, 2_000) if args.quick else (100_000, 20_000)
    t_start = time.perf_counter()
    tmp = None
    if args.workdir is None:
        tmp = tempfile.TemporaryDirectory(prefix="zonewatch-bench-")
        workdir = Path(tmp.name)
    else:
        workdir = args.workdir
        workdir.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {"mode": "quick" if args.quick else "full",
                               "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
                               "env": _env(), "seed": args.seed,
                               "loadavg_start": _loadavg()}
    try:
        corpus = workdir / "corpus"
        n_max = max(sizes, default=0)
        n_gen = max(n_max, args.profile)
        print(f"generating {n_gen} pages …", file=sys.stderr, flush=True)
        t = time.perf_counter()
        summary = write_corpus(corpus, n_gen, args.seed)
        summary["seconds"] = round(time.perf_counter() - t, 2)
        summary.pop("dir")
        results["corpus"] = summary

        results["extraction"] = []
        for n in sizes:
            print(f"extraction: {n} pages …", file=sys.stderr, flush=True)
            results["extraction"].append(bench_extraction(corpus, n))

        if not args.skip_gate:
            print(f"gate: {gate_mentions} mentions …", file=sys.stderr, flush=True)
            results["gate"] = bench_gate(workdir, gate_mentions, gate_facts)
            print(f"GX routes: {gate_mentions} mentions …", file=sys.stderr, flush=True)
            from benchmarks.gx_routes import compare_routes

            results["gx_routes"] = compare_routes(gate_mentions, repeat=1)
        if not args.skip_fetch:
            n_fetch = 200 if args.quick else 1000
            print(f"fetch: {n_fetch} pages at 50 req/s from 127.0.0.1 …", file=sys.stderr,
                  flush=True)
            from benchmarks.fetch_bench import bench_fetch

            results["fetch"] = bench_fetch(n_fetch, 50.0)
            print(f"pipeline: {n_fetch} pages at 50 req/s from 127.0.0.1, 3 runs (fetch, "
                  f"process, dbt, gate, publish) …", file=sys.stderr, flush=True)
            from benchmarks.fetch_bench import bench_pipeline

            results["pipeline_fetch"] = bench_pipeline(n_fetch, 50.0, seed=args.seed)
        from benchmarks.publish_bench import bench_publish

        print("publish: rename against copy …", file=sys.stderr, flush=True)
        results["publish"] = bench_publish(64 if args.quick else 256)
        results["peak_rss_mb"] = peak_rss_mb()
        results["loadavg_end"] = _loadavg()
        results["wall_seconds"] = round(time.perf_counter() - t_start, 1)
        if args.profile:
            print(f"profiling {args.profile} pages …", file=sys.stderr, flush=True)
            results["profile_pages"] = args.profile
            prof = profile_extraction(corpus, args.profile)
    finally:
        if tmp is not None:
            tmp.cleanup()

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n",
                        encoding="utf-8")
    print(_table(results))
    print(f"\nresults: {args.out}")
    if args.profile:
        (args.out.parent / "profile.txt").write_text(prof, encoding="utf-8")
        print(f"\ncProfile over {args.profile} pages (also in {args.out.parent / 'profile.txt'}):")
        print(prof)
    return 0


if __name__ == "__main__":
    sys.exit(main())
