"""The multi-process topology tests (`-m topology`): real scheduler, dag-processor,
api-server and Celery workers against the machine's PostgreSQL and Redis."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "topology: starts the Airflow scheduler, dag-processor, api-server and two Celery "
        "workers against the local PostgreSQL and Redis (about a minute; fails, never "
        "skips, when either service is unreachable)",
    )
