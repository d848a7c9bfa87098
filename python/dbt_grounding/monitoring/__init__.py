"""The monitoring report: the last N days of `fct_grounding_daily` (the package's monitoring mart, built by dbt from
the telemetry) as a terminal table and a static HTML page with inline SVG plots.

It reads the mart, not the telemetry files: the report then shows exactly what the SLA tests judged (one definition
of p95, of a deduplicated request, of each rate, in SQL), on every engine the package builds on, and whatever sink
wrote the events (files or a table)."""

from __future__ import annotations

from dbt_grounding.monitoring.daily import DAILY_MART, DayMetrics, MonitoringWindow, read_window, window_of
from dbt_grounding.monitoring.html_page import render_html
from dbt_grounding.monitoring.text_table import render_text

__all__ = ["DAILY_MART", "DayMetrics", "MonitoringWindow", "read_window", "render_html", "render_text", "window_of"]
