"""Forced edge cases at fixed customer ids (the tests rely on them): customer_id -> builder."""

from __future__ import annotations

import random
from collections.abc import Callable

from raw_data.entities import Plan
from raw_data.forced_billing import FORCED_ORDERS, FORCED_SUBSCRIPTIONS, forced_orders, forced_subscriptions
from raw_data.forced_health import (
    forced_churned, forced_date_format_showcase, forced_high_score_superseded, forced_last_login_30_days,
    forced_last_login_31_days, forced_login_after_as_of, forced_no_logins, forced_no_score, forced_prospect,
    forced_score_after_as_of, forced_score_exactly_threshold, forced_score_just_above_threshold,
    forced_score_late_on_as_of,
)
from raw_data.forced_quarantine import (
    forced_duplicates, forced_invalid_dates, forced_invalid_numbers, forced_missing_required_fields, forced_orphans,
    forced_out_of_range, forced_unknown_categories,
)
from raw_data.forced_support import forced_tickets


# customer_id -> builder. In short (details and expected values next to each builder):
#   1-6 every date of the customer in one format (ISO date, ISO T/Z, ISO space, US slash, EU dot, epoch);
#   7 churned, 8 prospect; 11-20 health boundaries; 21-29 subscriptions/ARR; 31-36 orders and payments;
#   41-50 quarantine reasons; 51-59 support tickets.
FORCED_CASES: dict[int, Callable[[random.Random, int], Plan]] = {
    **dict.fromkeys(range(1, 7), forced_date_format_showcase),
    7: forced_churned,
    8: forced_prospect,
    11: forced_score_exactly_threshold,
    12: forced_score_just_above_threshold,
    13: forced_last_login_30_days,
    14: forced_last_login_31_days,
    15: forced_no_logins,
    16: forced_no_score,
    17: forced_login_after_as_of,
    18: forced_score_after_as_of,
    19: forced_high_score_superseded,
    20: forced_score_late_on_as_of,
    **{cid: forced_subscriptions(subs) for cid, subs in FORCED_SUBSCRIPTIONS.items()},
    **dict.fromkeys(FORCED_ORDERS, forced_orders),
    41: forced_missing_required_fields,
    42: forced_missing_required_fields,
    43: forced_invalid_numbers,
    44: forced_invalid_numbers,
    45: forced_invalid_dates,
    46: forced_out_of_range,
    47: forced_unknown_categories,
    48: forced_orphans,
    49: forced_duplicates,
    50: forced_duplicates,
    **dict.fromkeys(range(51, 60), forced_tickets),
}
