"""`sunpower-lp --follow`: one long-running process for Telegraf's `[[inputs.execd]]`.

This module is the process: its threads, its stop, standard input, signals and exit code. The
work is two workers sharing one kept login session (`pvs.Session`, which lets them ask at once)
and one record of what is known about the site (`known.Known`):

- the device poll (`poller.py`), every `--interval` from the start;
- the telemetry websocket (`streamer.py`: seed, enable, connect, a line per frame), with its
  timers in `watchdog.py` and its reconnects in `reconnect.py`;
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

import contextlib
import gc
import os
import stat
import sys
import threading
from typing import TYPE_CHECKING, Callable

import click

from .answer import PVSError
from .console import Log, Output
from .console import on_signals as _signals_stop
from .known import TIMING_VARIABLE, Context, Known, Timing

if TYPE_CHECKING:
    from .reach import Reach
    from .report import Options

WEBSOCKET_PORT = 9002
LOGOUT_SECONDS = 2.0  # Telegraf sends SIGTERM 5 s after closing standard input


class Process:
    """The running process: its threads, output, logs, stop and exit code."""

    def __init__(
        self,
        reach: Reach,
        options: Options,
        interval: float,
        quiet_at_night: bool,
        timing: Timing,
        websocket: str | None = None,
    ) -> None:
        self.websocket = websocket
        self.log = Log(timing.log)
        self.out = Output()
        self.stop = threading.Event()
        self.exit_code = 0
        self.why = ""
        self.session = reach.session()  # a bad --host is a PVSError here
        self.session.min_login_interval = timing.login
        self.context = Context(
            reach,
            options,
            interval,
            quiet_at_night,
            timing,
            self.session,
            self.log,
            self.emit,
            self.end,
            self.stop,
            Known(),
        )

    def run(self) -> int:
        from .poller import PollWorker
        from .streamer import StreamWorker

        base = self.session.target.base
        url = websocket_url(base, self.websocket)
        how = f"power from {url}" if url else "no websocket (--websocket off)"
        interval = self.context.interval
        self.log("I", "start", f"following the PVS at {base}: devices every {interval:g} s, {how}")
        loops = {
            "poll": PollWorker(self.context).run,
            "websocket": StreamWorker(self.context, url).run,
        }
        if _watchable(0):
            loops["stdin"] = self._watch_stdin
        threads = [
            threading.Thread(target=self._guard(loop), name=name, daemon=True)
            for name, loop in loops.items()
        ]
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

    def emit(self, text: str) -> None:
        if not text or self.stop.is_set():
            return
        try:
            self.out.write(text)
        except OSError as exc:
            self.fatal(f"could not write to standard output: {exc.strerror or exc}")

    def _logout(self) -> None:
        # A poll in progress is not waited for: the logout has its own connection; a failure
        # costs nothing, the session expires on its own within minutes.
        with contextlib.suppress(Exception):
            self.session.logout(LOGOUT_SECONDS)
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
        follower = Process(reach, options, interval, quiet_at_night, timing, websocket)
    except PVSError as exc:
        log("E", "start", str(exc))
        sys.exit(1)
    sys.exit(follower.run())
