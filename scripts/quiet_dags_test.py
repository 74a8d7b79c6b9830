"""Read `airflow dags test` output on stdin; write all of it to a log file and print one
line per task (its state and seconds), plus what on-call must see: warnings and errors
from zonewatch and the tasks, a gate block, "nothing new", and the run's final state.
On a terminal the task that is running shows as one live line with its elapsed time (a
rich spinner, gone when the task's line is printed); into a pipe or a file, only the
lines above.

usage: airflow dags test … 2>&1 | python scripts/quiet_dags_test.py LOGFILE
(scripts/airflow_demo.sh does this unless VERBOSE=1.)
"""

from __future__ import annotations

import re
import sys
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

_TS = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?)Z?\s")
_START = re.compile(r"\[DAG TEST\] starting task_id=(?P<task>\S+) map_index=(?P<idx>-?\d+)")
_END = re.compile(r"\[DAG TEST\] end task task_id=(?P<task>\S+) map_index=(?P<idx>-?\d+)")
_STATE = re.compile(r"new_state=(?P<state>\w+)")
_SKIPPED = re.compile(r"Marking <TaskInstance: \S+?\.(?P<task>\S+) .*? as SKIPPED "
                      r"since (?P<why>.+?) \[")
_FINISHED = re.compile(r"DagRun Finished: .*?\bstate=(?P<state>\w+)")
# Lines worth a person's eye: a level of warning or worse; what zonewatch's own loggers
# say about the gate and publish; a block or a skip from anywhere.
_LEVEL = re.compile(r"\[(?P<level>warning|error|critical)\s*\]")
_OURS = re.compile(r"\[ingest\.[\w.]+\]")
_OURS_NOTABLE = ("gate ", "quarantined", "published ")
_ANYWHERE = ("GATE BLOCKED", "nothing new since")
# Airflow's own chatter under `dags test`: known and harmless.
_NOISE = ("DeprecationWarning", "DeprecatedImportWarning", "RemovedInAirflow", "graphviz",
          "No tasks to run. unrunnable tasks", "Returned value was", "with `starlette")


def _seconds(a: str | None, b: str | None) -> float | None:
    if not a or not b:
        return None
    return (datetime.fromisoformat(b) - datetime.fromisoformat(a)).total_seconds()


_REASON = re.compile(r"\breason='(?P<reason>[^']*)'")


def _message(line: str) -> str:
    """The log line without its timestamp, level and logger tail (but with its reason=)."""
    text = _TS.sub("", line).strip()
    text = re.sub(r"^\[\w+\s*\]\s*", "", text)
    reason = _REASON.search(text)
    text = re.sub(r"\s+\[[\w.]+\]\s+.*$", "", text)
    return (f"{text} {reason['reason']}" if reason else text)[:240]


class _Running:
    """The live line of the running task, on a terminal only (rich's Progress, transient:
    it leaves nothing behind in scrollback). `say` prints a line above it."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.live: Any = None
        self.task: Any = None
        if out.isatty():
            from rich.console import Console
            from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

            self.live = Progress(SpinnerColumn(), TextColumn("  {task.description}"),
                                 TimeElapsedColumn(), console=Console(file=out),
                                 transient=True, redirect_stdout=False,
                                 redirect_stderr=False)

    def start(self, name: str) -> None:
        if self.live is None:
            return
        self.stop()
        self.live.start()
        self.task = self.live.add_task(f"{name:<12} running")
        self.live.refresh()

    def stop(self) -> None:
        if self.live is not None and self.task is not None:
            self.live.remove_task(self.task)
            self.live.stop()
            self.task = None

    def say(self, text: str) -> None:
        if self.live is not None and self.task is not None:
            self.live.console.print(text, markup=False, highlight=False, soft_wrap=True)
        else:
            print(text, file=self.out, flush=True)


def quiet(lines: TextIO, log: TextIO, out: TextIO) -> str | None:
    """Copy `lines` to `log`, print the short view to `out`; the run's final state."""
    running = _Running(out)
    try:
        return _quiet(lines, log, running)
    finally:
        running.stop()


def _quiet(lines: TextIO, log: TextIO, running: _Running) -> str | None:
    started: dict[str, str | None] = {}
    state: dict[str, str] = {}
    current: str | None = None
    final: str | None = None
    for line in lines:
        log.write(line)
        ts_m = _TS.match(line)
        ts = ts_m.group(1) if ts_m else None
        if m := _START.search(line):
            current = m["task"] if m["idx"] == "-1" else f"{m['task']}[{m['idx']}]"
            started[current] = ts
            running.start(current)
            continue
        if current and (m := _STATE.search(line)):
            state[current] = m["state"]
            continue
        if m := _END.search(line):
            name = m["task"] if m["idx"] == "-1" else f"{m['task']}[{m['idx']}]"
            secs = _seconds(started.get(name), ts)
            took = f"{secs:6.1f}s" if secs is not None else ""
            running.stop()
            running.say(f"  {name:<12} {state.get(name, 'done'):<8} {took}")
            current = None
            continue
        if m := _SKIPPED.search(line):
            running.say(f"  {m['task']:<12} skipped  ({m['why']})")
            continue
        if m := _FINISHED.search(line):
            final = m["state"]
            running.say(f"run state={final}")
            continue
        if any(n in line for n in _NOISE):
            continue
        if _LEVEL.search(line) or any(n in line for n in _ANYWHERE) or (
                _OURS.search(line) and any(n in line for n in _OURS_NOTABLE)):
            running.say(f"    {_message(line)}")
    return final


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: quiet_dags_test.py LOGFILE", file=sys.stderr)
        return 2
    path = Path(argv[0])
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as log:
        quiet(sys.stdin, log, sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
