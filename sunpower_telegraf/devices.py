"""Map PVS device records (the DeviceList shape) to points.

The rules, which every source of device records keeps:

- One point per device that has a `DEVICE_TYPE` and a `SERIAL` and at least one field.
- Measurement: the prefix + `DEVICE_TYPE` in snake case (`Power Meter` -> `sunpower_power_meter`,
  `HUB+` -> `sunpower_hub`); any device type, known or not.
- Tags: `serial`, `model` and `subtype`, each left out when empty.
- Fields: every key with a lower-case letter whose value is a finite number, as a JSON number or a
  numeric string, named by the key in lower case and always a float. ALL-CAPS keys are identity,
  never fields; so are `hw_version`, `slave`, `parent` and `panid`. Booleans, objects, lists,
  nulls, empty strings, `nan`, `inf` and text are not fields. `STATE` becomes the string field
  `state`, and beside it the float `state_code`: 0 working, 1 error, 2 any other state (a number
  a dashboard can colour and an alert can compare). The names in `STRING_FIELDS` are the only
  string fields of any source, and a number never takes one of them, so every field keeps one type
  forever; a record key with one of the storage states' names (`operational_mode`, `mid_state`,
  ...) is that string field, whatever its JSON scalar type.
- What is not measured is no field: the records reaching here have been through `site.py`, which
  drops a production meter's placeholder channels (the varserver fills the consumption meter's
  per-leg names with `0.000000` on it; a value of exactly 0 there is a placeholder, any other a
  reading) and lifetime counters that read 0 (a glitch, unless the meter's other counters show
  the 0 is real).
- Bounds: a run maps at most `MAX_DEVICES` devices, and a device with more than `MAX_KEYS` keys
  (a real one has under 100) is skipped with a warning; past `MAX_SKIP_WARNINGS` skipped devices
  one warning counts the rest.
- Time: `DATATIME` (`YYYY,MM,DD,HH,MM,SS`, UTC) in nanoseconds; none when it is missing or invalid,
  and none while `STATE` is `error`: an inverter asleep at night keeps the DATATIME of its last real
  reading beside idle zeros, and writing those at that time would overwrite the real reading.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from .lineproto import FieldValue, Point, clean_text, to_key, to_snake

# Lower-case keys that look numeric but identify hardware or wiring.
IDENTIFIER_KEYS = frozenset({"hw_version", "slave", "parent", "panid"})
# Every string field of every source (device state, storage states, the summary's texts): each is a
# string forever, and no number may take one of these names.
STRING_FIELDS = frozenset(
    {
        "state",
        "operational_mode",
        "permission_to_operate",
        "storage_controller_status",
        "contactor_error",
        "grid_voltage_state",
        "grid_frequency_state",
        "load_voltage_state",
        "load_frequency_state",
        "mid_state",
        "pvd1_state",
        "production_source",
        "storage_alarm_names",
    }
)
# The string fields a device record may carry under its own key (the storage states); `state`
# comes from STATE only, and the others are the site summary's.
RECORD_STRING_FIELDS = STRING_FIELDS - {"state", "production_source", "storage_alarm_names"}
STATE_CODES = {"working": 0.0, "error": 1.0}
OTHER_STATE_CODE = 2.0
# Field names a numeric key must never take: the string fields, `state_code` (from STATE only),
# and `time` (InfluxDB refuses it).
NOT_FIELDS = IDENTIFIER_KEYS | STRING_FIELDS | {"state_code", "time"}
_DATATIME = re.compile(r"(\d{4}),(\d{1,2}),(\d{1,2}),(\d{1,2}),(\d{1,2}),(\d{1,2})", re.ASCII)
_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
MAX_DEVICES = 10_000
_isfinite = math.isfinite  # bound once: to_number runs for every value of every device
MAX_KEYS = 1_000
MAX_SKIP_WARNINGS = 10


class Mapped(NamedTuple):
    """What a list of device records became: the points, and a warning per record left out."""

    points: list[Point]
    warnings: list[str]


def to_number(value: Any) -> float | None:
    """A finite float from a JSON number or a numeric string, else None (booleans included)."""
    if type(value) is str:  # the PVS's usual form, asked first: thousands of calls a run
        # float() alone would also take "1_000" and non-ASCII digits; no PVS means those.
        if "_" in value or not value.isascii():
            return None
        try:
            number = float(value)
        except ValueError:
            return None
    elif isinstance(value, str):
        return to_number(str(value))  # a str subclass: its text
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            number = float(value)
        except OverflowError:
            return None
    else:
        return None
    return number if _isfinite(number) else None


def parse_datatime(value: Any) -> int | None:
    """`2024,03,11,23,19,00` (UTC) -> nanoseconds since the epoch; None when not a valid time."""
    return _parse_datatime(value) if isinstance(value, str) else None


@functools.lru_cache(maxsize=4096)  # the summary asks again for the times the devices gave
def _parse_datatime(value: str) -> int | None:
    match = _DATATIME.fullmatch(value.strip())
    if not match:
        return None
    year, month, day, hour, minute, second = map(int, match.groups())
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    month_days = _MONTH_DAYS[month - 1] + (leap and month == 2) if 1 <= month <= 12 else 0
    if not (1970 <= year <= 2200 and 1 <= day <= month_days and hour < 24 and minute < 60):
        return None
    if second >= 60:
        return None
    return (_days(year, month, day) * 86400 + hour * 3600 + minute * 60 + second) * 1_000_000_000


def _days(year: int, month: int, day: int) -> int:
    """Days from 1970-01-01 to a date of the proleptic Gregorian calendar (the well-known
    days-from-civil arithmetic: what calendar.timegm does, without importing locale)."""
    year -= month <= 2
    era = year // 400
    of_era = year - era * 400
    of_year = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    return era * 146097 + of_era * 365 + of_era // 4 - of_era // 100 + of_year - 719468


@functools.lru_cache(maxsize=1024)
def to_field_name(key: str) -> str | None:
    """The field a record key may fill, or None for identity and reserved keys."""
    if key == key.upper():  # ALL-CAPS (or no letters at all): identity and bookkeeping
        return None
    name = to_key(key)
    if not name.strip("_") or name in NOT_FIELDS:
        return None
    return name


@functools.lru_cache(maxsize=256)
def _candidates(keys: tuple[Any, ...]) -> tuple[tuple[str, str], ...]:
    """(key, field name) for each key of a record shape that may hold a field; the devices of
    one kind share a shape, so this runs once per kind, not once per device."""
    names: dict[str, str] = {}
    taken: set[str] = set()
    for key in keys:
        name = to_field_name(key) if isinstance(key, str) else None
        if name is not None and name not in taken:  # two keys, one name: the first wins
            names[key] = name
            taken.add(name)
    return tuple(names.items())


@functools.lru_cache(maxsize=256)
def _string_keys(keys: tuple[Any, ...]) -> tuple[tuple[str, str], ...]:
    """(key, field name) for each key of a record shape that names a storage state."""
    names: dict[str, str] = {}
    for key in keys:
        if isinstance(key, str) and key != key.upper():
            name = to_key(key)
            if name in RECORD_STRING_FIELDS:
                names.setdefault(name, key)
    return tuple((key, name) for name, key in names.items())


def to_fields(record: Mapping[str, Any]) -> dict[str, FieldValue]:
    """The numeric fields of one record, its storage states, and `state` and `state_code` from
    STATE."""
    fields: dict[str, FieldValue] = {}
    keys = tuple(record)
    for key, name in _candidates(keys):
        number = to_number(record[key])
        if number is not None:
            fields[name] = number
    for key, name in _string_keys(keys):
        text = to_state_text(record[key])
        if text:
            fields[name] = text
    state = _text(record.get("STATE")).lower()
    if state:
        fields["state"] = state
        fields["state_code"] = STATE_CODES.get(state, OTHER_STATE_CODE)
    return fields


def to_state_text(value: Any) -> str:
    """A state as a string field: text as given, a JSON number or boolean as its text; `nan`
    (what the varserver says for no value) is none."""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = clean_text(str(value)) if isinstance(value, (str, int, float)) else ""
    return "" if text.lower() == "nan" else text


def _text(value: Any) -> str:
    return clean_text(value) if isinstance(value, str) else ""


def to_point(
    record: Mapping[str, Any], prefix: str = "sunpower_", device_time: bool = True
) -> Point | str:
    """One device record as a point, or the reason it cannot be one."""
    device_type, serial = _text(record.get("DEVICE_TYPE")), _text(record.get("SERIAL"))
    if not device_type:
        return f"a device{' ' + serial if serial else ''} has no DEVICE_TYPE"
    if not serial:
        return f"a device of type {device_type} has no SERIAL"
    name = to_snake(device_type)
    if not name:
        return f"{device_type} {serial}: DEVICE_TYPE has no letters or digits to name it by"
    if len(record) > MAX_KEYS:
        return f"{device_type} {serial} has {len(record)} keys; a PVS device has under 100"
    fields = to_fields(record)
    if not fields:
        return f"{device_type} {serial} has no numeric values or state"
    in_error = fields.get("state") == "error"
    tags = {
        "serial": serial,
        "model": _text(record.get("MODEL")),
        "subtype": _text(record.get("subtype")),
    }
    return Point(
        measurement=prefix + name,
        tags={key: value for key, value in tags.items() if value},
        fields=fields,
        time_ns=parse_datatime(record.get("DATATIME")) if device_time and not in_error else None,
    )


def _bad_time(record: Mapping[str, Any]) -> bool:
    value = record.get("DATATIME")
    state = record.get("STATE")
    return value is not None and not (isinstance(state, str) and state.lower() == "error")


def to_points(
    records: Iterable[Any], prefix: str = "sunpower_", device_time: bool = True
) -> Mapped:
    """Every record that maps, in order; a warning for each one that does not."""
    points: list[Point] = []
    warnings: list[str] = []
    skipped = untimed = 0
    for index, record in enumerate(records):
        if index == MAX_DEVICES:
            warnings.append(f"only the first {MAX_DEVICES} devices are read; a PVS has far fewer")
            break
        result = (
            to_point(record, prefix, device_time)
            if isinstance(record, Mapping)
            else "not a JSON object"
        )
        if isinstance(result, Point):
            points.append(result)
            if device_time and result.time_ns is None and _bad_time(record) and untimed < 3:
                untimed += 1
                serial = result.tags.get("serial")
                warnings.append(f"{serial}: DATATIME is not a time; written at collection time")
            continue
        skipped += 1
        if skipped <= MAX_SKIP_WARNINGS:
            warnings.append(f"skipped device #{index + 1}: {result}")
    if skipped > MAX_SKIP_WARNINGS:
        warnings.append(
            f"skipped {skipped - MAX_SKIP_WARNINGS} more devices that could not be mapped"
        )
    return Mapped(points, warnings)
