"""robots.txt governs every request of a source: the list pages, feeds and sitemaps
discovery starts from, not only articles; and its `*` / `$` wildcards are honoured."""

from __future__ import annotations

from pathlib import Path

from ingest.config import Paths
from ingest.fetch.source_fetch import fetch_source
from ingest.fetch.sources import Source
from tests.conftest import LocalServer, Reply

ROBOTS = b"User-agent: *\nDisallow: /list-*.html$\nDisallow: /*.pdf$\n"
HTML = (("Content-Type", "text/html; charset=utf-8"),)


def _source(srv: LocalServer, entry: str) -> Source:
    return Source(name="site", urls=(), allowed_hosts=("127.0.0.1",), encoding=None,
                  max_pages=None, allow_private=True, kind="list", entry=(srv.url(entry),),
                  link_selector="a", rate_limit=200.0, concurrency=2,
                  revisit_after_hours=0)


def test_a_disallowed_list_page_is_never_fetched(local_server: LocalServer,
                                                 tmp_path: Path) -> None:
    srv = local_server
    srv.route("/robots.txt", Reply(200, ROBOTS, (("Content-Type", "text/plain"),)))
    srv.route("/list-1.html", Reply(200, b'<a href="/a.html">a</a>', HTML))
    got = fetch_source(_source(srv, "/list-1.html"), Paths.create(tmp_path), "r1",
                       lambda _: None)
    assert srv.hits.get("/list-1.html", 0) == 0  # fetched before robots.txt was read
    assert got.discovered == 0 and got.discovery_errors == 1


def test_wildcard_rules_are_honoured_for_articles(local_server: LocalServer,
                                                  tmp_path: Path) -> None:
    srv = local_server
    srv.route("/robots.txt", Reply(200, ROBOTS, (("Content-Type", "text/plain"),)))
    srv.route("/list.html", Reply(200, b'<a href="/a.html">a</a> <a href="/b.pdf">b</a> '
                                       b'<a href="/c.pdf.html">c</a>', HTML))
    for path in ("/a.html", "/c.pdf.html"):
        srv.route(path, Reply(200, "<p>某区2024年签约项目12个。</p>".encode(), HTML))
    fetch_source(_source(srv, "/list.html"), Paths.create(tmp_path), "r1", lambda _: None)
    assert srv.hits.get("/list.html") == 1 and srv.hits.get("/a.html") == 1
    assert srv.hits.get("/b.pdf", 0) == 0  # `Disallow: /*.pdf$` (ignored before)
    assert srv.hits.get("/c.pdf.html") == 1  # `$`: only a path that ends there
