"""Building Python AST objects one at a time, on CPython before 3.12.

CPython 3.11 keeps the AST converter's recursion depth in one counter per interpreter
(python/cpython#106905, fixed in 3.12): a second conversion that starts inside the first
fails the first with "SystemError: AST constructor recursion depth mismatch". Werkzeug
converts ASTs for every URL rule while an app is created; Python 3.11's traceback module
calls ast.parse for each frame it formats. The second one arrives from another thread (a
worker thread logging a failed activity) or from the same thread: the converter allocates,
the cyclic garbage collector runs, and a finalizer such as asyncio's "Future exception was
never retrieved" logs a traceback (seen twice in full test runs, creating an app). So: a lock
against the other threads, and the cyclic collector paused for the conversion against the
finalizers. No library covers it; both happen only at start-up or while formatting a
traceback, so the cost is not measurable.
"""

from __future__ import annotations

import ast
import builtins
import gc
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

_LOCK = threading.RLock()
_MARK = "_aos_one_thread_at_a_time"


@contextmanager
def _alone() -> Iterator[None]:
    """No other thread converting, and no finalizer starting a conversion inside this one."""
    with _LOCK:
        collecting = gc.isenabled()
        gc.disable()
        try:
            yield
        finally:
            if collecting:
                gc.enable()


def install() -> None:
    """Idempotent; nothing to do on 3.12 and newer."""
    if sys.version_info >= (3, 12) or getattr(ast.parse, _MARK, False):
        return
    # Plain callables: the patches pass every argument through, whatever the overload.
    original_parse: Callable[..., Any] = ast.parse
    original_compile: Callable[..., Any] = builtins.compile

    def parse(*args: Any, **kwargs: Any) -> Any:
        with _alone():
            return original_parse(*args, **kwargs)

    def compile_(source: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(source, ast.AST):  # the AST objects' converter, the other side
            with _alone():
                return original_compile(source, *args, **kwargs)
        return original_compile(source, *args, **kwargs)

    setattr(parse, _MARK, True)
    ast.parse = parse
    builtins.compile = compile_
