"""Python's cycle collector paused for a block that makes many objects and few cycles.

Grading a class makes tens of thousands of verdicts and rows, none of them in a cycle; each full
collection would walk every object of the process (a large class's rows, sympy's caches) for
nothing.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def cycle_collection_paused() -> Iterator[None]:
    """The cycle collector off in the block, and back as it was after it (also when the block raises)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
