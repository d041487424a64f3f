"""A hard cap on work, counted: vies/matching.py spends it on placements, vies/splitting.py
shares one across a whole split (issue 24: adversarial VIES texts took seconds to minutes)."""

from __future__ import annotations


class Budget:
    """Work allowed to matching (placements examined, splits tried), counted, so a caller
    (vies/splitting.py) can share one cap across many comparisons and tests can read it."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0

    def take(self, amount: int = 1) -> bool:
        """Spend `amount`; False (nothing spent) once the cap would be passed."""
        if self.used + amount > self.limit:
            self.used = self.limit
            return False
        self.used += amount
        return True

    @property
    def exhausted(self) -> bool:
        return self.used >= self.limit
