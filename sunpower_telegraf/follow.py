"""`sunpower-lp --follow`: one long-running process for Telegraf's `[[inputs.execd]]`.

Three threads share one kept login session (`pvs.Session`), one request at a time:

- the device poll, every `--interval` from the start: the exec run's lines, with its rules,
  warnings and request budget, over the kept session (no DeviceList probe, serial read or login
  per poll). With `--quiet-at-night` it is skipped while the PVS reports no production (under
  5 W, from the websocket's values, or else one `/sys/livedata` read, printed as a `sunpower_live`
  line); the first poll always runs.
- the telemetry websocket (PVS6, current firmware; see `telemetry.py` for the lines). Before each
  connect: every value seeded from `/sys/livedata`, then `/sys/telemetryws/enable=1` with the
  varserver's `set` (it defaults to 0 and resets on reboot); the session logs in again where it
  is gone. A ping every 30 s. The PVS goes silent when the session that enabled the socket
  expires, so after 5 s without a frame (then 15, 35, 75 s) `/sys/livedata` is read again: on an
  expired session that logs in anew, and the values are seeded from it and the socket re-enabled
  on the new session; a login made by the device poll does the same. A socket that stays silent
  after that, no frame for 90 s, or a close means reconnect, with exponential backoff (1 s up to
  5 min, jitter). A PVS5, legacy firmware, or a PVS whose port 9002 refuses gets polling only,
  with one warning; after a refusal the port is probed (a bare TCP connect, no request to the
  PVS) before trying again.
- standard input: its end (Telegraf closing it) ends the process, as SIGTERM, SIGINT and SIGHUP
  do: logout, exit 0. Standard input that is no pipe, socket or terminal (`< /dev/null`) is not
  watched.

Lines go to standard output one batch at a time (a poll's lines, a frame's line), each written
and flushed at once. Logs go to standard error with Telegraf's level prefixes (`E! `, `W! `,
`I! `, `D! `), at most one per cause per minute. The process exits non-zero only when it cannot go
on: bad options, the login refused twice in a row, standard output gone. A PVS that is away is
waited for, with backoff.

The timing constants are for tests to shorten, with SUNPOWER_LP_FOLLOW_TIMING (see `Timing`), e.g.
`ping=0.3,check=0.4,silence=1.5,backoff=0.05,backoff_max=0.5,login=0,open=2` (seconds).
"""

from __future__ import annotations

import gc
import math
import os
import random
import stat
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING, Any, Callable

import click

from .answer import PVSError
from .console import Log as Log
from .console import Output as Output
from .console import on_signals as _signals_stop
from .lineproto import Point, clean_text, format_points
from .login import TooSoon
from .telemetry import LiveValues, NotAFrame, parse_frame, to_live_point, to_time_ns

if TYPE_CHECKING:
    from .reach import Reach
    from .report import Options

SET_ENABLE = "/vars?set=/sys/telemetryws/enable=1"
ENABLE_NAME = "/sys/telemetryws/enable"
WEBSOCKET_PORT = 9002
SECONDARY_SECONDS = 15.0  # what other PVS clients give one varserver call
LOGOUT_SECONDS = 2.0  # Telegraf sends SIGTERM 5 s after closing standard input
NIGHT_KW = 0.005  # production under 5 W is none (the summary's rule for a production CT)
TIMING_VARIABLE = "SUNPOWER_LP_FOLLOW_TIMING"


@dataclass(frozen=True)
class Timing:
    """Seconds; SUNPOWER_LP_FOLLOW_TIMING overrides them for tests."""

    ping: float = 30.0  # a ping on the websocket this often
    check: float = 5.0  # no frame this long: read livedata, which finds an expired session
    # (then again after 3x, 7x, 15x ... this long, until `silence`)
    silence: float = 90.0  # no frame this long: reconnect
    backoff: float = 1.0  # the first reconnect delay, doubling ...
    backoff_max: float = 300.0  # ... up to this
    log: float = 60.0  # at most one log line per cause this often
    login: float = 60.0  # at most one login this often
    open: float = 10.0  # to open the websocket

    @classmethod
    def parse(cls, text: str) -> Timing:
        timing = cls()
        names = {field.name for field in fields(cls)}
        for item in filter(None, (part.strip() for part in text.split(","))):
            name, _, value = item.partition("=")
            try:
                seconds = float(value)
            except ValueError:
                seconds = math.nan
            name = name.strip()
            lowest = 0.0 if name == "login" else 1e-3  # login=0: no spacing of logins
            if name not in names or not (math.isfinite(seconds) and seconds >= lowest):
                raise ValueError(
                    f"{TIMING_VARIABLE}: {item!r} is not NAME=SECONDS with NAME one "
                    f"of {', '.join(sorted(names))}"
                )
            timing = replace(timing, **{name: seconds})
        return timing


def backoff(attempt: int, timing: Timing, rng: random.Random) -> float:
    """The delay before reconnect `attempt` (0 first): doubling from `backoff` up to
    `backoff_max`, each within +-25 % so that many clients do not retry in step."""
    ceiling = min(timing.backoff_max, timing.backoff * 2.0 ** min(attempt, 40))
    return min(timing.backoff_max, max(timing.backoff, ceiling * rng.uniform(0.75, 1.25)))


class Follower:
    """The running process: its session, threads, output and logs."""

    def __init__(
        self,
        reach: Reach,
        options: Options,
        interval: float,
        quiet_at_night: bool,
        timing: Timing,
        websocket: str | None = None,
    ) -> None:
        self.reach = reach
        self.websocket = websocket
        self.options = options
        self.interval = interval
        self.quiet_at_night = quiet_at_night
        self.timing = timing
        self.log = Log(timing.log)
        self.out = Output()
        self.stop = threading.Event()
        self.exit_code = 0
        self.why = ""
        self.lock = threading.Lock()  # one request at a time on the session
        self.polled = threading.Event()  # the first poll is over (the firmware and model known)
        self.rng = random.Random()
        self.session = reach.session()  # a bad --host is a PVSError here
        self.session.min_login_interval = timing.login
        self.serial = ""
        self.model = ""
        self.production_kw: float | None = None  # from the websocket's values
        self.production_at = -math.inf
        self.refusals = 0  # logins refused in a row

    # -- the whole process -----------------------------------------------------------------------

    def run(self) -> int:
        base = self.session.target.base
        url = websocket_url(base, self.websocket)
        how = f"power from {url}" if url else "no websocket (--websocket off)"
        self.log(
            "I", "start", f"following the PVS at {base}: devices every {self.interval:g} s, {how}"
        )
        threads = [
            threading.Thread(target=self._guard(self._poll_loop), name="poll", daemon=True),
            threading.Thread(
                target=self._guard(lambda: self._stream_loop(url)), name="websocket", daemon=True
            ),
        ]
        if _watchable(0):
            threads.append(threading.Thread(target=self._watch_stdin, name="stdin", daemon=True))
        with _signals_stop(self.end):
            for thread in threads:
                thread.start()
            while not self.stop.wait(1.0):
                pass
            self._logout()
        return self.exit_code

    def end(self, why: str, code: int = 0) -> None:
        if not self.stop.is_set():
            self.why = why
            self.exit_code = code
            self.stop.set()

    def fatal(self, message: str) -> None:
        self.log("E", "fatal", message)
        self.end(message, 1)

    def _logout(self) -> None:
        got = self.lock.acquire(timeout=1.0)  # a poll in progress is not waited for long
        try:
            self.session.logout(LOGOUT_SECONDS)
        except Exception:  # the session expires on its own within minutes
            pass
        finally:
            if got:
                self.lock.release()
        if not self.exit_code:  # a failure said why when it happened
            held = "; logged out of the PVS" if self.session.logins else ""
            self.log("I", "stop", f"stopped: {self.why}{held}")

    def _guard(self, loop: Callable[[], None]) -> Callable[[], None]:
        """A thread that fails on a bug ends the process with a log line, never silently."""

        def run() -> None:
            try:
                loop()
            except Exception as exc:
                self.fatal(f"internal error ({type(exc).__name__}: {exc}); please report it")

        return run

    def _watch_stdin(self) -> None:
        while True:
            try:
                if not os.read(0, 4096):
                    break
            except InterruptedError:
                continue
            except OSError:
                break
        self.end("standard input closed")

    def emit(self, text: str) -> None:
        if not text or self.stop.is_set():
            return
        try:
            self.out.write(text)
        except OSError as exc:
            self.fatal(f"could not write to standard output: {exc.strerror or exc}")

    # -- the device poll -------------------------------------------------------------------------

    def _poll_loop(self) -> None:
        next_at = time.monotonic()
        failures = 0
        while not self.stop.is_set():
            try:
                ok = self._poll_once()
            except TooSoon as exc:  # the session expired right after a login: poll once due
                self.polled.set()
                self.stop.wait(exc.wait)
                continue
            self.polled.set()
            failures = 0 if ok else failures + 1
            now = time.monotonic()
            next_at += self.interval
            if next_at <= now:  # a poll longer than the interval: keep to the grid
                next_at += math.ceil((now - next_at) / self.interval) * self.interval
            delay = next_at - now
            if failures:
                delay = max(delay, backoff(failures - 1, self.timing, self.rng))
            self.stop.wait(delay)

    def _poll_once(self) -> bool:
        from .report import to_report

        if self.quiet_at_night and self.polled.is_set() and self._night():
            return True
        try:
            with self.lock:
                answer = self.session.poll(self.reach.seconds)
        except TooSoon:
            raise
        except PVSError as exc:
            if not self._refused(exc):
                self.log("E", "poll", f"device poll failed: {exc}")
            return False
        self.refusals = 0
        try:
            report = to_report(answer, self.options)
            text = format_points(report.points)
        except Exception as exc:  # one odd answer must not end the process
            self.log(
                "E", "poll-bug", f"internal error ({type(exc).__name__}: {exc}); please report it"
            )
            return True
        for warning in report.warnings:
            self.log("W", "warning: " + warning, warning)
        if not report.points:
            self.log(
                "E", "poll-empty", "the PVS answer has no device that could be mapped to a line"
            )
        self.emit(text)
        self._learn(report.points)
        return True

    def _refused(self, exc: PVSError) -> bool:
        """Whether that was the login refused twice in a row: then there is no use going on
        (Telegraf restarts the process after its restart_delay)."""
        if not _login_refused(exc):
            return False
        self.refusals += 1
        if self.refusals < 2:
            return False
        self.log("E", "fatal", f"the PVS refused the login twice in a row: {exc}")
        # The next process (Telegraf's restart_delay may be seconds) logs in at once: wait
        # here, so a wrong password never costs the PVS more than a login per `login` seconds.
        self.stop.wait(self.timing.login)
        self.end("the PVS refused the login twice in a row", 1)
        return True

    def _learn(self, points: Sequence[Point]) -> None:
        for point in points:
            if point.measurement == self.options.prefix + "pvs":
                self.serial = point.tags.get("serial", "") or self.serial
                self.model = point.tags.get("model", "") or self.model

    def _night(self) -> bool:
        """Whether the PVS reports no production now (False when it cannot tell)."""
        if time.monotonic() - self.production_at < self.timing.silence:
            return self.production_kw is not None and self.production_kw < NIGHT_KW
        if getattr(self.session, "firmware", "") != "current":
            return False  # only a device poll tells
        try:
            with self.lock:
                variables = self._livedata()
        except PVSError as exc:
            self.log("W", "night", f"could not read /sys/livedata to tell day from night: {exc}")
            return False
        values = LiveValues()
        values.seed(variables)
        production = values.production_kw
        if production is None or production >= NIGHT_KW:
            return False
        if self.serial:
            time_ns = to_time_ns(variables.get("/sys/livedata/time"))
            self._print_live(values.values, time_ns)
        return True

    # -- the websocket ---------------------------------------------------------------------------

    def _stream_loop(self, url: str) -> None:
        self.polled.wait()
        if not url:
            return
        attempt = 0
        connected_once = False
        refused = False
        told_why_not = False
        while not self.stop.is_set():
            why_not = self._no_websocket()
            if why_not:
                if not told_why_not:
                    self.log("W", "no-websocket", f"{why_not}: device polls only")
                    told_why_not = True
                self.stop.wait(self.interval)
                continue
            if refused and not self._port_open(url):
                self.stop.wait(backoff(attempt, self.timing, self.rng))
                attempt += 1
                continue
            delay = 0.0
            try:
                frames = self._stream(url)
                refused = False
                if frames:
                    attempt = 0
                    connected_once = True
            except TooSoon as exc:
                delay = exc.wait  # a login is due; the session's spacing says when
            except PVSError as exc:
                if self._refused(exc):
                    return
                self.log("W", "enable", f"could not enable the telemetry websocket: {exc}")
            except _Refused:
                refused = True
                if connected_once:
                    self.log(
                        "W",
                        "refused",
                        f"the websocket at {url} refused the connection; trying again",
                    )
                else:
                    self.log(
                        "W",
                        "no-websocket-port",
                        f"no websocket at {url} (connection "
                        "refused; a PVS5 or firmware without it has none): device polls "
                        "only until it answers",
                    )
            except _Unreachable as exc:
                self.log("W", "unreachable", f"could not open the websocket at {url}: {exc}")
            if self.stop.is_set():
                return
            self.stop.wait(max(delay, backoff(attempt, self.timing, self.rng)))
            attempt += 1

    def _no_websocket(self) -> str:
        """Why this PVS gets polling only, or ''."""
        from .wsclient import HAS_PROXY

        if "PVS5" in self.model.upper():
            return "a PVS5 has no telemetry websocket"
        if getattr(self.session, "firmware", "") == "legacy":
            return "legacy firmware has no telemetry websocket"
        if self.reach.proxy and not HAS_PROXY:
            return "the websocket cannot go through --proxy with websockets older than 15"
        return ""

    def _port_open(self, url: str) -> bool:
        from .wsclient import port_open

        return port_open(url, self.timing.open)

    def _stream(self, url: str) -> int:
        """Seed, enable, connect, and print a line per frame until the websocket ends; the
        number of frames. Raises PVSError (seed or enable failed), _Refused, _Unreachable."""
        from .wsclient import Closed, Refused, Telemetry, Unreachable

        values = LiveValues()
        with self.lock:
            if not self.serial:
                self.serial = self._read_serial()
            self._resume(values)
            logins = self.session.logins
        self.refusals = 0
        try:
            telemetry = Telemetry(url, seconds=self.timing.open, proxy=self.reach.proxy)
        except Refused as exc:
            raise _Refused(str(exc)) from None
        except Unreachable as exc:
            raise _Unreachable(str(exc)) from None
        frames = 0
        now = time.monotonic()
        last_frame = last_ping = now
        checks = 0  # made since the last frame: the k-th after (2^(k+1) - 1) x check s
        busy_until = 0.0  # a check found the session in use by a poll: try again then
        resumed = 0.0  # when the socket was re-enabled on a new session; 0: not waiting
        with telemetry:
            while not self.stop.is_set():
                next_check = last_frame + self.timing.check * (2 ** (checks + 1) - 1)
                next_check = max(next_check, busy_until)
                wait = min(
                    last_ping + self.timing.ping,
                    next_check if not resumed else resumed + self.timing.check,
                    last_frame + self.timing.silence,
                    now + 1.0,
                )
                try:
                    message = telemetry.recv(wait - now)
                    if now - last_ping >= self.timing.ping:
                        last_ping = now
                        telemetry.ping()
                except Closed as exc:
                    self.log("D", "closed", f"websocket {exc}; reconnecting")
                    return frames
                now = time.monotonic()
                if message is not None and self._frame(message, values):
                    frames += 1
                    last_frame = now
                    checks = 0
                    resumed = 0.0
                if resumed and now >= resumed + self.timing.check:
                    self.log("D", "resume", "no frame after re-enabling; reconnecting")
                    break
                if now - last_frame >= self.timing.silence:
                    self.log(
                        "D", "silence", f"no frame for {self.timing.silence:g} s; reconnecting"
                    )
                    break
                relogin = self.session.logins != logins  # the poll logged in again
                if (relogin or (not resumed and now >= next_check)) and now >= busy_until:
                    renewed = self._check(values, logins)
                    if renewed is None:
                        busy_until = now + 0.5
                    else:
                        checks += 1
                        logins = self.session.logins
                        if renewed:
                            resumed = now  # the socket should speak again; else reconnect
            # Closing by choice: what the PVS sent before it saw the close still counts.
            for message in telemetry.finish():
                frames += self._frame(message, values)
        return frames

    def _resume(self, values: LiveValues) -> None:
        """Seed every value from /sys/livedata, then set enable=1: while the socket is silent
        nothing changes between the two, so the seed is exactly what the next frame updates."""
        values.seed(self._livedata())
        self._set_production(values)
        self._enable()

    def _check(self, values: LiveValues, logins: int) -> bool | None:
        """After a silence, or when the device poll logged in again: read /sys/livedata, which
        finds an expired session (the PVS goes silent when the session that enabled the socket
        ends) and logs in again; after a new login, seed from it and re-enable on the new
        session. Whether it re-enabled; None when skipped because a poll is running."""
        if not self.lock.acquire(blocking=False):
            return None
        try:
            variables = self._livedata()
            if self.session.logins == logins:
                return False  # the same session: a steady output, or the PVS away
            self.log("D", "relogin", "logged in again: re-enabling the websocket")
            values.seed(variables)
            self._set_production(values)
            self._enable()
            return True
        except PVSError as exc:
            self.log("W", "enable", f"could not re-enable the telemetry websocket: {exc}")
            return False
        finally:
            self.lock.release()

    def _frame(self, message: str | bytes, values: LiveValues) -> bool:
        """Print the line of one message; whether it was a power frame."""
        try:
            params = parse_frame(message)
        except NotAFrame as exc:
            self.log("W", "frame", f"ignored {exc}")
            return False
        if params is None:
            return False  # another notification
        values.update(params)
        self._set_production(values)
        self._print_live(values.values, to_time_ns(params.get("time")))
        return True

    def _print_live(self, values: Mapping[str, float], time_ns: int | None) -> None:
        point = to_live_point(
            values, self.serial, self.options.prefix, time_ns if self.options.device_time else None
        )
        if point is not None:
            self.emit(format_points([point]))

    def _set_production(self, values: LiveValues) -> None:
        self.production_kw = values.production_kw
        self.production_at = time.monotonic()

    def _enable(self) -> None:
        """`/sys/telemetryws/enable=1` (it defaults to 0 and resets on reboot)."""
        document = self.session.get_json(SET_ENABLE, SECONDARY_SECONDS)
        value = _named_value(document, ENABLE_NAME)
        if value is not None and str(value).strip() != "1":
            raise PVSError(f"the PVS kept {ENABLE_NAME} at {clean_text(str(value))[:20]!r}")

    def _livedata(self) -> dict[str, Any]:
        from .pvs import VARS_LIVEDATA

        document = self.session.get_json(VARS_LIVEDATA, SECONDARY_SECONDS)
        if not isinstance(document, dict):
            raise PVSError("the PVS answered /sys/livedata with something other than an object")
        return document

    def _read_serial(self) -> str:
        from .login import SERIAL_VARS

        document = self.session.get_json(SERIAL_VARS, SECONDARY_SECONDS)
        value = _named_value(document, SERIAL_VARS.partition("=")[2])
        serial = clean_text(value) if isinstance(value, str) else ""
        if not serial:
            raise PVSError("the PVS serial (the live line's tag) could not be read")
        return serial


class _Refused(Exception):
    pass


class _Unreachable(Exception):
    pass


def _named_value(document: Any, name: str) -> Any:
    """The value of `name` in a varserver answer (`values` list or `fmt=obj`), or None."""
    if not isinstance(document, dict):
        return None
    if name in document:
        return document[name]
    values = document.get("values")
    if isinstance(values, list):
        for item in values:
            if isinstance(item, dict) and item.get("name") == name:
                return item.get("value")
    return None


def _login_refused(exc: PVSError) -> bool:
    """Whether the PVS refused the password."""
    from .login import LoginRefused

    return isinstance(exc, LoginRefused)


def websocket_url(base: str, given: str | None = None) -> str:
    """`ws://<the PVS's host>:9002/`, the `--websocket` URL `given`, or '' for none (`off`)."""
    from urllib.parse import urlsplit

    given = (given or "").strip()
    if given.lower() == "off":
        return ""
    if given:
        return given
    host = urlsplit(base).hostname or ""
    if ":" in host:
        host = f"[{host}]"
    return f"ws://{host}:{WEBSOCKET_PORT}/"


def _watchable(fd: int) -> bool:
    """Standard input whose end means "stop": a pipe, a socket or a terminal."""
    try:
        mode = os.fstat(fd).st_mode
        return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode) or os.isatty(fd)
    except OSError:
        return False


def run_follow(
    reach: Reach,
    options: Options,
    *,
    interval: float,
    quiet_at_night: bool,
    websocket: str | None = None,
) -> None:
    """Print line protocol as data arrives until standard input closes or a signal ends it;
    the options as options.py has checked them (`websocket`: None, `off` or a URL)."""
    try:
        timing = Timing.parse(os.environ.get(TIMING_VARIABLE, ""))
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    gc.enable()  # the exec run turns collection off; a process that runs for months needs it
    log = Log(timing.log)
    try:
        follower = Follower(reach, options, interval, quiet_at_night, timing, websocket)
    except PVSError as exc:
        log("E", "start", str(exc))
        sys.exit(1)
    sys.exit(follower.run())
