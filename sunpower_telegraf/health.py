"""Health figures of one poll: what tells an owner a panel, the PVS or the battery needs a look.

Stateless: every figure comes from one poll's normalised site. The site summary gets the counts
(`to_inverter_fields`); device lines get their own figures (`to_device_health`), by serial.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .devices import parse_datatime
from .lineproto import FieldValue
from .site import Site


def to_device_health(site: Site) -> dict[str, dict[str, FieldValue]]:
    """Extra fields for device lines, by serial (none yet)."""
    return {}


def to_inverter_fields(
    records: Sequence[Mapping[str, Any]], inverters: Sequence[Mapping[str, Any]]
) -> dict[str, float | None]:
    fields: dict[str, float | None] = {"inverters_total": float(len(inverters))}
    states = [str(i.get("STATE", "")).lower() for i in inverters if i.get("STATE")]
    if states:
        working, error = states.count("working"), states.count("error")
        fields["inverters_working"] = float(working)
        fields["inverters_error"] = float(error)
        # In error while another works, so while the sun is up: a panel to look at.
        fields["inverters_error_daylight"] = float(error if working else 0)
    readings = [parse_datatime(i.get("DATATIME")) for i in inverters]
    oldest = min((t for t in readings if t is not None), default=None)
    clocks = [parse_datatime(d.get("CURTIME")) for d in records]
    clock = max((t for t in clocks if t is not None), default=None)
    if clock is None:
        readings_all = [parse_datatime(d.get("DATATIME")) for d in records]
        clock = max((t for t in readings_all if t is not None), default=None)
    if oldest is not None and clock is not None:
        fields["inverter_reading_age_max_s"] = float(max(clock - oldest, 0) // 1_000_000_000)
    return fields
