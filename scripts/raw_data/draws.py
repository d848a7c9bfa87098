"""Random draws: every draw comes from the customer's own random.Random, so a customer's rows depend only on
(seed, customer_id)."""

from __future__ import annotations

import random
from bisect import bisect_right
from collections.abc import Sequence


# Random helpers. Only Random.random() is used: its sequence is stable across Python versions, unlike the
# convenience methods whose algorithms have changed over time.
def pick(rng: random.Random, seq: Sequence):
    return seq[int(rng.random() * len(seq))]


def between(rng: random.Random, lo: int, hi: int) -> int:
    """A uniform int in [lo, hi]; lo when the range is empty."""
    if hi <= lo:
        return lo
    return lo + int(rng.random() * (hi - lo + 1))


def chance(rng: random.Random, p: float) -> bool:
    return rng.random() < p


class Weighted:
    """A fixed discrete distribution: Weighted([(value, weight), ...]).pick(rng)."""

    __slots__ = ("values", "cumulative", "total")

    def __init__(self, pairs: Sequence[tuple[object, float]]):
        self.values = [value for value, _ in pairs]
        self.cumulative = []
        running = 0.0
        for _, weight in pairs:
            running += weight
            self.cumulative.append(running)
        self.total = running

    def pick(self, rng: random.Random):
        return self.values[bisect_right(self.cumulative, rng.random() * self.total)]
