"""Mentions from table rows: each cell read against the header's year, unit and
status columns."""

from __future__ import annotations

from ingest.process.extract.attribution import Carry, region_out
from ingest.process.extract.clauses import DECLINE_WORDS, GROWTH_WORDS, keyword_matches
from ingest.process.extract.confidence import basis_text, confidence
from ingest.process.extract.indicators import growth_of
from ingest.process.extract.lexicon import Lexicon
from ingest.process.extract.mention import Mention
from ingest.process.extract.periods import PeriodExpr, find_periods
from ingest.process.extract.tables import Cell, TableHeader

__all__ = ["table_mentions"]


def table_mentions(text: str, p_start: int, p_end: int, header: TableHeader,
                    row: tuple[str, list[Cell]], carry: Carry, primary: str | None,
                    ref_year: int | None, ref_basis: str, lex: Lexicon) -> list[Mention]:
    """A table row's figures: what its label names, in the period its column (else the
    page's text before the table) gives; a table reports results, so actual unless its
    column says otherwise (目标, 预计)."""
    name, cells = row
    keywords = [k for _, _, k in keyword_matches(name, 0, len(name), lex)]
    st = lex.rules["status"]

    def column_period(col: int) -> PeriodExpr | None:
        found = find_periods(header.cells[col], ref_year, carry.year)
        return next((p for p in found if p.period_start is not None), None)

    # A growth column (比上年同期增长) is over the period of the table's figures.
    table_period = next((p for col, role in enumerate(header.roles) if role == "value"
                         and (p := column_period(col)) is not None), None)
    out = []
    for cell in cells:
        q = cell.quantity
        unit = "CNY" if q.implied_unit else q.unit
        growth = cell.role == "growth" or (unit == "percent" and any(
            w in name for w in (*GROWTH_WORDS, *DECLINE_WORDS)))
        # What the row names (地区生产总值); else what its column names (项目名称 |
        # 总投资(亿元): the row is a project, the column the measure).
        column = header.cells[cell.column]
        named = keywords or [k for _, _, k in keyword_matches(column, 0, len(column), lex)]
        ind = growth_of(named, lex) if growth and unit == "percent" else next(
            (i for kw in named[::-1] if (i := lex.indicator_for(kw, unit))), None)
        if ind is None or unit not in {"CNY", "PFLOPS", "percent", "count"}:
            continue
        period = column_period(cell.column) if cell.role == "value" else None
        period = period or table_period
        if period is not None:
            ps, pe = period.period_start, period.period_end
            basis = "explicit" if period.explicit else "context"
        else:
            ps, pe, basis = carry.period()
        status = ("estimate" if any(w in column for w in st["estimate"]) else
                  "target" if any(w in column for w in st["target"]) else "actual")
        region = carry.region
        region_basis = "paragraph" if region else "document" if primary else "none"
        region_id, region_text = region_out(region, primary, lex)
        ind_how = "table_row" if keywords else "table_column"
        out.append(Mention(
            char_start=p_start + cell.start, char_end=p_start + cell.end,
            raw_text=text[p_start + cell.start:p_start + cell.end],
            sentence=text[p_start:p_end], value=q.value, value_high=q.value_high, unit=unit,
            qualifier=q.qualifier, indicator_id=ind.indicator_id, category=ind.category,
            status=status, period_start=ps, period_end=pe, period_basis=basis,
            region_id=region_id, region_text=region_text,
            region_basis=region_basis,
            confidence=confidence(ind_how, "table_column", basis, region_basis),
            basis=basis_text(ind_how, "table_column", basis, region_basis)))
    return out
