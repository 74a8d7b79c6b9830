"""The fetch and land steps: every source discovered and fetched into raw files and a
per-run spool (one source per call, so the DAG can map it), then one writer lands the
spool, or an `--input DIR`, into the landing zone."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from ingest.config import MAX_PAGE_BYTES, ConfigError, RunConfig
from ingest.results import Landed, SourceFetched
from ingest.steps import Progress, noop

__all__ = ["SourcesFailed", "fetch_and_land_step", "fetch_source_step", "fetch_step",
           "land_step", "source_names"]

logger = logging.getLogger(__name__)
logger.addHandler(logging.NullHandler())


class SourcesFailed(RuntimeError):
    """Every source of a `--sources` run failed: nothing new can be published."""


def source_names(cfg: RunConfig) -> list[str]:
    """The sources a `--sources` run fetches (none for `--input`): what the DAG maps over."""
    if not cfg.sources_file:
        return []
    from ingest.fetch.sources import load_sources

    return [s.name for s in load_sources(cfg.sources_file)]


def fetch_source_step(cfg: RunConfig, name: str, progress: Progress = noop) -> SourceFetched:
    """Discover and fetch one source (`ingest.fetch.source_fetch.fetch_source`): what each
    of the DAG's mapped fetch tasks runs, and what `fetch_step` runs for every source."""
    from ingest.fetch.source_fetch import fetch_source
    from ingest.fetch.sources import load_sources

    assert cfg.sources_file is not None
    by_name = {s.name: s for s in load_sources(cfg.sources_file)}
    if name not in by_name:
        raise ConfigError(f"no source named {name!r} in {cfg.sources_file}")
    return fetch_source(by_name[name], cfg.paths, cfg.run_id, progress)


def fetch_step(cfg: RunConfig, progress: Progress = noop) -> tuple[SourceFetched, ...]:
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


def land_step(cfg: RunConfig, progress: Progress = noop, source: str | None = None) -> Landed:
    """The single DuckDB writer of landing: `--input DIR` files, or this run's fetch spool
    (every source's, or only `source`'s: what a fetch DAG's per-source land task takes)."""
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

            res_s = store.ingest_spool(read_spool(paths.workdir, cfg.run_id, source),
                                       cfg.run_id)
            seen, new, errors = res_s.records, res_s.landed_new, res_s.errors
    who = f" ({source})" if source else ""
    progress(f"land{who}: {seen} pages read, {new} new, {errors} errors")
    return Landed(pages_seen=seen, landed_new=new, errors=errors)


def fetch_and_land_step(cfg: RunConfig, progress: Progress = noop) -> Landed:
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
