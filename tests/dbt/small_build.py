"""A dbt build of a few hand-written pages, for the tests that check exact mart rows
(test_five_questions.py, test_target_progress.py): test_dbt_build.py's `Doc`,
`write_landing` and `dbt_build` (`fx`), and `build(tmp, docs)`, a built copy to query."""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

HERE = Path(__file__).resolve().parent

__all__ = ["Built", "build", "fx"]


def _load_build_helpers() -> Any:
    """tests/dbt/test_dbt_build.py as a module, loaded once (pytest imports it under its
    own name as a test module; this is the same code as a helper)."""
    name = "zonewatch_tests_dbt_fixture"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, HERE / "test_dbt_build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


fx = _load_build_helpers()


@dataclass
class Built:
    build_db: Path
    success: bool
    failures: list[str]

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        con = duckdb.connect(str(self.build_db), read_only=True)
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()


def build(tmp: Path, docs: list[Any]) -> Built:
    """`docs` (fx.Doc pages with their mentions) landed and built with dbt in `tmp`."""
    landing_db = tmp / "landing.duckdb"
    build_db = tmp / "build" / "warehouse.duckdb"
    build_db.parent.mkdir()
    fx.write_landing(landing_db, docs)
    result = fx.dbt_build(tmp, build_db, landing_db)
    return Built(build_db, result.success, result.failures)
