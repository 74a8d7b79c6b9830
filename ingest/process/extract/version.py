"""Which extractor produced a page's rows: a hash of everything that shapes them.

A landed page is processed again when its `documents` row carries another version, so
a change to the rules, the lexicons or the code before them (decode, parse, normalise)
reaches the pages landed before it; the raw bytes are kept for exactly this.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from ingest.config import PROJECT_ROOT, SEEDS_DIR

__all__ = ["extractor_version"]

_INGEST = PROJECT_ROOT / "ingest"
# What turns raw bytes into documents and mentions (ingest.process.page.process_page):
# the process stage but its worker pool, which only schedules pages.
_SHAPING = ("process/decode.py", "process/charsets.py", "process/parse.py",
            "process/parse_rules.yml", "process/parse_rules.py", "process/html_tree.py",
            "process/html_page.py", "process/normalise.py", "process/page.py",
            "process/extract")
_SEEDS = ("indicators.csv", "indicator_keywords.csv", "regions.csv", "units.csv")


@cache
def extractor_version() -> str:
    """`x-` and 12 hex digits of the hash of the files listed above, in a fixed order."""
    files: list[Path] = []
    for name in _SHAPING:
        path = _INGEST / name
        if path.is_dir():
            files += sorted(path.rglob("*.py")) + sorted(path.rglob("*.yml"))
        else:
            files.append(path)
    files += [SEEDS_DIR / name for name in _SEEDS]
    h = hashlib.sha256()
    for f in files:
        h.update(f.relative_to(PROJECT_ROOT).as_posix().encode())
        h.update(b"\0" + f.read_bytes() + b"\0")
    return "x-" + h.hexdigest()[:12]
