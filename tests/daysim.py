"""A simulated site, poll by poll: what sunpower-lp promises over a day.

Every 5 minutes the sun, a house and (optionally) a battery move power around a site with a
production meter, a consumption meter (net, load side) and a dozen microinverters. The true
energies are integrated from those powers, and the PVS's documents are written from them as a
real PVS would: a device list (inverters asleep are listed in `error` with their last readings),
varserver objects (sleeping inverters are absent; the production meter carries placeholder
zeros), `/sys/livedata`, and the battery's ESS. Glitches real units show can be switched on:

- inverters wake one by one at sunrise (always: thresholds differ per panel);
- one inverter's lifetime reads 0 for one poll;
- the production meter's power reads 0 for one poll while the inverters produce;
- one inverter is missing from the list for one poll;
- the consumption meter's lifetime counters read 0 for one poll.

A day's true energy per counter is `Truth`: what `spread()` over that day must give.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

STEP = 300  # seconds between polls, as Telegraf's shipped interval
HOURS = STEP / 3600
INVERTERS = 12
PANEL_KW = 0.36
BATTERY_KWH = 13.5
BATTERY_KW = 3.0
PVS_SERIAL = "ZT221285000549S1M01"

GLITCH_POLLS = {  # poll of the day -> glitch, all in daylight
    140: "production meter power reads 0",
    150: "inverter lifetime reads 0",
    160: "inverter missing",
    170: "consumption meter lifetime reads 0",
}


@dataclass
class Truth:
    """Energies (kWh) integrated from the true powers over one day's polls."""

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
    devicelist: dict[str, Any]
    vars: dict[str, Any]  # /sys/info, /sys/livedata and every device, as fmt=obj gives them


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
    soc: float = 0.5  # fraction
    last_inverter: list[dict[str, Any]] = field(
        default_factory=lambda: [{} for _ in range(INVERTERS)]
    )


def sun(hour: float) -> float:
    """0 at night, up to 1 at noon (UTC, for simplicity)."""
    return max(0.0, math.sin(math.pi * (hour - 6) / 12)) if 6 < hour < 18 else 0.0


def house_kw(hour: float) -> float:
    """A base load, a morning and an evening peak."""
    peak = lambda centre, width, height: height * math.exp(-(((hour - centre) / width) ** 2))  # noqa: E731
    return 0.6 + peak(7.5, 1.0, 0.9) + peak(19.5, 1.5, 2.4)


def simulate(
    days: int = 1, battery: bool = False, glitches: bool = False
) -> tuple[list[Poll], list[Truth]]:
    """`days` days of polls from 2025-06-15 00:00 UTC, and each day's true energies."""
    start = datetime(2025, 6, 15, tzinfo=timezone.utc)
    state = _State()
    polls: list[Poll] = []
    truths: list[Truth] = []
    for day in range(days):
        truth = Truth()
        for n in range(24 * 3600 // STEP):
            now = start + timedelta(days=day, seconds=n * STEP)
            hour = now.hour + now.minute / 60
            awake = [sun(hour) > 0.02 + 0.012 * i for i in range(INVERTERS)]
            inverter_kw = [
                PANEL_KW * sun(hour) * (1 - 0.01 * i) if awake[i] else 0.0 for i in range(INVERTERS)
            ]
            production = sum(inverter_kw)
            load = house_kw(hour)
            ess = _battery(state, production, load) if battery else 0.0  # + discharging
            grid = load - production - ess
            if n > 0:  # the energy of the interval that ends with this poll
                _count(state, truth, inverter_kw, production, load, grid, ess)
            glitch = GLITCH_POLLS.get(n) if glitches else None
            polls.append(
                _documents(
                    now, state, awake, inverter_kw, production, load, grid, ess, battery, glitch
                )
            )
        truths.append(truth)
    return polls, truths


def _battery(state: _State, production: float, load: float) -> float:
    """Battery power (kW, + discharging): soak up surplus, cover the deficit, within limits."""
    surplus = production - load
    if surplus > 0:
        room = (1 - state.soc) * BATTERY_KWH / HOURS
        return -min(surplus, BATTERY_KW, room)
    stored = state.soc * BATTERY_KWH / HOURS
    return min(-surplus, BATTERY_KW, stored)


def _count(
    state: _State,
    truth: Truth,
    inverter_kw: list[float],
    production: float,
    load: float,
    grid: float,
    ess: float,
) -> None:
    for i, kw in enumerate(inverter_kw):
        state.inverters[i] += kw * HOURS
        truth.inverters[i] += kw * HOURS
    state.production += production * HOURS
    truth.production += production * HOURS
    truth.consumption += load * HOURS
    imported, exported = max(grid, 0.0) * HOURS, max(-grid, 0.0) * HOURS
    state.imported += imported
    state.exported += exported
    truth.imported += imported
    truth.exported += exported
    charged, discharged = max(-ess, 0.0) * HOURS, max(ess, 0.0) * HOURS
    state.charged += charged
    state.discharged += discharged
    truth.charged += charged
    truth.discharged += discharged
    state.soc = min(1.0, max(0.0, state.soc + (charged - discharged) / BATTERY_KWH))


def _documents(
    now: datetime,
    state: _State,
    awake: list[bool],
    inverter_kw: list[float],
    production: float,
    load: float,
    grid: float,
    ess: float,
    battery: bool,
    glitch: str | None,
) -> Poll:
    stamp = now.strftime("%Y,%m,%d,%H,%M,%S")
    iso = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    net_kwh = state.imported - state.exported
    production_kw = 0.0 if glitch == "production meter power reads 0" else production
    lifetimes = (
        (0.0, 0.0, 0.0)
        if glitch == "consumption meter lifetime reads 0"
        else (state.imported, state.exported, net_kwh)
    )
    pvs = {
        "DEVICE_TYPE": "PVS",
        "SERIAL": PVS_SERIAL,
        "MODEL": "PV Supervisor PVS6",
        "STATE": "working",
        "DATATIME": stamp,
        "CURTIME": stamp,
        "dl_uptime": str(86400 + int(now.timestamp()) % 86400),
        "dl_cpu_load": "0.42",
        "dl_mem_used": "80844",
        "dl_flash_avail": "72391",
        "dl_comm_err": "431",
        "dl_untransmitted": "12",
        "dl_err_count": "0",
    }
    meters = [
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
            "p_3phsum_kw": f"{grid:.4f}",
            "pos_ltea_3phsum_kwh": f"{lifetimes[0]:.4f}",
            "neg_ltea_3phsum_kwh": f"{lifetimes[1]:.4f}",
            "net_ltea_3phsum_kwh": f"{lifetimes[2]:.4f}",
        },
    ]
    inverters = []
    for i in range(INVERTERS):
        if glitch == "inverter missing" and i == 5:
            continue
        lifetime = 0.0 if glitch == "inverter lifetime reads 0" and i == 3 else state.inverters[i]
        if awake[i]:
            reading = {
                "STATE": "working",
                "DATATIME": stamp,
                "p_3phsum_kw": f"{inverter_kw[i]:.4f}",
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
            {
                "DEVICE_TYPE": "Inverter",
                "SERIAL": f"E0012214231{i:04d}",
                "MODEL": "AC_Module_Type_H",
                **reading,
            }
        )
    devicelist = {"devices": [pvs, *meters, *inverters], "result": "succeed"}

    variables: dict[str, Any] = {
        "/sys/info/serialnum": PVS_SERIAL,
        "/sys/info/model": "PVS6",
        "/sys/info/uptime": pvs["dl_uptime"],
        "/sys/info/cpu_usage": "7",
        "/sys/info/ram_usage": "31",
        "/sys/info/flash_usage": "68",
        "/sys/livedata/time": str(int(now.timestamp())),
        "/sys/livedata/pv_p": f"{production_kw:.6f}",
        "/sys/livedata/pv_en": f"{state.production:.6f}",
        "/sys/livedata/net_p": f"{grid:.6f}",
        "/sys/livedata/net_en": f"{net_kwh:.6f}",
        "/sys/livedata/site_load_p": f"{load:.6f}",
        "/sys/livedata/site_load_en": f"{state.production + net_kwh + state.discharged - state.charged:.6f}",
        "/sys/livedata/ess_p": f"{ess:.6f}" if battery else "nan",
        "/sys/livedata/ess_en": f"{state.discharged - state.charged:.6f}" if battery else "nan",
        "/sys/livedata/soc": f"{state.soc:.6f}" if battery else "nan",
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
    if battery:
        names = {
            "sn": "00001D4F7A3B_ESS",
            "prodMdlNm": "SPWR-Equinox-model",
            "msmtEps": iso,
            "p3phsumKw": f"{ess:.6f}",
            "posLtea3phsumKwh": f"{state.discharged:.6f}",
            "negLtea3phsumKwh": f"{state.charged:.6f}",
            "customerSocVal": f"{state.soc:.6f}",
        }
        variables |= {f"/sys/devices/ess/0/{k}": v for k, v in names.items()}
    return Poll(now, devicelist, variables)
