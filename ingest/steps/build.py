"""The build step: the build copy (from the published warehouse when the dbt project is
unchanged, so staging only takes what landed since), then `dbt build` into it; and
`nothing_new`, which tells a run it need not build at all."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from ingest.config import RunConfig
from ingest.results import Built
from ingest.steps import Progress, noop

__all__ = ["BuildFailed", "STAGING_TABLES", "build_step", "nothing_new"]


class BuildFailed(RuntimeError):
    """`dbt build` failed: a model errored (exit 1) or a dbt test failed (blocks, exit 3)."""

    def __init__(self, message: str, *, tests_only: bool) -> None:
        super().__init__(message)
        self.tests_only = tests_only


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


def build_step(cfg: RunConfig, progress: Progress = noop) -> Built:
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
