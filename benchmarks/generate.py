"""Synthetic Chinese regional-development pages with known facts, for benchmarks.

`write_corpus(dir, n, seed)` streams `n` HTML pages to `dir` (one file each, never
all in memory) plus `manifest.jsonl`: one line per page with its file name, url,
encoding, publication date, region and the facts its sentences state (indicator,
value in base units, unit, qualifier, status, period, raw_text as printed).

Pages look like Chinese government / news pages: a site header, a nav menu, a
breadcrumb, a date-and-source line, 5-20 paragraphs, share box, related-article
list and footer; about a third are GBK-encoded (declared with a <meta> charset),
the rest UTF-8. Paragraphs mix fact sentences (built from parts: region, period,
indicator, qualifier, value, unit) with filler sentences that hold no facts, some
of them with numbers that are not facts (dates, ordinals, headcounts, subsidies,
foreign currency).

Page `i` depends only on (seed, i), so a 1,000-page corpus is the prefix of the
10,000-page corpus with the same seed.
"""

from __future__ import annotations

import calendar
import csv
import json
import random
import re
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ingest.config import SEEDS_DIR

__all__ = ["Fact", "GeneratedPage", "Region", "load_regions", "make_page", "write_corpus",
           "iter_corpus", "MANIFEST"]

MANIFEST = "manifest.jsonl"


# ------------------------------------------------------------------------ lexicon parts


@dataclass(frozen=True)
class Region:
    region_id: str
    name: str  # name_zh
    level: str
    parent_id: str | None
    aliases: tuple[str, ...]


def load_regions(seeds_dir: Path = SEEDS_DIR) -> dict[str, Region]:
    out: dict[str, Region] = {}
    with (seeds_dir / "regions.csv").open(encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            if r["level"] in ("unknown", "country"):
                continue
            out[r["region_id"]] = Region(
                r["region_id"], r["name_zh"], r["level"], r["parent_region_id"] or None,
                tuple(a for a in (r.get("aliases") or "").split("|") if a))
    return out


_REGIONS: dict[str, Region] | None = None
_SUBJECTS: list[Region] = []


def _regions() -> tuple[dict[str, Region], list[Region]]:
    """All regions, and the pool a page can be about (zones weighted up)."""
    global _REGIONS, _SUBJECTS
    if _REGIONS is None:
        _REGIONS = load_regions()
        pool: list[Region] = []
        for r in _REGIONS.values():
            weight = {"zone": 12, "city": 2, "district": 1, "county": 1}.get(r.level, 0)
            pool.extend([r] * weight)
        _SUBJECTS = pool
    return _REGIONS, _SUBJECTS


@dataclass(frozen=True)
class Fact:
    """A fact a generated sentence states (what a perfect extractor would find)."""

    indicator_id: str
    value: float  # base units: yuan, PFLOPS, percent points, count
    unit: str  # CNY, PFLOPS, percent, count
    qualifier: str
    status: str
    period_start: str | None
    period_end: str | None
    region_id: str | None
    raw_text: str  # the printed number (with 万/亿), as the extractor's raw_text
    sentence: str = ""


@dataclass
class GeneratedPage:
    name: str
    url: str
    encoding: str
    published_at: str
    region_id: str
    body: bytes
    facts: list[Fact] = field(default_factory=list)

    def manifest_row(self) -> dict[str, Any]:
        return {"name": self.name, "url": self.url, "encoding": self.encoding,
                "published_at": self.published_at, "region_id": self.region_id,
                "size": len(self.body), "facts": [asdict(f) for f in self.facts]}


# ------------------------------------------------------------------------------ periods


@dataclass(frozen=True)
class Period:
    text: str
    start: date
    end: date
    status: str  # actual / target


def _month_end(y: int, m: int) -> date:
    return date(y, m, calendar.monthrange(y, m)[1])


def _periods(pub: date) -> list[Period]:
    """Time expressions that make sense on a page published on `pub`."""
    y, m = pub.year, pub.month
    out = [Period(f"{y - 1}年", date(y - 1, 1, 1), date(y - 1, 12, 31), "actual"),
           Period("去年", date(y - 1, 1, 1), date(y - 1, 12, 31), "actual"),
           Period(f"{y - 1}年全年", date(y - 1, 1, 1), date(y - 1, 12, 31), "actual")]
    if m >= 7:
        out.append(Period("今年上半年", date(y, 1, 1), date(y, 6, 30), "actual"))
        out.append(Period(f"{y}年上半年", date(y, 1, 1), date(y, 6, 30), "actual"))
    if m >= 10:
        out.append(Period("今年前三季度", date(y, 1, 1), date(y, 9, 30), "actual"))
    if m >= 3:
        out.append(Period(f"{y}年1—{m - 1}月", date(y, 1, 1), _month_end(y, m - 1), "actual"))
        out.append(Period("今年以来", date(y, 1, 1), date(y, 12, 31), "actual"))
    return out


def _targets(pub: date) -> list[Period]:
    y = pub.year
    return [Period(f"到{t}年", date(t, 1, 1), date(t, 12, 31), "target")
            for t in (y + 1, y + 2, 2025 if y < 2025 else 2027, 2030)]


# ------------------------------------------------------------------------------- values


def _fmt(v: float, decimals: int) -> str:
    s = f"{v:.{decimals}f}"
    return s.rstrip("0").rstrip(".") if "." in s else s


def _yi(rng: random.Random, lo: float, hi: float) -> tuple[str, float, str]:
    """A money amount printed in 亿元 (or 万亿元 when large): (printed, yuan, unit text)."""
    v = round(rng.uniform(lo, hi), rng.choice((0, 0, 1, 2)))
    if v >= 10000 and rng.random() < 0.7:
        w = round(v / 10000, 2)
        return f"{_fmt(w, 2)}万亿", w * 1e12, "元"
    return f"{_fmt(v, 2)}亿", v * 1e8, "元"


def _wan(rng: random.Random, lo: int, hi: int) -> tuple[str, float, str]:
    v = rng.randint(lo, hi)
    return f"{v}万", v * 1e4, "元"


def _pct(rng: random.Random, lo: float = 0.5, hi: float = 25.0) -> tuple[str, float]:
    v = round(rng.uniform(lo, hi), 1)
    return _fmt(v, 1), v


QUALIFIERS_BEFORE = [("", "exact"), ("", "exact"), ("达到", "exact"), ("达", "exact"),
                     ("突破", "more_than"), ("超过", "more_than"), ("约", "about")]
QUALIFIERS_AFTER = [("", None), ("", None), ("", None), ("以上", "at_least"),
                    ("左右", "about")]


# ---------------------------------------------------------------------------- sentences


@dataclass
class Ctx:
    rng: random.Random
    pub: date
    page_region: Region
    city: Region | None
    regions: dict[str, Region]

    def period(self) -> Period:
        return self.rng.choice(_periods(self.pub))

    def target(self) -> Period:
        return self.rng.choice(_targets(self.pub))

    def place(self) -> tuple[str, str | None]:
        """A subject at the start of a sentence: the page's region (by name or alias),
        or 全区/全市 (no region named; the page's region applies)."""
        r, roll = self.page_region, self.rng.random()
        if roll < 0.45:
            return r.name, r.region_id
        if roll < 0.65 and r.aliases:
            alias = self.rng.choice(r.aliases)
            if len(alias) >= 3:
                return alias, r.region_id
        return ("全市" if r.level == "city" else "全区" if r.level != "county" else "全县"), \
            r.region_id

    def qual(self) -> tuple[str, str, str]:
        """(before, after, qualifier) around a number."""
        b, qb = self.rng.choice(QUALIFIERS_BEFORE)
        a, qa = self.rng.choice(QUALIFIERS_AFTER)
        if qa is not None and qb != "exact":
            a, qa = "", None
        return b, a, qa or qb


def _fact(ind: str, value: float, unit: str, qual: str, p: Period, region: str | None,
          raw: str, status: str | None = None) -> Fact:
    return Fact(ind, value, unit, qual, status or p.status, p.start.isoformat(),
                p.end.isoformat(), region, raw)


Sentence = tuple[str, list[Fact]]


def s_gdp(c: Ctx) -> Sentence:
    p, (place, rid) = c.period(), c.place()
    b, a, q = c.qual()
    raw, v, u = _yi(c.rng, 150, 26000)
    graw, g = _pct(c.rng, 1.0, 9.5)
    verb = c.rng.choice(("实现", "完成", ""))
    s = f"{p.text}，{place}{verb}地区生产总值{b}{raw}{u}{a}，同比增长{graw}%"
    return s, [_fact("gdp", v, "CNY", q, p, rid, raw),
               _fact("gdp_growth", g, "percent", "exact", p, rid, graw)]


def s_fai(c: Ctx) -> Sentence:
    p, (place, rid) = c.period(), c.place()
    b, a, q = c.qual()
    raw, v, u = _yi(c.rng, 30, 3000)
    graw, g = _pct(c.rng)
    iraw, iv, iu = _yi(c.rng, 5, 800)
    s = (f"{p.text}，{place}完成固定资产投资{b}{raw}{u}{a}，增长{graw}%，"
         f"其中工业投资{iraw}{iu}")
    return s, [_fact("fixed_asset_investment", v, "CNY", q, p, rid, raw),
               _fact("fixed_asset_investment_growth", g, "percent", "exact", p, rid, graw),
               _fact("industrial_investment", iv, "CNY", "exact", p, rid, iraw)]


def s_projects(c: Ctx) -> Sentence:
    p, (place, rid) = c.period(), c.place()
    n = c.rng.randint(6, 320)
    raw, v, u = _yi(c.rng, 20, 2500)
    verb = c.rng.choice(("签约", "新签约", "引进", "集中签约"))
    unit = c.rng.choice(("个", "个", "项"))
    s = f"{p.text}，{place}{verb}亿元以上项目{n}{unit}，总投资{raw}{u}"
    return s, [_fact("projects_over_100m_count", float(n), "count", "exact", p, rid, str(n)),
               _fact("total_investment", v, "CNY", "exact", p, rid, raw)]


def s_key_projects(c: Ctx) -> Sentence:
    p, (place, rid) = c.period(), c.place()
    n = c.rng.randint(5, 180)
    raw, v, u = _yi(c.rng, 10, 900)
    s = f"{p.text}，{place}新开工项目{n}个，完成投资{raw}{u}"
    return s, [_fact("key_projects_count", float(n), "count", "exact", p, rid, str(n)),
               _fact("investment_completed", v, "CNY", "exact", p, rid, raw)]


def s_compute(c: Ctx) -> Sentence:
    p, (place, rid) = c.period(), c.place()
    v = c.rng.choice((c.rng.randint(20, 900), c.rng.randint(1000, 20000)))
    unit = c.rng.choice(("P", "P", "PFLOPS"))
    b = c.rng.choice((("", "exact"), ("突破", "more_than"), ("超过", "more_than"),
                      ("达到", "exact")))
    kw = c.rng.choice(("算力规模", "算力总规模", "智能算力规模"))
    if p.end.month == 12 and p.end < c.pub and c.rng.random() < 0.5:  # a stock at a point
        p = Period(f"截至{p.end.year}年底", p.end, p.end, "actual")
    s = f"{p.text}，{place}{kw}{b[0]}{v}{unit}"
    return s, [_fact("computing_power", float(v), "PFLOPS", b[1], p, rid, str(v))]


def s_compute_target(c: Ctx) -> Sentence:
    p, (place, rid) = c.target(), c.place()
    v = c.rng.randint(100, 50000)
    s = f"{p.text}，{place}力争智能算力规模达到{v}P以上"
    return s, [_fact("computing_power", float(v), "PFLOPS", "at_least", p, rid, str(v))]


def s_gdp_target(c: Ctx) -> Sentence:
    p, (place, rid) = c.target(), c.place()
    raw, v, u = _yi(c.rng, 500, 30000)
    s = f"{p.text}，{place}力争地区生产总值突破{raw}{u}"
    return s, [_fact("gdp", v, "CNY", "more_than", p, rid, raw)]


def s_industry(c: Ctx) -> Sentence:
    p, (place, rid) = c.period(), c.place()
    graw, g = _pct(c.rng, 2.0, 18.0)
    kw = c.rng.choice(("规模以上工业增加值", "规上工业增加值"))
    s = f"{p.text}，{place}{kw}同比增长{graw}%"
    return s, [_fact("industrial_added_value_growth", g, "percent", "exact", p, rid, graw)]


def s_retail(c: Ctx) -> Sentence:
    p, (place, rid) = c.period(), c.place()
    raw, v, u = _yi(c.rng, 80, 9000)
    graw, g = _pct(c.rng, 1.0, 12.0)
    s = f"{p.text}，{place}实现社会消费品零售总额{raw}{u}，增长{graw}%"
    return s, [_fact("retail_sales", v, "CNY", "exact", p, rid, raw),
               _fact("output_growth", g, "percent", "exact", p, rid, graw)]


def s_trade(c: Ctx) -> Sentence:
    p, (place, rid) = c.period(), c.place()
    raw, v, u = _yi(c.rng, 40, 6000)
    s = f"{p.text}，{place}进出口总额{raw}{u}"
    return s, [_fact("trade_total", v, "CNY", "exact", p, rid, raw)]


def s_fund(c: Ctx) -> Sentence:
    p, (place, rid) = c.period(), c.place()
    n = c.rng.randint(2, 40)
    raw, v, u = _yi(c.rng, 10, 600)
    b, a, q = c.qual()
    s = f"{p.text}，{place}新设立产业基金{n}支，基金总规模{b}{raw}{u}{a}"
    return s, [_fact("funds_count", float(n), "count", "exact", p, rid, str(n)),
               _fact("fund_size", v, "CNY", q, p, rid, raw)]


def s_revenue(c: Ctx) -> Sentence:
    p, (place, rid) = c.period(), c.place()
    raw, v, u = _wan(c.rng, 1200, 980000)
    sector = c.rng.choice(("软件和信息技术服务业", "数字经济核心产业", "高新技术企业",
                           "规上服务业企业"))
    s = f"{p.text}，{place}{sector}实现营业收入{raw}{u}"
    return s, [_fact("revenue", v, "CNY", "exact", p, rid, raw)]


def s_signed(c: Ctx) -> Sentence:
    p, (place, rid) = c.period(), c.place()
    raw, v, u = _yi(c.rng, 10, 1500)
    ev = c.rng.choice(("在重点项目集中签约活动上", "在招商推介会上", "在产业对接会上"))
    s = f"{p.text}，{place}{ev}共签约项目{c.rng.randint(5, 60)}个，签约金额{raw}{u}"
    n = int(re.search(r"签约项目(\d+)个", s).group(1))  # type: ignore[union-attr]
    return s, [_fact("key_projects_count", float(n), "count", "exact", p, rid, str(n)),
               _fact("signed_investment", v, "CNY", "exact", p, rid, raw)]


def s_estimate(c: Ctx) -> Sentence:
    place, rid = c.place()
    graw, g = _pct(c.rng, 3.0, 9.0)
    s = f"预计今年{place}地区生产总值增长{graw}%左右"
    y = c.pub.year
    return s, [Fact("gdp_growth", g, "percent", "about", "estimate", date(y, 1, 1).isoformat(),
                    date(y, 12, 31).isoformat(), rid, graw)]


FACT_SENTENCES: list[tuple[Callable[[Ctx], Sentence], int]] = [
    (s_gdp, 5), (s_fai, 5), (s_projects, 5), (s_key_projects, 3), (s_compute, 4),
    (s_compute_target, 2), (s_gdp_target, 2), (s_industry, 3), (s_retail, 2), (s_trade, 2),
    (s_fund, 2), (s_revenue, 2), (s_signed, 3), (s_estimate, 1),
]
_FACT_POOL = [f for f, w in FACT_SENTENCES for _ in range(w)]

_FILLER = [
    "会议强调，要坚持稳中求进工作总基调，完整、准确、全面贯彻新发展理念",
    "{place}将持续优化营商环境，推动产业链、创新链、人才链深度融合",
    "下一步，{place}将聚焦主导产业，加快建设现代化产业体系，奋力推动高质量发展",
    "各部门要强化责任担当，确保各项任务落地见效",
    "记者从{city}发展和改革委员会获悉，相关工作正有序推进",
    "第{ordinal}届数字经济创新发展大会于{month}月{day}日在{city}举行",
    "活动吸引了{n}余名企业代表和专家学者参加",
    "对新认定的高新技术企业，给予最高{small}万元一次性奖励",
    "{place}实际使用外资{small}万美元，外资结构持续优化",
    "与会人员围绕人工智能、集成电路、新能源汽车等领域展开深入交流",
    "该项目建成后将有效带动上下游企业集聚发展",
    "园区坚持“项目为王”，实行“一个项目、一名领导、一个专班”推进机制",
    "咨询电话：0{area}-{phone}",
    "据介绍，{place}已形成以电子信息、装备制造和生物医药为主导的产业格局",
    "企业负责人表示，将进一步扩大在当地的投资规模",
    "{city}数据局有关负责人介绍，公共算力服务平台已接入多家算力中心",
]

_TITLES = [
    "{place}{period}经济运行稳中有进",
    "{place}召开重点项目推进会",
    "{place}：数字经济发展跑出“加速度”",
    "{place}算力基础设施建设提速",
    "{place}招商引资成效显著",
    "{place}{period}主要经济指标发布",
    "{place}加快建设现代化产业体系",
]

_SOURCES = ["本站", "统计局", "发展改革委", "新华网", "人民网", "经济日报", "管委会办公室"]
_EDITORS = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨帆", "赵磊"]
_NAV = ["首页", "政务公开", "新闻中心", "政务服务", "互动交流", "投资指南", "走进园区",
        "政策文件", "专题专栏", "办事指南", "信息公开", "人事信息", "统计数据"]
_RELATED = ["关于印发《数字经济高质量发展三年行动方案》的通知", "区领导调研重点企业",
            "全区安全生产工作会议召开", "高新技术企业认定工作启动", "人才引进政策解读",
            "优化营商环境典型案例发布", "重点项目观摩活动举行", "产业园区建设现场推进会",
            "科技创新大会召开", "招商引资工作调度会召开"]


_FRIENDS = [("cn-11", "中国政府网"), ("cn-34", "安徽省人民政府"), ("cn-42", "湖北省人民政府"),
            ("cn-32", "江苏省人民政府"), ("cn-44", "广东省人民政府"), ("cn-51", "四川省人民政府"),
            ("cn-33", "浙江省人民政府"), ("cn-37", "山东省人民政府"), ("cn-3401", "合肥市人民政府"),
            ("cn-4201", "武汉市人民政府"), ("cn-5101", "成都市人民政府"),
            ("cn-3205", "苏州市人民政府"), ("stats", "国家统计局"), ("ndrc", "国家发展改革委"),
            ("miit", "工业和信息化部"), ("mofcom", "商务部"), ("most", "科学技术部"),
            ("xinhua", "新华网"), ("people", "人民网"), ("ce", "中国经济网")]
_SCRIPT = ("<script type=\"text/javascript\">\n" + "\n".join(
    f"function f{k}(a,b){{var c=document.getElementById('m{k}');if(c){{c.style.display="
    f"a?'block':'none';c.className='menu-{k} '+(b||'');}}return false;}}" for k in range(24))
    + "\n$(function(){$('.nav li').hover(function(){$(this).addClass('on')},function(){"
    "$(this).removeClass('on')});});\n</script>\n")


def _filler(c: Ctx) -> str:
    rng = c.rng
    place, _ = c.place()
    city = c.city.name if c.city else c.page_region.name
    return rng.choice(_FILLER).format(
        place=place, city=city, ordinal=rng.choice("二三四五六七八"), month=rng.randint(1, 12),
        day=rng.randint(1, 28), n=rng.randint(100, 3000), small=rng.randint(10, 900),
        area=rng.randint(10, 999), phone=rng.randint(10000000, 99999999))


def _paragraph(c: Ctx, fact_share: float) -> tuple[str, list[Fact]]:
    sentences: list[str] = []
    facts: list[Fact] = []
    for _ in range(c.rng.randint(1, 4)):
        if c.rng.random() < fact_share:
            s, fs = c.rng.choice(_FACT_POOL)(c)
            facts.extend(Fact(**{**asdict(f), "sentence": s + "。"}) for f in fs)
        else:
            s = _filler(c)
        sentences.append(s + "。")
    return "".join(sentences), facts


# -------------------------------------------------------------------------------- pages


def _slug(region_id: str) -> str:
    return re.sub(r"[^a-z0-9]", "", region_id.lower().replace("cn-", "gov")) or "gov"


def _esc(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _html(c: Ctx, layout: str, charset_meta: str, title: str, site: str, pub: date,
          paras: list[str]) -> str:
    rng = c.rng
    nav = "".join(f'<li><a href="/{i}/">{n}</a></li>'
                  for i, n in enumerate(rng.sample(_NAV, rng.randint(7, 12))))
    related = "".join(f'<li><a href="/art/{rng.randint(1000, 99999)}.html">{t}</a>'
                      f"<span>{pub.isoformat()}</span></li>"
                      for t in rng.sample(_RELATED, rng.randint(4, 8)))
    info = (f"发布时间：{pub.isoformat()} {rng.randint(8, 18):02d}:{rng.randint(0, 59):02d}"
            f"　来源：{rng.choice(_SOURCES)}　浏览次数：<span>{rng.randint(10, 9999)}</span>")
    ps = "\n".join(f"<p>{_esc(p)}</p>" for p in paras)
    pubmeta = (f'<meta name="PubDate" content="{pub.isoformat()} 09:30">'
               if rng.random() < 0.5 else "")
    head = (f"<!DOCTYPE html>\n<html>\n<head>\n{charset_meta}\n"
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n{pubmeta}\n'
            f"<title>{_esc(title)}_{site}</title>\n"
            '<link rel="stylesheet" href="/css/style.css">\n'
            "<style>.article p{text-indent:2em;line-height:1.8}</style>\n"
            "<script>var _hmt=_hmt||[];(function(){var hm=document.createElement('script');"
            "hm.src='https://hm.example.com/hm.js';})();</script>\n</head>\n<body>\n")
    top = (f'<div id="header"><div class="logo"><img src="/images/logo.png" alt="{site}">'
           f"</div><div class=\"search\"><input type=\"text\" value=\"请输入关键字\">"
           f"<button>搜索</button></div></div>\n<div class=\"nav\"><ul>{nav}</ul></div>\n"
           f'<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a>'
           f" &gt; 工作动态</div>\n")
    tail = (f'<div class="share">分享到：<a href="#">微信</a><a href="#">微博</a>'
            f'<a href="#">QQ空间</a></div>\n'
            f"<div class=\"print\">【打印本页】【关闭窗口】</div>\n"
            f'<div class="related"><h3>相关阅读</h3><ul>{related}</ul></div>\n'
            f'<div id="footer"><p><a href="/about/">关于我们</a> | <a href="/map/">网站地图</a>'
            f' | <a href="/contact/">联系我们</a></p>\n'
            f"<p>主办单位：{site}　版权所有　ICP备{rng.randint(10000000, 99999999)}号</p>\n"
            f"<p>地址：{c.page_region.name}行政中心　电话：0{rng.randint(10, 999)}-"
            f"{rng.randint(1000000, 9999999)}</p></div>\n</body>\n</html>\n")
    links = "".join(f'<option value="https://www.{_slug(r)}.gov.cn/">{regions_name}</option>'
                    for r, regions_name in rng.sample(_FRIENDS, rng.randint(8, 16)))
    tail = tail.replace('<div id="footer">',
                        f'<div class="links">友情链接：<select>{links}</select></div>\n'
                        f'<div id="footer">') + _SCRIPT
    editor = f"<p class=\"editor\">责任编辑：{rng.choice(_EDITORS)}</p>"
    if layout == "gov":
        main = (f'<div class="main"><div class="article">\n<h1>{_esc(title)}</h1>\n'
                f'<div class="info">{info}</div>\n<div class="TRS_Editor">\n{ps}\n</div>\n'
                f"{editor}\n</div></div>\n")
    elif layout == "news":
        main = (f"<main><article>\n<h1>{_esc(title)}</h1>\n<p class=\"meta\">{info}</p>\n"
                f'<div class="article-content">\n{ps}\n</div>\n{editor}\n</article>\n'
                f'<aside class="sidebar"><h3>热门文章</h3><ul>{related}</ul></aside></main>\n')
    else:  # an old table layout
        main = (f'<table width="980" align="center"><tr><td class="title"><h1>{_esc(title)}</h1>'
                f'</td></tr>\n<tr><td class="time">{info}</td></tr>\n'
                f'<tr><td class="zoom" id="zoom">\n{ps}\n</td></tr>\n<tr><td>{editor}</td></tr>'
                f"</table>\n")
    return head + top + main + tail


def make_page(seed: int, i: int) -> GeneratedPage:
    """Page `i` of the corpus with this seed (deterministic)."""
    rng = random.Random(f"zonewatch-bench:{seed}:{i}")
    regions, subjects = _regions()
    region = rng.choice(subjects)
    parent = regions.get(region.parent_id or "")
    city = parent if parent is not None and parent.level == "city" else (
        region if region.level == "city" else None)
    pub = date.fromordinal(rng.randint(date(2023, 1, 5).toordinal(),
                                       date(2025, 6, 28).toordinal()))
    c = Ctx(rng, pub, region, city, regions)
    n_paras = rng.randint(5, 20)
    fact_share = rng.choice((0.0, 0.25, 0.4, 0.5, 0.6))  # some pages state no facts
    paras: list[str] = []
    facts: list[Fact] = []
    office = rng.choice(("管委会", "统计局", "发改委"))
    lead = f"{pub.month}月{pub.day}日，记者从{region.name}{office}获悉"
    for k in range(n_paras):
        text, fs = _paragraph(c, fact_share)
        if k == 0:
            text = lead + "，" + text
        paras.append(text)
        facts.extend(fs)
    place = region.name
    title = rng.choice(_TITLES).format(place=place, period=rng.choice(("上半年", "一季度", "")))
    site = (city.name if city else region.name) + rng.choice(("人民政府", "政府网", "融媒体中心"))
    layout = rng.choice(("gov", "gov", "news", "table"))
    gbk = rng.random() < 0.35
    if gbk:
        meta = rng.choice(('<meta charset="gbk">',
                           '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">'))
    else:
        meta = rng.choice(('<meta charset="utf-8">',
                           '<meta http-equiv="Content-Type" content="text/html; charset=UTF-8">'))
    html = _html(c, layout, meta, title, site, pub, paras)
    encoding = "gbk" if gbk else "utf-8"
    try:
        body = html.encode(encoding)
    except UnicodeEncodeError:  # a character outside GBK: publish this page as UTF-8
        html = html.replace(meta, '<meta charset="utf-8">')
        body, encoding = html.encode("utf-8"), "utf-8"
    url = (f"https://www.{_slug(city.region_id if city else region.region_id)}.gov.cn/zwgk/gzdt/"
           f"{pub:%Y%m}/t{pub:%Y%m%d}_{rng.randint(100000, 9999999)}.html")
    return GeneratedPage(f"{i:06d}.html", url, encoding, pub.isoformat(), region.region_id,
                         body, facts)


def write_corpus(dir: str | Path, n: int, seed: int = 0) -> dict[str, Any]:
    """Write `n` pages to `dir` (plus manifest.jsonl), one page in memory at a time."""
    out = Path(dir)
    out.mkdir(parents=True, exist_ok=True)
    total_bytes = total_facts = gbk = 0
    with (out / MANIFEST).open("w", encoding="utf-8") as man:
        for i in range(n):
            page = make_page(seed, i)
            (out / page.name).write_bytes(page.body)
            man.write(json.dumps(page.manifest_row(), ensure_ascii=False) + "\n")
            total_bytes += len(page.body)
            total_facts += len(page.facts)
            gbk += page.encoding == "gbk"
    return {"dir": str(out), "pages": n, "bytes": total_bytes, "facts": total_facts,
            "gbk_pages": gbk, "seed": seed}


def iter_corpus(dir: str | Path, limit: int | None = None) -> Iterator[dict[str, Any]]:
    """Manifest rows (with `path`) of a corpus written by write_corpus, in order."""
    d = Path(dir)
    with (d / MANIFEST).open(encoding="utf-8") as man:
        for k, line in enumerate(man):
            if limit is not None and k >= limit:
                return
            row = json.loads(line)
            row["path"] = d / row["name"]
            yield row


if __name__ == "__main__":  # python -m benchmarks.generate DIR N [SEED]
    import sys

    args = sys.argv[1:]
    print(write_corpus(args[0], int(args[1]), int(args[2]) if len(args) > 2 else 0))
