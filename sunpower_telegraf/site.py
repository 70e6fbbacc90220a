"""The site summary: one `sunpower_site` line per run with what a dashboard wants, no arithmetic.

Formulas (all powers in kW, energies in kWh, positive grid power is import):

- production: the production meter's `p_3phsum_kw` and `net_ltea_3phsum_kwh`; where the site has
  no production meter, or it reads zero (under 5 W either way) while the inverters produce, the
  sum of the inverters' `p_3phsum_kw` and `ltea_3phsum_kwh`. `production_source` says which.
- a net consumption meter (`NET_CONSUMPTION_LOADSIDE`, and a consumption meter with no subtype)
  measures the grid: `grid_kw` = its power, `consumption_kw` = production + grid; lifetime import
  `pos_ltea_3phsum_kwh`, export `neg_ltea_3phsum_kwh`, net `net_ltea_3phsum_kwh`, consumption =
  production + net.
- a gross consumption meter (`GROSS_CONSUMPTION_LINESIDE`) measures the house:
  `consumption_kw` = its power, `grid_kw` = consumption - production; lifetime consumption its
  `net_ltea_3phsum_kwh`, net grid = consumption - production (its counters cannot split import
  from export).
- `grid_import_kw` = max(grid, 0), `grid_export_kw` = max(-grid, 0).
- inverter counts: total, and by STATE working / error where the source has a state.
- `inverter_reading_age_max_s`: the PVS's clock (its newest CURTIME, or where the source has none,
  its newest reading of any device) minus the oldest inverter reading.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .devices import parse_datatime, to_number
from .lineproto import FieldValue, Point, clean_text

ZERO_KW = 0.005


def _kind(record: Mapping[str, Any]) -> str:
    """`production`, `net` or `gross` for a meter record."""
    subtype = str(record.get("subtype") or "").upper()
    if "PRODUCTION" in subtype:
        return "production"
    if "GROSS_CONSUMPTION" in subtype:
        return "gross"
    if "CONSUMPTION" in subtype:
        return "net"
    ending = str(record.get("TYPE") or record.get("MODEL") or record.get("SERIAL") or "")
    return "production" if ending.strip().lower().endswith("p") else "net"


def _number(record: Mapping[str, Any] | None, key: str) -> float | None:
    return to_number(record.get(key)) if record else None


def _sum(values: Sequence[float | None]) -> float | None:
    present = [value for value in values if value is not None]
    return sum(present) if present else None


def to_site_point(records: Sequence[Any], prefix: str = "sunpower_") -> Point | str:
    """The summary of one answer's device records, or why there is none."""
    devices = [record for record in records if isinstance(record, Mapping)]
    pvs = next((d for d in devices if d.get("DEVICE_TYPE") == "PVS"), None)
    serial = clean_text(pvs["SERIAL"]) if pvs and isinstance(pvs.get("SERIAL"), str) else ""
    if not serial:
        return "site summary left out: the answer names no PVS serial"
    meters = [d for d in devices if d.get("DEVICE_TYPE") == "Power Meter"]
    production_meter = next((m for m in meters if _kind(m) == "production"), None)
    consumption_meter = next((m for m in meters if _kind(m) != "production"), None)
    inverters = [d for d in devices if d.get("DEVICE_TYPE") == "Inverter"]

    fields: dict[str, float | str] = {}
    inverter_kw = _sum([_number(i, "p_3phsum_kw") for i in inverters])
    meter_kw = _number(production_meter, "p_3phsum_kw")
    if meter_kw is not None and not (abs(meter_kw) < ZERO_KW and (inverter_kw or 0) > ZERO_KW):
        production: float | None = meter_kw
        production_kwh = _number(production_meter, "net_ltea_3phsum_kwh")
        fields["production_source"] = "meter"
    else:
        production = inverter_kw
        production_kwh = _sum([_number(i, "ltea_3phsum_kwh") for i in inverters])
        if production is not None:
            fields["production_source"] = "inverters"
    fields.update(_optional(production_kw=production, production_lifetime_kwh=production_kwh))

    if consumption_meter is not None:
        fields.update(_consumption(consumption_meter, production, production_kwh))

    fields["inverters_total"] = float(len(inverters))
    states = [str(i.get("STATE", "")).lower() for i in inverters if i.get("STATE")]
    if states:
        fields["inverters_working"] = float(states.count("working"))
        fields["inverters_error"] = float(states.count("error"))
    readings = [parse_datatime(i.get("DATATIME")) for i in inverters]
    oldest = min((t for t in readings if t is not None), default=None)
    clocks = [parse_datatime(d.get("CURTIME")) for d in devices]
    clock = max((t for t in clocks if t is not None), default=None)
    if clock is None:
        readings_all = [parse_datatime(d.get("DATATIME")) for d in devices]
        clock = max((t for t in readings_all if t is not None), default=None)
    if oldest is not None and clock is not None:
        fields["inverter_reading_age_max_s"] = float(max(clock - oldest, 0) // 1_000_000_000)

    rounded: dict[str, FieldValue] = {
        key: round(value, 6) if isinstance(value, float) else value for key, value in fields.items()
    }
    return Point(prefix + "site", {"serial": serial}, rounded, None)


def _consumption(
    meter: Mapping[str, Any], production: float | None, production_kwh: float | None
) -> dict[str, float]:
    power = _number(meter, "p_3phsum_kw")
    lifetime = _number(meter, "net_ltea_3phsum_kwh")
    if _kind(meter) == "gross":
        consumption, consumption_kwh = power, lifetime
        grid = _minus(consumption, production)
        grid_net_kwh = _minus(consumption_kwh, production_kwh)
        imported = exported = None
    else:
        grid, grid_net_kwh = power, lifetime
        consumption = _plus(production, grid)
        consumption_kwh = _plus(production_kwh, grid_net_kwh)
        imported = _number(meter, "pos_ltea_3phsum_kwh")
        exported = _number(meter, "neg_ltea_3phsum_kwh")
    return _optional(
        consumption_kw=consumption,
        consumption_lifetime_kwh=consumption_kwh,
        grid_kw=grid,
        grid_import_kw=None if grid is None else (grid if grid > 0 else 0.0),
        grid_export_kw=None if grid is None else (-grid if grid < 0 else 0.0),
        grid_net_lifetime_kwh=grid_net_kwh,
        grid_import_lifetime_kwh=imported,
        grid_export_lifetime_kwh=exported,
    )


def _plus(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else a + b


def _minus(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else a - b


def _optional(**values: float | None) -> dict[str, float]:
    return {key: value for key, value in values.items() if value is not None}
