"""The PVS6 telemetry websocket's power frames, turned into `sunpower_live` lines.

A frame is JSON `{"notification": "power", "params": {...}}`; other notifications are ignored.
`params` holds the `/sys/livedata` names (`time`, `pv_p`, `pv_en`, `net_p`, `net_en`,
`site_load_p`, `site_load_en`, `ess_p`, `ess_en`, `soc`, `backupTimeRemaining`, `midstate`), as
numbers or numeric strings; `"nan"`, `""` and `null` mean the value is not known.

Frames are partial: the PVS sends what changed. `LiveValues` keeps the last known value of each
name, seeded from `/sys/livedata` on every connect; a name a frame leaves out keeps its value, a
name a frame says is unknown loses it (a value that cannot be known is left out, never printed
stale). Each frame becomes one line, `sunpower_live`, tag `serial` (the PVS serial), with the
site line's names and units where the quantity is the same, through `livedata.to_livedata` so one
place states the units (`soc` 0-1 becomes %; no backup time without a battery):

- `production_kw` (`pv_p`), `grid_kw` (`net_p`, positive importing), `consumption_kw`
  (`site_load_p`), `battery_kw` (`ess_p`, positive discharging), `battery_soc_percent` (`soc`),
  `battery_backup_time_min` (`backupTimeRemaining`);
- the counters `production_lifetime_kwh` (`pv_en`), `grid_net_lifetime_kwh` (`net_en`),
  `consumption_lifetime_kwh` (`site_load_en`), `battery_net_lifetime_kwh` (`ess_en`): on
  `sunpower_live` only, a series of their own, so no counter mixes the PVS's livedata with the
  meters the `sunpower_site` line reads.

The line's time is the frame's `time` (epoch seconds; a value too large for seconds is taken as
milliseconds); a frame without a usable time gives a line without one (Telegraf then stamps it).
`midstate` is not printed: the hub's MID state comes from the device poll.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .devices import to_number
from .lineproto import Point
from .livedata import NAMES as LIVEDATA_NAMES
from .livedata import PREFIX, to_livedata

NAMES = (*LIVEDATA_NAMES, "backupTimeRemaining")  # what a frame may carry
MEASUREMENT = "live"
MILLISECONDS = 1e11  # an epoch time above this is in milliseconds (1e11 s is the year 5138)

# sunpower_live field -> the LiveData attribute it prints
FIELDS = {
    "production_kw": "pv_kw",
    "production_lifetime_kwh": "pv_kwh",
    "grid_kw": "net_kw",
    "grid_net_lifetime_kwh": "net_kwh",
    "consumption_kw": "load_kw",
    "consumption_lifetime_kwh": "load_kwh",
    "battery_kw": "ess_kw",
    "battery_net_lifetime_kwh": "ess_kwh",
    "battery_soc_percent": "soc_percent",
    "battery_backup_time_min": "backup_minutes",
}


class NotAFrame(ValueError):
    """A websocket message that is not JSON, or a power notification without a `params` object."""


def parse_frame(message: str | bytes) -> dict[str, Any] | None:
    """The `params` of a power notification; None for any other notification."""
    try:
        document = json.loads(message)
    except (ValueError, RecursionError):
        raise NotAFrame(f"a websocket message that is not JSON ({len(message)} bytes)") from None
    if not isinstance(document, dict):
        raise NotAFrame("a websocket message that is JSON but not an object")
    if document.get("notification") != "power":
        return None
    params = document.get("params")
    if not isinstance(params, dict):
        raise NotAFrame("a power notification without a params object")
    return params


def to_time_ns(value: Any) -> int | None:
    """Nanoseconds since the epoch from a frame's `time`, or None when it is not a usable time."""
    number = to_number(value)
    if number is None or number <= 0:
        return None
    if number > MILLISECONDS:
        number /= 1000.0
    if number > MILLISECONDS:
        return None
    return round(number * 1000) * 1_000_000  # to the millisecond, exactly


class LiveValues:
    """The last known value of each livedata name: seeded on connect, updated by each frame."""

    def __init__(self) -> None:
        self.values: dict[str, float] = {}

    def seed(self, variables: Mapping[str, Any]) -> None:
        """Take every value of a `/sys/livedata` answer (`fmt=obj`: path -> value)."""
        self.values.clear()
        self.update({name: variables.get(PREFIX + name) for name in NAMES})

    def update(self, params: Mapping[str, Any]) -> None:
        """Take a frame's values: a name it leaves out keeps its value, an unknown one loses it."""
        for name in NAMES:
            if name not in params:
                continue
            number = to_number(params[name])
            if number is None:
                self.values.pop(name, None)
            else:
                self.values[name] = number

    @property
    def production_kw(self) -> float | None:
        return self.values.get("pv_p")


def to_live_point(
    values: Mapping[str, float], serial: str, prefix: str, time_ns: int | None
) -> Point | None:
    """The `sunpower_live` line of the values known now, or None when none is known."""
    live = to_livedata({PREFIX + name: value for name, value in values.items()})
    if live is None:
        return None
    fields: dict[str, float | str] = {}
    for field, attribute in FIELDS.items():
        value = getattr(live, attribute)
        if value is not None:
            fields[field] = value
    if not fields:
        return None
    return Point(prefix + MEASUREMENT, {"serial": serial}, fields, time_ns)
