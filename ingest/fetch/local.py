"""Pages saved on disk: an `--input DIR` (see CONTRACT.md). Every `.html`, `.htm`, `.txt`,
`.md` file is one page, with an optional `NAME.json` sidecar giving `url`, `title`,
`published_at`."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ingest.config import ConfigError
from ingest.fetch.source_yaml import HTTP_SCHEMES

__all__ = ["LocalPage", "PAGE_SUFFIXES", "iter_input_dir", "read_sidecar"]

PAGE_SUFFIXES = (".html", ".htm", ".txt", ".md")
DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class LocalPage:
    """One saved page under `--input DIR`."""

    path: Path
    url: str
    title: str | None
    published_at: date | None
    sidecar: dict[str, Any] | None
    error: str | None = None  # the sidecar is malformed: the page is recorded, not landed


def read_sidecar(path: Path) -> dict[str, Any]:
    """Parse and check one sidecar JSON file; raise ConfigError naming it when malformed."""
    try:
        data = json.loads(path.read_bytes().decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{path}: sidecar is not valid UTF-8 JSON ({exc})") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read sidecar ({exc.__class__.__name__})") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: sidecar must be a JSON object")
    for key in ("url", "title", "published_at"):
        v = data.get(key)
        if v is not None and not isinstance(v, str):
            raise ConfigError(f"{path}: sidecar '{key}' must be a string, got {v!r}")
    url = data.get("url")
    if url is not None:
        parts = urlsplit(url.strip())
        if parts.scheme.lower() not in (*HTTP_SCHEMES, "file") or not (parts.netloc or parts.path):
            raise ConfigError(f"{path}: sidecar url {url!r} is not an http(s) or file URL")
    pub = data.get("published_at")
    if pub:
        try:
            if not DATE_RE.fullmatch(pub.strip()):
                raise ValueError(pub)
            date.fromisoformat(pub.strip())
        except ValueError:
            raise ConfigError(f"{path}: sidecar published_at {pub!r} is not YYYY-MM-DD") from None
    return data


def _is_hidden(rel: Path) -> bool:
    return any(part.startswith(".") for part in rel.parts)


def iter_input_dir(directory: str | Path) -> Iterator[LocalPage]:
    """Yield every page file under `directory` (recursively, sorted by relative path)."""
    root = Path(directory).expanduser().resolve()
    if not root.is_dir():
        raise ConfigError(f"--input {directory}: not a directory")
    files = sorted(
        (p for p in root.rglob("*")
         if p.suffix.lower() in PAGE_SUFFIXES and p.is_file()
         and not _is_hidden(p.relative_to(root))),
        key=lambda p: p.relative_to(root).as_posix(),
    )
    for path in files:
        side_path = path.with_suffix(".json")
        try:
            sidecar = read_sidecar(side_path) if side_path.is_file() else None
        except ConfigError as exc:  # this page's fault, not the run's: the others go on
            yield LocalPage(path=path, url=f"file://{path}", title=None, published_at=None,
                            sidecar=None, error=str(exc))
            continue
        url = (sidecar or {}).get("url") or None
        title = (sidecar or {}).get("title") or None
        pub_s = (sidecar or {}).get("published_at") or None
        yield LocalPage(
            path=path,
            url=url.strip() if url else f"file://{path}",
            title=title.strip() if title else None,
            published_at=date.fromisoformat(pub_s.strip()) if pub_s else None,
            sidecar=sidecar,
        )
