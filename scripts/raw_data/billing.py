"""Source system `billing`: subscriptions, orders and payments (billing_subscriptions, billing_orders,
billing_payments)."""

from __future__ import annotations

import random
from datetime import date

from raw_data.draws import between, chance, pick
from raw_data.entities import Customer, Order, Payment, Subscription
from raw_data.rendering import render_amount, render_customer_id, render_date, vary_case
from raw_data.timeline import AS_OF, AS_OF_END, DAY, HOUR, WINDOW_END, _EPOCH_ORDINAL, add_months, midnight, utc
from raw_data.vocabulary import (
    ANNUAL_TERMS, BILLING_PERIOD_SPELLINGS, COMPLETED_OUTCOMES, LIST_PRICE_CENTS, ORDER_COUNT, ORDER_STATUSES,
    PAYMENT_METHODS, PAYMENT_STATUS_SPELLINGS, PLANS, SUB_COUNT, SUB_KIND_FIRST, SUB_KIND_MORE, SUB_STATUS_SPELLINGS,
)


def subscription_price_cents(rng: random.Random, plan: str, period: str) -> int:
    seats = pick(rng, (1, 1, 1, 2, 3, 5))
    discount_pct = pick(rng, (0, 0, 5, 10, 15, 20))
    monthly = LIST_PRICE_CENTS[plan] * seats * (100 - discount_pct) // 100
    if period == "monthly":
        return monthly
    return monthly * 12 * 90 // 100 // 100 * 100  # annual prepay: 10% off, whole dollars


def pick_start_day(rng: random.Random, lo: int, hi: int) -> int:
    """A midnight in [lo, hi], avoiding days 29-31 when it can: `start + N months` is then unambiguous."""
    start = midnight(between(rng, midnight(lo) // DAY, midnight(hi) // DAY) * DAY)
    d = date.fromordinal(_EPOCH_ORDINAL + start // DAY)
    if d.day > 28:
        moved = utc(d.year, d.month, 28)
        if moved >= midnight(lo):
            start = moved
    return start


def make_subscription(rng: random.Random, customer: Customer, kind: str) -> Subscription:
    plan = PLANS.pick(rng)
    period = "monthly" if chance(rng, 0.55) else "annual"
    term = 12 if period == "monthly" else ANNUAL_TERMS.pick(rng)
    created = midnight(customer.created_at)
    status = {"trial": "trial", "cancelled": "cancelled"}.get(kind, "active")
    if kind == "expired":
        term = 12
        latest_expired_start = add_months(AS_OF, -12)  # start + 12 months <= as-of
        if created > latest_expired_start:
            kind, status = "cancelled", "cancelled"
    if kind == "current":
        start = pick_start_day(rng, max(created, add_months(AS_OF, -term) + DAY), AS_OF)
    elif kind == "expired":
        start = pick_start_day(rng, created, add_months(AS_OF, -12))
    elif kind == "future":
        start = utc(2026, 7, 1)  # the day after the as-of date, still inside the event window
    elif kind == "trial":
        start = pick_start_day(rng, max(created, AS_OF - 45 * DAY), AS_OF)
    else:  # cancelled
        start = pick_start_day(rng, created, max(created, min(customer.active_until, AS_OF) - 30 * DAY))
    return Subscription(plan, period, subscription_price_cents(rng, plan, period), term, start, status)


def random_subscriptions(rng: random.Random, customer: Customer) -> list[Subscription]:
    count = SUB_COUNT[customer.status].pick(rng)
    kinds = [SUB_KIND_FIRST[customer.status].pick(rng) for _ in range(min(count, 1))]
    kinds += [SUB_KIND_MORE[customer.status].pick(rng) for _ in range(count - 1)]
    return [make_subscription(rng, customer, kind) for kind in kinds]


def order_total_cents(rng: random.Random) -> int:
    dollars = pick(rng, (150, 250, 400, 600, 900, 1200, 1800, 2450, 3000, 4800, 7500, 12000, 25000))
    return dollars * 100 + pick(rng, (0, 0, 0, 0, 50, 99))


def make_payments(rng: random.Random, ordered_at: int, total: int, status: str) -> list[Payment]:
    method = PAYMENT_METHODS.pick(rng)
    first = min(ordered_at + between(rng, 600, 7 * DAY), WINDOW_END)
    later = min(first + between(rng, HOUR, 20 * DAY), WINDOW_END)

    def pay(at: int, cents: int, pay_status: str) -> Payment:
        return Payment(at, cents, method, pay_status)

    if status == "completed":
        outcome = COMPLETED_OUTCOMES.pick(rng)
        if outcome == "paid":
            return [pay(first, total, "success")]
        if outcome == "split":
            part = total * between(rng, 30, 70) // 100
            return [pay(first, part, "success"), pay(later, total - part, "success")]
        if outcome == "retried":
            return [pay(first, total, "failed"), pay(later, total, "success")]
        if outcome == "underpaid":
            return [pay(first, total * between(rng, 40, 90) // 100, "success")]
        if outcome == "failed":
            return [pay(first, total, "failed")]
        if outcome == "refunded":
            return [pay(first, total, "success"), pay(later, total, "refunded")]
        return [pay(first, total + between(rng, 1, 50) * 100, "success")]  # overpaid
    if status == "placed":
        return pick(rng, ([], [], [], [pay(first, total, "failed")], [pay(first, total // 2, "success")]))
    if status == "cancelled":
        return [] if chance(rng, 0.8) else [pay(first, total, "failed")]
    return [pay(first, total, "success"), pay(later, total, "refunded")]  # returned


def random_orders(rng: random.Random, customer: Customer) -> list[Order]:
    orders = []
    for _ in range(ORDER_COUNT[customer.status].pick(rng)):
        ordered_at = between(rng, customer.created_at, min(customer.active_until, AS_OF_END))
        total = order_total_cents(rng)
        recent = AS_OF_END - ordered_at < 7 * DAY
        # Recent orders are often not fulfilled yet.
        status = "placed" if recent and chance(rng, 0.5) else ORDER_STATUSES.pick(rng)
        orders.append(Order(ordered_at, total, status, make_payments(rng, ordered_at, total, status)))
    return orders


def subscription_row(rng: random.Random, c: Customer, number: int, s: Subscription) -> dict:
    return {
        "subscription_id": f"sub_{number}",
        "customer_id": render_customer_id(rng, c.cid),
        "plan_code": vary_case(rng, s.plan, 0.12),
        "billing_period": BILLING_PERIOD_SPELLINGS[s.period].pick(rng),
        "period_amount": render_amount(rng, s.amount_cents),
        "term_months": str(s.term_months),
        "start_date": render_date(rng, c, s.start_day),
        "status": SUB_STATUS_SPELLINGS[s.status].pick(rng),
    }


def order_row(rng: random.Random, c: Customer, number: int, o: Order) -> dict:
    return {
        "order_id": f"ord_{number}",
        "customer_id": render_customer_id(rng, c.cid),
        "ordered_at": render_date(rng, c, o.ordered_at),
        "order_total": render_amount(rng, o.total_cents),
        "currency": pick(rng, ("USD",) * 16 + ("usd", "Usd", " USD", "usd ")),
        "status": vary_case(rng, o.status, 0.12),
    }


def payment_row(rng: random.Random, c: Customer, number: int, order_id: str, p: Payment) -> dict:
    return {
        "payment_id": f"pay_{number}",
        "order_id": order_id,
        "paid_at": render_date(rng, c, p.paid_at),
        "amount": render_amount(rng, p.amount_cents),
        "payment_method": vary_case(rng, p.method, 0.12),
        "status": PAYMENT_STATUS_SPELLINGS[p.status].pick(rng),
    }
