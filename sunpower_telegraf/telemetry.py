"""The PVS6 telemetry websocket's power frames, turned into `sunpower_live` lines: `LiveStream`.

A frame is JSON `{"notification": "power", "params": {...}}`; other notifications are ignored.
`params` holds the `/sys/livedata` names (`time`, `pv_p`, `pv_en`, `net_p`, `net_en`,
`site_load_p`, `site_load_en`, `ess_p`, `ess_en`, `soc`, `backupTimeRemaining`, `midstate`), as
numbers or numeric strings; `"nan"`, `""` and `null` mean the value is not known.

Frames are partial: the PVS sends what changed. `LiveStream` keeps the last known value of each
name, seeded from `/sys/livedata` on every connect (a seed that failed leaves every value unknown
until a frame carries it); a name a frame leaves out keeps its value, a name a frame says is
unknown, or gives as anything but a number within its quantity's bounds, loses it (a value that
cannot be known is left out, never printed stale). Each frame becomes one line, `sunpower_live`,
tag `serial` (the PVS serial), with the site line's names and units where the quantity is the
same, through the site line's own rules (`livedata.to_livedata` for units and bounds, `soc` 0-1
becoming %; `site.to_live_figures` for meaning): a lifetime counter of 0 is left out with a
warning (site rule 3), the backup time is left out only where the device poll found the site has
no battery (site rule 7), and every value left out of a frame is named in a warning.

- `production_kw` (`pv_p`), `grid_kw` (`net_p`, positive importing), `consumption_kw`
  (`site_load_p`), `battery_kw` (`ess_p`, positive discharging), `battery_soc_percent` (`soc`),
  `battery_backup_time_min` (`backupTimeRemaining`);
- the counters `production_lifetime_kwh` (`pv_en`), `grid_net_lifetime_kwh` (`net_en`),
  `consumption_lifetime_kwh` (`site_load_en`), `battery_net_lifetime_kwh` (`ess_en`): on
  `sunpower_live` only, a series of their own, so no counter mixes the PVS's livedata with the
  meters the `sunpower_site` line reads.

The line's time is the frame's `time` (epoch seconds; a value too large for seconds is taken as
milliseconds), used only where it is plausible: after 2015-01-01 and no more than a day ahead of
this host's clock. A PVS whose clock restarted at the epoch, or a time past any real one, gives a
line without a time (Telegraf stamps it) and a warning. `midstate` is not printed: the hub's MID
state comes from the device poll.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from .answer import quote
from .devices import to_number
from .lineproto import Point
from .livedata import NAMES as LIVEDATA_NAMES
from .livedata import PREFIX, to_live_value, to_livedata
from .site import UNKNOWN, to_live_figures

NAMES = (*LIVEDATA_NAMES, "backupTimeRemaining")  # what a frame may carry
MEASUREMENT = "live"
MILLISECONDS = 1e11  # an epoch time above this is in milliseconds (1e11 s is the year 5138)
EARLIEST_S = 1_420_070_400  # 2015-01-01: no PVS6 frame is older; an earlier time is a reset clock
AHEAD_S = 86_400.0  # a frame more than a day ahead of this host's clock is no real time

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


def to_time_ns(value: Any, now: float) -> int | None:
    """Nanoseconds since the epoch from a frame's `time`, or None when it is not a plausible
    time: before 2015-01-01, or more than a day ahead of `now` (this host's clock, epoch s)."""
    number = to_number(value)
    if number is None:
        return None
    if number > MILLISECONDS:
        number /= 1000.0
    if not EARLIEST_S <= number <= now + AHEAD_S:
        return None
    return round(number * 1000) * 1_000_000  # to the millisecond, exactly


class Live(NamedTuple):
    """What one frame gives: its line (None when no value is known) and why anything was left
    out, in the words of a warning."""

    point: Point | None
    warnings: list[str]
    frame: bool = True  # False: the message was no power frame at all (not JSON, say)


class LiveStream:
    """The live values of one websocket connection, and the line each frame gives. Pure: the
    caller reads the socket and the PVS, and gives the host's clock (`clock`, epoch seconds)."""

    def __init__(
        self,
        serial: str,
        prefix: str = "sunpower_",
        *,
        device_time: bool = True,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.serial = serial
        self.prefix = prefix
        self.device_time = device_time
        self.clock = clock
        self.values: dict[str, float] = {}

    def seed(self, variables: Mapping[str, Any] | None) -> list[str]:
        """Take every value of a `/sys/livedata` answer (`fmt=obj`: path -> value); None (the
        read failed) leaves every value unknown. Why any value was left out."""
        self.values.clear()
        if variables is None:
            return []
        return self._take(
            {name: variables[PREFIX + name] for name in NAMES if PREFIX + name in variables}
        )

    def message(self, message: str | bytes, battery: str = UNKNOWN) -> Live | None:
        """The line of one websocket message, or None when it is another notification. A
        message that is no power frame gives no line and a warning. `battery` is the site's
        battery state as the device poll found it (site rule 6)."""
        try:
            params = parse_frame(message)
        except NotAFrame as exc:
            return Live(None, [f"ignored {exc}"], frame=False)
        if params is None:
            return None
        warnings = self._take(params, battery)
        time_ns: int | None = None
        if self.device_time:
            time_ns = to_time_ns(params.get("time"), self.clock())
            if time_ns is None and "time" not in params:
                warnings.append("a power frame without a time: its line goes without one")
            elif time_ns is None:
                warnings.append(
                    f"a power frame's time ({quote(params['time'])}) is not plausible (before "
                    "2015, or more than a day ahead of this host's clock): its line goes "
                    "without one"
                )
        return Live(self.line(time_ns, battery), warnings)

    def line(self, time_ns: int | None = None, battery: str = UNKNOWN) -> Point | None:
        """The `sunpower_live` line of the values known now, or None when none is known."""
        live = to_livedata({PREFIX + name: value for name, value in self.values.items()})
        live = to_live_figures(live, battery, [])  # each value's warning came with its frame
        if live is None:
            return None
        fields: dict[str, float | str] = {}
        for field, attribute in FIELDS.items():
            value = getattr(live, attribute)
            if value is not None:
                fields[field] = value
        if not fields:
            return None
        return Point(self.prefix + MEASUREMENT, {"serial": self.serial}, fields, time_ns)

    @property
    def production_kw(self) -> float | None:
        return self.values.get("pv_p")

    def _take(self, params: Mapping[str, Any], battery: str = UNKNOWN) -> list[str]:
        """A frame's (or the seed's) values: a name it leaves out keeps its value, one that is
        unknown or unusable loses it. The warnings of what this frame left out."""
        given = {name: params[name] for name in NAMES if name in params}
        for name, value in given.items():
            number, _ = to_live_value(name, value)
            if number is None:
                self.values.pop(name, None)
            else:
                self.values[name] = number
        warnings: list[str] = []
        to_live_figures(to_livedata({PREFIX + k: v for k, v in given.items()}), battery, warnings)
        return warnings
