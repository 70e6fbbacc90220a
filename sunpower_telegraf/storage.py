"""Map the storage status (`/cgi-bin/dl_cgi/energy-storage-system/status`) to device records.

Legacy firmware only. The answer's `ess_report` has one section per kind of device; each entry
becomes a DeviceList-shaped record (`DEVICE_TYPE`, `SERIAL`, `ORIGIN` `storage status`, fields)
that `site.py` joins to the device list's device of that serial (the device's own values win a
clash), or keeps as a device of its own:

- `battery_status[]` -> ESS BMS (`sunpower_ess_bms`): one battery module's DC side; its volts x amps
  is not the battery's power, which comes from `ess_meter_reading.agg_power` (see `summary.py`);
- `ess_status[]` and `ess_state[]` (same index) -> Energy Storage System;
- `hub_plus_status` -> HUB+ (`sunpower_hub`);
- `inverter_status[]` -> Storage Inverter.

A value `{"value": x, "unit": u}` becomes a float field named by its key and unit
(`enclosure_temperature` in C -> `enclosure_temperature_degc`); nested objects join their keys
(`ess_meter_reading.meter_a.reading.power` -> `ess_meter_a_power_kw`). One unit per quantity,
whatever the status used: W, VA, var and Wh become kW, kVA, kvar and kWh (a real SunVault gives
its meter legs in W, unsigned: volts x amps). Every number is rounded to `DECIMALS` (9)
decimals in that unit, which its own figures need too: the PVS prints a SoC of
`55.00000000000001` %. A plain value (a state such as `operational_mode`) is a string field,
whatever its JSON type, when its name is one of `devices.STRING_FIELDS` (the states this
documents), so it keeps one type forever; other plain values are left out, as are timestamps
(`last_updated`) and anything nested deeper than `MAX_DEPTH` objects.

One name per quantity across firmware: where the varserver of current firmware gives the same
quantity, the field takes the varserver's name in snake case (`RENAMES`): the ESS meter's
`agg_power` is `p_3phsum_kw`, the battery's SoC `customer_soc_percent`, the HUB+'s grid voltages
`v1n_grid_v`/`v2n_grid_v` and its `contactor_position` the `mid_state`, the MID contactor's state
(`CLOSED`, `OPEN`), as the varserver's `midStEnum` is.

`errors[]` (in `ess_report`, or beside it) lists the active storage alarms; `to_alarms` names each
as `ERROR_NAME (code) on SERIAL` for the site summary's `storage_alarms` fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .devices import STRING_FIELDS, to_number, to_state_text
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
# Every number of the status is rounded to this many decimals in its field's unit: the status's
# own figures carry the float noise of the PVS's arithmetic (55.00000000000001 %,
# 123.30000000000001 V), as the W -> kW factor adds its own; a float's 15 to 16 digits leave 9
# decimals clear of that noise up to 10^6 (no storage figure comes near), and a billionth of a
# kW, V or % is far below what any storage device resolves.
DECIMALS = 9
SKIP = frozenset({"serial_number", "last_updated", "time", "state"})
MAX_DEPTH = 6
ORIGIN = "storage status"
# section -> {the status's name: the varserver's name for the same quantity}
RENAMES: dict[str, dict[str, str]] = {
    "battery_status": {
        "battery_voltage_v": "v_batt_v",  # vBattV
        "customer_state_of_charge_percent": "customer_soc_percent",  # customerSocVal
        "system_state_of_charge_percent": "soc_percent",  # socVal
    },
    "ess_status": {
        "ess_meter_agg_power_kw": "p_3phsum_kw",  # p3phsumKw: kW, positive discharging
        "ess_meter_a_voltage_v": "v1n_v",  # v1nV
        "ess_meter_b_voltage_v": "v2n_v",  # v2nV
    },
    "hub_plus_status": {
        "grid_phase1_voltage_v": "v1n_grid_v",  # v1nGridV
        "grid_phase2_voltage_v": "v2n_grid_v",  # v2nGridV
        "load_phase1_voltage_v": "v1n_v",  # v1nV
        "load_phase2_voltage_v": "v2n_v",  # v2nV
        "hub_temperature_degc": "t_degc",  # tDegc
        "contactor_position": "mid_state",  # midStEnum
    },
}
_STATE_PREFIXES = ("MID_STATE_", "PVD_STATE_")


def to_switch_state(value: Any) -> str:
    """A MID or PV disconnect state as one word on every source: `CLOSED` from the status's
    `contactor_position`, and from the varserver's `MID_STATE_CLOSED`."""
    text = to_state_text(value).upper()
    for prefix in _STATE_PREFIXES:
        if text.startswith(prefix) and len(text) > len(prefix):
            return text[len(prefix) :]
    return text


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


def _flatten(
    entry: Mapping[str, Any],
    fields: dict[str, FieldValue],
    prefix: list[str],
    renames: Mapping[str, str],
) -> None:
    for key, value in entry.items():
        if not isinstance(key, str) or key in SKIP:
            continue
        words = _join(prefix, key)
        name = "_".join(words)[:MAX_NAME]
        if isinstance(value, Mapping) and "value" in value:
            number = to_number(value["value"])
            suffix, factor = _unit(value.get("unit"))
            if number is not None and name:
                scaled = round(number * factor, DECIMALS)
                field = f"{name}_{suffix}" if suffix else f"{name}_value"
                fields.setdefault(renames.get(field, field), scaled)
        elif isinstance(value, Mapping):
            if len(prefix) < MAX_DEPTH:
                _flatten(value, fields, words, renames)
        elif isinstance(value, (str, bool, int, float)):
            name = renames.get(name, name)
            if name not in STRING_FIELDS:
                continue
            text = to_switch_state(value) if name == "mid_state" else to_state_text(value)
            if text:
                fields.setdefault(name, text)


def to_records(document: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One device record per status entry that has a serial and at least one field, in answer
    order."""
    report = document.get("ess_report")
    if not isinstance(report, Mapping):
        return []
    records: list[dict[str, Any]] = []
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
            _flatten(item, fields, [], RENAMES.get(section, {}))
            if fields:
                records.append(
                    {"DEVICE_TYPE": device_type, "SERIAL": serial, "ORIGIN": ORIGIN, **fields}
                )
    return records


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
