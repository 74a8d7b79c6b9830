"""scripts/real_corpus.py: the split is fixed once per page and stratified by kind; without
the (uncommitted) page text, eval says how to rebuild it instead of failing."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

_PATH = Path(__file__).resolve().parents[2] / "scripts" / "real_corpus.py"


@pytest.fixture(scope="module")
def rc():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("real_corpus", _PATH)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules["real_corpus"] = mod
    spec.loader.exec_module(mod)
    return mod


def _pages(kind: str, n: int) -> list[dict[str, str]]:
    return [{"file": f"{kind}_{i:02d}.txt", "kind": kind} for i in range(n)]


def test_split_is_about_sixty_forty_per_kind(rc) -> None:  # type: ignore[no-untyped-def]
    pages = _pages("stat", 10) + _pages("neg", 5)
    split = rc.assign_splits(pages, {})
    for kind, n in (("stat", 10), ("neg", 5)):
        dev = sum(split[p["file"]] == "dev" for p in pages if p["kind"] == kind)
        assert dev == round(0.6 * n)


def test_a_page_keeps_the_split_it_was_given(rc) -> None:  # type: ignore[no-untyped-def]
    pages = _pages("sign", 6)
    first = rc.assign_splits(pages, {})
    flipped = {f: ("test" if s == "dev" else "dev") for f, s in first.items()}
    again = rc.assign_splits(pages + _pages("sign", 9)[6:], flipped)
    assert all(again[f] == s for f, s in flipped.items())  # nothing moves
    assert set(again) == {f"sign_{i:02d}.txt" for i in range(9)}


def test_eval_without_the_page_text_says_how_to_rebuild(  # type: ignore[no-untyped-def]
        rc, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "eval").mkdir()
    (tmp_path / "eval" / "manifest.jsonl").write_text(
        '{"file": "stat_01.txt", "kind": "stat", "split": "dev", "url": "u", "query": "q"}\n',
        encoding="utf-8")
    monkeypatch.setattr(rc, "EVAL", tmp_path / "eval")
    monkeypatch.setattr(rc, "DEV", tmp_path / ".devcorpus")
    assert rc.main(["eval", "--parts", "dev"]) == 0
    out = capsys.readouterr().out
    assert "skipped" in out and "1 of 1 pages missing" in out and "SOURCES.md" in out
