"""Poll a condition with a timeout, instead of sleeping for a guessed time."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

__all__ = ["wait_until"]

T = TypeVar("T")


def wait_until(probe: Callable[[], T], done: Callable[[T], object] = bool, *,
               timeout: float = 10.0, interval: float = 0.05) -> T:
    """Call ``probe()`` until ``done(value)`` is true (by default: until the value is true) or
    ``timeout`` seconds have passed, ``interval`` seconds apart; return the last value.

    It never fails by itself: the test asserts on what it returns, so the failure says what
    was awaited (``assert page is not None, log``)."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if done(value) or time.monotonic() >= deadline:
            return value
        time.sleep(interval)
