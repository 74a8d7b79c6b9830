"""One run per workdir: an exclusive OS file lock on `<workdir>/.zonewatch.lock`.

The lock is taken for a whole CLI run, and by every DAG task that writes the landing zone,
the build copy or the warehouse. A second run exits at once with one line naming the
holder (its run id, pid and since when, written into the lock file). A run that is
killed, even with SIGKILL, holds nothing: the OS releases `flock` with the process.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

__all__ = ["LOCK_NAME", "WorkdirBusy", "workdir_lock"]

LOCK_NAME = ".zonewatch.lock"


class WorkdirBusy(RuntimeError):
    """Another run holds the workdir."""


def _holder(fd: int) -> str:
    os.lseek(fd, 0, os.SEEK_SET)
    raw = os.read(fd, 4096)
    try:
        h = json.loads(raw.decode("utf-8"))
        return f"run {h['run_id']} (pid {h['pid']}, since {h['since']})"
    except (ValueError, KeyError, TypeError):
        return "another run (no holder recorded yet)"


@contextlib.contextmanager
def workdir_lock(workdir: str | Path, run_id: str) -> Iterator[None]:
    """Hold the workdir for the block; WorkdirBusy at once when another run holds it."""
    directory = Path(workdir)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise WorkdirBusy(f"workdir {directory} is in use by {_holder(fd)}; wait for it "
                              f"to finish (or stop it) and run again") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps({"run_id": run_id, "pid": os.getpid(),
                                  "since": datetime.now(UTC).isoformat(timespec="seconds")}
                                 ).encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
