"""Faults owners meet, as transformations of the day simulator's polls (tests/support/daysim.py).

Each takes the polls of a simulated site and returns new polls in which the fault happens from a
given time on, written into the PVS's documents as a real PVS would write them: the device list
(`Poll.devicelist`) and the varserver's variables (`Poll.vars`). The polls given are not changed.
A fault touches what the PVS would report differently and nothing else (a dead panel's missing
energy is not taken out of the production meter's reading, for instance): each alert rule reads
its own figures, and the rest of the site stays as the simulator made it.

- `dead_panel`: one panel stops: listed in `error` with 0 W, its last reading's time and a
  lifetime that no longer grows, as a sleeping panel is listed; absent from the varserver.
- `shaded_panel`: one panel produces a share (40 %) of what it would; its lifetime grows as much.
- `silent_pvs`: no poll at all for a while (the PVS, or the way to it, is down).
- `restarted_pvs`: the PVS restarts: one poll lost while it boots, its uptime counts from the
  restart, and the inverters come back over two polls (none listed, then half, then all).
- `zero_production_ct`: the production meter's power reads 0 while the inverters produce (and
  the PVS's own `pv_p`, which it takes from that meter).
- `booted`: not a fault but the PVS's uptime as a real one counts it, from one boot on (the
  simulator restarts it from a day at each midnight).
- `keep_reserve`: not a fault but a battery as real ones run: the simulated battery uses all of
  its capacity, a real one stops discharging at its backup reserve (20 % here), so the reported
  charge is the simulated one as a share of the capacity above the reserve.
- `drained_battery`: the battery below its reserve (12 %) and staying there, as after a grid
  outage or when it stops charging.
"""

from __future__ import annotations

import copy
import dataclasses
import re
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

from tests.support.daysim import Poll

INVERTER_PATH = re.compile(r"/sys/devices/inverter/(\d+)/(.+)")
SOC_KEYS = ("/sys/livedata/soc", "/sys/devices/ess/0/customerSocVal", "/sys/devices/ess/0/socVal")


def _copy(poll: Poll) -> Poll:
    return dataclasses.replace(
        poll, devicelist=copy.deepcopy(poll.devicelist), vars=dict(poll.vars)
    )


def _inverters(poll: Poll) -> list[dict[str, Any]]:
    return [d for d in poll.devicelist["devices"] if d.get("DEVICE_TYPE") == "Inverter"]


def _record(poll: Poll, serial: str) -> dict[str, Any]:
    """The inverter's record in this poll; an empty one where the PVS left it out."""
    return next((d for d in _inverters(poll) if d["SERIAL"] == serial), {})


def _serial(polls: list[Poll], index: int) -> str:
    """The serial of the `index`-th inverter the PVS lists."""
    return str(_inverters(polls[0])[index]["SERIAL"])


def _by_serial(variables: dict[str, Any]) -> dict[str, str]:
    """Varserver inverter index -> its serial."""
    return {
        match.group(1): str(value)
        for path, value in variables.items()
        if (match := INVERTER_PATH.fullmatch(path)) and match.group(2) == "sn"
    }


def _drop_inverters(variables: dict[str, Any], serials: set[str]) -> dict[str, Any]:
    """The variables without those inverters, the others numbered from 0 as the varserver does."""
    names = _by_serial(variables)
    kept = sorted((i for i, s in names.items() if s not in serials), key=int)
    renumber = {old: str(new) for new, old in enumerate(kept)}
    out = {}
    for path, value in variables.items():
        match = INVERTER_PATH.fullmatch(path)
        if not match:
            out[path] = value
        elif match.group(1) in renumber:
            out[f"/sys/devices/inverter/{renumber[match.group(1)]}/{match.group(2)}"] = value
    return out


def _scaled(
    variables: dict[str, Any], serial: str, name: str, scale: Callable[[float], str]
) -> None:
    for index, sn in _by_serial(variables).items():
        path = f"/sys/devices/inverter/{index}/{name}"
        if sn == serial and path in variables:
            variables[path] = scale(float(variables[path]))


def _from(polls: list[Poll], start: datetime) -> Iterator[tuple[bool, Poll]]:
    for poll in polls:
        yield poll.time >= start, _copy(poll)


def dead_panel(polls: list[Poll], start: datetime, index: int = 5) -> list[Poll]:
    serial = _serial(polls, index)
    out, last, lifetime = [], None, None
    for faulty, poll in _from(polls, start):
        record = _record(poll, serial)
        if not faulty and record:
            if record["STATE"] == "working":
                last = record["DATATIME"]
            lifetime = record["ltea_3phsum_kwh"]
        elif faulty and record:
            record |= {"STATE": "error", "p_3phsum_kw": "0", "ltea_3phsum_kwh": lifetime}
            record["DATATIME"] = last or record["DATATIME"]
        if faulty:
            poll.vars = _drop_inverters(poll.vars, {serial})
        out.append(poll)
    return out


def shaded_panel(
    polls: list[Poll], start: datetime, index: int = 7, share: float = 0.4
) -> list[Poll]:
    serial = _serial(polls, index)
    before = [_record(p, serial) for p in polls if p.time < start]
    base = float(next((r["ltea_3phsum_kwh"] for r in reversed(before) if r), 0.0))

    def power(kw: float) -> str:
        return f"{kw * share:.4f}"

    def lifetime(kwh: float) -> str:  # it grows by the share of what it would have
        return f"{base + (kwh - base) * share:.4f}"

    out = []
    for faulty, poll in _from(polls, start):
        record = _record(poll, serial)
        if faulty and record:
            record["p_3phsum_kw"] = power(float(record["p_3phsum_kw"]))
            record["ltea_3phsum_kwh"] = lifetime(float(record["ltea_3phsum_kwh"]))
            _scaled(poll.vars, serial, "p3phsumKw", power)
            _scaled(poll.vars, serial, "ltea3phsumKwh", lifetime)
        out.append(poll)
    return out


def silent_pvs(polls: list[Poll], start: datetime, minutes: int = 60) -> list[Poll]:
    end = start + timedelta(minutes=minutes)
    return [_copy(poll) for poll in polls if not start <= poll.time < end]


def restarted_pvs(polls: list[Poll], start: datetime) -> list[Poll]:
    out = []
    booting = start + timedelta(minutes=5)
    for faulty, poll in _from(polls, start):
        if not faulty:
            out.append(poll)
            continue
        if poll.time < booting:
            continue  # restarting: no answer
        _set_uptime(poll, str(int((poll.time - start).total_seconds())))
        back = {booting: 0.0, booting + timedelta(minutes=5): 0.5}.get(poll.time, 1.0)
        inverters = _inverters(poll)
        gone = {str(d["SERIAL"]) for d in inverters[int(len(inverters) * back) :]}
        poll.devicelist["devices"] = [
            d for d in poll.devicelist["devices"] if str(d.get("SERIAL")) not in gone
        ]
        poll.vars = _drop_inverters(poll.vars, gone)
        out.append(poll)
    return out


def booted(polls: list[Poll], at: datetime) -> list[Poll]:
    out = []
    for poll in polls:
        poll = _copy(poll)
        _set_uptime(poll, str(int((poll.time - at).total_seconds())))
        out.append(poll)
    return out


def _set_uptime(poll: Poll, uptime: str) -> None:
    for device in poll.devicelist["devices"]:
        if device.get("DEVICE_TYPE") == "PVS":
            device["dl_uptime"] = uptime
    poll.vars["/sys/info/uptime"] = uptime


def zero_production_ct(polls: list[Poll], start: datetime) -> list[Poll]:
    out = []
    for faulty, poll in _from(polls, start):
        if faulty:
            for device in poll.devicelist["devices"]:
                if device.get("subtype") == "GROSS_PRODUCTION_SITE":
                    device["p_3phsum_kw"] = "0.0000"
            for path, value in list(poll.vars.items()):
                meter = path.startswith("/sys/devices/meter/") and path.endswith("/sn")
                if meter and str(value).lower().endswith("p"):  # the production meter
                    poll.vars[path.replace("/sn", "/p3phsumKw")] = "0.0000"
            live = poll.vars
            if "/sys/livedata/pv_p" in live:  # the PVS keeps site_load = pv + net + ess
                load = float(live["/sys/livedata/site_load_p"]) - float(live["/sys/livedata/pv_p"])
                live["/sys/livedata/pv_p"] = "0.000000"
                live["/sys/livedata/site_load_p"] = f"{load:.6f}"
        out.append(poll)
    return out


def _soc(polls: list[Poll], start: datetime | None, change: Any) -> list[Poll]:
    out = []
    for poll in polls:
        poll = _copy(poll)
        if start is None or poll.time >= start:
            for key in SOC_KEYS:
                if key in poll.vars and poll.vars[key] != "nan":
                    poll.vars[key] = f"{change(float(poll.vars[key])):.6f}"
        out.append(poll)
    return out


def keep_reserve(polls: list[Poll], reserve: float = 0.2) -> list[Poll]:
    return _soc(polls, None, lambda soc: reserve + (1 - reserve) * soc)


def drained_battery(polls: list[Poll], start: datetime, soc: float = 0.12) -> list[Poll]:
    return _soc(polls, start, lambda _: soc)
