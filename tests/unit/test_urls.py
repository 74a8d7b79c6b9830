"""canonical(): one article is one URL."""

from __future__ import annotations

import pytest

from ingest.fetch.urls import TRACKING_PARAMS, canonical, host_of


@pytest.mark.parametrize(("raw", "want"), [
    ("HTTP://WWW.Example.GOV.cn/a", "http://www.example.gov.cn/a"),
    ("http://example.gov.cn:80/a", "http://example.gov.cn/a"),
    ("https://example.gov.cn:443/a", "https://example.gov.cn/a"),
    ("https://example.gov.cn:8443/a", "https://example.gov.cn:8443/a"),
    ("http://example.gov.cn/a#section-2", "http://example.gov.cn/a"),
    ("http://example.gov.cn/a/b/", "http://example.gov.cn/a/b"),
    ("http://example.gov.cn/", "http://example.gov.cn/"),
    ("http://example.gov.cn", "http://example.gov.cn/"),
    ("http://example.gov.cn//a///b", "http://example.gov.cn/a/b"),
    ("http://example.gov.cn/a/./b/../c", "http://example.gov.cn/a/c"),
    ("http://example.gov.cn/%7Euser/%41%2f", "http://example.gov.cn/~user/A%2F"),
    ("http://example.gov.cn/%e4%b8%ad", "http://example.gov.cn/%E4%B8%AD"),
    ("http://example.gov.cn/a?b=2&a=1", "http://example.gov.cn/a?a=1&b=2"),
    ("http://example.gov.cn/a?", "http://example.gov.cn/a"),
    ("  http://example.gov.cn/a  ", "http://example.gov.cn/a"),
])
def test_canonical_forms(raw: str, want: str) -> None:
    assert canonical(raw) == want


def test_tracking_params_dropped() -> None:
    url = ("https://www.example.gov.cn/art/2024/3/20/art_1_2.html?utm_source=wx&utm_medium=x"
           "&spm=a1.b2&from=singlemessage&isappinstalled=0&scene=1&fbclid=F&gclid=G"
           "&share_token=t&shareId=9&id=7")
    assert canonical(url) == "https://www.example.gov.cn/art/2024/3/20/art_1_2.html?id=7"


def test_weixin_article_keeps_identity_params() -> None:
    url = ("https://mp.weixin.qq.com/s?__biz=MzA5&mid=2650&idx=1&sn=abc&chksm=8b"
           "&scene=21&from=timeline&isappinstalled=0#wechat_redirect")
    assert canonical(url) == "https://mp.weixin.qq.com/s?__biz=MzA5&chksm=8b&idx=1&mid=2650&sn=abc"


def test_tracking_table_is_data() -> None:
    assert {"spm", "from", "fbclid", "gclid", "isappinstalled", "scene"} <= TRACKING_PARAMS


def test_variants_of_one_article_collapse() -> None:
    variants = [
        "http://Example.gov.cn:80/news/1/?utm_campaign=x#top",
        "http://example.gov.cn/news/1",
        "http://example.gov.cn//news/1/",
        "http://example.gov.cn/news/%31?spm=1",
    ]
    assert len({canonical(v) for v in variants}) == 1


def test_query_values_keep_their_bytes() -> None:
    """w3lib's form: escapes of UTF-8 and of GBK (%C4%E3) are kept byte for byte; a
    space, `%20` or `+`, is written `+` (one parameter, one form)."""
    assert canonical("http://e.cn/s?q=%E4%B8%AD+%E6%96%87&p=a%20b&g=%C4%E3") == \
        "http://e.cn/s?g=%C4%E3&p=a+b&q=%E4%B8%AD+%E6%96%87"
    assert canonical("http://e.cn/s?p=a+b") == canonical("http://e.cn/s?p=a%20b")


def test_non_ascii_links_are_one_url_however_written() -> None:
    """A link written in Chinese and the same link %-escaped are one page; so are an
    internationalised host and its IDNA form (w3lib)."""
    assert canonical("https://www.e.gov.cn/新闻/要闻?q=中") == \
        canonical("https://www.e.gov.cn/%E6%96%B0%E9%97%BB/%e8%a6%81%e9%97%bb?q=%E4%B8%AD") == \
        "https://www.e.gov.cn/%E6%96%B0%E9%97%BB/%E8%A6%81%E9%97%BB?q=%E4%B8%AD"
    assert canonical("http://武汉.政务/a") == canonical("http://xn--5lwws.xn--zfr164b/a") \
        == "http://xn--5lwws.xn--zfr164b/a"


def test_idempotent() -> None:
    u = "HTTP://E.cn:80//a/b/?z=1&utm_x=2&a=%7e#f"
    assert canonical(canonical(u)) == canonical(u)


@pytest.mark.parametrize("raw", ["ftp://example.gov.cn/a", "file:///etc/passwd", "/relative",
                                 "not a url", ""])
def test_non_http_left_alone(raw: str) -> None:
    assert canonical(raw) == raw.strip()


def test_host_of() -> None:
    assert host_of("https://WWW.E.cn:8080/x") == "www.e.cn"
    assert host_of("nope") == ""
