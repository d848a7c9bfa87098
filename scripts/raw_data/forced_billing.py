"""Forced cases 21-36: subscription and ARR boundaries, sales with every payment outcome."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence

from raw_data.entities import Order, Payment, Plan, Subscription
from raw_data.forced_common import forced_plan
from raw_data.timeline import DAY, ISO_T, format_instant, utc


# Subscriptions, ARR and contract value at A (amounts fixed so tests can compute the expected numbers).
def fixed_sub(
    plan: str, period: str, amount: str, term: int, start: str, status: str, start_raw: str | None = None
) -> Subscription:
    y, m, d = (int(part) for part in start.split("-"))
    raw = {"plan_code": plan, "billing_period": period, "period_amount": amount, "status": status,
           "start_date": start_raw or start}
    canonical_period = "annual" if period.strip().lower() in ("annual", "yearly") else "monthly"
    canonical_status = {"canceled": "cancelled"}.get(status.strip().lower(), status.strip().lower())
    return Subscription(plan.lower(), canonical_period, 0, term, utc(y, m, d), canonical_status, raw)


def forced_subscriptions(subs: Callable[[], list[Subscription]]) -> Callable[[random.Random, int], Plan]:
    def build(rng: random.Random, cid: int) -> Plan:
        plan = forced_plan(rng, cid)
        plan.subscriptions = subs()
        return plan

    return build


FORCED_SUBSCRIPTIONS = {
    # two active subscriptions: ARR 499*12 + 16188 = 22176, TCV 5988 + 32376 = 38364
    21: lambda: [fixed_sub("growth", "monthly", "499.00", 12, "2025-11-01", "active"),
                 fixed_sub("scale", "annual", "16188.00", 24, "2025-03-01", "active")],
    22: lambda: [],  # active customer without a subscription: ARR 0, TCV 0
    # starts after the as-of date: ARR 0, TCV 0
    23: lambda: [fixed_sub("starter", "monthly", "49.00", 12, "2026-07-01", "active")],
    # status still active but the term ended 2025-09-01: ARR 0, TCV 588
    24: lambda: [fixed_sub("starter", "monthly", "49.00", 12, "2024-09-01", "active")],
    # trial only: ARR 0, TCV 0
    25: lambda: [fixed_sub("growth", "monthly", "499.00", 12, "2026-06-10", "trial")],
    # `canceled` (counts in TCV, not in ARR) + an active monthly: ARR 5988, TCV 5388 + 5988 = 11376
    26: lambda: [fixed_sub("growth", "annual", "5388.00", 12, "2025-01-15", "canceled"),
                 fixed_sub("growth", "monthly", "499.00", 12, "2026-01-05", "active")],
    # `yearly` 36 months in `$` notation: ARR 12600, TCV 37800
    27: lambda: [fixed_sub("Scale", "yearly", "$12,600.00", 36, "2025-02-01", "active", "02/01/2025")],
    # ends exactly on A (A < start + 12 months is false): ARR 0, TCV 5388
    28: lambda: [fixed_sub("growth", "annual", "5388.00", 12, "2025-06-30", "active")],
    # ends the day after A: ARR 5388, TCV 5388
    29: lambda: [fixed_sub("growth", "annual", "5388.00", 12, "2025-07-01", "active", "01.07.2025")],
}


# Orders and payments (amounts fixed; payments: (amount text, status text)).
def fixed_order(at: str, total: str, status: str, payments: Sequence[tuple[str, str]]) -> Order:
    y, m, d = (int(part) for part in at.split("-"))
    ordered_at = utc(y, m, d, 10)
    order = Order(ordered_at, 0, status, raw={"ordered_at": f"{at}T10:00:00Z", "order_total": total, "status": status})
    for index, (amount, pay_status) in enumerate(payments):
        paid_at = ordered_at + (index + 1) * DAY
        order.payments.append(Payment(paid_at, 0, "card", "success", raw={
            "paid_at": format_instant(paid_at, ISO_T), "amount": amount, "status": pay_status}))
    return order


FORCED_ORDERS = {
    # ord_3101 paid in full (successful sale); ord_3102 `$2,450.00` paid in two parts, `succeeded` + `SUCCESS`
    31: lambda: [fixed_order("2026-02-03", "1200.00", "completed", [("1200.00", "success")]),
                 fixed_order("2026-03-10", "$2,450.00", "completed",
                             [("1450.00", "succeeded"), ("1000.00", "SUCCESS")])],
    # ord_3201 underpaid; ord_3202 only a failed payment: not successful
    32: lambda: [fixed_order("2026-01-15", "3000.00", "completed", [("1500.00", "success")]),
                 fixed_order("2026-04-20", "750.00", "completed", [("750.00", "failed")])],
    # ord_3301 paid then refunded: not successful
    33: lambda: [fixed_order("2026-02-25", "800.00", "completed", [("800.00", "success"), ("800.00", "refunded")])],
    # ord_3401 cancelled without payment, ord_3402 cancelled with a failed payment
    34: lambda: [fixed_order("2026-03-01", "500.00", "cancelled", []),
                 fixed_order("2026-05-05", "650.00", "cancelled", [("650.00", "failed")])],
    # ord_3501 paid; plus a payment for ord_3599, which does not exist (orphan_foreign_key)
    35: lambda: [fixed_order("2026-01-08", "1800.00", "completed", [("1800.00", "success")])],
    # ord_3601 failed then paid (successful); ord_3602 overpaid (successful); ord_3603 returned; ord_3604 placed
    36: lambda: [fixed_order("2025-11-11", "900.00", "completed", [("900.00", "failed"), ("900.00", "success")]),
                 fixed_order("2025-12-12", "400.00", "completed", [("450.00", "success")]),
                 fixed_order("2026-01-13", "700.00", "returned", [("700.00", "success"), ("700.00", "refunded")]),
                 fixed_order("2026-06-28", "1200.00", "placed", [])],
}


def forced_orders(rng: random.Random, cid: int) -> Plan:
    plan = forced_plan(rng, cid)
    plan.orders = FORCED_ORDERS[cid]()
    if cid == 35:
        plan.stray_payments.append(Payment(utc(2026, 2, 1, 12), 0, "card", "success", raw={
            "paid_at": "2026-02-01T12:00:00Z", "amount": "300.00", "status": "success"}))
    return plan
