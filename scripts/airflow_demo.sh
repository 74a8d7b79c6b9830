#!/usr/bin/env bash
# One run of the zonewatch_pipeline DAG under a project-local Airflow (no scheduler, no
# webserver): `airflow dags test` runs land → process → dbt_build → gate → publish in this
# process against a SQLite metadata db in $PROJECT/.airflow.
#
# usage: scripts/airflow_demo.sh [--input DIR | --sources FILE] [--workdir DIR]
#                                [--warehouse PATH] [--logical-date YYYY-MM-DD]
# Defaults: $ZONEWATCH_INPUT or samples/corpus; workdir and warehouse those of the CLI and
#           the DAG (ingest.config: $ZONEWATCH_WORKDIR or the project's data/,
#           $ZONEWATCH_WAREHOUSE or <workdir>/warehouse.duckdb).
# Airflow state lives in $PROJECT/.airflow ($ZONEWATCH_AIRFLOW_HOME overrides; a global
# AIRFLOW_HOME is deliberately ignored so the demo never touches another Airflow).
# Exit code: that of `airflow dags test` (0 = the run succeeded, the warehouse is published).
# Output: one line per task (VERBOSE=1: everything); the whole log in
# $AIRFLOW_HOME/logs/dags-test-<UTC time>.log (dags-test-latest.log links the newest).
set -euo pipefail

PROJECT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

input="${ZONEWATCH_INPUT:-}"
sources="${ZONEWATCH_SOURCES:-}"
workdir=""    # empty: ingest.config's default, as for `zonewatch` and the DAG
warehouse=""
logical_date=""

die() { echo "airflow_demo: $*" >&2; exit 2; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    --input)        input="${2:?--input needs a DIR}"; sources=""; shift 2 ;;
    --sources)      sources="${2:?--sources needs a FILE}"; input=""; shift 2 ;;
    --workdir)      workdir="${2:?--workdir needs a DIR}"; shift 2 ;;
    --warehouse)    warehouse="${2:?--warehouse needs a PATH}"; shift 2 ;;
    --logical-date) logical_date="${2:?--logical-date needs a date}"; shift 2 ;;
    -h|--help)      sed -n '2,15p' "$0"; exit 0 ;;
    *)              die "unknown argument: $1" ;;
  esac
done
[[ -n "$input" || -n "$sources" ]] || input="$PROJECT/samples/corpus"
[[ -z "$input" || -d "$input" ]] || die "--input $input: not a directory"
[[ -z "$sources" || -f "$sources" ]] || die "--sources $sources: no such file"

# AIRFLOW, PY and the project-local Airflow environment (AIRFLOW_HOME and the rest).
source "$PROJECT/scripts/airflow_env.sh"

# Absolute paths (the tasks do not run from this directory); the workdir and warehouse
# nobody gave are ingest.config's defaults, the ones `zonewatch summary` reads.
conf="$(PYTHONPATH="$PROJECT${PYTHONPATH:+:$PYTHONPATH}" "$PY" -c '
import json, os, sys
from ingest.config import default_warehouse, default_workdir
inp, src, wd, wh = (os.path.abspath(a) if a else None for a in sys.argv[1:5])
wd = wd or str(default_workdir())
print(json.dumps({"input_dir": inp, "sources_file": src, "workdir": wd,
                  "warehouse": wh or str(default_warehouse(wd))}))' \
  "$input" "$sources" "$workdir" "$warehouse")" || die "could not read ingest.config"

echo "airflow_demo: AIRFLOW_HOME=$AIRFLOW_HOME" >&2
"$AIRFLOW" db migrate >"$AIRFLOW_HOME/db-migrate.log" 2>&1 \
  || { cat "$AIRFLOW_HOME/db-migrate.log" >&2; die "airflow db migrate failed"; }
# One slot: tasks that write DuckDB never overlap, across runs and DAGs.
"$AIRFLOW" pools set zonewatch_duckdb 1 "zonewatch: one DuckDB writer at a time" >/dev/null 2>&1 \
  || { echo "airflow_demo: could not create pool zonewatch_duckdb" >&2; }

# Quiet by default: one line per task, and the warnings, errors and gate lines; all of
# Airflow's output goes to the log file named below. VERBOSE=1 shows it all as it comes.
log="$AIRFLOW_HOME/logs/dags-test-$(date -u +%Y%m%dT%H%M%SZ).log"
mkdir -p "$AIRFLOW_HOME/logs"
echo "airflow_demo: airflow dags test zonewatch_pipeline -c '$conf'" >&2
set +e
if [[ "${VERBOSE:-0}" == 1 ]]; then
  "$AIRFLOW" dags test zonewatch_pipeline ${logical_date:+"$logical_date"} -c "$conf" 2>&1 \
    | tee "$log"
else
  "$AIRFLOW" dags test zonewatch_pipeline ${logical_date:+"$logical_date"} -c "$conf" 2>&1 \
    | "$PY" "$PROJECT/scripts/quiet_dags_test.py" "$log"
fi
rc=${PIPESTATUS[0]}
set -e
ln -sfn "$(basename "$log")" "$AIRFLOW_HOME/logs/dags-test-latest.log"
echo "airflow_demo: dags test exited $rc; full log: $log" >&2
exit "$rc"
