#!/usr/bin/env bash
# `make airflow`: zonewatch on a schedule, on this machine. Starts a project-local Airflow
# (scripts/airflow_env.sh: $PROJECT/.airflow, the project's dags/, no examples, SQLite)
# as its separate components, bound to 127.0.0.1: api-server (UI and REST API), scheduler
# (LocalExecutor: tasks run as its child processes), dag-processor and triggerer.
#
# usage: scripts/airflow_local.sh            (Ctrl-C stops it)
# Environment: ZONEWATCH_AIRFLOW_PORT (default 8080), ZONEWATCH_AIRFLOW_HOME (default
#   $PROJECT/.airflow), ZONEWATCH_INPUT / ZONEWATCH_SOURCES / ZONEWATCH_WORKDIR /
#   ZONEWATCH_WAREHOUSE (the DAG's default params, as for `zonewatch` and `make demo`),
#   ZONEWATCH_AIRFLOW_STARTUP_TIMEOUT (seconds for the api-server and the DAGs; 180).
# Steps: `airflow db migrate`; the pool zonewatch_duckdb (1 slot); the four components,
#   each in its own session, logging to $AIRFLOW_HOME/logs/<component>.log; once
#   the dag-processor has parsed them, every zonewatch DAG unpaused; then the URL and the
#   admin login (simple auth manager: user admin, password generated once by the
#   api-server into $AIRFLOW_HOME/simple_auth_manager_passwords.json.generated).
# SQLite is for a local trial only: one writer at a time (a busy scheduler can log
#   "database is locked" and retry), one machine; a deployment uses PostgreSQL
#   (docker-compose.yml).
# Exit: 0 after Ctrl-C (SIGINT or SIGTERM): every component is stopped (SIGTERM, SIGKILL
#   after STOP_GRACE_S) and so is every process they started, running tasks too (found by
#   session id: only a process that calls setsid() itself would escape); 1 when a
#   component exits or does not come up (one line naming it and its log); 2 for a setup
#   error (busy port, failed db migrate).
set -euo pipefail

# Airflow, PY, AIRFLOW_HOME and the rest, the same as `make demo`.
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/airflow_env.sh"

ME=airflow_local
PORT="${ZONEWATCH_AIRFLOW_PORT:-8080}"
HOST=127.0.0.1
URL="http://$HOST:$PORT"
LOGS="$AIRFLOW_HOME/logs"
STARTUP_TIMEOUT_S="${ZONEWATCH_AIRFLOW_STARTUP_TIMEOUT:-180}"
STOP_GRACE_S=8  # the triggerer can wait longer than this for its triggers: SIGKILL
COMPONENTS=(api-server scheduler dag-processor triggerer)
PASSWORDS="$AIRFLOW_HOME/simple_auth_manager_passwords.json.generated"

exec 3>&2  # the terminal's stderr: stop() silences bash's "Killed" job notices on fd 2
say() { echo "$ME: $*" >&3; }
die() { say "$*"; exit 2; }

[[ "$PORT" =~ ^[0-9]+$ ]] || die "ZONEWATCH_AIRFLOW_PORT=$PORT: not a port number"
mkdir -p "$LOGS"

export AIRFLOW__CORE__EXECUTOR=LocalExecutor
# New zonewatch DAGs start unpaused; the ones already known are unpaused below.
export AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION=False
export AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS=admin:admin
export AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE="$PASSWORDS"
export AIRFLOW__API__HOST="$HOST"
export AIRFLOW__API__PORT="$PORT"
export AIRFLOW__API__BASE_URL="$URL"
export AIRFLOW__API__WORKERS="${AIRFLOW__API__WORKERS:-1}"
export AIRFLOW__CORE__EXECUTION_API_SERVER_URL="$URL/execution/"
NAP=""

"$PY" - "$HOST" "$PORT" 2>/dev/null <<'EOF' || die "port $PORT on 127.0.0.1 is in use: stop what holds it or set ZONEWATCH_AIRFLOW_PORT"
import socket, sys
with socket.socket() as s:
    s.bind((sys.argv[1], int(sys.argv[2])))
EOF

say "AIRFLOW_HOME=$AIRFLOW_HOME"
"$AIRFLOW" db migrate >"$LOGS/db-migrate.log" 2>&1 \
  || die "airflow db migrate failed (log: $LOGS/db-migrate.log)"
# One slot: tasks that write DuckDB never overlap, across runs and DAGs.
"$AIRFLOW" pools set zonewatch_duckdb 1 "zonewatch: one DuckDB writer at a time" \
  >"$LOGS/pools.log" 2>&1 || die "could not create pool zonewatch_duckdb (log: $LOGS/pools.log)"

declare -A PID=()

session_pids() {  # live processes in the components' sessions, wherever they are now
  local sids   # (task runners setpgid out of their parent's group and outlive it)
  sids="$(IFS=,; echo "${PID[*]}")"
  [[ -n "$sids" ]] || return 0
  ps -o pid=,stat= -s "$sids" 2>/dev/null | awk '$2 !~ /^Z/ {print $1}' || true
}

stopping=0
stop() {  # SIGTERM to each component's group, then SIGKILL to whatever is left in their sessions
  [[ $stopping == 1 ]] && return
  stopping=1
  trap '' INT TERM
  exec 2>/dev/null
  [[ -n "$NAP" ]] && kill "$NAP" 2>/dev/null || true
  local name pid left deadline
  for name in "${COMPONENTS[@]}"; do
    pid="${PID[$name]:-}"
    [[ -n "$pid" ]] && kill -TERM -- "-$pid" 2>/dev/null || true
  done
  deadline=$((SECONDS + STOP_GRACE_S))
  while left="$(session_pids)"; [[ -n "$left" && $SECONDS -lt $deadline ]]; do sleep 0.5; done
  for _ in 1 2 3 4 5; do
    left="$(session_pids)"
    [[ -z "$left" ]] && break
    # shellcheck disable=SC2086
    kill -KILL $left 2>/dev/null || true
    sleep 0.3
  done
  wait 2>/dev/null || true
  left="$(session_pids)"
  [[ -z "$left" ]] || say "still running after SIGKILL: $(echo $left)"
}

on_signal() { say "stopping (Ctrl-C)"; stop; say "stopped"; exit 0; }
fatal() { say "$*"; stop; exit 1; }
trap on_signal INT TERM
trap stop EXIT

# start NAME ARGS...: in its own session (its pid is the session id), so a Ctrl-C reaches
# only this script, and stop() finds every process it started, even reparented ones.
start() {
  local name="$1"; shift
  setsid "$AIRFLOW" "$@" </dev/null >"$LOGS/$name.log" 2>&1 3>&- &
  PID[$name]=$!
  say "$name started (pid ${PID[$name]}), log: $LOGS/$name.log"
}

check_alive() {
  local name rc
  for name in "${COMPONENTS[@]}"; do
    if ! kill -0 "${PID[$name]}" 2>/dev/null; then
      rc=0; wait "${PID[$name]}" 2>/dev/null || rc=$?
      fatal "$name exited (status $rc); see its log: $LOGS/$name.log"
    fi
  done
}

nap() { sleep "$1" & NAP=$!; wait "$NAP" || true; NAP=""; }  # a sleep that a trapped signal interrupts

start api-server api-server --host "$HOST" --port "$PORT" --workers "$AIRFLOW__API__WORKERS"
start scheduler scheduler
start dag-processor dag-processor
start triggerer triggerer

healthy() {
  "$PY" - "$URL/api/v2/monitor/health" <<'EOF' >/dev/null 2>&1
import sys, urllib.request
with urllib.request.urlopen(sys.argv[1], timeout=3) as r:
    sys.exit(0 if r.status == 200 else 1)
EOF
}
deadline=$((SECONDS + STARTUP_TIMEOUT_S))
until healthy; do
  check_alive
  ((SECONDS < deadline)) || fatal "api-server did not answer on $URL within ${STARTUP_TIMEOUT_S}s; see its log: $LOGS/api-server.log"
  nap 1
done

zonewatch_dags() {  # the zonewatch DAG ids the dag-processor has written to the db
  "$AIRFLOW" dags list -o json 2>/dev/null | "$PY" -c '
import json, sys
lines = [ln for ln in sys.stdin.read().splitlines() if ln.startswith("[")]
print(" ".join(d["dag_id"] for d in (json.loads(lines[-1]) if lines else [])
               if d["dag_id"].startswith("zonewatch")))'
}
until dags="$(zonewatch_dags)"; [[ -n "$dags" ]]; do
  check_alive
  ((SECONDS < deadline)) || fatal "dag-processor parsed no zonewatch DAG within ${STARTUP_TIMEOUT_S}s; see its log: $LOGS/dag-processor.log (and \`airflow dags list-import-errors\`)"
  nap 2
done
"$AIRFLOW" dags unpause --treat-dag-id-as-regex -y '^zonewatch' >"$LOGS/unpause.log" 2>&1 \
  || fatal "could not unpause the zonewatch DAGs ($dags); see $LOGS/unpause.log"

password="$("$PY" -c 'import json, sys; print(json.load(open(sys.argv[1]))["admin"])' \
  "$PASSWORDS" 2>/dev/null)" || fatal "api-server wrote no password for admin to $PASSWORDS"

cat >&3 <<EOF
$ME: ready. DAGs unpaused: $dags
  UI:     $URL   (log in as admin, password $password; kept in $PASSWORDS)
  logs:   $LOGS/{api-server,scheduler,dag-processor,triggerer}.log; task logs in
          $LOGS/dag_id=<dag>/run_id=<run>/task_id=<task>/ (and in the UI)
  SQLite metadata db ($AIRFLOW_HOME/airflow.db): a local trial, one machine, one writer.
  Ctrl-C stops every component.
EOF

while true; do
  check_alive
  nap 2
done
