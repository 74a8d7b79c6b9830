"""The gate and publish steps: Great Expectations on the build copy (quarantining
row-level failures and rebuilding without them), its verdict kept in the landing zone,
then the very file the gate passed published atomically."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ingest.config import RunConfig
from ingest.results import Gated, Published
from ingest.steps import Progress, noop
from ingest.steps.build import build_step

__all__ = ["GateBlocked", "gate_step", "publish_step"]


class GateBlocked(RuntimeError):
    """The quality gate refused publication. The published warehouse is untouched."""

    def __init__(self, summary_text: str, report_dir: str | Path) -> None:
        super().__init__(summary_text)
        self.summary_text = summary_text
        self.report_dir = str(report_dir)


def gate_step(cfg: RunConfig, progress: Progress = noop) -> Gated:
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


def publish_step(cfg: RunConfig, progress: Progress = noop) -> Published:
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
