"""The database `make chaos` runs on, and its two faults: a restart, and 30 s of refusal.

- SQLite (default): a fresh file in the run's directory.
- PostgreSQL without `--db-url`: a server of the run's own (devtools/pg_temp.py), so both
  faults are real: a restart is `pg_ctl stop -m fast` + start; refusing is `pg_ctl stop -m
  immediate` (a crash: clients cut off, nothing listens, so every connection attempt is
  refused), 30 s later started again on the same data directory (crash recovery).
- PostgreSQL with `--db-url`: someone else's server; restarted only with `--pg-restart-cmd`,
  never made to refuse (the harness cannot and should not stop it).

SQLite has no server to refuse connections: opening the file always works. What it does have
is the lock: for 30 s the harness holds the write lock (`BEGIN EXCLUSIVE`; in WAL mode readers
go on), so no write in the web app or the workers gets through: each waits on its 30 s busy
timeout, and those that began early in the window fail with "database is locked".
"""

from __future__ import annotations

import sqlite3
import subprocess
import time
from pathlib import Path

from devtools.pg_temp import TempPostgres


class Database:
    def __init__(self, kind: str, workdir: Path, url: str = "", restart_cmd: str = "") -> None:
        self.kind, self.restart_cmd = kind, restart_cmd
        self.server: TempPostgres | None = None
        if kind == "sqlite":
            self.path: Path | None = workdir / "aos.db"
            self.url = f"sqlite:///{self.path}"
            self.label = "sqlite"
        elif url:
            self.path, self.url, self.label = None, url, "postgresql_given_url"
        else:
            self.server = TempPostgres(database="aos_chaos")
            self.server.start()
            self.path, self.url = None, self.server.url
            self.label = f"postgresql_own_server_{self.server.bin_dir.parent.name}"

    @property
    def can_restart(self) -> bool:
        return self.server is not None or bool(self.restart_cmd)

    @property
    def can_refuse(self) -> bool:
        return self.server is not None or self.path is not None

    def restart(self) -> None:
        if self.server is not None:
            self.server.stop("fast")
            self.server.start()
        elif self.restart_cmd:
            subprocess.run(self.restart_cmd, shell=True, check=True, timeout=120)  # noqa: S602

    def refuse(self, seconds: float) -> float:
        """Refuse for `seconds`; returns how long it really refused."""
        start = time.monotonic()
        if self.server is not None:
            self.server.stop("immediate")
            start = time.monotonic()
            time.sleep(seconds)
            self.server.start()
        elif self.path is not None:
            lock = sqlite3.connect(self.path, timeout=60, isolation_level=None)
            try:
                lock.execute("BEGIN EXCLUSIVE")  # waits for a writer already inside
                start = time.monotonic()
                time.sleep(seconds)
                lock.execute("ROLLBACK")
            finally:
                lock.close()
        return time.monotonic() - start

    def close(self) -> None:
        if self.server is not None:
            self.server.close()
            self.server = None
