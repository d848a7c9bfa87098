"""The report's rendering on rows given by hand (the real builds are in test_report_command.py): the window's days,
gaps and totals, and plots that draw a mark per value and nothing for a day without one."""

from __future__ import annotations

import datetime
import re

from dbt_grounding.monitoring import render_html, render_text, window_of
from dbt_grounding.monitoring.svg import _nice_top

DAY = datetime.date(2026, 11, 30)


def row(day: datetime.date, requests: int, errors: int = 0, feedback: int = 0, thumbs_down: int = 0) -> dict:
    return {"request_date": day, "requests": requests, "served": requests - errors, "errors": errors,
            "feedback": feedback, "thumbs_down": thumbs_down, "latency_p50_ms": 100.0, "latency_p95_ms": 450.5,
            "tokens_served": 250 * requests, "tokens_per_request": 250.0, "estimated_cost_usd": 0.00075 * requests,
            "estimated_cost_per_request_usd": 0.00075, "refused_stale": None}


def test_the_window_ends_at_the_latest_day_and_fills_the_days_without_telemetry() -> None:
    window = window_of([row(DAY, 10), row(DAY - datetime.timedelta(days=3), 30, errors=3)], days=5)
    assert window.until == DAY
    assert [day.requests for day in window.days] == [0, 30, 0, 0, 10]
    assert window.days[0].request_date == DAY - datetime.timedelta(days=4)
    assert window.days[1].refused_stale == 0  # a NULL count is zero


def test_until_can_show_days_before_the_telemetry() -> None:
    window = window_of([row(DAY, 10)], days=3, until=DAY - datetime.timedelta(days=5))
    assert not window.has_telemetry
    assert render_text(window).startswith("No telemetry")


def test_the_table_totals_shares_of_the_summed_counts() -> None:
    text = render_text(window_of([row(DAY, 10, feedback=4, thumbs_down=1),
                                  row(DAY - datetime.timedelta(days=1), 30, errors=3)], days=2))
    total = text.splitlines()[-1].split()
    assert total[:3] == ["2", "days", "40"]
    assert "7.5%" in total  # 3 errors of 40 requests, not the mean of 0% and 10%
    assert total[-2:] == ["4", "25.0%"]


def test_plots_draw_a_mark_per_value_and_none_for_an_empty_day() -> None:
    page = render_html(window_of([row(DAY, 10, errors=2, feedback=4, thumbs_down=1)], days=3))
    marks = dict(re.findall(r'id="(\w+)" data-marks="(\d+)"', page))
    # one day with requests: 2 latency points, served and errors bars, a cost point, up and down bars
    assert marks == {"latency": "2", "outcomes": "2", "cost": "1", "feedback": "2"}
    assert page.count('class="mark"') == 7


def test_axis_tops_are_round_numbers_at_or_above_the_data() -> None:
    assert [_nice_top(value) for value in (0, 0.0007, 3, 450.5, 501, 1000)] == [1.0, 0.001, 5, 500, 1000, 1000]
