"""An independent oracle for the dbt-grounding marts, in plain Python (standard library only).

It recomputes, straight from the raw CSVs in ``seeds/raw/*.csv``, what the dbt models must produce: the accepted
rows of every raw table, the quarantined rows with their reason, and per customer the health status, total
contract value, ARR, MRR, churn-risk score and last login date. It implements the written contract,
``docs/raw_data_spec.md`` and ``docs/business_rules.md``, and shares no SQL with the models: where the two
disagree, one of them misreads the spec.

Conventions (each says which part of the spec it implements):

- A raw value is a ``str``; an empty CSV field is ``None`` (raw_data_spec.md: "An empty CSV field is NULL").
- Money is ``Decimal`` rounded to 2 places, scores to 6 places, with ``ROUND_HALF_UP``. Python's ROUND_HALF_UP
  rounds ties *away from zero* (-0.005 -> -0.01), which is what DuckDB does when it casts to a DECIMAL or calls
  ``round()``, so the two agree on ties of either sign.
- Timestamps are naive ``datetime`` values meaning UTC; a timestamp's date is its UTC calendar date.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, Iterable

# ---------------------------------------------------------------------------------------------------------------
# The contract, as data
# ---------------------------------------------------------------------------------------------------------------

#: raw table (seed file name) -> (dbt source name, source table). raw_data_spec.md "Tables".
SOURCES: dict[str, tuple[str, str]] = {
    "crm_customers": ("crm", "customers"),
    "billing_subscriptions": ("billing", "subscriptions"),
    "billing_orders": ("billing", "orders"),
    "billing_payments": ("billing", "payments"),
    "product_logins": ("product", "logins"),
    "support_tickets": ("support", "tickets"),
    "ml_churn_scores": ("ml", "churn_scores"),
}

#: Required columns per table. business_rules.md "Quarantine", "Required columns".
REQUIRED: dict[str, tuple[str, ...]] = {
    "crm_customers": ("customer_id", "customer_name", "status", "created_at"),
    "billing_subscriptions": (
        "subscription_id", "customer_id", "plan_code", "billing_period", "period_amount", "term_months",
        "start_date", "status",
    ),
    "billing_orders": ("order_id", "customer_id", "ordered_at", "order_total", "status"),
    "billing_payments": ("payment_id", "order_id", "paid_at", "amount", "status"),
    "product_logins": ("login_id", "customer_id", "logged_in_at"),
    "support_tickets": ("ticket_id", "customer_id", "opened_at", "priority", "status", "subject"),
    "ml_churn_scores": ("customer_id", "churn_risk_score", "scored_at"),
}

#: Natural key per table. business_rules.md "Natural keys".
NATURAL_KEY: dict[str, tuple[str, ...]] = {
    "crm_customers": ("customer_id",),
    "billing_subscriptions": ("subscription_id",),
    "billing_orders": ("order_id",),
    "billing_payments": ("payment_id",),
    "product_logins": ("login_id",),
    "support_tickets": ("ticket_id",),
    "ml_churn_scores": ("customer_id", "scored_at"),
}

#: Typed columns per table, in column order: column -> kind. Kinds: "integer" (ids, term_months),
#: "money" (2 places), "score" (6 places, at most 3 integer digits), "timestamp" (the date formats).
#: business_rules.md "Cleaning (staging)": Ids, Numbers, Dates; raw_data_spec.md column notes.
TYPED: dict[str, dict[str, str]] = {
    "crm_customers": {"customer_id": "integer", "created_at": "timestamp"},
    "billing_subscriptions": {
        "customer_id": "integer", "period_amount": "money", "term_months": "integer", "start_date": "timestamp",
    },
    "billing_orders": {"customer_id": "integer", "ordered_at": "timestamp", "order_total": "money"},
    "billing_payments": {"paid_at": "timestamp", "amount": "money"},
    "product_logins": {"customer_id": "integer", "logged_in_at": "timestamp"},
    "support_tickets": {"customer_id": "integer", "opened_at": "timestamp", "closed_at": "timestamp"},
    "ml_churn_scores": {"customer_id": "integer", "churn_risk_score": "score", "scored_at": "timestamp"},
}

#: Category columns per table -> accepted values after normalisation (None = the plan_tiers seed).
#: Rule 4: plan_code, billing_period and every table's status; the other enumerated columns are only normalised.
CATEGORIES: dict[str, dict[str, frozenset[str] | None]] = {
    "crm_customers": {"status": frozenset({"active", "churned", "prospect"})},
    "billing_subscriptions": {
        "plan_code": None,
        "billing_period": frozenset({"monthly", "annual"}),
        "status": frozenset({"active", "cancelled", "trial"}),
    },
    "billing_orders": {"status": frozenset({"placed", "completed", "cancelled", "returned"})},
    "billing_payments": {"status": frozenset({"success", "failed", "refunded"})},
    "product_logins": {},
    "support_tickets": {"status": frozenset({"open", "pending", "solved", "closed"})},
    "ml_churn_scores": {},
}

#: Category columns that are lower-cased (business_rules.md "Categories"; the enumerated columns of the spec).
LOWERCASE_COLUMNS: dict[str, tuple[str, ...]] = {
    "crm_customers": ("industry", "segment", "country_code", "status"),
    "billing_subscriptions": ("plan_code", "billing_period", "status"),
    "billing_orders": ("status",),
    "billing_payments": ("payment_method", "status"),
    "product_logins": ("device",),
    "support_tickets": ("priority", "status"),
    "ml_churn_scores": (),
}

#: Synonyms applied after lower-casing. business_rules.md "Categories".
SYNONYMS: dict[tuple[str, str], dict[str, str]] = {
    ("billing_subscriptions", "billing_period"): {"yearly": "annual"},
    ("billing_subscriptions", "status"): {"canceled": "cancelled"},
    ("billing_payments", "status"): {"succeeded": "success"},
}

#: Foreign keys: table -> (column, referenced table). business_rules.md rule 5.
FOREIGN_KEY: dict[str, tuple[str, str]] = {
    "billing_subscriptions": ("customer_id", "crm_customers"),
    "billing_orders": ("customer_id", "crm_customers"),
    "billing_payments": ("order_id", "billing_orders"),
    "product_logins": ("customer_id", "crm_customers"),
    "support_tickets": ("customer_id", "crm_customers"),
    "ml_churn_scores": ("customer_id", "crm_customers"),
}

#: The order raw tables must be processed in so a foreign key's target is decided first.
TABLE_ORDER: tuple[str, ...] = (
    "crm_customers", "billing_subscriptions", "billing_orders", "billing_payments", "product_logins",
    "support_tickets", "ml_churn_scores",
)

#: Business-rule defaults. business_rules.md "Business rules" (vars in parentheses there).
CHURN_RISK_THRESHOLD = Decimal("0.8")
INACTIVITY_DAYS = 30
SUPPORT_LOOKBACK_DAYS = 90  # business_rules.md "Support summary": tickets opened in the 90 days up to A

CENT = Decimal("0.01")
MICRO = Decimal("0.000001")

# ---------------------------------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------------------------------

Raw = dict[str, list[dict[str, str | None]]]


def load_raw(seed_dir: str | Path) -> Raw:
    """Read the seven raw CSVs of ``seed_dir`` (raw_data_spec.md "Tables"); an empty field becomes ``None``."""
    seed_dir = Path(seed_dir)
    raw: Raw = {}
    for table in TABLE_ORDER:
        with open(seed_dir / f"{table}.csv", newline="", encoding="utf-8") as handle:
            raw[table] = [
                {column: (value if value != "" else None) for column, value in row.items()}
                for row in csv.DictReader(handle)
            ]
    return raw


def load_plan_codes(lookup_dir: str | Path) -> frozenset[str]:
    """The accepted plan codes: the ``plan_code`` column of the ``plan_tiers`` seed (business_rules.md rule 4)."""
    with open(Path(lookup_dir) / "plan_tiers.csv", newline="", encoding="utf-8") as handle:
        return frozenset(clean_text(row["plan_code"]).lower() for row in csv.DictReader(handle))


# ---------------------------------------------------------------------------------------------------------------
# Cleaning and typing
# ---------------------------------------------------------------------------------------------------------------

_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\ufeff]")
_SPACE_LIKE = re.compile("[\u00a0\t\n\r]")
_SPACE_RUN = re.compile(" {2,}")


def clean_text(value: str | None) -> str | None:
    """Text cleaning (business_rules.md "Text"): drop zero-width characters (U+200B/C/D, U+FEFF), turn NBSP, tabs
    and newlines (CR counted as a newline) into spaces, collapse runs of spaces, trim; empty after that = NULL."""
    if value is None:
        return None
    value = _ZERO_WIDTH.sub("", value)
    value = _SPACE_LIKE.sub(" ", value)
    value = _SPACE_RUN.sub(" ", value).strip(" ")
    return value or None


def normalize_category(table: str, column: str, value: str | None) -> str | None:
    """Category normalisation (business_rules.md "Categories"): cleaned, lower-cased; in ``segment`` spaces and
    underscores become ``-``; synonyms (yearly, canceled, succeeded) mapped; currency upper-cased instead."""
    value = clean_text(value)
    if value is None:
        return None
    if table == "billing_orders" and column == "currency":
        return value.upper()
    value = value.lower()
    if column == "segment":
        value = value.replace(" ", "-").replace("_", "-")
    return SYNONYMS.get((table, column), {}).get(value, value)


_INTEGER = re.compile(r"^-?[0-9]{1,18}$")
_NUMBER = re.compile(r"^-?([0-9]{1,15}|[0-9]{1,3}(,[0-9]{3}){1,4})([.][0-9]+)?$")
_SCORE = re.compile(r"^-?[0-9]{1,2}([.][0-9]+)?$")
_NUMBER_NOISE = re.compile(r"[$ ]")


class Invalid(ValueError):
    """A value that does not parse; ``reason`` is the quarantine reason (invalid_number / invalid_date)."""

    def __init__(self, reason: str, column: str, value: str):
        super().__init__(f"{column}={value!r}")
        self.reason = reason


def parse_integer(text: str) -> int | None:
    """Ids and term_months (business_rules.md "Ids", "Integers"): cleaned text matching ``^-?[0-9]{1,18}$``."""
    return int(text) if _INTEGER.match(text) else None


def parse_decimal(text: str, places: Decimal, pattern: re.Pattern[str]) -> Decimal | None:
    """Numbers (business_rules.md "Numbers"): strip ``$`` and spaces, match the pattern (commas only between
    thousands), drop the commas, round half away from zero to ``places``."""
    stripped = _NUMBER_NOISE.sub("", text)
    if not pattern.match(stripped):
        return None
    return Decimal(stripped.replace(",", "")).quantize(places, rounding=ROUND_HALF_UP)


_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_ISO_TIMESTAMP = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})Z?$")
_US_SLASH = re.compile(r"^(\d{2})/(\d{2})/(\d{4})$")
_EU_DOT = re.compile(r"^(\d{2})\.(\d{2})\.(\d{4})$")
_EPOCH = re.compile(r"^\d{9,10}$")
_EPOCH_START = datetime(1970, 1, 1)


def parse_timestamp(text: str) -> datetime | None:
    """Dates (raw_data_spec.md "Date formats", business_rules.md "Dates"): ISO date, ISO timestamp (``T`` or a
    space, optional ``Z``, UTC), US ``MM/DD/YYYY``, EU ``DD.MM.YYYY`` (those three at midnight UTC), epoch seconds (9-10 digits).
    ``None`` when no format matches or the date is not a real calendar date/time."""
    try:
        if m := _ISO_DATE.match(text):
            return datetime(int(m[1]), int(m[2]), int(m[3]))
        if m := _ISO_TIMESTAMP.match(text):
            return datetime(int(m[1]), int(m[2]), int(m[3]), int(m[4]), int(m[5]), int(m[6]))
        if m := _US_SLASH.match(text):
            return datetime(int(m[3]), int(m[1]), int(m[2]))
        if m := _EU_DOT.match(text):
            return datetime(int(m[3]), int(m[2]), int(m[1]))
        if _EPOCH.match(text):
            return _EPOCH_START + timedelta(seconds=int(text))
    except ValueError:  # datetime() rejects a month 13, a 31 February, an hour 25 ...
        return None
    return None


def parse_loaded_at(text: str) -> datetime:
    """The loader's ``_loaded_at``: ISO-8601 UTC ``YYYY-MM-DDTHH:MM:SSZ`` (raw_data_spec.md loader columns)."""
    parsed = parse_timestamp(text.strip())
    if parsed is None:
        raise ValueError(f"unparseable _loaded_at {text!r}")
    return parsed


def type_value(kind: str, column: str, text: str) -> Any:
    """Type one cleaned, non-NULL value of a typed column, or raise ``Invalid`` (business_rules.md rule 2)."""
    if kind == "integer":
        value = parse_integer(text)
    elif kind == "money":
        value = parse_decimal(text, CENT, _NUMBER)
    elif kind == "score":
        value = parse_decimal(text, MICRO, _SCORE)
    elif kind == "timestamp":
        value = parse_timestamp(text)
    else:  # pragma: no cover - a typo in TYPED
        raise KeyError(kind)
    if value is None:
        raise Invalid("invalid_date" if kind == "timestamp" else "invalid_number", column, text)
    return value


# ---------------------------------------------------------------------------------------------------------------
# Quarantine
# ---------------------------------------------------------------------------------------------------------------


@dataclass
class Row:
    """One raw row after cleaning: ``values`` holds cleaned text, normalised categories and typed values."""

    table: str
    record_id: str
    loaded_at: datetime
    values: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, column: str) -> Any:
        return self.values[column]

    def get(self, column: str, default: Any = None) -> Any:
        return self.values.get(column, default)


Rejection = tuple[str, str, str]  # (table, record_id, reason)


def clean_row(table: str, raw_row: dict[str, str | None]) -> dict[str, str | None]:
    """Clean every column of a raw row as text (business_rules.md "Text"), categories normalised ("Categories")."""
    cleaned: dict[str, str | None] = {}
    for column, value in raw_row.items():
        if column.startswith("_"):
            continue
        if column in LOWERCASE_COLUMNS[table] or (table, column) == ("billing_orders", "currency"):
            cleaned[column] = normalize_category(table, column, value)
        else:
            cleaned[column] = clean_text(value)
    return cleaned


def missing_required(table: str, cleaned: dict[str, str | None]) -> str | None:
    """Rule 1, ``missing_required_field``: the first required column that is NULL after cleaning."""
    return next((column for column in REQUIRED[table] if cleaned.get(column) is None), None)


def type_row(table: str, cleaned: dict[str, str | None]) -> dict[str, Any]:
    """Rule 2, ``invalid_number`` / ``invalid_date``: type every non-NULL typed column (required or optional), in
    column order; the first that does not parse raises ``Invalid``."""
    typed = dict(cleaned)
    for column, kind in TYPED[table].items():
        if cleaned.get(column) is not None:
            typed[column] = type_value(kind, column, cleaned[column])
    return typed


def out_of_range(table: str, typed: dict[str, Any]) -> str | None:
    """Rule 3, ``out_of_range``: churn_risk_score outside [0, 1]; period_amount, order_total or amount < 0;
    term_months <= 0 (checked on the typed, i.e. rounded, values)."""
    score = typed.get("churn_risk_score")
    if table == "ml_churn_scores" and score is not None and not (0 <= score <= 1):
        return "churn_risk_score"
    for column in ("period_amount", "order_total", "amount"):
        if column in TYPED[table] and typed.get(column) is not None and typed[column] < 0:
            return column
    if table == "billing_subscriptions" and typed.get("term_months") is not None and typed["term_months"] <= 0:
        return "term_months"
    return None


def unknown_category(table: str, typed: dict[str, Any], plan_codes: frozenset[str]) -> str | None:
    """Rule 4, ``unknown_category``: a non-NULL category outside its accepted values (plan_code: the plan_tiers
    seed; status: the values of raw_data_spec.md)."""
    for column, accepted in CATEGORIES[table].items():
        value = typed.get(column)
        if value is not None and value not in (plan_codes if accepted is None else accepted):
            return column
    return None


def natural_key(table: str, row: Row) -> tuple[Any, ...]:
    """The natural key (business_rules.md "Natural keys"), on typed values: ``(customer_id, scored_at)`` for
    churn scores compares the parsed timestamps, so the same instant in two formats is the same key."""
    return tuple(row[column] for column in NATURAL_KEY[table])


def screen_table(
    table: str,
    raw_rows: Iterable[dict[str, str | None]],
    plan_codes: frozenset[str],
    accepted_parents: dict[str, set[Any]],
) -> tuple[list[Row], list[Rejection]]:
    """Apply rules 1-6 to one raw table in their precedence order; each raw row ends up accepted or rejected with
    exactly one reason. ``accepted_parents`` maps a referenced table to its accepted keys (rule 5)."""
    survivors: list[Row] = []
    rejected: list[Rejection] = []
    for raw_row in raw_rows:
        record_id = raw_row["_record_id"]
        cleaned = clean_row(table, raw_row)
        if missing_required(table, cleaned):
            rejected.append((table, record_id, "missing_required_field"))
            continue
        try:
            typed = type_row(table, cleaned)
        except Invalid as invalid:
            rejected.append((table, record_id, invalid.reason))
            continue
        if out_of_range(table, typed):
            rejected.append((table, record_id, "out_of_range"))
            continue
        if unknown_category(table, typed, plan_codes):
            rejected.append((table, record_id, "unknown_category"))
            continue
        if table in FOREIGN_KEY:
            column, parent = FOREIGN_KEY[table]
            if typed[column] not in accepted_parents[parent]:
                rejected.append((table, record_id, "orphan_foreign_key"))
                continue
        survivors.append(Row(table, record_id, parse_loaded_at(raw_row["_loaded_at"]), typed))
    accepted, duplicates = deduplicate(table, survivors)
    rejected.extend((table, row.record_id, "duplicate_record") for row in duplicates)
    return accepted, rejected


def deduplicate(table: str, rows: list[Row]) -> tuple[list[Row], list[Row]]:
    """Rule 6, ``duplicate_record``: per natural key keep the row with the latest ``_loaded_at`` (ties: the larger
    ``_record_id``); the others are duplicates."""
    winners: dict[tuple[Any, ...], Row] = {}
    for row in rows:
        key = natural_key(table, row)
        current = winners.get(key)
        if current is None or (row.loaded_at, row.record_id) > (current.loaded_at, current.record_id):
            winners[key] = row
    kept = {id(row) for row in winners.values()}
    return [row for row in rows if id(row) in kept], [row for row in rows if id(row) not in kept]


def accepted_and_quarantined(
    raw: Raw, plan_codes: frozenset[str] | None = None
) -> tuple[dict[str, list[Row]], list[Rejection]]:
    """Every raw table split into accepted rows and ``(table, record_id, reason)`` rejections (business_rules.md
    "Quarantine"). ``plan_codes`` defaults to the plan_tiers seed of this repository."""
    if plan_codes is None:
        plan_codes = load_plan_codes(Path(__file__).resolve().parents[2] / "seeds" / "lookups")
    accepted: dict[str, list[Row]] = {}
    rejected: list[Rejection] = []
    parents: dict[str, set[Any]] = {}
    for table in TABLE_ORDER:
        accepted[table], table_rejected = screen_table(table, raw[table], plan_codes, parents)
        rejected.extend(table_rejected)
        parents[table] = {row[NATURAL_KEY[table][0]] for row in accepted[table]}
    return accepted, rejected


# ---------------------------------------------------------------------------------------------------------------
# Business rules
# ---------------------------------------------------------------------------------------------------------------


def counts_at(moment: datetime, as_of: date) -> bool:
    """"Only events on or before A count (a timestamp counts when its date is <= A)"."""
    return moment.date() <= as_of


def add_months(day: date, months: int) -> date:
    """``day + months months``, clamped to the last day of a shorter month (Jan 31 + 1 month = Feb 28/29), as
    SQL date + interval arithmetic does."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    next_month = date(year + (month == 12), month % 12 + 1, 1)
    return date(year, month, min(day.day, (next_month - timedelta(days=1)).day))


def contract_value(subscription: Row) -> Decimal:
    """Contract value of a subscription: ``period_amount * term_months`` when monthly, ``period_amount *
    term_months / 12`` when annual, to six decimal places (exact for terms in whole years)."""
    amount, term = subscription["period_amount"], subscription["term_months"]
    if subscription["billing_period"] == "monthly":
        return amount * term
    return (amount * term / Decimal(12)).quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)


def annualized_price(subscription: Row) -> Decimal:
    """ARR of a subscription: ``period_amount * 12`` when monthly, ``period_amount`` when annual."""
    amount = subscription["period_amount"]
    return amount * 12 if subscription["billing_period"] == "monthly" else amount


def counts_for_tcv(subscription: Row, as_of: date) -> bool:
    """A subscription counts for total_contract_value when its status is not ``trial`` and start date <= A."""
    return subscription["status"] != "trial" and subscription["start_date"].date() <= as_of


def counts_for_arr(subscription: Row, as_of: date) -> bool:
    """A subscription counts for ARR when ``active`` and ``start date <= A < start date + term_months months``
    (on the start's UTC date)."""
    start = subscription["start_date"].date()
    return (
        subscription["status"] == "active"
        and start <= as_of < add_months(start, subscription["term_months"])
    )


def money(value: Decimal) -> Decimal:
    """Round to 2 places, half away from zero (a DuckDB cast to DECIMAL(18, 2))."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def revenue_by_customer(accepted: dict[str, list[Row]], as_of: date) -> dict[int, tuple[Decimal, Decimal]]:
    """Per customer with subscriptions: (total_contract_value, ARR), unrounded sums."""
    totals: dict[int, tuple[Decimal, Decimal]] = {}
    for subscription in accepted["billing_subscriptions"]:
        tcv, arr = totals.get(subscription["customer_id"], (Decimal(0), Decimal(0)))
        if counts_for_tcv(subscription, as_of):
            tcv += contract_value(subscription)
        if counts_for_arr(subscription, as_of):
            arr += annualized_price(subscription)
        totals[subscription["customer_id"]] = (tcv, arr)
    return totals


def latest_churn_scores(accepted: dict[str, list[Row]], as_of: date) -> dict[int, Row]:
    """churn_risk_score: per customer the score with the latest scored_at on or before A (ties: larger
    ``_record_id``)."""
    latest: dict[int, Row] = {}
    for score in accepted["ml_churn_scores"]:
        if not counts_at(score["scored_at"], as_of):
            continue
        current = latest.get(score["customer_id"])
        if current is None or (score["scored_at"], score.record_id) > (current["scored_at"], current.record_id):
            latest[score["customer_id"]] = score
    return latest


def last_login_dates(accepted: dict[str, list[Row]], as_of: date) -> dict[int, date]:
    """last_login_date: per customer the date of the latest login on or before A."""
    last: dict[int, date] = {}
    for login in accepted["product_logins"]:
        if counts_at(login["logged_in_at"], as_of):
            day = login["logged_in_at"].date()
            last[login["customer_id"]] = max(day, last.get(login["customer_id"], day))
    return last


def recent_login_counts(accepted: dict[str, list[Row]], as_of: date) -> dict[int, int]:
    """recent_login_count: per customer the logins on or before A whose date is at most ``INACTIVITY_DAYS`` days
    before A (README "Grounding marts"; int_customer_logins_aggregated counts rows, not days)."""
    counts: dict[int, int] = {}
    for login in accepted["product_logins"]:
        day = login["logged_in_at"].date()
        if day <= as_of and (as_of - day).days <= INACTIVITY_DAYS:
            counts[login["customer_id"]] = counts.get(login["customer_id"], 0) + 1
    return counts


def support_counts(accepted: dict[str, list[Row]], as_of: date) -> dict[int, dict[str, Any]]:
    """Per customer with a ticket opened on or before A: tickets_in_lookback (``A - opened date < 90``),
    open_ticket_count (status open or pending, any opening date up to A), urgent_open_ticket_count (those with
    priority urgent), last_ticket_opened_date and avg_resolution_hours_in_lookback (business_rules.md: closed
    tickets of the lookback with closed_at >= opened_at, mean hours rounded half up to 0.1; None when none)."""
    found: dict[int, dict[str, Any]] = {}
    resolution: dict[int, list[Decimal]] = {}
    for ticket in accepted["support_tickets"]:
        opened = ticket["opened_at"]
        if not counts_at(opened, as_of):
            continue
        customer = ticket["customer_id"]
        row = found.setdefault(customer, {"tickets_in_lookback": 0, "open_ticket_count": 0,
                                          "urgent_open_ticket_count": 0, "last_ticket_opened_date": None})
        in_lookback = (as_of - opened.date()).days < SUPPORT_LOOKBACK_DAYS
        row["tickets_in_lookback"] += in_lookback
        if ticket["status"] in ("open", "pending"):
            row["open_ticket_count"] += 1
            row["urgent_open_ticket_count"] += ticket["priority"] == "urgent"
        last = row["last_ticket_opened_date"]
        row["last_ticket_opened_date"] = opened.date() if last is None else max(last, opened.date())
        closed = ticket.get("closed_at")
        if in_lookback and isinstance(closed, datetime) and closed >= opened:
            resolution.setdefault(customer, []).append(Decimal(int((closed - opened).total_seconds())))
    for customer, row in found.items():
        seconds = resolution.get(customer)
        row["avg_resolution_hours_in_lookback"] = (
            None if not seconds else
            (sum(seconds) / len(seconds) / Decimal(3600)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
    return found


def health_status(
    churn_risk_score: Decimal | None,
    last_login_date: date | None,
    as_of: date,
    threshold: Decimal = CHURN_RISK_THRESHOLD,
    inactivity_days: int = INACTIVITY_DAYS,
) -> str:
    """health_status: ``High Risk`` when the score > threshold (NULL is not high risk); else ``Inactive`` when no
    login or ``A - last_login_date > inactivity_days``; else ``Healthy``."""
    if churn_risk_score is not None and churn_risk_score > threshold:
        return "High Risk"
    if last_login_date is None or (as_of - last_login_date).days > inactivity_days:
        return "Inactive"
    return "Healthy"


def _accepted(raw_or_accepted: Raw | dict[str, list[Row]]) -> dict[str, list[Row]]:
    """Accept either the raw tables or an already screened ``accepted`` mapping."""
    tables = list(raw_or_accepted.values())
    if tables and tables[0] and isinstance(tables[0][0], Row):
        return raw_or_accepted  # type: ignore[return-value]
    return accepted_and_quarantined(raw_or_accepted)[0]  # type: ignore[arg-type]


def expected_health_summary(raw: Raw | dict[str, list[Row]], as_of: date) -> dict[int, dict[str, Any]]:
    """fct_customer_health_summary: one row per active customer (status ``active``) with health_status,
    total_contract_value, annual_recurring_revenue (Decimal, 2 places), churn_risk_score (Decimal, 6 places, or
    None), last_login_date (date or None)."""
    accepted = _accepted(raw)
    revenue = revenue_by_customer(accepted, as_of)
    scores = latest_churn_scores(accepted, as_of)
    logins = last_login_dates(accepted, as_of)
    recent_logins = recent_login_counts(accepted, as_of)
    tickets = support_counts(accepted, as_of)
    summary: dict[int, dict[str, Any]] = {}
    for customer in accepted["crm_customers"]:
        if customer["status"] != "active":
            continue
        customer_id = customer["customer_id"]
        tcv, arr = revenue.get(customer_id, (Decimal(0), Decimal(0)))
        score = scores[customer_id]["churn_risk_score"] if customer_id in scores else None
        last_login = logins.get(customer_id)
        summary[customer_id] = {
            "customer_id": customer_id,
            "customer_name": customer["customer_name"],
            "segment": customer.get("segment"),
            "health_status": health_status(score, last_login, as_of),
            "total_contract_value": money(tcv),
            "annual_recurring_revenue": money(arr),
            "churn_risk_score": score,
            "last_login_date": last_login,
            "days_since_last_login": None if last_login is None else (as_of - last_login).days,
            "recent_login_count": recent_logins.get(customer_id, 0),
            "open_ticket_count": tickets.get(customer_id, {}).get("open_ticket_count", 0),
        }
    return summary


def expected_revenue_summary(raw: Raw | dict[str, list[Row]], as_of: date) -> dict[int, dict[str, Any]]:
    """fct_customer_revenue_summary: one row per accepted customer of any status with customer_status,
    annual_recurring_revenue, monthly_recurring_revenue = round(ARR / 12, 2) and total_contract_value."""
    accepted = _accepted(raw)
    revenue = revenue_by_customer(accepted, as_of)
    summary: dict[int, dict[str, Any]] = {}
    for customer in accepted["crm_customers"]:
        customer_id = customer["customer_id"]
        tcv, arr = revenue.get(customer_id, (Decimal(0), Decimal(0)))
        summary[customer_id] = {
            "customer_id": customer_id,
            "customer_name": customer["customer_name"],
            "segment": customer.get("segment"),
            "customer_status": customer["status"],
            "annual_recurring_revenue": money(arr),
            "monthly_recurring_revenue": money(money(arr) / 12),
            "total_contract_value": money(tcv),
        }
    return summary


def quarantine_reasons(rejected: Iterable[Rejection]) -> dict[str, str]:
    """The rejections as ``record_id -> reason`` (record ids are unique across tables)."""
    return {record_id: reason for _table, record_id, reason in rejected}


def expected_support_digest(raw: Raw | dict[str, list[Row]], as_of: date) -> dict[int, dict[str, Any]]:
    """fct_customer_support_digest: one row per active customer with customer_name, tickets_in_lookback,
    open_ticket_count, urgent_open_ticket_count, last_ticket_opened_date (date or None) and
    avg_resolution_hours_in_lookback (Decimal, 1 place, or None); zero counts for a customer without tickets. The
    ticket summary and instruction counts are not modelled (see business_rules.md "Patterns")."""
    accepted = _accepted(raw)
    tickets = support_counts(accepted, as_of)
    empty = {"tickets_in_lookback": 0, "open_ticket_count": 0, "urgent_open_ticket_count": 0,
             "last_ticket_opened_date": None, "avg_resolution_hours_in_lookback": None}
    return {
        customer["customer_id"]: {"customer_id": customer["customer_id"], "customer_name": customer["customer_name"],
                                  **tickets.get(customer["customer_id"], empty)}
        for customer in accepted["crm_customers"] if customer["status"] == "active"
    }
