"""gate.yml is well-formed, and expectations/gx/ is what it generates."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from ingest.config import EXPECTATIONS_DIR, PROJECT_ROOT, ConfigError
from ingest.gate.run import DEFAULT_CONFIG, context_drift, load_spec


def test_gate_yml_loads_with_every_severity_explicit() -> None:
    spec = load_spec()
    assert {e.severity for e in spec.expectations} == {"block", "warn", "quarantine"}
    raw = yaml.safe_load(DEFAULT_CONFIG.read_text())
    for suite in raw["suites"].values():
        for e in suite["expectations"]:
            assert e["severity"] in ("block", "warn", "quarantine") and e["hint"], e["name"]
    ranges = {e.when.get("unit"): (e.kwargs["min_value"], e.kwargs["max_value"])
              for e in spec.expectations if e.name.startswith("fact_value_range_")}
    assert ranges == {"CNY": (1e4, 1e14), "PFLOPS": (0.001, 1e6), "percent": (-100, 1000),
                      "count": (1, 1e6)}
    assert spec.collapse_ratio == 0.5


def test_committed_gx_context_matches_gate_yml() -> None:
    drift = context_drift()
    assert drift == [], f"run `python -m ingest.gate.run sync`; stale: {drift}"
    assert (EXPECTATIONS_DIR / "gx" / "great_expectations.yml").is_file()
    assert "uncommitted/" in (EXPECTATIONS_DIR / "gx" / ".gitignore").read_text()


@pytest.mark.parametrize("patch, message", [
    ({"severity": "fatal"}, "severity"),
    ({"expect": "column_values_to_be_purple"}, "no GX expectation"),
])
def test_bad_config_is_a_config_error(tmp_path: Path, patch: dict[str, str],
                                      message: str) -> None:
    from ingest.gate.context import build_context  # config errors surface while building suites

    raw = yaml.safe_load(DEFAULT_CONFIG.read_text())
    raw["suites"]["facts"]["expectations"][0].update(patch)
    path = tmp_path / "gate.yml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True))
    with pytest.raises(ConfigError, match=message):
        build_context(tmp_path, load_spec(path))


def test_import_is_cheap() -> None:
    code = ("import sys, ingest.gate.run, ingest.serve.publish; "
            "bad = [m for m in ('great_expectations', 'pandas', 'duckdb') if m in sys.modules]; "
            "print(bad); raise SystemExit(1 if bad else 0)")
    out = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True,
                         text=True, check=False)
    assert out.returncode == 0, out.stdout + out.stderr


def test_committed_context_is_a_working_gx_context(tmp_path: Path) -> None:
    """Load expectations/gx with GX itself (a copy: runs write uncommitted/) and run one
    checkpoint on a bad frame: the reviewed files are what GX executes."""
    import shutil

    import duckdb

    from ingest.gate.context import import_gx
    from ingest.gate.run import TABLE_QUERIES
    from tests.gate.builder import good_build, write_build

    shutil.copytree(EXPECTATIONS_DIR / "gx", tmp_path / "gx",
                    ignore=shutil.ignore_patterns("uncommitted"))
    gx = import_gx()
    ctx = gx.get_context(mode="file", project_root_dir=str(tmp_path))
    assert {s.name for s in ctx.suites.all()} >= {"documents", "mentions", "facts"}
    tables = good_build()
    (count_fact,) = [f for f in tables["fct_output"] if f["unit"] == "count"]
    count_fact["value"] = 2e7  # 20 million new enterprises: out of range
    db = write_build(tmp_path / "b.duckdb", tables)
    with duckdb.connect(str(db), read_only=True) as con:
        frame = con.sql(f"select * from {TABLE_QUERIES['fct_output'].relation}").df()
    frame.insert(0, "_row", range(len(frame)))
    res = ctx.checkpoints.get("gate__fct_output").run(
        batch_parameters={"dataframe": frame},
        expectation_parameters={"region_ids": ["r_hefei_hitech", "r_wuhu_etdz"],
                                "indicator_ids": ["output_growth", "new_enterprises"]})
    failed = [r.expectation_config.meta["name"] for vr in res.run_results.values()
              for r in vr.results if not r.success]
    assert failed == ["fact_value_range_count"]


def test_row_level_fact_expectations_quarantine_and_keys_block() -> None:
    """What one sentence can get wrong quarantines (the mentions behind the row are set
    aside); keys, joins and aggregates block. Before, every fact expectation blocked."""
    sev = {(e.suite, e.name): e.severity for e in load_spec().expectations}
    for name in ("fact_value_range_cny", "fact_value_range_pflops", "fact_value_range_percent",
                 "fact_value_range_count", "fact_period_start_year", "fact_period_end_year",
                 "fact_period_ordered", "fact_unit_in_set", "fact_status_in_set",
                 "fact_qualifier_in_set", "fact_evidence_not_null"):
        assert sev[("facts", name)] == "quarantine", name
    for name in ("fact_id_not_null", "fact_id_unique", "fact_indicator_known",
                 "fact_region_known", "fact_mention_count_positive"):
        assert sev[("facts", name)] == "block", name
    assert sev[("mentions", "mention_id_unique")] == "block"
    assert sev[("mentions", "mention_unit_in_set")] == "quarantine"
    assert sev[("row_counts", "fact_row_count_not_collapsed")] == "block"
    spec = load_spec()
    assert (spec.quarantine_max_share, spec.quarantine_min_rows) == (0.05, 3)
    assert (spec.quarantine_max_page_share, spec.quarantine_min_pages) == (0.1, 2)


@pytest.mark.parametrize("suite, name", [
    ("documents", "ok_document_has_text"),  # a page: no mention to set aside for it
    ("facts", "fact_id_unique"),  # whole-column: no single row fails it
])
def test_quarantine_only_where_rows_lead_to_mentions(tmp_path: Path, suite: str,
                                                     name: str) -> None:
    raw = yaml.safe_load(DEFAULT_CONFIG.read_text())
    (e,) = [e for e in raw["suites"][suite]["expectations"] if e["name"] == name]
    e["severity"] = "quarantine"
    path = tmp_path / "gate.yml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True))
    with pytest.raises(ConfigError, match=f"rows are or come from mentions .*: \\['{name}'\\]"):
        load_spec(path)
