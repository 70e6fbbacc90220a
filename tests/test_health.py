"""Health figures of one poll (sunpower_telegraf/health.py), with answers worked out by hand.

Twelve panels in the middle of a sunny day produce 0.30 to 0.34 kW each; the median of an even
count is the mean of the two middle ones.
"""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

from sunpower_telegraf.answer import Answer
from sunpower_telegraf.health import to_device_health, to_inverter_fields, to_median_kw
from sunpower_telegraf.lineproto import Point
from sunpower_telegraf.report import to_report
from sunpower_telegraf.site import Site, to_site
from tests.support.records import inverter, pvs

CLOCK = "2025,06,15,12,02,30"
PVS = pvs(CURTIME=CLOCK, dl_uptime="86400")
READ_AT = "2025,06,15,12,00,00"  # each inverter's DATATIME unless a test gives its own


def panels(*powers: str | None, state: str | None = "working") -> list[dict]:
    return [inverter(f"I{n:02d}", kw, state, DATATIME=READ_AT) for n, kw in enumerate(powers)]


SUNNY = ["0.30", "0.31", "0.32", "0.33", "0.34", "0.30", "0.31", "0.32", "0.33", "0.34", "0.32"]


def site_fields(records: list[dict]) -> dict[str, float | None]:
    inverters = [r for r in records if r.get("DEVICE_TYPE") == "Inverter"]
    return {k: v for k, v in to_inverter_fields(records, inverters).items() if v is not None}


def device_fields(records: list[dict]) -> dict[str, dict[str, Any]]:
    return to_device_health(to_site(Answer(devices={"devices": records})))


@pytest.mark.parametrize(
    ("records", "fields"),
    [
        (  # noon, one panel dead: 12 listed; sorted 0, 0.30, 0.30, 0.31, 0.31, [0.32, 0.32], ...
            [PVS, *panels(*SUNNY), inverter("I11", "0", "error", DATATIME=READ_AT)],
            {
                "inverters_total": 12.0,
                "inverters_producing": 11.0,
                "inverters_working": 11.0,
                "inverters_error": 1.0,
                "inverters_error_daylight": 1.0,
                "inverters_underperforming": 0.0,
                "inverter_median_kw": 0.32,
                "inverter_reading_age_max_s": 150.0,
                "pvs_uptime_s": 86400.0,
            },
        ),
        (  # sunrise: four panels awake at 0.05 kW, eight asleep (error): median 0, no daylight
            [PVS, *panels("0.05", "0.05", "0.05", "0.05"), *panels(*["0"] * 8, state="error")],
            {
                "inverters_total": 12.0,
                "inverters_producing": 4.0,
                "inverters_working": 4.0,
                "inverters_error": 8.0,
                "inverters_error_daylight": 0.0,
                "inverter_median_kw": 0.0,
                "inverter_reading_age_max_s": 150.0,
                "pvs_uptime_s": 86400.0,
            },
        ),
        (  # every panel awake at dawn, 0.05 kW each: still not daylight, nothing compared
            [PVS, *panels(*["0.05"] * 11), inverter("I11", "0", "error", DATATIME=READ_AT)],
            {
                "inverters_total": 12.0,
                "inverters_producing": 11.0,
                "inverters_working": 11.0,
                "inverters_error": 1.0,
                "inverters_error_daylight": 0.0,
                "inverter_median_kw": 0.05,
                "inverter_reading_age_max_s": 150.0,
                "pvs_uptime_s": 86400.0,
            },
        ),
        (  # the median exactly at 60 W is daylight; 0.02 kW is a third of it: far below
            [PVS, *panels("0.06", "0.06", "0.02")],
            {
                "inverters_total": 3.0,
                "inverters_producing": 3.0,
                "inverters_working": 3.0,
                "inverters_error": 0.0,
                "inverters_error_daylight": 0.0,
                "inverters_underperforming": 1.0,
                "inverter_median_kw": 0.06,
                "inverter_reading_age_max_s": 150.0,
                "pvs_uptime_s": 86400.0,
            },
        ),
        (  # 2019 firmware: an inverter in error keeps only its identity keys, and counts as 0 W
            [
                PVS,
                *panels("0.3", "0.3"),
                {"DEVICE_TYPE": "Inverter", "SERIAL": "E", "STATE": "error"},
            ],
            {
                "inverters_total": 3.0,
                "inverters_producing": 2.0,
                "inverters_working": 2.0,
                "inverters_error": 1.0,
                "inverters_error_daylight": 1.0,
                "inverters_underperforming": 0.0,
                "inverter_median_kw": 0.3,
                "inverter_reading_age_max_s": 150.0,
                "pvs_uptime_s": 86400.0,
            },
        ),
        (  # 2019 firmware at sunrise: eight asleep with no power at all still count, as 0 W
            [
                PVS,
                *panels("0.1", "0.1", "0.1", "0.1"),
                *[
                    {"DEVICE_TYPE": "Inverter", "SERIAL": f"E{n}", "STATE": "error"}
                    for n in range(8)
                ],
            ],
            {
                "inverters_total": 12.0,
                "inverters_producing": 4.0,
                "inverters_working": 4.0,
                "inverters_error": 8.0,
                "inverters_error_daylight": 0.0,
                "inverter_median_kw": 0.0,
                "inverter_reading_age_max_s": 150.0,
                "pvs_uptime_s": 86400.0,
            },
        ),
        (  # the varserver: no states, no CURTIME (the newest reading is the clock)
            [
                {"DEVICE_TYPE": "PVS", "SERIAL": "ZT1", "dl_uptime": "95"},
                *panels("0.3", "0.1", state=None),
            ],
            {
                "inverters_total": 2.0,
                "inverters_producing": 2.0,
                "inverters_underperforming": 0.0,  # 0.1 of a median of 0.2: 50 % is not below
                "inverter_median_kw": 0.2,
                "inverter_reading_age_max_s": 0.0,
                "pvs_uptime_s": 95.0,
            },
        ),
        (  # no inverter at all (the varserver at night): the count alone
            [PVS],
            {"inverters_total": 0.0, "inverters_producing": 0.0, "pvs_uptime_s": 86400.0},
        ),
    ],
    ids=[
        "dead-panel",
        "sunrise",
        "dawn",
        "threshold",
        "2019-error",
        "2019-sunrise",
        "varserver",
        "none",
    ],
)
def test_site_health(records: list[dict], fields: dict[str, float]) -> None:
    assert site_fields(records) == fields


def test_relative_power_against_the_median_panel() -> None:
    # Median of 0.30, 0.31, 0.32 (shaded to 0.128: 40 %), 0.33, 0.34, 0 (dead) = (0.30 + 0.31) / 2.
    records = [
        PVS,
        *panels("0.30", "0.31", "0.128", "0.33", "0.34"),
        inverter("I05", "0", "error", DATATIME=READ_AT),
    ]
    assert device_fields(records) == {
        "I00": {"relative_power_percent": 98.4},  # 0.30 / 0.305
        "I01": {"relative_power_percent": 101.6},
        "I02": {"relative_power_percent": 42.0},
        "I03": {"relative_power_percent": 108.2},
        "I04": {"relative_power_percent": 111.5},
    }  # the dead one is in error, not compared
    assert site_fields(records)["inverters_underperforming"] == 1.0


def test_a_working_panel_at_0_w_in_daylight_is_not_producing() -> None:
    records = [PVS, *panels("0.3", "0.3", "0")]
    assert device_fields(records) == {
        "I00": {"relative_power_percent": 100.0},
        "I01": {"relative_power_percent": 100.0},
    }
    assert site_fields(records)["inverters_producing"] == 2.0


def test_nothing_is_compared_outside_daylight() -> None:
    assert device_fields([PVS, *panels("0.05", "0.04", "0.06")]) == {}


@pytest.mark.parametrize(
    ("record", "age"),
    [
        (inverter("I1", "0.01", DATATIME="2025,06,15,11,47,29"), 901.0),  # 15 min 1 s: stale
        (inverter("I1", "0.01", DATATIME="2025,06,15,11,47,30"), None),  # 15 min: not yet
        (inverter("I1", "0", "error", DATATIME="2025,06,15,03,00,00"), None),  # asleep
        (  # a meter that stopped
            {"DEVICE_TYPE": "Power Meter", "SERIAL": "M1p", "DATATIME": "2025,06,15,10,02,30"},
            7200.0,
        ),
    ],
    ids=["stale", "fresh", "in-error", "meter"],
)
def test_stale_readings(record: dict, age: float | None) -> None:
    pvs = {**PVS, "DATATIME": "2025,06,15,09,00,00"}  # the PVS's own time lags: never stale
    health = device_fields([pvs, record])
    expected = {record["SERIAL"]: {"reading_age_s": age}} if age is not None else {}
    assert health == expected


def test_a_stalled_inverter_is_the_oldest_working_reading() -> None:
    records = [PVS, *panels("0.3", "0.3"), inverter("I9", "0.3", DATATIME="2025,06,15,11,00,00")]
    assert site_fields(records)["inverter_reading_age_max_s"] == 3750.0


def test_device_lines_carry_the_figures() -> None:
    """Through the whole report: the figures join the inverter's own line, and the site's."""
    records = [PVS, *panels("0.2", "0.4"), inverter("I9", "0", "error", DATATIME=READ_AT)]
    points = to_report(Answer(devices={"devices": records})).points
    by_serial = {p.tags.get("serial"): p for p in points if p.measurement == "sunpower_inverter"}
    assert by_serial["I00"].fields == {
        "p_3phsum_kw": 0.2,
        "state": "working",
        "state_code": 0.0,
        "relative_power_percent": 100.0,  # the median of 0.2, 0.4 and 0 (in error) is 0.2
    }
    assert "relative_power_percent" not in by_serial["I9"].fields
    site = points[-1]
    assert isinstance(site, Point) and site.measurement == "sunpower_site"
    assert site.fields["pvs_uptime_s"] == 86400.0


def test_the_varserver_uptime_reaches_the_site() -> None:
    variables = {
        "/sys/info/serialnum": "ZT1",
        "/sys/info/model": "PVS6",
        "/sys/info/uptime": "420",
        "/sys/devices/inverter/0/sn": "I0",
        "/sys/devices/inverter/0/p3phsumKw": "0.25",
        "/sys/devices/inverter/0/msmtEps": "2025-06-15T12:00:00Z",
    }
    site = to_report(Answer(vars=variables)).points[-1]
    health = {k: v for k, v in site.fields.items() if k.startswith(("inverter", "pvs_"))}
    assert health == {
        "inverters_total": 1.0,
        "inverters_producing": 1.0,
        "inverters_underperforming": 0.0,
        "inverter_median_kw": 0.25,
        "inverter_reading_age_max_s": 0.0,  # the clock is the newest reading: its own
        "pvs_uptime_s": 420.0,
    }


@pytest.mark.parametrize(
    ("powers", "median"),
    [
        (["0.3"], 0.3),
        (["0.1", "0.5", "0.2"], 0.2),  # odd: the middle one
        (["0.4", "0.1", "0.2", "0.3"], 0.25),  # even: the mean of the middle two
        (["0.2", "0.2", "0.6", "0.6"], 0.4),
    ],
)
def test_the_median_inverter(powers: list[str], median: float) -> None:
    assert to_median_kw(panels(*powers)) == pytest.approx(median, abs=1e-12)


def test_no_inverter_has_no_median() -> None:
    assert to_median_kw([]) is None
    assert to_median_kw(panels(None)) is None


def test_an_exec_run_loads_no_statistics_module() -> None:
    """`statistics` imports `random`, `fractions` and `decimal`: a few ms of every exec run."""
    code = (
        "import sys, sunpower_telegraf.cli, sunpower_telegraf.report; "
        "print(sorted(m for m in ('statistics', 'random', 'fractions', 'decimal') "
        "if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stderr, done.stdout) == (0, "", "[]\n")


# -- health.py's rules at their edges, found unpinned by mutation ------------------------------
# health.py's rules at their edges, each expected figure written out by hand from the records given
# (daylight from 60 W, far below under 50 %, stale after 900 s).


NOON = "2025,06,15,12,00,00"  # the PVS clock of the edge tests


def fields(*inverters: dict[str, Any], pvs: dict[str, Any] | None = None) -> dict[str, Any]:
    records = [pvs, *inverters] if pvs else list(inverters)
    return to_inverter_fields(records, list(inverters))


def test_daylight_starts_at_60_w_and_far_below_at_50_percent() -> None:
    """Median of 0.03, 0.06, 0.12 is 0.06 kW: daylight. 0.03 / 0.06 = 50 %: not far below;
    0.12 / 0.06 = 200 %."""
    got = fields(inverter("A", "0.03"), inverter("B", "0.06"), inverter("C", "0.12"))
    assert got == {
        "inverters_total": 3.0,
        "inverters_producing": 3.0,
        "inverter_median_kw": 0.06,
        "inverters_working": 3.0,
        "inverters_error": 0.0,
        "inverters_error_daylight": 0.0,
        "inverters_underperforming": 0.0,
    }
    below = fields(inverter("A", "0.0299"), inverter("B", "0.06"), inverter("C", "0.12"))
    assert below["inverters_underperforming"] == 1.0  # 49.8 %


def test_night_counts_no_error_in_daylight() -> None:
    """0 (in error, whatever it reports), 0.059, 0.06: the median is 0.059 kW, just under 60 W,
    so the inverter in error is no daylight failure."""
    got = fields(inverter("A", "0.059"), inverter("B", "0.06"), inverter("C", "0.5", "error"))
    assert got == {
        "inverters_total": 3.0,
        "inverters_producing": 2.0,
        "inverter_median_kw": 0.059,
        "inverters_working": 2.0,
        "inverters_error": 1.0,
        "inverters_error_daylight": 0.0,
    }


def test_producing_needs_a_power_above_0() -> None:
    got = fields(inverter("A", "0"), inverter("B", None), inverter("C", "-0.001"))
    assert (got["inverters_producing"], got["inverter_median_kw"]) == (0.0, 0.0)


def test_median_keeps_six_decimals() -> None:
    assert to_median_kw([inverter("A", "0.12345678")]) == 0.12345678
    assert fields(inverter("A", "0.12345678"))["inverter_median_kw"] == 0.123457


def test_reading_age_is_the_oldest_working_inverter_against_the_newest_clock() -> None:
    supervisor = pvs(CURTIME=NOON, dl_uptime="60")
    got = fields(
        inverter("A", "0.3", DATATIME="2025,06,15,11,50,00"),
        inverter("B", "0.3", DATATIME="2025,06,15,11,55,00", CURTIME="2025,06,15,11,59,00"),
        inverter("C", "0", "error", DATATIME="2025,06,15,11,00,00"),
        pvs=supervisor,
    )
    assert got["inverter_reading_age_max_s"] == 600.0  # 12:00 - 11:50
    assert got["pvs_uptime_s"] == 60.0
    # no CURTIME: the newest reading is the clock
    got = fields(
        inverter("A", "0.3", DATATIME="2025,06,15,11,50,00"),
        inverter("B", "0.3", DATATIME="2025,06,15,11,55,30"),
    )
    assert got["inverter_reading_age_max_s"] == 330.0
    assert "pvs_uptime_s" not in got


@pytest.mark.parametrize(
    ("datatime", "age"),
    [
        ("2025,06,15,11,45,00", None),  # 900 s: three refreshes, not yet stale
        ("2025,06,15,11,44,59", 901.0),
        ("2025,06,15,10,00,00", 7200.0),
    ],
)
def test_stale_after_900_s(datatime: str, age: float | None) -> None:
    supervisor = pvs(CURTIME=NOON, DATATIME=datatime)
    meter = {"DEVICE_TYPE": "Power Meter", "SERIAL": "M1", "DATATIME": datatime}
    health = to_device_health(Site(records=[supervisor, meter, "not a record"]))
    assert health == ({} if age is None else {"M1": {"reading_age_s": age}})  # never the PVS


def test_no_reading_age_without_a_working_inverter_reading() -> None:
    """The PVS has a clock, but the only inverter is in error: no reading is stale."""
    supervisor = pvs(CURTIME=NOON)
    asleep = inverter("A", None, "error", DATATIME="2025,06,15,03,00,00")
    assert "inverter_reading_age_max_s" not in fields(asleep, pvs=supervisor)
    assert "inverter_reading_age_max_s" not in fields(inverter("B", "0.3"), pvs=supervisor)
