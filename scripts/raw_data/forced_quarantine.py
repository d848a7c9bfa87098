"""Forced cases 41-50: every quarantine reason, and exact and near duplicates."""

from __future__ import annotations

import random

from raw_data.billing import make_subscription, order_total_cents
from raw_data.entities import Customer, Order, Payment, Plan, Score, Subscription
from raw_data.forced_common import forced_plan, login_at
from raw_data.support import make_ticket
from raw_data.timeline import ORPHAN_CUSTOMER_BASE, utc


# Quarantine reasons, each at least twice (extra rows, so the customer's own accepted data stays intact).
def extra_sub(rng: random.Random, c: Customer, raw: dict) -> Subscription:
    sub = make_subscription(rng, c, "current")
    sub.raw = raw
    return sub


def extra_order(rng: random.Random, c: Customer, raw: dict) -> Order:
    return Order(utc(2026, 3, 18, 15), order_total_cents(rng), "completed", [], raw)


def extra_score(day: tuple[int, int, int], raw: dict) -> Score:
    return Score(utc(*day, 3), 40, raw)


def forced_missing_required_fields(rng: random.Random, cid: int) -> Plan:
    plan = forced_plan(rng, cid)
    if cid == 41:
        plan.crm_raw = {"customer_name": ""}  # the customer is rejected, so all of its other rows are orphans
        return plan
    c = plan.customer
    plan.subscriptions.append(extra_sub(rng, c, {"start_date": ""}))
    plan.logins.append(login_at(rng, c, utc(2026, 6, 3, 9), {"logged_in_at": ""}))
    plan.tickets.append(make_ticket(rng, c, utc(2026, 5, 20, 9)))
    plan.tickets[-1].raw = {"customer_id": ""}
    plan.scores.append(extra_score((2025, 12, 24), {"churn_risk_score": ""}))
    return plan


def forced_invalid_numbers(rng: random.Random, cid: int) -> Plan:
    plan = forced_plan(rng, cid)
    c = plan.customer
    if cid == 44:
        plan.crm_extra_rows.append({"customer_id": "C-0044"})
        plan.orders.append(extra_order(rng, c, {"order_total": "12O0.00"}))  # a letter O
        return plan
    plan.subscriptions.append(extra_sub(rng, c, {"period_amount": "tbd"}))
    plan.scores.append(extra_score((2025, 12, 24), {"churn_risk_score": "NaN"}))
    plan.scores.append(extra_score((2025, 12, 25), {"churn_risk_score": "n/a"}))
    return plan


def forced_invalid_dates(rng: random.Random, cid: int) -> Plan:
    plan = forced_plan(rng, cid)
    c = plan.customer
    plan.orders.append(extra_order(rng, c, {"ordered_at": "not available"}))
    plan.logins.append(login_at(rng, c, utc(2025, 1, 1), {"logged_in_at": "2025-13-45"}))
    ticket = make_ticket(rng, c, utc(2025, 2, 27, 9))
    ticket.raw = {"status": "solved", "closed_at": "31/02/2025x"}  # an optional column that does not parse
    plan.tickets.append(ticket)
    plan.scores.append(extra_score((2025, 12, 24), {"scored_at": "N/A"}))
    plan.subscriptions.append(extra_sub(rng, c, {"start_date": "2025-13-45"}))
    return plan


def forced_out_of_range(rng: random.Random, cid: int) -> Plan:
    plan = forced_plan(rng, cid)
    c = plan.customer
    plan.scores.append(extra_score((2025, 12, 24), {"churn_risk_score": "1.7"}))
    plan.scores.append(extra_score((2025, 12, 25), {"churn_risk_score": "-0.1"}))
    plan.subscriptions.append(extra_sub(rng, c, {"period_amount": "-120.00"}))
    order = Order(utc(2026, 4, 4, 12), 50_000, "completed", [
        Payment(utc(2026, 4, 5, 12), 50_000, "card", "success"),
        Payment(utc(2026, 4, 6, 12), -5_000, "card", "success", raw={"amount": "-50.00"}),
    ], raw={"order_total": "500.00", "status": "completed"})
    plan.orders.append(order)
    return plan


def forced_unknown_categories(rng: random.Random, cid: int) -> Plan:
    plan = forced_plan(rng, cid)
    c = plan.customer
    plan.subscriptions.append(extra_sub(rng, c, {"plan_code": "legacy_gold"}))
    plan.subscriptions.append(extra_sub(rng, c, {"plan_code": "Legacy_Gold "}))
    plan.orders.append(extra_order(rng, c, {"status": "on_hold"}))
    return plan


def forced_orphans(rng: random.Random, cid: int) -> Plan:
    plan = forced_plan(rng, cid)
    c = plan.customer
    orphan_id = str(ORPHAN_CUSTOMER_BASE + cid)
    plan.subscriptions.append(extra_sub(rng, c, {"customer_id": orphan_id}))
    plan.logins.append(login_at(rng, c, utc(2026, 6, 2, 10), {"customer_id": orphan_id}))
    plan.tickets.append(make_ticket(rng, c, utc(2026, 6, 1, 10)))
    plan.tickets[-1].raw = {"customer_id": orphan_id}
    plan.scores.append(extra_score((2025, 12, 24), {"customer_id": orphan_id}))
    plan.stray_payments.append(Payment(utc(2026, 2, 1, 12), 25_000, "card", "success"))
    return plan


def forced_duplicates(rng: random.Random, cid: int) -> Plan:
    plan = forced_plan(rng, cid)
    c = plan.customer
    if cid == 50:
        plan.crm_dup = "tie"  # same _loaded_at, new e-mail: the larger _record_id (second row) wins
        return plan
    plan.crm_dup = "near_swapped"  # the later load (new e-mail) is written first in the file
    if not plan.orders:
        payment = Payment(utc(2026, 2, 3, 10), 90_000, "card", "success")
        plan.orders.append(Order(utc(2026, 2, 2, 10), 90_000, "completed", [payment]))
    plan.orders[0].dup = "exact"
    if not plan.logins:
        plan.logins.append(login_at(rng, c, utc(2026, 6, 22, 8)))
    plan.logins[0].dup = "exact"
    if not plan.scores:
        plan.scores.append(Score(utc(2026, 6, 1, 3), 20))
    plan.scores[0].dup = "exact"
    return plan
