"""The monitoring window as one static HTML page: four inline SVG plots over the days (latency, outcomes, cost,
feedback) and the daily table. No external resource (no CDN, no font, no script from elsewhere): it opens offline.

The page's only script counts, in each chart, the marks the browser laid out (a non-empty box) into
`data-rendered-marks`, beside the `data-marks` the chart was drawn with: a headless browser reads both back."""

from __future__ import annotations

from html import escape

from dbt_grounding.monitoring.daily import MonitoringWindow
from dbt_grounding.monitoring.svg import Series, line_chart, stacked_bars
from dbt_grounding.monitoring.text_table import HEADERS, NO_TELEMETRY, day_cells, sla_summary, total_cells

COLORS = {"served": "#2e7d32", "abstained": "#f9a825", "refused": "#ef6c00", "denied": "#6a1b9a",
          "errors": "#c62828", "p50": "#1565c0", "p95": "#c62828", "cost": "#00695c", "up": "#2e7d32",
          "down": "#c62828"}

STYLE = """body{font-family:system-ui,sans-serif;margin:24px;color:#222}
h1{font-size:20px}.charts{display:flex;flex-wrap:wrap;gap:16px}
svg.chart{background:#fafafa;border:1px solid #ddd}.title{font-size:13px;font-weight:600}
.tick{font-size:10px;fill:#555}.grid{stroke:#ddd}
table{border-collapse:collapse;margin-top:16px;font-size:12px}td,th{padding:3px 8px;border-bottom:1px solid #eee}
td{text-align:right}td:first-child{text-align:left}"""

SELF_CHECK = """document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("svg.chart").forEach(function (chart) {
    var laidOut = 0;
    chart.querySelectorAll(".mark").forEach(function (mark) {
      var box = mark.getBBox();
      if (box.width > 0 && box.height > 0) { laidOut += 1; }
    });
    chart.setAttribute("data-rendered-marks", String(laidOut));
  });
  document.body.setAttribute("data-charts-checked", String(document.querySelectorAll("svg.chart").length));
});"""


def render_html(window: MonitoringWindow, *, project_name: str = "") -> str:
    """The page (deterministic: the same window gives the same bytes; no clock in it)."""
    heading = f"dbt-grounding monitoring{': ' + project_name if project_name else ''}"
    if not window.has_telemetry:
        body = f"<p>{escape(NO_TELEMETRY)}</p>"
    else:
        body = _charts(window) + _table(window)
    summary = sla_summary(window)
    if summary:
        body += f"<p>SLA tests in the last dbt build: {escape(summary)}</p>"
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{escape(heading)}</title><style>{STYLE}</style>"
            f"<script>{SELF_CHECK}</script></head>\n<body><h1>{escape(heading)}</h1>\n{body}\n</body></html>\n")


def _charts(window: MonitoringWindow) -> str:
    days = window.days
    labels = [day.request_date.strftime("%m-%d") for day in days]
    latency = line_chart("latency", "Latency (p50, p95)", labels, [
        Series("p50", [day.latency_p50_ms for day in days], COLORS["p50"]),
        Series("p95", [day.latency_p95_ms for day in days], COLORS["p95"]),
    ], "ms")
    outcomes = stacked_bars("outcomes", "Requests by outcome", labels, [
        Series("served", [day.served for day in days], COLORS["served"]),
        Series("abstained", [day.abstained for day in days], COLORS["abstained"]),
        Series("refused", [day.refused_stale + day.refused_drift + day.refused_tests for day in days],
               COLORS["refused"]),
        Series("denied", [day.denied for day in days], COLORS["denied"]),
        Series("errors", [day.errors for day in days], COLORS["errors"]),
    ], "requests")
    cost = line_chart("cost", "Estimated cost per request", labels, [
        Series("cost/request", [day.estimated_cost_per_request_usd for day in days], COLORS["cost"]),
    ], "USD")
    feedback = stacked_bars("feedback", "Feedback", labels, [
        Series("thumbs up", [day.feedback - day.thumbs_down for day in days], COLORS["up"]),
        Series("thumbs down", [day.thumbs_down for day in days], COLORS["down"]),
    ], "ratings")
    return f'<div class="charts">{latency}{outcomes}{cost}{feedback}</div>\n'


def _table(window: MonitoringWindow) -> str:
    head = "".join(f"<th>{escape(header)}</th>" for header in HEADERS)
    rows = [day_cells(day) for day in window.days] + [total_cells(window)]
    body = "".join("<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>\n"
