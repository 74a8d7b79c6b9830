"""Extraction quality pinned on the project's own gold sets, so a regression shows as a number."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest import evaluate, pipeline
from ingest.config import RunConfig

SAMPLES = Path(__file__).resolve().parents[2] / "samples"

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("gold, pages, f1_floor, strict_floor", [
    ("gold.jsonl", "corpus", 0.97, 0.95),
    ("heldout_gold.jsonl", "heldout", 0.90, 0.88),  # written blind by another contributor
])
def test_extraction_quality_floor(tmp_path, gold, pages, f1_floor, strict_floor):
    cfg = RunConfig.create(workdir=tmp_path, input_dir=SAMPLES / pages)
    pipeline.land_step(cfg)
    pipeline.process_step(cfg)
    pipeline.build_step(cfg)
    scores = evaluate.score(evaluate.load_gold(SAMPLES / gold),
                            evaluate.predicted_facts(cfg.paths.build_db, SAMPLES / pages))
    report = evaluate.format_report(scores)
    assert scores.overall[2] >= f1_floor, report
    assert scores.strict[2] >= strict_floor, report
