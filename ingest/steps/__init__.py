"""The pipeline's steps, grouped by the stage they drive; `ingest.pipeline` is the one
place the CLI and the DAG take them from.

`fetch_land` (fetch per source, land) → `process` → `build` (dbt) → `gate_publish` (Great
Expectations, then publish). Each step takes a RunConfig and returns a frozen record of
counts and paths (`ingest.results`); `progress` gets one line at a time for the user.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["Progress", "noop"]

Progress = Callable[[str], None]


def noop(_: str) -> None:
    """The default progress: say nothing."""
