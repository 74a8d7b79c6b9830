"""Airflow for the DAG tests: a throwaway AIRFLOW_HOME, set before anything imports airflow,
so the tests never read or write ~/airflow."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DAGS_DIR = PROJECT_ROOT / "dags"

_HOME = tempfile.mkdtemp(prefix="zonewatch-airflow-")
atexit.register(shutil.rmtree, _HOME, True)
os.environ["AIRFLOW_HOME"] = _HOME
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(DAGS_DIR)
os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = f"sqlite:///{_HOME}/airflow.db"
os.environ.pop("AIRFLOW_CONN_ZONEWATCH_NOTIFY", None)


@pytest.fixture(scope="session")
def dagbag():
    try:
        from airflow.dag_processing.dagbag import DagBag
    except ImportError:  # older layout
        from airflow.models import DagBag
    return DagBag(dag_folder=str(DAGS_DIR))


@pytest.fixture(scope="session")
def pipeline_dag(dagbag):
    dag = dagbag.dags.get("zonewatch_pipeline")  # get_dag() would query the metadata db
    assert dag is not None, f"zonewatch_pipeline not loaded: {dagbag.import_errors}"
    return dag
