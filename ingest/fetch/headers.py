"""HTTP header lookup by name, whatever case the server (or a stored page) used."""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["header"]


def header(headers: Mapping[str, str], name: str) -> str | None:
    """The value of header `name` in `headers`, compared case-insensitively; None if absent."""
    v = headers.get(name)
    if v is None:
        low = name.lower()
        v = next((val for k, val in headers.items() if k.lower() == low), None)
    return v
