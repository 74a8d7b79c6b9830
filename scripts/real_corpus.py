"""The real-page development corpus: assemble it, lay out its parts, score them.

Page text is third-party and never committed: it lives in `.devcorpus/real/` (git-ignored).
What is committed lets anyone rebuild and audit it (`eval/real/`):

  manifest.jsonl   one line per page: file, url, the exact query that found it, kind, split
  SOURCES.md       the same as a table, for people
  sidecars/        each page's sidecar (url, title, published_at)
  gold.jsonl       the gold facts, without their evidence sentences

Commands:
  assemble   fold labellers' output (.devcorpus/sources|gold/*.jsonl) into eval/real/;
             a page keeps the split it was given once (dev ~60 %, test ~40 %, by page,
             stratified by kind); new pages get one
  eval       score the dev and the test part with `zonewatch eval` (text only, as the
             pages were found; --sidecars adds each page's sidecar)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

from ingest.evaluate import load_gold

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT / "eval" / "real"
DEV = ROOT / ".devcorpus"
PARTS = ("dev", "test")
DEV_SHARE = 0.6
_KEY_FIELDS = ("doc", "category", "unit", "value", "status", "period")

REBUILD = """\
eval-real: skipped, the real-page corpus is not in .devcorpus/real/
  ({missing} of {total} pages missing).
  Its text is third-party and never committed. To rebuild it, for each row of
  eval/real/SOURCES.md run the row's query in the search tool's `pages` corpus and save the
  excerpt of the result whose url is the row's url, as it is, to .devcorpus/real/<file>."""


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        return []
    try:
        return load_gold(path)  # any JSON-lines file: one object a line
    except ValueError as exc:
        raise SystemExit(str(exc)) from None


def _write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                    encoding="utf-8")


def gold_key(g: dict[str, Any]) -> tuple[str, ...]:
    return tuple(str(g.get(k)) for k in _KEY_FIELDS)


def assign_splits(pages: list[dict[str, Any]], fixed: dict[str, str]) -> dict[str, str]:
    """file → split. Pages in `fixed` keep theirs; the others, per kind in the order of
    their name's hash, fill dev until the kind's dev share reaches DEV_SHARE."""
    out = dict(fixed)
    by_kind: dict[str, list[str]] = defaultdict(list)
    for p in pages:
        by_kind[p["kind"]].append(p["file"])
    for files in by_kind.values():
        files.sort(key=lambda f: hashlib.sha1(f.encode()).hexdigest())
        for f in files:
            if f in out:
                continue
            dev = sum(out.get(x) == "dev" for x in files)
            done = sum(x in out for x in files)
            out[f] = "dev" if dev < DEV_SHARE * (done + 1) else "test"
    return out


def _sources_md(pages: list[dict[str, Any]]) -> str:
    lines = ["# Real-page development corpus: where each page came from", "",
             "Page text is not committed. Rebuild `.devcorpus/real/<file>` by running the",
             "query in the search tool's `pages` corpus and saving the excerpt of the result",
             "with this url. `split` is fixed once: `dev` pages are read and fixed against,",
             "`test` pages are only scored. Built by `scripts/real_corpus.py assemble`.", "",
             "| file | kind | split | url | query | note |",
             "| --- | --- | --- | --- | --- | --- |"]
    for p in pages:
        cells = [p["file"], p["kind"], p["split"], p["url"], f"`{p['query']}`",
                 p.get("note", "")]
        lines.append("| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"


def assemble(_args: argparse.Namespace) -> int:
    old = {p["file"]: p for p in _read_jsonl(EVAL / "manifest.jsonl")}
    found: dict[str, dict[str, Any]] = dict(old)
    seen_urls = {p["url"]: p["file"] for p in old.values()}
    dropped = []
    for src in sorted((DEV / "sources").glob("*.jsonl")):
        for row in _read_jsonl(src):
            f = row["file"]
            if f in found:
                continue
            if not (DEV / "real" / f).is_file():
                dropped.append(f"{f}: no page text")
                continue
            if row["url"] in seen_urls:
                dropped.append(f"{f}: same url as {seen_urls[row['url']]}")
                continue
            seen_urls[row["url"]] = f
            found[f] = {k: row.get(k) for k in ("file", "url", "query", "rank", "kind", "note")}
    splits = assign_splits(list(found.values()), {f: p["split"] for f, p in old.items()})
    pages = sorted(found.values(), key=lambda p: (p["kind"], p["file"]))
    for p in pages:
        p["split"] = splits[p["file"]]
        sidecar = DEV / "real" / (Path(p["file"]).stem + ".json")
        if sidecar.is_file():
            (EVAL / "sidecars").mkdir(parents=True, exist_ok=True)
            shutil.copyfile(sidecar, EVAL / "sidecars" / sidecar.name)
    gold_full = [g for src in sorted((DEV / "gold").glob("*.jsonl")) for g in _read_jsonl(src)
                 if g["doc"] in found]
    _write_jsonl(DEV / "gold_full.jsonl", gold_full)
    _write_jsonl(EVAL / "gold.jsonl", [{k: v for k, v in g.items() if k != "evidence"}
                                       for g in gold_full])
    _write_jsonl(EVAL / "manifest.jsonl", pages)
    (EVAL / "SOURCES.md").write_text(_sources_md(pages), encoding="utf-8")
    counts = defaultdict(lambda: [0, 0])
    for p in pages:
        counts[p["kind"]][p["split"] == "test"] += 1
    print(f"{len(pages)} pages, {len(gold_full)} gold lines "
          f"({sum(g.get('core', True) for g in gold_full)} core)")
    for kind, (dev, test) in sorted(counts.items()):
        print(f"  {kind:<8} dev {dev:>3}  test {test:>3}")
    for d in dropped:
        print(f"  dropped {d}")
    return 0


def _with_evidence(gold: list[dict[str, Any]]) -> list[dict[str, Any]]:
    full = {gold_key(g): g.get("evidence") for g in _read_jsonl(DEV / "gold_full.jsonl")}
    return [{**g, "evidence": g.get("evidence") or full.get(gold_key(g))
             or g.get("label_zh", "")} for g in gold]


def lay_out(part: str, sidecars: bool) -> tuple[Path, Path] | None:
    """Copy one part's pages (and gold) into .devcorpus/input/<part>/; None when pages
    are missing."""
    pages = [p for p in _read_jsonl(EVAL / "manifest.jsonl") if p["split"] == part]
    missing = [p for p in pages if not (DEV / "real" / p["file"]).is_file()]
    if missing:
        print(REBUILD.format(missing=len(missing), total=len(pages)))
        return None
    out = DEV / "input" / part
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    for p in pages:
        shutil.copyfile(DEV / "real" / p["file"], out / p["file"])
        sidecar = EVAL / "sidecars" / (Path(p["file"]).stem + ".json")
        if sidecars and sidecar.is_file():
            shutil.copyfile(sidecar, out / sidecar.name)
    files = {p["file"] for p in pages}
    gold = [g for g in _with_evidence(_read_jsonl(EVAL / "gold.jsonl")) if g["doc"] in files]
    gold_path = DEV / "input" / f"{part}.gold.jsonl"
    _write_jsonl(gold_path, gold)
    return out, gold_path


def evaluate(args: argparse.Namespace) -> int:
    if not (EVAL / "manifest.jsonl").is_file():
        print("eval-real: skipped, no eval/real/manifest.jsonl")
        return 0
    rc = 0
    for part in args.parts:
        laid = lay_out(part, args.sidecars)
        if laid is None:
            return 0
        inp, gold = laid
        print(f"--- real pages, {part} part ({len(list(inp.glob('*.txt')))} pages"
              f"{', with sidecars' if args.sidecars else ', text only'})", flush=True)
        cmd = [str(ROOT / ".venv" / "bin" / "zonewatch"), "eval", "--gold", str(gold),
               "--input", str(inp), "--manifest", str(EVAL / "manifest.jsonl")]
        if part == "test":
            cmd.append("--totals-only")  # test pages are scored, never read for misses
        rc = max(rc, subprocess.call(cmd))
    return rc


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("assemble").set_defaults(fn=assemble)
    ev = sub.add_parser("eval")
    ev.add_argument("--parts", nargs="+", choices=PARTS, default=list(PARTS))
    ev.add_argument("--sidecars", action="store_true", help="give each page its sidecar")
    ev.set_defaults(fn=evaluate)
    args = p.parse_args(argv)
    return int(args.fn(args))


if __name__ == "__main__":
    sys.exit(main())
