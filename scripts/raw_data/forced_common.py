"""Helpers of the forced edge cases: a protected customer and plan, logins and scores at fixed instants."""

from __future__ import annotations

import random

from raw_data.crm import make_customer
from raw_data.draws import between
from raw_data.entities import Customer, Login, Plan, Score
from raw_data.plan import random_plan
from raw_data.timeline import WINDOW_START, utc
from raw_data.vocabulary import DEVICES


# Forced edge cases at fixed customer ids (the tests rely on them). Each builder returns a complete plan; its
# customer is protected, so no random dirt or duplicate blurs the case. Random draws still fill in the details
# that do not matter to the case (names, other tables).
def forced_customer(rng: random.Random, cid: int, status: str = "active", health: str = "healthy") -> Customer:
    customer = make_customer(rng, cid, status, health if status == "active" else None)
    customer.protected = True
    # Early sign-up, so that the fixed dates of the cases below never precede the customer.
    customer.created_at = between(rng, WINDOW_START, utc(2024, 8, 31, 23, 59, 59))
    return customer


def forced_plan(rng: random.Random, cid: int, status: str = "active", health: str = "healthy") -> Plan:
    return random_plan(rng, forced_customer(rng, cid, status, health))


def login_at(rng: random.Random, customer: Customer, at: int, raw: dict | None = None) -> Login:
    return Login(at, customer.contact_email, DEVICES.pick(rng), raw)


def score_text(at: int, text: str) -> Score:
    return Score(at, 0, {"churn_risk_score": text})


def recent_logins(rng: random.Random, customer: Customer) -> list[Login]:
    instants = (utc(2026, 5, 2, 9, 15), utc(2026, 6, 12, 14, 3), utc(2026, 6, 27, 8, 40))
    return [login_at(rng, customer, at) for at in instants]


def old_logins(rng: random.Random, customer: Customer) -> list[Login]:
    return [login_at(rng, customer, at) for at in (utc(2026, 1, 20, 10, 0), utc(2026, 3, 3, 16, 45))]


def low_scores() -> list[Score]:
    return [Score(utc(2026, 5, 1, 3), 25), Score(utc(2026, 6, 1, 3), 12)]
