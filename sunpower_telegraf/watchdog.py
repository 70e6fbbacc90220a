"""The websocket's timers, as a small pure object driven by the time (`now`, monotonic seconds).

The PVS goes silent, without closing the socket, when the login session that enabled it ends,
and sends nothing while nothing changes. So, from the last frame:

- a ping every `ping` s (its pong is not awaited: the silence rule catches a dead connection);
- a check after `check` s without a frame, then after 3x, 7x, 15x `check` (5, 15, 35, 75 s): read
  `/sys/livedata`, which finds an expired session and logs in anew;
- a new login session (the session's `generation` grew: the check's login, or the device
  poll's) means resume: seed again and re-enable the socket on the new session; a frame must
  then come within `check` s, or reconnect;
- `silence` s without a frame means reconnect.

`Watchdog.due(now, generation)` says what to do now, `wait(now)` how long nothing is due; the
caller reports what it did (`frame`, `pinged`, `checked`, `resumed`).
"""

from __future__ import annotations

NOTHING = ""
PING = "ping"
CHECK = "check"
RESUME = "resume"
RECONNECT = "reconnect"


class Watchdog:
    """What one open websocket should do next."""

    def __init__(
        self, now: float, generation: int, *, ping: float, check: float, silence: float
    ) -> None:
        self.ping = ping
        self.check = check
        self.silence = silence
        self.last_frame = now
        self.last_ping = now
        self.checks = 0  # made since the last frame: the k-th after (2^(k+1) - 1) x check s
        self.resumed_at: float | None = None  # re-enabled on a new session, no frame since
        self.generation = generation  # the login session the socket was enabled on

    def next_check(self) -> float:
        return self.last_frame + self.check * ((1 << min(self.checks + 1, 40)) - 1)

    def due(self, now: float, generation: int) -> str:
        """`RECONNECT`, `RESUME`, `CHECK`, `PING` or `NOTHING`, the first that is due."""
        if now - self.last_frame >= self.silence:
            return RECONNECT
        if self.resumed_at is not None and now - self.resumed_at >= self.check:
            return RECONNECT  # re-enabled, and still silent
        if generation != self.generation:
            return RESUME
        if self.resumed_at is None and now >= self.next_check():
            return CHECK
        if now - self.last_ping >= self.ping:
            return PING
        return NOTHING

    def wait(self, now: float) -> float:
        """Seconds until something may be due (0 when something is)."""
        times = [self.last_frame + self.silence, self.last_ping + self.ping]
        if self.resumed_at is not None:
            times.append(self.resumed_at + self.check)
        else:
            times.append(self.next_check())
        return max(0.0, min(times) - now)

    def frame(self, now: float) -> None:
        self.last_frame = now
        self.checks = 0
        self.resumed_at = None

    def pinged(self, now: float) -> None:
        self.last_ping = now

    def checked(self) -> None:
        """A check was made (the same session, or the PVS away): the next one later."""
        self.checks += 1

    def resumed(self, now: float, generation: int) -> None:
        """Seeded and re-enabled on session `generation`: a frame is due within `check` s."""
        self.generation = generation
        self.resumed_at = now
