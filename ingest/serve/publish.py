"""Publish the build copy: checkpoint it, then atomically replace the warehouse file.

Readers (BI tools) open the published file read-only. `os.replace` swaps the
directory entry in one step, so a reader sees either the old complete file or
the new complete file: one that already has it open keeps reading the old inode.

The build copy itself becomes the warehouse (renamed, not copied): the next build starts
from a fresh copy of the warehouse anyway, so a second copy here only cost time (9 s for
a 3 GB warehouse). Only where the two live on different filesystems is it copied.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import shutil
import tempfile
from pathlib import Path

from ingest.landing.raw import fsync_dir

__all__ = ["publish", "file_digest", "PublishError"]

logger = logging.getLogger(__name__)
logger.addHandler(logging.NullHandler())

_CHUNK = 1 << 20


class PublishError(RuntimeError):
    """The build copy could not be published; the published file is untouched."""


def file_digest(path: str | Path) -> str:
    """sha256 of the file's bytes, hex."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(_CHUNK), b""):
            h.update(chunk)
    return h.hexdigest()


def _checkpoint(build_db: Path) -> None:
    """Fold the WAL into the database file so the single file is the whole warehouse."""
    import duckdb  # lazy: keeps `import ingest.serve.publish` cheap

    con = duckdb.connect(str(build_db))
    try:
        con.execute("CHECKPOINT")
    finally:
        con.close()
    wal = build_db.with_name(build_db.name + ".wal")
    if wal.exists() and wal.stat().st_size > 0:
        raise PublishError(f"{wal} still holds data after CHECKPOINT; is another process writing?")


def _remove_stale_temp_files(warehouse: Path) -> None:
    """Temp copies a killed publish left beside the warehouse (`.<name>.*.tmp`): the run
    holding the workdir lock is the only publisher, so any that exist are orphans."""
    for stale in warehouse.parent.glob(f".{warehouse.name}.*.tmp"):
        logger.warning("removing %s, left by a publish that was killed mid-copy", stale)
        with contextlib.suppress(FileNotFoundError):
            stale.unlink()


def publish(build_db: Path, warehouse: Path) -> None:
    """Make `build_db` the published warehouse at `warehouse`, atomically.

    Steps: CHECKPOINT the build copy (no .wal left), fsync it, `os.replace` it onto
    `warehouse` (the build copy is gone afterwards), fsync both directories. Across
    filesystems the rename cannot be atomic, so the copy goes to a temp file beside the
    warehouse first and that is renamed. On any error the published file is left as it was.
    """
    build_db = Path(build_db).resolve()
    warehouse = Path(warehouse).resolve()
    if not build_db.is_file():
        raise PublishError(f"build copy {build_db} does not exist")
    if build_db == warehouse:
        raise PublishError("build copy and warehouse are the same file")
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_temp_files(warehouse)

    _checkpoint(build_db)
    if _same_filesystem(build_db, warehouse.parent):
        with open(build_db, "rb+") as f:
            os.fsync(f.fileno())
        os.chmod(build_db, 0o644)
        _drop_stale_wal(warehouse)
        os.replace(build_db, warehouse)
        fsync_dir(build_db.parent)
    else:
        _copy_into_place(build_db, warehouse)
    fsync_dir(warehouse.parent)
    logger.info("published %s -> %s", build_db, warehouse)


def _same_filesystem(a: Path, b: Path) -> bool:
    return a.stat().st_dev == b.stat().st_dev


def _drop_stale_wal(warehouse: Path) -> None:
    """Nobody writes the published file, so it has no WAL; a stale one (someone opened it
    read-write) would be replayed onto the new file, so it goes first."""
    stale_wal = warehouse.with_name(warehouse.name + ".wal")
    if stale_wal.exists():
        logger.warning("removing stale %s left by a writer of the published file", stale_wal)
        stale_wal.unlink()


def _copy_into_place(build_db: Path, warehouse: Path) -> None:
    """Copy to a temp file beside `warehouse`, fsync it, rename it onto `warehouse`."""
    fd, tmp_name = tempfile.mkstemp(prefix=f".{warehouse.name}.", suffix=".tmp",
                                    dir=warehouse.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as dst, open(build_db, "rb") as src:
            shutil.copyfileobj(src, dst, _CHUNK)
            dst.flush()
            os.fsync(dst.fileno())
        os.chmod(tmp, 0o644)
        _drop_stale_wal(warehouse)
        os.replace(tmp, warehouse)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
