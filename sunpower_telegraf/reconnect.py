"""Reconnecting, in the shape the `websockets` library gives its own client: a loop that yields
one connection at a time (`connections`), one function that says whether a failure is worth
another try (`process_exception`: None to retry, the exception to give up), and the delays
between tries (`backoff`: doubling from `initial` up to `maximum`, each within +-25 %, so that
many clients do not retry in step). The waiting is the caller's (`wait`, which says whether to
stop), so every rule runs on a fake clock in tests.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable, Iterator
from typing import TypeVar

T = TypeVar("T")


def backoff_delay(attempt: int, initial: float, maximum: float, rng: random.Random) -> float:
    """The delay before try `attempt` (0 first): `initial` x 2^attempt up to `maximum`, +-25 %,
    never under `initial` nor over `maximum`."""
    ceiling = min(maximum, initial * 2.0 ** min(attempt, 40))
    return min(maximum, max(initial, ceiling * rng.uniform(0.75, 1.25)))


def backoff(initial: float, maximum: float, rng: random.Random) -> Iterator[float]:
    """The delays between tries, for ever."""
    for attempt in itertools.count():
        yield backoff_delay(attempt, initial, maximum, rng)


def connections(
    connect: Callable[[], T],
    *,
    process_exception: Callable[[Exception], Exception | None],
    delays: Callable[[], Iterator[float]],
    wait: Callable[[float], bool],
    failed: Callable[[Exception, float], None] = lambda exc, delay: None,
    healthy: Callable[[T], bool] = lambda connection: True,
) -> Iterator[T]:
    """Each connection `connect()` makes, one at a time, until `wait` says stop (True).

    A failure that `process_exception` gives back ends the loop with that exception; any other
    is reported to `failed` with the delay before the next try (at least the `wait` seconds the
    exception asks for, as a login spaced by the session does). After a connection ends, the
    next try comes after the next delay too; a connection that was `healthy` (it gave frames)
    starts the delays again from the first."""
    attempts: Iterator[float] | None = None
    while True:
        try:
            connection = connect()
        except Exception as exc:
            fatal = process_exception(exc)
            if fatal is not None:
                raise fatal from None
            attempts = attempts or delays()
            delay = max(next(attempts), float(getattr(exc, "wait", 0.0)))
            failed(exc, delay)
            if wait(delay):
                return
            continue
        yield connection
        if healthy(connection):
            attempts = None
        attempts = attempts or delays()
        if wait(next(attempts)):
            return
