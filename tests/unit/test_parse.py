"""ingest.process.parse: one input phenomenon per test; all sentences written for the tests."""

from __future__ import annotations

import datetime as dt

import pytest

from ingest.process.parse import ParsedPage, parse

D = dt.date(2024, 3, 18)
BODY = (
    "滨江新区今年计划新开工产业项目四十个，总投资约六百亿元"
    "，带动就业超过两万人，全区生产总值预计突破一千九百亿元。"
)
BODY_T = (
    "濱江新區今年計劃新開工產業項目四十個，總投資約六百億元"
    "，帶動就業超過兩萬人，全區生產總值預計突破一千九百億元。"
)


def page(body: str = f"<p>{BODY}</p>", head: str = "", title: str = "滨江新区发布年度计划") -> str:
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title>{head}</head>"
        f"<body>{body}</body></html>"
    )


# ------------------------------------------------------------------ dates: meta


@pytest.mark.parametrize(
    "tag",
    [
        '<meta property="article:published_time" content="2024-03-18T09:30:00+08:00">',
        '<meta name="pubdate" content="2024-03-18 09:30">',
        '<meta name="PubDate" content="2024-03-18 09:30:00">',
        '<meta name="publishdate" content="2024-03-18">',
        '<meta property="og:published_time" content="2024/03/18">',
        '<meta name="firstpublishedtime" content="2024-03-18-09:30:00">',
        '<meta itemprop="datePublished" content="2024年3月18日">',
        '<meta name="publish_date" content="20240318">',
    ],
)
def test_meta_date_variants(tag: str) -> None:
    p = parse(page(head=tag))
    assert (p.published_at, p.date_source) == (D, "meta")


def test_time_element_date_published() -> None:
    body = f'<time itemprop="datePublished" datetime="2024-03-18">三月十八日</time><p>{BODY}</p>'
    assert parse(page(body)).published_at == D


def test_meta_beats_url_and_text() -> None:
    body = f"<p>2023-01-02 来源：本网</p><p>{BODY}</p>"
    p = parse(
        page(body, '<meta name="pubdate" content="2024-03-18">'),
        url="http://x.cn/2022/05/06/a.html",
    )
    assert (p.published_at, p.date_source) == (D, "meta")


def test_bad_meta_date_ignored() -> None:
    p = parse(page(head='<meta name="pubdate" content="not a date">'))
    assert (p.published_at, p.date_source) == (None, "none")


# ------------------------------------------------------------------ dates: sidecar, url, text


def test_sidecar_wins() -> None:
    p = parse(
        page(head='<meta name="pubdate" content="2022-01-01">'),
        sidecar={"title": "边车标题", "published_at": "2024-03-18"},
    )
    assert (p.title, p.published_at, p.date_source) == ("边车标题", D, "sidecar")


def test_bad_sidecar_date_falls_through() -> None:
    p = parse(
        page(head='<meta name="pubdate" content="2024-03-18">'), sidecar={"published_at": "soon"}
    )
    assert (p.published_at, p.date_source) == (D, "meta")


@pytest.mark.parametrize(
    "url",
    [
        "http://news.example.cn/2024/03/18/abc.html",
        "http://www.example.gov.cn/zwgk/202403/t20240318_4567.html",
        "http://paper.example.cn/html/2024-03/18/content_1.htm",
        "http://paper.example.cn/html/202403/18/node_2.htm",
        "http://news.example.cn/20240318/12345.shtml",
        "http://www.example.gov.cn/art/2024/3/18/art_1_2.html",
    ],
)
def test_url_date_variants(url: str) -> None:
    p = parse(page(), url=url)
    assert (p.published_at, p.date_source) == (D, "url")


@pytest.mark.parametrize(
    "url", ["http://x.cn/news/20241340/a.html", "http://x.cn/item/202403181234567.html", None]
)
def test_url_without_valid_date(url: str | None) -> None:
    assert parse(page(), url=url).date_source == "none"


@pytest.mark.parametrize(
    "line",
    [
        "2024-03-18新闻",
        "2024年3月18日 来源：滨江日报",
        "发布时间：2024-03-18 10:20",
        "２０２４－０３－１８",
        "——2024年3月18日在滨江新区第三届人民代表大会第二次会议上",
        "（2024年3月18日在滨江新区人民代表大会第二次会议上）",
    ],
)
def test_text_date_line_near_top(line: str) -> None:
    p = parse(f"滨江新区发布年度计划\n{line}\n{BODY}\n")
    assert (p.published_at, p.date_source) == (D, "text")
    assert line not in p.blocks


def test_text_date_line_in_html() -> None:
    body = (
        "<h1>滨江新区发布年度计划</h1><div class='info'>"
        f"2024年3月18日 来源：滨江日报</div><p>{BODY}</p>"
    )
    p = parse(page(body))
    assert (p.published_at, p.date_source) == (D, "text")


def test_date_deep_in_body_not_used() -> None:
    text = f"滨江新区发布年度计划\n{BODY}\n第二段说明情况。\n2023年6月1日\n"
    assert parse(text).date_source == "none"


def test_paragraph_starting_with_event_date_not_used() -> None:
    text = (
        "2021年5月6日，滨江新区与一家研究院共建的创新中心正式"
        "启用，首批入驻企业二十家，计划三年内形成百亿级产业规模。\n"
    )
    p = parse(text)
    assert (p.published_at, p.date_source) == (None, "none")
    assert len(p.blocks) == 1


# ------------------------------------------------------------------ front matter


def test_front_matter_title_date_and_html_fragments() -> None:
    text = (
        '---\nlayout: post\ntitle: "滨江新区发布年度计划"\ndate: 2024-03-18 11:11:03 +0800\n'
        f"categories: news\n---\n<p>■ 本报记者 李四 </p>\n <p>{BODY} </p>\n"
        '<p class="em_media">（文章来源：滨江日报）</p>\n\n'
        "<http://news.example.cn/share?id=1>\n\n"
        "[返回新闻列表](//example.cn/list.html)｜[返回首页](//example.cn/)\n"
    )
    p = parse(text)
    assert p.title == "滨江新区发布年度计划"
    assert (p.published_at, p.date_source) == (D, "front_matter")
    assert p.blocks == ("■ 本报记者 李四", BODY)


def test_front_matter_with_markdown_body() -> None:
    text = (
        "---\ntitle: 年度计划\ndate: 2024-03-18\n---\n# 总体目标\n\n"
        f"{BODY}\n\n- 新建道路**十二条**\n\n![](/img/a.png)\n\n详见[计划全文](http://x.cn/a)。\n"
    )
    p = parse(text)
    assert p.blocks == ("总体目标", BODY, "新建道路十二条", "详见计划全文。")


def test_front_matter_invalid_yaml_still_read() -> None:
    text = f"---\ntitle: 滨江: 年度计划: 发布\ndate: 2024-03-18\n---\n{BODY}\n"
    p = parse(text)
    assert p.title == "滨江: 年度计划: 发布"
    assert p.date_source == "front_matter"


def test_url_used_when_front_matter_has_no_date() -> None:
    p = parse(f"---\ntitle: 计划\n---\n{BODY}\n", url="http://x.cn/2024/03/18/a.html")
    assert p.date_source == "url"


# ------------------------------------------------------------------ html structure


def test_nav_header_footer_script_style_removed() -> None:
    body = (
        "<header><a>网站首页</a><a>新闻中心</a></header><nav><a>栏目一</a></nav>"
        f"<script>var note = '脚本内容';</script><style>p{{color:red}}</style><p>{BODY}</p>"
        "<aside>侧栏推荐内容</aside><footer>网站底部信息</footer><noscript>请启用脚本</noscript>"
    )
    assert parse(page(body)).blocks == (BODY,)


def test_share_comment_and_related_removed() -> None:
    body = (
        f"<div class='article'><p>{BODY}</p></div>"
        "<div class='share-box'>分享：微信 微博</div>"
        "<div id='comments'><p>网友留言一条</p></div>"
        "<ul><li><a>甲消息</a></li><li><a>乙消息</a></li><li><a>丙消息</a></li></ul>"
    )
    assert parse(page(body)).blocks == (BODY,)


def test_html_comment_removed() -> None:
    assert parse(page(f"<p>{BODY}<!-- 隐藏的注释 --></p>")).blocks == (BODY,)


def test_paragraph_internal_newlines_collapsed() -> None:
    p = parse(page("<p>新区今年计划\n   新开工项目四十个。</p><p>第二段<br>换行后的内容。</p>"))
    assert p.blocks == ("新区今年计划 新开工项目四十个。", "第二段", "换行后的内容。")


def test_content_container_preferred() -> None:
    body = (
        "<div class='top'>滨江网 欢迎您</div><h1>滨江新区发布年度计划</h1>"
        f"<div class='TRS_Editor'><p>{BODY}</p><p>第二段说明情况。</p></div>"
    )
    p = parse(page(body))
    assert p.blocks == (BODY, "第二段说明情况。")


def test_figcaption_kept() -> None:
    body = (
        f"<figure><img src='a.jpg'><figcaption>新区智算中心外景</figcaption></figure><p>{BODY}</p>"
    )
    assert "新区智算中心外景" in parse(page(body)).blocks


# ------------------------------------------------------------------ boilerplate lines


@pytest.mark.parametrize(
    "line",
    [
        "本文系某某中心投稿，不代表本站的观点和立场。",
        "本文系某某中心投稿，不代表本站的觀點和立場。",
        "本文系長(zhǎng)江中心投稿，不代表本站的觀(guān)點(diǎn)和立場(chǎng)。",
        "文章内容仅供参考，若涉及侵权，请及时联系本站处理。",
        "文章內容僅供參考，若涉及侵權，請及時聯繫本站處理。",
        "图片授权发布，版权归原作者所有。",
        "圖片授權發佈，版權歸原作者所有。",
        "（文章来源：滨江日报）",
        "文章來源：濱江日報",
        "责任编辑：王五",
        "責任編輯：王五",
        "更多内容请下载滨江新闻APP",
        "更多內容請下載濱江財經APP",
        "昵称 验证码 请输入正确验证码",
        "暱稱 驗證碼 請輸入正確驗證碼",
        "所有评论仅代表网友意见，与本站立场无关",
        "所有評論僅代表網友意見，與本站立場無關",
        "返回首页",
        "當前位置: 首頁 > 新聞",
        "http://news.example.cn/a/b.html",
        "[返回列表](http://x.cn/list)",
    ],
)
def test_boilerplate_line_dropped(line: str) -> None:
    p = parse(f"{BODY}\n{line}\n")
    assert p.blocks == (BODY,)


@pytest.mark.parametrize("line", [BODY_T, "数据来源：滨江新区统计局", "新区智算中心外景"])
def test_content_lines_kept(line: str) -> None:
    assert line in parse(f"{BODY}\n{line}\n").blocks


# ------------------------------------------------------------------ plain text and titles


def test_plain_text_one_paragraph_per_line() -> None:
    p = parse(f"{BODY}\n第二段说明情况。\n\n\n第三段继续说明。\n")
    assert p.blocks == (BODY, "第二段说明情况。", "第三段继续说明。")
    assert p.title is None


def test_plain_text_title_skips_breadcrumb() -> None:
    text = (
        "當前位置: 濱江網 > 新聞\n\n濱江新區發布年度計劃：投資約六"
        f"百億元\n\n2024-03-18新聞\n\n{BODY_T}\n"
    )
    p = parse(text)
    assert p.title == "濱江新區發布年度計劃：投資約六百億元"
    assert p.blocks == (BODY_T,)
    assert p.date_source == "text"


def test_plain_text_title_longest_headline_before_body() -> None:
    text = f"园区一角\n\n滨江新区：以创新为引领 加快发展新兴产业\n\n{BODY}\n"
    p = parse(text)
    assert p.title == "滨江新区：以创新为引领 加快发展新兴产业"
    assert p.blocks == ("园区一角", BODY)


def test_html_title_suffix_stripped() -> None:
    p = parse(page(title="滨江新区发布年度计划_新闻中心_滨江网"))
    assert p.title == "滨江新区发布年度计划"


def test_html_title_dash_suffix_stripped() -> None:
    assert parse(page(title="滨江新区发布年度计划 - 滨江网")).title == "滨江新区发布年度计划"


def test_og_title_preferred_over_title_tag() -> None:
    head = '<meta property="og:title" content="新区年度计划正式发布 | 滨江网">'
    assert parse(page(head=head, title="滨江网")).title == "新区年度计划正式发布"


def test_h1_preferred_over_title_tag_and_not_in_blocks() -> None:
    p = parse(page(f"<h1>新区年度计划正式发布</h1><p>{BODY}</p>", title="首页_滨江网"))
    assert p.title == "新区年度计划正式发布"
    assert p.blocks == (BODY,)


def test_nothing_found() -> None:
    p = parse("")
    assert p == ParsedPage(title=None, published_at=None, date_source="none", blocks=())


@pytest.mark.parametrize("crumb", ["首页 > 新闻中心 > 正文", "新闻中心 » 地方动态 » 正文"])
def test_breadcrumb_chain_dropped_and_not_title(crumb: str) -> None:
    p = parse(f"{crumb}\n滨江新区发布年度计划\n{BODY}\n")
    assert p.title == "滨江新区发布年度计划"
    assert p.blocks == (BODY,)


def test_table_row_kept_on_one_line() -> None:
    body = (
        "<table><tr><th>项目</th><th>投资额</th></tr><tr><td>一期</td><td>10亿元</td></tr></table>"
    )
    assert parse(page(body)).blocks == ("项目 投资额", "一期 10亿元")


def test_html_fragment_without_title_keeps_its_line() -> None:
    p = parse("<p>新区智算中心投用</p>")
    assert (p.title, p.blocks) == (None, ("新区智算中心投用",))


def test_plain_text_without_body_paragraph_has_no_title() -> None:
    p = parse("一期工程\n二期工程\n")
    assert (p.title, p.blocks) == (None, ("一期工程", "二期工程"))


def test_header_inside_article_kept() -> None:
    body = (
        "<header><a>网站导航</a></header><article><header><h1>新区年度计划正式发布</h1>"
        f"<p>2024年3月18日 来源：滨江日报</p></header><p>{BODY}</p></article>"
    )
    p = parse(page(body, title="滨江网"))
    assert (p.title, p.published_at, p.blocks) == ("新区年度计划正式发布", D, (BODY,))


def test_line_keys_reuse_known_keys_only_without_glosses() -> None:
    from ingest.process import parse as parse_mod

    head = ["首頁 | 新聞中心", "產業園(chǎn)", "全區地區生產總值增長５．２％", "二(er)期項目"]
    lines = ["全區地區生產總值增長５．２％", "二(er)期項目"]
    known = dict(zip(head, parse_mod._keys(head), strict=True))
    # the toned gloss in the head makes its (er) a gloss; in these lines alone it is not
    assert known["二(er)期項目"] != parse_mod._keys(["二(er)期項目"])[0]
    assert parse_mod._keys(lines, known) == parse_mod._keys(lines)
    plain = ["全區地區生產總值增長５．２％", "新的一行"]
    assert parse_mod._keys(plain, known) == parse_mod._keys(plain)
    wrong = {plain[0]: "not the key"}
    assert parse_mod._keys(plain, wrong)[0] == "not the key"  # known keys are used
