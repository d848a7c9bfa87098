"""A random customer's plan, and its rendering into rows of every table (dirt and duplicates added at their
rates; protected customers keep their rows clean)."""

from __future__ import annotations

import random

from raw_data.billing import order_row, payment_row, random_orders, random_subscriptions, subscription_row
from raw_data.crm import crm_row
from raw_data.dirt import QUARANTINE_DIRT, near_duplicate_change, orphan_payment_order
from raw_data.draws import between, pick
from raw_data.entities import Customer, Plan
from raw_data.ml import random_scores, score_row
from raw_data.product import login_row, random_logins
from raw_data.support import random_tickets, ticket_row
from raw_data.tables import TABLES
from raw_data.timeline import HOUR, ID_STRIDE, ISO_T, LOAD_START, format_instant
from raw_data.vocabulary import DUPLICATE_KINDS, DUPLICATE_RATE, QUARANTINE_DIRT_RATE


def random_plan(rng: random.Random, customer: Customer) -> Plan:
    return Plan(
        customer=customer,
        subscriptions=random_subscriptions(rng, customer),
        orders=random_orders(rng, customer),
        logins=random_logins(rng, customer),
        tickets=random_tickets(rng, customer),
        scores=random_scores(rng, customer),
    )


# `_loaded_at` texts by second of the load hour, precomputed: every row needs one.
LOADED_AT_TEXTS = tuple(format_instant(LOAD_START + second, ISO_T) for second in range(HOUR))


class RowSink:
    """Collects one customer's rendered rows per table (lists of strings in file order, without _record_id)."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.rows: dict[str, list[list[str]]] = {table: [] for table in TABLES}

    def load_second(self) -> int:
        """Second of the load hour; the first 50 minutes, so a duplicate's later load still fits in the hour."""
        return between(self.rng, 0, 50 * 60 - 1)

    def emit(self, table: str, row: dict, c: Customer, raw: dict | None = None, dup: str | None = None) -> None:
        rng = self.rng
        dirty = False
        if raw:
            row.update(raw)
            dirty = True
        elif not c.protected and rng.random() < QUARANTINE_DIRT_RATE[table]:
            pick(rng, QUARANTINE_DIRT[table])(rng, row, c)
            dirty = True
        if dup is None and not dirty and not c.protected and rng.random() < DUPLICATE_RATE:
            dup = DUPLICATE_KINDS.pick(rng)
        columns = TABLES[table]
        loaded_at = self.load_second()
        first = [row[column] for column in columns]
        first.append(LOADED_AT_TEXTS[loaded_at])
        out = self.rows[table]
        if dup is None:
            out.append(first)
            return
        # The copy with the later _loaded_at wins; "tie" copies share _loaded_at (the larger _record_id wins);
        # "near_swapped" writes the winner first, so file order is not what decides.
        if dup != "exact":
            near_duplicate_change(rng, table, row, c)
        second = [row[column] for column in columns]
        second_loaded_at = loaded_at if dup == "tie" else loaded_at + between(rng, 60, 540)
        second.append(LOADED_AT_TEXTS[second_loaded_at])
        if dup == "near_swapped":
            out.extend((second, first))
        else:
            out.extend((first, second))


def render_plan(rng: random.Random, plan: Plan) -> dict[str, list[list[str]]]:
    c = plan.customer
    sink = RowSink(rng)
    base_number = c.cid * ID_STRIDE

    sink.emit("crm_customers", crm_row(rng, c), c, plan.crm_raw, plan.crm_dup)
    for extra in plan.crm_extra_rows:
        sink.emit("crm_customers", crm_row(rng, c), c, extra)

    for k, sub in enumerate(plan.subscriptions, 1):
        sink.emit("billing_subscriptions", subscription_row(rng, c, base_number + k, sub), c, sub.raw, sub.dup)

    payment_k = 0
    for k, order in enumerate(plan.orders, 1):
        order_id = f"ord_{base_number + k}"
        sink.emit("billing_orders", order_row(rng, c, base_number + k, order), c, order.raw, order.dup)
        for payment in order.payments:
            payment_k += 1
            row = payment_row(rng, c, base_number + payment_k, order_id, payment)
            sink.emit("billing_payments", row, c, payment.raw, payment.dup)
    for payment in plan.stray_payments:
        payment_k += 1
        row = payment_row(rng, c, base_number + payment_k, orphan_payment_order(c), payment)
        sink.emit("billing_payments", row, c, payment.raw, payment.dup)

    for k, login in enumerate(plan.logins, 1):
        sink.emit("product_logins", login_row(rng, c, base_number + k, login), c, login.raw, login.dup)
    for k, ticket in enumerate(plan.tickets, 1):
        sink.emit("support_tickets", ticket_row(rng, c, base_number + k, ticket), c, ticket.raw, ticket.dup)
    for score in plan.scores:
        sink.emit("ml_churn_scores", score_row(rng, c, score), c, score.raw, score.dup)
    return sink.rows
