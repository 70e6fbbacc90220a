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
run concludes from that is `site.py`'s, and so is whether the backup time means anything (a `soc`
the PVS does not know for one poll is no sign that the battery is gone).

Every value is bounded to what its quantity can be (`BOUNDS`): powers within +-`MAX_KW`, energies
within +-`MAX_KWH`, `soc` a fraction 0-1, the backup time 0-`MAX_MINUTES`. A value the PVS gives
as unknown (`nan`, `""`, `null`) is None and named in `unknown`; any other value that is not a
finite number in its bounds (a list, `true`, `1e308`, a soc of 7) is None too, and named in
`problems`, the words of a warning: it is never printed, and never crashes the encoder.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, NamedTuple

from .answer import quote
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
MAX_KW = 1e5  # 100 MW: no site behind one PVS comes near
MAX_KWH = 1e10
MAX_MINUTES = 1e7  # 19 years of backup
# name -> (lowest, highest, what it is): a value outside is no measurement of that quantity.
BOUNDS = {
    **{
        name: (-MAX_KW, MAX_KW, "a power in kW")
        for name in ("pv_p", "net_p", "site_load_p", "ess_p")
    },
    **{
        name: (-MAX_KWH, MAX_KWH, "an energy in kWh")
        for name in ("pv_en", "net_en", "site_load_en", "ess_en")
    },
    "soc": (0.0, 1.0, "a state of charge from 0 to 1"),
    "backupTimeRemaining": (0.0, MAX_MINUTES, "a backup time in minutes"),
    "midstate": (-1e6, 1e6, "a MID state"),
}


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
    # The names the PVS gave as unknown (`nan`, `""`, `null`), and why other values were not
    # used (a warning each).
    unknown: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()

    @property
    def has_battery(self) -> bool:
        """Whether a battery value is a number: the PVS accounts a battery."""
        return any(value is not None for value in (self.ess_kw, self.ess_kwh, self.soc_percent))


def is_unknown(value: Any) -> bool:
    """Whether the PVS says it does not know the value: `nan`, `""` or `null`."""
    return value is None or (isinstance(value, str) and value.strip().lower() in ("nan", ""))


def to_live_value(name: str, value: Any) -> tuple[float | None, str | None]:
    """A livedata value (`name` one of `BOUNDS`) as a number within its quantity's bounds, or
    None and, unless the PVS said it does not know it, why (a warning's words)."""
    number = to_number(value)
    if number is None:
        if is_unknown(value):
            return None, None
        return None, f"{PREFIX}{name}: {_shown(value)} is not a number; left out"
    low, high, what = BOUNDS[name]
    if not low <= number <= high:
        return None, f"{PREFIX}{name}: {_shown(value)} is not {what}; left out"
    return number, None


def _shown(value: Any) -> str:
    """A value for a warning, short whatever it is (a list is not written out)."""
    if isinstance(value, str):
        return repr(quote(value)[:40])
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, int):
        return f"{value:g}" if abs(value) < 10**300 else "an integer of hundreds of digits"
    return "a list" if isinstance(value, list) else "an object"


def to_livedata(variables: Mapping[str, Any]) -> LiveData | None:
    """The livedata among varserver variables, or None when there is none."""
    if not any(PREFIX + name in variables for name in (*NAMES, "backupTimeRemaining")):
        return None  # looked up by name: the variables may hold thousands of device values
    unknown: list[str] = []
    problems: list[str] = []

    def value(name: str, scale: float = 1.0) -> float | None:
        key = PREFIX + name
        if key not in variables:
            return None
        number, problem = to_live_value(name, variables[key])
        if problem:
            problems.append(problem)
        elif number is None:
            unknown.append(name)
        return None if number is None else round(number * scale, 6)

    def nan(name: str) -> bool:
        text = variables.get(PREFIX + name)
        return isinstance(text, str) and text.strip().lower() == "nan"

    seconds = to_number(variables.get(PREFIX + "time"))
    in_range = seconds is not None and MIN_TIME_S < seconds < MAX_TIME_S
    live = LiveData(
        pv_kw=value("pv_p"),
        pv_kwh=value("pv_en"),
        net_kw=value("net_p"),
        net_kwh=value("net_en"),
        load_kw=value("site_load_p"),
        load_kwh=value("site_load_en"),
        ess_kw=value("ess_p"),
        ess_kwh=value("ess_en"),
        soc_percent=value("soc", 100.0),
        # Whether a backup time means anything on this site is site.py's (rule 7).
        backup_minutes=value("backupTimeRemaining"),
        time_ns=int(seconds) * 1_000_000_000 if in_range and seconds is not None else None,
        no_battery=nan("ess_p")
        and nan("soc")
        and (nan("ess_en") or PREFIX + "ess_en" not in variables),
        mid_state=value("midstate"),
    )
    return live._replace(unknown=tuple(unknown), problems=tuple(problems))
