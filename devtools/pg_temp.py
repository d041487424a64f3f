"""A throw-away PostgreSQL server: Debian's `initdb`/`pg_ctl` into a temporary directory, on
a free port of 127.0.0.1, trust authentication, no Unix socket outside that directory.

`make chaos --db postgresql` and `make fuzz` use it so that no shared server is touched:
the cluster lives and dies with the run (stopped and removed at the end whatever happens,
including on SIGTERM/SIGINT of the CLI). As root (the CI container), the server runs as the
`postgres` system user, since PostgreSQL refuses to run as root.

    with temp_postgres() as pg:   # pg.url: postgresql+psycopg://postgres@127.0.0.1:PORT/aos
        pg.stop(); pg.start()     # a restart fault on the same data directory

    python -m devtools.pg_temp [--env TEST_DATABASE_URL] -- COMMAND ...
"""

from __future__ import annotations

import argparse
import atexit
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SUPERUSER = "postgres"
DATABASE = "aos"
# Speed, not durability against a power cut: a process crash (the faults make chaos injects)
# loses nothing with fsync off, only an operating-system crash would.
SERVER_SETTINGS = ("fsync=off", "full_page_writes=off", "max_connections=200")


class PostgresNotFound(RuntimeError):
    """No `initdb`/`pg_ctl` on this machine."""


def find_bin_dir() -> Path:
    """The directory holding `initdb` and `pg_ctl`: $PG_BIN, else the newest
    /usr/lib/postgresql/<version>/bin (Debian's layout), else the one on PATH."""
    candidates = [Path(os.environ["PG_BIN"])] if os.environ.get("PG_BIN") else []
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
        reverse=True,
    )
    candidates += versions
    on_path = shutil.which("pg_ctl")
    if on_path:
        candidates.append(Path(on_path).parent)
    for directory in candidates:
        if (directory / "initdb").is_file() and (directory / "pg_ctl").is_file():
            return directory
    raise PostgresNotFound(
        "PostgreSQL's initdb/pg_ctl were not found (apt-get install postgresql, or set PG_BIN)"
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run_as() -> str | None:
    """The system user to run the server as: none needed unless we are root."""
    if os.geteuid() != 0:
        return None
    for name in (SUPERUSER, "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    raise RuntimeError("running as root and neither a postgres nor a nobody user exists")


class TempPostgres:
    """One temporary cluster. `start()` creates it on first use; `close()` removes it."""

    def __init__(self, database: str = DATABASE, bin_dir: Path | None = None) -> None:
        self.bin_dir = bin_dir or find_bin_dir()
        self.database = database
        self.user = _run_as()
        self.root = Path(tempfile.mkdtemp(prefix="aos-pg-"))
        self.data_dir = self.root / "data"
        self.log_file = self.root / "server.log"
        self.port = free_port()
        self._initialised = False
        if self.user is not None:
            entry = pwd.getpwnam(self.user)
            os.chown(self.root, entry.pw_uid, entry.pw_gid)

    @property
    def url(self) -> str:
        """SQLAlchemy URL of the database (psycopg 3 driver)."""
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{self.database}"

    def _run(self, *argv: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.bin_dir / argv[0]), *argv[1:]],
            user=self.user,
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            env={**os.environ, "LC_ALL": "C.UTF-8", "PGTZ": "UTC"},
        )

    def _check(self, what: str, result: subprocess.CompletedProcess[str]) -> None:
        if result.returncode != 0:
            tail = (
                self.log_file.read_text(errors="replace")[-2000:] if self.log_file.exists() else ""
            )
            raise RuntimeError(f"{what} failed ({result.returncode}): {result.stderr}\n{tail}")

    def _init(self) -> None:
        argv = ["initdb", "-D", str(self.data_dir), "-U", SUPERUSER, "--auth=trust"]
        self._check("initdb", self._run(*argv, "-E", "UTF8", "--no-sync"))
        self._initialised = True

    def start(self, attempts: int = 3) -> None:
        """Start the server and wait until it accepts connections (creating the cluster and
        the database the first time). The port is kept across restarts; if another process
        took it before the first start, a new free port is tried."""
        first = not self._initialised
        if first:
            self._init()
        for attempt in range(attempts):
            options = f"-p {self.port} -c listen_addresses=127.0.0.1"
            options += f" -c unix_socket_directories={self.root}"
            options += "".join(f" -c {setting}" for setting in SERVER_SETTINGS)
            argv = ["pg_ctl", "start", "-w", "-t", "60", "-D", str(self.data_dir)]
            result = self._run(*argv, "-l", str(self.log_file), "-o", options)
            if result.returncode == 0:
                break
            if not first or attempt == attempts - 1:
                self._check("pg_ctl start", result)
            self.port = free_port()  # lost a race for the port: another one
        if first:
            self._check("createdb", self._run("createdb", *self._conn(), self.database))

    def _conn(self) -> list[str]:
        return ["-h", "127.0.0.1", "-p", str(self.port), "-U", SUPERUSER]

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (`fast`: roll back open transactions and disconnect clients;
        `immediate`: as a crash, recovery on the next start). The data directory stays."""
        if self.running():
            self._check(
                "pg_ctl stop",
                self._run("pg_ctl", "stop", "-w", "-m", mode, "-D", str(self.data_dir)),
            )

    def running(self) -> bool:
        if not self._initialised or not self.data_dir.is_dir():
            return False
        return self._run("pg_ctl", "status", "-D", str(self.data_dir), timeout=30).returncode == 0

    def accepts_connections(self) -> bool:
        return self._run("pg_isready", *self._conn(), "-t", "2", timeout=10).returncode == 0

    def close(self) -> None:
        """Stop the server (killing it if it will not stop) and remove every file."""
        try:
            self.stop("immediate")
        except (RuntimeError, subprocess.TimeoutExpired):
            self._kill_postmaster()
        shutil.rmtree(self.root, ignore_errors=True)

    def _kill_postmaster(self) -> None:
        try:
            pid = int((self.data_dir / "postmaster.pid").read_text().split()[0])
            os.kill(pid, signal.SIGKILL)
        except (OSError, ValueError, IndexError):
            pass


@contextmanager
def temp_postgres(database: str = DATABASE) -> Iterator[TempPostgres]:
    """A started temporary server for the `with` block; removed afterwards, and at interpreter
    exit should the block never end normally."""
    pg = TempPostgres(database)
    atexit.register(pg.close)
    try:
        pg.start()
        yield pg
    finally:
        pg.close()
        atexit.unregister(pg.close)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.pg_temp", description=__doc__)
    parser.add_argument("--env", default="DATABASE_URL", help="variable to put the URL in")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- COMMAND [ARGS...]")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give a command after --")
    # A SIGTERM/SIGINT becomes an exception, so the `with` block removes the cluster.
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, _raise_interrupt)
    with temp_postgres() as pg:
        print(f"pg_temp {pg.url} {pg.root}", file=sys.stderr, flush=True)
        child = subprocess.Popen(command, env={**os.environ, args.env: pg.url})
        try:
            return child.wait()
        except KeyboardInterrupt:
            child.terminate()
            child.wait(30)
            return 130


def _raise_interrupt(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(signum)


if __name__ == "__main__":
    sys.exit(main())
