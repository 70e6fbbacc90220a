"""The PVS's own site figures: `/sys/livedata/*` on the varserver of current firmware.

These are what the vendor's app shows, and the PVS keeps `site_load = pv + net + ess`:

- `pv_p` kW, `pv_en` kWh: production;
- `net_p` kW, `net_en` kWh: the grid, positive importing (`net_en` falls while exporting);
- `site_load_p` kW, `site_load_en` kWh: the home;
- `ess_p` kW: the battery, positive discharging into the home, negative charging; `ess_en` kWh its
  lifetime net (discharged - charged); `soc` a 0-1 fraction; `backupTimeRemaining` minutes;
- `midstate`: the state of the MID, the switch a storage system islands the home with: 0 where
  there is none (a real PV-only site), 2 on storage sites (the real SunVault capture, the
  vendor's examples);
- `time`: when the PVS took these figures, in seconds since the epoch.

Battery values are `nan` on a site without a battery: that is how a run learns there is none
(`no_battery`). Livedata without them, or with `ess_p` missing, says nothing either way: what the
run concludes from that is `site.py`'s.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from .devices import to_number

MIN_TIME_S = 0
MAX_TIME_S = 7_258_118_400  # 2200-01-01, the bound of the devices' DATATIME
PREFIX = "/sys/livedata/"
NAMES = (
    "pv_p",
    "pv_en",
    "net_p",
    "net_en",
    "site_load_p",
    "site_load_en",
    "ess_p",
    "ess_en",
    "soc",
)


class LiveData(NamedTuple):
    """Livedata in the project's units (kW, kWh, %, min); None where the PVS has no value."""

    pv_kw: float | None = None
    pv_kwh: float | None = None
    net_kw: float | None = None
    net_kwh: float | None = None
    load_kw: float | None = None
    load_kwh: float | None = None
    ess_kw: float | None = None
    ess_kwh: float | None = None
    soc_percent: float | None = None
    backup_minutes: float | None = None
    # When the PVS took these figures (`time`), in nanoseconds since the epoch.
    time_ns: int | None = None
    # Whether the PVS said there is no battery: `ess_p` and `soc` both `nan`, `ess_en` too if given.
    no_battery: bool = False
    # `midstate`, as the PVS numbers it; not 0 where a storage system's MID is there.
    mid_state: float | None = None

    @property
    def has_battery(self) -> bool:
        """Whether a battery value is a number: the PVS accounts a battery."""
        return any(value is not None for value in (self.ess_kw, self.ess_kwh, self.soc_percent))


def to_livedata(variables: Mapping[str, Any]) -> LiveData | None:
    """The livedata among varserver variables, or None when there is none."""
    if not any(PREFIX + name in variables for name in NAMES):
        return None  # looked up by name: the variables may hold thousands of device values

    def value(name: str, scale: float = 1.0) -> float | None:
        number = to_number(variables.get(PREFIX + name))
        return None if number is None else round(number * scale, 6)

    def nan(name: str) -> bool:
        text = variables.get(PREFIX + name)
        return isinstance(text, str) and text.strip().lower() == "nan"

    soc = value("soc", 100.0)
    seconds = to_number(variables.get(PREFIX + "time"))
    in_range = seconds is not None and MIN_TIME_S < seconds < MAX_TIME_S
    return LiveData(
        pv_kw=value("pv_p"),
        pv_kwh=value("pv_en"),
        net_kw=value("net_p"),
        net_kwh=value("net_en"),
        load_kw=value("site_load_p"),
        load_kwh=value("site_load_en"),
        ess_kw=value("ess_p"),
        ess_kwh=value("ess_en"),
        soc_percent=soc,
        # The PVS says 0 minutes of backup on a site with no battery: not a measurement there.
        backup_minutes=value("backupTimeRemaining") if soc is not None else None,
        time_ns=int(seconds) * 1_000_000_000 if in_range and seconds is not None else None,
        no_battery=nan("ess_p")
        and nan("soc")
        and (nan("ess_en") or PREFIX + "ess_en" not in variables),
        mid_state=value("midstate"),
    )
