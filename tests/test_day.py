"""A simulated day, with the glitches real PVS units show, through the command into a real influxd.

Over a day of polls every lifetime counter the tool prints only stays or grows (net counters move
no faster than the service can carry), and each day's `spread()` is the day's true energy.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.daysim import GLITCH_POLLS, INVERTERS, Poll, simulate
from tests.influx import Influxd
from tests.polls import load

SERVICE_KW = 48.0  # a 200 A, 240 V service: the most a net counter can move in an hour
STEP_HOURS = 5 / 60


def values(influxd: Influxd, database: str, field: str, measurement: str) -> dict[str, list[float]]:
    """Each series' values of a field in time order, by serial."""
    series = influxd.query(database, f'SELECT "{field}" FROM "{measurement}" GROUP BY "serial"')
    return {
        s["tags"]["serial"]: [row[1] for row in s["values"] if row[1] is not None] for s in series
    }


def spread(
    influxd: Influxd, database: str, field: str, measurement: str, day: Poll
) -> dict[str, float]:
    start = int(day.time.timestamp()) * 10**9
    query = (
        f'SELECT spread("{field}") FROM "{measurement}" WHERE time >= {start} AND '
        f'time < {start + 86400 * 10**9} GROUP BY "serial"'
    )
    return {s["tags"]["serial"]: s["values"][0][1] for s in influxd.query(database, query)}


GROWING = [  # (measurement, field): lifetime counters that may only stay or grow
    ("sunpower_site", "production_lifetime_kwh"),
    ("sunpower_site", "consumption_lifetime_kwh"),
    ("sunpower_site", "grid_import_lifetime_kwh"),
    ("sunpower_site", "grid_export_lifetime_kwh"),
    ("sunpower_inverter", "ltea_3phsum_kwh"),
    ("sunpower_power_meter", "pos_ltea_3phsum_kwh"),
    ("sunpower_power_meter", "neg_ltea_3phsum_kwh"),
    ("sunpower_energy_storage_system", "pos_ltea_3phsum_kwh"),
    ("sunpower_energy_storage_system", "neg_ltea_3phsum_kwh"),
]
NET = [("sunpower_site", "grid_net_lifetime_kwh"), ("sunpower_site", "battery_net_lifetime_kwh")]


@pytest.mark.parametrize(
    ("form", "battery"),
    [("legacy", False), ("current", True), ("varserver", True), ("varserver", False)],
    ids=["legacy", "current-battery", "varserver-battery", "varserver"],
)
def test_a_glitchy_day_adds_up(influxd: Influxd, tmp_path: Path, form: str, battery: bool) -> None:
    polls, (truth,) = simulate(days=1, battery=battery, glitches=True)
    database = f"day_{form}_{battery}".lower()
    warnings = load(influxd, database, polls, form, tmp_path)

    counted = 0
    for measurement, field in GROWING:
        for serial, series in values(influxd, database, field, measurement).items():
            steps = [b - a for a, b in zip(series, series[1:])]
            assert min(steps, default=0) >= 0, (measurement, field, serial)
            counted += 1
    for measurement, field in NET:
        for serial, series in values(influxd, database, field, measurement).items():
            steps = [abs(b - a) for a, b in zip(series, series[1:])]
            assert max(steps, default=0) <= SERVICE_KW * STEP_HOURS, (field, serial)
    assert counted >= 3 + INVERTERS  # the site's counters and every inverter's were there

    site = {
        field: value
        for field in [
            "production_lifetime_kwh",
            "consumption_lifetime_kwh",
            "grid_import_lifetime_kwh",
            "grid_export_lifetime_kwh",
        ]
        for value in spread(influxd, database, field, "sunpower_site", polls[0]).values()
    }
    expect = {
        "production_lifetime_kwh": truth.production,
        "consumption_lifetime_kwh": truth.consumption,
        "grid_import_lifetime_kwh": truth.imported,
        "grid_export_lifetime_kwh": truth.exported,
    }
    assert truth.production > 20 and truth.consumption > 10  # a sunny day and a lived-in house
    for field, energy in expect.items():
        assert site[field] == pytest.approx(energy, rel=0.01), field
    per_inverter = spread(influxd, database, "ltea_3phsum_kwh", "sunpower_inverter", polls[0])
    assert sorted(per_inverter) == [f"E0012214231{i:04d}" for i in range(INVERTERS)]
    for i in range(INVERTERS):
        assert per_inverter[f"E0012214231{i:04d}"] == pytest.approx(truth.inverters[i], rel=0.01)
    if battery:
        ess = spread(
            influxd, database, "pos_ltea_3phsum_kwh", "sunpower_energy_storage_system", polls[0]
        )
        assert list(ess.values()) == [pytest.approx(truth.discharged, rel=0.01)]
        assert truth.charged > 5

    # Every value left out was said on stderr, in the poll where it happened.
    said = {n: " ".join(warnings[n]) for n in GLITCH_POLLS}
    assert "E00122142310003: lifetime ltea_3phsum_kwh read 0, left out (a PVS glitch)" in said[150]
    assert "PVS6M22031749c: lifetime net_ltea_3phsum_kwh read 0" in said[170]


def test_a_sunny_day_without_glitches_is_exact(influxd: Influxd, tmp_path: Path) -> None:
    """Without glitches nothing is left out: spread() is the true energy to the rounding of
    the PVS's four decimals."""
    polls, (truth,) = simulate(days=1)
    warnings = load(influxd, "clean_day", polls, "legacy", tmp_path)
    assert [w for said in warnings for w in said] == []
    site = spread(influxd, "clean_day", "production_lifetime_kwh", "sunpower_site", polls[0])
    assert list(site.values()) == [pytest.approx(truth.production, abs=0.001)]


def test_the_simulation_is_physical() -> None:
    """The generator keeps the PVS's own identity, home = production + grid + battery."""
    polls, truths = simulate(days=2, battery=True)
    for poll in polls:
        live = {
            k.rsplit("/", 1)[1]: float(v)
            for k, v in poll.vars.items()
            if k.startswith("/sys/livedata/")
        }
        assert live["site_load_p"] == pytest.approx(
            live["pv_p"] + live["net_p"] + live["ess_p"], abs=1e-5
        )
        assert live["site_load_en"] == pytest.approx(
            live["pv_en"] + live["net_en"] + live["ess_en"], abs=1e-5
        )
        assert 0 <= live["soc"] <= 1
    for truth in truths:
        stored = truth.charged - truth.discharged
        assert truth.consumption == pytest.approx(
            truth.production + truth.imported - truth.exported - stored, abs=1e-6
        )
