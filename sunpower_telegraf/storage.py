"""Map the storage status (`/cgi-bin/dl_cgi/energy-storage-system/status`) to point fields.

The answer's `ess_report` has one section per kind of device; each entry's `serial_number` ties it
to the DeviceList device of that serial, whose line gets the values. An entry whose serial the
device list does not have gets a line of its own under the section's measurement:

- `battery_status[]` -> ESS BMS (`sunpower_ess_bms`): one battery module's DC side; its volts x amps
  is not the battery's power, which comes from `ess_meter_reading.agg_power` (see `summary.py`);
- `ess_status[]` and `ess_state[]` (same index) -> Energy Storage System;
- `hub_plus_status` -> HUB+ (`sunpower_hub`);
- `inverter_status[]` -> Storage Inverter.

A value `{"value": x, "unit": u}` becomes a float field named by its key and unit
(`battery_voltage` in V -> `battery_voltage_v`, `customer_state_of_charge` in % ->
`customer_state_of_charge_percent`); nested objects join their keys
(`ess_meter_reading.meter_a.reading.power` -> `ess_meter_a_power_kw`). One unit per quantity,
whatever the status used: W, VA, var and Wh become kW, kVA, kvar and kWh (a real SunVault gives
its meter legs in W, unsigned: volts x amps). A plain value (a state such as `contactor_position`)
is a string field, whatever its JSON type, when its name is one of `devices.STRING_FIELDS` (the
states this documents), so it keeps one type forever; other plain values are left out, as are
timestamps (`last_updated`) and anything nested deeper than `MAX_DEPTH` objects.

`errors[]` (in `ess_report`, or beside it) lists the active storage alarms; `to_alarms` names each
as `ERROR_NAME (code) on SERIAL` for the site summary's `storage_alarms` fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from .devices import STRING_FIELDS, to_number
from .lineproto import MAX_NAME, FieldValue, clean_text, to_key

SECTIONS = {
    "battery_status": "ESS BMS",
    "ess_status": "Energy Storage System",
    "ess_state": "Energy Storage System",
    "hub_plus_status": "HUB+",
    "inverter_status": "Storage Inverter",
}
# unit -> (field suffix, factor to that unit)
UNITS: dict[str, tuple[str, float]] = {
    "v": ("v", 1.0),
    "a": ("a", 1.0),
    "w": ("kw", 0.001),
    "kw": ("kw", 1.0),
    "wh": ("kwh", 0.001),
    "kwh": ("kwh", 1.0),
    "va": ("kva", 0.001),
    "kva": ("kva", 1.0),
    "var": ("kvar", 0.001),
    "kvar": ("kvar", 1.0),
    "%": ("percent", 1.0),
    "c": ("degc", 1.0),
    "°c": ("degc", 1.0),
    "degc": ("degc", 1.0),
    "f": ("degf", 1.0),
    "hz": ("hz", 1.0),
    "s": ("s", 1.0),
}
SKIP = frozenset({"serial_number", "last_updated", "time", "state"})
MAX_DEPTH = 6


class Entry(NamedTuple):
    """The fields of one storage device, with its device type and serial (and where the source
    gives them, its model and the time of the reading)."""

    device_type: str
    serial: str
    fields: dict[str, FieldValue]
    model: str = ""
    time_ns: int | None = None


def _unit(unit: Any) -> tuple[str, float]:
    """The field suffix of a unit and the factor that brings a value to it."""
    if not isinstance(unit, str) or not unit.strip():
        return "", 1.0
    text = unit.strip().lower()
    return UNITS.get(text, (to_key(text).strip("_"), 1.0))


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
        name = "_".join(words)[:MAX_NAME]
        if isinstance(value, Mapping) and "value" in value:
            number = to_number(value["value"])
            suffix, factor = _unit(value.get("unit"))
            if number is not None and name:
                scaled = number if factor == 1.0 else round(number * factor, 9)
                fields.setdefault(f"{name}_{suffix}" if suffix else f"{name}_value", scaled)
        elif isinstance(value, Mapping):
            if len(prefix) < MAX_DEPTH:
                _flatten(value, fields, words)
        elif isinstance(value, (str, bool, int, float)) and name in STRING_FIELDS:
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
            if fields:
                entries.append(Entry(device_type, serial, fields))
    return entries


def to_alarms(document: Mapping[str, Any]) -> list[str]:
    """The active storage alarms of a status, each as `NAME (code) on SERIAL`, in answer order."""
    report = document.get("ess_report")
    errors = report.get("errors") if isinstance(report, Mapping) else None
    if errors is None:
        errors = document.get("errors")
    if not isinstance(errors, list):
        return []
    alarms = []
    for error in errors:
        if not isinstance(error, Mapping):
            continue
        name = _plain(error.get("error_name")) or "UNKNOWN_ALARM"
        code = _plain(error.get("error_code"))
        serial = _plain(error.get("device_sn"))
        alarms.append(name + (f" ({code})" if code else "") + (f" on {serial}" if serial else ""))
    return alarms


def _plain(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return ""
    return clean_text(str(value)).replace(",", " ")
