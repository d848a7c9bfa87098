"""Source system `ml`: churn-risk scores written by a model (ml_churn_scores)."""

from __future__ import annotations

import random

from raw_data.draws import between, chance
from raw_data.entities import Customer, Score
from raw_data.rendering import render_customer_id, render_date, render_score
from raw_data.timeline import AS_OF_END, DAY, HOUR, MODEL_V32_FROM, midnight, utc
from raw_data.vocabulary import SCORE_COUNT


def random_score_days(rng: random.Random, customer: Customer, count: int) -> list[int]:
    """Distinct days, newest first: (customer_id, scored_at) is the natural key, even for date-only formats."""
    newest = min(customer.active_until, AS_OF_END) - between(rng, 0, 45) * DAY
    days = []
    for _ in range(count):
        if newest < customer.created_at:
            break
        days.append(midnight(newest))
        newest -= between(rng, 20, 45) * DAY
    return days


def random_scores(rng: random.Random, customer: Customer) -> list[Score]:
    status_key = customer.status
    days = random_score_days(rng, customer, SCORE_COUNT[status_key].pick(rng))
    scores = []
    for index, day in enumerate(days):
        scored_at = day + between(rng, 2 * HOUR, 4 * HOUR)  # the nightly batch
        if index == 0 and customer.health == "high_risk":
            hundredths = between(rng, 81, 99)
        elif index == 0 and customer.status == "active":
            hundredths = between(rng, 2, 80)
        elif customer.status == "churned":
            hundredths = between(rng, 40, 99)
        else:
            hundredths = between(rng, 2, 99)
        scores.append(Score(scored_at, hundredths))
    scores.reverse()  # oldest first, as a scoring log would be
    if customer.status == "active" and chance(rng, 0.02):
        scores.append(Score(utc(2026, 7, 1, 2) + between(rng, 0, 2 * HOUR), between(rng, 2, 99)))  # after as-of
    return scores


def score_row(rng: random.Random, c: Customer, s: Score) -> dict:
    return {
        "customer_id": render_customer_id(rng, c.cid),
        "churn_risk_score": render_score(rng, s.hundredths),
        "scored_at": render_date(rng, c, s.scored_at),
        "model_version": "churn-v3.2" if s.scored_at >= MODEL_V32_FROM else "churn-v3.1",
    }
