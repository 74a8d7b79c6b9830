"""Scale benchmark: `python -m benchmarks.scale --sizes 1000,10000[,100000]` (`make bench-scale`).

For each size N, in a fresh subprocess (so its peak RSS is its own):

1. generate N pages (benchmarks.generate.make_page; each states at least one fact, unique
   URL paths) to disk, one page in memory at a time, with a small index file;
2. serve them from 127.0.0.1 with fetch_bench's server, run in its own child process and
   reading each page from disk on request (so neither its CPU nor its memory is counted
   as the pipeline's);
3. run the pipeline steps (ingest.pipeline: fetch+land, process, dbt build, gate,
   publish) from a `kind: urls` sources file, each step timed:
   * `full`   -- all N pages (cold workdir);
   * `+1%`    -- N/100 new pages added to the server and the sources file; default
     revisit window, so the N old pages are not asked for again;
   * `+0`     -- the same again with nothing new: the fixed overhead of a re-run (as
     `zonewatch run` does, it checks `pipeline.nothing_new` and skips dbt, gate and
     publish; the dbt column is that check).

The sources file sets a high rate limit (2000 req/s per host, 8 in flight): this
measures the pipeline's own cost, not the politeness delay a real source gets.

The 1% re-run is judged by (re-run - fixed) / (full - fixed) per stage, where fixed is
the `+0` run's time; ideally about 0.01.

Prints a table and writes benchmarks/out/scale.json. The parent watches each size's
process and stops it when the RSS of it and its process-step workers (summed; the page
server is not counted) passes --max-rss-mb (default 2048) or it runs past --timeout
seconds. "peak RSS" in the table is the size's process alone (getrusage); "all procs"
is that sampled sum's peak.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

OUT_DIR = Path(__file__).resolve().parent / "out"
INDEX = "index.tsv"  # url path \t file name \t content type \t etag
RATE_LIMIT = 2000.0
CONCURRENCY = 8
STEPS = ("fetch_land", "process", "dbt", "gate", "publish")
STEP_LABELS = {"fetch_land": "fetch+land", "process": "process", "dbt": "dbt build",
               "gate": "gate", "publish": "publish"}
RUNS = ("full", "plus1pct", "plus0")
RUN_LABELS = {"full": "full", "plus1pct": "+1%", "plus0": "+0"}


def _rss_mb() -> float:
    """Current resident set size of this process (Linux /proc), MB."""
    with contextlib.suppress(OSError, ValueError, IndexError):
        pages = int(Path("/proc/self/statm").read_text().split()[1])
        return round(pages * os.sysconf("SC_PAGE_SIZE") / 2**20, 1)
    return -1.0


def _maxrss_mb(who: int) -> float:
    return round(resource.getrusage(who).ru_maxrss / 1024, 1)  # Linux: KiB


# ------------------------------------------------------------------ corpus on disk


class Corpus:
    """Generated pages written to `dir`, one at a time; `index.tsv` maps URL paths to files."""

    def __init__(self, dir: Path, seed: int = 0) -> None:
        self.dir = dir
        self.seed = seed
        self.next_i = 0  # next make_page index to try
        self.paths: set[str] = set()
        self.pages = self.facts = self.bytes = self.gbk = 0
        dir.mkdir(parents=True, exist_ok=True)
        (dir / INDEX).touch()

    def add(self, n: int, host_base: str | None = None) -> list[str]:
        """Generate `n` more pages (each with a fact, a URL path not used yet); return
        their URL paths. The index is appended after each page, so a server reading it
        sees the page once it is complete on disk."""
        from benchmarks.generate import make_page

        new: list[str] = []
        with (self.dir / INDEX).open("a", encoding="utf-8") as index:
            while len(new) < n:
                page = make_page(self.seed, self.next_i)
                self.next_i += 1
                path = urlsplit(page.url).path
                if not page.facts or path in self.paths:
                    continue
                self.paths.add(path)
                name = f"{self.next_i - 1:07d}.html"
                (self.dir / name).write_bytes(page.body)
                etag = f'"{hashlib.sha256(page.body).hexdigest()[:16]}"'
                index.write(f"{path}\t{name}\ttext/html; charset={page.encoding}\t{etag}\n")
                self.pages += 1
                self.facts += len(page.facts)
                self.bytes += len(page.body)
                self.gbk += page.encoding == "gbk"
                new.append(path)
        return new

    def summary(self) -> dict[str, Any]:
        return {"pages": self.pages, "facts": self.facts, "bytes": self.bytes,
                "gbk_pages": self.gbk, "generated_tried": self.next_i, "seed": self.seed}


class DiskPages:
    """A read-through mapping for fetch_bench's server: URL path -> _SitePage, read from
    disk on each request. New lines in the index are picked up on a miss."""

    def __init__(self, dir: Path, counts: Any) -> None:
        self.dir = dir
        self.counts = counts
        self.lock = threading.Lock()
        self.files: dict[str, tuple[str, str, str]] = {}
        self.offset = 0
        self._reload()

    def _reload(self) -> None:
        with self.lock, (self.dir / INDEX).open("rb") as f:
            f.seek(self.offset)
            data = f.read()
            end = data.rfind(b"\n") + 1
            for line in data[:end].decode("utf-8").splitlines():
                path, name, ctype, etag = line.split("\t")
                self.files[path] = (name, ctype, etag)
            self.offset += end

    def get(self, path: str) -> Any:
        from benchmarks.fetch_bench import _SitePage

        if path == "/__stats":
            body = json.dumps({**self.counts.snapshot(), "pages": len(self.files),
                               "server_peak_rss_mb": _maxrss_mb(resource.RUSAGE_SELF)}).encode()
            return _SitePage(body, "application/json", f'"{time.monotonic_ns()}"')
        hit = self.files.get(path)
        if hit is None and not path.endswith("robots.txt"):
            self._reload()
            hit = self.files.get(path)
        if hit is None:
            return None
        name, ctype, etag = hit
        return _SitePage((self.dir / name).read_bytes(), ctype, etag)


def serve(corpus_dir: Path) -> None:
    """The server process: fetch_bench's server over DiskPages; prints its port."""
    from benchmarks.fetch_bench import _site_server, _SiteCounts

    counts = _SiteCounts()
    httpd = _site_server(DiskPages(corpus_dir, counts), counts)  # type: ignore[arg-type]
    print(httpd.server_address[1], flush=True)
    try:
        httpd.serve_forever(poll_interval=0.05)
    except KeyboardInterrupt:
        pass
    finally:
        httpd.server_close()


def _server_stats(base: str) -> dict[str, Any]:
    import urllib.request

    with urllib.request.urlopen(base + "/__stats", timeout=10) as r:  # noqa: S310 (local)
        return json.loads(r.read())


def _sources_yaml(path: Path, base: str, url_paths: list[str]) -> float:
    """Write the sources file (streamed); return seconds spent."""
    t = time.perf_counter()
    with path.open("w", encoding="utf-8") as f:
        f.write("sources:\n  - name: bench_scale\n    kind: urls\n    allow_private: true\n"
                f"    allowed_hosts: [127.0.0.1]\n    rate_limit: {RATE_LIMIT}\n"
                f"    concurrency: {CONCURRENCY}\n    urls:\n")
        for p in url_paths:
            f.write(f"      - {base}{p}\n")
    return time.perf_counter() - t


# ------------------------------------------------------------------ one size, one process


def _run_steps(label: str, sources: Path, workdir: Path, base: str,
               say: Callable[[str], None]) -> dict[str, Any]:
    from ingest import pipeline
    from ingest.config import RunConfig
    from ingest.pipeline import BuildFailed, GateBlocked

    cfg = RunConfig.create(workdir=workdir, sources_file=sources, run_id=f"scale-{label}")
    quiet = lambda m: None if m.startswith("process:") else say(m)  # noqa: E731
    out: dict[str, Any] = {"run": label, "error": None}
    out["seconds"] = dict.fromkeys(STEPS)
    out["rss_after_mb"] = {}
    out["peak_rss_after_mb"] = {}
    before = _server_stats(base)
    clock = time.perf_counter
    t_run = clock()

    def step(name: str, fn: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        say(f"[{label}] {STEP_LABELS[name]} …")
        t = clock()
        res = fn()
        out["seconds"][name] = round(clock() - t, 3)
        out["rss_after_mb"][name] = _rss_mb()
        out["peak_rss_after_mb"][name] = _maxrss_mb(resource.RUSAGE_SELF)
        say(f"[{label}] {STEP_LABELS[name]}: {out['seconds'][name]} s, "
            f"RSS {out['rss_after_mb'][name]} MB (peak {out['peak_rss_after_mb'][name]})")
        return res

    land = step("fetch_land", lambda: pipeline.fetch_and_land_step(cfg, quiet).to_xcom())
    after = _server_stats(base)
    src = (land.get("sources") or [{}])[0]
    out["fetch"] = {k: src.get(k) for k in ("discovered", "skipped_fresh", "fetched",
                                            "not_modified", "errors", "seconds")}
    out["fetch"]["landed_new"] = land.get("landed_new")
    out["fetch"]["article_requests_served"] = after["article_requests"] - before[
        "article_requests"] - 1  # the /__stats request itself
    proc = step("process", lambda: pipeline.process_step(cfg, quiet).to_xcom())
    out["process"] = proc
    def build_unless_nothing_new() -> dict[str, Any]:
        # as `zonewatch run` does: nothing new since the published build, nothing to build
        why = pipeline.nothing_new(cfg)
        return {"unchanged": why} if why else pipeline.build_step(cfg, quiet).to_xcom()

    try:
        build = step("dbt", build_unless_nothing_new)
        if "unchanged" in build:  # the check's time is the dbt column's; no gate, no publish
            out["unchanged"] = build["unchanged"]
            out["seconds"]["gate"] = out["seconds"]["publish"] = None
        else:
            out["build"] = {"incremental": build["incremental"],
                            "new_staging_rows": build["new_staging_rows"]}
            gate = step("gate", lambda: pipeline.gate_step(cfg, quiet).to_xcom())
            out["gate"] = {k: gate[k] for k in ("passed", "warnings", "quarantined")}
            step("publish", lambda: pipeline.publish_step(cfg, quiet))
    except (BuildFailed, GateBlocked) as exc:
        out["error"] = f"{type(exc).__name__}: {str(exc).splitlines()[0][:300]}"
        say(f"[{label}] {out['error']}")
    out["end_to_end_s"] = round(clock() - t_run, 3)
    return out


def run_size(n: int, *, seed: int = 0, workdir: Path | None = None,
             say: Callable[[str], None] = lambda m: None,
             checkpoint: Callable[[dict[str, Any]], None] = lambda d: None) -> dict[str, Any]:
    """One size: generate, serve, full run, +1% run, +0 run (see module doc)."""
    tmp = tempfile.TemporaryDirectory(prefix=f"zw-scale-{n}-") if workdir is None else None
    wd = Path(tmp.name if tmp is not None else str(workdir))
    corpus_dir, pipe_dir = wd / "corpus", wd / "pipeline"
    pipe_dir.mkdir(parents=True, exist_ok=True)
    out: dict[str, Any] = {"pages": n, "new_pages": max(1, n // 100), "seed": seed,
                           "rate_limit": RATE_LIMIT, "concurrency": CONCURRENCY,
                           "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
                           "runs": {}}
    server = None
    try:
        t = time.perf_counter()
        corpus = Corpus(corpus_dir, seed)
        paths = corpus.add(n)
        out["generate_s"] = round(time.perf_counter() - t, 2)
        say(f"generated {n} pages in {out['generate_s']} s ({corpus.bytes / 2**20:.0f} MB)")
        server = subprocess.Popen([sys.executable, "-m", "benchmarks.scale", "--serve",
                                   str(corpus_dir)], stdout=subprocess.PIPE, text=True)
        assert server.stdout is not None
        base = f"http://127.0.0.1:{int(server.stdout.readline())}"
        sources = pipe_dir / "sources.yml"
        out["sources_yaml_s"] = round(_sources_yaml(sources, base, paths), 3)

        out["runs"]["full"] = _run_steps("full", sources, pipe_dir, base, say)
        checkpoint(out)
        t = time.perf_counter()
        paths += corpus.add(out["new_pages"])
        out["generate_new_s"] = round(time.perf_counter() - t, 2)
        _sources_yaml(sources, base, paths)
        out["runs"]["plus1pct"] = _run_steps("plus1pct", sources, pipe_dir, base, say)
        checkpoint(out)
        out["runs"]["plus0"] = _run_steps("plus0", sources, pipe_dir, base, say)
        checkpoint(out)
        out["corpus"] = corpus.summary()
        out["server"] = _server_stats(base)
        out["warehouse_mb"] = round((pipe_dir / "warehouse.duckdb").stat().st_size / 2**20, 1) \
            if (pipe_dir / "warehouse.duckdb").is_file() else None
        out["landing_mb"] = round((pipe_dir / "landing.duckdb").stat().st_size / 2**20, 1)
        # RUSAGE_CHILDREN: the largest reaped child (not a sum). dbt runs in-process
        # (dbtRunner); its spawn context starts a small resource tracker, and a child
        # forked from this process is charged the RSS it had at fork, before its exec.
        # Read before the server child is reaped (the server reports its own peak).
        out["children_peak_rss_mb"] = _maxrss_mb(resource.RUSAGE_CHILDREN)
        out["peak_rss_mb"] = _maxrss_mb(resource.RUSAGE_SELF)
    finally:
        if server is not None:
            server.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                server.wait(10)
        if tmp is not None:
            tmp.cleanup()
    return out


# ------------------------------------------------------------------ parent: all sizes


def _watch(n: int, args: argparse.Namespace, out_json: Path) -> dict[str, Any]:
    """Run one size in a fresh process; stop it past --max-rss-mb or --timeout."""
    cmd = [sys.executable, "-m", "benchmarks.scale", "--worker", str(n), "--seed",
           str(args.seed), "--result", str(out_json)]
    if args.workdir is not None:
        cmd += ["--workdir", str(args.workdir / f"n{n}")]
    proc = subprocess.Popen(cmd)
    t0 = time.monotonic()
    peak = 0.0
    stopped = None
    while proc.poll() is None:
        time.sleep(0.5)
        rss = _tree_rss_mb(proc.pid)
        peak = max(peak, rss)
        if rss > args.max_rss_mb:
            stopped = f"RSS {rss:.0f} MB > {args.max_rss_mb} MB"
        elif time.monotonic() - t0 > args.timeout:
            stopped = f"still running after {args.timeout} s"
        if stopped:
            print(f"scale {n}: stopping ({stopped})", file=sys.stderr, flush=True)
            proc.terminate()
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            break
    wall = round(time.monotonic() - t0, 1)
    if proc.returncode == 0 and out_json.is_file():
        res = json.loads(out_json.read_text(encoding="utf-8"))
    else:
        res = {"pages": n, "failed": stopped or f"exit status {proc.returncode}"}
        partial = out_json.with_suffix(".partial.json")
        if partial.is_file():
            res["partial"] = json.loads(partial.read_text(encoding="utf-8"))
    res["process_wall_s"] = wall
    res["watched_peak_rss_mb"] = round(peak, 1)  # sampled every 0.5 s, worker + its pool
    return res


def _tree_rss_mb(pid: int) -> float:
    """RSS of the worker process and its descendants (process-step workers), not the
    page server child nor anything under it, MB: the memory the pipeline itself holds."""
    children: dict[int, list[int]] = {}
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        with contextlib.suppress(OSError, ValueError, IndexError):
            stat = (d / "stat").read_text()
            ppid = int(stat[stat.rindex(")") + 2:].split()[1])
            children.setdefault(ppid, []).append(int(d.name))
    total, todo = 0.0, [pid]
    while todo:
        p = todo.pop()
        with contextlib.suppress(OSError, ValueError, IndexError):
            if p != pid and "--serve" in Path(f"/proc/{p}/cmdline").read_bytes().decode(
                    errors="replace").split("\0"):
                continue  # the page server: not the pipeline's memory
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) / 1024
            todo += children.get(p, [])
    return total


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 2) if a is not None and b else None


def analyse(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Growth ratios between consecutive sizes and the 1% re-run ratio per size."""
    ok = [r for r in results if "runs" in r and "full" in r["runs"]]
    growth = []
    for small, big in zip(ok, ok[1:], strict=False):
        fs, fb = small["runs"]["full"], big["runs"]["full"]
        growth.append({
            "from": small["pages"], "to": big["pages"], "pages_ratio": big["pages"] / small[
                "pages"],
            "seconds_ratio": {s: _ratio(fb["seconds"][s], fs["seconds"][s]) for s in STEPS},
            "end_to_end_ratio": _ratio(fb["end_to_end_s"], fs["end_to_end_s"]),
            "peak_rss_ratio": _ratio(big["peak_rss_mb"], small["peak_rss_mb"])})
    rerun = []
    for r in ok:
        runs = r["runs"]
        if "plus0" not in runs:
            continue
        full, one, zero = runs["full"], runs["plus1pct"], runs["plus0"]
        per = {}
        for s in [*STEPS, "end_to_end"]:
            f, o, z = (x["end_to_end_s"] if s == "end_to_end" else x["seconds"][s]
                       for x in (full, one, zero))
            if None in (f, o, z) or f - z <= 0:
                per[s] = None
                continue
            per[s] = round((o - z) / (f - z), 4)
        rerun.append({"pages": r["pages"], "new_pages": r["new_pages"],
                      "ideal": round(r["new_pages"] / r["pages"], 4), "ratio": per})
    return {"growth": growth, "rerun": rerun}


def _cell(v: Any, w: int) -> str:
    return f"{'-' if v is None else v:>{w}}"


def format_table(doc: dict[str, Any]) -> str:
    results, an = doc["results"], doc["analysis"]
    lines = [f"Scale benchmark: pipeline steps over generated pages served from 127.0.0.1 "
             f"(rate_limit {RATE_LIMIT:g} req/s, concurrency {CONCURRENCY}: set high on "
             f"purpose -- this measures the pipeline's own cost, not politeness delay)", ""]
    hdr = (f"{'N':>7} " + " ".join(f"{STEP_LABELS[s]:>17}" for s in STEPS)
           + f" {'end-to-end':>17} {'peak RSS':>9} {'all procs':>9}")
    lines += ["Full run: seconds (pages/s)", hdr, "-" * len(hdr)]
    for r in results:
        if "runs" not in r or "full" not in r["runs"]:
            lines.append(f"{r['pages']:>7}  FAILED: {r.get('failed')}")
            continue
        f = r["runs"]["full"]
        n = r["pages"]

        def c(sec: float | None, n: int = n) -> str:
            return "-" if sec is None else f"{sec:.1f} ({n / sec:.0f})" if sec else f"{sec}"

        lines.append(f"{n:>7} " + " ".join(f"{c(f['seconds'][s]):>17}" for s in STEPS)
                     + f" {c(f['end_to_end_s']):>17} {r['peak_rss_mb']:>7.0f}MB"
                     f" {r.get('watched_peak_rss_mb', 0):>7.0f}MB")
        if f.get("error"):
            lines.append(f"        error: {f['error']}")
    if an["growth"]:
        lines += ["", "Growth of full-run seconds (ideal = the pages ratio)"]
        for g in an["growth"]:
            lines.append(f"{str(g['to']) + '/' + str(g['from']):>13} (x{g['pages_ratio']:g}) "
                         + " ".join(f"{STEP_LABELS[s]} {_cell(g['seconds_ratio'][s], 0)}"
                                    for s in STEPS)
                         + f"  end-to-end {g['end_to_end_ratio']}  peak RSS "
                         f"{g['peak_rss_ratio']}")
    lines += ["", "Re-runs: seconds per step (full / +1% new pages / +0 new pages = fixed "
              "overhead); ratio = (+1% - +0) / (full - +0)"]
    hdr = (f"{'N':>7} {'run':>6} " + " ".join(f"{STEP_LABELS[s]:>10}" for s in STEPS)
           + f" {'end-to-end':>10}")
    lines += [hdr, "-" * len(hdr)]
    ratios = {x["pages"]: x for x in an["rerun"]}
    for r in results:
        for run in RUNS:
            x = r.get("runs", {}).get(run)
            if x is None:
                continue
            lines.append(f"{r['pages']:>7} {RUN_LABELS[run]:>6} "
                         + " ".join(_cell(x["seconds"][s], 10) for s in STEPS)
                         + f" {_cell(x['end_to_end_s'], 10)}")
        if r["pages"] in ratios:
            q = ratios[r["pages"]]
            lines.append(f"{r['pages']:>7} {'ratio':>6} "
                         + " ".join(_cell(q["ratio"][s], 10) for s in STEPS)
                         + f" {_cell(q['ratio']['end_to_end'], 10)}   (ideal {q['ideal']})")
    lines += ["", "Fetch detail (discovered / skipped as fresh / fetched / requests the "
              "server saw):"]
    for r in results:
        for run in RUNS:
            x = r.get("runs", {}).get(run)
            if x is not None:
                f = x["fetch"]
                lines.append(f"  {r['pages']:>7} {RUN_LABELS[run]:>5}: {f['discovered']} / "
                             f"{f['skipped_fresh']} / {f['fetched']} / "
                             f"{f['article_requests_served']}; landed new {f['landed_new']}; "
                             f"mentions {x['process'].get('mentions')}; dbt incremental "
                             f"{x.get('build', {}).get('incremental')}; gate "
                             f"{x.get('gate', {}).get('passed')}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.scale",
                                 description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--workdir", type=Path, default=None,
                    help="keep each size's corpus and workdir here (default: temp, removed)")
    ap.add_argument("--out", type=Path, default=OUT_DIR / "scale.json")
    ap.add_argument("--max-rss-mb", type=float, default=2048.0)
    ap.add_argument("--timeout", type=float, default=3600.0, help="seconds per size")
    ap.add_argument("--worker", type=int, default=None, help=argparse.SUPPRESS)
    ap.add_argument("--result", type=Path, default=None, help=argparse.SUPPRESS)
    ap.add_argument("--serve", type=Path, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.serve is not None:
        serve(args.serve)
        return 0
    if args.worker is not None:
        t0 = time.monotonic()

        def say(m: str) -> None:
            print(f"[{args.worker} {time.monotonic() - t0:7.1f}s] {m}", file=sys.stderr,
                  flush=True)

        partial = args.result.with_suffix(".partial.json")
        res = run_size(args.worker, seed=args.seed, workdir=args.workdir, say=say,
                       checkpoint=lambda d: partial.write_text(json.dumps(d, indent=2),
                                                               encoding="utf-8"))
        args.result.write_text(json.dumps(res, indent=2), encoding="utf-8")
        return 0

    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    results = []
    doc: dict[str, Any] = {"started_at": datetime.now(UTC).isoformat(timespec="seconds"),
                           "sizes": sizes, "rate_limit": RATE_LIMIT,
                           "concurrency": CONCURRENCY, "cpus": os.cpu_count(),
                           "max_rss_mb": args.max_rss_mb}
    with contextlib.suppress(OSError):
        doc["loadavg_start"] = [round(x, 2) for x in os.getloadavg()]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="zw-scale-res-") as tmp:
        for n in sizes:
            print(f"scale: {n} pages (fresh process) …", file=sys.stderr, flush=True)
            results.append(_watch(n, args, Path(tmp) / f"{n}.json"))
            doc["results"] = results
            doc["analysis"] = analyse(results)
            args.out.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    with contextlib.suppress(OSError):
        doc["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    args.out.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    print(format_table(doc))
    print(f"\nresults: {args.out}")
    return 0 if all("runs" in r for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
