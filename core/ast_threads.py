"""One lock around building Python AST objects, on CPython before 3.12.

CPython 3.11 keeps the AST converter's recursion depth in one counter per interpreter
(python/cpython#106905, fixed in 3.12), so two threads converting ASTs at once can fail with
"SystemError: AST constructor recursion depth mismatch". Our processes do exactly that:
werkzeug compiles every URL rule with ast.parse and compile(tree) while an app is created,
and Python 3.11's traceback module calls ast.parse for each frame it formats, so a worker
thread logging a failed activity races an app being built (seen once in a full test run:
the app's creation failed). No library covers it; the lock costs nothing measurable, since
both happen only at start-up or while formatting a traceback.
"""

from __future__ import annotations

import ast
import builtins
import sys
import threading
from typing import Any

_LOCK = threading.RLock()
_MARK = "_aos_one_thread_at_a_time"


def install() -> None:
    """Idempotent; nothing to do on 3.12 and newer."""
    if sys.version_info >= (3, 12) or getattr(ast.parse, _MARK, False):
        return
    original_parse, original_compile = ast.parse, builtins.compile

    def parse(*args: Any, **kwargs: Any) -> Any:
        with _LOCK:
            return original_parse(*args, **kwargs)

    def compile_(source: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(source, ast.AST):  # the AST objects' converter, the other side
            with _LOCK:
                return original_compile(source, *args, **kwargs)
        return original_compile(source, *args, **kwargs)

    setattr(parse, _MARK, True)
    ast.parse = parse  # type: ignore[assignment]
    builtins.compile = compile_  # type: ignore[assignment]
