"""One normalised site: what the documents of a run become before anything is mapped to a line.

Every source joins here as device records in the DeviceList shape (a device list, the varserver's
devices, the legacy storage status, the varserver's storage devices), beside `/sys/livedata`, the
PVS's own site figures; and every rule about what the PVS's numbers mean lives here:

1. **Which meter is which.** A device list says it in `subtype`. The varserver does not: a meter
   whose model (or serial) ends in `p` is `GROSS_PRODUCTION_SITE`; one ending in `c` measures either
   the grid (net, load side) or the home (gross, line side), and only the PVS's own accounting
   tells which: its lifetime equals livedata's `site_load_en` on a gross meter and `net_en` on a
   net one (its power is compared where the lifetime is missing or 0). Where livedata cannot tell
   (it failed, or the meter's figures are missing or 0), a meter that shows export (power below
   -5 W, or an export counter above `COUNTER_TOLERANCE_KWH`) is net: a line-side meter measures
   the home, which never exports. A varserver consumption meter whose kind is still unknown is
   left out of that poll with a warning, and so is what the site summary needs it for: printed
   without its subtype it would start a second series. An old device-list meter with no subtype
   is net when its type ends in `C`, as those PVS5 sites were.
2. **Placeholders are not readings.** On the varserver a production meter carries the consumption
   meter's per-leg channels (`i1_a i2_a v1n_v v2n_v p1_kw p2_kw pos_ltea_3phsum_kwh
   neg_ltea_3phsum_kwh`) filled with `0.000000`: a production CT does not measure them. A
   production meter's value of exactly 0 on one of those channels is left out; any other value is
   a reading and kept.
3. **A lifetime counter of 0 is a glitch.** Lifetime counters (every `*ltea_3phsum_kwh`: an
   inverter's, a meter's `net_`, `pos_` and `neg_`, a battery's `pos_` and `neg_`, and livedata's
   `*_en`, the battery's `ess_en` included) only grow or fall steadily, and a real PVS now and then
   reports one as 0 for a poll. A counter of exactly 0 is left out, with a warning, except on a
   meter whose other counters show the 0 is real (`pos - neg = net` within `COUNTER_TOLERANCE_KWH`:
   the export counter of a meter that never saw export). The warning on a production meter names
   `--production-source inverters`, the way out for a meter without a CT (it reads 0 for good);
   with that option the meter is known not to count, and its 0 is left out without a word.
4. **One storage device, one record.** A storage status entry, or a varserver ESS or transfer
   switch, joins the device-list device of its serial: one record, one series, the listed
   device's identity and own values (they win a clash) with the storage document's measurements
   and its `ORIGIN`, which says the record measures what that document measures (the battery's
   power: `summary.py`). One with no such device (a capture whose serials differ between the two
   documents) is a device of its own, after the listed ones: the listed entry keeps its identity,
   states and ratings in its series, the status's entry its measurements in another (no device
   list gives what the status measures, so no quantity is printed twice). Either way the site's
   figures are the same, as only the storage document's records give the battery's power.
5. **The PVS is `PVS6` (or `PVS5`) on every source**: the device list's model `PV Supervisor PVS6`
   loses its `PV Supervisor ` prefix, so a firmware upgrade keeps the PVS's series.
6. **Whether the site may have a battery** (`Site.battery`), which decides whether a poll whose
   battery power is unknown can still give the home's consumption (`summary.py`):

   - *present* when anything in the poll shows one: livedata with a battery value that is a
     number (`ess_p`, `ess_en`, `soc`), storage devices in the device list (HUB+, ESS, BMS,
     battery, storage inverter), a storage status with entries, or the varserver's ESS or
     transfer switch;
   - *absent* only where a document that would show a battery shows none: the varserver's whole
     device tree (`/sys/devices/`, where the battery of current firmware lives); livedata whose
     battery values are `nan` (the PVS's own way of saying none), unless its `midstate` is not 0
     (a storage system's MID is there: the vendor's own example shows that pair); a legacy
     `DeviceList` (it lists the storage devices); or a device list read with `--input` without
     any varserver document (taken as a legacy answer: the documents given are the whole run);
   - *unknown* otherwise, above all on current firmware when `/sys/livedata` failed, answered
     an error object, or came back without its battery values: current firmware's
     `devices/list` never names a storage device, so its silence says nothing.
7. **A transient unknown is not an absent battery** (`to_live_battery`). The PVS says 0 minutes
   of backup on a site with no battery: the backup time is left out (silently: it is no
   measurement there) only where rule 6 finds the battery *absent*. A `soc` the PVS does not know
   in one poll (`nan`) leaves out the state of charge alone; on a site whose battery is
   *present*, each battery figure the PVS does not know is named in a warning.

Livedata's values outside their quantity's bounds (`livedata.BOUNDS`) are left out with a
warning each (`to_live_figures`); the live stream (`telemetry.LiveStream`) applies the same rules
3 and 7 to every frame, through the same functions.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from .answer import Answer
from .devices import MAX_KEYS, to_number
from .lineproto import clean_text
from .livedata import LiveData, to_livedata
from .storage import to_alarms, to_records

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
COUNTER_TOLERANCE_KWH = 1.0
LEFT_OUT = object()  # a record this poll cannot print right (rule 1)
# A power under 5 W either way is none: a CT's noise. Below -5 W a meter is exporting; a
# production under 5 W is no production (night, for --quiet-at-night; a glitch, for the summary).
NO_POWER_KW = 0.005
STORAGE_TYPES = frozenset(
    {"Energy Storage System", "ESS BMS", "ESS Hub", "Storage Inverter", "Battery", "HUB+"}
)
PVS_MODEL_PREFIX = "PV Supervisor "
# livedata counter -> its name at the PVS, for the glitch warning
LIVE_COUNTERS = {
    "pv_kwh": "pv_en",
    "net_kwh": "net_en",
    "load_kwh": "site_load_en",
    "ess_kwh": "ess_en",
}
INVERTERS_HINT = (
    "; a production meter that always reads 0 has no CT: run with --production-source inverters"
)

PRESENT = "present"
ABSENT = "absent"
UNKNOWN = "unknown"


class Battery(NamedTuple):
    """Whether the site may have a battery (`PRESENT`, `ABSENT`, `UNKNOWN`), and what in the
    poll says so, in words for a warning."""

    state: str
    why: str


NO_BATTERY = Battery(ABSENT, "")


class Site:
    """Device records (DeviceList shape, meaning rules applied, storage devices included), the
    PVS's own site figures, and what the poll says about a battery."""

    def __init__(
        self,
        records: list[Any],
        live: LiveData | None = None,
        alarms: list[str] | None = None,
        lists_sleeping_inverters: bool = True,
        battery: Battery = NO_BATTERY,
        warnings: list[str] | None = None,
        legacy: bool = False,
    ) -> None:
        # Every entry of the answer's device list (or the varserver's devices), in order, then
        # the storage devices no listed device has the serial of. An entry that is not a usable
        # object is kept as it came, so `devices.to_points` can say which one it skipped and why.
        self.records = records
        self.live = live
        # None: no storage status was read; [] : it was, and it lists no alarm.
        self.alarms = alarms
        # Whether sleeping inverters are listed (a device list) or left out (the varserver).
        self.lists_sleeping_inverters = lists_sleeping_inverters
        self.battery = battery
        self.warnings: list[str] = [] if warnings is None else warnings
        # A legacy firmware's answer (a device list without any varserver document): no
        # document of legacy firmware counts the battery's energy.
        self.legacy = legacy

    @functools.cached_property
    def devices(self) -> list[Mapping[str, Any]]:
        """The records the rules may read (worked out once: `records` is not changed after
        the site is made)."""
        return [record for record in self.records if _usable(record)]


def to_site(answer: Answer, production_source: str = "auto") -> Site:
    """The normalised site of one run's documents."""
    warnings: list[str] = []
    live = to_livedata(answer.vars)
    varserver_records: list[Any] = []
    varserver_storage: list[dict[str, Any]] = []
    if answer.vars:  # imported only where there is a varserver document to read
        from .varserver import to_varserver

        varserver_records, varserver_storage = to_varserver(answer.vars)
    status = to_records(answer.ess_status) if answer.ess_status else []
    alarms = to_alarms(answer.ess_status) if answer.ess_status else None
    listed = answer.devices is not None
    raw: list[Any] = _listed(answer.devices) if listed else varserver_records
    battery = _battery(answer, raw, status, varserver_storage, live)
    live = to_live_figures(live, battery.state, warnings)
    joined = _joined(raw, status + varserver_storage)
    records = []
    for record in joined:
        normalised = _normalised(record, live, warnings, production_source)
        if normalised is not LEFT_OUT:
            records.append(normalised)
    legacy = answer.firmware == "legacy" or (
        answer.firmware == "" and answer.devices is not None and not answer.vars
    )
    return Site(records, live, alarms, listed, battery, warnings, legacy)


def _listed(document: Mapping[str, Any] | None) -> list[Any]:
    devices = document.get("devices") if document is not None else None
    return list(devices) if isinstance(devices, list) else []


def _usable(record: Any) -> bool:
    """A record the rules may read; `devices.to_points` says why any other is skipped."""
    # A parsed answer's records are dicts: asked first, as the ABC check costs a run of
    # thousands of records more than the rest of the rule.
    return (type(record) is dict or isinstance(record, Mapping)) and len(record) <= MAX_KEYS


def _battery(
    answer: Answer,
    raw: Sequence[Any],
    status: Sequence[Mapping[str, Any]],
    ess: Sequence[Mapping[str, Any]],
    live: LiveData | None,
) -> Battery:
    """Rule 6: what the poll's documents say about a battery."""
    if live is not None and live.has_battery:
        return Battery(PRESENT, "/sys/livedata has battery values")
    if status:
        return Battery(PRESENT, "the storage status lists storage devices")
    if ess:
        return Battery(PRESENT, "the varserver lists storage devices")
    if any(_usable(r) and str(r.get("DEVICE_TYPE")) in STORAGE_TYPES for r in raw):
        return Battery(PRESENT, "the device list names storage devices")
    if answer.devices is None and devices_of(raw, "Power Meter") + devices_of(raw, "Inverter"):
        return Battery(ABSENT, "the varserver's devices include no battery")
    if live is not None and live.no_battery and live.mid_state not in (None, 0.0):
        return Battery(
            UNKNOWN,
            "/sys/livedata's battery values are nan, but its midstate shows a storage system's MID",
        )
    if live is not None and live.no_battery:
        return Battery(ABSENT, "/sys/livedata's battery values are nan")
    if answer.devices is not None and answer.firmware != "current" and not answer.vars:
        return Battery(ABSENT, "the device list names no storage device")
    if live is None:
        return Battery(UNKNOWN, "no /sys/livedata, and current firmware lists no battery elsewhere")
    return Battery(
        UNKNOWN,
        "/sys/livedata gives no battery values, and current firmware lists no battery elsewhere",
    )


def to_live_figures(live: LiveData | None, battery: str, warnings: list[str]) -> LiveData | None:
    """Livedata with every meaning rule applied: values out of bounds named (livedata.py left
    them out), lifetime counters of 0 left out (rule 3), the battery's figures by rule 7 given
    the site's `battery` state (rule 6)."""
    if live is None:
        return None
    warnings.extend(live.problems)
    return to_live_battery(to_live_counters(live, warnings), battery, warnings)


def to_live_counters(live: LiveData, warnings: list[str]) -> LiveData:
    """Livedata with its counters that read 0 left out, each with a warning (rule 3)."""
    for name, at_pvs in LIVE_COUNTERS.items():
        if getattr(live, name) == 0.0:
            warnings.append(f"/sys/livedata/{at_pvs}: lifetime read 0, left out (a PVS glitch)")

    def kept(value: float | None) -> float | None:
        return None if value == 0.0 else value

    return live._replace(
        pv_kwh=kept(live.pv_kwh),
        net_kwh=kept(live.net_kwh),
        load_kwh=kept(live.load_kwh),
        ess_kwh=kept(live.ess_kwh),
    )


# LiveData battery attribute -> the livedata name and the field it prints, for rule 7's warnings
BATTERY_FIGURES = {
    "soc_percent": ("soc", "battery_soc_percent"),
    "backup_minutes": ("backupTimeRemaining", "battery_backup_time_min"),
}


def to_live_battery(live: LiveData, battery: str, warnings: list[str]) -> LiveData:
    """Rule 7: the backup time left out only where the site has no battery (`battery` is rule
    6's `ABSENT`); on a site whose battery is `PRESENT`, every battery figure the PVS gives as
    unknown named in a warning."""
    if battery == ABSENT:
        return live._replace(backup_minutes=None)
    if battery == PRESENT:
        for attribute, (name, field_name) in BATTERY_FIGURES.items():
            if getattr(live, attribute) is None and name in live.unknown:
                warnings.append(
                    f"{field_name} left out: the PVS does not know /sys/livedata/{name} now (nan)"
                )
    return live


def _joined(raw: Sequence[Any], storage: Sequence[Mapping[str, Any]]) -> list[Any]:
    """Rule 4: the device records with the storage records joined by serial."""
    joined = list(raw)
    by_serial: dict[str, int] = {}
    for index, record in enumerate(joined):
        serial = _serial(record) if _usable(record) else ""
        if serial:
            by_serial.setdefault(serial, index)
    for record in storage:
        serial = _serial(record)
        found = by_serial.get(serial)
        if found is None:
            if serial:
                by_serial[serial] = len(joined)
            joined.append(dict(record))
        else:
            # The listed device's own values win; the record measures what the storage
            # document measures, whatever ORIGIN the listed entry claims.
            joined[found] = {**record, **joined[found], "ORIGIN": record.get("ORIGIN")}
    return joined


def _serial(record: Mapping[str, Any]) -> str:
    serial = record.get("SERIAL")
    return clean_text(serial) if isinstance(serial, str) else ""


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
    record: Mapping[str, Any],
    live: LiveData | None,
    warnings: list[str],
    production_source: str = "auto",
) -> Any:
    """The record with the rules applied; the record itself where none changes it (or where it
    is no record the rules can read: `devices.to_points` says why it is skipped); None for a
    record left out of this poll (rule 1): `LEFT_OUT`."""
    if not _usable(record):
        return record
    added: dict[str, Any] = {}
    device_type = record.get("DEVICE_TYPE")
    if device_type == "Power Meter" and record.get("ORIGIN") == "varserver":
        subtype = _varserver_subtype(record, live)
        if not subtype:
            why = "no /sys/livedata" if live is None else "neither /sys/livedata nor its readings"
            _zero_counters(record, [], warnings)
            warnings.append(
                f"consumption meter {_name(record)} left out: {why} to tell a net (load-side) "
                "from a gross (line-side) meter, so the site's grid and consumption are too"
            )
            return LEFT_OUT
        added["subtype"] = subtype
    model = record.get("MODEL")
    if device_type == "PVS" and isinstance(model, str) and model.startswith(PVS_MODEL_PREFIX):
        added["MODEL"] = model[len(PVS_MODEL_PREFIX) :]
    dropped = []
    production = device_type == "Power Meter" and meter_kind({**record, **added}) == "production"
    if production:
        dropped = [k for k in PLACEHOLDER_CHANNELS if k in record and to_number(record[k]) == 0]
    hint = INVERTERS_HINT if production else ""
    quiet = production and production_source == "inverters"
    dropped += _zero_counters(record, dropped, [] if quiet else warnings, hint)
    if not added and not dropped:
        return record
    out = {key: value for key, value in record.items() if key not in dropped}
    out.update(added)
    return out


def _varserver_subtype(record: Mapping[str, Any], live: LiveData | None) -> str | None:
    model = str(record.get("MODEL") or record.get("SERIAL") or "").strip().lower()
    if model.endswith("p"):
        return PRODUCTION
    for key, gross, net in (
        ("net_ltea_3phsum_kwh", live.load_kwh if live else None, live.net_kwh if live else None),
        ("p_3phsum_kw", live.load_kw if live else None, live.net_kw if live else None),
    ):
        value = to_number(record.get(key))
        if value is None or gross is None or net is None:
            continue
        if value == 0 and (key != "p_3phsum_kw" or abs(gross - net) < 10 * NO_POWER_KW):
            continue  # a lifetime of 0 is a glitch; a power of 0 tells only a clear difference
        return GROSS if abs(value - gross) < abs(value - net) else NET
    power = to_number(record.get("p_3phsum_kw"))
    exported = to_number(record.get("neg_ltea_3phsum_kwh"))
    if (power is not None and power < -NO_POWER_KW) or (
        exported is not None and exported > COUNTER_TOLERANCE_KWH
    ):
        return NET  # it saw export: a line-side meter measures the home, which never exports
    return None


def _zero_counters(
    record: Mapping[str, Any], placeholders: list[str], warnings: list[str], hint: str = ""
) -> list[str]:
    """The lifetime counters of a record that read 0 and are glitches (rule 3)."""
    zeros = [
        key
        for key in _counter_keys(tuple(record))
        if key not in placeholders and to_number(record[key]) == 0
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
        warnings.append(f"{_name(record)}: lifetime {key} read 0, left out (a PVS glitch){hint}")
    return glitches


@functools.lru_cache(maxsize=256)
def _counter_keys(keys: tuple[Any, ...]) -> tuple[str, ...]:
    """The lifetime counters among a record shape's keys: worked out once per shape, as every
    inverter of a site has the same keys."""
    return tuple(key for key in keys if isinstance(key, str) and key.endswith(COUNTER_SUFFIX))


def _name(record: Mapping[str, Any]) -> str:
    kind = str(record.get("DEVICE_TYPE") or "device")
    return f"{kind.lower()} {record.get('SERIAL') or '?'}"


def devices_of(records: Sequence[Any], device_type: str) -> list[Mapping[str, Any]]:
    return [r for r in records if _usable(r) and r.get("DEVICE_TYPE") == device_type]
