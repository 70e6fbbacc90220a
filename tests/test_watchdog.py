"""The websocket's timers and the reconnect policy, on a fake clock: every rule of
`watchdog.py` and `reconnect.py` with the times written out by hand (Telegraf's defaults: ping
30 s, checks at 5, 15, 35, 75 s, reconnect after 90 s of silence, backoff 1 s to 5 min)."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest

from sunpower_telegraf.reconnect import backoff, backoff_delay, connections
from sunpower_telegraf.watchdog import CHECK, NOTHING, PING, RECONNECT, RESUME, Watchdog


def dog(now: float = 1000.0, generation: int = 1) -> Watchdog:
    return Watchdog(now, generation, ping=30.0, check=5.0, silence=90.0)


def run(watchdog: Watchdog, until: float, start: float = 1000.0) -> list[tuple[float, str]]:
    """What falls due each second from `start` to `until`, done as soon as it is due (a check
    finds the same session)."""
    seen = []
    now = start
    while now <= until:
        action = watchdog.due(now, watchdog.generation)
        if action == PING:
            watchdog.pinged(now)
        elif action == CHECK:
            watchdog.checked()
        if action:
            seen.append((now - start, action))
        if action == RECONNECT:
            break
        now += 1.0
    return seen


def test_a_silent_socket_is_checked_at_5_15_35_75_s_pinged_and_left_at_90() -> None:
    assert run(dog(), 2000.0) == [
        (5.0, CHECK),
        (15.0, CHECK),
        (30.0, PING),
        (35.0, CHECK),
        (60.0, PING),
        (75.0, CHECK),
        (90.0, RECONNECT),
    ]


def test_a_frame_starts_the_checks_again() -> None:
    watchdog = dog()
    assert watchdog.due(1005.0, 1) == CHECK
    watchdog.checked()
    watchdog.frame(1012.0)
    assert watchdog.due(1016.9, 1) == NOTHING
    assert watchdog.due(1017.0, 1) == CHECK  # 5 s after the frame, not 15 s after the start
    assert watchdog.due(1101.9, 1) == CHECK  # (checks not made: still the first due)
    assert watchdog.due(1102.0, 1) == RECONNECT  # 90 s after the last frame


def test_frames_every_second_need_nothing_but_pings() -> None:
    watchdog = dog()
    seen = []
    for second in range(1, 200):
        now = 1000.0 + second
        watchdog.frame(now)
        action = watchdog.due(now, 1)
        if action == PING:
            watchdog.pinged(now)
        seen.append(action)
    assert [i + 1 for i, action in enumerate(seen) if action] == [30, 60, 90, 120, 150, 180]
    assert set(seen) == {NOTHING, PING}


def test_a_new_login_means_resume_then_a_frame_within_5_s() -> None:
    watchdog = dog()
    assert watchdog.due(1002.0, 2) == RESUME  # the device poll logged in anew
    watchdog.resumed(1002.0, 2)
    assert watchdog.due(1006.9, 2) == NOTHING  # no checks while waiting for the frame
    assert watchdog.due(1007.0, 2) == RECONNECT
    again = dog()
    again.resumed(1002.0, 2)
    again.frame(1003.0)
    assert again.due(1007.0, 2) == NOTHING  # it spoke: resumed
    assert again.due(1008.0, 2) == CHECK


def test_wait_is_the_time_to_the_next_rule() -> None:
    watchdog = dog()
    assert watchdog.wait(1000.0) == 5.0
    watchdog.checked()
    assert watchdog.wait(1005.0) == 10.0  # the check at 15 s
    watchdog.checked()
    watchdog.checked()
    assert watchdog.wait(1020.0) == 10.0  # the ping at 30 s comes before the check at 75 s
    watchdog.pinged(1070.0)
    watchdog.checked()  # past the check at 75 s: the silence at 90 s is next
    assert watchdog.wait(1080.0) == 10.0
    watchdog.resumed(1081.0, 2)
    assert watchdog.wait(1081.0) == 5.0
    assert watchdog.wait(2000.0) == 0.0


# -- reconnecting ---------------------------------------------------------------------------------


def test_backoff_doubles_from_one_second_to_five_minutes_with_jitter() -> None:
    rng = random.Random(18)
    for attempt, (low, high) in enumerate([(1, 1.25), (1.5, 2.5), (3, 5), (6, 10), (12, 20)]):
        delays = [backoff_delay(attempt, 1.0, 300.0, rng) for _ in range(200)]
        assert low <= min(delays) and max(delays) <= high
        assert len(set(delays)) > 100  # jittered
    for attempt in (9, 10, 50, 10**6):  # from 2^8 s on, the ceiling: 300 - 25 % .. 300
        delays = [backoff_delay(attempt, 1.0, 300.0, rng) for _ in range(200)]
        assert min(delays) >= 225 and max(delays) == 300
    delays = backoff(1.0, 300.0, random.Random(1))
    assert [next(delays) <= high for high in (1.25, 2.5, 5.0, 10.0)] == [True] * 4


class Fake:
    """A PVS that fails the first `failures` connects, then connects; a clock that waits."""

    def __init__(self, failures: list[Exception]) -> None:
        self.failures = failures
        self.now = 0.0
        self.waits: list[float] = []
        self.reported: list[tuple[str, float]] = []
        self.made = 0

    def connect(self) -> str:
        if self.failures:
            raise self.failures.pop(0)
        self.made += 1
        return f"connection {self.made}"

    def wait(self, seconds: float) -> bool:
        self.waits.append(seconds)
        self.now += seconds
        return self.now > 1000

    def delays(self) -> Iterator[float]:
        return iter([1.0, 2.0, 4.0, 8.0, 16.0, 32.0] + [60.0] * 100)


class Wait(Exception):
    wait = 45.0


def retry_os_errors(exc: Exception) -> Exception | None:
    return None if isinstance(exc, OSError) else exc


def test_failures_are_retried_with_growing_delays_one_connection_at_a_time() -> None:
    fake = Fake([OSError("refused"), OSError("refused"), OSError("reset")])
    loop = connections(
        fake.connect,
        process_exception=retry_os_errors,
        delays=fake.delays,
        wait=fake.wait,
        failed=lambda exc, delay: fake.reported.append((str(exc), delay)),
    )
    assert next(loop) == "connection 1"
    assert fake.waits == [1.0, 2.0, 4.0]
    assert fake.reported == [("refused", 1.0), ("refused", 2.0), ("reset", 4.0)]
    fake.failures = [OSError("refused")]
    assert next(loop) == "connection 2"  # a healthy connection: the delays start again
    assert fake.waits == [1.0, 2.0, 4.0, 1.0, 2.0]


def test_a_connection_that_gave_nothing_keeps_backing_off() -> None:
    fake = Fake([])
    loop = connections(
        fake.connect,
        process_exception=retry_os_errors,
        delays=fake.delays,
        wait=fake.wait,
        healthy=lambda connection: False,
    )
    assert [next(loop) for _ in range(4)] == [f"connection {n}" for n in (1, 2, 3, 4)]
    assert fake.waits == [1.0, 2.0, 4.0]


def test_a_failure_that_asks_to_wait_is_waited_for() -> None:
    fake = Fake([Wait()])
    loop = connections(
        fake.connect, process_exception=lambda exc: None, delays=fake.delays, wait=fake.wait
    )
    assert next(loop) == "connection 1"
    assert fake.waits == [45.0]


def test_a_failure_not_worth_retrying_ends_the_loop() -> None:
    fake = Fake([OSError("refused"), KeyError("bug")])
    loop = connections(
        fake.connect, process_exception=retry_os_errors, delays=fake.delays, wait=fake.wait
    )
    with pytest.raises(KeyError):
        next(loop)
    assert fake.waits == [1.0]


def test_stop_ends_the_loop_while_waiting() -> None:
    fake = Fake([OSError("refused")] * 100)
    loop = connections(
        fake.connect, process_exception=retry_os_errors, delays=fake.delays, wait=fake.wait
    )
    assert list(loop) == []
    assert sum(fake.waits) > 1000 and fake.made == 0
