"""The site summary: one `sunpower_site` line per run with what a dashboard wants, no arithmetic.

Powers in kW, energies in kWh. Grid power is positive importing; battery power is the PVS's sign,
positive discharging into the home, negative charging. The PVS keeps `home = pv + grid + battery`.

Powers, right now:

- where the firmware has `/sys/livedata` (current firmware), the PVS's own figures: `pv_p`,
  `net_p`, `ess_p`; `consumption_kw` = production + grid + battery (the PVS's `site_load_p`);
- otherwise from the devices: production the production meter's `p_3phsum_kw` (no production
  meter: the inverters' sum); a net (load-side) consumption meter measures the grid, so
  consumption = production + grid + battery; a gross (line-side) one measures the home, so
  grid = consumption - production - battery;
- with `production_source` `auto`, a production reading under 5 W while the inverters produce
  is a PVS glitch: the inverters' sum stands in for that poll's power (never for a lifetime);
- battery: livedata `ess_p`, else the documents that measure it, the storage status (legacy
  firmware) and the varserver's ESS (current): the sum of their energy storage systems'
  `p_3phsum_kw` (the status's ESS meter `agg_power`, the varserver ESS's `p3phsumKw`), else of
  their storage inverters' `ac_power_kw`; never both, as they measure the same flow, and never a
  mix: no document says which inverter is whose ESS, so the inverters stand in as a whole. What
  the PVS signs itself, never a battery module's volts x amps. A sum needs every one of its
  devices: an ESS of the status without its power, where the inverters cannot stand in, leaves
  the battery's power unknown. A device list's storage entries are never read for it (no device
  list carries a battery's power): they neither give nor block the sum, and the answer is the
  same whether their serials join the status's entries or not (`site.py`, rule 4).

**Battery-site consumption is never guessed.** Where the site may have a battery
(`site.Battery`: present, or unknown because the poll cannot tell) and the poll gives no battery
power, consumption (or a gross site's grid) is left out with a warning saying why; likewise the
lifetimes that need the battery's lifetime. Only where the poll shows there is no battery does
the battery count as 0.

Lifetime counters come from one source per site, whatever one poll reads, so `max - min` over a
day is that day's energy:

- production (`production_source`, printed as the field of that name): `meter`, the production
  meter's `net_ltea_3phsum_kwh`; `inverters`, the inverters' `ltea_3phsum_kwh` summed, but only
  from a device list (which lists sleeping inverters too) and only when every listed inverter
  gives one; `auto` is `meter` where the site has a production meter, else `inverters`. With
  `inverters` the production power is the inverters' sum too, every poll: for a production meter
  without a CT, which reads 0 for good;
- net meter: grid import `pos_ltea_3phsum_kwh`, export `neg_ltea_3phsum_kwh`, net
  `net_ltea_3phsum_kwh`; consumption = production + grid net + battery net;
- gross meter: consumption its `net_ltea_3phsum_kwh`; grid net = consumption - production -
  battery net (its counters cannot split import from export);
- battery net (`battery_net_lifetime_kwh`, discharged - charged): livedata `ess_en`, the only
  battery counter whose sign and source hold across firmware. On legacy firmware there is none,
  so a storage site's consumption (net meter) or grid net (gross meter) lifetime is never printed
  there; that is the firmware, and no warning says it every run.

A counter left out by the glitch rules (`site.py`) leaves out every sum it is part of.

Time: the figures' own time (livedata's `time` where the powers come from livedata, else the
newest meter reading), so a replayed answer puts the summary beside its devices; none with
`device_time` off, or where the answer has neither.

Inverters and the PVS's health (`inverters_*`, `inverter_median_kw`, `pvs_uptime_s`, ...): see
`health.py`, whose rules decide daylight so that sunrise and dusk never count a panel in error.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from .devices import parse_datatime, to_number
from .health import Inverters, to_inverter_fields
from .lineproto import FieldValue, Point, clean_text
from .site import ABSENT, NO_POWER_KW, PRESENT, Site, devices_of, meter_kind
from .storage import ORIGIN as STORAGE_STATUS

# The documents whose storage devices measure the battery's power (`site.py` keeps the `ORIGIN`
# of the storage document on a joined record), and what each kind of device measures it by, in
# the order they are read: the ESS meter first, the storage inverters in its place.
MEASURING = frozenset({STORAGE_STATUS, "varserver"})
BATTERY_POWER = (("Energy Storage System", "p_3phsum_kw"), ("Storage Inverter", "ac_power_kw"))


class Summary(NamedTuple):
    """The `sunpower_site` point (None when there is none), and why anything was left out."""

    point: Point | None
    warnings: list[str]


def _number(record: Mapping[str, Any] | None, key: str) -> float | None:
    return to_number(record.get(key)) if record else None


def _sum(values: Sequence[float | None]) -> float | None:
    present = [value for value in values if value is not None]
    return sum(present) if present else None


def _plus(*values: float | None) -> float | None:
    """The sum, or None when a term is unknown."""
    present = [value for value in values if value is not None]
    return sum(present, 0.0) if len(present) == len(values) else None


def _all(values: Sequence[float | None]) -> float | None:
    """The sum of every value, or None when there is none or one is unknown."""
    return _plus(*values) if values else None


def _neg(value: float | None) -> float | None:
    return None if value is None else -value


def to_summary(
    site: Site,
    prefix: str = "sunpower_",
    production_source: str = "auto",
    device_time: bool = True,
    known: Inverters | None = None,
) -> Summary:
    """The summary of one normalised site, and a warning for each figure it had to leave out.
    `known`: the health rules' view of the site's inverters, where the caller has it already."""
    records = site.devices
    pvs = next(iter(devices_of(records, "PVS")), None)
    serial = clean_text(pvs["SERIAL"]) if pvs and isinstance(pvs.get("SERIAL"), str) else ""
    if not serial:
        return Summary(None, ["site summary left out: the answer names no PVS serial"])
    warnings: list[str] = []
    meters = devices_of(records, "Power Meter")
    production_meter = next((m for m in meters if meter_kind(m) == "production"), None)
    consumption_meter = next((m for m in meters if meter_kind(m) in ("net", "gross")), None)
    inverters = devices_of(records, "Inverter")
    live = site.live

    fields: dict[str, float | str | None] = {}
    production, production_kwh, source = _production(
        site, production_meter, inverters, production_source, warnings
    )
    if source:
        fields["production_source"] = source

    battery, battery_kwh = _battery(site)
    absent = site.battery.state == ABSENT
    battery_or_none = battery if battery is not None else (0.0 if absent else None)
    battery_kwh_or_none = battery_kwh if battery_kwh is not None else (0.0 if absent else None)
    # What the battery's unknown power (or lifetime) leaves out, for the warning.
    no_power: list[str] = []
    no_energy: list[str] = []

    def with_battery(name: str, known: Sequence[float | None], lost: list[str]) -> None:
        if all(value is not None for value in known):
            lost.append(name)

    kind = meter_kind(consumption_meter) if consumption_meter else None
    meter_kw = _number(consumption_meter, "p_3phsum_kw")
    meter_kwh = _number(consumption_meter, "net_ltea_3phsum_kwh")
    grid: float | None = None
    consumption: float | None = None
    if live is not None and live.net_kw is not None:
        grid = live.net_kw
    elif kind == "net":
        grid = meter_kw
    elif kind == "gross" and meter_kw is not None:
        consumption = meter_kw
        grid = _plus(meter_kw, _neg(production), _neg(battery_or_none))
        if grid is None and battery_or_none is None:
            with_battery("grid_kw", [production], no_power)
    if consumption is None and (consumption_meter is not None or live is not None):
        consumption = _plus(production, grid, battery_or_none)
        if consumption is None and battery_or_none is None:
            with_battery("consumption_kw", [production, grid], no_power)

    grid_net_kwh = consumption_kwh = imported = exported = None
    if kind == "net":
        grid_net_kwh = meter_kwh
        consumption_kwh = _plus(production_kwh, meter_kwh, battery_kwh_or_none)
        if consumption_kwh is None and battery_kwh_or_none is None:
            with_battery("consumption_lifetime_kwh", [production_kwh, meter_kwh], no_energy)
        imported = _number(consumption_meter, "pos_ltea_3phsum_kwh")
        exported = _number(consumption_meter, "neg_ltea_3phsum_kwh")
    elif kind == "gross":
        consumption_kwh = meter_kwh
        grid_net_kwh = _plus(meter_kwh, _neg(production_kwh), _neg(battery_kwh_or_none))
        if grid_net_kwh is None and battery_kwh_or_none is None:
            with_battery("grid_net_lifetime_kwh", [production_kwh, meter_kwh], no_energy)
    warnings += _battery_warnings(site, no_power, no_energy)

    fields.update(
        production_kw=production,
        production_lifetime_kwh=production_kwh,
        consumption_kw=consumption,
        consumption_lifetime_kwh=consumption_kwh,
        grid_kw=grid,
        grid_import_kw=None if grid is None else max(grid, 0.0),
        grid_export_kw=None if grid is None else max(-grid, 0.0),
        grid_net_lifetime_kwh=grid_net_kwh,
        grid_import_lifetime_kwh=imported,
        grid_export_lifetime_kwh=exported,
        battery_kw=battery,
        battery_net_lifetime_kwh=battery_kwh,
        battery_soc_percent=_soc(site),
        battery_backup_time_min=live.backup_minutes if live else None,
    )
    if site.alarms is not None:
        fields["storage_alarms"] = float(len(site.alarms))
        if site.alarms:
            fields["storage_alarm_names"] = ", ".join(site.alarms)
    fields.update(to_inverter_fields(records, inverters, known))

    rounded: dict[str, FieldValue] = {
        key: round(value, 6) if isinstance(value, float) else value
        for key, value in fields.items()
        if value is not None
    }
    time_ns = _time(site, meters) if device_time else None
    return Summary(Point(prefix + "site", {"serial": serial}, rounded, time_ns), warnings)


def _production(
    site: Site,
    meter: Mapping[str, Any] | None,
    inverters: Sequence[Mapping[str, Any]],
    source: str,
    warnings: list[str],
) -> tuple[float | None, float | None, str]:
    """Production power, production lifetime, and the lifetime's source ("" for none)."""
    live = site.live
    requested = source
    inverter_kw = _sum([_number(i, "p_3phsum_kw") for i in inverters])
    power: float | None
    if source == "auto":
        source = "meter" if meter is not None else "inverters"
        if live is not None and live.pv_kw is not None:
            power = live.pv_kw
        else:
            power = _number(meter, "p_3phsum_kw") if meter is not None else inverter_kw
        if power is not None and abs(power) < NO_POWER_KW and (inverter_kw or 0) > NO_POWER_KW:
            power = inverter_kw  # a production CT reading 0 while the inverters produce
    elif source == "meter":
        power = live.pv_kw if live is not None and live.pv_kw is not None else None
        if meter is None:
            warnings.append(
                "production lifetime left out: --production-source meter, and the answer "
                "lists no production meter"
            )
            return power, None, ""
        if power is None:
            power = _number(meter, "p_3phsum_kw")
    else:
        power = inverter_kw
    if source == "meter":
        return power, _number(meter, "net_ltea_3phsum_kwh"), "meter"
    if not inverters:
        return power, None, ""
    if not site.lists_sleeping_inverters:
        if requested == "inverters":
            warnings.append(
                "production lifetime left out: the varserver leaves sleeping inverters out, so "
                "their sum is no lifetime; read the device list (--source devicelist)"
            )
        return power, None, "inverters"
    return power, _all([_number(i, "ltea_3phsum_kwh") for i in inverters]), "inverters"


def _battery_warnings(site: Site, no_power: list[str], no_energy: list[str]) -> list[str]:
    """Why the figures that need the battery were left out."""
    battery = site.battery
    if battery.state == PRESENT:
        reason = f"the site has a battery ({battery.why}) and this poll gives no battery"
    else:
        reason = f"this poll cannot tell whether the site has a battery ({battery.why})"
    warnings = []
    if no_power:
        power = reason if battery.state != PRESENT else f"{reason} power"
        warnings.append(f"{' and '.join(no_power)} left out: {power}")
    # On legacy firmware no document counts the battery's energy: that is no news every run.
    if no_energy and not (site.legacy and battery.state == PRESENT):
        energy = reason if battery.state != PRESENT else f"{reason} lifetime (ess_en)"
        warnings.append(f"{' and '.join(no_energy)} left out: {energy}")
    return warnings


def _battery(site: Site) -> tuple[float | None, float | None]:
    """Battery power (kW, positive discharging) and lifetime net energy (kWh)."""
    live = site.live
    power = live.ess_kw if live else None
    if power is None:
        power = to_battery_kw(site.devices)
    return power, live.ess_kwh if live else None


def to_battery_kw(records: Sequence[Any]) -> float | None:
    """The battery's power from the storage devices of the documents that measure it (records
    whose `ORIGIN` is in `MEASURING`: the storage status, the varserver): the sum of every such
    ESS's `p_3phsum_kw`, else of every such storage inverter's `ac_power_kw`; None when neither
    sum has all its terms. A device-list entry is never read: no device list carries a battery's
    power, so its storage entries neither give nor block the sum."""
    measuring = [record for record in records if record.get("ORIGIN") in MEASURING]
    for device_type, key in BATTERY_POWER:
        power = _all([_number(device, key) for device in devices_of(measuring, device_type)])
        if power is not None:
            return power
    return None


def _soc(site: Site) -> float | None:
    """The PVS's own state of charge, else the average over the batteries that give one."""
    if site.live is not None and site.live.soc_percent is not None:
        return site.live.soc_percent
    values = [
        value
        for record in site.devices
        for value in [_number(record, "customer_soc_percent")]
        if value is not None
    ]
    return sum(values) / len(values) if values else None


def _time(site: Site, meters: Sequence[Mapping[str, Any]]) -> int | None:
    """When the summary's figures were taken."""
    live = site.live
    if live is not None and live.time_ns is not None and (live.pv_kw, live.net_kw) != (None, None):
        return live.time_ns
    times = [parse_datatime(meter.get("DATATIME")) for meter in meters]
    return max((time for time in times if time is not None), default=None)


def production_meter_advice(site: Site) -> str | None:
    """A sentence for `--check` when the production meter reads 0 while the inverters report
    energy (a meter without a CT), or None."""
    meters = [m for m in devices_of(site.devices, "Power Meter") if meter_kind(m) == "production"]
    inverters = devices_of(site.devices, "Inverter")
    lifetimes = [_number(i, "ltea_3phsum_kwh") for i in inverters]
    energy = _sum(lifetimes)
    for meter in meters:
        power = _number(meter, "p_3phsum_kw")
        lifetime = _number(meter, "net_ltea_3phsum_kwh")
        if power in (None, 0.0) and lifetime in (None, 0.0) and energy is not None and energy > 0:
            return (
                f"the production meter {meter.get('SERIAL') or '?'} reads 0 while the inverters "
                f"report {energy:.1f} kWh: it has no CT; run with --production-source inverters"
            )
    return None
