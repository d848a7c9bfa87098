"""Source system `product`: logins (product_logins)."""

from __future__ import annotations

import random

from raw_data.draws import between, chance, pick
from raw_data.entities import Customer, Login
from raw_data.rendering import render_customer_id, render_date, render_email, vary_case
from raw_data.timeline import AS_OF, AS_OF_END, DAY, WINDOW_END
from raw_data.vocabulary import DEVICES, FIRST_NAMES, LAST_NAMES, LOGIN_COUNT


def user_emails(rng: random.Random, customer: Customer) -> list[str]:
    colleagues = [f"{pick(rng, FIRST_NAMES)}.{pick(rng, LAST_NAMES)}@{customer.domain}".lower() for _ in range(3)]
    return [customer.contact_email, *colleagues[: between(rng, 0, 3)]]


def random_login_instants(rng: random.Random, customer: Customer) -> list[int]:
    """Login instants shaped so the customer lands in its target health (before any dirt)."""
    if customer.status == "churned":
        count = LOGIN_COUNT["churned"].pick(rng)
        return [between(rng, customer.created_at, customer.active_until) for _ in range(count)]
    if customer.status == "prospect":
        count = LOGIN_COUNT["prospect"].pick(rng)
        return [between(rng, customer.created_at, AS_OF_END) for _ in range(count)]
    recent = customer.health == "healthy" or (customer.health == "high_risk" and chance(rng, 0.5))
    if recent:
        count = LOGIN_COUNT["healthy"].pick(rng)
        latest = AS_OF + between(rng, -29, 0) * DAY + between(rng, 0, DAY - 1)  # last login date within 30 days
    else:
        count = LOGIN_COUNT["inactive"].pick(rng)
        latest = between(rng, max(customer.created_at, AS_OF - 330 * DAY), AS_OF - 31 * DAY)
    if count == 0:
        return []
    instants = [latest] + [between(rng, customer.created_at, latest) for _ in range(count - 1)]
    if chance(rng, 0.02):
        instants.append(between(rng, AS_OF_END + 1, WINDOW_END))  # after the as-of date: must not count
    return instants


def random_logins(rng: random.Random, customer: Customer) -> list[Login]:
    emails = user_emails(rng, customer)
    return [Login(at, pick(rng, emails), DEVICES.pick(rng)) for at in sorted(random_login_instants(rng, customer))]


def login_row(rng: random.Random, c: Customer, number: int, login: Login) -> dict:
    return {
        "login_id": f"lgn_{number}",
        "customer_id": render_customer_id(rng, c.cid),
        "user_email": render_email(rng, login.user_email),
        "logged_in_at": render_date(rng, c, login.at),
        "device": vary_case(rng, login.device, 0.12),
    }
