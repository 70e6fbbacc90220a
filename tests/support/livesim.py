"""A simulated PVS6 telemetry websocket: its power frames, second by second, as the PVS sends them.

The site is the one of tests/support/daysim.py (its sun, its dozen panels, its house), optionally
with a battery. Every second the true powers are worked out and written as the PVS writes them:

- powers in kW to 4 decimals (`pv_p`, `site_load_p`, `net_p`, `ess_p`), the home's load
  flickering by a few watts from one second to the next, as a real home's does, and an oven
  adding 2 kW from the 47th to the 53rd minute of every hour from 07:00 to 22:00 (clear of
  the steady spans below);
- counters in kWh to 4 decimals (`pv_en`, `site_load_en`, `net_en`, `ess_en`), each the sum of
  its power over the seconds so far, from daysim's starting figures; the PVS keeps
  `site_load = pv + net + ess` for powers and counters alike;
- with a battery, `soc` as a 0-1 fraction to 3 decimals: the battery takes the surplus up to
  3 kW and covers the deficit down to its 20 % reserve. Without one, no battery name at all.

A frame is sent only when a figure changed, and carries only the figures that changed, with the
second's `time`; the first frame carries every figure (what the connect's `/sys/livedata` read
gives). While output is steady the PVS sends nothing: every 10 minutes, from the 5th minute on,
every figure holds for 60 to 70 s (60 + the span's number modulo 11), so no frame is sent then.
`silent` spans are stalls: the websocket sends nothing while the PVS's HTTP side still answers
(the site goes on, its counters counting); the first frame after one carries every figure again,
as after a reconnect's `/sys/livedata` read.

`to_lines` turns frames into `sunpower_live` lines through sunpower-lp's own code, as
`--follow` prints them; tests derive what the lines must say from the frames themselves.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sunpower_telegraf.lineproto import format_points
from sunpower_telegraf.site import ABSENT, PRESENT
from sunpower_telegraf.telemetry import LiveStream
from tests.support.daysim import (
    BATTERY_KW,
    BATTERY_KWH,
    INVERTERS,
    PANEL_KW,
    PVS_SERIAL,
    RESERVE,
    house_kw,
    sun,
)
from tests.support.influx import Influxd

START = datetime(2025, 6, 15, tzinfo=timezone.utc)
STEADY_EVERY = 600  # seconds: a steady span starts every 10 minutes
STEADY_AT = 300  # ... this many seconds into each 10 minutes
SOLAR_KW = sum(PANEL_KW * (1 - 0.01 * i) for i in range(INVERTERS))  # daysim's panels at noon
POWERS = ("pv_p", "site_load_p", "net_p", "ess_p")
COUNTERS = ("pv_en", "site_load_en", "net_en", "ess_en")
# daysim's starting lifetimes: production, and imported - exported; the home's is their sum.
FIRST_EN = {"pv_en": 11_000.0, "net_en": 9_000.0 - 12_000.0, "ess_en": 1_350.0 - 1_500.0}


@dataclass(frozen=True)
class Frame:
    """One power notification's `params`: the second (epoch s) and the figures that changed."""

    time: int
    params: dict[str, float]


def steady_length(span: int) -> int:
    """How long the `span`-th steady span (counted from the epoch's) holds: 60 to 70 s."""
    return 60 + span % 11


def is_steady(second: int) -> bool:
    """Whether every figure holds at this second (epoch s): no frame is sent."""
    span, into = divmod(second, STEADY_EVERY)
    return STEADY_AT <= into < STEADY_AT + steady_length(span)


def stream(
    start: datetime = START,
    seconds: int = 86_400,
    *,
    battery: bool = False,
    silent: Sequence[tuple[datetime, datetime]] = (),
) -> Iterator[Frame]:
    """The frames of `seconds` seconds from `start` (a whole second, UTC); none from the start
    to the end of each `silent` span."""
    first = int(start.timestamp())
    stalls = [(int(a.timestamp()), int(b.timestamp())) for a, b in silent]
    counters = {name: FIRST_EN.get(name, 0.0) for name in COUNTERS}
    counters["site_load_en"] = counters["pv_en"] + counters["net_en"] + counters["ess_en"]
    soc = 0.5
    sent: dict[str, float] = {}
    figures: dict[str, float] = {}
    for second in range(first, first + seconds):
        if not (figures and is_steady(second)):
            hour = (second % 86_400) / 3600
            pv = round(SOLAR_KW * sun(hour), 4)
            load = round(house_kw(hour) + 0.002 * (second % 3) + _oven_kw(second), 4)
            ess = round(_battery(soc, pv, load), 4) if battery else 0.0
            grid = round(load - pv - ess, 4)
            soc = min(1.0, max(0.0, soc - ess / 3600 / BATTERY_KWH))
            for name, kw in zip(COUNTERS, (pv, load, grid, ess)):
                counters[name] += kw / 3600
            figures = {"pv_p": pv, "site_load_p": load, "net_p": grid}
            figures |= {name: round(counters[name], 4) for name in COUNTERS}
            if battery:
                figures |= {"ess_p": ess, "soc": round(soc, 3)}
            else:
                del figures["ess_en"]
        if any(a <= second < b for a, b in stalls):
            sent = {}
            continue
        changed = {name: value for name, value in figures.items() if sent.get(name) != value}
        if changed:
            sent |= changed
            yield Frame(second, changed)


def _oven_kw(second: int) -> float:
    """2 kW from minute 47 to 53 of every hour from 07:00 to 22:00 (epoch s, UTC)."""
    hour, minute = divmod(second % 86_400 // 60, 60)
    return 2.0 if 7 <= hour < 22 and 47 <= minute < 53 else 0.0


def _battery(soc: float, pv: float, load: float) -> float:
    """Battery power (kW, + discharging): soak up surplus, cover the deficit down to the reserve."""
    surplus = pv - load
    if surplus > 0:
        return -min(surplus, BATTERY_KW) if soc < 1.0 else 0.0
    return min(-surplus, BATTERY_KW) if soc > RESERVE else 0.0


def to_lines(frames: Iterable[Frame], serial: str = PVS_SERIAL) -> str:
    """The `sunpower_live` lines `--follow` prints for these frames, with the site's battery
    state as its device poll finds it (a battery where the frames carry its values)."""
    frames = list(frames)
    clock = [0.0]  # the host's clock: the frame's own time, as on a PVS whose clock is right
    stream = LiveStream(serial, clock=lambda: clock[0])
    battery = PRESENT if any("soc" in frame.params for frame in frames) else ABSENT
    points = []
    for frame in frames:
        clock[0] = float(frame.time)
        live = stream.message(
            json.dumps({"notification": "power", "params": {"time": frame.time, **frame.params}}),
            battery,
        )
        if live is not None and live.point is not None:
            points.append(live.point)
    return format_points(points)


def at(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """A moment of the simulated days: day 0 is 2025-06-15, UTC."""
    return START + timedelta(days=day, hours=hour, minutes=minute, seconds=second)


def write(influxd: Influxd, database: str, lines: str, policy: str = "") -> None:
    """Write lines into a database (and retention policy), 10,000 lines a request: influxd
    refuses a body over 25 MB."""
    rows = lines.splitlines(keepends=True)
    rp = f"&rp={policy}" if policy else ""
    for start in range(0, len(rows), 10_000):
        body = "".join(rows[start : start + 10_000]).encode()
        url = f"{influxd.url}/write?db={database}{rp}&precision=ns"
        request = urllib.request.Request(url, data=body, method="POST")
        with urllib.request.urlopen(request, timeout=120) as response:
            assert response.status == 204, response.read()
