"""Map the storage status (`/cgi-bin/dl_cgi/energy-storage-system/status`) to point fields.

The answer's `ess_report` has one section per kind of device; each entry's `serial_number` ties it
to the DeviceList device of that serial, whose line gets the values. An entry whose serial the
device list does not have gets a line of its own under the section's measurement:

- `battery_status[]` -> ESS BMS (`sunpower_ess_bms`), plus `battery_power_kw` = voltage x current
  / 1000 (the sign of the current as the PVS reports it);
- `ess_status[]` and `ess_state[]` (same index) -> Energy Storage System;
- `hub_plus_status` -> HUB+ (`sunpower_hub`);
- `inverter_status[]` -> Storage Inverter.

A value `{"value": x, "unit": u}` becomes a float field named by its key and unit
(`battery_voltage` in V -> `battery_voltage_v`, `customer_state_of_charge` in % ->
`customer_state_of_charge_percent`); nested objects join their keys (`ess_meter_reading.meter_a.
reading.power` -> `ess_meter_a_power_kw`). A plain value (a state such as `contactor_position`) is a
string field, whatever its JSON type, so it keeps one type forever. Timestamps (`last_updated`)
are not fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from .devices import to_number
from .lineproto import FieldValue, clean_text, to_key

SECTIONS = {
    "battery_status": "ESS BMS",
    "ess_status": "Energy Storage System",
    "ess_state": "Energy Storage System",
    "hub_plus_status": "HUB+",
    "inverter_status": "Storage Inverter",
}
UNITS = {
    "v": "v",
    "a": "a",
    "w": "w",
    "kw": "kw",
    "wh": "wh",
    "kwh": "kwh",
    "%": "percent",
    "c": "degc",
    "°c": "degc",
    "degc": "degc",
    "f": "degf",
    "hz": "hz",
    "va": "va",
    "kva": "kva",
    "var": "var",
    "kvar": "kvar",
    "s": "s",
}
SKIP = frozenset({"serial_number", "last_updated", "time", "state"})


class Entry(NamedTuple):
    """The fields of one storage device, with its device type and serial (and where the source
    gives them, its model and the time of the reading)."""

    device_type: str
    serial: str
    fields: dict[str, FieldValue]
    model: str = ""
    time_ns: int | None = None


def _unit_suffix(unit: Any) -> str:
    if not isinstance(unit, str) or not unit.strip():
        return ""
    text = unit.strip().lower()
    return UNITS.get(text, to_key(text).strip("_"))


def _join(prefix: list[str], key: str) -> list[str]:
    """`[ess, meter]` + `meter_a_reading` -> `[ess, meter, a]`: `reading` and a word repeated
    at the join add nothing to a field name."""
    words = [word for word in to_key(key).split("_") if word and word != "reading"]
    if prefix and words and words[0] == prefix[-1]:
        words = words[1:]
    return prefix + words


def _flatten(entry: Mapping[str, Any], fields: dict[str, FieldValue], prefix: list[str]) -> None:
    for key, value in entry.items():
        if not isinstance(key, str) or key in SKIP:
            continue
        words = _join(prefix, key)
        name = "_".join(words)
        if isinstance(value, Mapping) and "value" in value:
            number = to_number(value["value"])
            suffix = _unit_suffix(value.get("unit"))
            if number is not None and name:
                fields.setdefault(f"{name}_{suffix}" if suffix else f"{name}_value", number)
        elif isinstance(value, Mapping):
            _flatten(value, fields, words)
        elif isinstance(value, (str, bool, int, float)) and name and name not in SKIP:
            text = clean_text(str(value).lower() if isinstance(value, bool) else str(value))
            if text:
                fields.setdefault(name, text)


def to_entries(document: Mapping[str, Any]) -> list[Entry]:
    """One Entry per status entry that has a serial and at least one field, in answer order."""
    report = document.get("ess_report")
    if not isinstance(report, Mapping):
        return []
    entries: list[Entry] = []
    ess_serials: list[str] = []
    for section, device_type in SECTIONS.items():
        items = report.get(section)
        if isinstance(items, Mapping):
            items = [items]
        if not isinstance(items, list):
            continue
        for index, item in enumerate(items):
            if not isinstance(item, Mapping):
                continue
            serial = item.get("serial_number")
            if section == "ess_state" and not serial and index < len(ess_serials):
                serial = ess_serials[index]  # the state of the ESS at the same index
            serial = clean_text(serial) if isinstance(serial, str) else ""
            if section == "ess_status":
                ess_serials.append(serial)
            if not serial:
                continue
            fields: dict[str, FieldValue] = {}
            _flatten(item, fields, [])
            if section == "battery_status":
                _add_battery_power(fields)
            if fields:
                entries.append(Entry(device_type, serial, fields))
    return entries


def _add_battery_power(fields: dict[str, FieldValue]) -> None:
    volts, amps = fields.get("battery_voltage_v"), fields.get("battery_amperage_a")
    if isinstance(volts, float) and isinstance(amps, float):
        fields["battery_power_kw"] = round(volts * amps / 1000, 6)
