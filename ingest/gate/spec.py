"""The gate's configuration: `expectations/gate.yml` read and checked, and where each
gate table's frame is read in the build copy (dbt's `gate` views)."""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ingest.config import EXPECTATIONS_DIR, SEEDS_DIR, ConfigError

__all__ = ["DEFAULT_CONFIG", "ExpectationSpec", "FACT_ROWS", "GATE_SCHEMA", "GateSpec",
           "MENTION_ROWS", "TABLE_QUERIES", "TableSource", "load_spec", "seed_enums"]

DEFAULT_CONFIG = EXPECTATIONS_DIR / "gate.yml"
SEVERITIES = ("block", "warn", "quarantine")
# shown in Data Docs; a quarantine failure is a warning there: its rows are set aside
GX_SEVERITY = {"block": "critical", "warn": "warning", "quarantine": "warning"}
DATASOURCE = "build_copy"
BATCH_DEFINITION = "whole_table"
ROW_KEY = "_row"  # positional row number added to every frame; GX reports it per failing row
# COMPLETE: every failing row's key is listed, so quarantine can set each one aside.
RESULT_FORMAT: dict[str, Any] = {
    "result_format": "COMPLETE",
    "unexpected_index_column_names": [ROW_KEY],
    "partial_unexpected_count": 20,
}
FACT_TABLES = ("fct_investment", "fct_output", "fct_compute")
# Expectations whose verdict on a row depends on that row alone. They run chunk by chunk
# (memory bounded by the chunk, whatever the table's size) and their results are summed.
# Every other expectation (uniqueness, aggregates) runs once on the whole columns it reads.
ROW_WISE_EXPECTATIONS = frozenset({
    "column_values_to_be_in_set", "column_values_to_not_be_in_set",
    "column_values_to_be_between", "column_values_to_not_be_null",
    "column_values_to_be_null", "column_values_to_match_regex",
    "column_values_to_not_match_regex", "column_values_to_be_of_type",
    "column_pair_values_a_to_be_greater_than_b", "column_pair_values_to_be_equal",
    "column_value_lengths_to_be_between",
})
# Whole-column expectations that only compare values for equality: their columns can be
# read as ranks (ingest.gate.frames.whole_frame) instead of values.
EQUALITY_ONLY = frozenset({"column_values_to_be_unique", "compound_columns_to_be_unique"})
WHOLE_COLUMN = "whole_column"  # suffix of the GX suites/checkpoints of the other kind


@dataclass(frozen=True)
class TableSource:
    """Where one gate table is read in the build copy (a view of dbt's `gate` models, with
    the derived columns its expectations read), and which columns make an example."""

    relation: str | None  # None: built in Python, not read from the build copy
    key: str
    url: str | None = None
    sentence: str | None = None
    context: tuple[str, ...] = ()  # always shown in examples, after the failing columns
    # How a failing row leads to the mentions behind it, which quarantine sets aside:
    # MENTION_ROWS (each row is a mention: its key is the mention_id), FACT_ROWS (each row
    # is a fact: its mentions are the fct_mentions rows with its fact_id) or None (a row
    # no mention stands behind: its expectations can only block or warn).
    mentions: str | None = None


GATE_SCHEMA = "gate"  # dbt_project/models/gate: one view `gate__<table>` per gate table
MENTION_ROWS, FACT_ROWS = "mention", "fact"  # TableSource.mentions


def _view(table: str, key: str, **kw: Any) -> TableSource:
    return TableSource(f'{GATE_SCHEMA}."gate__{table}"', key, **kw)


TABLE_QUERIES: dict[str, TableSource] = {
    "stg_landing__documents": _view(
        "stg_landing__documents", "document_id", url="url", sentence="text_head",
        context=("status", "reject_reason", "text_chars")),
    "stg_landing__mentions": _view(
        "stg_landing__mentions", "mention_id", url="url", sentence="sentence",
        context=("raw_text", "text_slice", "char_start", "char_end", "value", "unit"),
        mentions=MENTION_ROWS),
    **{t: _view(t, "fact_id", url="source_url", sentence="evidence",
                context=("value", "unit", "indicator_id", "region_id"), mentions=FACT_ROWS)
       for t in FACT_TABLES},
    "fct_mentions": _view("fct_mentions", "mention_id", url="url", sentence="sentence",
                          context=("fact_id", "raw_text"), mentions=MENTION_ROWS),
    "dim_region": _view("dim_region", "region_id"),
    "dim_indicator": _view("dim_indicator", "indicator_id"),
    "dim_document": _view("dim_document", "document_id", url="url", sentence="title"),
    # Built in Python from the build copy and the published warehouse (see _row_counts).
    "row_counts": TableSource(None, "table_name", context=("published_rows",)),
}


# --------------------------------------------------------------------------- config


@dataclass(frozen=True)
class ExpectationSpec:
    suite: str
    name: str
    expect: str
    kwargs: Mapping[str, Any]
    severity: str
    hint: str
    when: Mapping[str, Any] = field(default_factory=dict)

    @property
    def row_wise(self) -> bool:
        return self.expect in ROW_WISE_EXPECTATIONS

    @property
    def columns(self) -> tuple[str, ...]:
        """Every column the expectation reads: its kwargs' and its `when` condition's."""
        kw = self.kwargs
        cols = [kw.get("column"), kw.get("column_A"), kw.get("column_B"),
                *(kw.get("column_list") or ()), *self.when]
        return tuple(dict.fromkeys(c for c in cols if isinstance(c, str)))


@dataclass(frozen=True)
class GateSpec:
    """gate.yml, checked: suites with their tables and expectations, and the thresholds."""

    suites: Mapping[str, tuple[str, ...]]  # suite -> tables it runs on
    expectations: tuple[ExpectationSpec, ...]
    collapse_ratio: float
    collapse_min_published_rows: int
    examples_per_failure: int
    source: Path
    # Quarantine is for a few rows; past these it is systemic and blocks. One expectation:
    # more failing rows than quarantine_max_share of its table and than quarantine_min_rows.
    # The whole run: more mentions set aside than quarantine_max_share of all mentions and
    # than quarantine_min_rows, or more pages than quarantine_max_page_share of the pages
    # with mentions and than quarantine_min_pages.
    quarantine_max_share: float = 0.05
    quarantine_min_rows: int = 3
    quarantine_max_page_share: float = 0.1
    quarantine_min_pages: int = 2

    def for_suite(self, suite: str) -> tuple[ExpectationSpec, ...]:
        return tuple(e for e in self.expectations if e.suite == suite)

    def for_table(self, table: str) -> tuple[ExpectationSpec, ...]:
        return tuple(e for e in self.expectations if table in self.suites[e.suite])


def gx_suite_name(spec: ExpectationSpec) -> str:
    """The GX suite an expectation lands in: its gate.yml suite, or `<suite>__whole_column`."""
    return spec.suite if spec.row_wise else f"{spec.suite}__{WHOLE_COLUMN}"


def checkpoint_name(table: str, row_wise: bool) -> str:
    return f"gate__{table}" if row_wise else f"gate__{table}__{WHOLE_COLUMN}"


def gx_class_name(expect: str) -> str:
    return "Expect" + "".join(part.capitalize() for part in expect.split("_"))


SEED_REF = "$SEED"  # gate.yml: {$SEED: name} stands for the value set seed_enums()[name]
ENUM_SEEDS = "enums"  # dbt_project/seeds/enums/: one seed per enum, its labels first


def _read_seed(path: Path) -> list[dict[str, str]]:
    try:
        with path.open(encoding="utf-8", newline="") as f:
            return list(csv.DictReader(f))
    except OSError as e:
        raise ConfigError(f"seed {path}: {e}") from e


def seed_enums(seeds_dir: Path = SEEDS_DIR) -> dict[str, list[str]]:
    """The value sets gate.yml names with {$SEED: <name>}, read from the dbt seeds, which
    the dbt tests check the same columns against (relationships): each seed of
    seeds/enums/ by its file name (its first column, in file order), and `units`: the
    base units of seeds/units.csv in file order, foreign currencies left out as dbt's
    int_base_units does."""
    enums: dict[str, list[str]] = {}
    for path in sorted((seeds_dir / ENUM_SEEDS).glob("*.csv")):
        enums[path.stem] = [next(iter(r.values())) for r in _read_seed(path)]
    enums["units"] = list(dict.fromkeys(
        r["unit"] for r in _read_seed(seeds_dir / "units.csv") if r["kind"] != "foreign"))
    return enums


def _fill_seeds(kwargs: Mapping[str, Any], enums: Mapping[str, list[str]],
                where: str) -> dict[str, Any]:
    """kwargs with every {$SEED: name} replaced by that seed's value set."""
    out: dict[str, Any] = {}
    for key, value in kwargs.items():
        if isinstance(value, Mapping) and set(value) == {SEED_REF}:
            name = value[SEED_REF]
            if name not in enums:
                raise ConfigError(f"{where}: {key}: no seed enum {name!r} "
                                  f"(one of {sorted(enums)})")
            value = list(enums[name])
        out[key] = value
    return out


def load_spec(config_path: Path | None = None) -> GateSpec:
    """Read and check gate.yml, value sets named {$SEED: name} filled from the dbt seeds
    (seed_enums); ConfigError (exit 2) on anything malformed."""
    path = Path(config_path or DEFAULT_CONFIG)
    where = f"gate config {path}"
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        raise ConfigError(f"{where}: {e}") from e
    if not isinstance(raw, dict) or raw.get("version") != 1:
        raise ConfigError(f"{where}: expected a mapping with version: 1")
    suites, specs = _suites(raw.get("suites") or {}, seed_enums(), where)
    if not specs:
        raise ConfigError(f"{where}: no expectations")
    limits = _thresholds(raw, where)
    bad = [e.name for e in specs if e.severity == "quarantine"
           and (not e.row_wise or any(TABLE_QUERIES[t].mentions is None
                                      for t in suites[e.suite]))]
    if bad:
        raise ConfigError(f"{where}: only row-wise expectations on tables whose "
                          f"rows are or come from mentions (mentions, facts) can "
                          f"quarantine: {bad}")
    return GateSpec(suites=suites, expectations=tuple(specs), source=path.resolve(),
                    **limits)


def _suites(raw: Mapping[str, Any], enums: Mapping[str, list[str]],
            where: str) -> tuple[dict[str, tuple[str, ...]], list[ExpectationSpec]]:
    """gate.yml's suites (suite -> its tables) and their expectations, each checked."""
    suites: dict[str, tuple[str, ...]] = {}
    specs: list[ExpectationSpec] = []
    for suite, body in raw.items():
        tables = tuple(body.get("tables") or ())
        unknown = [t for t in tables if t not in TABLE_QUERIES]
        if not tables or unknown:
            raise ConfigError(f"{where}: suite {suite}: unknown or no tables {unknown}")
        suites[suite] = tables
        seen: set[str] = set()
        for item in body.get("expectations") or ():
            at = f"{where}: suite {suite}: expectation {item.get('name')!r}"
            if not item.get("name") or item["name"] in seen:
                raise ConfigError(f"{at}: missing or duplicate name")
            seen.add(item["name"])
            if item.get("severity") not in SEVERITIES:
                raise ConfigError(f"{at}: severity must be one of {SEVERITIES}")
            if not isinstance(item.get("expect"), str) or not isinstance(item.get("kwargs"), dict):
                raise ConfigError(f"{at}: needs expect (str) and kwargs (mapping)")
            specs.append(ExpectationSpec(
                suite=suite, name=item["name"], expect=item["expect"],
                kwargs=_fill_seeds(item["kwargs"], enums, at),
                severity=item["severity"], hint=str(item.get("hint") or ""),
                when=item.get("when") or {}))
    return suites, specs


def _thresholds(raw: Mapping[str, Any], where: str) -> dict[str, Any]:
    """gate.yml's thresholds and examples_per_failure, as GateSpec's fields, checked."""
    thresholds = raw.get("thresholds") or {}
    try:
        limits: dict[str, Any] = {
            "collapse_ratio": float(thresholds.get("collapse_ratio", 0.5)),
            "quarantine_max_share": float(thresholds.get("quarantine_max_share", 0.05)),
            "quarantine_min_rows": int(thresholds.get("quarantine_min_rows", 3)),
            "quarantine_max_page_share": float(
                thresholds.get("quarantine_max_page_share", 0.1)),
            "quarantine_min_pages": int(thresholds.get("quarantine_min_pages", 2)),
            "collapse_min_published_rows": int(
                thresholds.get("collapse_min_published_rows", 0)),
            "examples_per_failure": int(raw.get("examples_per_failure", 3)),
        }
    except (TypeError, ValueError) as e:
        raise ConfigError(f"{where}: bad threshold: {e}") from e
    if not all(0 <= limits[k] <= 1 for k in ("collapse_ratio", "quarantine_max_share",
                                             "quarantine_max_page_share")):
        raise ConfigError(f"{where}: collapse_ratio, quarantine_max_share and "
                          "quarantine_max_page_share must be within 0..1")
    if limits["quarantine_min_rows"] < 0 or limits["quarantine_min_pages"] < 0:
        raise ConfigError(f"{where}: quarantine_min_rows and quarantine_min_pages "
                          "must not be negative")
    return limits
