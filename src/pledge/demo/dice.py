"""Seeded random draws, cheap enough for millions of rows.

`random.Random.randrange` rejects and redraws to stay exactly uniform; for picking a street
or a minute that precision costs more than it buys. Each draw here takes one float from the
same Mersenne Twister, so a seed still fixes every value.
"""

from __future__ import annotations

import random
from bisect import bisect
from collections.abc import Sequence
from itertools import accumulate
from typing import Generic, TypeVar

T = TypeVar("T")


class Weighted(Generic[T]):
    """Values with weights, ready to draw from: `Weighted(("visa", 55), ("amex", 10))`."""

    def __init__(self, *choices: tuple[T, int]) -> None:
        self.values = tuple(value for value, _ in choices)
        self.bounds = tuple(accumulate(weight for _, weight in choices))


class Dice(random.Random):
    def below(self, start: int, stop: int | None = None) -> int:
        """A whole number in [0, start), or in [start, stop) when both are given."""
        if stop is None:
            start, stop = 0, start
        return start + int(self.random() * (stop - start))

    def between(self, low: int, high: int) -> int:
        """A whole number in [low, high], both ends included."""
        return low + int(self.random() * (high - low + 1))

    def pick(self, values: Sequence[T]) -> T:
        return values[int(self.random() * len(values))]

    def weighted(self, choices: Weighted[T]) -> T:
        return choices.values[bisect(choices.bounds, self.random() * choices.bounds[-1])]
