"""`zonewatch exclude` / `zonewatch include` / `zonewatch failures`: exit codes, one-line
errors, the ledger row the commands leave."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from ingest.cli import main
from ingest.landing.store import LandingStore
from ingest.runlock import workdir_lock

T0 = datetime(2024, 3, 20, 8, 0, tzinfo=UTC)
DOC_ID = "c000000000000001"
URL = "https://example.gov.cn/news/c.html"


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    work = tmp_path / "work"
    with LandingStore(work) as store:
        store.insert_documents([dict(
            document_id=DOC_ID, sha256=DOC_ID * 4, url=URL, title="t",
            published_at=date(2024, 3, 20), published_at_source="sidecar", fetched_at=T0,
            encoding="utf-8", encoding_source="meta", text="签约亿元以上项目83个",
            text_length=11, cjk_share=0.8, status="ok", reject_reason=None,
            extractor_version="test", processed_at=T0)])
    return work


def _ledger(work: Path) -> list[tuple[object, ...]]:
    with LandingStore(work, read_only=True) as store:
        return [(e.document_id, e.reason, e.excluded_by, e.included_by)
                for e in store.exclusions(current_only=False)]


def _one_line_error(capsys: pytest.CaptureFixture[str], *words: str) -> str:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert err.startswith("zonewatch: "), err
    for w in words:
        assert w in err, err
    return err


def test_exclude_then_include_by_id(workdir: Path, capsys) -> None:
    rc = main(["exclude", DOC_ID, "--reason", "fact_value_range_cny", "--by", "alice",
               "--workdir", str(workdir)])
    out = capsys.readouterr().out
    assert rc == 0
    assert f"excluded {DOC_ID} {URL}: fact_value_range_cny (by alice)" in out
    assert f"zonewatch include {DOC_ID}" in out
    assert _ledger(workdir) == [(DOC_ID, "fact_value_range_cny", "alice", None)]

    rc = main(["include", DOC_ID, "--by", "bob", "--workdir", str(workdir)])
    assert rc == 0
    assert f"included {DOC_ID} {URL} again" in capsys.readouterr().out
    assert _ledger(workdir) == [(DOC_ID, "fact_value_range_cny", "alice", "bob")]


def test_exclude_by_url_and_who_defaults_to_user(workdir: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("USER", "oncall-7")
    rc = main(["exclude", URL + "?utm_source=feed", "--reason", "mojibake page",
               "--workdir", str(workdir)])
    assert rc == 0, capsys.readouterr().err
    assert _ledger(workdir) == [(DOC_ID, "mojibake page", "oncall-7", None)]
    # again: nothing changes, exit 0
    assert main(["exclude", DOC_ID, "--reason", "other", "--workdir", str(workdir)]) == 0
    assert "already excluded" in capsys.readouterr().out
    assert len(_ledger(workdir)) == 1
    # include by URL
    assert main(["include", URL, "--workdir", str(workdir)]) == 0
    assert _ledger(workdir) == [(DOC_ID, "mojibake page", "oncall-7", "oncall-7")]


@pytest.mark.parametrize("argv, words", [
    (["exclude", "ffffffffffffffff", "--reason", "x"], ("no document has the id",)),
    (["exclude", "https://example.gov.cn/nope.html", "--reason", "x"],
     ("no document has the URL",)),
    (["include", "ffffffffffffffff"], ("no document has the id",)),
    (["include", DOC_ID], ("is not excluded",)),
    (["exclude", DOC_ID, "--reason", "   "], ("--reason must not be empty",)),
])
def test_a_bad_target_exits_2_with_one_line(workdir: Path, capsys, argv: list[str],
                                            words: tuple[str, ...]) -> None:
    assert main([*argv, "--workdir", str(workdir)]) == 2
    _one_line_error(capsys, "error:", *words)
    assert _ledger(workdir) == []


@pytest.mark.parametrize("argv", [["exclude", DOC_ID], ["include"], ["exclude"]])
def test_missing_arguments_exit_2_with_one_line(workdir: Path, capsys, argv) -> None:
    with pytest.raises(SystemExit) as exit_:
        main([*argv, "--workdir", str(workdir)])
    assert exit_.value.code == 2
    _one_line_error(capsys, "error:")


def test_no_landing_zone_exits_2_and_creates_nothing(tmp_path: Path, capsys) -> None:
    work = tmp_path / "none"
    assert main(["exclude", DOC_ID, "--reason", "x", "--workdir", str(work)]) == 2
    _one_line_error(capsys, "no landing zone at", "zonewatch run")
    assert not work.exists()


def test_a_busy_workdir_exits_1_naming_the_run(workdir: Path, capsys) -> None:
    with workdir_lock(workdir, "20260101T000000Z-abcdef"):
        assert main(["exclude", DOC_ID, "--reason", "x", "--workdir", str(workdir)]) == 1
    _one_line_error(capsys, "20260101T000000Z-abcdef")
    assert _ledger(workdir) == []


def test_failures_lists_the_current_exclusions(workdir: Path, capsys) -> None:
    assert main(["failures", "--workdir", str(workdir)]) == 0
    assert "excluded pages" not in capsys.readouterr().out

    main(["exclude", DOC_ID, "--reason", "fact_value_range_cny", "--by", "alice",
          "--workdir", str(workdir)])
    capsys.readouterr()
    assert main(["failures", "--workdir", str(workdir)]) == 0
    out = capsys.readouterr().out
    assert "excluded pages (1;" in out
    (line,) = [ln for ln in out.splitlines() if DOC_ID in ln]
    assert "by alice: fact_value_range_cny" in line and URL in line

    main(["include", DOC_ID, "--workdir", str(workdir)])
    capsys.readouterr()
    main(["failures", "--workdir", str(workdir)])
    assert "excluded pages" not in capsys.readouterr().out
