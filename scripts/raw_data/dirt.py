"""Quarantine dirt: the changes that make a raw row fail one rule (missing field, bad number or date, out of
range, unknown category, orphan), and near duplicates."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence

from raw_data.draws import pick
from raw_data.entities import Customer
from raw_data.timeline import ID_STRIDE, ORPHAN_CUSTOMER_BASE, ORPHAN_SLOT, UNPARSEABLE_DATES


# Quarantine dirt: each function breaks one row so that exactly one business-rules reason applies.
def orphan_customer(rng: random.Random, row: dict, c: Customer) -> None:
    row["customer_id"] = str(ORPHAN_CUSTOMER_BASE + c.cid)


def blank(column: str) -> Callable:
    def apply(rng: random.Random, row: dict, c: Customer) -> None:
        row[column] = pick(rng, ("", "", " "))  # whitespace only is empty after cleaning

    return apply


def replace_with(column: str, values: Sequence[str]) -> Callable:
    def apply(rng: random.Random, row: dict, c: Customer) -> None:
        row[column] = pick(rng, values)

    return apply


def negate(column: str) -> Callable:
    def apply(rng: random.Random, row: dict, c: Customer) -> None:
        row[column] = "-" + row[column].strip().lstrip("-")

    return apply


def unparseable_date(column: str) -> Callable:
    return replace_with(column, UNPARSEABLE_DATES)


QUARANTINE_DIRT: dict[str, tuple[Callable, ...]] = {
    "crm_customers": (
        blank("customer_id"), blank("customer_name"), unparseable_date("created_at"),
        replace_with("customer_id", ("n/a", "TBD", "#")),
    ),
    "billing_subscriptions": (
        blank("start_date"), unparseable_date("start_date"), replace_with("period_amount", ("tbd", "n/a")),
        negate("period_amount"), replace_with("plan_code", ("legacy_gold", "Legacy_Gold")),
        replace_with("status", ("paused", "on_hold")), orphan_customer, blank("plan_code"),
    ),
    "billing_orders": (
        unparseable_date("ordered_at"), blank("order_total"), orphan_customer,
        replace_with("status", ("on_hold", "refund_pending")), negate("order_total"), blank("ordered_at"),
    ),
    "billing_payments": (
        unparseable_date("paid_at"), negate("amount"), replace_with("status", ("pending", "chargeback")),
        blank("amount"), replace_with("amount", ("tbd", "n/a")),
    ),
    "product_logins": (
        orphan_customer, unparseable_date("logged_in_at"), blank("logged_in_at"),
        replace_with("customer_id", ("n/a", "unknown")),
    ),
    "support_tickets": (
        blank("customer_id"), orphan_customer, unparseable_date("opened_at"), unparseable_date("closed_at"),
        blank("subject"),
    ),
    "ml_churn_scores": (
        blank("churn_risk_score"), replace_with("churn_risk_score", ("NaN", "n/a")),
        replace_with("churn_risk_score", ("1.7", "-0.1", "1.05")), orphan_customer, unparseable_date("scored_at"),
    ),
}


def orphan_payment_order(c: Customer) -> str:
    return f"ord_{c.cid * ID_STRIDE + ORPHAN_SLOT}"


def near_duplicate_change(rng: random.Random, table: str, row: dict, c: Customer) -> None:
    """The later copy of a near duplicate: a CRM edit of the contact e-mail, elsewhere a re-spelled category."""
    if table == "crm_customers":
        row["contact_email"] = f"{c.contact_first[0]}{c.contact_last}@{c.domain}".lower()
    elif table == "ml_churn_scores":
        row["model_version"] = "churn-v3.2"
    elif table == "billing_payments":
        row["payment_method"] = row["payment_method"].strip().upper()
    elif table == "product_logins":
        row["device"] = row["device"].strip().upper()
    else:
        row["status"] = row["status"].strip().upper()
