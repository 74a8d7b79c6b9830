"""The pipeline's steps as plain functions: the CLI and the Airflow DAG both call these.

fetch (per source) → land → process → build (dbt) → gate (Great Expectations) →
publish. Each takes a RunConfig and returns a frozen record of counts and paths
(`ingest.results`; `to_xcom()` is what a DAG task hands on). The steps live in
`ingest.steps` by stage (`fetch_land`, `process`, `build`, `gate_publish`); this module is the
one place the CLI and `dags/` take them from, and holds what runs them together.
"""

from __future__ import annotations

from pathlib import Path

from ingest.config import ConfigError, RunConfig
from ingest.results import RunResult
from ingest.steps import Progress, noop
from ingest.steps.build import BuildFailed, build_step, nothing_new
from ingest.steps.fetch_land import (
    SourcesFailed,
    fetch_and_land_step,
    fetch_source_step,
    fetch_step,
    land_step,
    source_names,
)
from ingest.steps.gate_publish import GateBlocked, gate_step, publish_step
from ingest.steps.process import process_step

__all__ = ["BuildFailed", "GateBlocked", "SourcesFailed", "build_step", "check_config",
           "fetch_and_land_step", "fetch_source_step", "fetch_step", "gate_step",
           "land_step", "nothing_new", "process_step", "publish_step", "run_all",
           "source_names"]


def check_config(cfg: RunConfig) -> None:
    """Read the run's own configuration before anything is written: the sources file
    (every source checked) or the input directory. ConfigError (exit 2) says what is wrong;
    a bad page or sidecar is that page's recorded error later, never the run's."""
    if cfg.sources_file:
        source_names(cfg)
    elif cfg.input_dir and not Path(cfg.input_dir).is_dir():
        raise ConfigError(f"--input {cfg.input_dir}: not a directory")


def run_all(cfg: RunConfig, progress: Progress = noop) -> RunResult:
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
