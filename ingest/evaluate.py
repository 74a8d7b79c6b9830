"""Score the warehouse's facts against a hand-made gold file.

Matching (see the gold README): same table, same unit, value within 0.5 % and the same
status; a strict match also needs the period and the region. Gold facts marked
`core: false` count neither for nor against. Each gold fact matches at most one
predicted fact per page, so a fact stored twice shows up as a false positive.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

__all__ = ["Scores", "load_gold", "load_kinds", "predicted_facts", "score", "format_report",
           "basis_precision", "duplicates", "format_breakdown", "page_files", "reliability"]

logger = logging.getLogger(__name__)
logger.addHandler(logging.NullHandler())

REL_TOL = 0.005
TABLES = ("investment", "output", "compute")


def load_gold(path: Path) -> list[dict[str, Any]]:
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{n}: not JSON: {exc.msg}") from exc
    return out


def page_files(input_dir: Path) -> dict[str, str]:
    """sha256 of each page file under input_dir → its file name."""
    out = {}
    for p in sorted(input_dir.rglob("*")):
        if p.is_file() and p.suffix.lower() in {".html", ".htm", ".txt", ".md"}:
            out[hashlib.sha256(p.read_bytes()).hexdigest()] = p.name
    return out


def predicted_facts(db: Path, input_dir: Path) -> list[dict[str, Any]]:
    """One row per (page, fact) from the built warehouse."""
    names = page_files(input_dir)
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = []
        for table in TABLES:
            rows += con.execute(
                f"""select distinct d.content_sha256, '{table}' as category, f.fact_id,
                       f.value, f.unit, f.qualifier, f.status, f.period_start, f.period_end,
                       r.name_zh, coalesce(r.aliases, ''), f.indicator_id, m.sentence,
                       f.confidence, f.basis
                from fct_{table} f
                join fct_mentions m on m.fact_id = f.fact_id
                join dim_document d on d.document_id = m.document_id
                join dim_region r on r.region_id = f.region_id"""  # table names from a fixed tuple
            ).fetchall()
    finally:
        con.close()
    seen: set[tuple[str, str]] = set()
    out = []
    for r in rows:
        doc = names.get(r[0], r[0])
        if (doc, r[2]) in seen:
            continue
        seen.add((doc, r[2]))
        out.append({"doc": doc, "category": r[1], "fact_id": r[2], "value": r[3],
                    "unit": r[4], "qualifier": r[5], "status": r[6],
                    "period_start": r[7], "period_end": r[8], "region_names": [r[9], *(
                        a for a in r[10].split("|") if a)], "indicator_id": r[11],
                    "evidence": r[12], "confidence": r[13], "basis": r[14]})
    return out


def load_kinds(manifest: Path) -> dict[str, str]:
    """doc → kind from a corpus manifest (one JSON object a line with `file` and `kind`)."""
    return {row["file"]: row["kind"] for row in load_gold(manifest)}


def _loose(p: dict[str, Any], g: dict[str, Any]) -> bool:
    gv = float(g["value"])
    return (p["category"] == g["category"] and p["unit"] == g["unit"]
            and p["status"] == g["status"]
            and abs(float(p["value"]) - gv) <= REL_TOL * max(abs(gv), 1e-12))


def _period(p: dict[str, Any]) -> str | None:
    if p["period_start"] is None or p["period_end"] is None:
        return None
    a, b = p["period_start"].year, p["period_end"].year
    return str(a) if a == b else f"{a}-{b}"


def _strict(p: dict[str, Any], g: dict[str, Any]) -> bool:
    periods = {g["period"], *([g["period_alt"]] if g.get("period_alt") else [])}
    region_ok = any(any(s in name for s in g["region"]) for name in p["region_names"])
    return _period(p) in periods and region_ok


@dataclass
class Scores:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    strict_tp: int = 0
    by_table: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0, 0]))
    misses: list[dict[str, Any]] = field(default_factory=list)
    false_positives: list[dict[str, Any]] = field(default_factory=list)
    not_strict: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)
    # (confidence, right, basis) for every predicted fact that counts: right = matched a
    # core fact
    judged: list[tuple[float, bool, str]] = field(default_factory=list)

    @staticmethod
    def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
        p = tp / (tp + fp) if tp + fp else 1.0
        r = tp / (tp + fn) if tp + fn else 1.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)

    @property
    def overall(self) -> tuple[float, float, float]:
        return self.prf(self.tp, self.fp, self.fn)

    @property
    def strict(self) -> tuple[float, float, float]:
        # A loose match that is not strict is both a miss and a false positive.
        wrong = self.tp - self.strict_tp
        return self.prf(self.strict_tp, self.fp + wrong, self.fn + wrong)


def score(gold: list[dict[str, Any]], predicted: list[dict[str, Any]]) -> Scores:
    s = Scores()
    docs = sorted({g["doc"] for g in gold} | {p["doc"] for p in predicted})
    for doc in docs:
        golds = [g for g in gold if g["doc"] == doc]
        preds = [p for p in predicted if p["doc"] == doc]
        used: set[int] = set()
        # Core facts first, strict matches preferred; then non-core facts absorb the rest.
        for g in sorted(golds, key=lambda g: not g.get("core", True)):
            cands = [i for i, p in enumerate(preds) if i not in used and _loose(p, g)]
            if not cands:
                if g.get("core", True):
                    s.fn += 1
                    s.by_table[g["category"]][2] += 1
                    s.misses.append(g)
                continue
            strict = [i for i in cands if _strict(preds[i], g)]
            i = (strict or cands)[0]
            used.add(i)
            if not g.get("core", True):
                continue
            s.tp += 1
            s.judged.append((float(preds[i].get("confidence") or 0.0), True,
                             str(preds[i].get("basis") or "")))
            s.by_table[g["category"]][0] += 1
            if strict:
                s.strict_tp += 1
            else:
                s.not_strict.append((g, preds[i]))
        for i, p in enumerate(preds):
            if i not in used:
                s.judged.append((float(p.get("confidence") or 0.0), False,
                                 str(p.get("basis") or "")))
                s.fp += 1
                s.by_table[p["category"]][1] += 1
                s.false_positives.append(p)
    return s


def duplicates(db: Path) -> int:
    """Numbers that became more than one fact: one printed figure (a page and an offset)
    behind two facts (a city and its zone from one sentence, two indicators for one count).
    One number, one fact: this should be 0."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        row = con.execute(
            "select count(*) from (select document_id, char_start from fct_mentions "
            "group by document_id, char_start having count(distinct fact_id) > 1)").fetchone()
    finally:
        con.close()
    return int(row[0]) if row else 0


def reliability(s: Scores) -> list[tuple[float, float, int, float | None]]:
    """Precision per confidence decile: (low, high, facts, precision or None)."""
    out = []
    for d in range(10):
        lo, hi = d / 10, (d + 1) / 10
        inside = [ok for c, ok, _ in s.judged if lo <= c < hi or (d == 9 and c >= 1.0)]
        out.append((lo, hi, len(inside), sum(inside) / len(inside) if inside else None))
    return out


def basis_precision(s: Scores) -> dict[str, dict[str, tuple[int, int]]]:
    """component (indicator, status, period, region) → value → (facts, right): what
    scripts/calibrate_confidence.py fits the factors of ingest/process/extract/confidence.yml on."""
    out: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for _c, ok, basis in s.judged:
        for part in filter(None, basis.split(";")):
            key, _, value = part.partition("=")
            out[key][value][0] += 1
            out[key][value][1] += ok
    return {k: {v: (n, r) for v, (n, r) in vs.items()} for k, vs in out.items()}


def _reliability_lines(s: Scores) -> list[str]:
    lines = ["reliability (precision of predicted facts per confidence decile):"]
    for lo, hi, n, prec in reliability(s):
        if n:
            lines.append(f"  [{lo:.1f}, {hi:.1f}{']' if hi == 1.0 else ')'}  facts {n:>4}  "
                         f"precision {prec:.3f}")
    high = [ok for c, ok, _ in s.judged if c >= 0.9]
    if high:
        lines.append(f"  confidence >= 0.9: {len(high)} facts, precision "
                     f"{sum(high) / len(high):.3f}")
    return lines


def format_breakdown(gold: list[dict[str, Any]], predicted: list[dict[str, Any]],
                     kinds: dict[str, str]) -> str:
    """F1 and strict F1 per page kind (kinds: doc → kind)."""
    lines = ["per page kind:"]
    for kind in sorted(set(kinds.values())):
        docs = {d for d, k in kinds.items() if k == kind}
        s = score([g for g in gold if g["doc"] in docs], [p for p in predicted if p["doc"] in docs])
        f, sf = s.overall[2], s.strict[2]
        lines.append(f"  {kind:<8} pages {len(docs):>3}  F1 {f:.3f}  strict F1 {sf:.3f}   "
                     f"(tp {s.tp}, fp {s.fp}, fn {s.fn})")
    return "\n".join(lines)


def format_report(s: Scores, *, totals_only: bool = False) -> str:
    p, r, f = s.overall
    sp, sr, sf = s.strict
    lines = [f"overall  precision {p:.3f}  recall {r:.3f}  F1 {f:.3f}   "
             f"(tp {s.tp}, fp {s.fp}, fn {s.fn})",
             f"strict   precision {sp:.3f}  recall {sr:.3f}  F1 {sf:.3f}   "
             "(period and region right too)"]
    for t in TABLES:
        tp, fp, fn = s.by_table[t]
        tp_, tr_, tf_ = Scores.prf(tp, fp, fn)
        lines.append(f"  {t:<10} precision {tp_:.3f}  recall {tr_:.3f}  F1 {tf_:.3f}   "
                     f"(tp {tp}, fp {fp}, fn {fn})")
    lines += _reliability_lines(s)
    if totals_only:
        return "\n".join(lines)
    lines.append("precision by basis (facts, precision) - what confidence.yml is fitted on:")
    for comp, values in sorted(basis_precision(s).items()):
        by_count = sorted(values.items(), key=lambda x: -x[1][0])
        cells = [f"{v} {n} {r / n:.2f}" for v, (n, r) in by_count]
        lines.append(f"  {comp:<9} " + " | ".join(cells))
    if s.misses:
        lines.append("misses:")
        lines += [f"  {g['doc']}  {g['category']}  {g['value']:g} {g['unit']} {g['status']} "
                  f"{g['period']}  | {(g.get('evidence') or g.get('label_zh', ''))[:60]}"
                  for g in s.misses]
    if s.false_positives:
        lines.append("false positives:")
        lines += [f"  {p['doc']}  {p['category']}  {p['indicator_id']}  {p['value']:g} "
                  f"{p['unit']} {p['status']} {_period(p)}  c={p.get('confidence') or 0:.2f}"
                  f"  | {p['evidence'][:60]}" for p in s.false_positives]
    if s.not_strict:
        lines.append("matched, but period or region wrong:")
        lines += [f"  {g['doc']}  {g['value']:g} {g['unit']}  gold {g['period']} {g['region'][0]}"
                  f"  got {_period(p)} {p['region_names'][0]}" for g, p in s.not_strict]
    return "\n".join(lines)
