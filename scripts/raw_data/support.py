"""Source system `support`: tickets with their subjects and bodies, PII and prompt-injection text included
(support_tickets)."""

from __future__ import annotations

import random

from raw_data.draws import between, chance, pick
from raw_data.entities import Customer, Ticket
from raw_data.rendering import format_phone, render_customer_id, render_date, vary_case
from raw_data.timeline import AS_OF, AS_OF_END, DAY, HOUR, WINDOW_END
from raw_data.vocabulary import (
    AREA_CODES, FIRST_NAMES, LAST_NAMES, OLD_TICKET_STATUSES, PRIORITIES, PROMPT_INJECTIONS, RECENT_TICKET_STATUSES,
    TICKET_COUNT,
)


# (subject, problem sentences). {inv}, {n}, {email}, {phone}, {product} are filled in.
TICKET_TOPICS = (
    ("Invoice {inv} charged twice", "Our finance team noticed that invoice {inv} was charged twice on our card. "
     "Could you refund the duplicate charge and confirm once it is done?"),
    ("Question about invoice {inv}", "The amount on invoice {inv} does not match the quote we signed. "
     "We expected the discount for {n} seats to apply."),
    ("Cannot log in after SSO change", "Since we switched our identity provider yesterday, {n} of our users get "
     "a redirect loop when they sign in. Nothing changed on our side besides the metadata URL."),
    ("Password reset email never arrives", "Several users requested a password reset but the email never shows "
     "up, not even in spam. Could you check whether our domain is blocked?"),
    ("Dashboard export times out", "Exporting the revenue dashboard to CSV fails with a timeout after about "
     "{n} seconds. Smaller date ranges work fine."),
    ("CSV import fails on row 1,204", "The bulk import stops at row 1,204 with 'unexpected value'. The file is "
     "UTF-8 and the same template worked last month."),
    ("Charts show no data since the update", "Since this morning's release, the usage charts are empty for all "
     "workspaces, although the raw numbers are still there in the table view."),
    ("Feature request: scheduled reports", "We would love to schedule the weekly summary report and send it to a "
     "distribution list every Monday morning."),
    ("Salesforce sync stopped", "The Salesforce sync has not run for {n} days. The connection test passes, but "
     "no records are updated."),
    ("Webhook retries flooding our endpoint", "We received the same webhook event more than {n} times in an hour. "
     "Our endpoint answered 200 each time."),
    ("Downgrade request", "Budget is tight this quarter, so we would like to move to a smaller plan at the next "
     "renewal. What are our options?"),
    ("Considering cancelling at renewal", "Adoption across our teams has been low and leadership is asking "
     "whether we should renew. Could someone walk us through what we are not using?"),
    ("App very slow for EU users", "Our colleagues in Europe report page loads of {n} seconds or more in the "
     "afternoon. US users do not see this."),
    ("2FA codes rejected on the mobile app", "Codes from the authenticator app are rejected on the iOS app, "
     "while they work on the web."),
)
SUBJECTS_WITH_EMAIL = (
    "Please add {email} as an admin",
    "Remove former employee {email}",
    "Update billing contact to {email}",
    "Password reset not arriving for {email}",
)
SUBJECTS_WITH_PHONE = ("Call me back at {phone}", "Urgent: outage, call {phone}")
GREETINGS = ("Hi team,", "Hello,", "Hi {owner},", "Dear support,", "Good morning,")
CONTACT_LINES = (
    "You can reach me at {phone} or {email}.",
    "Please call me on {phone} if anything is unclear.",
    "Reply to {email} and cc {colleague}, who owns this on our side.",
    "My direct line is {phone}; email {email} also works.",
    "Our IT contact is {colleague} ({colleague_phone}).",
    "",
    "",
)
SIGN_OFFS = ("Thanks,", "Best regards,", "Cheers,", "Thank you,")


def ticket_text(rng: random.Random, customer: Customer, injection: str | None = None) -> tuple[str, str]:
    """A realistic subject and body; bodies carry e-mails and phone numbers in the three spec formats."""
    colleague = f"{pick(rng, FIRST_NAMES)}.{pick(rng, LAST_NAMES)}@{customer.domain}".lower()
    values = {
        "inv": f"INV-{between(rng, 1000, 9999)}",
        "n": between(rng, 3, 40),
        "email": customer.contact_email if chance(rng, 0.7) else colleague,
        "colleague": colleague,
        "phone": format_phone(customer.phone_digits, between(rng, 0, 2)),
        "colleague_phone": format_phone(f"{pick(rng, AREA_CODES)}5550{between(rng, 100, 199)}", between(rng, 0, 2)),
        "owner": customer.account_owner.split()[0],
    }
    subject, problem = pick(rng, TICKET_TOPICS)
    roll = rng.random()
    if roll < 0.08:
        subject = pick(rng, SUBJECTS_WITH_EMAIL)
    elif roll < 0.11:
        subject = pick(rng, SUBJECTS_WITH_PHONE)
    sentences = [pick(rng, GREETINGS), problem]
    if injection:
        sentences.append(injection)
    contact_line = pick(rng, CONTACT_LINES)
    if contact_line:
        sentences.append(contact_line)
    signature = f"{customer.contact_first} {customer.contact_last}"
    if chance(rng, 0.4):  # e-mail style with line breaks
        body = "\n\n".join(sentences) + f"\n\n{pick(rng, SIGN_OFFS)}\n{signature}"
    else:
        body = " ".join(sentences) + f" {pick(rng, SIGN_OFFS)} {signature}"
    return subject.format(**values), body.format(**values)


def make_ticket(rng: random.Random, customer: Customer, opened_at: int, injection: str | None = None) -> Ticket:
    recent = AS_OF_END - opened_at < 14 * DAY
    status = (RECENT_TICKET_STATUSES if recent else OLD_TICKET_STATUSES).pick(rng)
    closed_at = None
    if status in ("solved", "closed"):
        closed_at = min(opened_at + between(rng, HOUR, 10 * DAY), WINDOW_END)
    subject, body = ticket_text(rng, customer, injection)
    return Ticket(opened_at, closed_at, PRIORITIES.pick(rng), status, subject, body)


def random_tickets(rng: random.Random, customer: Customer) -> list[Ticket]:
    tickets = []
    end = min(customer.active_until, AS_OF_END)
    for _ in range(TICKET_COUNT[customer.status].pick(rng)):
        if customer.status == "active" and chance(rng, 0.4):
            opened_at = between(rng, max(customer.created_at, AS_OF - 89 * DAY), end)  # the summary's window
        else:
            opened_at = between(rng, customer.created_at, end)
        injection = pick(rng, PROMPT_INJECTIONS) if chance(rng, 0.004) else None
        tickets.append(make_ticket(rng, customer, opened_at, injection))
    tickets.sort(key=lambda ticket: ticket.opened_at)
    return tickets


def ticket_row(rng: random.Random, c: Customer, number: int, t: Ticket) -> dict:
    return {
        "ticket_id": f"tkt_{number}",
        "customer_id": render_customer_id(rng, c.cid),
        "opened_at": render_date(rng, c, t.opened_at),
        "closed_at": "" if t.closed_at is None else render_date(rng, c, t.closed_at),
        "priority": vary_case(rng, t.priority, 0.12),
        "status": vary_case(rng, t.status, 0.12),
        "subject": t.subject,
        "body": t.body,
    }
