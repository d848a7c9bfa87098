"""How clean values become the dirty strings an EL tool lands: mixed date formats, casing, stray whitespace,
`$1,200.00` amounts."""

from __future__ import annotations

import random

from raw_data.draws import Weighted, between, chance
from raw_data.entities import Customer
from raw_data.timeline import EPOCH, EU_DOT, ISO_DATE, ISO_SPACE, ISO_T, US_SLASH, format_instant


def format_phone(digits: str, style: int) -> str:
    area, exchange, line = digits[:3], digits[3:6], digits[6:]
    if style == 0:
        return f"+1 {area} {exchange} {line}"
    if style == 1:
        return f"({area}) {exchange}-{line}"
    return f"{area}.{exchange}.{line}"


DATE_FORMAT_MIX = Weighted([(ISO_T, 30), (ISO_SPACE, 20), (ISO_DATE, 15), (EPOCH, 13), (US_SLASH, 12), (EU_DOT, 10)])


def render_date(rng: random.Random, customer: Customer, ts: int) -> str:
    return format_instant(ts, customer.date_format or DATE_FORMAT_MIX.pick(rng))


def vary_case(rng: random.Random, value: str, rate: float = 0.2) -> str:
    """Casing/whitespace variants that cleaning (trim + lower) undoes."""
    roll = rng.random()
    if roll >= rate:
        return value
    roll /= rate
    if roll < 0.4:
        return value.title()
    if roll < 0.7:
        return value.upper()
    if roll < 0.85:
        return f" {value} "
    return f"{value.upper()} "


def render_customer_id(rng: random.Random, cid: int) -> str:
    roll = rng.random()
    if roll < 0.02:
        return f" {cid} "
    if roll < 0.04:
        return f"{cid} "
    return str(cid)


def render_amount(rng: random.Random, cents: int) -> str:
    sign = "-" if cents < 0 else ""
    dollars, rest = divmod(abs(cents), 100)
    roll = rng.random()
    if roll < 0.10:
        return f"{sign}${dollars:,}.{rest:02d}"
    if roll < 0.14:
        return f"{sign}{dollars:,}.{rest:02d}"
    if roll < 0.17:
        return f" {sign}{dollars}.{rest:02d} "
    if roll < 0.27 and rest == 0:
        return f"{sign}{dollars}"
    return f"{sign}{dollars}.{rest:02d}"


def render_score(rng: random.Random, hundredths: int) -> str:
    roll = rng.random()
    if roll < 0.03:
        return f" {hundredths / 100:g}"  # leading space, e.g. ` 0.5`
    if roll < 0.2:
        return f"{hundredths // 100}.{hundredths % 100:02d}0"
    return f"{hundredths // 100}.{hundredths % 100:02d}"


def mess_up_name(rng: random.Random, name: str) -> str:
    """Stray characters a CRM collects: surrounding spaces, NBSP, zero-width space, doubled inner spaces."""
    if not chance(rng, 0.12):
        return name
    kind = between(rng, 0, 5)
    if kind == 0:
        return f"  {name} "
    if kind == 1:
        return name.replace(" ", "\u00a0", 1)
    if kind == 2:
        return f"{name}\u00a0"
    if kind == 3:
        return name.replace(" ", " \u200b", 1)
    if kind == 4:
        return f"\u200b{name}"
    return name.replace(" ", "  ", 1)


def render_email(rng: random.Random, email: str) -> str:
    roll = rng.random()
    if roll < 0.12:
        local, domain = email.split("@")
        return ".".join(part.capitalize() for part in local.split(".")) + "@" + domain.capitalize()
    if roll < 0.15:
        return email.upper()
    return email


def render_country(rng: random.Random, code: str) -> str:
    roll = rng.random()
    if roll < 0.15:
        return code.lower()  # `us`
    if roll < 0.19:
        return f" {code.title()}"  # ` De`
    return code
