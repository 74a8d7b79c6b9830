"""The extractor version follows what shapes extraction: rules, lexicons, code."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ingest.config import PROJECT_ROOT, SEEDS_DIR
from ingest.process.extract import version


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the files the version reads, and the version function pointed at it."""
    shutil.copytree(PROJECT_ROOT / "ingest", tmp_path / "ingest",
                    ignore=shutil.ignore_patterns("__pycache__"))
    seeds = tmp_path / SEEDS_DIR.relative_to(PROJECT_ROOT)
    shutil.copytree(SEEDS_DIR, seeds)
    monkeypatch.setattr(version, "PROJECT_ROOT", tmp_path)
    monkeypatch.setattr(version, "_INGEST", tmp_path / "ingest")
    monkeypatch.setattr(version, "SEEDS_DIR", seeds)
    return tmp_path


def _version() -> str:
    return version.extractor_version.__wrapped__()


def test_the_copy_has_the_real_version(tree: Path) -> None:
    assert _version() == version.extractor_version()


@pytest.mark.parametrize("changed", [
    "ingest/process/extract/rules.yml", "ingest/process/normalise.py",
    "ingest/process/parse_rules.yml", "ingest/process/charsets.py",
    "dbt_project/seeds/indicator_keywords.csv"])
def test_a_change_to_what_shapes_extraction_is_a_new_version(tree: Path, changed: str) -> None:
    before = _version()
    with (tree / changed).open("a", encoding="utf-8") as f:
        f.write("\n")
    assert _version() != before


def test_other_code_is_not_part_of_it(tree: Path) -> None:
    before = _version()
    with (tree / "ingest" / "gate" / "run.py").open("a", encoding="utf-8") as f:
        f.write("\n# the gate does not shape extraction\n")
    assert _version() == before
