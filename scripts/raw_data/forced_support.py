"""Forced cases 51-59: support tickets with PII and prompt-injection text."""

from __future__ import annotations

import random

from raw_data.entities import Customer, Plan, Ticket
from raw_data.forced_common import forced_plan
from raw_data.rendering import format_phone
from raw_data.support import ticket_text
from raw_data.timeline import ISO_T, format_instant, utc
from raw_data.vocabulary import PROMPT_INJECTIONS


# Support tickets (complete ticket lists; subjects fixed so tests can assert the support summary).
def fixed_ticket(rng: random.Random, c: Customer, opened: str, priority: str, status: str, subject: str,
                 body: str | None = None, closed: str = "", opened_raw: str | None = None) -> Ticket:
    day, clock = (opened.split("T") + ["10:00:00"])[:2]
    y, m, d = (int(part) for part in day.split("-"))
    hh, mm, ss = (int(part) for part in clock.rstrip("Z").split(":"))
    opened_at = utc(y, m, d, hh, mm, ss)
    generated_subject, generated_body = ticket_text(rng, c)
    ticket = Ticket(opened_at, None, priority, status, subject, body or generated_body)
    ticket.raw = {"opened_at": opened_raw or format_instant(opened_at, ISO_T), "closed_at": closed,
                  "priority": priority, "status": status}
    return ticket


def forced_tickets(rng: random.Random, cid: int) -> Plan:
    plan = forced_plan(rng, cid)
    c = plan.customer
    email, phone_digits = c.contact_email, c.phone_digits
    name = f"{c.contact_first} {c.contact_last}"
    old = fixed_ticket(rng, c, "2025-10-01T09:00:00Z", "low", "closed", "Question about seat limits",
                       closed="2025-10-02T11:00:00Z")
    if cid == 51:
        body = ("Hi team, the usage report for our workspace looks wrong since last week. "
                f"{PROMPT_INJECTIONS[0]} Please call me at {format_phone(phone_digits, 0)}. Thanks, {name}")
        plan.tickets = [old, fixed_ticket(rng, c, "2026-06-20T09:12:00Z", "high", "open", "Usage report looks wrong",
                                          body)]
    elif cid == 52:
        body = (f"Hello,\n\nour admin cannot export the audit log.\n\n{PROMPT_INJECTIONS[1]}\n\n"
                f"Reply to {email}.\n\nBest regards,\n{name}")
        plan.tickets = [fixed_ticket(rng, c, "2026-05-10T14:30:00Z", "normal", "pending", "Audit log export fails",
                                     body)]
    elif cid == 53:
        colleague = f"{c.contact_first[0]}.{c.contact_last}.it@{c.domain}".lower()
        body = (f"Hi, please add {colleague} as an admin. You can reach me at {format_phone(phone_digits, 0)} "
                f"or {email}. Thanks, {name}")
        subject = f"Please add {colleague} as an admin"
        plan.tickets = [fixed_ticket(rng, c, "2026-06-05T11:00:00Z", "normal", "open", subject, body)]
    elif cid == 54:
        phone = format_phone(phone_digits, 1)
        body = f"Our dashboards are down for everyone. Call me back at {phone} as soon as possible. {name}"
        subject = f"Urgent: call me back at {phone}"
        plan.tickets = [fixed_ticket(rng, c, "2026-06-18T07:45:00Z", "urgent", "open", subject, body)]
    elif cid == 55:
        body = (f"Good morning,\n\nthe Salesforce sync stopped on Friday. My direct line is "
                f"{format_phone(phone_digits, 2)}.\n\nCheers,\n{name}")
        plan.tickets = [fixed_ticket(rng, c, "2026-06-11T16:20:00Z", "high", "pending", "Salesforce sync stopped",
                                     body)]
    elif cid == 56:
        plan.tickets = [
            fixed_ticket(rng, c, "2026-06-15T10:00:00Z", "normal", "solved", "Invoice copy needed",
                         closed="2026-06-16T09:00:00Z"),
            fixed_ticket(rng, c, "2026-07-01T03:10:00Z", "urgent", "open", "Site down after midnight"),  # after A
        ]
    elif cid == 57:
        plan.tickets = [
            fixed_ticket(rng, c, "2026-05-02T08:00:00Z", "low", "closed", "Logo upload fails",
                         closed="2026-05-03T08:00:00Z"),
            fixed_ticket(rng, c, "2026-06-10T12:00:00Z", "normal", "solved", "Export times out",
                         closed="2026-06-11T12:00:00Z"),
            fixed_ticket(rng, c, "2026-06-25T10:00:00Z", "high", "open", "SSO login loop"),
            # the same instant as "SSO login loop": ticket_id breaks the tie
            fixed_ticket(rng, c, "2026-06-25T10:00:00Z", "HIGH", "Pending", "Webhook retries"),
            fixed_ticket(rng, c, "2026-06-28T09:30:00Z", "urgent", "open", "API returns 500"),
        ]
    elif cid == 58:
        plan.tickets = [
            old,
            fixed_ticket(rng, c, "2026-04-01T12:00:00Z", "normal", "closed", "Ninety days ago",
                         closed="2026-04-02T12:00:00Z", opened_raw="01.04.2026"),  # A - date = 90: left out
            fixed_ticket(rng, c, "2026-04-02T12:00:00Z", "low", "solved", "Eighty-nine days ago",
                         closed="2026-04-03T12:00:00Z", opened_raw="04/02/2026"),  # A - date = 89: kept
        ]
    else:  # 59: only an old ticket: "No support tickets in the last 90 days."
        plan.tickets = [old]
    return plan
