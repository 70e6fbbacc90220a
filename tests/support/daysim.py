"""A simulated site, poll by poll: what sunpower-lp promises over a day.

Every 5 minutes the sun, a house and (optionally) a battery move power around a site with a
production meter, a consumption meter (net, load side) and a dozen microinverters. The true
energies are integrated from those powers, and the PVS's documents are written from them as a
real PVS would. Which documents there are depends on the firmware:

- legacy firmware: the DeviceList (inverters asleep are listed in `error` with their last
  readings; a battery site lists its storage devices, identity only) and, on a battery site, the
  storage status (`energy-storage-system/status`, shaped as a real SunVault sends it: battery
  power in `ess_meter_reading.agg_power`, meter legs in W and unsigned, one module's DC side);
- current firmware: `devices/list` (no storage devices), and the varserver: `/sys/info`,
  `/sys/livedata`, every device (sleeping inverters are absent; the production meter carries
  placeholder zeros), the battery's ESS and the transfer switch.

A battery charges from surplus and covers the house down to a reserve, so it charges through the
day and discharges in the evening. `upgrade` moves the site from legacy to current firmware at
noon of its first day. `pvs5` is an old PVS5 site instead: legacy firmware, a production meter
with no CT (it reads 0 for everything, lifetime included), a consumption meter without `subtype`
that has only a net counter, no battery. Glitches real units show can be switched on (`glitches`,
or a set of their names):

- inverters wake one by one at sunrise (always: thresholds differ per panel);
- one inverter's lifetime reads 0 for one poll;
- the production meter's power reads 0 for one poll while the inverters produce;
- one inverter is missing from the list for one poll;
- the consumption meter's lifetime counters read 0 for one poll.

`failures` makes a battery site's secondary requests fail on some polls (`FAILURES`: which
request, and what the PVS answered: an HTTP error, or an `{"errorcode": ...}` object) and gives
odd battery values (`BATTERY_GLITCHES`): livedata's battery values all `nan` once (as on a site
without a battery, but with the MID's `midstate` 2), `ess_p` missing and `soc` `nan` once,
`ess_en` 0 once. A failure applies where the poll's firmware makes that request; the documents
themselves stay whole in the Poll (`Poll.failed` says what went wrong), so a caller can leave a
document out or serve the error.

Each poll carries the truth beside its documents: the site's true powers and charge (`site`,
named as on `sunpower_site`) and the energies from the first poll to it (`total`). A day's true
energy per counter is `Truth`: what `spread()` over that day must give.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, NamedTuple

STEP = 300  # seconds between polls, as Telegraf's shipped interval
HOURS = STEP / 3600
INVERTERS = 12
PANEL_KW = 0.36
BATTERY_KWH = 26.0  # a SunVault of two 13 kWh batteries
BATTERY_KW = 3.0
RESERVE = 0.2  # the charge a battery keeps for an outage
PVS_SERIAL = "ZT221285000549S1M01"
PVS5_SERIAL = "ZT171785000441C0417"
UPGRADE_POLL = 144  # noon of the first day: the first poll on current firmware

GLITCH_POLLS = {  # poll of the day -> glitch, all in daylight
    140: "production meter power reads 0",
    150: "inverter lifetime reads 0",
    160: "inverter missing",
    170: "consumption meter lifetime reads 0",
}
ERROR_OBJECT = {"errorcode": 5}
FAILURES: dict[int, tuple[str, int, Any]] = {  # poll -> (request, HTTP status, JSON body)
    108: ("storage status", 500, None),  # 09:00, legacy firmware, charging
    126: ("storage status", 502, None),  # 10:30
    162: ("livedata", 500, None),  # 13:30, current firmware, charging
    180: ("livedata", 200, ERROR_OBJECT),  # 15:00
    192: ("ess", 400, ERROR_OBJECT),  # 16:00
    204: ("transfer switch", 500, None),  # 17:00
    228: ("livedata", 400, ERROR_OBJECT),  # 19:00, discharging
}
BATTERY_GLITCHES = {  # poll -> odd battery values in livedata, on current firmware
    216: "battery values nan",  # 18:00, discharging
    222: "ess_p missing, soc nan",  # 18:30
    240: "ess_en reads 0",  # 20:00
}
REQUESTS = {  # the secondary requests each firmware makes on a battery site
    "legacy": {"storage status"},
    "current": {"livedata", "ess", "transfer switch"},
}

ESS = "00001D4F7A3B_ESS"
HUB = "00001D4F7A3B"
STORAGE_INVERTER = "BC212200000259"
BMS = "BC212200000259_01"
# What a legacy DeviceList names on a SunVault site: (DEVICE_TYPE, SERIAL, MODEL).
STORAGE_DEVICES = [
    ("HUB+", HUB, "SunPower MIDC SPWR-MIDC-200"),
    ("ESS Hub", "M00122109A0359", "SPWR-Equinox-ESS-Hub"),
    ("Storage Inverter", STORAGE_INVERTER, "SchneiderElectric-XW6848-21"),
    ("ESS BMS", BMS, "SPWR-Equinox-BMS-model"),
    ("Battery", f"{BMS}_01", "SPWR-Equinox-Battery-model"),
    ("Energy Storage System", ESS, "SPWR-Equinox-model"),
    ("PV Disconnect", "M00122109A0359_PVD", "SPWR-PV-DISCONNECT"),
    ("Gateway", f"{HUB}_GW", "SunPower Gateway"),
]


@dataclass
class Truth:
    """Energies (kWh) integrated from the true powers over a span of polls: a day's, or from
    the first poll to one."""

    production: float = 0.0
    consumption: float = 0.0
    imported: float = 0.0
    exported: float = 0.0
    charged: float = 0.0
    discharged: float = 0.0
    inverters: list[float] = field(default_factory=lambda: [0.0] * INVERTERS)


@dataclass
class Poll:
    time: datetime
    devicelist: dict[str, Any]  # the DeviceList (legacy firmware) or devices/list (current)
    vars: dict[str, Any]  # current firmware: /sys/info, /sys/livedata and every device (fmt=obj)
    ess_status: dict[str, Any] | None = None  # legacy firmware, battery site: the storage status
    firmware: str = "current"
    failed: dict[str, tuple[int, Any]] = field(default_factory=dict)  # request -> status, body
    glitch: str = ""  # the glitch of GLITCH_POLLS in this poll's documents, if any
    trouble: str = ""  # what goes wrong with this poll's secondary answers, if anything
    site: dict[str, float] = field(default_factory=dict)  # true powers (kW) and charge (%)
    total: Truth = field(default_factory=Truth)  # true energies from the first poll to this one


@dataclass
class _State:
    """The counters of the site's devices: lifetimes that only grow."""

    inverters: list[float] = field(
        default_factory=lambda: [900.0 + 17 * i for i in range(INVERTERS)]
    )
    production: float = 11_000.0
    imported: float = 9_000.0
    exported: float = 12_000.0
    charged: float = 1_500.0
    discharged: float = 1_350.0
    soc: float = RESERVE  # fraction
    last_inverter: list[dict[str, Any]] = field(
        default_factory=lambda: [{} for _ in range(INVERTERS)]
    )


class _Now(NamedTuple):
    """The site at one poll: the time and the true powers (kW; battery + discharging)."""

    time: datetime
    awake: list[bool]
    inverter_kw: list[float]
    production: float
    load: float
    grid: float
    ess: float


def sun(hour: float) -> float:
    """0 at night, up to 1 at noon (UTC, for simplicity)."""
    return max(0.0, math.sin(math.pi * (hour - 6) / 12)) if 6 < hour < 18 else 0.0


def house_kw(hour: float) -> float:
    """A base load, a morning and an evening peak."""
    peak = lambda centre, width, height: height * math.exp(-(((hour - centre) / width) ** 2))  # noqa: E731
    return 0.6 + peak(7.5, 1.0, 0.9) + peak(19.5, 1.5, 2.4)


def simulate(
    days: int = 1,
    battery: bool = False,
    glitches: bool | Collection[str] = False,
    *,
    upgrade: bool = False,
    failures: bool = False,
    pvs5: bool = False,
) -> tuple[list[Poll], list[Truth]]:
    """`days` days of polls from 2025-06-15 00:00 UTC, and each day's true energies."""
    start = datetime(2025, 6, 15, tzinfo=timezone.utc)
    chosen = set(GLITCH_POLLS.values()) if glitches is True else set(glitches or ())
    state = _State()
    total = Truth()
    polls: list[Poll] = []
    truths: list[Truth] = []
    for day in range(days):
        truth = Truth()
        for n in range(24 * 3600 // STEP):
            time = start + timedelta(days=day, seconds=n * STEP)
            hour = time.hour + time.minute / 60
            awake = [sun(hour) > 0.02 + 0.012 * i for i in range(INVERTERS)]
            inverter_kw = [
                PANEL_KW * sun(hour) * (1 - 0.01 * i) if awake[i] else 0.0 for i in range(INVERTERS)
            ]
            production = sum(inverter_kw)
            load = house_kw(hour)
            ess = _battery(state, production, load) if battery else 0.0
            now = _Now(time, awake, inverter_kw, production, load, load - production - ess, ess)
            if polls:  # the energy of the interval that ends with this poll; a day's from its first
                _count(state, [total, truth] if n > 0 else [total], now)
            firmware = (
                "legacy" if pvs5 or (upgrade and day == 0 and n < UPGRADE_POLL) else "current"
            )
            glitch = GLITCH_POLLS.get(n, "") if GLITCH_POLLS.get(n) in chosen else ""
            odd = BATTERY_GLITCHES.get(n, "") if failures and battery else ""
            poll = _documents(now, state, firmware, battery, pvs5, glitch, odd)
            if failures and battery:
                _fail(poll, n)
            poll.site = {
                "production_kw": production,
                "consumption_kw": load,
                "grid_kw": now.grid,
                **({"battery_kw": ess, "battery_soc_percent": 100 * state.soc} if battery else {}),
            }
            poll.total = dataclasses.replace(total, inverters=list(total.inverters))
            polls.append(poll)
        truths.append(truth)
    return polls, truths


def _battery(state: _State, production: float, load: float) -> float:
    """Battery power (kW, + discharging): soak up surplus, cover the deficit down to the
    reserve, within limits."""
    surplus = production - load
    if surplus > 0:
        room = (1 - state.soc) * BATTERY_KWH / HOURS
        return -min(surplus, BATTERY_KW, room)
    stored = max(state.soc - RESERVE, 0.0) * BATTERY_KWH / HOURS
    return min(-surplus, BATTERY_KW, stored)


def _count(state: _State, truths: list[Truth], now: _Now) -> None:
    imported, exported = max(now.grid, 0.0) * HOURS, max(-now.grid, 0.0) * HOURS
    charged, discharged = max(-now.ess, 0.0) * HOURS, max(now.ess, 0.0) * HOURS
    for i, kw in enumerate(now.inverter_kw):
        state.inverters[i] += kw * HOURS
    state.production += now.production * HOURS
    state.imported += imported
    state.exported += exported
    state.charged += charged
    state.discharged += discharged
    state.soc = min(1.0, max(0.0, state.soc + (charged - discharged) / BATTERY_KWH))
    for truth in truths:
        for i, kw in enumerate(now.inverter_kw):
            truth.inverters[i] += kw * HOURS
        truth.production += now.production * HOURS
        truth.consumption += now.load * HOURS
        truth.imported += imported
        truth.exported += exported
        truth.charged += charged
        truth.discharged += discharged


def _fail(poll: Poll, n: int) -> None:
    """The failure or odd battery value of poll `n` of a day, where its firmware makes that
    request (the odd values are written into the documents by `_varserver`)."""
    request, status, body = FAILURES.get(n, ("", 0, None))
    if request in REQUESTS[poll.firmware]:
        poll.failed[request] = (status, body)
        poll.trouble = f"{request} answered HTTP {status}" + (
            f" {json.dumps(body)}" if body else ""
        )
    elif n in BATTERY_GLITCHES and poll.firmware == "current":
        poll.trouble = BATTERY_GLITCHES[n]


def _documents(
    now: _Now,
    state: _State,
    firmware: str,
    battery: bool,
    pvs5: bool,
    glitch: str,
    odd: str,
) -> Poll:
    stamp = now.time.strftime("%Y,%m,%d,%H,%M,%S")
    uptime = str(86400 + int(now.time.timestamp()) % 86400)
    swver = {"legacy": "2024.4, Build 61653", "current": "2025.06, Build 61840"}[firmware]
    pvs = {
        "DEVICE_TYPE": "PVS",
        "SERIAL": PVS5_SERIAL if pvs5 else PVS_SERIAL,
        "MODEL": "PV Supervisor PVS5" if pvs5 else "PV Supervisor PVS6",
        "SWVER": "2021.5, Build 3019" if pvs5 else swver,
        "STATE": "working",
        "DATATIME": stamp,
        "CURTIME": stamp,
        "dl_uptime": uptime,
        "dl_cpu_load": "0.42",
        "dl_mem_used": "80844",
        "dl_flash_avail": "72391",
        "dl_comm_err": "431",
        "dl_untransmitted": "12",
        "dl_err_count": "0",
    }
    meters = (_pvs5_meters if pvs5 else _meters)(now, state, stamp, glitch)
    inverters = _inverters(
        now, state, stamp, glitch, "AC_Module_Type_C" if pvs5 else "AC_Module_Type_H"
    )
    storage = [
        {
            "DEVICE_TYPE": kind,
            "SERIAL": serial,
            "MODEL": model,
            "STATE": "working",
            "CURTIME": stamp,  # storage devices carry no DATATIME
        }
        for kind, serial, model in (STORAGE_DEVICES if battery and firmware == "legacy" else [])
    ]
    devicelist = {"devices": [pvs, *meters, *inverters, *storage], "result": "succeed"}
    if firmware == "legacy":
        status = _storage_status(now, state) if battery else None
        return Poll(now.time, devicelist, {}, status, firmware, glitch=glitch)
    variables = _varserver(now, state, meters, inverters, battery, uptime, odd)
    return Poll(now.time, devicelist, variables, None, firmware, glitch=glitch)


def _meters(now: _Now, state: _State, stamp: str, glitch: str) -> list[dict[str, Any]]:
    production_kw = 0.0 if glitch == "production meter power reads 0" else now.production
    lifetimes = (
        (0.0, 0.0, 0.0)
        if glitch == "consumption meter lifetime reads 0"
        else (state.imported, state.exported, state.imported - state.exported)
    )
    return [
        {
            "DEVICE_TYPE": "Power Meter",
            "SERIAL": "PVS6M22031749p",
            "MODEL": "PVS6M0400p",
            "TYPE": "PVS5-METER-P",
            "subtype": "GROSS_PRODUCTION_SITE",
            "STATE": "working",
            "DATATIME": stamp,
            "p_3phsum_kw": f"{production_kw:.4f}",
            "net_ltea_3phsum_kwh": f"{state.production:.4f}",
        },
        {
            "DEVICE_TYPE": "Power Meter",
            "SERIAL": "PVS6M22031749c",
            "MODEL": "PVS6M0400c",
            "TYPE": "PVS5-METER-C",
            "subtype": "NET_CONSUMPTION_LOADSIDE",
            "STATE": "working",
            "DATATIME": stamp,
            "p_3phsum_kw": f"{now.grid:.4f}",
            "pos_ltea_3phsum_kwh": f"{lifetimes[0]:.4f}",
            "neg_ltea_3phsum_kwh": f"{lifetimes[1]:.4f}",
            "net_ltea_3phsum_kwh": f"{lifetimes[2]:.4f}",
        },
    ]


def _pvs5_meters(now: _Now, state: _State, stamp: str, glitch: str) -> list[dict[str, Any]]:
    """An old PVS5's meters: no subtype; the production meter has no CT and reads 0 for
    everything, lifetime included; the consumption meter (net) has only a net counter."""
    net = 0.0 if glitch == "consumption meter lifetime reads 0" else state.imported - state.exported
    meter = {
        "DEVICE_TYPE": "Power Meter",
        "STATE": "working",
        "DATATIME": stamp,
        "ct_scl_fctr": "50",
    }
    return [
        {
            **meter,
            "SERIAL": "PVS5M540127p",
            "MODEL": "PVS5M0400p",
            "TYPE": "PVS5-METER-P",
            "net_ltea_3phsum_kwh": "0",
            "p_3phsum_kw": "0",
            "q_3phsum_kvar": "0",
            "s_3phsum_kva": "0",
            "tot_pf_rto": "1",
            "freq_hz": "60.02",
        },
        {
            **meter,
            "SERIAL": "PVS5M540127c",
            "MODEL": "PVS5M0400c",
            "TYPE": "PVS5-METER-C",
            "net_ltea_3phsum_kwh": f"{net:.2f}",
            "p_3phsum_kw": f"{now.grid:.4f}",
            "freq_hz": "60.02",
        },
    ]


def _inverters(
    now: _Now, state: _State, stamp: str, glitch: str, model: str
) -> list[dict[str, Any]]:
    inverters = []
    for i in range(INVERTERS):
        if glitch == "inverter missing" and i == 5:
            continue
        lifetime = 0.0 if glitch == "inverter lifetime reads 0" and i == 3 else state.inverters[i]
        if now.awake[i]:
            reading = {
                "STATE": "working",
                "DATATIME": stamp,
                "p_3phsum_kw": f"{now.inverter_kw[i]:.4f}",
                "ltea_3phsum_kwh": f"{lifetime:.4f}",
            }
            state.last_inverter[i] = reading
        else:  # asleep: listed in error with its last reading's time and idle values
            last = state.last_inverter[i]
            reading = {
                "STATE": "error",
                "DATATIME": last.get("DATATIME", stamp),
                "p_3phsum_kw": "0",
                "ltea_3phsum_kwh": f"{lifetime:.4f}",
            }
        inverters.append(
            {"DEVICE_TYPE": "Inverter", "SERIAL": f"E0012214231{i:04d}", "MODEL": model, **reading}
        )
    return inverters


def _storage_status(now: _Now, state: _State) -> dict[str, Any]:
    """The legacy storage status of a SunVault: `agg_power` kW signed as livedata's `ess_p`
    (positive discharging), inverter `ac_power` the same, meter legs in W and unsigned (volts x
    amps), one battery module's DC volts and amps (not the battery's power)."""
    when = now.time.strftime("%Y-%m-%d %H:%M:%S")

    def value(number: float, unit: str) -> dict[str, Any]:
        return {"unit": unit, "value": round(number, 3)}

    leg_w = abs(now.ess) * 500
    leg = {
        "reading": {
            "current": value(leg_w / 127.9, "A"),
            "last_updated": when,
            "power": value(leg_w, "W"),
            "voltage": value(127.9, "V"),
        }
    }
    return {
        "ess_report": {
            "battery_status": [
                {
                    "battery_amperage": value(-now.ess * 1000 / 52.1 / 2, "A"),
                    "battery_voltage": value(52.1, "V"),
                    "customer_state_of_charge": value(100 * state.soc, "%"),
                    "last_updated": when,
                    "serial_number": BMS,
                    "system_state_of_charge": value(100 * state.soc, "%"),
                    "temperature": value(27.5, "C"),
                }
            ],
            "ess_state": [
                {
                    "operational_mode": "SELF_CONSUMPTION",
                    "permission_to_operate": "PERMISSION_GRANTED",
                    "storage_controller_status": "RUNNING",
                }
            ],
            "ess_status": [
                {
                    "enclosure_humidity": value(31, "%"),
                    "enclosure_temperature": value(29.4, "C"),
                    "ess_meter_reading": {
                        "agg_power": value(now.ess, "kW"),
                        "last_updated": when,
                        "meter_a": leg,
                        "meter_b": leg,
                    },
                    "last_updated": when,
                    "serial_number": ESS,
                }
            ],
            "hub_plus_status": {
                "contactor_error": "NONE",
                "contactor_position": "CLOSED",
                "grid_phase1_voltage": value(127.9, "V"),
                "grid_phase2_voltage": value(127.9, "V"),
                "hub_temperature": value(33.1, "C"),
                "last_updated": when,
                "load_phase1_voltage": value(127.8, "V"),
                "load_phase2_voltage": value(127.8, "V"),
                "serial_number": HUB,
            },
            "inverter_status": [
                {
                    "ac_power": value(now.ess, "kW"),
                    "last_updated": when,
                    "serial_number": STORAGE_INVERTER,
                    "temperature": value(35.5, "C"),
                }
            ],
            "last_updated": when,
            "errors": [],
        }
    }


def _varserver(
    now: _Now,
    state: _State,
    meters: list[dict[str, Any]],
    inverters: list[dict[str, Any]],
    battery: bool,
    uptime: str,
    odd: str = "",
) -> dict[str, Any]:
    """The varserver's variables as `fmt=obj` gives them; `odd` is a battery glitch of livedata."""
    iso = now.time.strftime("%Y-%m-%dT%H:%M:%SZ")
    net_kwh = state.imported - state.exported
    ess_kwh = state.discharged - state.charged
    backup = max(state.soc - RESERVE, 0.0) * BATTERY_KWH / now.load * 60
    pv_kw = now.production if float(meters[0]["p_3phsum_kw"]) else 0.0  # a CT's 0 shows here too
    live = {
        "time": str(int(now.time.timestamp())),
        "pv_p": f"{pv_kw:.6f}",
        "pv_en": f"{state.production:.6f}",
        "net_p": f"{now.grid:.6f}",
        "net_en": f"{net_kwh:.6f}",
        "site_load_p": f"{now.load:.6f}",
        "site_load_en": f"{state.production + net_kwh + ess_kwh:.6f}",
        "ess_p": f"{now.ess:.6f}",
        "ess_en": f"{ess_kwh:.6f}",
        "soc": f"{state.soc:.6f}",
        "backupTimeRemaining": f"{backup:.0f}",
        "midstate": "2",  # a storage system's MID
    }
    if not battery:  # the PVS's way of saying there is none
        live |= {"ess_p": "nan", "ess_en": "nan", "soc": "nan", "backupTimeRemaining": "0"}
        live["midstate"] = "0"
    elif odd == "battery values nan":  # as the PVS says of a site without one; the MID is there
        live |= {"ess_p": "nan", "ess_en": "nan", "soc": "nan", "backupTimeRemaining": "nan"}
    elif odd == "ess_p missing, soc nan":
        del live["ess_p"]
        live["soc"] = "nan"
    elif odd == "ess_en reads 0":
        live["ess_en"] = "0.000000"
    variables: dict[str, Any] = {
        "/sys/info/serialnum": PVS_SERIAL,
        "/sys/info/model": "PVS6",
        "/sys/info/sw_rev": "2025.06.24.61840",
        "/sys/info/uptime": uptime,
        "/sys/info/cpu_usage": "7",
        "/sys/info/ram_usage": "31",
        "/sys/info/flash_usage": "68",
        **{f"/sys/livedata/{k}": v for k, v in live.items()},
    }
    for index, meter in enumerate(meters):
        names = {
            "sn": meter["SERIAL"],
            "prodMdlNm": meter["MODEL"],
            "msmtEps": iso,
            "p3phsumKw": meter["p_3phsum_kw"],
            "netLtea3phsumKwh": meter["net_ltea_3phsum_kwh"],
        }
        if index == 0:  # placeholders for channels a production CT does not measure
            names |= {
                "i1A": "0.000000",
                "p1Kw": "0.000000",
                "posLtea3phsumKwh": "0.000000",
                "negLtea3phsumKwh": "0.000000",
            }
        else:
            names |= {
                "posLtea3phsumKwh": meter["pos_ltea_3phsum_kwh"],
                "negLtea3phsumKwh": meter["neg_ltea_3phsum_kwh"],
            }
        variables |= {f"/sys/devices/meter/{index}/{k}": v for k, v in names.items()}
    for index, inverter in enumerate(d for d in inverters if d["STATE"] == "working"):
        names = {
            "sn": inverter["SERIAL"],
            "prodMdlNm": inverter["MODEL"],
            "msmtEps": iso,
            "p3phsumKw": inverter["p_3phsum_kw"],
            "ltea3phsumKwh": inverter["ltea_3phsum_kwh"],
        }
        variables |= {f"/sys/devices/inverter/{index}/{k}": v for k, v in names.items()}
    if not battery:
        return variables
    ess = {
        "sn": ESS,
        "prodMdlNm": "SPWR-Equinox-model",
        "msmtEps": iso,
        "p3phsumKw": f"{now.ess:.6f}",
        "posLtea3phsumKwh": f"{state.discharged:.6f}",
        "negLtea3phsumKwh": f"{state.charged:.6f}",
        "customerSocVal": f"{state.soc:.6f}",
        "socVal": f"{state.soc:.6f}",
        "sohVal": "0.970000",
        "vBattV": "52.099998",
        "opMode": "SELF_CONSUMPTION",
    }
    switch = {
        "sn": HUB,
        "prodMdlNm": "SunPower MIDC SPWR-MIDC-200",
        "msmtEps": iso,
        "midStEnum": "2",
        "pvd1StEnum": "1",
        "v1nGridV": "127.900002",
        "v2nGridV": "127.900002",
        "v1nV": "127.800003",
        "v2nV": "127.800003",
        "tDegc": "33.099998",
    }
    variables |= {f"/sys/devices/ess/0/{k}": v for k, v in ess.items()}
    variables |= {f"/sys/devices/transfer_switch/0/{k}": v for k, v in switch.items()}
    return variables
