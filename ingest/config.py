"""Where a run reads and writes: one frozen value passed to every step."""

from __future__ import annotations

import logging
import os
import re
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

__all__ = [
    "PROJECT_ROOT",
    "ConfigError",
    "Paths",
    "RunConfig",
    "default_warehouse",
    "default_workdir",
    "new_run_id",
    "run_id_from_airflow",
]

logger = logging.getLogger(__name__)
logger.addHandler(logging.NullHandler())

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
SEEDS_DIR = DBT_PROJECT_DIR / "seeds"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"
# The largest page kept, fetched or read from --input (decompressed bytes).
MAX_PAGE_BYTES = 10_000_000


# The one default workdir and warehouse of the CLI, the DAG and `make demo` (read at call
# time, so the environment of the moment wins): $ZONEWATCH_WORKDIR, else data/ in the
# project; $ZONEWATCH_WAREHOUSE, else warehouse.duckdb in the workdir.
WORKDIR_ENV = "ZONEWATCH_WORKDIR"
WAREHOUSE_ENV = "ZONEWATCH_WAREHOUSE"
DEFAULT_WORKDIR = PROJECT_ROOT / "data"


class ConfigError(ValueError):
    """Bad arguments or configuration: the CLI prints it on one line and exits 2."""


def default_workdir() -> Path:
    """The workdir when none is given: $ZONEWATCH_WORKDIR, else the project's data/."""
    env = os.environ.get(WORKDIR_ENV)
    return Path(env).expanduser().resolve() if env else DEFAULT_WORKDIR


def default_warehouse(workdir: str | Path | None = None) -> Path:
    """The published warehouse when none is given: $ZONEWATCH_WAREHOUSE, else
    `warehouse.duckdb` in `workdir` (itself defaulting to default_workdir())."""
    env = os.environ.get(WAREHOUSE_ENV)
    if env:
        return Path(env).expanduser().resolve()
    wd = Path(workdir).expanduser().resolve() if workdir else default_workdir()
    return wd / "warehouse.duckdb"


def new_run_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:6]


def run_id_from_airflow(airflow_run_id: str | None) -> str | None:
    """The project's run id for an Airflow run id (`manual__2026-12-02T14:00:00+00:00`,
    `scheduled__…`, `backfill__…`, a `dags test` run): the characters a path or a file
    name may not hold become `_` (the run id names `reports/<run_id>/`). None: no id."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", airflow_run_id or "").strip("_") or None


@dataclass(frozen=True)
class Paths:
    """Every file a run touches, absolute."""

    workdir: Path
    warehouse: Path

    @classmethod
    def create(cls, workdir: str | Path | None = None,
               warehouse: str | Path | None = None) -> Paths:
        """None: the defaults (default_workdir(), default_warehouse())."""
        wd = Path(workdir).expanduser().resolve() if workdir else default_workdir()
        wh = Path(warehouse).expanduser().resolve() if warehouse else default_warehouse(wd)
        return cls(workdir=wd, warehouse=wh)

    @property
    def raw_dir(self) -> Path:
        return self.workdir / "raw"

    @property
    def landing_db(self) -> Path:
        return self.workdir / "landing.duckdb"

    @property
    def build_dir(self) -> Path:
        return self.workdir / "build"

    @property
    def build_db(self) -> Path:
        return self.build_dir / "warehouse.duckdb"

    @property
    def reports_dir(self) -> Path:
        return self.workdir / "reports"

    def ensure(self) -> None:
        for d in (self.workdir, self.raw_dir, self.build_dir, self.reports_dir,
                  self.warehouse.parent):
            d.mkdir(parents=True, exist_ok=True)


@dataclass(frozen=True)
class RunConfig:
    """One run: where the pages come from and where everything goes."""

    workdir: str
    warehouse: str
    sources_file: str | None = None
    input_dir: str | None = None
    run_id: str = field(default_factory=new_run_id)

    def __post_init__(self) -> None:
        if bool(self.sources_file) == bool(self.input_dir):
            raise ConfigError("give exactly one of --sources FILE or --input DIR")
        if self.input_dir and not Path(self.input_dir).is_dir():
            raise ConfigError(f"--input {self.input_dir}: not a directory")
        if self.sources_file and not Path(self.sources_file).is_file():
            raise ConfigError(f"--sources {self.sources_file}: no such file")

    @property
    def paths(self) -> Paths:
        return Paths.create(self.workdir, self.warehouse)

    @property
    def report_dir(self) -> Path:
        return self.paths.reports_dir / self.run_id

    def to_dict(self) -> dict[str, str | None]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, str | None]) -> RunConfig:
        return cls(**{k: v for k, v in d.items() if k in cls.__dataclass_fields__})  # type: ignore[arg-type]

    @classmethod
    def create(cls, *, workdir: str | Path | None = None, warehouse: str | Path | None = None,
               sources_file: str | Path | None = None, input_dir: str | Path | None = None,
               run_id: str | None = None) -> RunConfig:
        p = Paths.create(workdir, warehouse)
        kw: dict[str, str] = {}
        if run_id:
            kw["run_id"] = run_id
        return cls(
            workdir=str(p.workdir), warehouse=str(p.warehouse),
            sources_file=str(Path(sources_file).resolve()) if sources_file else None,
            input_dir=str(Path(input_dir).resolve()) if input_dir else None, **kw,
        )

