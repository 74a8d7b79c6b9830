"""Sources YAML validation (errors name file and line) and --input DIR walking."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from ingest.config import ConfigError
from ingest.fetch.local import LocalPage, iter_input_dir
from ingest.fetch.sources import Source, load_sources

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "sources.yml"
    p.write_text(text, encoding="utf-8")
    return p


def _error(tmp_path: Path, text: str) -> str:
    p = _write(tmp_path, text)
    with pytest.raises(ConfigError) as ei:
        load_sources(p)
    msg = str(ei.value)
    assert "\n" not in msg
    assert msg.startswith(str(p))
    return msg


def test_sample_sources_file_loads() -> None:
    sources = load_sources(SAMPLES / "sources.yml")
    assert len(sources) >= 2
    assert all(isinstance(s, Source) for s in sources)
    for s in sources:
        assert s.start_urls
        assert all(u.startswith(("https://example.gov.cn/", "https://www.example.gov.cn/"))
                   for u in s.start_urls)
        assert s.allowed_hosts
        assert (s.urls and not s.entry) if s.kind == "urls" else (s.entry and not s.urls)
    assert {s.kind for s in sources} == {"urls", "list", "feed", "sitemap"}


def test_defaults_and_values(tmp_path: Path) -> None:
    p = _write(tmp_path, """\
sources:
  - name: wuhan
    urls:
      - https://example.gov.cn/a.html
      - https://www.example.gov.cn/b.html
    encoding: GBK
    max_pages: 5
  - name: local
    url: http://127.0.0.1:8000/x.html
    allow_private: true
""")
    a, b = load_sources(p)
    assert a == Source(name="wuhan", urls=("https://example.gov.cn/a.html",
                                            "https://www.example.gov.cn/b.html"),
                       allowed_hosts=("example.gov.cn", "www.example.gov.cn"),
                       encoding="gbk", max_pages=5, allow_private=False)
    assert b.urls == ("http://127.0.0.1:8000/x.html",) and b.allow_private
    assert b.encoding is None and b.max_pages is None


def test_bad_yaml_error_names_the_line(tmp_path: Path) -> None:
    msg = _error(tmp_path, "sources:\n  - name: a\n    urls: [https://example.gov.cn/\n"
                 "  - name: b\n")
    assert "invalid YAML" in msg
    assert msg.split(":")[1].isdigit()


def test_bad_indentation_error_names_the_line(tmp_path: Path) -> None:
    msg = _error(tmp_path, "sources:\n  - name: a\n    urls:\n      - https://example.gov.cn/\n"
                 "   bad: [\n")
    assert "invalid YAML" in msg and f"{tmp_path / 'sources.yml'}:5" in msg


def test_missing_url_key(tmp_path: Path) -> None:
    msg = _error(tmp_path, "sources:\n  - name: ok\n    urls: [https://example.gov.cn/a]\n"
                 "  - name: nourl\n    max_pages: 3\n")
    assert ":4:" in msg and "source 'nourl'" in msg and "'urls'" in msg


@pytest.mark.parametrize(("body", "line", "words"), [
    ("sources:\n  - name: a\n    urls:\n      - ftp://example.gov.cn/x\n", 4, "not an http(s)"),
    ("sources:\n  - name: a\n    urls: []\n", 3, "non-empty list"),
    ("sources:\n  - name: a\n    urls: [https://example.gov.cn/]\n    max_pages: ten\n", 4,
     "max_pages"),
    ("sources:\n  - name: a\n    urls: [https://example.gov.cn/]\n    max_pages: 0\n", 4,
     "max_pages"),
    ("sources:\n  - name: a\n    urls: [https://example.gov.cn/]\n    encoding: klingon\n", 4,
     "unknown encoding"),
    ("sources:\n  - name: a\n    urls: [https://example.gov.cn/]\n    encoding: rot13\n", 4,
     "not a text encoding"),
    ("sources:\n  - name: a\n    urls: [https://example.gov.cn/]\n    allow_private: maybe\n",
     4, "allow_private"),
    ("sources:\n  - name: a\n    urls: [https://example.gov.cn/]\n    maxpages: 3\n", 4,
     "unknown key 'maxpages'"),
    ("sources:\n  - name: a\n    urls: [https://example.gov.cn/]\n"
     "  - name: a\n    urls: [https://example.gov.cn/b]\n", 4, "duplicate name"),
    ("sources:\n  - name: a\n    urls: [https://example.gov.cn/]\n"
     "    allowed_hosts: [other.gov.cn]\n", 4, "not in allowed_hosts"),
    ("sources:\n  - urls: [https://example.gov.cn/]\n", 2, "'name'"),
    ("sources:\n  - name: a\n    name: b\n    urls: [https://example.gov.cn/]\n", 3,
     "duplicate key"),
    ("srcs:\n  - name: a\n", 1, "unknown top-level key"),
    ("sources: {}\n", 1, "non-empty list"),
    ("- just a list\n", 1, "mapping"),
])
def test_validation_errors_name_line(tmp_path: Path, body: str, line: int, words: str) -> None:
    msg = _error(tmp_path, body)
    assert f"sources.yml:{line}:" in msg, msg
    assert words in msg, msg


# ------------------------------------------------------------ kinds and fetch keys


def test_new_keys_defaults_for_urls_source(tmp_path: Path) -> None:
    (s,) = load_sources(_write(tmp_path, "sources:\n  - name: a\n"
                                         "    urls: [https://example.gov.cn/a]\n"))
    assert s.kind == "urls" and s.entry == () and s.start_urls == s.urls
    assert s.link_selector is None and s.next_selector is None and s.max_list_pages == 5
    assert s.schedule is None and s.date_from_url is None and s.date_pattern is None
    assert s.rate_limit == 2.0 and s.concurrency == 2 and s.user_agent_contact is None


def test_list_feed_sitemap_sources(tmp_path: Path) -> None:
    p = _write(tmp_path, r"""sources:
  - name: news
    kind: list
    entry: https://example.gov.cn/news/index.html
    link_selector: "ul.list li > a"
    next_selector: a.next
    max_list_pages: 3
    schedule: "*/30 6-22 * * 1-5"
    date_from_url: '/t(?P<y>\d{4})(?P<m>\d\d)(?P<d>\d\d)_'
    rate_limit: 0.5
    concurrency: 1
    user_agent_contact: ops@example.org
  - name: feed
    kind: FEED
    entry: [https://example.gov.cn/rss.xml, https://www.example.gov.cn/atom.xml]
    schedule: "@Daily"
    rate_limit: 3
  - name: map
    kind: sitemap
    entry: https://example.gov.cn/sitemap.xml.gz
    allowed_hosts: [example.gov.cn, cdn.example.gov.cn]
    user_agent_contact: https://example.org/contact
""")
    news, feed, smap = load_sources(p)
    assert news.kind == "list" and news.urls == ()
    assert news.entry == ("https://example.gov.cn/news/index.html",)
    assert news.start_urls == news.entry
    assert news.link_selector == "ul.list li > a" and news.next_selector == "a.next"
    assert news.max_list_pages == 3 and news.schedule == "*/30 6-22 * * 1-5"
    assert news.date_pattern is not None
    assert news.date_pattern.search("/a/t20240320_1.html") is not None
    assert news.rate_limit == 0.5 and news.concurrency == 1
    assert news.user_agent_contact == "ops@example.org"
    assert feed.kind == "feed" and len(feed.entry) == 2 and feed.schedule == "@daily"
    assert feed.allowed_hosts == ("example.gov.cn", "www.example.gov.cn")
    assert isinstance(feed.rate_limit, float) and feed.rate_limit == 3.0
    assert smap.kind == "sitemap" and smap.allowed_hosts == ("example.gov.cn",
                                                             "cdn.example.gov.cn")
    hash(news)  # still a frozen, hashable dataclass


_LIST = ("sources:\n  - name: a\n    kind: list\n    entry: https://example.gov.cn/l.html\n"
         "    link_selector: a.item\n")
_URLS = "sources:\n  - name: a\n    urls: [https://example.gov.cn/]\n"


@pytest.mark.parametrize(("body", "line", "words"), [
    (_URLS + "    kind: crawl\n", 4, "kind must be one of urls, list, feed, sitemap"),
    (_URLS + "    kind: [list]\n", 4, "kind must be one of"),
    ("sources:\n  - name: a\n    kind: list\n    entry: https://example.gov.cn/l.html\n", 2,
     "needs 'link_selector'"),
    (_LIST.replace("a.item", '""'), 5, "link_selector must be a CSS selector"),
    (_LIST.replace("a.item", '"a[href"'), 5, "not a valid CSS selector"),
    (_LIST + "    next_selector: 'a:nth-child('\n", 6, "next_selector"),
    (_LIST + "    max_list_pages: 0\n", 6, "max_list_pages must be a positive integer"),
    (_URLS + "    link_selector: a\n", 4, "only applies to kind 'list'"),
    (_URLS + "    next_selector: a.next\n", 4, "only applies to kind 'list'"),
    ("sources:\n  - name: a\n    kind: feed\n    urls: [https://example.gov.cn/f]\n", 4,
     "starts from 'entry'"),
    ("sources:\n  - name: a\n    kind: sitemap\n", 2, "needs key 'entry'"),
    ("sources:\n  - name: a\n    kind: sitemap\n    entry: []\n", 4, "non-empty list"),
    ("sources:\n  - name: a\n    kind: feed\n    entry: file:///etc/passwd\n", 4,
     "not an http(s) URL"),
    ("sources:\n  - name: a\n    kind: feed\n    entry: https://example.gov.cn/f\n"
     "    allowed_hosts: [other.gov.cn]\n", 5, "not in allowed_hosts"),
    (_URLS + "    entry: https://example.gov.cn/x\n", 4, "'entry' is for kinds"),
    (_URLS + "    date_from_url: '(?P<y>\\d{4}'\n", 4, "not a valid regex"),
    (_URLS + "    date_from_url: '(\\d{4})/(\\d\\d)/(\\d\\d)'\n", 4,
     "missing y, m, d"),
    (_URLS + "    date_from_url: '(?P<y>\\d{4})/(?P<m>\\d\\d)'\n", 4, "missing d"),
    (_URLS + "    date_from_url: 20240101\n", 4, "date_from_url must be a regex"),
    (_URLS + "    schedule: daily\n", 4, "not a cron expression"),
    (_URLS + "    schedule: '0 6 * *'\n", 4, "not a cron expression"),
    (_URLS + "    schedule: '0 6 * * * *'\n", 4, "not a cron expression"),
    (_URLS + "    schedule: '@fortnightly'\n", 4, "not a known preset"),
    (_URLS + "    schedule: 5\n", 4, "schedule must be"),
    (_URLS + "    rate_limit: 0\n", 4, "rate_limit must be a number"),
    (_URLS + "    rate_limit: -1.5\n", 4, "greater than 0"),
    (_URLS + "    rate_limit: fast\n", 4, "rate_limit"),
    (_URLS + "    rate_limit: .nan\n", 4, "rate_limit"),
    (_URLS + "    rate_limit: true\n", 4, "rate_limit"),
    (_URLS + "    revisit_after_hours: -1\n", 4, "revisit_after_hours must be a number"),
    (_URLS + "    revisit_after_hours: soon\n", 4, "revisit_after_hours"),
    (_URLS + "    concurrency: 0\n", 4, "concurrency must be a positive integer"),
    (_URLS + "    concurrency: 1.5\n", 4, "concurrency"),
    (_URLS + "    user_agent_contact: 'me at home'\n", 4, "user_agent_contact"),
    (_URLS + "    user_agent_contact: \"a@b.cn\\r\\nX-Evil: 1\"\n", 4, "user_agent_contact"),
    (_URLS + "    user_agent_contact: nobody\n", 4, "user_agent_contact"),
])
def test_new_key_errors_name_line(tmp_path: Path, body: str, line: int, words: str) -> None:
    msg = _error(tmp_path, body)
    assert f"sources.yml:{line}:" in msg, msg
    assert words in msg, msg
    assert "source 'a'" in msg, msg


def test_empty_and_missing_file(tmp_path: Path) -> None:
    assert "empty" in _error(tmp_path, "")
    with pytest.raises(ConfigError, match="no such sources file"):
        load_sources(tmp_path / "absent.yml")


# ------------------------------------------------------------------ --input DIR


def test_iter_input_dir_sorted_recursive_with_sidecars(tmp_path: Path) -> None:
    (tmp_path / "b.html").write_bytes("<p>乙</p>".encode("gbk"))
    (tmp_path / "b.json").write_text(json.dumps(
        {"url": "https://example.gov.cn/b.html", "title": "乙页", "published_at": "2024-03-20",
         "extra": 1}, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "a.txt").write_text("甲", encoding="utf-8")
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "c.MD").write_text("---\ntitle: 丙\n---\n", encoding="utf-8")
    (sub / "d.htm").write_bytes(b"\xa4\xa4")
    (tmp_path / "notes.csv").write_text("x", encoding="utf-8")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "e.html").write_text("x", encoding="utf-8")

    pages = list(iter_input_dir(tmp_path))
    names = [p.path.relative_to(tmp_path.resolve()).as_posix() for p in pages]
    assert names == ["a.txt", "b.html", "sub/c.MD", "sub/d.htm"]
    a, b = pages[0], pages[1]
    assert a == LocalPage(path=(tmp_path / "a.txt").resolve(),
                          url=f"file://{(tmp_path / 'a.txt').resolve()}",
                          title=None, published_at=None, sidecar=None)
    assert b.url == "https://example.gov.cn/b.html"
    assert b.title == "乙页" and b.published_at == date(2024, 3, 20)
    assert b.sidecar is not None and b.sidecar["extra"] == 1


def test_sidecar_without_url_falls_back_to_file_url(tmp_path: Path) -> None:
    (tmp_path / "x.html").write_text("<p>x</p>", encoding="utf-8")
    (tmp_path / "x.json").write_text('{"title": "X", "published_at": null}', encoding="utf-8")
    (page,) = iter_input_dir(tmp_path)
    assert page.url == f"file://{(tmp_path / 'x.html').resolve()}"
    assert page.title == "X" and page.published_at is None


@pytest.mark.parametrize(("content", "words"), [
    ("{not json", "not valid UTF-8 JSON"),
    ("[1, 2]", "JSON object"),
    ('{"published_at": "20.3.2024"}', "YYYY-MM-DD"),
    ('{"published_at": "2024-02-30"}', "YYYY-MM-DD"),
    ('{"url": 5}', "must be a string"),
    ('{"url": "javascript:alert(1)"}', "not an http(s) or file URL"),
])
def test_malformed_sidecar_names_the_file(tmp_path: Path, content: str, words: str) -> None:
    (tmp_path / "p.html").write_text("<p>x</p>", encoding="utf-8")
    side = tmp_path / "p.json"
    side.write_text(content, encoding="utf-8")
    (page,) = iter_input_dir(tmp_path)  # the page carries its sidecar's fault; others go on
    assert page.error is not None
    assert str(side.resolve()) in page.error and words in page.error


def test_input_dir_must_exist(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not a directory"):
        list(iter_input_dir(tmp_path / "nope"))


def test_sample_corpus_pages() -> None:
    pages = list(iter_input_dir(SAMPLES / "corpus"))
    names = [p.path.name for p in pages]
    assert len(pages) == 13  # 12 pages + bad_binary.html
    assert "bad_binary.html" in names
    assert not any(n.endswith(".json") for n in names)
    assert sum(p.sidecar is not None for p in pages) >= 5


# Encodings of the sample pages, as EXPECTED.md lists them.
SAMPLE_ENCODINGS = {"01_lkg_2024_gdp.html": "gbk", "02_hefei_2022_review.html": "gbk",
                    "03_donghu_jan_oct.html": "gbk", "04_sip_h1_big5.html": "big5",
                    "05_guian_compute_big5.html": "big5"}
GOLD_KEYS = {"doc", "category", "indicator", "label_zh", "region", "value", "unit", "qualifier",
             "status", "period", "core", "evidence"}


def test_sample_gold_matches_corpus() -> None:
    rows = [json.loads(line) for line in
            (SAMPLES / "gold.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(rows) >= 60
    docs = {p.path.name for p in iter_input_dir(SAMPLES / "corpus")}
    for r in rows:
        assert set(r) >= GOLD_KEYS, r
        assert r["doc"] in docs
        assert r["category"] in {"investment", "output", "compute"}
        assert r["unit"] in {"CNY", "count", "PFLOPS", "percent"}
        assert r["status"] in {"actual", "estimate", "target"}
        assert r["qualifier"] in {"exact", "about", "at_least", "more_than", "at_most"}
        path = SAMPLES / "corpus" / r["doc"]
        text = path.read_bytes().decode(SAMPLE_ENCODINGS.get(r["doc"], "utf-8"))
        assert r["evidence"] in text, r
    assert "bad_binary.html" not in {r["doc"] for r in rows}
