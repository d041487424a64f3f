"""The throw-away PostgreSQL server `make chaos` and `make fuzz` start for themselves."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import create_engine, text

from devtools.pg_temp import TempPostgres, temp_postgres

REPO = Path(__file__).resolve().parents[2]


def _plain(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def test_a_restart_keeps_the_data_and_the_port_and_close_removes_everything() -> None:
    with temp_postgres() as pg:
        engine = create_engine(pg.url)
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE kept (n int)"))
            conn.execute(text("INSERT INTO kept VALUES (7)"))
        engine.dispose()
        port, root = pg.port, pg.root

        pg.stop()
        assert not pg.accepts_connections()
        with pytest.raises(psycopg.OperationalError):
            psycopg.connect(_plain(pg.url), connect_timeout=3)

        pg.start()
        assert pg.port == port
        with psycopg.connect(_plain(pg.url)) as conn:
            assert conn.execute("SELECT n FROM kept").fetchone() == (7,)
    assert not root.exists()
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(_plain(pg.url), connect_timeout=3)


def test_an_immediate_stop_is_a_crash_the_next_start_recovers_from() -> None:
    pg = TempPostgres()
    try:
        pg.start()
        with psycopg.connect(_plain(pg.url), autocommit=True) as conn:
            conn.execute("CREATE TABLE t (n int)")
            conn.execute("INSERT INTO t VALUES (1)")
        pg.stop("immediate")
        pg.start()
        with psycopg.connect(_plain(pg.url)) as conn:
            assert conn.execute("SELECT count(*) FROM t").fetchone() == (1,)
    finally:
        pg.close()
    assert not pg.root.exists() and not pg.running()


def test_the_cli_hands_the_url_to_the_command_and_returns_its_status(tmp_path: Path) -> None:
    out = tmp_path / "url"
    script = f"import os, pathlib; pathlib.Path({str(out)!r}).write_text(os.environ['MY_URL'])"
    check = "import psycopg, os; psycopg.connect(os.environ['MY_URL'].replace('+psycopg', ''))"
    argv = [sys.executable, "-m", "devtools.pg_temp", "--env", "MY_URL", "--"]
    done = subprocess.run(
        [*argv, sys.executable, "-c", f"{script}; {check}; raise SystemExit(3)"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 3, done.stderr
    url = out.read_text()
    assert url.startswith("postgresql+psycopg://postgres@127.0.0.1:")
    with pytest.raises(psycopg.OperationalError):  # stopped once the command ended
        psycopg.connect(_plain(url), connect_timeout=3)


def test_a_terminated_cli_still_removes_its_server() -> None:
    argv = [sys.executable, "-m", "devtools.pg_temp", "--", sys.executable, "-c", "input()"]
    with subprocess.Popen(
        argv, cwd=REPO, stdin=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as cli:
        assert cli.stderr is not None
        _, url, root = cli.stderr.readline().split()  # "pg_temp URL ROOT", once it is up
        psycopg.connect(_plain(url)).close()
        assert Path(root, "data", "postmaster.pid").exists()
        os.kill(cli.pid, signal.SIGTERM)
        assert cli.wait(60) == 130
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(_plain(url), connect_timeout=3)
    assert not Path(root).exists()
