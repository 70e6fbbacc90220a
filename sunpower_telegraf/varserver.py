"""Map the varserver of current PVS firmware onto DeviceList-shaped records.

`/vars?match=/sys/devices/&fmt=obj` is a flat object of `/sys/devices/<kind>/<index>/<name>`
paths, every value a string. Each `<kind>/<index>` becomes one record that `devices.to_points`
maps like a DeviceList device, so both sources give the same measurements, tags and fields:

- `sn` -> SERIAL, `prodMdlNm` -> MODEL, `msmtEps` (ISO-8601 UTC) -> the reading's time;
- camelCase names -> the DeviceList names (`p3phsumKw` -> `p_3phsum_kw`, `i1A` -> `i1_a`,
  `netLtea3phsumKwh` -> `net_ltea_3phsum_kwh`);
- kinds -> device types: `meter` Power Meter, `inverter` Inverter, `ess` Energy Storage System,
  `transfer_switch` HUB+ (the MIDC); any other kind by its name;
- every record is marked `ORIGIN` `varserver`: the varserver names no meter subtype, which
  `site.py` works out (with `/sys/livedata`);
- names that identify or describe rather than measure (`swVer`, `vldFldMsk`, a valid-field
  bit mask) are no fields.

Both layouts of the varserver are read: `/sys/devices/<kind>/<index>/<name>` paths with string
values, and `/sys/devices/<index>/<kind>/data` paths whose value is an object of typed values.

Storage kinds (`ess`, `transfer_switch`) are records too, which `site.py` joins to the storage
devices of a device list by serial. Their names are snake case like the others (`p3phsumKw` ->
`p_3phsum_kw`, battery power in kW, positive discharging; `v1nGridV` -> `v1n_grid_v`), except
where a value changes unit or is a state (`STORAGE_NAMES`): the fractions `customerSocVal`,
`socVal`, `sohVal` -> `customer_soc_percent`, `soc_percent`, `soh_percent`; the states `opMode`,
`midStEnum`, `pvd1StEnum` -> string fields `operational_mode`, `mid_state`, `pvd1_state`, the
switch states as one word (`MID_STATE_CLOSED` -> `CLOSED`, as the legacy storage status says it).

`/sys/info/*` becomes the PVS record: `uptime` -> `dl_uptime` (s, as in DeviceList), and the
percentages `cpu_usage`, `ram_usage`, `flash_usage` -> `*_percent` (DeviceList's `dl_cpu_load`,
`dl_mem_used` and `dl_flash_avail` are a load average and KiB, other quantities).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any, NamedTuple

from .devices import to_number, to_state_text
from .storage import to_switch_state

DEVICE_TYPES = {
    "meter": "Power Meter",
    "inverter": "Inverter",
    "ess": "Energy Storage System",
    "transfer_switch": "HUB+",
}
KIND_ORDER = {kind: order for order, kind in enumerate(DEVICE_TYPES)}
INFO_FIELDS = {
    "uptime": "dl_uptime",
    "cpu_usage": "cpu_usage_percent",
    "ram_usage": "ram_usage_percent",
    "flash_usage": "flash_usage_percent",
}
IDENTITY = {"sn": "SERIAL", "prodMdlNm": "MODEL"}
# name -> (field, scale) for numbers, or field for states (always strings).
STORAGE_NAMES: dict[str, dict[str, tuple[str, float] | str]] = {
    "ess": {
        "customerSocVal": ("customer_soc_percent", 100.0),
        "socVal": ("soc_percent", 100.0),
        "sohVal": ("soh_percent", 100.0),
        "opMode": "operational_mode",
    },
    "transfer_switch": {
        "midStEnum": "mid_state",
        "pvd1StEnum": "pvd1_state",
    },
}
SWITCH_STATES = frozenset({"mid_state", "pvd1_state"})

# Numeric-looking names that identify rather than measure (versions, revisions, ids, bit masks).
_IDENTIFIER = re.compile(r"(?:^|_)(?:ver|version|rev|id|sn|mac|num|msk|mask)$")
_DEVICE_PATH = re.compile(r"/sys/devices/([^/]+)/(\d{1,9})/([^/]+)")
_DEVICE_DATA = re.compile(r"/sys/devices/(\d{1,9})/([^/]+)/data")
_SNAKE_CAPS = re.compile(r"(?<=[A-Z])([A-Z][a-z])")
_SNAKE_WORDS = re.compile(r"(?<=[a-z0-9])([A-Z])")
_SNAKE_PHASES = re.compile(r"(?<=[a-z])(\d+ph)")
_ISO_UTC = re.compile(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.\d+)?(?:Z|\+00:00)")


@functools.lru_cache(maxsize=1024)
def to_snake_name(name: str) -> str:
    """`p3phsumKw` -> `p_3phsum_kw`, `i1A` -> `i1_a`, `maxTBattCellDegc` ->
    `max_t_batt_cell_degc`."""
    snake = _SNAKE_CAPS.sub(r"_\1", name)  # maxTBattV -> maxT_BattV
    snake = _SNAKE_WORDS.sub(r"_\1", snake).lower()
    return _SNAKE_PHASES.sub(r"_\1", snake)


def to_datatime(value: Any) -> str | None:
    """`2025-09-30T15:50:00Z` -> `2025,09,30,15,50,00` (the DeviceList form), else None."""
    match = _ISO_UTC.fullmatch(value.strip()) if isinstance(value, str) else None
    return ",".join(match.groups()) if match else None


class Varserver(NamedTuple):
    """The varserver's devices as DeviceList-shaped records: the PVS, meters, inverters and other
    kinds; and apart, the storage kinds (ESS, transfer switch)."""

    records: list[dict[str, Any]]
    storage: list[dict[str, Any]]


def _devices(variables: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(kind, {name: value}) per device: meters, inverters, storage, others; by index."""
    devices: dict[tuple[str, int], dict[str, Any]] = {}
    for path, value in variables.items():
        if not path.startswith("/sys/devices/"):
            continue
        match = _DEVICE_PATH.fullmatch(path)
        if match:
            kind, index, name = match.group(1), int(match.group(2)), match.group(3)
            devices.setdefault((kind, index), {})[name] = value
            continue
        match = _DEVICE_DATA.fullmatch(path)
        if match and isinstance(value, Mapping):
            key = (match.group(2), int(match.group(1)))
            devices.setdefault(key, {}).update((str(name), item) for name, item in value.items())
    ordered = sorted(devices.items(), key=lambda item: (KIND_ORDER.get(item[0][0], 99), item[0]))
    return [(kind, values) for (kind, _), values in ordered]


def to_varserver(variables: Mapping[str, Any]) -> Varserver:
    """Records (the PVS first, then meters, inverters and other kinds) and storage records, in
    one walk over the variables."""
    records = [_info_record(variables)] if _has_info(variables) else []
    storage: list[dict[str, Any]] = []
    for kind, values in _devices(variables):
        record = _device_record(kind, values)
        (storage if kind in STORAGE_NAMES else records).append(record)
    return Varserver(records, storage)


def _device_record(kind: str, values: dict[str, Any]) -> dict[str, Any]:
    record: dict[str, Any] = {
        "DEVICE_TYPE": DEVICE_TYPES.get(kind, kind.replace("_", " ").title()),
        "ORIGIN": "varserver",
    }
    names = STORAGE_NAMES.get(kind, {})
    for name, value in values.items():
        target = names.get(name)
        if name in IDENTITY:
            record[IDENTITY[name]] = value
        elif name == "msmtEps":
            record["DATATIME"] = to_datatime(value)
        elif isinstance(target, str):  # a state
            switch = target in SWITCH_STATES
            text = to_switch_state(value) if switch else to_state_text(value)
            if text:
                record[target] = text
        elif target is not None:  # a value in another unit
            number = to_number(value)
            if number is not None:
                record[target[0]] = round(number * target[1], 6)
        else:
            field = to_snake_name(name)
            if not _IDENTIFIER.search(field):
                record.setdefault(field, value)
    return record


def _has_info(variables: Mapping[str, Any]) -> bool:
    names = ("serialnum", "model", *INFO_FIELDS)
    return any(f"/sys/info/{name}" in variables for name in names)


def _info_record(variables: Mapping[str, Any]) -> dict[str, Any]:
    record: dict[str, Any] = {
        "DEVICE_TYPE": "PVS",
        "ORIGIN": "varserver",
        "SERIAL": variables.get("/sys/info/serialnum"),
        "MODEL": variables.get("/sys/info/model"),
    }
    for name, field in INFO_FIELDS.items():
        if f"/sys/info/{name}" in variables:
            record[field] = variables[f"/sys/info/{name}"]
    return record
