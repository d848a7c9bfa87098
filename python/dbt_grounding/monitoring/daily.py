"""The days of the monitoring mart `fct_grounding_daily` a report shows, read through the warehouse layer."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import MISSING, dataclass, fields
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from dbt_grounding.errors import ConfigurationError, UnknownNodeError
from dbt_grounding.grounding.drift import relation_of

if TYPE_CHECKING:
    from dbt_grounding.project import GroundingProject

DAILY_MART = "fct_grounding_daily"
SLA_TEST_PREFIX = "grounding_sla_"
MAX_DAYS = 366


@dataclass(frozen=True)
class DayMetrics:
    """One UTC day of the mart; a day without telemetry has zero counts and None for every measure."""

    request_date: datetime.date
    requests: int = 0
    served: int = 0
    abstained: int = 0
    refused_stale: int = 0
    refused_drift: int = 0
    refused_tests: int = 0
    denied: int = 0
    errors: int = 0
    feedback: int = 0
    thumbs_down: int = 0
    latency_p50_ms: float | None = None
    latency_p95_ms: float | None = None
    latency_max_ms: float | None = None
    abstention_rate: float | None = None
    refusal_rate: float | None = None
    denied_rate: float | None = None
    error_rate: float | None = None
    tokens_served: int = 0
    tokens_per_request: float | None = None
    estimated_cost_usd: float | None = None
    estimated_cost_per_request_usd: float | None = None
    thumbs_down_rate: float | None = None

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> DayMetrics:
        values: dict[str, Any] = {}
        for spec in fields(cls):
            value = row.get(spec.name)
            if isinstance(value, Decimal):
                value = float(value)
            if value is None and spec.default not in (None, MISSING):
                value = spec.default  # a count the mart left NULL (an engine's SUM over no rows) is zero
            values[spec.name] = value
        return cls(**values)


COLUMNS: tuple[str, ...] = tuple(spec.name for spec in fields(DayMetrics))


@dataclass(frozen=True)
class MonitoringWindow:
    """`days` consecutive UTC days ending at `until`, oldest first; days the mart has no row for are empty."""

    until: datetime.date | None
    days: tuple[DayMetrics, ...]
    # (test name, status in the last build) of the SLA tests on the mart, sorted by name
    sla: tuple[tuple[str, str], ...] = ()

    @property
    def has_telemetry(self) -> bool:
        return any(day.requests or day.feedback for day in self.days)


def window_of(rows: Sequence[Mapping[str, Any]], days: int, until: datetime.date | None = None,
              sla: Sequence[tuple[str, str]] = ()) -> MonitoringWindow:
    """The window of `days` days ending at `until` (default: the latest day of `rows`), from the mart's rows.

    Args:
        rows: rows of fct_grounding_daily as {column: value}.
        days: how many days, >= 1.
        until: the last day shown; None: the latest day with telemetry (no rows: an empty window).
        sla: (SLA test name, status) pairs.
    """
    by_day = {_as_date(row["request_date"]): DayMetrics.from_row(row) for row in rows}
    last = until or (max(by_day) if by_day else None)
    if last is None:
        return MonitoringWindow(until=None, days=(), sla=tuple(sorted(sla)))
    first = last - datetime.timedelta(days=days - 1)
    shown = tuple(by_day.get(day, DayMetrics(request_date=day))
                  for day in (first + datetime.timedelta(days=offset) for offset in range(days)))
    return MonitoringWindow(until=last, days=shown, sla=tuple(sorted(sla)))


def read_window(project: GroundingProject, days: int, until: datetime.date | None = None) -> MonitoringWindow:
    """The last `days` days of fct_grounding_daily up to `until` (default: its latest day).

    Raises:
        ConfigurationError: the project has no fct_grounding_daily (the package is not installed), or `days` is
            out of range.
        MissingRelationError: the mart was never built.
        WarehouseError: the warehouse cannot be queried.
    """
    if not 1 <= days <= MAX_DAYS:
        raise ConfigurationError(f"a report covers 1 to {MAX_DAYS} days, not {days}", hint="pass --days 1..366")
    try:
        node = project.node(DAILY_MART)
    except UnknownNodeError:
        raise ConfigurationError(
            f"{DAILY_MART} is not in this project's manifest",
            hint="the monitoring marts ship with the dbt_grounding package (models/marts/monitoring): build the "
                 "package, or a project that installs it, with `dbt build`, then run the report again",
            node=DAILY_MART,
        ) from None
    relation = relation_of(node)
    sla = [(test.name, test.status) for test in project.tests(DAILY_MART)
           if test.on == node.unique_id and test.name.startswith(SLA_TEST_PREFIX)]
    warehouse = project.warehouse()
    with warehouse.session():
        last = until or _as_date(warehouse.max_value(relation, "request_date"))
        if last is None:
            return window_of([], days, None, sla)
        first = last - datetime.timedelta(days=days - 1)
        # ascending from `first`: the window's (at most `days`) rows come before any later one
        rows = warehouse.fetch_since(relation, COLUMNS, "request_date", first, limit=days)
    return window_of([row for row in rows if _as_date(row["request_date"]) <= last], days, last, sla)


def _as_date(value: Any) -> datetime.date | None:
    if value is None or (isinstance(value, datetime.date) and not isinstance(value, datetime.datetime)):
        return value
    if isinstance(value, datetime.datetime):
        return value.date()
    return datetime.date.fromisoformat(str(value)[:10])
