"""The process's edges that both modes share: standard output, standard error and signals.

- `Output` writes a batch of lines (a run's whole output, a poll's lines, a frame's line) to
  standard output whole and at once, as UTF-8 whatever the locale, straight to the file
  descriptor: a buffered write of megabytes can lose the error of a pipe whose reader left. A
  full disk, a closed pipe or a reader that left is an OSError for the caller to act on, never
  lines lost without a word.
- `write_stderr` puts one line on standard error and never fails (there may be no one to tell).
- `Log` is `--follow`'s log: Telegraf's level prefixes (`E! `, `W! `, `I! `, `D! `), a cause
  logged less than `every` seconds ago counted rather than repeated.
- `on_signals` turns SIGTERM (Telegraf's timeout, or its stop), SIGINT (Ctrl-C) and SIGHUP into
  a call in the main thread; `signals_stop` makes that call raise `Stopped` once, for a run that
  must still log out and say why it ended.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from types import FrameType

from .lineproto import clean_text

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
MAX_CAUSES = 256  # causes remembered for the once-a-minute rule


class Output:
    """Batches of lines on standard output, each written whole and at once."""

    def __init__(self) -> None:
        self.lock = threading.Lock()  # two threads' batches never interleave
        try:
            self.fd = sys.stdout.fileno()
        except (OSError, ValueError, AttributeError):
            self.fd = -1  # a stream without a file (click's test runner): its buffer takes them

    def write(self, text: str) -> None:
        """Raises OSError when standard output is gone or full (its `strerror` says how, or
        is None for a stream closed within the process)."""
        data = text.encode("utf-8", "replace")
        with self.lock:
            try:
                sys.stdout.flush()  # anything printed through sys.stdout goes first
                if self.fd < 0:
                    sys.stdout.buffer.write(data)
                    sys.stdout.buffer.flush()
                    return
            except ValueError:  # "I/O operation on closed file"
                raise OSError("it is closed") from None
            while data:
                data = data[os.write(self.fd, data) :]

    def silence(self) -> None:
        """Send what is left to /dev/null: what is still buffered would fail again, noisily,
        when Python exits."""
        with contextlib.suppress(OSError, ValueError, AttributeError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def write_stderr(prefix: str, message: str) -> None:
    """`prefix`, `message` and a newline on standard error as UTF-8, whatever the locale and
    whatever the message holds (its control characters are cleaned out: one call, one line)."""
    data = f"{prefix}{clean_text(message)}\n".encode("utf-8", "replace")
    try:
        sys.stderr.flush()
        sys.stderr.buffer.write(data)
        sys.stderr.buffer.flush()
    except (OSError, AttributeError, ValueError):
        pass  # no stderr to tell


class Log:
    """Lines on standard error for Telegraf's log: `E! `, `W! `, `I! `, `D! ` and the message;
    a cause logged less than `every` seconds ago is counted, not repeated, and the next line of
    that cause says how many were held back. At most MAX_CAUSES causes are remembered."""

    def __init__(self, every: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.every = every
        self.clock = clock
        self.last: dict[str, float] = {}
        self.held: dict[str, int] = {}
        self.lock = threading.Lock()

    def __call__(self, level: str, cause: str, message: str) -> None:
        with self.lock:
            now = self.clock()
            last = self.last.get(cause)
            if last is not None and now - last < self.every:
                self.held[cause] = self.held.get(cause, 0) + 1
                return
            if len(self.last) >= MAX_CAUSES:
                self._forget(now)
            self.last[cause] = now
            held = self.held.pop(cause, 0)
            if held:
                message += f" ({held} more like this since the last one)"
            write_stderr(f"{level}! ", message)

    def _forget(self, now: float) -> None:
        for cause in [c for c, at in self.last.items() if now - at >= self.every]:
            del self.last[cause]
            self.held.pop(cause, None)
        if len(self.last) >= MAX_CAUSES:  # all recent: forget the oldest half
            for cause in sorted(self.last, key=self.last.__getitem__)[: MAX_CAUSES // 2]:
                del self.last[cause]
                self.held.pop(cause, None)


class Stopped(BaseException):
    """A signal asked the run to stop (Telegraf's timeout sends SIGTERM); the signal's name.

    A BaseException, so that no `except Exception` on the way up takes it for a failure of the
    PVS."""


@contextlib.contextmanager
def on_signals(act: Callable[[str], None]) -> Iterator[None]:
    """Within: SIGTERM, SIGINT and SIGHUP call `act` with the signal's name, in the main
    thread; the handlers before are put back after. Outside the main thread, where Python takes
    no handler, nothing changes."""

    def handle(number: int, frame: FrameType | None) -> None:
        act(signal.Signals(number).name)

    previous = {}
    with contextlib.suppress(ValueError):  # not the main thread: no signals to handle
        for number in STOP_SIGNALS:
            previous[number] = signal.signal(number, handle)
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


@contextlib.contextmanager
def signals_stop() -> Iterator[None]:
    """Within: the first SIGTERM, SIGINT or SIGHUP raises Stopped in the main thread; later
    ones are ignored, so the logout that follows is not cut short."""

    def stop(name: str) -> None:
        for number in STOP_SIGNALS:
            signal.signal(number, signal.SIG_IGN)
        raise Stopped(name)

    with on_signals(stop):
        yield
