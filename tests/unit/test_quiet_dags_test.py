"""scripts/quiet_dags_test.py: the demo's short view of `airflow dags test` output."""

from __future__ import annotations

import importlib.util
import io
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "quiet_dags_test.py"
_spec = importlib.util.spec_from_file_location("quiet_dags_test", SCRIPT)
assert _spec and _spec.loader
quiet_mod = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(quiet_mod)

# Lines in the shape `airflow dags test` (3.x) prints, our own; a blocked gate run.
LOG = (Path(__file__).resolve().parents[1] / "fixtures" / "dags_test_output.log").read_text()


def test_one_line_per_task_and_what_on_call_must_see():
    log, out = io.StringIO(), io.StringIO()
    final = quiet_mod.quiet(io.StringIO(LOG), log, out)
    assert log.getvalue() == LOG  # the whole output reaches the log file
    lines = out.getvalue().splitlines()
    assert final == "failed"
    assert lines[0].split() == ["fetch[0]", "success", "2.6s"]
    assert any("GATE BLOCKED: publication stopped" in ln for ln in lines)
    assert any(ln.split()[:2] == ["gate", "failed"] for ln in lines)
    assert any(ln.strip().startswith("published /w/build") for ln in lines)
    assert lines[-1] == "run state=failed"
    text = out.getvalue()
    assert "graphviz" not in text and "No tasks to run" not in text
    assert "Returned value was" not in text
    assert any("Skipping task. nothing new since the published warehouse" in ln for ln in lines)
    assert len(lines) == 6


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_the_running_task_is_one_live_line():
    """A terminal sees the task that runs now, with its elapsed time (rich), and the same
    task lines after; a pipe (the test above) sees only the task lines."""
    import re

    out = _Terminal()
    final = quiet_mod.quiet(io.StringIO(LOG), io.StringIO(), out)
    assert final == "failed"
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", out.getvalue())
    assert re.search(r"fetch\[0\]\s+running\s+\d+:\d\d:\d\d", text), text
    assert re.search(r"gate\s+running", text)
    assert "run state=failed" in text
    plain = io.StringIO()
    quiet_mod.quiet(io.StringIO(LOG), io.StringIO(), plain)
    assert "running" not in plain.getvalue()
