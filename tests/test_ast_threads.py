"""core/ast_threads.py: building AST objects takes turns between threads (CPython 3.11's
converter keeps one recursion-depth counter for all of them, python/cpython#106905)."""

from __future__ import annotations

import ast
import gc
import sys
import threading
import traceback

import pytest
from werkzeug.routing import Map, Rule

from core import ast_threads

pytestmark = pytest.mark.skipif(sys.version_info >= (3, 12), reason="fixed in CPython 3.12")


def test_what_uses_the_ast_still_works() -> None:
    ast_threads.install()
    ast_threads.install()  # a second call changes nothing
    assert ast.literal_eval("1.5") == 1.5  # Jinja's lexer, for float literals
    namespace: dict[str, object] = {}
    exec(compile(ast.parse("x = 1 + 2"), "<test>", "exec"), namespace)
    assert namespace["x"] == 3
    urls = Map([Rule("/status/<token>", endpoint="status")]).bind("aos.test")
    assert urls.build("status", {"token": "abc"}) == "/status/abc"
    try:
        {"a": 1}["b"]
    except KeyError:
        assert "KeyError" in traceback.format_exc()


def test_a_thread_building_an_ast_waits_for_the_one_that_is() -> None:
    ast_threads.install()
    order: list[str] = []
    started = threading.Event()

    def other_thread() -> None:
        started.set()
        ast.parse("y = 2")  # a werkzeug rule, a traceback's caret line …
        order.append("other thread parsed")

    with ast_threads._LOCK:  # this thread is in the middle of one
        thread = threading.Thread(target=other_thread)
        thread.start()
        assert started.wait(5)
        order.append("first one done")
    thread.join(5)
    assert order == ["first one done", "other thread parsed"]


def test_a_finalizer_parsing_during_a_conversion_does_not_break_it() -> None:
    # The collector runs while the converter allocates; a finalizer that formats a traceback
    # (asyncio's "exception was never retrieved") parses again inside the conversion. Before
    # the collector was paused this failed with "AST constructor recursion depth mismatch".
    ast_threads.install()

    class Garbage:
        def __init__(self) -> None:
            self.cycle = self

        def __del__(self) -> None:
            def deeper(n: int) -> object:
                return ast.parse("x = 1") if n == 0 else deeper(n - 1)

            deeper(30)

    source = "x = [" + ", ".join(f"f{i}(a, b={i})" for i in range(2000)) + "]\n"
    threshold = gc.get_threshold()
    gc.set_threshold(10)
    try:
        for _ in range(20):
            for _ in range(20):
                Garbage()
            ast.parse(source)
    finally:
        gc.set_threshold(*threshold)
        gc.collect()
