"""The InfluxDB 1.x retention set-up of docs/retention.md, run on a real influxd.

The page's commands create the `live` retention policy and the continuous query; two simulated days
of the 1 Hz stream (tests/support/livesim.py, through sunpower-lp's own line code) go into `live`.
The continuous query's `SELECT ... INTO`, as influxd stored it, is run over the two days, as its
service would run it minute by minute, and every value it wrote is compared with one worked out
here from the frames themselves: the mean of each minute's lines for a power, the last line's value
for a counter. A day's energy, the difference of two days' last counter values, is the same on the
raw stream and on its minutes, and is what the frames say.
"""

from __future__ import annotations

import re
import shlex
import statistics
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from tests.support import livesim
from tests.support.influx import Influxd

ROOT = Path(__file__).resolve().parent.parent
PAGE = (ROOT / "docs" / "retention.md").read_text()
DATABASE = "retention"
DAYS = 2
# sunpower_live field -> the frame's name (docs/fields.md) and its scale; how the query keeps it.
FIELDS = {
    "production_kw": ("pv_p", 1, "mean"),
    "consumption_kw": ("site_load_p", 1, "mean"),
    "grid_kw": ("net_p", 1, "mean"),
    "battery_kw": ("ess_p", 1, "mean"),
    "battery_soc_percent": ("soc", 100, "last"),
    "production_lifetime_kwh": ("pv_en", 1, "last"),
    "consumption_lifetime_kwh": ("site_load_en", 1, "last"),
    "grid_net_lifetime_kwh": ("net_en", 1, "last"),
    "battery_net_lifetime_kwh": ("ess_en", 1, "last"),
}
COUNTERS = [field for field in FIELDS if field.endswith("_kwh")]
# The policy drops points older than its 7 days at the write: the simulated days are the last two
# whole days before today (UTC). The simulation depends on the time of day only.
START = datetime.now(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(
    days=DAYS
)


def span(days: int = DAYS) -> str:
    """`time` from the first simulated midnight, for this many days."""
    end = START + timedelta(days=days)
    return f"time >= '{START:%Y-%m-%dT%H:%M:%SZ}' AND time < '{end:%Y-%m-%dT%H:%M:%SZ}'"


def statements() -> list[str]:
    """The InfluxQL of the page's InfluxDB 1.x block, for this test's database."""
    block = re.search(r"<!-- influxdb1-retention -->\n```sh\n(.*?)```", PAGE, re.S)
    assert block
    found = []
    for command in block.group(1).strip().splitlines():
        words = shlex.split(command)
        assert words[:3] == ["curl", "-sS", "-XPOST"]
        assert words[3] == "http://127.0.0.1:8086/query"
        found.append(words[words.index("--data-urlencode") + 1].removeprefix("q="))
    return [text.replace('"sunpower"', f'"{DATABASE}"') for text in found]


def frames() -> list[livesim.Frame]:
    return list(livesim.stream(START, DAYS * 86400, battery=True))


def lines_by_minute() -> dict[int, list[dict[str, float]]]:
    """Each minute's lines (by the minute's start, epoch s): every field's value, the last known
    value of each name, as the PVS sends only what changed."""
    known: dict[str, float] = {}
    minutes: dict[int, list[dict[str, float]]] = defaultdict(list)
    for frame in frames():
        known |= frame.params
        values = {f: round(known[name] * scale, 4) for f, (name, scale, _) in FIELDS.items()}
        minutes[frame.time - frame.time % 60].append(values)
    return minutes


@pytest.fixture(scope="module")
def downsampled(influxd: Influxd) -> Influxd:
    influxd.create(DATABASE)
    for text in statements():
        influxd.query(DATABASE, text)
    livesim.write(influxd, DATABASE, livesim.to_lines(frames()), policy="live")
    (stored,) = [
        row
        for s in influxd.query(DATABASE, "SHOW CONTINUOUS QUERIES")
        if s["name"] == DATABASE
        for row in s["values"]
    ]
    select = re.search(r"BEGIN (SELECT .*) END", stored[1])
    assert select, stored
    influxd.query(DATABASE, select.group(1).replace(" GROUP BY ", f" WHERE {span()} GROUP BY ", 1))
    return influxd


def test_the_policy_keeps_the_stream_a_week(downsampled: Influxd) -> None:
    policies = {
        row[0]: row
        for s in downsampled.query(DATABASE, "SHOW RETENTION POLICIES")
        for row in s["values"]
    }
    assert policies["live"][1:3] == ["168h0m0s", "24h0m0s"]  # duration, shard duration
    assert policies["live"][4] is False  # not the default: everything else stays in autogen
    assert policies["autogen"][1] == "0s"  # kept for good


def rows(influxd: Influxd, query: str) -> list[dict[str, Any]]:
    (series,) = influxd.query(DATABASE, query)
    return [dict(zip(series["columns"], row)) for row in series["values"]]


def test_every_minute_is_the_mean_of_its_powers_and_the_last_of_its_counters(
    downsampled: Influxd,
) -> None:
    got = rows(downsampled, 'SELECT * FROM "autogen"."sunpower_live_1m"')
    minutes = lines_by_minute()
    assert [row["time"] for row in got] == [m * 1_000_000_000 for m in sorted(minutes)]
    # A minute wholly inside a steady span has no line, and so no row.
    assert len(minutes) < DAYS * 1440
    for row in got:
        lines = minutes[row["time"] // 1_000_000_000]
        assert row["serial"] == livesim.PVS_SERIAL
        for field, (_, _, keep) in FIELDS.items():
            values = [line[field] for line in lines]
            want = statistics.fmean(values) if keep == "mean" else values[-1]
            assert row[field] == pytest.approx(want, rel=1e-12, abs=1e-12), (row["time"], field)


def test_a_days_energy_is_exact_on_the_minutes(downsampled: Influxd) -> None:
    """The second day's energy by counter: its last value minus the first day's last value, the
    same on the raw stream and its minutes, and what the frames say."""
    known: dict[str, float] = {}
    day_end: list[dict[str, float]] = []
    for frame in frames():
        if frame.time % 86400 == 0 and known:
            day_end.append(dict(known))
        known |= frame.params
    day_end.append(known)
    for field in COUNTERS:
        name = FIELDS[field][0]
        want = day_end[1][name] - day_end[0][name]
        for source in ('"live"."sunpower_live"', '"autogen"."sunpower_live_1m"'):
            query = f'SELECT last("{field}") FROM {source} WHERE {span()} GROUP BY time(1d)'
            first, second = (row["last"] for row in rows(downsampled, query))
            assert second - first == pytest.approx(want, abs=1e-9), (field, source)
    assert day_end[1]["pv_en"] - day_end[0]["pv_en"] > 20  # a sunny day's kWh, not nothing


def test_the_minutes_are_a_sixtieth_of_the_lines(downsampled: Influxd) -> None:
    raw = rows(downsampled, 'SELECT count("production_kw") FROM "live"."sunpower_live"')
    minutes = rows(downsampled, 'SELECT count("production_kw") FROM "autogen"."sunpower_live_1m"')
    assert raw[0]["count"] == len(frames())
    assert minutes[0]["count"] == len(lines_by_minute())
    assert raw[0]["count"] > 50 * minutes[0]["count"]
    assert timedelta(days=DAYS).total_seconds() / 60 >= minutes[0]["count"]
