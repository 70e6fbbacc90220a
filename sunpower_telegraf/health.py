"""Health figures of one poll: what tells an owner a panel, the PVS or the battery needs a look.

Stateless: every figure comes from one poll's normalised site, so a figure that needs history (a
panel missing since yesterday, a restart) is left to the alert rules (`grafana/alerts.py`). The
site summary gets the site's figures (`to_inverter_fields`); device lines get their own figures
(`to_device_health`), by serial. The rules:

- **The site's median inverter** (`inverter_median_kw`, kW): the median AC power of the listed
  inverters that report one, an inverter in error counting as 0 W whatever it reports (on 2019
  firmware it reports nothing). It stays on a producing panel while fewer than half the panels
  fail, so one dead or shaded panel never moves it much.
- **Daylight**: the median inverter produces at least `DAYLIGHT_KW` (60 W, 15 % of a typical
  400 W AC module). Then the sun is well up for the whole site: a healthy panel wakes at a few
  percent of its rating, so at sunrise and dusk, when panels wake and sleep one by one, the site
  is not in daylight and none of them counts as failing. On the simulated days every panel is
  awake from the moment the median reaches 60 W in the morning until it drops below in the
  evening.
- **Producing**: a listed inverter not in error whose AC power is above 0.
  `inverters_producing` counts them (always printed, 0 at night). It is what a dead panel
  changes on every source: the device list lists it in error, the varserver leaves it out (as
  it leaves out a sleeping one), a PVS may drop it from the list until it restarts. Only
  history tells a missing panel, so the alert compares the count in daylight with its maximum
  in daylight over the last days.
- `inverters_error_daylight`: in daylight, the listed inverters in error; 0 otherwise (a count
  of 0 at night is true: nothing is in error in daylight). Only where the source has states
  (the device list).
- `relative_power_percent` (on each `sunpower_inverter`, %): in daylight, a producing inverter's
  AC power against the median inverter's. Outside daylight the ratio of small numbers means
  nothing and is left out; an inverter that does not produce is counted above, not compared.
- `inverters_underperforming`: in daylight, the producing inverters whose relative power is
  below `FAR_BELOW_PERCENT` (50 %): far below their neighbours right now (shade, soiling, a
  failing module). Left out outside daylight, where it cannot be known.
- `reading_age_s` (on any device but the PVS, s): the PVS's clock (its newest `CURTIME`, else
  the newest reading of the poll) minus the device's reading time, where that is more than
  `STALE_S` (15 minutes, three of the PVS's 5-minute refreshes) and the device is not in error:
  a device that stopped reporting. A device whose reading stopped moving writes the same point
  (its reading's time) each run, so the field there holds the latest age. The PVS's own record
  is left out: its time lags its clock by up to an hour in normal operation.
- `inverter_reading_age_max_s` (s): the PVS's clock minus the oldest reading of a listed
  inverter not in error (one asleep at night is in error on the device list, absent on the
  varserver: neither is stale).
- `pvs_uptime_s` (s): the PVS's uptime (`dl_uptime`, from the device list or `/sys/info/uptime`),
  on the site line too, whose time is the poll's: the PVS line's own time may lag by an hour, so
  a restart shows on the site line first.
- `inverters_total` (always printed, 0 with none listed: the "PVS silent" alert counts it),
  `inverters_working` and `inverters_error` (where the source has states).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from .devices import parse_datatime, to_number
from .lineproto import FieldValue, clean_text
from .site import Site, devices_of

DAYLIGHT_KW = 0.06
FAR_BELOW_PERCENT = 50.0
STALE_S = 900.0
_NS = 1_000_000_000


def _in_error(record: Mapping[str, Any]) -> bool:
    return str(record.get("STATE", "")).lower() == "error"


def _power(record: Mapping[str, Any]) -> float | None:
    """An inverter's AC power (kW), None when it has no reading."""
    return to_number(record.get("p_3phsum_kw"))


class Inverters(NamedTuple):
    """The poll's inverters as the health rules read them, worked out once per run: the site
    summary and the device lines both use them."""

    records: Sequence[Mapping[str, Any]]
    # Each inverter's AC power (kW), 0 for one in error, None for one without a reading.
    powers: list[float | None]
    median_kw: float | None
    # Each producing inverter's power against the median (%), by serial; empty outside daylight.
    relative: dict[str, float]

    @property
    def daylight(self) -> bool:
        return is_daylight(self.median_kw)


def to_inverters(inverters: Sequence[Mapping[str, Any]]) -> Inverters:
    """The health rules' view of the poll's inverters."""
    powers = [0.0 if _in_error(i) else _power(i) for i in inverters]
    known = [max(power, 0.0) for power in powers if power is not None]
    median = _median(known)
    relative: dict[str, float] = {}
    if median is not None and is_daylight(median):
        for inverter, power in zip(inverters, powers):
            serial = _serial(inverter)
            if power is not None and power > 0 and serial:
                relative[serial] = round(power / median * 100, 1)
    return Inverters(inverters, powers, median, relative)


def _median(values: list[float]) -> float | None:
    """The median, as `statistics.median` gives it (the mean of the middle two of an even
    count); that module is not imported, for its imports cost an exec run more than this."""
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def to_median_kw(inverters: Sequence[Mapping[str, Any]]) -> float | None:
    """The site's median inverter (kW), None with no inverter that tells."""
    return to_inverters(inverters).median_kw


def is_daylight(median_kw: float | None) -> bool:
    return median_kw is not None and median_kw >= DAYLIGHT_KW


def _clock(records: Sequence[Mapping[str, Any]]) -> int | None:
    """The PVS's clock (ns): its newest CURTIME, else the newest reading of the poll."""
    clocks = [parse_datatime(d.get("CURTIME")) for d in records]
    clock = max((t for t in clocks if t is not None), default=None)
    if clock is None:
        readings = [parse_datatime(d.get("DATATIME")) for d in records]
        clock = max((t for t in readings if t is not None), default=None)
    return clock


def to_device_health(
    site: Site, inverters: Inverters | None = None
) -> dict[str, dict[str, FieldValue]]:
    """Extra fields for device lines, by serial: relative power, stale readings. `inverters`:
    the site's, where the caller has them already."""
    records = [r for r in site.records if isinstance(r, Mapping)]
    health: dict[str, dict[str, FieldValue]] = {}
    if inverters is None:
        inverters = to_inverters(devices_of(records, "Inverter"))
    for serial, percent in inverters.relative.items():
        health.setdefault(serial, {})["relative_power_percent"] = percent
    clock = _clock(records)
    if clock is None:
        return health
    oldest = clock - int(STALE_S * _NS)  # in whole nanoseconds, as the times are
    for record in records:
        reading = parse_datatime(record.get("DATATIME"))
        if reading is None or reading >= oldest:
            continue  # most records: a fresh reading, or none
        if record.get("DEVICE_TYPE") == "PVS" or _in_error(record):
            continue  # the PVS's record time lags its clock normally; in error is said already
        name = _serial(record)
        if name:
            health.setdefault(name, {})["reading_age_s"] = float((clock - reading) // _NS)
    return health


def _serial(record: Mapping[str, Any]) -> str:
    """The serial as the device's line tags it."""
    serial = record.get("SERIAL")
    return clean_text(serial) if isinstance(serial, str) else ""


def to_inverter_fields(
    records: Sequence[Mapping[str, Any]],
    inverters: Sequence[Mapping[str, Any]],
    known: Inverters | None = None,
) -> dict[str, float | None]:
    """The site's health figures (the module docstring has the rules). `known`: the health
    rules' view of `inverters`, where the caller has it already."""
    if known is None:
        known = to_inverters(inverters)
    fields: dict[str, float | None] = {"inverters_total": float(len(inverters))}
    median = known.median_kw
    daylight = is_daylight(median)
    fields["inverters_producing"] = float(
        sum(power is not None and power > 0 for power in known.powers)
    )
    fields["inverter_median_kw"] = None if median is None else round(median, 6)
    states = [str(i.get("STATE", "")).lower() for i in inverters if i.get("STATE")]
    if states:
        error = states.count("error")
        fields["inverters_working"] = float(states.count("working"))
        fields["inverters_error"] = float(error)
        fields["inverters_error_daylight"] = float(error if daylight else 0)
    if daylight:
        below = [p for p in known.relative.values() if p < FAR_BELOW_PERCENT]
        fields["inverters_underperforming"] = float(len(below))
    clock = _clock(records)
    readings = [parse_datatime(i.get("DATATIME")) for i in inverters if not _in_error(i)]
    oldest = min((t for t in readings if t is not None), default=None)
    if oldest is not None and clock is not None:
        fields["inverter_reading_age_max_s"] = float(max(clock - oldest, 0) // _NS)
    pvs = next(iter(devices_of(records, "PVS")), None)
    if pvs is not None:
        fields["pvs_uptime_s"] = to_number(pvs.get("dl_uptime"))
    return fields
