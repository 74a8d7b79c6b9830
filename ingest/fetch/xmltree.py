"""Sitemaps as XML: a parser that resolves no entities and reads no network,
and namespace-blind lookups of children by local name."""

from __future__ import annotations

from typing import Any

from lxml import etree

__all__ = ["child_text", "children", "local_name", "xml_root"]


def local_name(el: Any) -> str:
    tag = el.tag
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def children(el: Any, name: str) -> list[Any]:
    return [c for c in el if local_name(c) == name]


def child_text(el: Any, *names: str) -> str | None:
    for name in names:
        for c in children(el, name):
            if c.text and c.text.strip():
                return str(c.text).strip()
    return None


def xml_root(body: bytes) -> Any:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                             load_dtd=False, dtd_validation=False, remove_pis=True,
                             remove_comments=True, recover=False)
    return etree.fromstring(body, parser=parser)

