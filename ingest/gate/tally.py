"""One expectation's outcome on one table, summed over the chunks it ran on, and the
failing rows it shows (ids, the validated columns, the page URL and sentence)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ingest.gate.spec import ROW_KEY, TableSource

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["Tally", "jsonable", "quarantine_row", "with_context"]


def quarantine_row(row: Mapping[str, Any], expectation: str, hint: str) -> dict[str, Any]:
    return {"mention_id": str(row["mention_id"]), "document_id": str(row["document_id"]),
            "url": None if _is_null(row.get("url")) else str(row.get("url")),
            "sentence": str(row.get("sentence") or ""),
            "raw_text": str(row.get("raw_text") or ""), "expectation": expectation,
            "reason": hint}


def _is_null(v: Any) -> bool:
    import pandas as pd

    try:
        return v is None or bool(pd.isna(v))
    except (TypeError, ValueError):  # a list or other container
        return False


def jsonable(v: Any) -> Any:
    if v is None or isinstance(v, bool | int | str):
        return v
    if isinstance(v, float):
        return None if math.isnan(v) else v
    if hasattr(v, "item") and not hasattr(v, "__len__"):  # numpy scalar
        return jsonable(v.item())
    try:
        import pandas as pd

        if v is pd.NaT or (not isinstance(v, list | tuple | dict) and pd.isna(v)):
            return None
    except (TypeError, ValueError):
        pass
    return str(v)


def _row_positions(frame: pd.DataFrame, items: Any) -> list[int]:
    """Positions in `frame` of the rows GX listed by ROW_KEY (COMPLETE or partial lists)."""
    if frame.empty:
        return []
    first = int(frame[ROW_KEY].iloc[0])  # chunks number their rows across the table
    rows: list[int] = []
    for item in items or ():
        r = item.get(ROW_KEY) if isinstance(item, Mapping) else None
        if r is not None and 0 <= int(r) - first < len(frame):
            rows.append(int(r) - first)
    return sorted(set(rows))


def _example_rows(frame: pd.DataFrame, src: TableSource, result: Mapping[str, Any],
                  columns: list[str], n: int) -> list[dict[str, Any]]:
    """Up to n failing rows with their key, the validated columns that failed and whatever
    context the frame holds (the rest is read back by key once the table is done:
    `with_context`)."""
    show = [c for c in dict.fromkeys([src.key, *columns, *src.context, src.url, src.sentence])
            if c and c in frame.columns]
    return [{c: jsonable(frame[c].iloc[r]) for c in show}
            for r in _row_positions(frame, result.get("partial_unexpected_index_list"))[:n]]


def with_context(examples: list[dict[str, Any]], src: TableSource,
                  back: Mapping[Any, Mapping[str, Any]]) -> tuple[dict[str, Any], ...]:
    """Examples with the table's context, URL and sentence from their rows read back by
    key (whole values, where the frame held only a column's nullness or its rank)."""
    out = []
    for ex in examples:
        row = back.get(ex.get(src.key), {})
        show = dict.fromkeys([*ex, *src.context, src.url, src.sentence])
        out.append({c: jsonable(row[c] if c in row else ex[c]) for c in show
                    if c and (c in ex or c in row)})
    return tuple(out)


@dataclass
class Tally:
    """One expectation on one table, summed over the chunks it ran on.

    Row-wise expectations (the only ones run on more than one chunk) count rows
    independently, so the table's result is the sum of its chunks': unexpected, element
    and missing counts add up, and `mostly` is judged on the sums the way GX judges one
    batch (unexpected share of the rows considered)."""

    suite: str
    name: str
    type: str
    severity: str
    hint: str
    columns: list[str]
    mostly: float | None
    chunks: int = 0
    all_passed: bool = True
    errored: bool = False
    error: str | None = None
    unexpected: int | None = 0
    elements: int = 0
    missing: int = 0
    observed: Any = None
    examples: list[dict[str, Any]] = field(default_factory=list)
    failing_keys: list[Any] = field(default_factory=list)
    too_many: bool = False  # more failing rows than could ever be quarantined
    encoded: frozenset[str] = frozenset()  # columns GX saw as ranks (gate.frames.decode_ranks)

    @classmethod
    def of(cls, r: Any, when: Mapping[tuple[str, str], tuple[str, ...]]) -> Tally:
        cfg = r.expectation_config
        meta = cfg.meta or {}
        suite, name = str(meta.get("suite")), str(meta.get("name") or cfg.type)
        kwargs = cfg.to_json_dict().get("kwargs") or {}
        return cls(suite=suite, name=name, type=cfg.type,
                   severity=str(meta.get("severity") or "block"), hint=str(meta.get("hint") or ""),
                   columns=[*_failure_columns(kwargs), *when.get((suite, name), ())],
                   mostly=kwargs.get("mostly"))

    def add(self, r: Any, frame: pd.DataFrame, src: TableSource, n_examples: int,
            key_cap: int) -> None:
        res = dict(r.result or {})
        exc = r.exception_info or {}
        self.chunks += 1
        if exc.get("raised_exception"):
            self.errored = True
            self.error = self.error or str(exc.get("exception_message"))
        count = res.get("unexpected_count")
        self.unexpected = None if count is None or self.unexpected is None \
            else self.unexpected + int(count)
        self.elements += int(res.get("element_count") or 0)
        self.missing += int(res.get("missing_count") or 0)
        self.observed = res.get("observed_value")
        self.all_passed = self.all_passed and bool(r.success)
        if r.success:
            return
        if len(self.examples) < n_examples:
            self.examples += _example_rows(frame, src, res, self.columns,
                                           n_examples - len(self.examples))
        if self.severity == "quarantine" and not self.too_many:
            rows = _row_positions(frame, res.get("unexpected_index_list"))
            self.failing_keys += [frame[src.key].iloc[i] for i in rows]
            if len(self.failing_keys) > key_cap:
                self.too_many, self.failing_keys = True, []

    @property
    def success(self) -> bool:
        if self.errored:
            return False
        if self.chunks <= 1 or self.mostly is None:
            return self.all_passed
        considered = self.elements - self.missing
        if considered <= 0:
            return True
        return self.unexpected is not None and \
            (considered - self.unexpected) / considered >= float(self.mostly)

    def outcome(self, table: str) -> dict[str, Any]:
        return {"suite": self.suite, "table": table, "expectation": self.name,
                "type": self.type, "severity": self.severity, "success": self.success,
                "errored": self.errored, "unexpected_count": self.unexpected,
                "element_count": self.elements, "observed_value": jsonable(self.observed),
                "chunks": self.chunks}


def _failure_columns(kw: Mapping[str, Any]) -> list[str]:
    cols = [kw.get("column"), kw.get("column_A"), kw.get("column_B")]
    return [c for c in cols if isinstance(c, str)]
