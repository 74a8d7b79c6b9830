"""Fit ingest/process/extract/confidence.yml on the real corpus's dev part.

Runs the pipeline over the dev pages (with sidecars), scores every predicted fact against
the gold, and writes each decision's smoothed precision: (right + A·prior) / (facts + A),
A = 5, so a way of deciding seen a few times stays near the prior. The test part is never
read here; `make eval-real` then checks the reliability table on it.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from real_corpus import EVAL, lay_out  # noqa: E402

from ingest import evaluate, pipeline  # noqa: E402
from ingest.config import RunConfig  # noqa: E402
from ingest.process.extract.confidence import COMPONENTS, FACTORS_PATH  # noqa: E402

SMOOTH = 5.0


def main() -> int:
    laid = lay_out("dev", sidecars=True)
    if laid is None:
        return 0
    inp, gold_path = laid
    with tempfile.TemporaryDirectory(prefix="zonewatch-calibrate-") as tmp:
        cfg = RunConfig.create(workdir=Path(tmp), input_dir=inp)
        quiet = lambda _msg: None  # noqa: E731
        pipeline.land_step(cfg, quiet)
        pipeline.process_step(cfg, quiet)
        pipeline.build_step(cfg, quiet)
        s = evaluate.score(evaluate.load_gold(gold_path),
                           evaluate.predicted_facts(cfg.paths.build_db, inp))
    right = sum(ok for _c, ok, _b in s.judged)
    prior = right / len(s.judged)
    table = evaluate.basis_precision(s)
    out: dict[str, object] = {"prior": round(prior, 4)}
    for comp in COMPONENTS:
        out[comp] = {v: round((r + SMOOTH * prior) / (n + SMOOTH), 4)
                     for v, (n, r) in sorted(table.get(comp, {}).items())}
    head = ("# Fitted by scripts/calibrate_confidence.py on the real corpus's dev part "
            f"({len(s.judged)} facts, {EVAL.name}); do not edit by hand.\n"
            "# Each value: the smoothed precision of facts decided that way; prior: all facts.\n")
    FACTORS_PATH.write_text(head + yaml.safe_dump(out, allow_unicode=True, sort_keys=False),
                        encoding="utf-8")
    print(f"wrote {FACTORS_PATH} from {len(s.judged)} dev facts (prior precision {prior:.3f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
