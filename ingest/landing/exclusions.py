"""The exclusion ledger: pages on-call sets aside (`zonewatch exclude`) and puts back
(`zonewatch include`), kept in the landing table `exclusions` (ingest/landing/landing.sql).

One row per exclusion of one document: what on-call typed (`target`), the document's
URL, who (`excluded_by`), when (`excluded_at`, naive UTC) and why (`reason`). Including a
document again marks its open row undone (`included_by`, `included_at`) rather than
deleting it, so the ledger is also the history. A document is excluded while it has a
row with `included_at` NULL; the ledger never opens a second one for it.

A target is a document id (`documents.document_id`) or a URL, which stands for every
document of that canonical URL (`ingest.fetch.urls.canonical`): each version of the page
landed so far. A later version (new bytes, so a new document id) is not excluded by an
earlier exclusion. dbt applies the ledger on every build: the intermediate models leave
excluded documents' mentions out of the facts, and `dim_document.excluded_reason` says
why a page has none.

`ExclusionLedger` is mixed into `ingest.landing.store.LandingStore`; all values go to
DuckDB as bound parameters.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import duckdb

from ingest.config import ConfigError
from ingest.fetch.urls import canonical
from ingest.landing.raw import utc_naive

__all__ = ["Exclusion", "ExcludeResult", "ExclusionLedger", "LedgerError", "NotExcluded",
           "UnknownTarget", "is_url"]

logger = logging.getLogger(__name__)
logger.addHandler(logging.NullHandler())

COLUMNS = ("document_id", "url", "target", "reason", "excluded_by", "excluded_at",
           "included_by", "included_at")


class LedgerError(ConfigError):
    """A target the ledger cannot act on: the CLI prints it on one line and exits 2."""


class UnknownTarget(LedgerError):
    """No document has this id or canonical URL."""


class NotExcluded(LedgerError):
    """`include` of a document that is not excluded."""


@dataclass(frozen=True)
class Exclusion:
    """One `exclusions` row."""

    document_id: str
    url: str
    target: str
    reason: str
    excluded_by: str
    excluded_at: datetime
    included_by: str | None = None
    included_at: datetime | None = None

    @property
    def is_current(self) -> bool:
        return self.included_at is None


@dataclass(frozen=True)
class ExcludeResult:
    """What `exclude` did: documents newly set aside, and those already set aside
    (left as they were: include them first to change the reason)."""

    new: tuple[Exclusion, ...]
    already: tuple[Exclusion, ...]


def is_url(target: str) -> bool:
    """A target with a scheme (`https://…`, `file://…`) is a URL, anything else an id."""
    return "://" in target


def _clean(value: str, what: str) -> str:
    text = " ".join(value.split())  # one line: it is printed in listings
    if not text:
        raise LedgerError(f"{what} must not be empty")
    return text


class ExclusionLedger:
    """The ledger's methods on a landing store (`con`: its DuckDB connection)."""

    if TYPE_CHECKING:  # LandingStore provides it; declared here for the type checker only

        @property
        def con(self) -> duckdb.DuckDBPyConnection: ...

    def _has_ledger(self) -> bool:
        """False for a landing file made before the table, opened read-only."""
        row = self.con.execute("select count(*) from information_schema.tables "
                               "where table_name = 'exclusions'").fetchone()
        return bool(row and row[0])

    def _rows(self, where: str = "", params: Sequence[Any] = ()) -> list[Exclusion]:
        if not self._has_ledger():
            return []
        rows = self.con.execute(
            f"select {', '.join(COLUMNS)} from exclusions {where} "  # fixed SQL, bound values
            "order by excluded_at, document_id", list(params)).fetchall()
        return [Exclusion(*r) for r in rows]

    def documents_of(self, target: str) -> list[tuple[str, str]]:
        """(document_id, url) of the documents `target` names: the document of that id,
        or every document whose URL has the target's canonical form. [] when none."""
        target = target.strip()
        if not is_url(target):
            return [(r[0], r[1]) for r in self.con.execute(
                "select document_id, url from documents where document_id = ?",
                [target]).fetchall()]
        wanted = canonical(target)
        urls = [u for (u,) in self.con.execute("select distinct url from documents").fetchall()
                if u == target or canonical(u) == wanted]
        if not urls:
            return []
        return [(r[0], r[1]) for r in self.con.execute(
            "select document_id, url from documents where url in (select unnest(?)) "
            "order by fetched_at, document_id", [urls]).fetchall()]

    def exclusions(self, *, current_only: bool = True) -> list[Exclusion]:
        """The ledger, oldest first: the documents excluded now, or every row ever."""
        return self._rows("where included_at is null" if current_only else "")

    def exclude(self, target: str, *, reason: str, by: str) -> ExcludeResult:
        """Set aside every document `target` names (see `documents_of`), with who and
        why. A document already excluded keeps its row. UnknownTarget when none."""
        reason, by, target = _clean(reason, "--reason"), _clean(by, "--by"), target.strip()
        docs = self.documents_of(target)
        if not docs:
            raise UnknownTarget(f"no document has the {'URL' if is_url(target) else 'id'} "
                                f"{target!r} in the landing zone")
        current = {e.document_id: e for e in self.exclusions()}
        now = utc_naive(None)
        new = [Exclusion(doc_id, url, target, reason, by, now) for doc_id, url in docs
               if doc_id not in current]
        self.con.execute("begin transaction")
        try:
            for e in new:
                self.con.execute(
                    f"insert into exclusions ({', '.join(COLUMNS[:6])}) values (?, ?, ?, ?, ?, ?)",
                    [e.document_id, e.url, e.target, e.reason, e.excluded_by, e.excluded_at])
        except BaseException:
            self.con.execute("rollback")
            raise
        self.con.execute("commit")
        for e in new:
            logger.info("excluded %s (%s) by %s: %s", e.document_id, e.url, by, reason)
        return ExcludeResult(new=tuple(new), already=tuple(current[d] for d, _ in docs
                                                           if d in current))

    def include(self, target: str, *, by: str) -> tuple[Exclusion, ...]:
        """Undo the current exclusions `target` names (a document id, or a URL: every
        excluded document of that canonical URL). Returns them as they are now.
        NotExcluded when the target names documents none of which is excluded."""
        by, target = _clean(by, "--by"), target.strip()
        current = self.exclusions()
        if is_url(target):
            wanted = canonical(target)
            hits = [e for e in current if e.url == target or canonical(e.url) == wanted]
        else:
            hits = [e for e in current if e.document_id == target]
        if not hits:
            kind = "URL" if is_url(target) else "id"
            if self.documents_of(target):
                raise NotExcluded(f"{target!r} is not excluded (zonewatch failures lists "
                                  "the excluded pages)")
            raise UnknownTarget(f"no document has the {kind} {target!r} in the landing zone")
        now = utc_naive(None)
        self.con.execute(
            "update exclusions set included_by = ?, included_at = ? "
            "where included_at is null and document_id in (select unnest(?))",
            [by, now, [e.document_id for e in hits]])
        done = tuple(Exclusion(e.document_id, e.url, e.target, e.reason, e.excluded_by,
                               e.excluded_at, by, now) for e in hits)
        for e in done:
            logger.info("included %s (%s) again by %s", e.document_id, e.url, by)
        return done
