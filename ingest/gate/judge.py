"""The gate's verdict, table by table: each expectation's outcome, a failure with its
severity and examples, and the rows a quarantine expectation sets aside; `Findings.settle`
then decides, once every table is done, whether the run's quarantine is a few odd rows
(set aside, published without them) or systemic (nothing set aside, every quarantine
failure blocks)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from ingest.gate.frames import (
    count_distinct,
    count_rows,
    decode_ranks,
    mentions_of_facts,
    rows_by_key,
)
from ingest.gate.report import Failure
from ingest.gate.spec import FACT_ROWS, MENTION_ROWS, TABLE_QUERIES, GateSpec
from ingest.gate.tally import Tally, jsonable, quarantine_row, with_context

if TYPE_CHECKING:  # pragma: no cover
    import duckdb

__all__ = ["Findings"]


@dataclass
class Findings:
    """What the gate has found so far, table by table."""

    failures: list[Failure] = field(default_factory=list)
    quarantine_rows: list[dict[str, Any]] = field(default_factory=list)
    outcomes: list[dict[str, Any]] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    systemic: bool = False  # a quarantine expectation had too many rows: nothing is set aside

    def judge(self, con: duckdb.DuckDBPyConnection, table: str, tallies: list[Tally],
              spec: GateSpec) -> None:
        """Each tally's outcome; a failure with its severity, where a quarantine with too
        many rows (or none it can name) blocks instead: that is systemic, not a few rows."""
        back = _read_back(con, table, tallies)
        src = TABLE_QUERIES[table]
        for tally in tallies:
            self.outcomes.append(tally.outcome(table))
            if tally.success:
                continue
            severity, hint = ("block" if tally.errored else tally.severity), tally.hint
            examples = with_context(tally.examples, src, back)
            if severity == "quarantine":
                rows, behind, why = _set_aside(con, table, tally, spec)
                if why is not None:
                    severity, hint = "block", f"systemic, not quarantined: {why}. {tally.hint}"
                    self.systemic = True
                else:
                    self.quarantine_rows += rows
                    if src.mentions == FACT_ROWS:  # the example names the mentions behind it
                        examples = tuple({**ex, "mention_ids": ", ".join(
                            behind.get(ex.get(src.key), []))} for ex in examples)
            self.failures.append(Failure(
                suite=tally.suite, expectation=tally.name, table=table,
                severity=severity, unexpected_count=tally.unexpected,
                examples=examples, hint=hint, element_count=tally.elements,
                error=tally.error))

    def settle(self, con: duckdb.DuckDBPyConnection, spec: GateSpec) -> None:
        """The whole run's quarantine, judged once every table is done: each mention once
        (the first expectation that set it aside names it), and systemic when it takes more
        than quarantine_max_share of all mentions (and more than quarantine_min_rows) or more
        than quarantine_max_page_share of the pages with mentions (and more than
        quarantine_min_pages), or when one quarantine expectation was systemic on its own.
        Systemic: nothing is set aside and every quarantine failure blocks."""
        first: dict[str, dict[str, Any]] = {}
        for r in self.quarantine_rows:
            first.setdefault(r["mention_id"], r)
        rows = list(first.values())
        mentions, pages = _mention_totals(con)
        by_page: dict[str, list[dict[str, Any]]] = {}
        for r in rows:
            by_page.setdefault(r["document_id"], []).append(r)
        checks = (
            ("quarantine_mention_share", "stg_landing__mentions", len(rows), mentions,
             spec.quarantine_max_share, spec.quarantine_min_rows, "mentions",
             "quarantine_max_share", "quarantine_min_rows"),
            ("quarantine_page_share", "stg_landing__documents", len(by_page), pages,
             spec.quarantine_max_page_share, spec.quarantine_min_pages, "pages with mentions",
             "quarantine_max_page_share", "quarantine_min_pages"),
        )
        over = []
        for name, table, n, total, share, floor, what, share_key, floor_key in checks:
            limit = max(share * total, floor)
            ok = n <= limit
            self.outcomes.append({
                "suite": "quarantine", "table": table, "expectation": name,
                "type": "quarantine_share", "severity": "block", "success": ok,
                "errored": False, "unexpected_count": n, "element_count": total,
                "observed_value": round(n / total, 6) if total else 0.0, "chunks": 0})
            if ok:
                continue
            over.append(name)
            self.failures.append(Failure(
                suite="quarantine", expectation=name, table=table, severity="block",
                unexpected_count=n, element_count=total, examples=_page_examples(by_page),
                hint=(f"{n} of {total} {what} would be set aside, more than {share_key} "
                      f"({share:g}) and {floor_key} ({floor}) allow: systemic (an "
                      f"extractor, lexicon or model change?), not a few odd rows; nothing "
                      f"is quarantined. The failures it sums are listed beside it")))
        if over or self.systemic:
            why = f"the run's quarantine is systemic ({', '.join(over)})" if over else \
                "another quarantine expectation is systemic"
            self.failures = [
                replace(f, severity="block", hint=f"not quarantined: {why}. {f.hint}")
                if f.severity == "quarantine" else f for f in self.failures]
            rows = []
        self.quarantine_rows = rows


def _set_aside(con: duckdb.DuckDBPyConnection, table: str, tally: Tally, spec: GateSpec,
               ) -> tuple[list[dict[str, Any]], dict[Any, list[str]], str | None]:
    """The quarantine rows for a failing quarantine expectation: the mentions behind its
    failing rows (the rows themselves on a mention table; every mention of each failing
    fact, through fct_mentions, on a fact table), the mention ids behind each failing key,
    and the reason it must block instead, if any: more failing rows than
    quarantine_max_share of the table (and quarantine_min_rows), or a failing row the gate
    cannot name or trace to a mention."""
    limit = max(spec.quarantine_max_share * (tally.elements or 1), spec.quarantine_min_rows)
    if tally.unexpected is None:
        return [], {}, "GX gave no count of the failing rows"
    if tally.too_many or len(tally.failing_keys) > limit:
        return [], {}, (f"{tally.unexpected} of {tally.elements} rows failed, more than "
                        f"quarantine_max_share ({spec.quarantine_max_share:g}) of {table} "
                        f"and quarantine_min_rows ({spec.quarantine_min_rows})")
    if not tally.failing_keys:
        return [], {}, "GX named none of the failing rows"
    if TABLE_QUERIES[table].mentions == MENTION_ROWS:
        found = rows_by_key(con, table, tally.failing_keys)
        return ([quarantine_row(row, tally.name, tally.hint) for row in found.values()],
                {k: [str(k)] for k in found}, None)
    by_fact = mentions_of_facts(con, tally.failing_keys)
    orphans = [str(k) for k in tally.failing_keys if not by_fact.get(k)]
    if orphans:
        return [], {}, f"no mention in fct_mentions states fact(s) {', '.join(orphans[:3])}"
    rows = [quarantine_row(m, tally.name, f"{tally.hint} (fact {fid} in {table}, stated by "
                                          f"{len(by_fact[fid])} mention(s), all set aside)")
            for fid in tally.failing_keys for m in by_fact[fid]]
    return rows, {fid: [str(m["mention_id"]) for m in by_fact[fid]]
                  for fid in tally.failing_keys}, None


def _mention_totals(con: duckdb.DuckDBPyConnection) -> tuple[int, int]:
    """Mentions in the build copy and the pages they are on (0, 0 when they cannot be
    read: the mentions suite reports that table unreadable, and blocks)."""
    import duckdb

    try:
        return (count_rows(con, "stg_landing__mentions"),
                count_distinct(con, "stg_landing__mentions", "document_id"))
    except duckdb.Error:
        return 0, 0


def _page_examples(by_page: Mapping[str, list[dict[str, Any]]]) -> tuple[dict[str, Any], ...]:
    worst = sorted(by_page.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:3]
    return tuple({"document_id": doc, "url": rs[0].get("url"), "mentions": len(rs),
                  "expectations": ", ".join(dict.fromkeys(r["expectation"] for r in rs))}
                 for doc, rs in worst)


def _read_back(con: duckdb.DuckDBPyConnection, table: str,
               tallies: list[Tally]) -> dict[Any, dict[str, Any]]:
    """Whole rows for every example of the table's failures, in one query after its
    chunks are read (a query beside an open chunk stream would hold a second copy of
    the documents' text)."""
    failed = [t for t in tallies if not t.success]
    for c in {c for t in failed for c in t.encoded}:
        shown = [ex for t in failed if c in t.encoded for ex in t.examples
                 if ex.get(c) is not None]
        values = decode_ranks(con, table, c, [ex[c] for ex in shown])
        for ex in shown:
            ex[c] = jsonable(values.get(int(ex[c])))
    key = TABLE_QUERIES[table].key
    keys = {ex[key] for t in failed for ex in t.examples if key in ex}
    return rows_by_key(con, table, sorted(keys, key=str))

