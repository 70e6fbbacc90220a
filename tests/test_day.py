"""Simulated days, with the glitches, failures and upgrades real PVS units show, through the
command into a real influxd.

Over a day of polls every lifetime counter the tool prints only stays or grows (net counters move
no faster than the service can carry), each day's `spread()` is the true energy of the polls it
covers, every power printed is the site's true power, and a value that cannot be known in a poll
is left out with a warning, never printed wrong. A firmware upgrade splits no series.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import pytest

from tests.support.daysim import (
    ESS,
    GLITCH_POLLS,
    HUB,
    INVERTERS,
    PVS_SERIAL,
    RESERVE,
    STEP,
    UPGRADE_POLL,
    Poll,
    Truth,
    simulate,
)
from tests.support.influx import Influxd
from tests.support.polls import load
from tests.support.standin import StandIn

SERVICE_KW = 48.0  # a 200 A, 240 V service: the most a net counter can move in an hour
STEP_HOURS = 5 / 60
POWER_KW = 0.05  # how far a printed power may be from the site's true power (rounding, timing)


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


def counters_hold(influxd: Influxd, database: str) -> int:
    """Every lifetime counter only grows, and a net counter moves no faster than the service
    can carry; how many growing counters there were."""
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
    return counted


def site_values(influxd: Influxd, database: str) -> dict[str, dict[int, float]]:
    """The site line's numbers: field -> {time (ns): value}."""
    (series,) = influxd.query(database, 'SELECT * FROM "sunpower_site"')
    found: dict[str, dict[int, float]] = defaultdict(dict)
    for row in series["values"]:
        for name, value in zip(series["columns"][1:], row[1:]):
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                found[name][row[0]] = float(value)  # JSON writes a whole float as an integer
    return found


def at(poll: Poll) -> int:
    return int(poll.time.timestamp()) * 10**9


def covered(
    influxd: Influxd,
    database: str,
    field: str,
    measurement: str,
    polls: list[Poll],
    energy: Callable[[Truth], float],
) -> dict[str, tuple[float, float]]:
    """By serial: the day's spread() of a counter, and the true energy from the first to the
    last poll of the day that printed it."""
    index = {at(poll): poll for poll in polls}
    found = {}
    for serial, value in spread(influxd, database, field, measurement, polls[0]).items():
        rows = influxd.query(
            database,
            f'SELECT "{field}" FROM "{measurement}" WHERE "serial" = \'{serial}\' '
            f"AND time >= {at(polls[0])} AND time <= {at(polls[-1])}",
        )[0]["values"]
        times = [row[0] for row in rows if row[1] is not None]
        first, last = index[min(times)], index[max(times)]
        found[serial] = (value, energy(last.total) - energy(first.total))
    return found


def series_by_serial(influxd: Influxd, database: str) -> dict[str, set[str]]:
    """Every device's series keys (measurement and tags), by serial; the site line aside."""
    found: dict[str, set[str]] = defaultdict(set)
    for series in influxd.query(database, "SHOW SERIES"):
        for (key,) in series["values"]:
            measurement, *tags = re.split(r"(?<!\\),", key)
            serial = dict(tag.split("=", 1) for tag in tags)["serial"]
            if measurement != "sunpower_site":
                found[serial].add(key)
    return found


def fields_by_half(
    influxd: Influxd, database: str, measurement: str, serial: str, noon: Poll
) -> tuple[set[str], set[str]]:
    """The fields a device's series printed before the upgrade, and from it on."""
    halves = []
    for when in (f"time < {at(noon)}", f"time >= {at(noon)}"):
        query = f'SELECT * FROM "{measurement}" WHERE "serial" = \'{serial}\' AND {when}'
        halves.append(
            {
                name
                for series in influxd.query(database, query)
                for column, name in enumerate(series["columns"])
                if name not in ("time", "serial", "model", "subtype")
                and any(row[column] is not None for row in series["values"])
            }
        )
    return halves[0], halves[1]


@pytest.mark.parametrize(
    ("form", "battery"),
    [("legacy", False), ("current", True), ("varserver", True), ("varserver", False)],
    ids=["legacy", "current-battery", "varserver-battery", "varserver"],
)
def test_a_glitchy_day_adds_up(influxd: Influxd, tmp_path: Path, form: str, battery: bool) -> None:
    polls, (truth,) = simulate(days=1, battery=battery, glitches=True)
    database = f"day_{form}_{battery}".lower()
    warnings = load(influxd, database, polls, form, tmp_path)

    assert counters_hold(influxd, database) >= 3 + INVERTERS  # the site's and every inverter's
    site_spread = {
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
        assert site_spread[field] == pytest.approx(energy, rel=0.01), field
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


UPGRADE_DAYS = {  # how the afternoon is read, and whether troubled polls ask the stand-in PVS
    "devicelist": ("current", False),
    "devicelist-standin": ("current", True),
    "varserver": ("varserver", False),
}


class Day(NamedTuple):
    influxd: Influxd
    database: str
    polls: list[Poll]
    truth: Truth
    warnings: list[list[str]]
    asked: dict[int, list[str]]  # poll -> the paths it asked of the stand-in PVS

    def poll(self, time: int) -> Poll:
        """The poll a line's time belongs to (the site line's time is its poll's)."""
        index, off_grid = divmod(time - at(self.polls[0]), STEP * 10**9)
        assert off_grid == 0, time
        return self.polls[index]


@pytest.fixture(scope="module", params=list(UPGRADE_DAYS))
def upgrade_day(
    request: pytest.FixtureRequest, influxd: Influxd, tmp_path_factory: pytest.TempPathFactory
) -> Day:
    """A SunVault site on legacy firmware until noon (DeviceList and storage status), on current
    firmware after it (devices/list or the varserver's devices, livedata, ESS, transfer switch),
    with glitches, failed secondary requests and odd battery values, loaded into influxd. Read
    from saved documents, or with the polls whose requests go wrong asking the loopback stand-in
    PVS, where they fail for real."""
    form, asking = UPGRADE_DAYS[request.param]
    polls, (truth,) = simulate(battery=True, glitches=True, upgrade=True, failures=True)
    database = "upgrade_" + request.param.replace("-", "_")
    folder = tmp_path_factory.mktemp(database)
    asked: dict[int, list[str]] = {}
    server = StandIn() if asking else None
    try:
        warnings = load(influxd, database, polls, form, folder, standin=server, asked=asked)
    finally:
        if server is not None:
            server.close()
    return Day(influxd, database, polls, truth, warnings, asked)


def test_an_upgrade_day_only_grows_its_counters(upgrade_day: Day) -> None:
    assert counters_hold(upgrade_day.influxd, upgrade_day.database) >= 3 + INVERTERS


def test_an_upgrade_day_prints_true_powers_or_says_why_not(upgrade_day: Day) -> None:
    """Every power printed is the site's true power of that poll; consumption is printed
    wherever the poll's answers are all there, and said whenever it is left out."""
    printed = site_values(upgrade_day.influxd, upgrade_day.database)
    wrong = []
    for field in ("production_kw", "consumption_kw", "grid_kw", "battery_kw"):
        for time, value in printed[field].items():
            poll = upgrade_day.poll(time)
            if abs(value - poll.site[field]) > POWER_KW:
                wrong.append((field, str(poll.time), poll.trouble, value, poll.site[field]))
    for time, value in printed["battery_soc_percent"].items():
        poll = upgrade_day.poll(time)
        if abs(value - poll.site["battery_soc_percent"]) > 0.5:
            wrong.append(("battery_soc_percent", str(poll.time), poll.trouble, value))
    assert wrong == []
    for poll, said in zip(upgrade_day.polls, upgrade_day.warnings):
        if at(poll) not in printed["consumption_kw"]:
            assert poll.trouble, (poll.time, said)
            assert any("consumption" in line for line in said), (poll.time, poll.trouble, said)


def test_an_upgrade_day_spread_is_the_true_energy(upgrade_day: Day) -> None:
    """All day for the meters and the inverters, whatever the firmware."""
    influxd, database, polls, truth = (
        upgrade_day.influxd,
        upgrade_day.database,
        upgrade_day.polls,
        upgrade_day.truth,
    )
    day = {
        "production_lifetime_kwh": truth.production,
        "grid_import_lifetime_kwh": truth.imported,
        "grid_export_lifetime_kwh": truth.exported,
    }
    for field, energy in day.items():
        (value,) = spread(influxd, database, field, "sunpower_site", polls[0]).values()
        assert value == pytest.approx(energy, rel=0.01), field
    per_inverter = spread(influxd, database, "ltea_3phsum_kwh", "sunpower_inverter", polls[0])
    assert per_inverter == {
        f"E0012214231{i:04d}": pytest.approx(truth.inverters[i], rel=0.01) for i in range(INVERTERS)
    }


def test_an_upgrade_day_counts_consumption_and_battery_from_the_upgrade_on(
    upgrade_day: Day,
) -> None:
    """The legacy storage status has no energy counter, so consumption's lifetime (which needs
    the battery's) starts with the varserver: on every afternoon poll whose answers are whole,
    and its spread() is the true energy of the polls it covers, as are the battery's counters."""
    influxd, database, polls = upgrade_day.influxd, upgrade_day.database, upgrade_day.polls
    printed = site_values(influxd, database)
    whole = [at(poll) for poll in polls[UPGRADE_POLL:] if not poll.trouble and not poll.glitch]
    assert sorted(set(whole) - set(printed["consumption_lifetime_kwh"])) == []
    for measurement, field, energy in [
        ("sunpower_site", "consumption_lifetime_kwh", lambda t: t.consumption),
        ("sunpower_energy_storage_system", "pos_ltea_3phsum_kwh", lambda t: t.discharged),
        ("sunpower_energy_storage_system", "neg_ltea_3phsum_kwh", lambda t: t.charged),
    ]:
        ((value, expected),) = covered(
            influxd, database, field, measurement, polls, energy
        ).values()
        assert expected > 1 and value == pytest.approx(expected, rel=0.01), field
    (first, a), *_, (last, b) = sorted(printed["battery_net_lifetime_kwh"].items())
    net = [
        t.discharged - t.charged
        for t in (upgrade_day.poll(first).total, upgrade_day.poll(last).total)
    ]
    assert b - a == pytest.approx(net[1] - net[0], rel=0.01)


def test_an_upgrade_splits_no_series(upgrade_day: Day) -> None:
    """One measurement and tag set per device, the PVS's model the same from every source; the
    battery's power and the MID's state keep one name, and the power is the battery's."""
    influxd, database, polls = upgrade_day.influxd, upgrade_day.database, upgrade_day.polls
    keys = series_by_serial(influxd, database)
    assert {serial: found for serial, found in keys.items() if len(found) > 1} == {}
    assert keys[PVS_SERIAL] == {f"sunpower_pvs,model=PVS6,serial={PVS_SERIAL}"}
    noon = polls[UPGRADE_POLL]
    before, after = fields_by_half(influxd, database, "sunpower_energy_storage_system", ESS, noon)
    assert "p_3phsum_kw" in before & after
    assert not {"ess_meter_agg_power_kw", "ac_power_kw"} & (before | after)
    (ess,) = influxd.query(
        database,
        f'SELECT "p_3phsum_kw" FROM "sunpower_energy_storage_system" WHERE "serial" = \'{ESS}\'',
    )
    for time, value in ess["values"]:
        assert value == pytest.approx(upgrade_day.poll(time).site["battery_kw"], abs=POWER_KW)
    before, after = fields_by_half(influxd, database, "sunpower_hub", HUB, noon)
    assert {"contactor_position", "mid_state"} & before & after


SAID = {  # a failed request -> what a warning about it names
    "storage status": "storage status",
    "livedata": "/sys/livedata",
    "ess": "/sys/devices/ess",
    "transfer switch": "transfer switch",
}


@pytest.mark.parametrize("upgrade_day", ["devicelist-standin"], indirect=True)
def test_a_failed_request_keeps_the_request_cap_and_is_said(upgrade_day: Day) -> None:
    polls = upgrade_day.polls
    assert sorted(upgrade_day.asked) == [n for n, poll in enumerate(polls) if poll.trouble]
    assert {n: paths for n, paths in upgrade_day.asked.items() if len(paths) > 8} == {}
    unsaid = {
        poll.trouble: said
        for poll, said in zip(polls, upgrade_day.warnings)
        for request in poll.failed
        if not any(SAID[request] in line for line in said)
    }
    assert unsaid == {}


def test_a_sunny_day_without_glitches_is_exact(influxd: Influxd, tmp_path: Path) -> None:
    """Without glitches nothing is left out: spread() is the true energy to the rounding of
    the PVS's four decimals."""
    polls, (truth,) = simulate(days=1)
    warnings = load(influxd, "clean_day", polls, "legacy", tmp_path)
    assert [w for said in warnings for w in said] == []
    site = spread(influxd, "clean_day", "production_lifetime_kwh", "sunpower_site", polls[0])
    assert list(site.values()) == [pytest.approx(truth.production, abs=0.001)]


STATELESS_GLITCHES = {  # what one run can tell: an inverter missing from the list cannot be told
    "production meter power reads 0",  # from a smaller site, so its share of a sum is just gone
    "inverter lifetime reads 0",
    "consumption meter lifetime reads 0",
}


def test_a_pvs5_day_without_a_production_ct_adds_up(influxd: Influxd, tmp_path: Path) -> None:
    """An old PVS5 whose production meter has no CT (0 for everything, lifetime included), read
    with --production-source inverters: the day's production and consumption are the truth."""
    polls, (truth,) = simulate(pvs5=True, glitches=STATELESS_GLITCHES)
    args = ["--production-source", "inverters"]
    warnings = load(influxd, "pvs5_day", polls, "legacy", tmp_path, args)

    assert counters_hold(influxd, "pvs5_day") >= 2 + INVERTERS
    printed = site_values(influxd, "pvs5_day")
    for n, poll in enumerate(polls):
        for field in ("production_kw", "consumption_kw", "grid_kw"):
            assert printed[field].get(at(poll)) == pytest.approx(poll.site[field], abs=POWER_KW), (
                field,
                poll.time,
                warnings[n],
            )
    for field, energy in [
        ("production_lifetime_kwh", truth.production),
        ("consumption_lifetime_kwh", truth.consumption),
    ]:
        (value,) = spread(influxd, "pvs5_day", field, "sunpower_site", polls[0]).values()
        assert truth.production > 20 and value == pytest.approx(energy, rel=0.01), field
    for field in ("production_lifetime_kwh", "consumption_lifetime_kwh"):
        missing = [p.time for p in polls if not p.glitch and at(p) not in printed[field]]
        assert missing == [], field


def test_the_simulation_is_physical() -> None:
    """The generator keeps the PVS's own identities: home = production + grid + battery, in
    livedata too, and the battery's power and counters agree in every document that gives them."""
    polls, truths = simulate(days=2, battery=True, upgrade=True)
    assert [poll.firmware for poll in polls].count("legacy") == UPGRADE_POLL
    for poll in polls:
        true = poll.site
        assert true["consumption_kw"] == pytest.approx(
            true["production_kw"] + true["grid_kw"] + true["battery_kw"], abs=1e-9
        )
        assert RESERVE * 100 - 1e-9 <= true["battery_soc_percent"] <= 100
        if poll.firmware == "legacy":
            assert poll.ess_status is not None and poll.vars == {}
            (ess,) = poll.ess_status["ess_report"]["ess_status"]
            power = ess["ess_meter_reading"]["agg_power"]
            assert power == {"unit": "kW", "value": pytest.approx(true["battery_kw"], abs=1e-3)}
            continue
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
        ess = {
            k.rsplit("/", 1)[1]: float(v)
            for k, v in poll.vars.items()
            if k.startswith("/sys/devices/ess/0/") and k.endswith(("Kw", "Kwh"))
        }
        assert ess["posLtea3phsumKwh"] - ess["negLtea3phsumKwh"] == pytest.approx(
            live["ess_en"], abs=1e-5
        )
        assert ess["p3phsumKw"] == live["ess_p"] == pytest.approx(true["battery_kw"], abs=1e-5)
    for poll in polls:
        total = poll.total
        stored = total.charged - total.discharged
        assert total.consumption == pytest.approx(
            total.production + total.imported - total.exported - stored, abs=1e-6
        )
    assert sum(t.consumption for t in truths) < polls[-1].total.consumption  # midnight's share
    assert truths[0].charged > 10 and truths[0].discharged > 5  # charged by day, used by night
