"""The monitoring window as a fixed-width terminal table: one line per day, oldest first, then the window's totals."""

from __future__ import annotations

from dbt_grounding.monitoring.daily import SLA_TEST_PREFIX, DayMetrics, MonitoringWindow

NO_TELEMETRY = ("No telemetry in fct_grounding_daily yet: serve some requests (the toolkit logs them), then "
                "`dbt build --select +fct_grounding_daily` and run the report again.")

HEADERS = ("day", "requests", "p50 ms", "p95 ms", "served", "abstained", "refused", "denied", "errors",
           "tokens/req", "cost/req $", "feedback", "down")


def render_text(window: MonitoringWindow) -> str:
    """The table; rates are percentages of the day's requests (down: of the day's feedback); '-' where a day has
    nothing to measure."""
    if not window.has_telemetry:
        return "\n".join([NO_TELEMETRY, *_sla_lines(window)])
    cells = [list(HEADERS)] + [day_cells(day) for day in window.days] + [total_cells(window)]
    widths = [max(len(line[i]) for line in cells) for i in range(len(HEADERS))]
    lines = ["  ".join(value.ljust(widths[0]) if i == 0 else value.rjust(widths[i])
                       for i, value in enumerate(line)).rstrip() for line in cells]
    rule = "  ".join("-" * width for width in widths)
    lines.insert(1, rule)
    lines.insert(len(lines) - 1, rule)
    first, last = window.days[0].request_date, window.days[-1].request_date
    title = f"grounding requests, {first.isoformat()} to {last.isoformat()} (UTC days, from fct_grounding_daily)"
    return "\n".join([title, "", *lines, *_sla_lines(window)])


def sla_summary(window: MonitoringWindow) -> str:
    """The SLA tests' outcomes in the last dbt build, one phrase ("" when the build ran none)."""
    return ", ".join(f"{name.removeprefix(SLA_TEST_PREFIX)} {status}" for name, status in window.sla)


def _sla_lines(window: MonitoringWindow) -> list[str]:
    summary = sla_summary(window)
    return ["", f"SLA tests in the last dbt build: {summary}"] if summary else []


def day_cells(day: DayMetrics) -> list[str]:
    """One day's cells, in HEADERS' order (the HTML table shows the same)."""
    return [
        day.request_date.isoformat(), str(day.requests), _number(day.latency_p50_ms, 1),
        _number(day.latency_p95_ms, 1), _share(day.served, day.requests), _share(day.abstained, day.requests),
        _share(day.refused_stale + day.refused_drift + day.refused_tests, day.requests),
        _share(day.denied, day.requests), _share(day.errors, day.requests), _number(day.tokens_per_request, 0),
        _number(day.estimated_cost_per_request_usd, 5), str(day.feedback), _share(day.thumbs_down, day.feedback),
    ]


def total_cells(window: MonitoringWindow) -> list[str]:
    """The window's totals: counts summed, shares of the summed counts (no percentile: those do not add up)."""
    days = window.days
    requests = sum(day.requests for day in days)
    feedback = sum(day.feedback for day in days)
    tokens = sum(day.tokens_served for day in days)
    cost = sum(day.estimated_cost_usd or 0.0 for day in days)
    refused = sum(day.refused_stale + day.refused_drift + day.refused_tests for day in days)
    return [
        f"{len(days)} days", str(requests), "", "",
        _share(sum(day.served for day in days), requests), _share(sum(day.abstained for day in days), requests),
        _share(refused, requests), _share(sum(day.denied for day in days), requests),
        _share(sum(day.errors for day in days), requests), _number(tokens / requests if requests else None, 0),
        _number(cost / requests if requests else None, 5), str(feedback),
        _share(sum(day.thumbs_down for day in days), feedback),
    ]


def _share(part: int, whole: int) -> str:
    return f"{100.0 * part / whole:.1f}%" if whole else "-"


def _number(value: float | None, decimals: int) -> str:
    return "-" if value is None else f"{value:,.{decimals}f}"
