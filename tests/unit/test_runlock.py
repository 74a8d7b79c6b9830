"""One run per workdir: a second run is refused at once, naming the holder; a killed
holder (SIGKILL) leaves no lock behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ingest.runlock import WorkdirBusy, workdir_lock

ROOT = Path(__file__).resolve().parents[2]
HOLD = ("import sys, time\n"
        "from ingest.runlock import workdir_lock\n"
        "with workdir_lock(sys.argv[1], 'holder-run'):\n"
        "    print('held', flush=True)\n"
        "    time.sleep(120)\n")


def _holder(workdir: Path) -> subprocess.Popen[str]:
    p = subprocess.Popen([sys.executable, "-c", HOLD, str(workdir)], stdout=subprocess.PIPE,
                         text=True, cwd=ROOT)
    assert p.stdout is not None and p.stdout.readline().strip() == "held"
    return p


def test_a_second_run_on_a_held_workdir_exits_at_once_naming_the_holder(tmp_path: Path) -> None:
    work = tmp_path / "w"
    holder = _holder(work)
    try:
        t0 = time.monotonic()
        r = subprocess.run([sys.executable, "-m", "ingest.cli", "run", "--input",
                            str(ROOT / "samples" / "corpus"), "--workdir", str(work)],
                           capture_output=True, text=True, cwd=ROOT, timeout=120)
        elapsed = time.monotonic() - t0
    finally:
        holder.kill()
        holder.wait()
    assert r.returncode == 1, r.stderr
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "holder-run" in lines[0] and f"pid {holder.pid}" in lines[0], \
        r.stderr
    assert not (work / "landing.duckdb").exists()  # refused before anything was written
    assert elapsed < 20


def test_a_killed_holder_leaves_no_lock(tmp_path: Path) -> None:
    holder = _holder(tmp_path)
    with pytest.raises(WorkdirBusy, match="holder-run"), workdir_lock(tmp_path, "second"):
        pass
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    with workdir_lock(tmp_path, "after-the-kill"):
        assert "after-the-kill" in (tmp_path / ".zonewatch.lock").read_text()
