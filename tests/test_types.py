"""The type check `make test` runs: mypy as configured in pyproject.toml ([tool.mypy]).

Strict on the typed core (core, workflows, activities, vies, nav, payments, invoicing,
workerapp), default options on webapp. A failure prints mypy's own report.
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_mypy_is_clean() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-error-summary", "--show-error-codes"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, f"mypy found errors:\n{result.stdout}{result.stderr}"
