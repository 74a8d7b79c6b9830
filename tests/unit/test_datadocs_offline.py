"""make_offline: a Data Docs site's CDN scripts and styles become copies inside the site,
named by relative paths that resolve from every page, whatever its depth."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from ingest.gate.datadocs_offline import ASSETS, ASSETS_DIR, AssetsMissing, make_offline

JQUERY = "https://code.jquery.com/jquery-3.7.1.min.js"
TABLE = "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.js"
ICONS = "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/css/all.min.css"
UNKNOWN = "https://cdn.example.org/something-new@9/x.js"


def _page(*urls: str) -> str:
    refs = "".join(f'<link rel="stylesheet" href="{u}">' if u.endswith(".css")
                   else f'<script src="{u}"></script>' for u in urls)
    return f"<html><head>{refs}</head><body><a href=\"https://greatexpectations.io\">GX</a>" \
           "</body></html>"


def _site(tmp_path: Path) -> Path:
    site = tmp_path / "docs"
    (site / "validations" / "suite" / "run").mkdir(parents=True)
    (site / "index.html").write_text(_page(JQUERY, TABLE, ICONS), encoding="utf-8")
    (site / "validations" / "suite" / "run" / "v.html").write_text(
        _page(JQUERY, UNKNOWN), encoding="utf-8")
    return site


def _local_refs(page: Path) -> list[str]:
    return re.findall(r'(?:src|href)="([^"]+)"', page.read_text(encoding="utf-8"))


def test_every_known_cdn_file_is_installed() -> None:
    missing = [rel for rel in ASSETS.values() if not (ASSETS_DIR / rel).is_file()]
    assert not missing, f"run `make install`: {missing}"


def test_pages_at_any_depth_load_their_files_from_the_site(tmp_path: Path, caplog) -> None:
    site = _site(tmp_path)
    with caplog.at_level(logging.WARNING):
        assert make_offline(site) == 4
    for page in (site / "index.html", site / "validations" / "suite" / "run" / "v.html"):
        for ref in _local_refs(page):
            if ref.startswith("http"):
                assert ref in (UNKNOWN, "https://greatexpectations.io"), ref  # a link stays
                continue
            assert (page.parent / ref).resolve().is_file(), (page, ref)
    # Font Awesome's stylesheet reads its fonts from ../webfonts/
    assert any((site / "static" / "vendor").rglob("*.woff2"))
    assert UNKNOWN in caplog.text  # said, so the table gets the new file


def test_missing_assets_are_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(AssetsMissing, match="make install"):
        make_offline(_site(tmp_path), assets=tmp_path / "nothing")
