"""What `--follow`'s two workers know about the site, shared explicitly: never facts scraped
back from the lines they printed."""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field

from .site import UNKNOWN


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
