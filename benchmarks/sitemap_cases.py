"""The sitemap fault cases, as data, and zonewatch's walker run over them.

Each `Case` builds its documents for a base URL (`docs(base, foreign)` -> path -> bytes),
names the entry document, and states what a correct, safe walker returns: the pages (path
and `lastmod` date) and whether it should report something (an error, a limit, a loop).
The expectations are zonewatch's contract (tests/unit/test_discover.py); `basis` says,
for each case, whether it is a fault every walker must survive ("fault") or a policy
choice another parser may defensibly make differently ("policy").

`benchmarks.sitemap_peer` gives the same cases to ultimate-sitemap-parser;
tests/unit/test_sitemap_peer_cases.py checks the expectations against `run_zonewatch`, so
they cannot drift from the code. Nothing here imports usp.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from ingest.fetch.discover import DiscoveryStats, discover
from ingest.fetch.sources import Source

__all__ = ["CASES", "Case", "Outcome", "ZW_BASE", "ZW_FOREIGN", "run_zonewatch"]

ZW_BASE = "https://example.gov.cn"  # where zonewatch's fake `get` serves the documents
ZW_FOREIGN = "https://evil.example.com"  # a host the source does not allow
NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
Page = tuple[str, date | None]  # path, lastmod date


def urlset(base: str, *pages: tuple[str, str | None]) -> bytes:
    """A `<urlset>` listing `base + path` with an optional `<lastmod>` each."""
    items = "".join(f"<url><loc>{base}{p}</loc>" + (f"<lastmod>{m}</lastmod>" if m else "")
                    + "</url>" for p, m in pages)
    return f'<?xml version="1.0" encoding="UTF-8"?><urlset {NS}>{items}</urlset>'.encode()


def index(*locs: str) -> bytes:
    """A `<sitemapindex>` listing the absolute URLs `locs`."""
    items = "".join(f"<sitemap><loc>{u}</loc></sitemap>" for u in locs)
    return (f'<?xml version="1.0" encoding="UTF-8"?><sitemapindex {NS}>{items}'
            "</sitemapindex>").encode()


def gzip_bomb(size: int) -> bytes:
    """gzip of `size` zero bytes, built in 1 MiB chunks (never holding `size` bytes)."""
    c = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(1 << 20)
    out = [c.compress(block) for _ in range(size >> 20)]
    out.append(c.flush())
    return b"".join(out)


Docs = Callable[[str, str], dict[str, bytes]]


@dataclass(frozen=True)
class Case:
    """One input: documents by path, the entry path, and the expected result."""

    name: str
    docs: Docs = field(repr=False)
    entry: str
    pages: tuple[Page, ...]
    reports: bool  # a correct walker says something is wrong (error, limit or loop)
    basis: str  # "fault" or "policy"
    note: str


def _urlset_docs(b: str, f: str) -> dict[str, bytes]:
    return {"/sitemap.xml": urlset(b, ("/a.html", "2024-03-20"), ("/b.html", None),
                                   ("/c.html", "2024-01-05"))}


def _index_docs(b: str, f: str) -> dict[str, bytes]:
    return {"/index.xml": index(f"{b}/i2.xml", f"{b}/s1.xml"),
            "/i2.xml": index(f"{b}/s2.xml"),
            "/s1.xml": urlset(b, ("/a.html", None)),
            "/s2.xml": urlset(b, ("/deep.html", None))}


def _deep_docs(b: str, f: str) -> dict[str, bytes]:
    docs = {f"/d{i}.xml": index(f"{b}/d{i + 1}.xml") for i in range(1, 15)}
    docs["/d15.xml"] = urlset(b, ("/bottom.html", None))
    return docs


def _gzip_docs(b: str, f: str) -> dict[str, bytes]:
    return {"/index.xml": index(f"{b}/s1.xml.gz", f"{b}/s2.xml.gz", f"{b}/s3"),
            "/s1.xml.gz": gzip.compress(urlset(b, ("/a.html", None))),
            "/s2.xml.gz": urlset(b, ("/b.html", None)),  # .gz already decoded in transit
            "/s3": gzip.compress(urlset(b, ("/c.html", None)))}  # gzip by magic bytes only


def _bomb_docs(size: int) -> Docs:
    def docs(b: str, f: str) -> dict[str, bytes]:
        return {"/index.xml": index(f"{b}/bomb.xml.gz", f"{b}/ok.xml"),
                "/bomb.xml.gz": gzip_bomb(size),
                "/ok.xml": urlset(b, ("/a.html", None))}
    return docs


def _text_docs(b: str, f: str) -> dict[str, bytes]:
    return {"/sitemap.txt": f"{b}/a.html\n\n  {b}/b.html  \nftp://x/c\nnot a url\n".encode()}


def _truncated_docs(b: str, f: str) -> dict[str, bytes]:
    return {"/sitemap.xml": f"<urlset {NS}><url><loc>{b}/x.html</loc></url>".encode()}


def _corrupt_docs(b: str, f: str) -> dict[str, bytes]:
    return {"/index.xml": index(*(f"{b}/{n}" for n in ("a.xml.gz", "c.xml", "d.xml.gz",
                                                       "missing.xml", "ok.xml"))),
            "/a.xml.gz": b"\x1f\x8b\x08\x00garbage",
            "/c.xml": b"<html><body>hi</body></html>",
            "/d.xml.gz": b"\x00\x01binary",
            "/ok.xml": urlset(b, ("/a.html", None))}


def _loop_docs(b: str, f: str) -> dict[str, bytes]:
    return {"/i1.xml": index(f"{b}/i2.xml", f"{b}/s1.xml"),
            "/i2.xml": index(f"{b}/i1.xml", f"{b}/s2.xml"),
            "/s1.xml": urlset(b, ("/a.html", None)),
            "/s2.xml": urlset(b, ("/b.html", None))}


HUGE = 50_000  # the sitemap protocol's maximum entries in one file


def _huge_docs(b: str, f: str) -> dict[str, bytes]:
    return {"/sitemap.xml": urlset(b, *((f"/p/{i}.html", "2024-03-20") for i in range(HUGE)))}


def _entity_docs(b: str, f: str) -> dict[str, bytes]:
    lol = ('<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY a "' + "x" * 1000 + '">'
           '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
           '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">'
           '<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">'
           '<!ENTITY ext SYSTEM "file:///etc/hostname">]>'
           f'<urlset {NS}><url><loc>{b}/ok.html</loc><note>&d;&ext;</note></url></urlset>')
    return {"/sitemap.xml": lol.encode()}


def _lastmod_docs(b: str, f: str) -> dict[str, bytes]:
    return {"/sitemap.xml": urlset(b, ("/tz.html", "2024-03-20T23:30:00+08:00"),
                                   ("/z.html", "2024-03-20T10:00:00Z"),
                                   ("/day.html", "2024-03-20"), ("/month.html", "2024-02"),
                                   ("/year.html", "2024"), ("/bad.html", "2024-02-30"),
                                   ("/words.html", "yesterday"), ("/none.html", None))}


def _foreign_docs(b: str, f: str) -> dict[str, bytes]:
    return {"/index.xml": index(f"{b}/s1.xml", f"{f}/evil.xml"),
            "/s1.xml": urlset(b, ("/a.html", None))}


D = date(2024, 3, 20)
CASES: tuple[Case, ...] = (
    Case("urlset", _urlset_docs, "/sitemap.xml",
         (("/a.html", D), ("/b.html", None), ("/c.html", date(2024, 1, 5))), False, "fault",
         "a plain urlset with lastmod"),
    Case("index_depth2", _index_docs, "/index.xml", (("/deep.html", None), ("/a.html", None)),
         False, "fault", "index -> index -> urlset, within every walker's depth limit"),
    Case("index_depth15", _deep_docs, "/d1.xml", (), True, "policy",
         "a chain of 15 indexes: zonewatch stops at depth 3 (3 fetches), usp at 11"),
    Case("gzip", _gzip_docs, "/index.xml", (("/a.html", None), ("/b.html", None),
                                            ("/c.html", None)), False, "fault",
         ".xml.gz gzip, .xml.gz already decoded, gzip without .gz (magic bytes)"),
    Case("gzip_bomb_64mib", _bomb_docs(64 << 20), "/index.xml", (("/a.html", None),), True,
         "fault", "64 MiB of zeros in ~64 KB of gzip (the unit test's bomb), then a good child"),
    Case("gzip_bomb_128mib", _bomb_docs(128 << 20), "/index.xml", (("/a.html", None),), True,
         "fault", "128 MiB of zeros: over zonewatch's 50 MB cap and usp's 100 MiB cap"),
    Case("plain_text", _text_docs, "/sitemap.txt", (("/a.html", None), ("/b.html", None)),
         False, "fault", "one URL a line, blank, padded, ftp: and non-URL lines"),
    Case("truncated_xml", _truncated_docs, "/sitemap.xml", (), True, "policy",
         "urlset cut off before </urlset>: zonewatch rejects the document, usp keeps the "
         "entries before the cut"),
    Case("corrupt_children", _corrupt_docs, "/index.xml", (("/a.html", None),), True, "fault",
         "corrupt gzip, an HTML page, binary .gz, a 404, then a good child"),
    Case("index_loop", _loop_docs, "/i1.xml", (("/b.html", None), ("/a.html", None)), True,
         "fault", "two indexes listing each other (and one urlset each)"),
    Case("huge_50k", _huge_docs, "/sitemap.xml",
         tuple((f"/p/{i}.html", D) for i in range(HUGE)), False, "fault",
         f"{HUGE:,} entries in one urlset (the protocol maximum)"),
    Case("entity_expansion", _entity_docs, "/sitemap.xml", (), True, "fault",
         "billion laughs (10 MB if expanded) and an external entity outside <loc>: nothing "
         "may be expanded or read; libxml2's amplification guard rejects the document"),
    Case("lastmod_shapes", _lastmod_docs, "/sitemap.xml",
         (("/tz.html", D), ("/z.html", D), ("/day.html", D), ("/month.html", None),
          ("/year.html", None), ("/bad.html", None), ("/words.html", None),
          ("/none.html", None)), False, "fault",
         "lastmod with offset, Z, date only, month only, year only, Feb 30, words, none; "
         "a date the sitemap does not give to the day is no date"),
    Case("foreign_child", _foreign_docs, "/index.xml", (("/a.html", None),), False, "fault",
         "an index listing a child sitemap on another host: it must not be fetched"),
)


@dataclass
class Outcome:
    """What a walker returned for a case: pages as (path, date), what it reported, the
    URLs it asked for and what it logged."""

    pages: list[Page]
    reports: list[str]
    requests: list[str]
    logged: list[str] = field(default_factory=list)  # log records at ERROR (usp)


def _path(url: str, base: str) -> str:
    return url[len(base):] if url.startswith(base) else url


def run_zonewatch(case: Case, docs: dict[str, bytes] | None = None) -> Outcome:
    """`case` through `ingest.fetch.discover` with a `get` serving its documents (built for
    `ZW_BASE`, or `docs` when given) from memory; a path not there answers 404."""
    served = docs if docs is not None else case.docs(ZW_BASE, ZW_FOREIGN)
    asked: list[str] = []

    def get(url: str) -> tuple[int, dict[str, str], bytes | None, str | None]:
        asked.append(url)
        body = served.get(_path(url, ZW_BASE)) if url.startswith(ZW_BASE) else None
        if body is None:
            return 404, {}, None, "http 404"
        return 200, {"Content-Type": "application/xml"}, body, None

    source = Source(name=case.name, urls=(), allowed_hosts=("example.gov.cn",), encoding=None,
                    max_pages=None, allow_private=False, kind="sitemap",
                    entry=(ZW_BASE + case.entry,))
    stats = DiscoveryStats()
    found = [(_path(d.url, ZW_BASE), d.published_hint) for d in discover(source, get, stats)]
    reports = [f"{e.stage}: {e.url}: {e.reason}" for e in stats.errors]
    if stats.loops:
        reports.append(f"loops: {stats.loops}")
    return Outcome(found, reports, asked)
