"""Builders of the records and documents the unit tests hand to the rules.

Each builder writes out what a PVS gives, as text where the PVS sends text, with only the keys
asked for: a value left as None is a key the record does not have, never a key holding None.
They compute nothing, so every figure a test expects is still worked out by hand from the
arguments it passes.
"""

from __future__ import annotations

from typing import Any


def pvs(serial: str = "ZT1", **fields: str) -> dict[str, str]:
    """The device list's own record of the PVS."""
    return {"DEVICE_TYPE": "PVS", "SERIAL": serial, **fields}


def inverter(
    serial: str,
    kw: str | None = None,
    state: str | None = "working",
    *,
    kwh: str | None = None,
    **fields: str,
) -> dict[str, Any]:
    """A device-list inverter (a microinverter, one panel): its power `p_3phsum_kw`, its state
    (none with `state=None`), its lifetime energy `ltea_3phsum_kwh`, and any other field."""
    record: dict[str, Any] = {"DEVICE_TYPE": "Inverter", "SERIAL": serial}
    record |= {"STATE": state} if state is not None else {}
    record |= {"p_3phsum_kw": kw} if kw is not None else {}
    record |= {"ltea_3phsum_kwh": kwh} if kwh is not None else {}
    return record | fields


def production_meter(kw: str, kwh: str = "5000", serial: str = "M1p") -> dict[str, str]:
    """A device-list production meter (gross, line-side of the inverters)."""
    return {
        "DEVICE_TYPE": "Power Meter",
        "SERIAL": serial,
        "subtype": "GROSS_PRODUCTION_SITE",
        "p_3phsum_kw": kw,
        "net_ltea_3phsum_kwh": kwh,
    }


def net_meter(
    kw: str, net: str = "1000", imported: str = "3000", exported: str = "2000", serial: str = "M1c"
) -> dict[str, str]:
    """A device-list net consumption meter (load-side): its power and its three counters, whose
    net is imported - exported."""
    return {
        "DEVICE_TYPE": "Power Meter",
        "SERIAL": serial,
        "subtype": "NET_CONSUMPTION_LOADSIDE",
        "p_3phsum_kw": kw,
        "net_ltea_3phsum_kwh": net,
        "pos_ltea_3phsum_kwh": imported,
        "neg_ltea_3phsum_kwh": exported,
    }


def varserver_meter(pvs_serial: str = "ZT1", **values: str) -> dict[str, str]:
    """Varserver variables of a PVS with one meter (`/sys/devices/meter/0/<name>`), without
    livedata; a consumption meter is one whose `sn` ends in `c`."""
    return {
        "/sys/info/serialnum": pvs_serial,
        **{f"/sys/devices/meter/0/{name}": value for name, value in values.items()},
    }
