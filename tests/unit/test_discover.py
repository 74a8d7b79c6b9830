"""Discovery (list pages, feeds, sitemaps) with a fake `get`; one test on a local site."""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
import requests

from benchmarks.sitemap_cases import gzip_bomb
from ingest.fetch.discover import (
    Discovered,
    DiscoveryStats,
    SizeLimitError,
    discover,
    gunzip_capped,
    parse_date,
)
from ingest.fetch.sources import Source

H = "https://example.gov.cn"
Resp = tuple[int, dict[str, str], bytes | None, str | None]


class FakeWeb:
    """`get` over a dict url -> bytes (or a full response tuple); records every request."""

    def __init__(self, pages: dict[str, bytes | Resp]) -> None:
        self.pages = pages
        self.requests: list[str] = []

    def __call__(self, url: str) -> Resp:
        self.requests.append(url)
        page = self.pages.get(url)
        if page is None:
            return 404, {}, None, "http 404"
        if isinstance(page, tuple):
            return page
        ctype = "text/xml" if url.endswith((".xml", ".gz")) else "text/html"
        return 200, {"Content-Type": ctype}, page, None


def src(kind: str = "urls", **kw: object) -> Source:
    base = Source(name="t", urls=(), allowed_hosts=("example.gov.cn", "www.example.gov.cn"),
                  encoding=None, max_pages=None, allow_private=False, kind=kind)
    return replace(base, **kw)  # type: ignore[arg-type]


def run(source: Source, web: Callable[[str], Resp], **kw: int) -> tuple[list[Discovered],
                                                                         DiscoveryStats]:
    stats = DiscoveryStats()
    return list(discover(source, web, stats, **kw)), stats


def urls(found: list[Discovered]) -> list[str]:
    return [d.url for d in found]


# ------------------------------------------------------------------------ urls


def test_urls_kind_as_is_deduplicated_and_host_filtered() -> None:
    web = FakeWeb({})
    s = src(urls=(f"{H}/a.html", f"{H}/a.html#top", "https://evil.example.com/x",
                  f"{H}/2024/0320/b.html"),
            date_from_url=r"/(?P<y>\d{4})/(?P<m>\d\d)(?P<d>\d\d)/")
    found, st = run(s, web)
    assert found == [Discovered(f"{H}/a.html", None, "urls"),
                     Discovered(f"{H}/2024/0320/b.html", date(2024, 3, 20), "urls")]
    assert web.requests == []  # nothing fetched for a url list
    assert st.duplicates == 1 and st.dropped_host == 1 and st.yielded == 2


# ------------------------------------------------------------------------ list pages

LIST1 = f"""<html><head><meta charset="gbk"><title>新闻</title></head><body>
<ul class="news">
  <li><a href="./202403/t20240320_1.html">临空港经济区一季度GDP增长</a></li>
  <li><a href="/dxh/202403/t20240318_2.html">东湖高新区算力</a></li>
  <li><a href="{H}/dxh/202403/t20240318_2.html#comments">重复</a></li>
  <li><a href="https://other.example.com/x.html">外站</a></li>
  <li><a href="javascript:void(0)">js</a></li>
  <li><a href="mailto:a@b.cn">mail</a></li>
  <li><span>no link</span></li>
</ul>
<a class="ad" href="/ads/1.html">广告</a>
<div class="page"><a class="next" href="index_1.html">下一页</a></div>
</body></html>""".encode("gbk")

LIST2 = b"""<html><body><ul class="news">
<li><a href="202402/t20240229_3.html">page two</a></li>
</ul><div class="page"><a class="next" href="index.html">back to first</a></div></body></html>"""


def list_source(**kw: object) -> Source:
    args: dict[str, object] = {
        "entry": (f"{H}/dxh/index.html",), "link_selector": "ul.news li",
        "next_selector": "div.page a.next",
        "date_from_url": r"/t(?P<y>\d{4})(?P<m>\d\d)(?P<d>\d\d)_"}
    return src("list", **{**args, **kw})


def test_list_page_selector_relative_links_pagination_and_loop() -> None:
    web = FakeWeb({f"{H}/dxh/index.html": LIST1, f"{H}/dxh/index_1.html": LIST2})
    found, st = run(list_source(), web)
    assert found == [
        Discovered(f"{H}/dxh/202403/t20240320_1.html", date(2024, 3, 20),
                   f"list:{H}/dxh/index.html"),
        Discovered(f"{H}/dxh/202403/t20240318_2.html", date(2024, 3, 18),
                   f"list:{H}/dxh/index.html"),
        Discovered(f"{H}/dxh/202402/t20240229_3.html", date(2024, 2, 29),
                   f"list:{H}/dxh/index_1.html"),
    ]
    # page 2's "next" points back at page 1: not fetched again
    assert web.requests == [f"{H}/dxh/index.html", f"{H}/dxh/index_1.html"]
    assert st.loops == 1 and st.requests == 2
    assert st.duplicates == 1 and st.dropped_host == 1 and st.dropped_scheme == 2
    assert st.errors == []


def test_list_pagination_stops_at_max_list_pages() -> None:
    pages: dict[str, bytes | Resp] = {}
    for i in range(10):
        pages[f"{H}/l/{i}.html"] = (f'<ul class="news"><li><a href="/a/{i}.html">{i}</a></li>'
                                    f'</ul><div class="page"><a class="next" href="{i + 1}.html">'
                                    f'next</a></div>').encode()
    web = FakeWeb(pages)
    s = list_source(max_list_pages=3, entry=(f"{H}/l/0.html",))
    found, st = run(s, web)
    assert urls(found) == [f"{H}/a/0.html", f"{H}/a/1.html", f"{H}/a/2.html"]
    assert len(web.requests) == 3


def test_list_base_href_anchor_selector_and_gbk_override() -> None:
    page = ('<html><head><base href="https://www.example.gov.cn/root/"></head><body>'
            '<a class="item" href="x.html">甲</a><a class="item" href="../y.html">乙</a>'
            '</body></html>').encode("gbk")  # no charset declared anywhere
    web = FakeWeb({f"{H}/l.html": (200, {"content-type": "text/html"}, page, None)})
    s = src("list", entry=(f"{H}/l.html",), link_selector="a.item", encoding="gbk")
    found, st = run(s, web)
    assert urls(found) == ["https://www.example.gov.cn/root/x.html",
                           "https://www.example.gov.cn/y.html"]
    assert st.errors == []


def test_list_fetch_error_and_undecodable_page_are_recorded() -> None:
    web = FakeWeb({f"{H}/bin.html": b"\x89PNG\r\n\x1a\n" + bytes(range(256))})
    s = src("list", entry=(f"{H}/missing.html", f"{H}/bin.html"), link_selector="a")
    found, st = run(s, web)
    assert found == []
    assert [(e.url, e.stage) for e in st.errors] == [(f"{H}/missing.html", "fetch"),
                                                      (f"{H}/bin.html", "decode")]
    assert "404" in st.errors[0].reason


def test_get_that_raises_or_answers_304_does_not_crash() -> None:
    def boom(url: str) -> Resp:
        raise RuntimeError("socket on fire")

    found, st = run(src("feed", entry=(f"{H}/rss.xml",)), boom)
    assert found == [] and st.errors[0].stage == "fetch" and "socket on fire" in st.errors[0].reason
    web = FakeWeb({f"{H}/rss.xml": (304, {}, None, None)})
    found, st = run(src("feed", entry=(f"{H}/rss.xml",)), web)
    assert found == [] and st.errors == [] and st.not_modified == 1


# ------------------------------------------------------------------------ feeds

RSS = f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>
<title>合肥政策</title><link>{H}/</link>
<item><title>一</title><link>{H}/hefei/a.html</link>
  <pubDate>Wed, 20 Mar 2024 23:30:00 +0800</pubDate></item>
<item><title>二</title><link> /hefei/b.html </link>
  <dc:date>2024-02-01T08:00:00+08:00</dc:date></item>
<item><title>三</title><guid isPermaLink="true">{H}/hefei/c.html</guid></item>
<item><title>外</title><link>https://foreign.example.com/d.html</link></item>
<item><title>dup</title><link>{H}/hefei/a.html</link></item>
</channel></rss>""".encode()

ATOM = f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="{H}/news/">
<title>东湖</title>
<entry><title>a</title>
  <link rel="self" href="{H}/api/1.json"/>
  <link rel="alternate" type="text/html" href="2024/a.html"/>
  <published>2024-01-05T10:00:00Z</published><updated>2024-03-01T00:00:00Z</updated></entry>
<entry><title>b</title><link href="{H}/news/b.html"/>
  <updated>2023-12-31T23:59:59+08:00</updated></entry>
<entry><title>no link</title><link rel="enclosure" href="{H}/x.pdf"/></entry>
</feed>""".encode()


def test_rss_feed_links_and_dates() -> None:
    web = FakeWeb({f"{H}/rss.xml": RSS})
    found, st = run(src("feed", entry=(f"{H}/rss.xml",)), web)
    via = f"feed:{H}/rss.xml"
    assert found == [Discovered(f"{H}/hefei/a.html", date(2024, 3, 20), via),
                     Discovered(f"{H}/hefei/b.html", date(2024, 2, 1), via),
                     Discovered(f"{H}/hefei/c.html", None, via)]
    assert st.dropped_host == 1 and st.duplicates == 1 and st.errors == []


def test_atom_feed_links_dates_and_xml_base() -> None:
    web = FakeWeb({f"{H}/atom.xml": ATOM})
    # optional groups that match nothing give no URL date (and no crash)
    s = src("feed", entry=(f"{H}/atom.xml",), date_from_url=r"/(?P<y>\d{4})/(?P<m>x)?(?P<d>y)?")
    found, _ = run(s, web)
    via = f"feed:{H}/atom.xml"
    # published beats updated; `updated` is the hint only when nothing better is known
    assert found == [Discovered(f"{H}/news/2024/a.html", date(2024, 1, 5), via),
                     Discovered(f"{H}/news/b.html", date(2023, 12, 31), via)]


def test_feed_date_beats_url_date_and_url_date_beats_updated() -> None:
    feed = f"""<feed xmlns="http://www.w3.org/2005/Atom">
<entry><link href="{H}/2020/0101/a.html"/><published>2024-05-06</published></entry>
<entry><link href="{H}/2020/0202/b.html"/><updated>2024-05-06</updated></entry>
</feed>""".encode()
    s = src("feed", entry=(f"{H}/f.xml",),
            date_from_url=r"/(?P<y>\d{4})/(?P<m>\d\d)(?P<d>\d\d)/")
    found, _ = run(s, FakeWeb({f"{H}/f.xml": feed}))
    assert [d.published_hint for d in found] == [date(2024, 5, 6), date(2020, 2, 2)]
    # in RSS, dc:date (RSS 1.0's item date) is the publication date
    rss = f"""<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>
<item><link>{H}/2020/0101/a.html</link><dc:date>2024-05-06</dc:date></item>
</channel></rss>""".encode()
    found, _ = run(replace(s, entry=(f"{H}/r.xml",)), FakeWeb({f"{H}/r.xml": rss}))
    assert [d.published_hint for d in found] == [date(2024, 5, 6)]


@pytest.mark.parametrize("body", [
    b"<rss><channel><item><link>https://example.gov.cn/a</link></item>",  # truncated
    b"not xml at all",
    b"",
    b"<html><body>a web page</body></html>",
])
def test_malformed_feed_is_an_error_not_a_crash(body: bytes) -> None:
    web = FakeWeb({f"{H}/rss.xml": (200, {}, body, None)})
    found, st = run(src("feed", entry=(f"{H}/rss.xml",)), web)
    assert found == []
    assert len(st.errors) == 1 and st.errors[0].stage in {"parse", "fetch"}


def test_xml_entities_are_not_expanded_or_fetched() -> None:
    lol = (b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "' + b"x" * 1000 + b'">'
           b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">'
           b'<!ENTITY ext SYSTEM "file:///etc/passwd">]>'
           b"<rss><channel><item><title>&c;&ext;</title>"
           b"<link>https://example.gov.cn/ok.html</link></item></channel></rss>")
    found, st = run(src("feed", entry=(f"{H}/rss.xml",)), FakeWeb({f"{H}/rss.xml": lol}))
    assert urls(found) == [f"{H}/ok.html"]


# What feedparser reads that the strict lxml walk rejected as a whole (one "parse" error,
# no links): the dialects and the broken-but-readable feeds portals serve.
# RSS 0.91 using the HTML entities of the Netscape DTD without declaring it
RSS091 = f"""<?xml version="1.0" encoding="ISO-8859-1"?>
<rss version="0.91"><channel><title>Caf&eacute;</title><link>{H}/</link>
<item><title>Caf&eacute;&nbsp;news</title><link>{H}/091/a.html</link></item>
</channel></rss>""".encode("latin-1")
BARE_AMP = f"""<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>
<item><title>一 & 二</title><link>{H}/view.jsp?id=1&page=2</link></item>
<item><title>三</title><link>{H}/b.html</link></item></channel></rss>""".encode()
UNBOUND_PREFIX = f"""<rss version="2.0"><channel><item><link>{H}/n.html</link>
<dc:date>2024-04-01</dc:date></item></channel></rss>""".encode()
CDF = f"""<?xml version="1.0"?><CHANNEL HREF="{H}/"><TITLE>t</TITLE>
<ITEM HREF="{H}/cdf/a.html"><TITLE>a</TITLE></ITEM></CHANNEL>""".encode()
MISLABELLED = f"""<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>
<title>合肥</title><item><title>合肥政策</title><link>{H}/gbk.html</link></item>
</channel></rss>""".encode("gbk")


@pytest.mark.parametrize(("body", "expected"), [
    (RSS091, [(f"{H}/091/a.html", None)]),
    (BARE_AMP, [(f"{H}/view.jsp?id=1&page=2", None), (f"{H}/b.html", None)]),
    (UNBOUND_PREFIX, [(f"{H}/n.html", date(2024, 4, 1))]),
    (CDF, [(f"{H}/cdf/a.html", None)]),
    (MISLABELLED, [(f"{H}/gbk.html", None)]),  # GBK bytes declared utf-8
], ids=["rss091-html-entities", "bare-ampersand", "unbound-prefix", "cdf", "mislabelled"])
def test_broken_or_older_feeds_still_give_their_links(body: bytes,
                                                      expected: list[tuple[str, date]]) -> None:
    found, st = run(src("feed", entry=(f"{H}/rss.xml",)), FakeWeb({f"{H}/rss.xml": body}))
    assert [(d.url, d.published_hint) for d in found] == expected and st.errors == []


def test_feed_dates_without_a_time_or_in_other_shapes() -> None:
    body = f"""<rss version="2.0"><channel>
<item><link>{H}/1.html</link><pubDate>Wed, 20 Mar 2024</pubDate></item>
<item><link>{H}/2.html</link><pubDate>20 March 2024</pubDate></item>
<item><link>{H}/3.html</link><pubDate>2024-03-21T07:00:00+08:00</pubDate></item>
</channel></rss>""".encode()
    found, _ = run(src("feed", entry=(f"{H}/rss.xml",)), FakeWeb({f"{H}/rss.xml": body}))
    # feedparser reads the first two; the third stays the publisher's day, not UTC's
    assert [d.published_hint for d in found] == [date(2024, 3, 20), date(2024, 3, 20),
                                                 date(2024, 3, 21)]


def test_feed_body_is_never_opened_as_a_file_name(tmp_path: Path) -> None:
    # feedparser.parse(bytes) would open a file of that name; the body goes in as a stream
    (tmp_path / "feed.xml").write_bytes(RSS)
    body = str(tmp_path / "feed.xml").encode()
    found, st = run(src("feed", entry=(f"{H}/rss.xml",)), FakeWeb({f"{H}/rss.xml": body}))
    assert found == [] and [e.stage for e in st.errors] == ["parse"]


def test_a_feed_cannot_define_entities_that_grow_its_links() -> None:
    # an internal DTD subset is dropped before parsing: a feed needs none, and expat would
    # otherwise expand a hostile feed's entities (memory ~50x the body)
    big = "A" * 2000
    body = (f'<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY big "{big}">\n]>\n'
            f'<rss version="2.0"><channel><title>t</title>'
            f'<item><link>{H}/a.html?q=&big;&big;&big;</link></item>'
            f'<item><link>{H}/b.html</link></item></channel></rss>').encode()
    found, _ = run(src("feed", entry=(f"{H}/rss.xml",)), FakeWeb({f"{H}/rss.xml": body}))
    assert found and all("AAAA" not in d.url for d in found)
    assert f"{H}/b.html" in [d.url for d in found]


# ------------------------------------------------------------------------ sitemaps

NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'


def urlset(*locs: tuple[str, str | None]) -> bytes:
    items = "".join(f"<url><loc>{u}</loc>" + (f"<lastmod>{m}</lastmod>" if m else "") + "</url>"
                    for u, m in locs)
    return f'<?xml version="1.0" encoding="UTF-8"?><urlset {NS}>{items}</urlset>'.encode()


def index(*locs: str) -> bytes:
    items = "".join(f"<sitemap><loc>{u}</loc></sitemap>" for u in locs)
    return f"<sitemapindex {NS}>{items}</sitemapindex>".encode()


def test_sitemap_urlset_with_lastmod() -> None:
    web = FakeWeb({f"{H}/sitemap.xml": urlset(
        (f"{H}/a.html", "2024-03-20T10:00:00+08:00"), (f"{H}/b.html", "2024-02"),
        (f"{H}/c.html", None), ("https://elsewhere.cn/d.html", "2024-01-01"))})
    found, st = run(src("sitemap", entry=(f"{H}/sitemap.xml",)), web)
    via = f"sitemap:{H}/sitemap.xml"
    assert found == [Discovered(f"{H}/a.html", date(2024, 3, 20), via),
                     Discovered(f"{H}/b.html", None, via),
                     Discovered(f"{H}/c.html", None, via)]
    assert st.dropped_host == 1


def test_sitemap_index_recurses_into_children_including_gzip() -> None:
    web = FakeWeb({
        f"{H}/sitemap_index.xml": index(f"{H}/s1.xml", f"{H}/s2.xml.gz", f"{H}/s1.xml",
                                        "https://evil.example.com/s3.xml"),
        f"{H}/s1.xml": urlset((f"{H}/a.html", "2024-01-02")),
        f"{H}/s2.xml.gz": gzip.compress(urlset((f"{H}/b.html", None), (f"{H}/a.html", None))),
    })
    found, st = run(src("sitemap", entry=(f"{H}/sitemap_index.xml",)), web)
    assert found == [Discovered(f"{H}/a.html", date(2024, 1, 2), f"sitemap:{H}/s1.xml"),
                     Discovered(f"{H}/b.html", None, f"sitemap:{H}/s2.xml.gz")]
    assert web.requests == [f"{H}/sitemap_index.xml", f"{H}/s1.xml", f"{H}/s2.xml.gz"]
    assert st.dropped_host == 1 and st.loops == 1 and st.duplicates == 1 and st.errors == []


def test_gzip_by_magic_bytes_and_gz_already_decoded_by_transport() -> None:
    web = FakeWeb({f"{H}/map": gzip.compress(urlset((f"{H}/a.html", None))),
                   f"{H}/plain.xml.gz": urlset((f"{H}/b.html", None))})
    s = src("sitemap", entry=(f"{H}/map", f"{H}/plain.xml.gz"))
    found, st = run(s, web)
    assert urls(found) == [f"{H}/a.html", f"{H}/b.html"] and st.errors == []


def test_sitemap_index_depth_is_bounded_and_loops_stop() -> None:
    web = FakeWeb({f"{H}/i1.xml": index(f"{H}/i2.xml"), f"{H}/i2.xml": index(f"{H}/i3.xml"),
                   f"{H}/i3.xml": index(f"{H}/i4.xml", f"{H}/i1.xml"),
                   f"{H}/i4.xml": urlset((f"{H}/deep.html", None))})
    found, st = run(src("sitemap", entry=(f"{H}/i1.xml",)), web)
    assert found == []
    assert f"{H}/i4.xml" not in web.requests
    assert st.loops == 1  # i3 -> i1
    assert [e.stage for e in st.errors] == ["limit"] and "deeper than 3" in st.errors[0].reason


def test_sitemap_count_is_bounded() -> None:
    children = [f"{H}/s{i}.xml" for i in range(10)]
    pages: dict[str, bytes | Resp] = {f"{H}/index.xml": index(*children)}
    pages.update({c: urlset((f"{H}/p{i}.html", None)) for i, c in enumerate(children)})
    web = FakeWeb(pages)
    found, st = run(src("sitemap", entry=(f"{H}/index.xml",)), web, max_sitemaps=4)
    assert len(web.requests) == 4 and len(found) == 3
    assert sum(e.stage == "limit" for e in st.errors) == 7


def test_gzip_bomb_is_capped_and_reported() -> None:
    bomb = gzip_bomb(64 << 20)  # 64 MiB of zeros, ~64 KB compressed; default cap is 50 MB
    assert len(bomb) < 200_000
    web = FakeWeb({f"{H}/bomb.xml.gz": bomb, f"{H}/ok.xml": urlset((f"{H}/a.html", None))})
    found, st = run(src("sitemap", entry=(f"{H}/bomb.xml.gz", f"{H}/ok.xml")), web)
    assert urls(found) == [f"{H}/a.html"]  # the next sitemap is still read
    (err,) = st.errors
    assert err.url == f"{H}/bomb.xml.gz" and err.stage == "limit"
    assert "exceeds 50000000 bytes" in err.reason


def test_gunzip_capped_small_cap_multi_member_and_corrupt() -> None:
    assert gunzip_capped(gzip.compress(b"abc") + gzip.compress(b"def"), 10) == b"abcdef"
    with pytest.raises(SizeLimitError):
        gunzip_capped(gzip.compress(b"x" * 1000), 999)
    assert gunzip_capped(gzip.compress(b"x" * 1000), 1000) == b"x" * 1000
    with pytest.raises(zlib.error):
        gunzip_capped(gzip.compress(b"x" * 1000)[:-12], 10_000)


def test_corrupt_gzip_and_malformed_sitemap_are_errors() -> None:
    web = FakeWeb({f"{H}/a.xml.gz": b"\x1f\x8b\x08\x00garbage",
                   f"{H}/b.xml": b"<urlset><url><loc>https://example.gov.cn/x</loc></url>",
                   f"{H}/c.xml": b"<html><body>hi</body></html>",
                   f"{H}/d.xml.gz": b"\x00\x01binary"})
    s = src("sitemap", entry=tuple(f"{H}/{n}" for n in ("a.xml.gz", "b.xml", "c.xml",
                                                         "d.xml.gz")))
    found, st = run(s, web)
    assert found == []
    assert [e.stage for e in st.errors] == ["decode", "parse", "parse", "decode"]


def test_text_sitemap() -> None:
    body = f"{H}/a.html\n\n  {H}/b.html  \nftp://example.gov.cn/c\n".encode()
    found, st = run(src("sitemap", entry=(f"{H}/sitemap.txt",)),
                    FakeWeb({f"{H}/sitemap.txt": body}))
    assert urls(found) == [f"{H}/a.html", f"{H}/b.html"] and st.dropped_scheme == 1


# ------------------------------------------------------------------------ limits


def test_max_pages_stops_yielding_and_fetching() -> None:
    children = [f"{H}/s{i}.xml" for i in range(3)]
    pages: dict[str, bytes | Resp] = {f"{H}/index.xml": index(*children)}
    pages.update({c: urlset(*[(f"{H}/{i}/{j}.html", None) for j in range(4)])
                  for i, c in enumerate(children)})
    web = FakeWeb(pages)
    found, st = run(src("sitemap", entry=(f"{H}/index.xml",), max_pages=5), web)
    assert len(found) == 5 and st.hit_max_pages and st.yielded == 5
    assert web.requests == [f"{H}/index.xml", children[0], children[1]]  # s2 never fetched

    found, st = run(src(urls=tuple(f"{H}/{i}" for i in range(9)), max_pages=2), FakeWeb({}))
    assert urls(found) == [f"{H}/0", f"{H}/1"] and st.hit_max_pages


def test_discovery_is_lazy() -> None:
    web = FakeWeb({f"{H}/dxh/index.html": LIST1, f"{H}/dxh/index_1.html": LIST2})
    it = discover(list_source(), web)
    next(it)
    assert web.requests == [f"{H}/dxh/index.html"]


def test_foreign_entry_and_next_link_are_not_fetched() -> None:
    page = (b'<a class="x" href="/a.html">a</a>'
            b'<a class="next" href="https://evil.example.com/page2.html">next</a>')
    web = FakeWeb({f"{H}/l.html": page})
    s = src("list", entry=(f"{H}/l.html",), link_selector="a.x", next_selector="a.next")
    found, st = run(s, web)
    assert urls(found) == [f"{H}/a.html"]
    assert web.requests == [f"{H}/l.html"] and st.dropped_host == 1


@pytest.mark.parametrize(("text", "expected"), [
    ("Wed, 20 Mar 2024 23:30:00 +0800", date(2024, 3, 20)),
    ("20 Mar 2024 01:00 GMT", date(2024, 3, 20)),
    ("2024-03-20T10:00:00Z", date(2024, 3, 20)),
    ("2024/3/5 10:00", date(2024, 3, 5)),
    ("2024年3月5日", date(2024, 3, 5)),
    ("2024-02-30", None),
    ("2024", None),
    ("", None),
    (None, None),
    ("yesterday", None),
])
def test_parse_date(text: str | None, expected: date | None) -> None:
    assert parse_date(text) == expected


def test_date_from_url_two_digit_year_and_invalid_date() -> None:
    s = src(urls=(f"{H}/24/0320/a.html", f"{H}/24/1399/b.html"),
            date_from_url=r"/(?P<y>\d\d)/(?P<m>\d\d)(?P<d>\d\d)/")
    found, _ = run(s, FakeWeb({}))
    assert [d.published_hint for d in found] == [date(2024, 3, 20), None]


# ------------------------------------------------------------------------ real local site


def test_list_page_on_local_site(local_site: Callable[[Path], object], tmp_path: Path) -> None:
    site_dir = tmp_path / "site"
    (site_dir / "news" / "2024" / "0320").mkdir(parents=True)
    (site_dir / "news" / "index.html").write_bytes(
        '<html><head><meta charset="gbk"></head><body><ul class="list">'
        '<li><a href="2024/0320/a.html">甲</a></li><li><a href="/news/2024/0320/b.html">乙</a>'
        '</li></ul></body></html>'.encode("gbk"))
    for n in ("a", "b"):
        (site_dir / "news" / "2024" / "0320" / f"{n}.html").write_text(
            f"<p>{n}</p>", encoding="utf-8")
    site = local_site(site_dir)
    base: str = site.base_url  # type: ignore[attr-defined]

    def get(url: str) -> Resp:
        assert url.startswith("http://127.0.0.1:")  # tests only ever talk to localhost
        r = requests.get(url, timeout=5)
        ok = 200 <= r.status_code < 300
        return r.status_code, dict(r.headers), r.content if ok else None, \
            None if ok else f"http {r.status_code}"

    s = Source(name="local", urls=(), allowed_hosts=("127.0.0.1",), encoding=None,
               max_pages=None, allow_private=True, kind="list",
               entry=(f"{base}/news/index.html",), link_selector="ul.list a",
               date_from_url=r"/(?P<y>\d{4})/(?P<m>\d\d)(?P<d>\d\d)/")
    stats = DiscoveryStats()
    found = list(discover(s, get, stats))
    assert found == [Discovered(f"{base}/news/2024/0320/{n}.html", date(2024, 3, 20),
                                f"list:{base}/news/index.html") for n in ("a", "b")]
    assert stats.errors == [] and stats.requests == 1
    for d in found:  # the discovered links really are there
        assert get(d.url)[0] == 200


def test_list_links_and_feed_items_carry_their_titles() -> None:
    web = FakeWeb({f"{H}/dxh/index.html": LIST1, f"{H}/dxh/index_1.html": LIST2,
                   f"{H}/rss.xml": RSS})
    listed, _ = run(list_source(), web)
    assert [d.title for d in listed] == ["临空港经济区一季度GDP增长", "东湖高新区算力", "page two"]
    fed, _ = run(src("feed", entry=(f"{H}/rss.xml",)), web)
    assert [d.title for d in fed] == ["一", "二", "三"]


def test_a_gzip_bomb_is_refused_without_holding_twice_the_cap() -> None:
    """A 64 MiB bomb under an 8 MiB cap: refused, and the peak is about the cap (one
    decompress call used to produce the whole cap and then copy it: ~2x)."""
    import tracemalloc

    from ingest.fetch.body import SizeLimitError, gunzip_capped

    cap = 8 * 1024 * 1024
    bomb = gzip_bomb(64 * 1024 * 1024)
    tracemalloc.start()
    try:
        with pytest.raises(SizeLimitError):
            gunzip_capped(bomb, cap)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1.5 * cap, peak
