"""`--follow`'s telemetry websocket (PVS6, current firmware; `telemetry.py` for the lines).

Each connection: the serial read where no poll has told it yet, every value seeded from
`/sys/livedata` (a seed that fails leaves the values unknown until frames carry them: the socket
opens all the same), `/sys/telemetryws/enable=1` set (it defaults to 0 and resets on reboot),
then the socket opened. A refused or failing enable is a warning at once, and is tried again
with the backoff (`reconnect.connections`), as is a socket that cannot be opened. The timers of
an open socket are `watchdog.Watchdog`'s. Every request goes through `pvs.Session`, which lets
this thread seed and enable while a slow device poll runs; it never waits for the poll.

A PVS5, legacy firmware, or a PVS whose port 9002 refuses gets polling only, with one warning;
after a refusal the port is probed (a bare TCP connect, no request to the PVS) before trying
again.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .answer import PVSError
from .lineproto import format_points
from .reconnect import backoff, connections
from .telemetry import LiveStream
from .watchdog import CHECK, PING, RECONNECT, RESUME, Watchdog

if TYPE_CHECKING:
    from .known import Context
    from .wsclient import Telemetry


class Failure(Exception):
    """A connection that could not be made; str() is the warning, `cause` its log key."""

    def __init__(self, cause: str, message: str, level: str = "W", wait: float = 0.0) -> None:
        super().__init__(message)
        self.cause, self.level, self.wait = cause, level, wait


@dataclass
class Connection:
    """One open websocket: a line per frame until it closes, stays silent, or the process
    stops, with the watchdog's timers (`watchdog.Watchdog`)."""

    context: Context
    telemetry: Telemetry
    stream: LiveStream
    generation: int  # the login session the socket was enabled on
    frames: int = 0

    def listen(self) -> None:
        """A line per frame until the socket closes, stays silent, or the process stops."""
        from .wsclient import Closed

        context, session, timing = self.context, self.context.session, self.context.timing
        watchdog = Watchdog(
            time.monotonic(),
            self.generation,
            ping=timing.ping,
            check=timing.check,
            silence=timing.silence,
        )
        telemetry = self.telemetry
        with telemetry:
            while not context.stop.is_set():
                now = time.monotonic()
                action = watchdog.due(now, session.generation)
                try:
                    if action == RECONNECT:
                        context.log("D", "silence", "the websocket is silent; reconnecting")
                        break
                    if action == PING:
                        telemetry.ping()
                        watchdog.pinged(now)
                    elif action in (CHECK, RESUME):
                        self.check(watchdog, action, now)
                    message = telemetry.recv(min(watchdog.wait(time.monotonic()), 1.0))
                except Closed as exc:
                    context.log("D", "closed", f"websocket {exc}; reconnecting")
                    return
                if message is not None and self.handle(message):
                    watchdog.frame(time.monotonic())
            # Closing by choice: what the PVS sent before it saw the close still counts.
            for message in telemetry.finish():
                self.handle(message)

    def check(self, watchdog: Watchdog, action: str, now: float) -> None:
        """After a silence: read /sys/livedata, which finds an expired session and logs in anew.
        On a new login session (this check's, or the device poll's): seed from it and enable
        the socket again on the new session."""
        context, session = self.context, self.context.session
        variables: dict[str, Any] | None = None
        if action == CHECK:
            try:
                variables = session.fetch_livedata(context.secondary_seconds)
            except PVSError as exc:
                context.log("W", "check", f"could not read /sys/livedata: {exc}")
            if session.generation == watchdog.generation:
                watchdog.checked()  # the same session: a steady output, or the PVS away
                return
        context.log("D", "relogin", "logged in again: re-enabling the websocket")
        generation = session.generation
        try:
            if variables is None:
                variables = session.fetch_livedata(context.secondary_seconds)
            self.stream.seed(variables)
            session.enable_telemetry(context.secondary_seconds)
        except PVSError as exc:
            context.log("W", "enable", f"could not enable the telemetry websocket: {exc}")
        watchdog.resumed(now, generation)

    def handle(self, message: str | bytes) -> bool:
        """Print the line of one message; whether it was a power frame."""
        context = self.context
        live = self.stream.message(message, context.known.battery)
        if live is None:
            return False  # another notification
        for warning in live.warnings:
            context.log("W", "frame: " + warning.split(":")[0], warning)
        if not live.frame:
            return False
        self.frames += 1
        context.known.set_production(self.stream.production_kw)
        if live.point is not None:
            context.emit(format_points([live.point]))
        return True


def process_exception(exc: Exception) -> Exception | None:
    """None (try again) for what a PVS that is away, rebooting or refusing does; the exception
    itself (give up: a bug) for anything else."""
    return None if isinstance(exc, (Failure, PVSError, OSError)) else exc


class StreamWorker:
    """The websocket's thread."""

    def __init__(self, context: Context, url: str) -> None:
        self.context = context
        self.url = url
        self.rng = random.Random()
        self.refused = False  # the port refused the last try
        self.connected_once = False

    def run(self) -> None:
        context = self.context
        context.known.polled.wait()
        if not self.url or self.polls_only():
            return
        timing = context.timing
        for connection in connections(
            self.open,
            process_exception=process_exception,
            delays=lambda: backoff(timing.backoff, timing.backoff_max, self.rng),
            wait=context.stop.wait,
            failed=self.failed,
            healthy=lambda connection: connection.frames > 0,
        ):
            connection.listen()
            if context.stop.is_set():
                return

    def polls_only(self) -> bool:
        """Whether this PVS gets device polls only, said once."""
        from .wsclient import HAS_PROXY

        known, context = self.context.known, self.context
        why = ""
        if "PVS5" in known.model.upper():
            why = "a PVS5 has no telemetry websocket"
        elif known.firmware == "legacy":
            why = "legacy firmware has no telemetry websocket"
        elif context.reach.proxy and not HAS_PROXY:
            why = "the websocket cannot go through --proxy with websockets older than 15"
        if why:
            context.log("W", "no-websocket", f"{why}: device polls only")
        return bool(why)

    def failed(self, exc: Exception, delay: float) -> None:
        if isinstance(exc, Failure):
            self.context.log(exc.level, exc.cause, str(exc))
        else:
            self.context.log("W", "websocket", f"the websocket failed: {exc}")

    def open(self) -> Connection:
        """Serial, seed, enable, socket; a Failure saying which step failed."""
        from .login import TooSoon
        from .wsclient import Refused, Telemetry, Unreachable, port_open

        context, known, session = self.context, self.context.known, self.context.session
        seconds = context.secondary_seconds
        if self.refused and not port_open(self.url, context.timing.open):
            raise Failure("port-closed", f"the websocket port at {self.url} is still closed", "D")
        try:
            if not known.serial:
                known.serial = session.fetch_serial(seconds)
            stream = self.seeded(LiveStream(known.serial, context.options.prefix, **self.kind()))
            session.enable_telemetry(seconds)
        except TooSoon as exc:
            raise Failure("login-spacing", str(exc), "D", exc.wait) from None
        except PVSError as exc:
            raise Failure("enable", f"could not enable the telemetry websocket: {exc}") from None
        generation = session.generation
        try:
            telemetry = Telemetry(self.url, seconds=context.timing.open, proxy=context.reach.proxy)
        except Refused:
            self.refused = True
            if self.connected_once:
                message = f"the websocket at {self.url} refused the connection; trying again"
                raise Failure("refused", message) from None
            raise Failure(
                "no-websocket-port",
                f"no websocket at {self.url} (connection refused; a PVS5 or firmware without it "
                "has none): device polls only until it answers",
            ) from None
        except Unreachable as exc:
            message = f"could not open the websocket at {self.url}: {exc}"
            raise Failure("unreachable", message) from None
        self.refused = False
        self.connected_once = True
        return Connection(context, telemetry, stream, generation)

    def kind(self) -> dict[str, Any]:
        return {"device_time": self.context.options.device_time}

    def seeded(self, stream: LiveStream) -> LiveStream:
        """The stream seeded from /sys/livedata; left unknown (with a warning) where that fails."""
        try:
            variables: dict[str, Any] | None = self.context.session.fetch_livedata(
                self.context.secondary_seconds
            )
        except PVSError as exc:
            self.context.log(
                "W", "seed", f"could not read /sys/livedata to seed the live values: {exc}"
            )
            variables = None
        for warning in stream.seed(variables):
            self.context.log("W", "seed: " + warning.split(":")[0], warning)
        self.context.known.set_production(stream.production_kw)
        return stream
