"""The multi-process topology tests (`-m topology`): real scheduler, dag-processor,
api-server and Celery workers against throwaway PostgreSQL and Redis servers (the
`postgres_server` and `redis_server` fixtures of tests/conftest.py)."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "topology: starts the Airflow scheduler, dag-processor, api-server and two Celery "
        "workers against throwaway PostgreSQL and Redis servers on free 127.0.0.1 ports "
        "(about a minute; skipped when initdb/postgres or redis-server is not installed)",
    )
