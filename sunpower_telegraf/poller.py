"""`--follow`'s device poll: every `--interval` from the start, the exec run's lines, with its
rules, warnings and request budget, over the kept session (no DeviceList probe, serial read or
login per poll). With `--quiet-at-night` it is skipped while the PVS reports no production
(under `site.NO_POWER_KW`, from the stream's values, or else one `/sys/livedata` read, printed as
a `sunpower_live` line); the first poll always runs. The login refused twice in a row ends the
process (Telegraf restarts it), after waiting out the login spacing."""

from __future__ import annotations

import math
import random
import time
from typing import TYPE_CHECKING

from .answer import PVSError
from .lineproto import format_points
from .login import LoginRefused, TooSoon
from .reconnect import backoff_delay
from .site import NO_POWER_KW
from .telemetry import LiveStream

if TYPE_CHECKING:
    from .known import Context


class PollWorker:
    """The device poll's thread."""

    def __init__(self, context: Context) -> None:
        self.context = context
        self.refusals = 0  # logins refused in a row
        self.rng = random.Random()

    def run(self) -> None:
        context = self.context
        next_at = time.monotonic()
        failures = 0
        while not context.stop.is_set():
            try:
                ok = self.poll_once()
            except TooSoon as exc:  # the session expired right after a login: poll once due
                context.known.polled.set()
                context.stop.wait(exc.wait)
                continue
            context.known.polled.set()
            failures = 0 if ok else failures + 1
            now = time.monotonic()
            next_at += context.interval
            if next_at <= now:  # a poll longer than the interval: keep to the grid
                next_at += math.ceil((now - next_at) / context.interval) * context.interval
            delay = next_at - now
            if failures:
                timing = context.timing
                delay = max(
                    delay, backoff_delay(failures - 1, timing.backoff, timing.backoff_max, self.rng)
                )
            context.stop.wait(delay)

    def poll_once(self) -> bool:
        """One poll, printed; whether it got an answer."""
        from .report import to_report

        context = self.context
        if context.quiet_at_night and context.known.polled.is_set() and self.night():
            return True
        try:
            answer = context.session.poll(context.reach.seconds)
        except TooSoon:
            raise
        except PVSError as exc:
            if not self.refused(exc):
                context.log("E", "poll", f"device poll failed: {exc}")
            return False
        self.refusals = 0
        known = context.known
        known.firmware = context.session.firmware
        try:
            report = to_report(answer, context.options)
            text = format_points(report.points)
        except Exception as exc:  # one odd answer must not end the process
            context.log(
                "E", "poll-bug", f"internal error ({type(exc).__name__}: {exc}); please report it"
            )
            return True
        known.battery = report.site.battery.state
        for record in report.site.devices:
            if record.get("DEVICE_TYPE") == "PVS":
                known.serial = str(record.get("SERIAL") or "") or known.serial
                known.model = str(record.get("MODEL") or "") or known.model
        for warning in report.warnings:
            context.log("W", "warning: " + warning, warning)
        if not report.points:
            context.log(
                "E", "poll-empty", "the PVS answer has no device that could be mapped to a line"
            )
        context.emit(text)
        return True

    def refused(self, exc: PVSError) -> bool:
        """Whether that was the login refused twice in a row: then there is no use going on
        (Telegraf restarts the process after its restart_delay)."""
        if not isinstance(exc, LoginRefused):
            return False
        self.refusals += 1
        if self.refusals < 2:
            return False
        context = self.context
        context.log("E", "fatal", f"the PVS refused the login twice in a row: {exc}")
        # The next process (Telegraf's restart_delay may be seconds) logs in at once: wait
        # here, so a wrong password never costs the PVS more than a login per `login` seconds.
        context.stop.wait(context.timing.login)
        context.end("the PVS refused the login twice in a row", 1)
        return True

    def night(self) -> bool:
        """Whether the PVS reports no production now (False when it cannot tell)."""
        context = self.context
        known = context.known
        if time.monotonic() - known.production_at < context.timing.silence:
            return known.production_kw is not None and known.production_kw < NO_POWER_KW
        if known.firmware != "current":
            return False  # only a device poll tells
        try:
            variables = context.session.fetch_livedata(context.secondary_seconds)
        except PVSError as exc:
            context.log("W", "night", f"could not read /sys/livedata to tell day from night: {exc}")
            return False
        stream = LiveStream(known.serial, context.options.prefix)
        stream.seed(variables)
        production = stream.production_kw
        if production is None or production >= NO_POWER_KW:
            return False
        point = stream.line(battery=known.battery)  # stamped by Telegraf: a poll's own time
        if known.serial and point is not None:
            context.emit(format_points([point]))
        return True
