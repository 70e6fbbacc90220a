"""Map the varserver of current PVS firmware onto DeviceList-shaped records.

`/vars?match=/sys/devices/&fmt=obj` is a flat object of `/sys/devices/<kind>/<index>/<name>`
paths, every value a string. Each `<kind>/<index>` becomes one record that `devices.to_points`
maps like a DeviceList device, so both sources give the same measurements, tags and fields:

- `sn` -> SERIAL, `prodMdlNm` -> MODEL, `msmtEps` (ISO-8601 UTC) -> the reading's time;
- camelCase names -> the DeviceList names (`p3phsumKw` -> `p_3phsum_kw`, `i1A` -> `i1_a`,
  `netLtea3phsumKwh` -> `net_ltea_3phsum_kwh`);
- kinds -> device types: `meter` Power Meter, `inverter` Inverter, `ess` Energy Storage System,
  `transfer_switch` HUB+ (the MIDC); any other kind by its name;
- a meter's `subtype` from its model's last letter: `p` GROSS_PRODUCTION_SITE, `c`
  NET_CONSUMPTION_LOADSIDE (the varserver does not tell load side from line side).

`/sys/info/*` becomes the PVS record: `uptime` -> `dl_uptime` (s, as in DeviceList), and the
percentages `cpu_usage`, `ram_usage`, `flash_usage` -> `*_percent` (DeviceList's `dl_cpu_load`,
`dl_mem_used` and `dl_flash_avail` are a load average and KiB, other quantities).
"""

from __future__ import annotations

import re
from typing import Any

DEVICE_TYPES = {
    "meter": "Power Meter",
    "inverter": "Inverter",
    "ess": "Energy Storage System",
    "transfer_switch": "HUB+",
}
KIND_ORDER = {kind: order for order, kind in enumerate(DEVICE_TYPES)}
METER_SUBTYPES = {"p": "GROSS_PRODUCTION_SITE", "c": "NET_CONSUMPTION_LOADSIDE"}
INFO_FIELDS = {
    "uptime": "dl_uptime",
    "cpu_usage": "cpu_usage_percent",
    "ram_usage": "ram_usage_percent",
    "flash_usage": "flash_usage_percent",
}
IDENTITY = {"sn": "SERIAL", "prodMdlNm": "MODEL"}

# Numeric-looking names that identify rather than measure (versions, revisions, ids).
_IDENTIFIER = re.compile(r"(?:^|_)(?:ver|version|rev|id|sn|mac|num)$")
_DEVICE_PATH = re.compile(r"/sys/devices/([^/]+)/(\d+)/([^/]+)")
_ISO_UTC = re.compile(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.\d+)?(?:Z|\+00:00)")


def to_snake_name(name: str) -> str:
    """`p3phsumKw` -> `p_3phsum_kw`, `i1A` -> `i1_a`, `vln3phavgV` -> `vln_3phavg_v`."""
    snake = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()
    return re.sub(r"(?<=[a-z])(\d+ph)", r"_\1", snake)


def to_datatime(value: Any) -> str | None:
    """`2025-09-30T15:50:00Z` -> `2025,09,30,15,50,00` (the DeviceList form), else None."""
    match = _ISO_UTC.fullmatch(value.strip()) if isinstance(value, str) else None
    return ",".join(match.groups()) if match else None


def to_records(variables: dict[str, Any]) -> list[dict[str, Any]]:
    """DeviceList-shaped records: the PVS first, then meters, inverters, storage, others."""
    devices: dict[tuple[str, int], dict[str, Any]] = {}
    for path, value in variables.items():
        match = _DEVICE_PATH.fullmatch(path)
        if match:
            kind, index, name = match.group(1), int(match.group(2)), match.group(3)
            devices.setdefault((kind, index), {})[name] = value
    records = [_info_record(variables)] if _has_info(variables) else []
    for (kind, _), values in sorted(
        devices.items(), key=lambda item: (KIND_ORDER.get(item[0][0], 99), item[0])
    ):
        records.append(_device_record(kind, values))
    return records


def _device_record(kind: str, values: dict[str, Any]) -> dict[str, Any]:
    record: dict[str, Any] = {
        "DEVICE_TYPE": DEVICE_TYPES.get(kind, kind.replace("_", " ").title()),
    }
    for name, value in values.items():
        if name in IDENTITY:
            record[IDENTITY[name]] = value
        elif name == "msmtEps":
            record["DATATIME"] = to_datatime(value)
        elif not _IDENTIFIER.search(to_snake_name(name)):
            record.setdefault(to_snake_name(name), value)
    model = record.get("MODEL")
    subtype = METER_SUBTYPES.get(model.strip()[-1:].lower()) if isinstance(model, str) else None
    if kind == "meter" and subtype:
        record["subtype"] = subtype
    return record


def _has_info(variables: dict[str, Any]) -> bool:
    return any(path.startswith("/sys/info/") for path in variables)


def _info_record(variables: dict[str, Any]) -> dict[str, Any]:
    record: dict[str, Any] = {
        "DEVICE_TYPE": "PVS",
        "SERIAL": variables.get("/sys/info/serialnum"),
        "MODEL": variables.get("/sys/info/model"),
    }
    for name, field in INFO_FIELDS.items():
        if f"/sys/info/{name}" in variables:
            record[field] = variables[f"/sys/info/{name}"]
    return record
