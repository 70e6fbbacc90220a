"""One normalised site: what the documents of a run become before anything is mapped to a line.

Every source joins here (a device list, the varserver, the legacy storage status, the varserver's
storage devices, `/sys/livedata`), and every rule about what the PVS's numbers mean lives here:

1. **Which meter is which.** A device list says it in `subtype`. The varserver does not: a meter
   whose model (or serial) ends in `p` is `GROSS_PRODUCTION_SITE`; one ending in `c` measures either
   the grid (net, load side) or the home (gross, line side), and only the PVS's own accounting
   tells which: its lifetime equals livedata's `site_load_en` on a gross meter and `net_en` on a
   net one (its power is compared where the lifetime is missing). Without livedata a varserver
   consumption meter gets no subtype, and the site summary leaves out what depends on it. An old
   device-list meter with no subtype is net when its type ends in `C`, as those PVS5 sites were.
2. **Placeholders are not readings.** On the varserver a production meter carries the consumption
   meter's per-leg channels (`i1_a i2_a v1n_v v2n_v p1_kw p2_kw pos_ltea_3phsum_kwh
   neg_ltea_3phsum_kwh`) filled with `0.000000`: a production CT does not measure them. A
   production meter's value of exactly 0 on one of those channels is left out; any other value is
   a reading and kept.
3. **A lifetime counter of 0 is a glitch.** Lifetime counters (`ltea_3phsum_kwh`, and
   `net_`, `pos_` and `neg_ltea_3phsum_kwh`) only grow, and
   a real PVS now and then reports one as 0 for a poll. A counter of exactly 0 is left out, with a
   warning, except on a meter whose other counters show the 0 is real (`pos - neg = net` within
   1 kWh: the export counter of a meter that never saw export).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .answer import Answer
from .devices import MAX_KEYS, to_number
from .livedata import LiveData, to_livedata
from .storage import Entry, to_alarms, to_entries
from .varserver import to_varserver

PRODUCTION = "GROSS_PRODUCTION_SITE"
NET = "NET_CONSUMPTION_LOADSIDE"
GROSS = "GROSS_CONSUMPTION_LINESIDE"
PLACEHOLDER_CHANNELS = frozenset(
    {
        "i1_a",
        "i2_a",
        "v1n_v",
        "v2n_v",
        "p1_kw",
        "p2_kw",
        "pos_ltea_3phsum_kwh",
        "neg_ltea_3phsum_kwh",
    }
)
COUNTER_SUFFIX = "ltea_3phsum_kwh"
COUNTERS = tuple(f"{side}{COUNTER_SUFFIX}" for side in ("", "net_", "pos_", "neg_"))
COUNTER_TOLERANCE_KWH = 1.0
STORAGE_TYPES = frozenset(
    {"Energy Storage System", "ESS BMS", "ESS Hub", "Storage Inverter", "Battery", "HUB+"}
)


@dataclass
class Site:
    """Device records (DeviceList shape, meaning rules applied), storage values, livedata."""

    records: list[Mapping[str, Any]]
    storage: list[Entry] = field(default_factory=list)
    live: LiveData | None = None
    # None: no storage status was read; [] : it was, and it lists no alarm.
    alarms: list[str] | None = None
    # Whether sleeping inverters are listed (a device list) or left out (the varserver).
    lists_sleeping_inverters: bool = True
    warnings: list[str] = field(default_factory=list)

    @property
    def has_battery(self) -> bool:
        return (
            (self.live is not None and self.live.has_battery)
            or bool(self.storage)
            or any(str(record.get("DEVICE_TYPE")) in STORAGE_TYPES for record in self.records)
        )


def to_site(answer: Answer) -> Site:
    """The normalised site of one run's documents."""
    live = to_livedata(answer.vars)
    varserver = to_varserver(answer.vars)
    storage = to_entries(answer.ess_status) if answer.ess_status else []
    storage += varserver.storage
    alarms = to_alarms(answer.ess_status) if answer.ess_status else None
    lists_sleeping = answer.devices is not None
    raw: list[Any] = answer.devices["devices"] if answer.devices is not None else varserver.records
    warnings: list[str] = []
    records = [_normalised(record, live, warnings) if _usable(record) else record for record in raw]
    storage = [_storage_counters(entry, warnings) for entry in storage]
    return Site(records, storage, live, alarms, lists_sleeping, warnings)


def _usable(record: Any) -> bool:
    """A record the rules may read; `devices.to_points` says why any other is skipped."""
    return isinstance(record, Mapping) and len(record) <= MAX_KEYS


def meter_kind(record: Mapping[str, Any]) -> str | None:
    """`production`, `net` or `gross` for a meter record, None when its kind is not known."""
    subtype = str(record.get("subtype") or "").upper()
    if "PRODUCTION" in subtype:
        return "production"
    if "GROSS_CONSUMPTION" in subtype:
        return "gross"
    if "CONSUMPTION" in subtype:
        return "net"
    if record.get("ORIGIN") == "varserver":
        return None
    ending = str(record.get("TYPE") or record.get("MODEL") or record.get("SERIAL") or "")
    return "production" if ending.strip().lower().endswith("p") else "net"


def _normalised(
    record: Mapping[str, Any], live: LiveData | None, warnings: list[str]
) -> Mapping[str, Any]:
    """The record with the rules applied; the record itself where none changes it."""
    added: dict[str, Any] = {}
    if record.get("DEVICE_TYPE") == "Power Meter" and record.get("ORIGIN") == "varserver":
        subtype = _varserver_subtype(record, live)
        if subtype:
            added["subtype"] = subtype
        else:
            warnings.append(
                f"consumption meter {_name(record)}: no /sys/livedata to tell a net (load-side) "
                "from a gross (line-side) meter; its subtype and the site's grid and consumption "
                "are left out"
            )
    dropped = []
    if (
        record.get("DEVICE_TYPE") == "Power Meter"
        and meter_kind({**record, **added}) == "production"
    ):
        dropped = [k for k in PLACEHOLDER_CHANNELS if k in record and to_number(record[k]) == 0]
    dropped += _zero_counters(record, dropped, warnings)
    if not added and not dropped:
        return record
    out = {key: value for key, value in record.items() if key not in dropped}
    out.update(added)
    return out


def _varserver_subtype(record: Mapping[str, Any], live: LiveData | None) -> str | None:
    model = str(record.get("MODEL") or record.get("SERIAL") or "").strip().lower()
    if model.endswith("p"):
        return PRODUCTION
    if live is None:
        return None
    for key, gross, net in (
        ("net_ltea_3phsum_kwh", live.load_kwh, live.net_kwh),
        ("p_3phsum_kw", live.load_kw, live.net_kw),
    ):
        value = to_number(record.get(key))
        if value in (None, 0.0) or gross is None or net is None:
            continue
        return GROSS if abs(value - gross) < abs(value - net) else NET
    return None


def _zero_counters(
    record: Mapping[str, Any], placeholders: list[str], warnings: list[str]
) -> list[str]:
    """The lifetime counters of a record that read 0 and are glitches (rule 3)."""
    zeros = [
        key
        for key in COUNTERS
        if key in record and key not in placeholders and to_number(record[key]) == 0
    ]
    if not zeros:
        return []
    pos, neg, net = (
        to_number(record.get(f"{side}_{COUNTER_SUFFIX}")) for side in ("pos", "neg", "net")
    )
    consistent = (
        pos is not None
        and neg is not None
        and net is not None
        and (pos, neg, net) != (0, 0, 0)
        and abs(pos - neg - net) <= COUNTER_TOLERANCE_KWH
    )
    glitches = [key for key in zeros if not (consistent and key != f"net_{COUNTER_SUFFIX}")]
    for key in glitches:
        warnings.append(f"{_name(record)}: lifetime {key} read 0, left out (a PVS glitch)")
    return glitches


def _storage_counters(entry: Entry, warnings: list[str]) -> Entry:
    zeros = [
        key
        for key, value in entry.fields.items()
        if key.endswith(COUNTER_SUFFIX) and value == 0 and not isinstance(value, str)
    ]
    if not zeros:
        return entry
    for key in zeros:
        warnings.append(
            f"{entry.device_type} {entry.serial}: lifetime {key} read 0, left out (a PVS glitch)"
        )
    fields = {key: value for key, value in entry.fields.items() if key not in zeros}
    return entry._replace(fields=fields)


def _name(record: Mapping[str, Any]) -> str:
    kind = str(record.get("DEVICE_TYPE") or "device")
    return f"{kind.lower()} {record.get('SERIAL') or '?'}"


def devices_of(records: Sequence[Any], device_type: str) -> list[Mapping[str, Any]]:
    return [r for r in records if _usable(r) and r.get("DEVICE_TYPE") == device_type]
