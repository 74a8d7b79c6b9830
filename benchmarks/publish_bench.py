"""Publish cost: `ingest.serve.publish.publish` (checkpoint, fsync, rename the build copy)
against the copy it replaced (the same checkpoint, then a temp copy beside the warehouse,
fsync, rename: `publish._copy_into_place`, still the path across filesystems), on the same
DuckDB build file in the same run. The file's page cache is dropped from neither, so the
copy's figure is the cheap case (no read from disk).

`python -m benchmarks.publish_bench [--mb N] [--repeat R]`; `benchmarks.run` calls
`bench_publish`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

__all__ = ["bench_publish", "format_publish"]


def _make_build(path: Path, mb: int) -> None:
    """A DuckDB file of about `mb` MiB (random strings do not compress away)."""
    import duckdb

    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    con = duckdb.connect(str(path))
    try:
        rows = mb * 1024 * 1024 // 100  # about 100 bytes a row once stored
        con.execute("create table fct_blob as select range as id, "
                    "md5(range::varchar) || md5((range * 7)::varchar) || "
                    "md5((range * 13)::varchar) || md5((range * 31)::varchar) as pad, "
                    "md5((range * 17)::varchar) || md5((range * 3)::varchar) as pad2 "
                    "from range(?)", [rows])
        con.execute("checkpoint")
    finally:
        con.close()


def _one(workdir: Path, mb: int, how: str) -> float:
    from ingest.serve import publish as pub

    build = workdir / "build" / "warehouse.duckdb"
    warehouse = workdir / "warehouse.duckdb"
    _make_build(build, mb)
    t = time.perf_counter()
    if how == "rename":
        pub.publish(build, warehouse)
    else:  # the copy path, exactly as publish takes it across filesystems
        pub._checkpoint(build.resolve())
        pub._copy_into_place(build.resolve(), warehouse.resolve())
        pub.fsync_dir(warehouse.parent)
    return time.perf_counter() - t


def bench_publish(mb: int = 256, repeat: int = 3) -> dict[str, Any]:
    """Median seconds of `repeat` publishes of an `mb`-MiB build, rename against copy,
    interleaved."""
    times: dict[str, list[float]] = {"rename": [], "copy": []}
    with tempfile.TemporaryDirectory(prefix="zonewatch-publish-bench-") as tmp:
        for i in range(repeat):
            for how in ("copy", "rename") if i % 2 else ("rename", "copy"):
                times[how].append(_one(Path(tmp) / how, mb, how))
        size = (Path(tmp) / "rename" / "warehouse.duckdb").stat().st_size
    rename, copy = statistics.median(times["rename"]), statistics.median(times["copy"])
    return {"file_mb": round(size / 2**20, 1), "repeat": repeat,
            "rename_s": round(rename, 3), "copy_s": round(copy, 3),
            "copy_over_rename": round(copy / rename, 1) if rename else None}


def format_publish(r: dict[str, Any]) -> str:
    return (f"Publish a {r['file_mb']} MB build copy (median of {r['repeat']}): rename "
            f"{r['rename_s']} s, copy (the old way, still across filesystems) {r['copy_s']} s "
            f"= {r['copy_over_rename']}x the rename")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.publish_bench")
    ap.add_argument("--mb", type=int, default=256)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    r = bench_publish(args.mb, args.repeat)
    print(json.dumps(r))
    print(format_publish(r))
    return 0


if __name__ == "__main__":
    sys.exit(main())
