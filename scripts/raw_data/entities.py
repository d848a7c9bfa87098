"""What a customer's raw rows are made from: the customer, their subscriptions, orders, payments, logins,
tickets and scores, and the plan that holds them all."""

from __future__ import annotations

from dataclasses import dataclass, field


# Semantic plan of one customer: clean values (instants, cents, canonical categories). Rendering turns it into
# raw strings and adds the dirt. `raw` overrides rendered columns verbatim (forced dirt); `dup` asks for a
# duplicate copy of the row (see DUPLICATE_KINDS).
@dataclass(slots=True)
class Customer:
    cid: int
    status: str  # active | churned | prospect
    health: str | None  # target health for active customers: healthy | inactive | high_risk
    created_at: int
    active_until: int  # churned customers leave here; everyone else is around until the as-of date
    company: str
    domain: str
    contact_first: str
    contact_last: str
    phone_digits: str
    phone_style: int
    account_owner: str
    industry: str
    segment: str
    country: str
    date_format: str | None = None  # every date of the customer in this format (forced showcase)
    protected: bool = False  # no random quarantine dirt and no random duplicates (forced cases)

    @property
    def contact_email(self) -> str:
        return f"{self.contact_first}.{self.contact_last}@{self.domain}".lower()


@dataclass(slots=True)
class Subscription:
    plan: str
    period: str  # monthly | annual
    amount_cents: int
    term_months: int
    start_day: int  # midnight instant: a start date is a date
    status: str  # active | cancelled | trial
    raw: dict | None = None
    dup: str | None = None


@dataclass(slots=True)
class Payment:
    paid_at: int
    amount_cents: int
    method: str
    status: str  # success | failed | refunded
    raw: dict | None = None
    dup: str | None = None


@dataclass(slots=True)
class Order:
    ordered_at: int
    total_cents: int
    status: str  # placed | completed | cancelled | returned
    payments: list[Payment] = field(default_factory=list)
    raw: dict | None = None
    dup: str | None = None


@dataclass(slots=True)
class Login:
    at: int
    user_email: str
    device: str
    raw: dict | None = None
    dup: str | None = None


@dataclass(slots=True)
class Ticket:
    opened_at: int
    closed_at: int | None
    priority: str
    status: str
    subject: str
    body: str
    raw: dict | None = None
    dup: str | None = None


@dataclass(slots=True)
class Score:
    scored_at: int
    hundredths: int  # the score * 100; forced exact texts go through raw
    raw: dict | None = None
    dup: str | None = None


@dataclass(slots=True)
class Plan:
    customer: Customer
    subscriptions: list[Subscription]
    orders: list[Order]
    logins: list[Login]
    tickets: list[Ticket]
    scores: list[Score]
    crm_raw: dict | None = None
    crm_dup: str | None = None
    crm_extra_rows: list[dict] = field(default_factory=list)  # more crm rows: overrides of a copy of the row
    stray_payments: list[Payment] = field(default_factory=list)  # payments whose order_id goes in raw
