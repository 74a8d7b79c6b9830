"""`zonewatch report`: one self-contained HTML file from the published warehouse.

queries (short read-only SELECTs against the marts) → frames → plotly figures → one HTML
page with plotly.js, the data and the styles inlined: it opens with no network. Every
reading of the figures (progress states, current facts, verdicts) comes from the marts;
here are only selects and group-bys for a chart. Figures get plain lists, not arrays, so
the page's JSON shows every number as printed (plotly would base64 an array).
"""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from ingest.config import ConfigError

__all__ = ["QUERIES", "REQUIRED_TABLES", "Report", "build_figures", "load_frames",
           "render_html", "write_report"]

logger = logging.getLogger(__name__)
logger.addHandler(logging.NullHandler())

# One query per chart; each reads the marts only (schema main of the published file).
QUERIES: dict[str, str] = {
    "targets": """
        select coalesce(r.name_zh, p.region_id) as region,
               coalesce(i.name_zh, p.indicator_id) as indicator, i.name_en,
               p.measure, p.unit, p.target_value, p.actual_value, p.attainment_share,
               p.progress_state, p.target_period_end, p.actual_period_end
        from main.fct_target_progress as p
        left join main.dim_region as r on r.region_id = p.region_id
        left join main.dim_indicator as i on i.indicator_id = p.indicator_id
        order by region, indicator, p.target_period_end, p.target_fact_id""",
    "compute": """
        select coalesce(r.name_zh, c.region_id) as region, c.status, c.period_end,
               c.value, c.unit
        from main.fct_compute as c
        left join main.dim_region as r on r.region_id = c.region_id
        where c.is_current and c.measure = 'level' and c.unit = 'PFLOPS'
          and c.period_end is not null
        order by region, c.status, c.period_end""",
    "facts_by_source": """
        select coalesce(nullif(regexp_extract(url, '^[A-Za-z][A-Za-z0-9+.-]*://([^/]*)', 1),
                               ''), 'local files') as source,
               coalesce(strftime(published_at, '%Y-%m'), 'undated') as month,
               count(*) as pages, sum(fact_count) as facts
        from main.dim_document
        where status = 'ok' and excluded_reason is null
        group by all
        order by month, source""",
    "gate": """
        select v.run_id, v.verdict, v.warning_count, v.blocking_count,
               coalesce(q.quarantined, 0) as quarantined, v.validated_at
        from main.validation_runs as v
        left join (select run_id, count(*) as quarantined from main.quarantine
                   group by run_id) as q on q.run_id = v.run_id
        order by v.validated_at, v.run_id""",
}
REQUIRED_TABLES = ("fct_target_progress", "fct_compute", "dim_region", "dim_indicator",
                   "dim_document", "validation_runs", "quarantine")

STATE_COLOURS = {"met": "#2e7d32", "on_track": "#66bb6a", "behind": "#ef6c00",
                 "no_actual_yet": "#9e9e9e", "expired_unknown": "#8d6e63"}
VERDICT_COLOURS = {"passed": "#2e7d32", "blocked": "#c62828"}
PLOTLY_CONFIG = {"displaylogo": False, "responsive": True}
STYLE = """
body { font-family: system-ui, "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif;
       margin: 1.5rem auto; max-width: 1150px; color: #222; }
h1 { font-size: 1.5rem; margin-bottom: .2rem; } h2 { font-size: 1.15rem; margin-top: 2rem; }
p.meta, p.note { color: #666; font-size: .9rem; margin: .2rem 0; }
section.chart { border-top: 1px solid #ddd; }
"""


@dataclass(frozen=True)
class Report:
    path: Path
    bytes: int
    charts: int


# --------------------------------------------------------------------------- queries


def _connect(warehouse: Path) -> duckdb.DuckDBPyConnection:
    if not warehouse.is_file():
        raise ConfigError(f"no warehouse at {warehouse}; run `zonewatch run` first "
                          "(or give --warehouse PATH)")
    try:
        con = duckdb.connect(str(warehouse), read_only=True)
    except duckdb.Error as exc:
        raise ConfigError(f"{warehouse}: not a readable DuckDB warehouse ({exc})") from exc
    present = {t for (t,) in con.execute(
        "select table_name from information_schema.tables where table_schema = 'main'"
    ).fetchall()}
    missing = [t for t in REQUIRED_TABLES if t not in present]
    if missing:
        con.close()
        raise ConfigError(f"{warehouse} lacks table(s) {', '.join(missing)}: "
                          "not a zonewatch warehouse, or built by an older version")
    return con


def load_frames(warehouse: Path) -> dict[str, pd.DataFrame]:
    """One frame per entry of QUERIES, read from the warehouse (read-only)."""
    con = _connect(warehouse)
    try:
        return {name: con.execute(sql).df() for name, sql in QUERIES.items()}
    finally:
        con.close()


# --------------------------------------------------------------------------- figures


def _empty(fig: go.Figure, text: str) -> go.Figure:
    fig.add_annotation(text=text, showarrow=False, xref="paper", yref="paper", x=.5, y=.5)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


def _layout(fig: go.Figure, title: str, height: int) -> go.Figure:
    fig.update_layout(title=title, height=height, template="plotly_white",
                      margin={"l": 10, "r": 10, "t": 50, "b": 40},
                      legend={"orientation": "h", "y": -0.12})
    return fig


def _number(value: float | None, unit: str) -> str:
    if value is None or pd.isna(value):
        return "–"
    if unit == "CNY":
        return f"{value / 1e8:,.4g}亿元"
    return f"{value:,.6g} {'%' if unit == 'percent' else unit}"


def fig_targets(df: pd.DataFrame) -> go.Figure:
    """One bar per target: attainment (the actual's share of the target), coloured by the
    mart's progress_state; the 100 % line is the target."""
    fig = go.Figure()
    if df.empty:
        return _layout(_empty(fig, "no targets in this warehouse"), "Targets against actuals",
                       250)
    rows = df.assign(
        label=[f"{r.region} · {r.indicator} · {r.target_period_end:%Y}"
               if not pd.isna(r.target_period_end) else f"{r.region} · {r.indicator}"
               for r in df.itertuples()],
        pct=(df["attainment_share"] * 100).round(1),
    )
    rows["label"] = rows["label"].where(~rows["label"].duplicated(keep=False),
                                        rows["label"] + " (" + rows["unit"] + ")")
    for state, part in rows.groupby("progress_state", sort=False):
        fig.add_trace(go.Bar(
            name=str(state), orientation="h", y=part["label"], x=part["pct"].fillna(0).tolist(),
            marker_color=STATE_COLOURS.get(str(state), "#607d8b"),
            text=[f"{_number(r.actual_value, r.unit)} / {_number(r.target_value, r.unit)}"
                  for r in part.itertuples()],
            textposition="outside", cliponaxis=False,
            customdata=part[["indicator", "target_value", "actual_value", "unit"]].values.tolist(),
            hovertemplate=("%{y}<br>attainment %{x}%<br>target %{customdata[1]:,} "
                           "%{customdata[3]}<br>actual %{customdata[2]:,}<extra>"
                           f"{state}</extra>")))
    fig.add_vline(x=100, line_dash="dash", line_color="#444")
    fig.update_yaxes(categoryorder="array", categoryarray=list(rows["label"])[::-1])
    top = rows["pct"].max()
    fig.update_xaxes(title="attainment, % of target",
                     range=[0, 1.3 * max(110.0, 0.0 if pd.isna(top) else float(top))])
    return _layout(fig, "Targets against actuals (fct_target_progress)",
                   max(300, 28 * len(rows) + 120))


STATUS_SYMBOLS = {"actual": "circle", "estimate": "circle-open", "target": "diamond-open"}


def fig_compute(df: pd.DataFrame) -> go.Figure:
    """Computing capacity (PFLOPS) by region over its period end, current facts only: one
    line per region through its actuals (filled), estimates (open) and targets (diamonds)."""
    fig = go.Figure()
    if df.empty:
        return _layout(_empty(fig, "no computing-capacity facts"), "Compute capacity", 250)
    for region, part in df.sort_values(["period_end", "status"]).groupby("region", sort=True):
        fig.add_trace(go.Scatter(
            name=str(region), x=part["period_end"].tolist(), y=part["value"].tolist(),
            mode="lines+markers",
            marker={"size": 11, "symbol": [STATUS_SYMBOLS.get(s, "x") for s in part["status"]],
                    "line": {"width": 2}},
            customdata=part["status"].tolist(),
            hovertemplate=("%{x|%Y-%m-%d}: %{y:,} PFLOPS (%{customdata})"
                           "<extra>%{fullData.name}</extra>")))
    fig.update_yaxes(title="PFLOPS (log scale)", type="log")
    fig.update_xaxes(title="period end")
    return _layout(fig, "Compute capacity by city and zone (fct_compute, current; "
                        "● actual ○ estimate ◇ target)", 480)


def fig_facts_by_source(df: pd.DataFrame) -> go.Figure:
    """Facts of the accepted pages per source host and month the page was published."""
    fig = go.Figure()
    if df.empty:
        return _layout(_empty(fig, "no accepted pages"), "Facts per source and month", 250)
    for source, part in df.groupby("source", sort=True):
        fig.add_trace(go.Bar(name=str(source), x=part["month"].tolist(),
                             y=part["facts"].tolist(), customdata=part["pages"].tolist(),
                             hovertemplate="%{x}: %{y} facts from %{customdata} page(s)"
                                           "<extra>%{fullData.name}</extra>"))
    fig.update_layout(barmode="stack")
    fig.update_xaxes(type="category", categoryorder="category ascending",
                     title="month published")
    fig.update_yaxes(title="facts")
    return _layout(fig, "Facts per source and month (dim_document)", 420)


def fig_gate(df: pd.DataFrame) -> go.Figure:
    """Every quality-gate run: its verdict and its warning, blocking and quarantined
    counts."""
    fig = go.Figure()
    if df.empty:
        return _layout(_empty(fig, "no quality-gate runs recorded in this warehouse yet "
                                   "(validation_runs is empty)"), "Quality gate history", 250)
    x = (df["validated_at"].dt.strftime("%Y-%m-%d %H:%M:%S") + " · " + df["run_id"]).tolist()
    counts = (("warnings", "warning_count", "#f9a825"), ("blocking", "blocking_count", "#c62828"),
              ("quarantined", "quarantined", "#6a1b9a"))
    for name, col, colour in counts:
        fig.add_trace(go.Bar(name=name, x=x, y=df[col].tolist(), marker_color=colour))
    top = max(1, int(df[[c for _, c, _ in counts]].to_numpy().max()))
    fig.add_trace(go.Scatter(  # the verdict above each run's bars
        name="verdict", x=x, y=[top * 1.25] * len(df), mode="markers+text",
        text=df["verdict"].tolist(), textposition="middle right",
        marker={"size": 14, "symbol": "square",
                "color": [VERDICT_COLOURS.get(v, "#607d8b") for v in df["verdict"]]}))
    fig.update_layout(barmode="group")
    fig.update_xaxes(type="category", title="gate run")
    fig.update_yaxes(title="count", rangemode="tozero", tickformat=",d",
                     range=[0, top * 1.45])
    return _layout(fig, "Quality gate history (validation_runs, quarantine)", 420)


FIGURES = (("targets", fig_targets), ("compute", fig_compute),
           ("facts_by_source", fig_facts_by_source), ("gate", fig_gate))


def build_figures(frames: dict[str, pd.DataFrame]) -> list[go.Figure]:
    return [make(frames[name]) for name, make in FIGURES]


# --------------------------------------------------------------------------- HTML


def render_html(figures: list[go.Figure], warehouse: Path) -> str:
    """One page: plotly.js once, inline, then each figure's div and data."""
    made = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    charts = "\n".join(
        '<section class="chart">'
        + fig.to_html(full_html=False, include_plotlyjs=False, config=PLOTLY_CONFIG,
                      div_id=f"chart-{name}")
        + "</section>"
        for (name, _), fig in zip(FIGURES, figures, strict=True))
    return (
        "<!DOCTYPE html>\n<html lang=\"zh-Hans\"><head><meta charset=\"utf-8\">"
        "<title>zonewatch report</title>"
        f"<style>{STYLE}</style>"
        f"<script type=\"text/javascript\">{get_plotlyjs()}</script></head><body>"
        "<h1>zonewatch report</h1>"
        f"<p class=\"meta\">warehouse {html.escape(str(warehouse))} · written {made}</p>"
        "<p class=\"note\">Self-contained: data, scripts and styles are in this file; it "
        "opens with no network.</p>"
        f"{charts}</body></html>\n")


def write_report(warehouse: Path, out: Path) -> Report:
    """Read the warehouse, write the report to `out` (replaced whole), say where."""
    frames = load_frames(warehouse)
    figures = build_figures(frames)
    text = render_html(figures, warehouse)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(out)
    logger.info("report %s: %d charts", out, len(figures))
    return Report(path=out, bytes=out.stat().st_size, charts=len(figures))
