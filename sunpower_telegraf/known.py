"""What `--follow`'s two workers share: what they know about the site (`Known`), shared
explicitly, never facts scraped back from the lines they printed; and what the process gives
them (`Context`: the session, the options, the timing, where lines and logs go, how to stop)."""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field, fields, replace
from typing import TYPE_CHECKING, Callable

from .site import UNKNOWN

if TYPE_CHECKING:
    from .console import Log
    from .pvs import Session
    from .reach import Reach
    from .report import Options

SECONDARY_SECONDS = 15.0  # what other PVS clients give one varserver call
TIMING_VARIABLE = "SUNPOWER_LP_FOLLOW_TIMING"


@dataclass
class Known:
    """Set by the device poll (serial, model, firmware, battery) and the stream (production);
    each value is replaced whole, so a reader in the other thread sees the old or the new one."""

    serial: str = ""  # the PVS's serial: the live line's tag
    model: str = ""  # `PVS5` or `PVS6`
    firmware: str = ""  # "legacy" or "current", once a poll has told
    battery: str = UNKNOWN  # the site's battery, as the latest poll found it (site rule 6)
    production_kw: float | None = None  # production now, from the live values
    production_at: float = -math.inf  # time.monotonic() when it was known
    polled: threading.Event = field(default_factory=threading.Event)  # the first poll is over

    def set_production(self, kw: float | None) -> None:
        self.production_kw, self.production_at = kw, time.monotonic()


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


@dataclass
class Context:
    """What the workers share with the process: the session, the options, the record of what is
    known, where lines and logs go, and how to stop."""

    reach: Reach
    options: Options
    interval: float
    quiet_at_night: bool
    timing: Timing
    session: Session
    log: Log
    emit: Callable[[str], None]
    end: Callable[..., None]
    stop: threading.Event
    known: Known
    secondary_seconds: float = SECONDARY_SECONDS
