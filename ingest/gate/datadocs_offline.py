"""Great Expectations' Data Docs with no network: their scripts and styles from this project.

GX's Data Docs load jQuery, Bootstrap, bootstrap-table (which draws every table), Font
Awesome and Vega from CDNs, so with no network (an on-call laptop on a train, an air-gapped
host) each page is blank. The same files, at the same versions, are pinned as npm packages
in `expectations/datadocs/package.json` (installed by `make install` into its
node_modules). After GX writes the site, `make_offline` copies the files the site names
into `<site>/static/vendor/` and points every page at them by relative path.

A page naming a CDN file this module does not know (a GX upgrade) keeps that link and is
logged as a warning, with the URL, so the table below gets the new entry.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
from pathlib import Path

__all__ = ["ASSETS", "ASSETS_DIR", "AssetsMissing", "make_offline"]

logger = logging.getLogger(__name__)

ASSETS_DIR = Path(__file__).resolve().parents[2] / "expectations" / "datadocs" / "node_modules"

# CDN address in GX's templates -> file under node_modules (package pinned in package.json)
ASSETS = {
    "https://code.jquery.com/jquery-3.7.1.min.js": "jquery/dist/jquery.min.js",
    "https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css":
        "bootstrap/dist/css/bootstrap.min.css",
    "https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js":
        "bootstrap/dist/js/bootstrap.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js":
        "popper.js/dist/umd/popper.min.js",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.css":
        "bootstrap-table/dist/bootstrap-table.min.css",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.js":
        "bootstrap-table/dist/bootstrap-table.min.js",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/extensions/filter-control/"
    "bootstrap-table-filter-control.min.js":
        "bootstrap-table/dist/extensions/filter-control/bootstrap-table-filter-control.min.js",
    # GX asks for 1.19.0's stylesheets beside 1.19.1's script; the pinned 1.19.1 has it too
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/"
    "bootstrap-table-filter-control.css":
        "bootstrap-table/dist/extensions/filter-control/bootstrap-table-filter-control.css",
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/"
    "bootstrap-table-filter-control.min.css":
        "bootstrap-table/dist/extensions/filter-control/bootstrap-table-filter-control.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/css/all.min.css":
        "@fortawesome/fontawesome-free/css/all.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/css/"
    "bootstrap-datepicker.min.css": "bootstrap-datepicker/dist/css/bootstrap-datepicker.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/js/"
    "bootstrap-datepicker.min.js": "bootstrap-datepicker/dist/js/bootstrap-datepicker.min.js",
    "https://cdn.jsdelivr.net/npm/@forevolve/bootstrap-dark@1.1.0/dist/css/"
    "bootstrap-prefers-dark.css": "@forevolve/bootstrap-dark/dist/css/bootstrap-prefers-dark.css",
    "https://cdn.jsdelivr.net/npm/vega@5": "vega/build/vega.min.js",
    "https://cdn.jsdelivr.net/npm/vega-lite@5": "vega-lite/build/vega-lite.min.js",
    "https://cdn.jsdelivr.net/npm/vega-embed@6": "vega-embed/build/vega-embed.min.js",
}
# folders a copied file reads by relative path (Font Awesome's stylesheet: ../webfonts/)
_ALONGSIDE = {"@fortawesome/fontawesome-free/css/all.min.css":
              "@fortawesome/fontawesome-free/webfonts"}

# a script's src or a stylesheet's href that leaves the site
_REMOTE_REF = re.compile(r"""<(?:script|link)\b[^>]*?\b(?:src|href)=["'](https?://[^"']+)["']""",
                         re.I)


class AssetsMissing(RuntimeError):
    """The pinned Data Docs assets are not installed (`make install` runs npm)."""


def make_offline(site: Path, assets: Path = ASSETS_DIR) -> int:
    """Point every page of the Data Docs site at copies of its CDN files; the number of
    references rewritten. Raises AssetsMissing when `assets` lacks a file a page names."""
    pages = sorted(site.rglob("*.html"))
    used = {url for page in pages for url in _REMOTE_REF.findall(_read(page)) if url in ASSETS}
    vendor = site / "static" / "vendor"
    for url in sorted(used):
        _copy(assets, ASSETS[url], vendor)
    rewritten = 0
    unknown: set[str] = set()
    for page in pages:
        html = _read(page)
        unknown.update(u for u in _REMOTE_REF.findall(html) if u not in ASSETS)
        rel = Path(os.path.relpath(vendor, page.parent)).as_posix()
        new, n = _rewrite(html, rel)
        if n:
            page.write_text(new, encoding="utf-8")
            rewritten += n
    if unknown:
        logger.warning("Data Docs still load %d file(s) from the network, unknown to "
                       "ingest/gate/datadocs_offline.py: %s", len(unknown),
                       ", ".join(sorted(unknown)))
    return rewritten


def _rewrite(html: str, vendor_rel: str) -> tuple[str, int]:
    count = 0

    def swap(m: re.Match[str]) -> str:
        nonlocal count
        url = m.group(1)
        if url not in ASSETS:
            return m.group(0)
        count += 1
        return m.group(0).replace(url, f"{vendor_rel}/{ASSETS[url]}")

    return _REMOTE_REF.sub(swap, html), count


def _copy(assets: Path, rel: str, vendor: Path) -> None:
    src = assets / rel
    if not src.is_file():
        raise AssetsMissing(f"Data Docs asset {src} is missing: run `make install` (it "
                            "installs expectations/datadocs with npm)")
    dst = vendor / rel
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dst)
    folder = _ALONGSIDE.get(rel)
    if folder:
        shutil.copytree(assets / folder, vendor / folder, dirs_exist_ok=True)


def _read(page: Path) -> str:
    return page.read_text(encoding="utf-8", errors="replace")
