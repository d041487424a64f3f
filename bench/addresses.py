"""The VIES address split and match on issue 24's adversarial texts, as a ratio to a real
address's split in the same run (vies/splitting.py, vies/matching.py: both bounded)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from vies.matching import address_mismatches
from vies.splitting import split_address

REALISTIC = ("HU", "Váci út 22.\n1132 Budapest")
ADVERSARIAL: dict[str, Callable[[], object]] = {
    "comma_a_20": lambda: split_address("HU", "A," * 20),
    "comma_a_50": lambda: split_address("HU", "A," * 50),
    "comma_a_100": lambda: split_address("HU", "A," * 100),
    "at_lines_20": lambda: split_address("AT", "1000 A\n" * 20),
    "at_lines_12": lambda: split_address("AT", "1000 A\n" * 12),  # under the unit cap
    "comma_a_12": lambda: split_address("HU", "A," * 12),  # under the unit cap
    "match_400_tokens": lambda: address_mismatches("HU", "A", "1000", "A", " ".join(["A"] * 400)),
}


def _ms(action: Callable[[], object], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def figures(rounds: int = 9) -> dict[str, float]:
    """Median milliseconds of each text, and each ÷ the realistic split's."""
    real = _ms(lambda: split_address(*REALISTIC), rounds)
    result = {"realistic_ms": real}
    for name, action in ADVERSARIAL.items():
        took = _ms(action, rounds)
        result[f"{name}_ms"] = took
        result[f"{name}_ratio"] = took / real
    result["worst_ms"] = max(
        v for k, v in result.items() if k.endswith("_ms") and k != "realistic_ms"
    )
    return result
