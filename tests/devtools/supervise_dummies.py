"""Run the development supervisor over dummy processes (used by test_supervisor.py).

Usage: python supervise_dummies.py CONFIG.json, where the config holds ``specs`` (keyword
arguments for ProcessSpec) and ``stop_timeout``. Prints SUPERVISOR READY once started.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from devtools.supervisor import ProcessSpec, supervise  # noqa: E402


def main() -> int:
    config = json.loads(Path(sys.argv[1]).read_text())
    specs = [ProcessSpec(**{**s, "argv": tuple(s["argv"])}) for s in config["specs"]]
    return supervise(
        specs,
        env={"PATH": "/usr/bin:/bin", "PYTHONUNBUFFERED": "1"},
        cwd=Path.cwd(),
        on_ready=lambda: print("SUPERVISOR READY", flush=True),
        stop_timeout=config["stop_timeout"],
    )


if __name__ == "__main__":
    sys.exit(main())
