"""Fixtures for the gate tests: a good build copy and a way to run the gate on variants."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ingest.gate.run import GateResult, run_gate
from tests.gate.builder import good_build, write_build

Tables = dict[str, list[dict[str, Any]]]


@pytest.fixture
def gate(tmp_path: Path) -> Callable[..., GateResult]:
    """gate(tables=None, published=None, config=None) -> GateResult, in a fresh report dir."""
    n = 0

    def run(tables: Tables | None = None, published: Path | None = None,
            config: Path | None = None) -> GateResult:
        nonlocal n
        n += 1
        db = write_build(tmp_path / f"build{n}.duckdb", tables or good_build())
        return run_gate(db, tmp_path / f"report{n}", published_db=published, config_path=config)

    return run


def gx_outcome(res: GateResult, table: str, expectation: str) -> dict[str, Any]:
    """The expectation's result as GX itself stored it (uncommitted/validations/*.json)."""
    found = []
    for f in (res.report_path.parent / "gx" / "uncommitted" / "validations").rglob("*.json"):
        vr = json.loads(f.read_text(encoding="utf-8"))
        asset = (vr.get("meta", {}).get("active_batch_definition") or {}).get("data_asset_name")
        if asset != table:
            continue
        for r in vr["results"]:
            if r["expectation_config"]["meta"].get("name") == expectation:
                found.append(r)
    assert len(found) == 1, f"{expectation} on {table}: {len(found)} GX results"
    return found[0]
