"""Bodies read within a size cap, whatever their content coding: a gzip bomb stops at
the cap counted in DECOMPRESSED bytes. `BoundedBody` takes a response as it streams in;
`gunzip_capped` takes a whole gzip file (a `.xml.gz` sitemap)."""

from __future__ import annotations

import zlib

__all__ = ["BodyError", "BoundedBody", "SizeLimitError", "gunzip_capped"]

_CHUNK = 64 * 1024
# Bytes one decompress call may produce: a bomb grows the output a step at a time and is
# refused at the cap, instead of one call producing the whole cap and copying it.
_STEP = 1024 * 1024


class BodyError(Exception):
    """A body we will not keep (oversized, unsupported coding). Not retried."""


class SizeLimitError(ValueError):
    """Decompressed data over the cap."""


class BoundedBody:
    """Collects a body, decoding gzip/deflate with a bounded output (bomb-safe)."""

    def __init__(self, coding: str, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.out = bytearray()
        self.coding = coding
        self._dec: zlib._Decompress | None = None
        self._deflate_raw_tried = False
        if coding in ("gzip", "x-gzip"):
            self._dec = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif coding == "deflate":
            self._dec = zlib.decompressobj(zlib.MAX_WBITS)
        elif coding not in ("", "identity"):
            raise BodyError(f"unsupported content encoding: {coding}")
        self._started = False

    def _oversized(self) -> BodyError:
        what = "decompressed " if self._dec is not None else ""
        return BodyError(f"oversized body: {what}size exceeds max_bytes={self.max_bytes}")

    def _take(self, data: bytes) -> None:
        self.out.extend(data)
        if len(self.out) > self.max_bytes:
            raise self._oversized()

    def feed(self, data: bytes) -> None:
        if self._dec is None:
            self._take(data)
            return
        while data:
            try:
                chunk = self._dec.decompress(data, self.max_bytes - len(self.out) + 1)
            except zlib.error as exc:
                if self.coding == "deflate" and not self._started \
                        and not self._deflate_raw_tried:  # raw deflate, no zlib header
                    self._deflate_raw_tried = True
                    self._dec = zlib.decompressobj(-zlib.MAX_WBITS)
                    continue
                raise BodyError(f"corrupt {self.coding} body: {exc}") from None
            self._started = True
            self._take(chunk)
            if self._dec.unconsumed_tail:
                data = self._dec.unconsumed_tail
            elif self._dec.eof and self._dec.unused_data and self.coding != "deflate":
                data = self._dec.unused_data  # another gzip member
                self._dec = zlib.decompressobj(16 + zlib.MAX_WBITS)
            else:
                data = b""

    def finish(self) -> bytes:
        if self._dec is not None:
            self._take(self._dec.flush())
        return bytes(self.out)


def gunzip_capped(data: bytes, cap: int) -> bytes:
    """Decompress gzip `data` (multi-member too) in chunks; SizeLimitError past `cap` bytes."""
    out = bytearray()
    pos = 0
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    while True:
        if d.unconsumed_tail:
            chunk = d.unconsumed_tail
        elif pos < len(data):
            chunk = data[pos:pos + _CHUNK]
            pos += len(chunk)
        else:
            break
        out += d.decompress(chunk, min(_STEP, cap + 1 - len(out)))
        if len(out) > cap:
            raise SizeLimitError(f"decompressed size exceeds {cap} bytes (gzip bomb?)")
        if d.eof:
            rest = d.unused_data + data[pos:]
            pos = len(data)
            if not rest.strip(b"\x00"):
                break
            data, pos = rest, 0
            d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    if not d.eof:
        raise zlib.error("truncated gzip data")
    return bytes(out)
