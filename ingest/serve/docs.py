"""`dbt docs generate` for the published warehouse, and a local server for the site.

The site (index.html, manifest.json, catalog.json, and static_index.html with both
inlined, which opens from disk) lands in `<workdir>/docs/target/`. dbt-duckdb opens its
database read-write, so it reads a copy of the published warehouse, never the file BI
tools and the next publish use; the copy is deleted afterwards. The landing attachment is
an empty landing zone made from ingest/landing/landing.sql: the catalog needs only its
columns, and a running pipeline's lock on the real one cannot get in the way.
"""

from __future__ import annotations

import contextlib
import functools
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from ingest.config import ConfigError, Paths

__all__ = ["DocsSite", "docs_server", "generate_docs", "url_of"]

HOST = "127.0.0.1"


@dataclass(frozen=True)
class DocsSite:
    directory: Path  # index.html, manifest.json, catalog.json, static_index.html

    @property
    def index(self) -> Path:
        return self.directory / "index.html"

    @property
    def static_index(self) -> Path:
        return self.directory / "static_index.html"


def generate_docs(paths: Paths, out_dir: Path | None = None) -> DocsSite:
    """`dbt docs generate --static` against a copy of `paths.warehouse`, into
    `out_dir` (default `<workdir>/docs`) / target."""
    import duckdb

    from ingest.build.dbt_build import run_dbt
    from ingest.landing.store import DDL_PATH

    warehouse = paths.warehouse
    if not warehouse.is_file():
        raise ConfigError(f"no warehouse at {warehouse}; run `zonewatch run` (or `make demo`) "
                          "first, or give --warehouse PATH")
    work = (out_dir or paths.workdir / "docs").resolve()
    scratch = work / "db"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    # the same file name as the published one: the catalog's database is `warehouse`
    copy, landing = scratch / warehouse.name, scratch / "landing.duckdb"
    try:
        shutil.copyfile(warehouse, copy)
        try:
            duckdb.connect(str(copy), read_only=True).close()
        except duckdb.Error as exc:
            raise ConfigError(f"{warehouse}: not a readable DuckDB warehouse "
                              f"({str(exc).splitlines()[0]})") from exc
        con = duckdb.connect(str(landing))
        try:
            con.execute(DDL_PATH.read_text(encoding="utf-8"))
        finally:
            con.close()
        res = run_dbt("docs generate", copy, landing, work, extra_args=["--static"])
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    site = DocsSite(work / "target")
    if not res.success or not site.index.is_file():
        problems = "; ".join(res.errored_nodes) or "no index.html written"
        raise RuntimeError(f"dbt docs generate failed: {problems} (logs: {work / 'logs'})")
    return site


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib's name
        pass


@contextlib.contextmanager
def docs_server(site: DocsSite, port: int = 0) -> Iterator[ThreadingHTTPServer]:
    """An HTTP server for the site on 127.0.0.1 (port 0: a free one); the caller runs
    serve_forever() (or a thread does). Closed on exit."""
    handler = functools.partial(_QuietHandler, directory=str(site.directory))
    server = ThreadingHTTPServer((HOST, port), handler)
    try:
        yield server
    finally:
        server.server_close()


def url_of(server: ThreadingHTTPServer) -> str:
    host, port = server.server_address[:2]
    return f"http://{host!s}:{port}/"
