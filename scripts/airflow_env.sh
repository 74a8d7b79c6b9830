# The project-local Airflow environment, sourced by scripts/airflow_demo.sh (`make demo`)
# and scripts/airflow_local.sh (`make airflow`) so that both see the same Airflow:
#
#   PROJECT      the repository root
#   AIRFLOW, PY  the project venv's `airflow` and `python` (else those on PATH)
#   AIRFLOW_HOME $ZONEWATCH_AIRFLOW_HOME, else $PROJECT/.airflow (a global AIRFLOW_HOME is
#                deliberately ignored: these scripts never touch another Airflow)
#   the DAGs folder $PROJECT/dags, no example DAGs, the SQLite metadata db
#   $AIRFLOW_HOME/airflow.db, logging level INFO unless AIRFLOW__LOGGING__LOGGING_LEVEL says
#   otherwise. The environment variables win over whatever $AIRFLOW_HOME/airflow.cfg holds.
#
# Needs bash; returns 2 with one line on stderr when no `airflow` is installed.

PROJECT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

if [[ -x "$PROJECT/.venv/bin/airflow" ]]; then
  AIRFLOW="$PROJECT/.venv/bin/airflow"; PY="$PROJECT/.venv/bin/python"
else
  AIRFLOW="$(command -v airflow)" || {
    echo "$(basename "$0" .sh): airflow not found (run \`make install\` first)" >&2
    return 2 2>/dev/null || exit 2
  }
  PY="$(command -v python3)"
fi

export AIRFLOW_HOME="${ZONEWATCH_AIRFLOW_HOME:-$PROJECT/.airflow}"
export AIRFLOW__CORE__LOAD_EXAMPLES=False
export AIRFLOW__CORE__DAGS_FOLDER="$PROJECT/dags"
export AIRFLOW__DATABASE__SQL_ALCHEMY_CONN="sqlite:///$AIRFLOW_HOME/airflow.db"
export AIRFLOW__LOGGING__LOGGING_LEVEL="${AIRFLOW__LOGGING__LOGGING_LEVEL:-INFO}"
mkdir -p "$AIRFLOW_HOME"
