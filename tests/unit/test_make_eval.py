"""`make eval` in a clone without ../shared says it is skipped, in one line, and exits 0."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

MAKEFILE = Path(__file__).resolve().parents[2] / "Makefile"


@pytest.mark.skipif(shutil.which("make") is None, reason="no make")
def test_make_eval_skips_without_shared(tmp_path: Path) -> None:
    clone = tmp_path / "clone"  # tmp_path/shared does not exist
    clone.mkdir()
    out = subprocess.run(["make", "-s", "-f", str(MAKEFILE), "-o", "install", "eval"],
                         cwd=clone, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines() == [
        "eval: skipped, no ../shared/gold/seeds.jsonl and ../shared/corpus/seeds beside "
        "this clone"]
