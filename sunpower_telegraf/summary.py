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
- either way, a production reading under 5 W while the inverters produce is a PVS glitch: the
  inverters' sum stands in for that poll's power (never for a lifetime counter);
- battery: livedata `ess_p`, else the storage status's ESS meter `agg_power`, else its storage
  inverters' `ac_power`: what the PVS signs itself, never a battery module's volts x amps. On a
  site with a battery whose power is unknown, consumption (or a gross site's grid) is left out.

Lifetime counters come from one source per site, whatever one poll reads, so `max - min` over a
day is that day's energy:

- production: the production meter's `net_ltea_3phsum_kwh` when the site has one; otherwise the
  inverters' `ltea_3phsum_kwh` summed, but only from a device list (which lists sleeping
  inverters too) and only when every listed inverter gives one. `production_source` says which.
- net meter: grid import `pos_ltea_3phsum_kwh`, export `neg_ltea_3phsum_kwh`, net
  `net_ltea_3phsum_kwh`; consumption = production + grid net + battery net.
- gross meter: consumption its `net_ltea_3phsum_kwh`; grid net = consumption - production -
  battery net (its counters cannot split import from export).
- battery net (`battery_net_lifetime_kwh`, discharged - charged): livedata `ess_en`. A site with
  a battery but no such counter gets no consumption (net meter) or grid net (gross meter) lifetime.

A counter left out by the glitch rules (`site.py`) leaves out every sum it is part of.

Inverters: `inverters_total`, and where the source has states `inverters_working`,
`inverters_error`, and `inverters_error_daylight` (in error while another one works, so while
the sun is up: 0 at night, briefly more at sunrise and sunset as panels wake and sleep one by one);
`inverter_reading_age_max_s`, the PVS's clock (its newest CURTIME, or its newest reading) minus the
oldest inverter reading.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .devices import to_number
from .health import to_inverter_fields
from .lineproto import FieldValue, Point, clean_text
from .site import Site, devices_of, meter_kind

ZERO_KW = 0.005


def _number(record: Mapping[str, Any] | None, key: str) -> float | None:
    return to_number(record.get(key)) if record else None


def _sum(values: Sequence[float | None]) -> float | None:
    present = [value for value in values if value is not None]
    return sum(present) if present else None


def _plus(*values: float | None) -> float | None:
    """The sum, or None when a term is unknown."""
    present = [value for value in values if value is not None]
    return sum(present, 0.0) if len(present) == len(values) else None


def to_summary(site: Site, prefix: str = "sunpower_") -> Point | str:
    """The summary of one normalised site, or why there is none."""
    records = [record for record in site.records if isinstance(record, Mapping)]
    pvs = next(iter(devices_of(records, "PVS")), None)
    serial = clean_text(pvs["SERIAL"]) if pvs and isinstance(pvs.get("SERIAL"), str) else ""
    if not serial:
        return "site summary left out: the answer names no PVS serial"
    meters = devices_of(records, "Power Meter")
    production_meter = next((m for m in meters if meter_kind(m) == "production"), None)
    consumption_meter = next((m for m in meters if meter_kind(m) in ("net", "gross")), None)
    inverters = devices_of(records, "Inverter")
    live = site.live

    fields: dict[str, float | str | None] = {}
    inverter_kw = _sum([_number(i, "p_3phsum_kw") for i in inverters])
    production: float | None
    if live is not None and live.pv_kw is not None:
        production = live.pv_kw
    elif production_meter is not None:
        production = _number(production_meter, "p_3phsum_kw")
    else:
        production = inverter_kw
    if production is not None and abs(production) < ZERO_KW and (inverter_kw or 0) > ZERO_KW:
        production = inverter_kw  # a production CT reading 0 while the inverters produce

    if production_meter is not None:
        production_kwh = _number(production_meter, "net_ltea_3phsum_kwh")
        fields["production_source"] = "meter"
    else:
        lifetimes = [_number(i, "ltea_3phsum_kwh") for i in inverters]
        complete = site.lists_sleeping_inverters and lifetimes and None not in lifetimes
        production_kwh = _sum(lifetimes) if complete else None
        if inverters:
            fields["production_source"] = "inverters"

    battery, battery_kwh = _battery(site)
    no_battery = 0.0 if not site.has_battery else None
    battery_or_none = battery if battery is not None else no_battery
    battery_kwh_or_none = battery_kwh if battery_kwh is not None else no_battery

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
    if consumption is None and (consumption_meter is not None or live is not None):
        consumption = _plus(production, grid, battery_or_none)

    grid_net_kwh = consumption_kwh = imported = exported = None
    if kind == "net":
        grid_net_kwh = meter_kwh
        consumption_kwh = _plus(production_kwh, meter_kwh, battery_kwh_or_none)
        imported = _number(consumption_meter, "pos_ltea_3phsum_kwh")
        exported = _number(consumption_meter, "neg_ltea_3phsum_kwh")
    elif kind == "gross":
        consumption_kwh = meter_kwh
        grid_net_kwh = _plus(meter_kwh, _neg(production_kwh), _neg(battery_kwh_or_none))

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
    fields.update(to_inverter_fields(records, inverters))

    rounded: dict[str, FieldValue] = {
        key: round(value, 6) if isinstance(value, float) else value
        for key, value in fields.items()
        if value is not None
    }
    return Point(prefix + "site", {"serial": serial}, rounded, None)


def _neg(value: float | None) -> float | None:
    return None if value is None else -value


def _battery(site: Site) -> tuple[float | None, float | None]:
    """Battery power (kW, positive discharging) and lifetime net energy (kWh)."""
    live = site.live
    power = live.ess_kw if live else None
    if power is None:
        power = _sum(
            [_entry(e, "ess_meter_agg_power_kw", "Energy Storage System") for e in site.storage]
        )
    if power is None:
        power = _sum([_entry(e, "ac_power_kw", "Storage Inverter") for e in site.storage])
    return power, live.ess_kwh if live else None


def _soc(site: Site) -> float | None:
    if site.live is not None and site.live.soc_percent is not None:
        return site.live.soc_percent
    values = [
        value
        for entry in site.storage
        for value in [entry.fields.get("customer_state_of_charge_percent")]
        if isinstance(value, float)
    ]
    return sum(values) / len(values) if values else None


def _entry(entry: Any, key: str, device_type: str) -> float | None:
    value = entry.fields.get(key) if entry.device_type == device_type else None
    return value if isinstance(value, float) else None
