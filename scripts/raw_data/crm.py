"""Source system `crm`: customers (crm_customers)."""

from __future__ import annotations

import random

from raw_data.draws import between, pick
from raw_data.entities import Customer
from raw_data.rendering import (
    format_phone, mess_up_name, render_country, render_customer_id, render_date, render_email, vary_case,
)
from raw_data.timeline import AS_OF, AS_OF_END, DAY, WINDOW_START, utc
from raw_data.vocabulary import (
    ACCOUNT_OWNERS, AREA_CODES, COMPANY_KINDS, COMPANY_SUFFIXES, COMPANY_WORDS, COUNTRIES, CUSTOMER_STATUSES,
    FIRST_NAMES, HEALTH_TARGETS, INDUSTRIES, LAST_NAMES, SEGMENTS, SEGMENT_SPELLINGS,
)


def make_customer(rng: random.Random, cid: int, status: str | None = None, health: str | None = None,
                  distinct_name: bool = False) -> Customer:
    """One customer. `distinct_name` puts the customer id in the company name ("Maple Software 48213 Ltd"): the
    word lists give ~4,500 names, so at scale every name is shared by ~100 customers; the id takes no random draw,
    so every other value is the same either way."""
    status = status or CUSTOMER_STATUSES.pick(rng)
    if status == "active":
        health = health or HEALTH_TARGETS.pick(rng)
        # Active customers exist at least two months before the as-of date, so every health target is reachable.
        created_at = between(rng, WINDOW_START, utc(2026, 4, 30))
        active_until = AS_OF_END
    elif status == "churned":
        health = None
        created_at = between(rng, WINDOW_START, utc(2025, 12, 31))
        active_until = between(rng, created_at + 60 * DAY, AS_OF - 45 * DAY)
    else:
        health = None
        created_at = between(rng, utc(2025, 6, 1), utc(2026, 6, 25))
        active_until = AS_OF_END
    word, kind = pick(rng, COMPANY_WORDS), pick(rng, COMPANY_KINDS)
    return Customer(
        cid=cid,
        status=status,
        health=health,
        created_at=created_at,
        active_until=active_until,
        company=f"{word} {kind}{f' {cid}' if distinct_name else ''}{COMPANY_SUFFIXES.pick(rng)}",
        domain=f"{word}{kind}.{pick(rng, ('com', 'com', 'com', 'io', 'co'))}".lower(),
        contact_first=pick(rng, FIRST_NAMES),
        contact_last=pick(rng, LAST_NAMES),
        phone_digits=f"{pick(rng, AREA_CODES)}5550{between(rng, 100, 199)}",
        phone_style=between(rng, 0, 2),
        account_owner=pick(rng, ACCOUNT_OWNERS),
        industry=INDUSTRIES.pick(rng),
        segment=SEGMENTS.pick(rng),
        country=COUNTRIES.pick(rng),
    )


def crm_row(rng: random.Random, c: Customer) -> dict:
    return {
        "customer_id": render_customer_id(rng, c.cid),
        "customer_name": mess_up_name(rng, c.company),
        "contact_name": f"{c.contact_first} {c.contact_last}",
        "contact_email": render_email(rng, c.contact_email),
        "contact_phone": format_phone(c.phone_digits, c.phone_style),
        "account_owner": c.account_owner,
        "industry": vary_case(rng, c.industry, 0.25),
        "segment": pick(rng, SEGMENT_SPELLINGS[c.segment]),
        "country_code": render_country(rng, c.country),
        "status": vary_case(rng, c.status, 0.15),
        "created_at": render_date(rng, c, c.created_at),
    }
