"""The pipeline's steps as plain functions: the CLI and the Airflow DAG both call these.

fetch (per source) → land → process → build (dbt) → gate (Great Expectations) →
publish. Each takes a RunConfig and returns a frozen record of counts and paths
(`ingest.results`; `to_xcom()` is what a DAG task hands on).
"""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ingest.config import MAX_PAGE_BYTES, ConfigError, RunConfig
from ingest.results import (
    Built,
    Gated,
    Landed,
    Processed,
    Published,
    RunResult,
    SourceFetched,
)

__all__ = ["BuildFailed", "GateBlocked", "SourcesFailed", "build_step", "check_config",
           "fetch_and_land_step", "fetch_source_step", "fetch_step", "gate_step",
           "land_step", "nothing_new", "process_step", "publish_step", "run_all",
           "source_names"]

logger = logging.getLogger(__name__)
logger.addHandler(logging.NullHandler())

Progress = Callable[[str], None]
BATCH = 200


class GateBlocked(RuntimeError):
    """The quality gate refused publication. The published warehouse is untouched."""

    def __init__(self, summary_text: str, report_dir: str | Path) -> None:
        super().__init__(summary_text)
        self.summary_text = summary_text
        self.report_dir = str(report_dir)


class BuildFailed(RuntimeError):
    """`dbt build` failed: a model errored (exit 1) or a dbt test failed (blocks, exit 3)."""

    def __init__(self, message: str, *, tests_only: bool) -> None:
        super().__init__(message)
        self.tests_only = tests_only


class SourcesFailed(RuntimeError):
    """Every source of a `--sources` run failed: nothing new can be published."""


class WorkerDied(RuntimeError):
    """A processing worker process died (killed, out of memory). What finished before it
    is saved; the rest stays pending and the next run (or a retry) takes it."""


def _noop(_: str) -> None:
    pass


def source_names(cfg: RunConfig) -> list[str]:
    """The sources a `--sources` run fetches (none for `--input`): what the DAG maps over."""
    if not cfg.sources_file:
        return []
    from ingest.fetch.sources import load_sources

    return [s.name for s in load_sources(cfg.sources_file)]


def check_config(cfg: RunConfig) -> None:
    """Read the run's own configuration before anything is written: the sources file
    (every source checked) or the input directory. ConfigError (exit 2) says what is wrong;
    a bad page or sidecar is that page's recorded error later, never the run's."""
    if cfg.sources_file:
        source_names(cfg)
    elif cfg.input_dir and not Path(cfg.input_dir).is_dir():
        raise ConfigError(f"--input {cfg.input_dir}: not a directory")


def fetch_source_step(cfg: RunConfig, name: str, progress: Progress = _noop) -> SourceFetched:
    """Discover and fetch one source (`ingest.fetch.source_fetch.fetch_source`): what each
    of the DAG's mapped fetch tasks runs, and what `fetch_step` runs for every source."""
    from ingest.fetch.source_fetch import fetch_source
    from ingest.fetch.sources import load_sources

    assert cfg.sources_file is not None
    by_name = {s.name: s for s in load_sources(cfg.sources_file)}
    if name not in by_name:
        raise ConfigError(f"no source named {name!r} in {cfg.sources_file}")
    return fetch_source(by_name[name], cfg.paths, cfg.run_id, progress)


def fetch_step(cfg: RunConfig, progress: Progress = _noop) -> tuple[SourceFetched, ...]:
    """Every source, one after the other, through `fetch_source_step` (the DAG maps the
    same step over the sources instead)."""
    out = []
    for name in source_names(cfg):
        try:
            out.append(fetch_source_step(cfg, name, progress))
        except RuntimeError as exc:  # one broken source must not stop the others
            logger.error("%s", exc)
            out.append(SourceFetched(source=name, failed=str(exc)))
    return tuple(out)


def land_step(cfg: RunConfig, progress: Progress = _noop) -> Landed:
    """The single DuckDB writer of landing: `--input DIR` files, or this run's fetch spool."""
    from ingest.landing.store import LandingStore

    paths = cfg.paths
    paths.ensure()
    seen = new = errors = 0
    with LandingStore(paths) as store:
        if cfg.input_dir:
            from ingest.fetch.local import iter_input_dir

            for page in iter_input_dir(cfg.input_dir):
                seen += 1
                if page.error is not None:
                    errors += 1
                    store.record_error(page.url, "read", page.error, cfg.run_id)
                    continue
                try:
                    size = page.path.stat().st_size
                    if size > MAX_PAGE_BYTES:  # the cap a fetch applies, so one page can't
                        errors += 1           # take gigabytes of memory
                        store.record_error(page.url, "read", f"oversized: {size} bytes, over "
                                           f"the {MAX_PAGE_BYTES}-byte page cap", cfg.run_id)
                        continue
                    body = page.path.read_bytes()
                except OSError as exc:
                    errors += 1
                    store.record_error(page.url, "read", f"cannot read file: {exc}", cfg.run_id)
                    continue
                mtime = datetime.fromtimestamp(page.path.stat().st_mtime, UTC)
                res = store.land(body, url=page.url, source="input", fetched_at=mtime,
                                 sidecar=page.sidecar)
                new += res.is_new
        else:
            from ingest.landing.spool import read_spool

            res_s = store.ingest_spool(read_spool(paths.workdir, cfg.run_id), cfg.run_id)
            seen, new, errors = res_s.records, res_s.landed_new, res_s.errors
    progress(f"land: {seen} pages read, {new} new, {errors} errors")
    return Landed(pages_seen=seen, landed_new=new, errors=errors)


def fetch_and_land_step(cfg: RunConfig, progress: Progress = _noop) -> Landed:
    """The CLI's first step: `fetch_step` (for `--sources`), then `land_step`."""
    if not cfg.sources_file:
        return land_step(cfg, progress)
    fetched = fetch_step(cfg, progress)
    landed = land_step(cfg, progress)  # the failures are recorded (and retried next run)
    failed = [f.source for f in fetched if f.failed]
    if fetched and len(failed) == len(fetched):
        raise SourcesFailed(f"every source failed ({', '.join(failed)}); nothing new to "
                            f"publish; the errors are in page_errors and retried next run")
    return Landed(pages_seen=landed.pages_seen, landed_new=landed.landed_new,
                  errors=landed.errors, sources=fetched)


def _encodings(cfg: RunConfig) -> dict[str, str]:
    if not cfg.sources_file:
        return {}
    from ingest.fetch.sources import load_sources

    return {s.name: s.encoding for s in load_sources(cfg.sources_file) if s.encoding}


def process_step(cfg: RunConfig, progress: Progress = _noop) -> Processed:
    """decode → parse → normalise → extract every landed page not processed yet by this
    extractor version."""
    # Long on purpose: the batch buffer, its flush and the dead-worker rescue share one store
    # transaction scope.
    from concurrent.futures.process import BrokenProcessPool

    from ingest.landing.store import LandingStore
    from ingest.process.extract import extractor_version
    from ingest.process.pool import process_pages

    overrides = _encodings(cfg)
    done = rejected = mentions = 0
    with LandingStore(cfg.paths) as store:
        # Pages an older extractor processed are processed again (their raw bytes are
        # kept for this); their old rows are replaced in the same transaction.
        version = extractor_version()
        stale = store.count_stale(version)
        if stale:
            progress(f"process: {stale} pages were extracted by an older version; redoing")
        total = store.count_pending(version)
        pending = store.pending_pages(extractor_version=version)  # streamed
        docs: list[dict[str, Any]] = []
        rows: list[dict[str, Any]] = []

        def flush() -> None:
            with store.transaction():
                if stale:
                    store.delete_documents([d["document_id"] for d in docs])
                store.insert_documents(docs)
                store.insert_mentions(rows)
            docs.clear()
            rows.clear()

        i = 0
        try:
            for i, out in enumerate(process_pages(pending, overrides, total=total), 1):
                raw, result = out.raw, out.processed
                if result is None:  # a parser bug must not lose the other pages
                    logger.error("processing %s failed: %s", raw.url, out.trace)
                    store.record_error(raw.url, "parse", out.error or "", cfg.run_id,
                                       sha256=raw.sha256)
                    continue
                if result.reject_reason:
                    rejected += 1
                    store.record_error(raw.url, "decode" if result.reject_reason.startswith(
                        "undecodable") else "parse", result.reject_reason, cfg.run_id,
                        sha256=raw.sha256)
                docs.append(result.document)
                rows.extend(result.mentions)
                done += 1
                mentions += len(result.mentions)
                if len(docs) >= BATCH:
                    flush()
                if i % 50 == 0 or i == total:
                    progress(f"process: {i}/{total} pages")
        except BrokenProcessPool as exc:
            flush()  # the pages already returned are whole: keep them
            raise WorkerDied(
                f"process: a worker process died (killed, or out of memory?) after {i} of "
                f"{total} pages; those are saved, the other {total - i} stay pending and "
                f"the next run takes them") from exc
        if docs:
            flush()
    return Processed(pages_processed=done, pages_rejected=rejected, mentions=mentions)


def nothing_new(cfg: RunConfig) -> str | None:
    """Why this run need not build (None: it must): the published warehouse was built by
    the same dbt project and extractor from the same landing state, so a build would
    publish the same facts. Each gate appends to the validation history only."""
    from ingest.build.dbt_build import project_fingerprint, published_build
    from ingest.landing.store import LandingStore

    paths = cfg.paths
    built = published_build(paths.warehouse)
    if built is None or built.landing_state is None or not paths.landing_db.is_file():
        return None
    if built.fingerprint != project_fingerprint():
        return None
    with LandingStore(paths, read_only=True) as store:
        state = store.state_digest()
    if state != built.landing_state:
        return None
    return (f"nothing new since the published warehouse was built (landing state {state}, "
            f"project {built.fingerprint}): not rebuilt, not published")


def build_step(cfg: RunConfig, progress: Progress = _noop) -> Built:
    """The build copy, then `dbt build` (seeds, models, tests) into it.

    The copy starts from the published warehouse when that was built by the same dbt
    project and lexicons (its `zonewatch_build_info` fingerprint), so the incremental
    staging models only take what landed since; otherwise it is built from scratch.
    """
    from ingest.build.dbt_build import project_fingerprint, published_fingerprint, run_dbt
    from ingest.landing.store import LandingStore

    paths = cfg.paths
    paths.ensure()
    for f in (paths.build_db, paths.build_db.with_name(paths.build_db.name + ".wal")):
        f.unlink(missing_ok=True)
    fingerprint = project_fingerprint()
    with LandingStore(paths, read_only=True) as store:
        landing_state = store.state_digest()  # what this build reads; recorded in the build
    incremental = published_fingerprint(paths.warehouse) == fingerprint
    if incremental:
        shutil.copyfile(paths.warehouse, paths.build_db)
    before = _staging_counts(paths.build_db) if incremental else {}
    progress(f"dbt build ({'incremental' if incremental else 'full'}) …")
    res = run_dbt("build", paths.build_db, paths.landing_db, paths.workdir / "dbt",
                  # dbt's unit tests test the SQL, not the data: CI runs them (tests/dbt),
                  # a production build need not pay for them every run
                  extra_args=["--vars", json.dumps({"build_fingerprint": fingerprint}),
                              "--exclude-resource-type", "unit_test",
                              *([] if incremental else ["--full-refresh"])],
                  landing_state=landing_state)
    if not res.success:
        msg = ("dbt build failed: "
               + "; ".join([*res.errored_nodes, *(f"test failed: {t}" for t in res.failed_tests)])
               + f" (logs: {paths.workdir / 'dbt' / 'logs'})")
        if res.failed_tests:
            _record_dbt_tests(cfg, res.failed_tests, msg)
        raise BuildFailed(msg, tests_only=res.only_tests_failed)
    after = _staging_counts(paths.build_db)
    new_rows = {t: n - before.get(t, 0) for t, n in after.items()}
    return Built(build_db=str(paths.build_db), dbt_nodes=res.nodes_run,
                 incremental=incremental, new_staging_rows=new_rows)


STAGING_TABLES = ("stg_landing__raw_pages", "stg_landing__documents", "stg_landing__mentions")


def _staging_counts(db: Path) -> dict[str, int]:
    """Rows in the incremental staging tables (to report how many a build added). A table
    that cannot be counted is an error: a build that reports +0 rows it cannot see lies."""
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        out = {}
        for t in STAGING_TABLES:  # fixed names, not data
            try:
                row = con.execute(f"select count(*) from staging.{t}").fetchone()
            except duckdb.Error as e:
                raise RuntimeError(f"build copy {db}: cannot count staging.{t} "
                                   f"({str(e).splitlines()[0]})") from None
            out[t] = int(row[0]) if row else 0
        return out
    finally:
        con.close()


def gate_step(cfg: RunConfig, progress: Progress = _noop) -> Gated:
    """Great Expectations on the build copy; raises GateBlocked when a `block` check fails.

    Row-level failures (severity `quarantine`) in any layer set aside the mentions behind
    them in the landing zone's `quarantine` table: a failing mention itself, or every
    mention that states a failing fact. The build is redone without them and validated
    again, so a few bad rows never stop the rest of the pages being published. Systemic
    failures (more than gate.yml's quarantine shares of mentions or pages, a collapse in
    row counts, a broken key) block, and then the gate sets nothing aside.
    """
    from ingest.gate.run import run_gate
    from ingest.landing.store import LandingStore
    from ingest.serve.publish import file_digest

    paths = cfg.paths
    published = paths.warehouse if paths.warehouse.is_file() else None
    progress("quality gate …")
    digest = file_digest(paths.build_db)
    res = run_gate(paths.build_db, cfg.report_dir, published_db=published)
    quarantined = 0
    if res.quarantine_rows:
        _record_validation(cfg, res, _read(res.summary_path), suffix="-before-quarantine")
        with LandingStore(paths) as store:
            quarantined = store.quarantine(res.quarantine_rows, cfg.run_id)
        pages = len({r["document_id"] for r in res.quarantine_rows})
        progress(f"quarantined {len(res.quarantine_rows)} mention(s) on {pages} page(s) "
                 f"({', '.join(sorted({str(r['expectation']) for r in res.quarantine_rows}))}); "
                 f"rebuilding without them")
        build_step(cfg, progress)
        digest = file_digest(paths.build_db)
        res = run_gate(paths.build_db, cfg.report_dir, published_db=published)
    summary_text = _read(res.summary_path)
    _record_validation(cfg, res, summary_text, build_sha256=digest)
    if not res.passed or res.quarantine_rows:
        raise GateBlocked(summary_text, cfg.report_dir)
    return Gated(passed=True, warnings=len(res.warnings), quarantined=quarantined,
                 report_dir=str(cfg.report_dir), summary_path=str(res.summary_path),
                 docs_path=str(res.docs_path) if res.docs_path else None)


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8") if path.is_file() else ""


def _record_validation(cfg: RunConfig, res: Any, summary_text: str, suffix: str = "",
                       build_sha256: str | None = None) -> None:
    """Keep the gate's verdict in the landing zone's history (published as validation_runs)."""
    from dataclasses import asdict

    from ingest.landing.store import LandingStore

    failures = [{**asdict(f), "examples": list(f.examples)}
                for f in (*res.blocking, *res.quarantined, *res.warnings)]
    with LandingStore(cfg.paths) as store:
        store.record_validation(
            run_id=cfg.run_id + suffix, passed=res.passed, blocking=len(res.blocking),
            warnings=len(res.warnings), expectations=res.expectations_run,
            report_dir=str(cfg.report_dir), summary=summary_text, failures=failures,
            build_sha256=build_sha256)


def _record_dbt_tests(cfg: RunConfig, failed_tests: tuple[str, ...], message: str) -> None:
    """A failed dbt data test blocks like a gate expectation: keep it in validation_runs
    (run id `<run>-dbt`) so `zonewatch failures` shows it beside the gate's."""
    from ingest.landing.store import LandingStore

    logs = cfg.paths.workdir / "dbt" / "logs"
    failures: list[dict[str, Any]] = [{"suite": "dbt", "expectation": t, "table": t.split(".")[-1],
                 "severity": "block", "unexpected_count": None, "examples": [],
                 "hint": f"a dbt data test failed: `dbt test --select {t.split('.')[-1]}` "
                         f"shows its rows; dbt's log is in {logs}",
                 "element_count": None, "error": None} for t in failed_tests]
    summary = "\n".join(["zonewatch dbt tests: BLOCKED - not published", message, "",
                         *(f"BLOCK {f['expectation']}\n      first look: {f['hint']}"
                           for f in failures)]) + "\n"
    with LandingStore(cfg.paths) as store:
        store.record_validation(
            run_id=cfg.run_id + "-dbt", passed=False, blocking=len(failures), warnings=0,
            expectations=len(failures), report_dir=str(logs), summary=summary,
            failures=failures)


def publish_step(cfg: RunConfig, progress: Progress = _noop) -> Published:
    """Replace the published warehouse with the validated build copy, atomically: only
    the very file this run's gate passed (its sha256 is in `validation_runs`)."""
    from ingest.landing.store import LandingStore
    from ingest.serve.publish import PublishError, file_digest, publish

    paths = cfg.paths
    with LandingStore(paths, read_only=True) as store:
        validated = store.validated_build(cfg.run_id)
    if validated is None or not validated[0]:
        raise PublishError(f"run {cfg.run_id} has no passed quality gate; not published")
    actual = file_digest(paths.build_db)
    if validated[1] != actual:
        raise PublishError(f"the build copy changed after the gate validated it (sha256 "
                           f"{str(validated[1])[:12]} validated, {actual[:12]} now); "
                           f"not published")
    publish(paths.build_db, paths.warehouse)
    progress(f"published {paths.warehouse}")
    return Published(warehouse=str(paths.warehouse))


def run_all(cfg: RunConfig, progress: Progress = _noop) -> RunResult:
    """One full run. Raises GateBlocked / BuildFailed; returns every step's result."""
    land = fetch_and_land_step(cfg, progress)
    process = process_step(cfg, progress)
    if (why := nothing_new(cfg)) is not None:
        progress(why)
        return RunResult(run_id=cfg.run_id, land=land, process=process, unchanged=why)
    build = build_step(cfg, progress)
    gate = gate_step(cfg, progress)
    return RunResult(run_id=cfg.run_id, land=land, process=process, build=build, gate=gate,
                     publish=publish_step(cfg, progress))
