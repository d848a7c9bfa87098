"""Forced cases 1-20: one date format per customer, churned and prospect customers, and the health rule's
boundaries at the as-of date (score exactly 0.8, last login 30 and 31 days back, no login, ...)."""

from __future__ import annotations

import random

from raw_data.billing import make_subscription
from raw_data.entities import Order, Payment, Plan, Score
from raw_data.forced_common import forced_plan, login_at, low_scores, old_logins, recent_logins, score_text
from raw_data.support import make_ticket
from raw_data.timeline import AS_OF_END, DATE_FORMATS, DAY, utc


def forced_date_format_showcase(rng: random.Random, cid: int) -> Plan:
    """Customers 1-6: every date of the customer in one format, and a row in every date column."""
    plan = forced_plan(rng, cid)
    c = plan.customer
    c.date_format = DATE_FORMATS[cid - 1]
    if not plan.subscriptions:
        plan.subscriptions.append(make_subscription(rng, c, "current"))
    if not any(order.payments for order in plan.orders):
        ordered_at = utc(2026, 2, 10, 11, 30)
        payment = Payment(ordered_at + DAY, 120_000, "card", "success")
        plan.orders.append(Order(ordered_at, 120_000, "completed", [payment]))
    if not any(ticket.closed_at for ticket in plan.tickets):
        ticket = make_ticket(rng, c, utc(2026, 3, 14, 9, 5))
        ticket.status, ticket.closed_at = "solved", utc(2026, 3, 15, 17, 20)
        plan.tickets.insert(0, ticket)
    if not plan.scores:
        plan.scores = low_scores()
    return plan


def forced_churned(rng: random.Random, cid: int) -> Plan:
    return forced_plan(rng, cid, status="churned")


def forced_prospect(rng: random.Random, cid: int) -> Plan:
    return forced_plan(rng, cid, status="prospect")


# Health boundaries at the as-of date 2026-06-30 (all active, protected).
def forced_score_exactly_threshold(rng: random.Random, cid: int) -> Plan:
    plan = forced_plan(rng, cid)
    plan.logins = recent_logins(rng, plan.customer)
    plan.scores = [Score(utc(2026, 4, 2, 3), 35), score_text(utc(2026, 6, 2, 3, 10), "0.8")]  # not > 0.8: Healthy
    return plan


def forced_score_just_above_threshold(rng: random.Random, cid: int) -> Plan:
    plan = forced_plan(rng, cid)
    plan.logins = recent_logins(rng, plan.customer)
    plan.scores = [Score(utc(2026, 4, 2, 3), 35), score_text(utc(2026, 6, 2, 3, 10), "0.81")]  # High Risk
    return plan


def forced_last_login_30_days(rng: random.Random, cid: int) -> Plan:
    plan = forced_plan(rng, cid)
    c = plan.customer
    last = login_at(rng, c, utc(2026, 5, 31, 18, 45), {"logged_in_at": "2026-05-31T18:45:00Z"})
    plan.logins = [*old_logins(rng, c), last]
    plan.scores = low_scores()  # A - 2026-05-31 = 30, not > 30: Healthy
    return plan


def forced_last_login_31_days(rng: random.Random, cid: int) -> Plan:
    plan = forced_plan(rng, cid, health="inactive")
    c = plan.customer
    last = login_at(rng, c, utc(2026, 5, 30, 23, 59, 59), {"logged_in_at": "2026-05-30 23:59:59"})
    plan.logins = [*old_logins(rng, c), last]
    plan.scores = low_scores()  # A - 2026-05-30 = 31: Inactive
    return plan


def forced_no_logins(rng: random.Random, cid: int) -> Plan:
    plan = forced_plan(rng, cid, health="inactive")
    plan.logins = []
    plan.scores = low_scores()  # last_login_date NULL: Inactive
    return plan


def forced_no_score(rng: random.Random, cid: int) -> Plan:
    plan = forced_plan(rng, cid)
    c = plan.customer
    plan.logins = recent_logins(rng, c) + [login_at(rng, c, AS_OF_END, {"logged_in_at": "2026-06-30T23:59:59Z"})]
    plan.scores = []  # NULL score is not high risk: Healthy
    return plan


def forced_login_after_as_of(rng: random.Random, cid: int) -> Plan:
    plan = forced_plan(rng, cid, health="inactive")
    c = plan.customer
    plan.logins = old_logins(rng, c) + [
        login_at(rng, c, utc(2026, 4, 15, 13, 20), {"logged_in_at": "2026-04-15T13:20:00Z"}),
        login_at(rng, c, utc(2026, 7, 1, 5, 30), {"logged_in_at": "2026-07-01T05:30:00Z"}),  # after the as-of date
    ]
    plan.scores = low_scores()  # last login on or before A is 2026-04-15 (76 days): Inactive
    return plan


def forced_score_after_as_of(rng: random.Random, cid: int) -> Plan:
    plan = forced_plan(rng, cid)
    plan.logins = recent_logins(rng, plan.customer)
    plan.scores = [
        Score(utc(2026, 6, 1, 3), 30, {"churn_risk_score": "0.30", "scored_at": "2026-06-01T03:00:00Z"}),
        Score(utc(2026, 7, 1, 2, 15), 95, {"churn_risk_score": "0.95", "scored_at": "2026-07-01T02:15:00Z"}),
    ]  # the 0.95 is after A and ignored: Healthy
    return plan


def forced_high_score_superseded(rng: random.Random, cid: int) -> Plan:
    plan = forced_plan(rng, cid)
    plan.logins = recent_logins(rng, plan.customer)
    plan.scores = [
        Score(utc(2026, 5, 1, 3), 92, {"churn_risk_score": "0.92", "scored_at": "2026-05-01T03:00:00Z"}),
        Score(utc(2026, 6, 20, 3), 22, {"churn_risk_score": "0.22", "scored_at": "2026-06-20T03:00:00Z"}),
    ]  # the latest counts: Healthy
    return plan


def forced_score_late_on_as_of(rng: random.Random, cid: int) -> Plan:
    plan = forced_plan(rng, cid, health="high_risk")
    plan.logins = recent_logins(rng, plan.customer)
    plan.scores = [
        Score(utc(2026, 5, 1, 3), 10, {"churn_risk_score": "0.10", "scored_at": "2026-05-01T03:00:00Z"}),
        Score(utc(2026, 6, 30, 23, 30), 85, {"churn_risk_score": "0.85", "scored_at": "2026-06-30T23:30:00Z"}),
    ]  # its date is A, so it counts: High Risk
    return plan
