# zonewatch: one image for every Airflow component of docker-compose.yml (api-server,
# scheduler, dag-processor, triggerer, Celery workers, init). The Python environment is
# exactly uv.lock, like `make install`: `uv sync --frozen` refuses to run if pyproject.toml
# and uv.lock disagree, and never re-resolves.
#
#   docker build -t zonewatch-airflow .          (docker compose build does the same)
FROM python:3.11-slim

ARG UV_VERSION=0.13.8
ARG AIRFLOW_UID=50000

ENV PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    UV_PYTHON=/usr/local/bin/python3.11 \
    UV_PYTHON_DOWNLOADS=never \
    UV_LINK_MODE=copy \
    UV_COMPILE_BYTECODE=1 \
    UV_NO_CACHE=1

# uv itself, pinned to the version the Makefile uses.
RUN pip install "uv==${UV_VERSION}"

WORKDIR /app

# 1) Dependencies only, from the lock file: this layer is rebuilt only when pyproject.toml
#    or uv.lock change, not on every code edit. No dev group (pytest, ruff, mypy).
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project --compile-bytecode

# 2) The project. It is installed editable on purpose: ingest.config.PROJECT_ROOT is the
#    directory above the `ingest` package, and the pipeline finds dbt_project/,
#    expectations/ and samples/ there, so `ingest` must be imported from /app, not from a
#    copy in site-packages.
COPY . .
RUN uv sync --frozen --no-dev --compile-bytecode

# Non-root runtime user (uid 50000, as in the official Airflow image). /app stays owned
# by root and read-only for it: the pipeline writes only under ZONEWATCH_WORKDIR, the
# warehouse directory and AIRFLOW_HOME. The mount points are created here, owned by the
# user, so that empty named volumes mounted on them start with the same ownership.
RUN groupadd --gid "${AIRFLOW_UID}" airflow \
 && useradd --uid "${AIRFLOW_UID}" --gid airflow --home-dir /opt/airflow --no-create-home \
      --shell /bin/bash airflow \
 && mkdir -p /opt/airflow/logs /opt/airflow/auth /data/work /data/warehouse \
 && chown -R airflow:airflow /opt/airflow /data

ENV PATH=/opt/venv/bin:$PATH \
    VIRTUAL_ENV=/opt/venv \
    AIRFLOW_HOME=/opt/airflow \
    AIRFLOW__CORE__DAGS_FOLDER=/app/dags \
    AIRFLOW__CORE__LOAD_EXAMPLES=False \
    ZONEWATCH_WORKDIR=/data/work \
    ZONEWATCH_WAREHOUSE=/data/warehouse/warehouse.duckdb \
    DBT_SEND_ANONYMOUS_USAGE_STATS=False \
    GX_ANALYTICS_ENABLED=false

USER airflow
WORKDIR /opt/airflow
EXPOSE 8080

# No entrypoint wrapper: each compose service names its command (`airflow scheduler`, ...).
CMD ["airflow", "version"]
