"""summary.txt (ingest/gate/report.py): the exact `zonewatch exclude` command for the page a
blocking failure blames, where setting that page aside takes the failing row out."""

from __future__ import annotations

from pathlib import Path

from ingest.gate.report import Failure, GateResult, _summary_text, set_aside_command

URL = "https://example.gov.cn/dxh/news/2024/0320/lkg-gdp.html"


def _failure(table: str, examples: list[dict[str, object]], severity: str = "block",
             expectation: str = "fact_value_range_cny") -> Failure:
    return Failure(suite="facts", expectation=expectation, table=table, severity=severity,
                   unexpected_count=len(examples), examples=tuple(examples),
                   hint="a unit slip", element_count=10)


def _summary(tmp_path: Path, *failures: Failure, build_db: Path | None = None) -> str:
    blocking = tuple(f for f in failures if f.severity == "block")
    warnings = tuple(f for f in failures if f.severity == "warn")
    res = GateResult(passed=not blocking, blocking=blocking, warnings=warnings,
                     report_path=tmp_path / "gate.json", summary_path=tmp_path / "summary.txt",
                     docs_path=None, expectations_run=90)
    return _summary_text(res, build_db or tmp_path / "b.duckdb", None, {"fct_output": 10})


def test_a_blocked_fact_names_the_command_for_its_page(tmp_path: Path) -> None:
    text = _summary(tmp_path, _failure("fct_output", [
        {"fact_id": "f1", "value": 1800.0, "source_url": URL},
        {"fact_id": "f2", "value": 900.0, "source_url": URL},  # same page: one command
        {"fact_id": "f3", "value": 5.0, "source_url": "https://example.gov.cn/b.html?a=1&b=2"},
    ]))
    lines = text.splitlines()
    commands = [ln for ln in lines if "set it aside:" in ln]
    assert commands == [
        f'      set it aside: zonewatch exclude {URL} --reason "fact_value_range_cny"',
        "      set it aside: zonewatch exclude 'https://example.gov.cn/b.html?a=1&b=2' "
        '--reason "fact_value_range_cny"',
    ]
    # each right after the example that names its page
    assert lines[lines.index(commands[0]) - 1] == f"        source_url: {URL}"


def test_a_document_id_is_preferred_to_the_url(tmp_path: Path) -> None:
    f = _failure("fct_mentions", [{"mention_id": "m1", "document_id": "d1", "url": URL}],
                 expectation="fct_mention_fact_exists")
    assert set_aside_command(f, f.examples[0]) == (
        'zonewatch exclude d1 --reason "fct_mention_fact_exists"')


def test_the_command_names_the_workdir_of_a_pipeline_build_copy(tmp_path: Path) -> None:
    work = tmp_path / "my work"
    (work / "build").mkdir(parents=True)
    (work / "landing.duckdb").touch()
    text = _summary(tmp_path, _failure("fct_output", [{"fact_id": "f1", "source_url": URL}]),
                    build_db=work / "build" / "warehouse.duckdb")
    assert (f'set it aside: zonewatch exclude {URL} --reason "fact_value_range_cny" '
            f"--workdir '{work}'") in text


def test_no_command_where_setting_the_page_aside_changes_nothing(tmp_path: Path) -> None:
    text = _summary(
        tmp_path,
        # staging frames and dim_document keep every page, excluded or not
        _failure("stg_landing__documents", [{"document_id": "d1", "url": URL}],
                 expectation="ok_document_cjk_share"),
        _failure("dim_document", [{"document_id": "d1", "url": URL}],
                 expectation="dim_document_id_unique"),
        # a warning does not block: nothing to set aside
        _failure("fct_output", [{"fact_id": "f1", "source_url": URL}], severity="warn",
                 expectation="fact_region_not_null"),
        # no page named
        _failure("fct_output", [{"fact_id": "f1", "value": 1.0}]),
    )
    assert "set it aside" not in text
    assert "BLOCK ok_document_cjk_share" in text  # the failures themselves are still shown
