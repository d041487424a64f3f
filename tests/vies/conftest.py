"""Fixtures for the VIES package: the stand-in served over real HTTP."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator

import httpx
import pytest
from flask import Flask
from werkzeug.serving import make_server

from vies.standin import serve_in_thread


@pytest.fixture(scope="module")
def standin_server() -> Iterator[str]:
    base_url, stop = serve_in_thread()
    yield base_url
    stop()


@pytest.fixture
def standin(standin_server: str) -> Iterator[str]:
    """The stand-in's base URL, reset before and after each test."""
    httpx.post(f"{standin_server}/_control/reset")
    yield standin_server
    httpx.post(f"{standin_server}/_control/reset")


@pytest.fixture
def closed_port() -> int:
    """A port nothing listens on (bound once to find it free, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def serve_app() -> Iterator[Callable[[Flask], str]]:
    """Serve any small Flask app over HTTP, for answers the stand-in never gives."""
    stops: list[Callable[[], None]] = []

    def serve(app: Flask) -> str:
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        thread.start()

        def stop() -> None:
            server.shutdown()
            server.server_close()
            thread.join(timeout=5)

        stops.append(stop)
        return f"http://127.0.0.1:{server.server_port}"

    yield serve
    for stop in stops:
        stop()
