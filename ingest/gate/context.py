"""The Great Expectations 1.x file context built from gate.yml: data source, assets,
batch definitions, suites, validation definitions and checkpoints; `sync_context`
writes it to `expectations/gx/` for review, `context_drift` says when that copy is stale."""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import tempfile
import uuid
from pathlib import Path
from typing import Any

import yaml

from ingest.config import EXPECTATIONS_DIR, ConfigError
from ingest.gate.spec import (
    BATCH_DEFINITION,
    DATASOURCE,
    GX_SEVERITY,
    RESULT_FORMAT,
    ExpectationSpec,
    GateSpec,
    checkpoint_name,
    gx_class_name,
    gx_suite_name,
    load_spec,
)

__all__ = ["build_context", "context_drift", "import_gx", "sync_context"]

logger = logging.getLogger(__name__)
logger.addHandler(logging.NullHandler())


# --------------------------------------------------------------------------- GX context


def import_gx() -> Any:
    """Import GX quietly: no log flood, no analytics calls, no progress bars."""
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx

    return gx


def _build_expectation(gx: Any, spec: ExpectationSpec) -> Any:
    from great_expectations.expectations.row_conditions import Column

    cls = getattr(gx.expectations, gx_class_name(spec.expect), None)
    if cls is None:
        raise ConfigError(f"gate config: {spec.suite}/{spec.name}: no GX expectation "
                          f"expect_{spec.expect}")
    kwargs = dict(spec.kwargs)
    if spec.when:
        cond = None
        for col, val in spec.when.items():
            # `when: {unit: percent}` or a list: `when: {unit: [CNY, count, PFLOPS]}`
            c = Column(col).is_in(list(val)) if isinstance(val, list) else Column(col) == val
            cond = c if cond is None else cond & c
        kwargs["row_condition"] = cond
    meta = {"name": spec.name, "suite": spec.suite, "severity": spec.severity,
            "hint": spec.hint}
    try:
        return cls(**kwargs, meta=meta, severity=GX_SEVERITY[spec.severity])
    except Exception as e:  # pydantic validation error: a config mistake, say which one
        raise ConfigError(f"gate config: {spec.suite}/{spec.name}: {e}") from e


def build_context(root: Path, spec: GateSpec, docs_dir: Path | None = None) -> Any:
    """A fresh GX file context at root/gx holding the whole chain from gate.yml."""
    gx = import_gx()
    from great_expectations.data_context.types.base import ProgressBarsConfig

    gx_dir = root / "gx"
    if gx_dir.exists():
        shutil.rmtree(gx_dir)
    ctx = gx.get_context(mode="file", project_root_dir=str(root))
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
    ctx.variables.analytics_enabled = False
    ctx.variables.save()
    if docs_dir is not None:
        ctx.update_data_docs_site("local_site", {
            "class_name": "SiteBuilder",
            "show_how_to_buttons": False,
            "store_backend": {"class_name": "TupleFilesystemStoreBackend",
                              "base_directory": str(docs_dir)},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        })

    source = ctx.data_sources.add_pandas(DATASOURCE)
    batch_defs: dict[str, Any] = {}
    for tables in spec.suites.values():
        for table in tables:
            if table not in batch_defs:
                asset = source.add_dataframe_asset(table)
                batch_defs[table] = asset.add_batch_definition_whole_dataframe(BATCH_DEFINITION)

    # Each gate.yml suite becomes up to two GX suites: its row-wise expectations (run on
    # each chunk of a table) and `<suite>__whole_column` (run once on whole columns).
    gx_suites: dict[str, Any] = {}
    for e in spec.expectations:
        name = gx_suite_name(e)
        if name not in gx_suites:
            gx_suites[name] = ctx.suites.add(gx.ExpectationSuite(
                name=name,
                meta={"generated_from": "expectations/gate.yml", "gate_suite": e.suite,
                      "row_wise": e.row_wise,
                      "regenerate_with": "python -m ingest.gate.run sync"}))
        gx_suites[name].add_expectation(_build_expectation(gx, e))

    vds_by_checkpoint: dict[str, list[Any]] = {}
    for name, suite in gx_suites.items():
        for table in spec.suites[suite.meta["gate_suite"]]:
            vd = ctx.validation_definitions.add(gx.ValidationDefinition(
                name=f"{name}__{table}", data=batch_defs[table], suite=suite))
            cp = checkpoint_name(table, row_wise=bool(suite.meta["row_wise"]))
            vds_by_checkpoint.setdefault(cp, []).append(vd)

    for cp, vds in vds_by_checkpoint.items():
        ctx.checkpoints.add(gx.Checkpoint(
            name=cp, validation_definitions=vds,
            # No UpdateDataDocsAction per checkpoint: each one re-renders the whole site
            # (3.6 s of a 5 s run on the test fixture); run_gate builds Data Docs once.
            actions=[],
            result_format=RESULT_FORMAT))
    return ctx


_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_ID_NAMESPACE = uuid.UUID("5b0c7d2e-9f1a-4c3e-8d6b-2a7e4f9c1d08")  # zonewatch gate ids


def _stable_ids(gx_dir: Path) -> None:
    """Replace GX's random ids with ids derived from names, so a re-sync is a clean diff.

    Each id is keyed by where it is defined (file + names on the way to it, an
    expectation by its gate.yml name); references elsewhere get the same value.
    """
    mapping: dict[str, str] = {}

    def walk(o: Any, where: str) -> None:
        if isinstance(o, dict):
            for k, v in o.items():
                if isinstance(v, str) and _UUID.fullmatch(v):
                    mapping.setdefault(v, str(uuid.uuid5(_ID_NAMESPACE, f"{where}/{k}")))
                else:
                    walk(v, f"{where}/{k}")
        elif isinstance(o, list):
            for i, v in enumerate(o):
                label = i
                if isinstance(v, dict):
                    label = v.get("name") or (v.get("meta") or {}).get("name") or i
                walk(v, f"{where}[{label}]")

    files = [gx_dir / "great_expectations.yml"]
    for sub in ("expectations", "validation_definitions", "checkpoints"):
        files += sorted((gx_dir / sub).glob("*.json"))
    for f in files:
        text = f.read_text(encoding="utf-8")
        walk(yaml.safe_load(text) if f.suffix == ".yml" else json.loads(text),
             str(f.relative_to(gx_dir)))
    for f in gx_dir.rglob(".ge_store_backend_id"):
        for old in _UUID.findall(f.read_text(encoding="utf-8")):
            mapping.setdefault(old, str(uuid.uuid5(_ID_NAMESPACE, str(f.relative_to(gx_dir)))))
        files.append(f)
    for f in files:
        text = f.read_text(encoding="utf-8")
        f.write_text(_UUID.sub(lambda m: mapping.get(m.group(0), m.group(0)), text),
                     encoding="utf-8")


def sync_context(config_path: Path | None = None, root: Path = EXPECTATIONS_DIR) -> Path:
    """(Re)write the reviewable context at root/gx from gate.yml; returns root/gx.

    Ids are derived from names, so re-running it without a gate.yml change
    leaves the files byte-identical.
    """
    build_context(Path(root), load_spec(config_path))
    _stable_ids(Path(root) / "gx")
    return Path(root) / "gx"


def _normalised_tree(gx_dir: Path) -> dict[str, Any]:
    """Suites, validation definitions and checkpoints without the random ids."""

    def strip(o: Any) -> Any:
        if isinstance(o, dict):
            return {k: strip(v) for k, v in o.items() if k != "id"}
        if isinstance(o, list):
            return [strip(v) for v in o]
        return o

    out: dict[str, Any] = {}
    for sub in ("expectations", "validation_definitions", "checkpoints"):
        for f in sorted((gx_dir / sub).glob("*.json")):
            out[f"{sub}/{f.name}"] = strip(json.loads(f.read_text(encoding="utf-8")))
    return out


def context_drift(config_path: Path | None = None, root: Path = EXPECTATIONS_DIR) -> list[str]:
    """Files under root/gx that differ from what gate.yml generates (empty: in sync)."""
    with tempfile.TemporaryDirectory() as tmp:
        fresh = _normalised_tree(sync_context(config_path, Path(tmp)))
    committed = _normalised_tree(Path(root) / "gx")
    return sorted(k for k in fresh.keys() | committed.keys() if fresh.get(k) != committed.get(k))
