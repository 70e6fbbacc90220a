"""health.py's rules at their edges, each expected figure written out by hand from the records
given (daylight from 60 W, far below under 50 %, stale after 900 s)."""

from __future__ import annotations

from typing import Any

import pytest

from sunpower_telegraf.health import to_device_health, to_inverter_fields, to_median_kw
from sunpower_telegraf.site import Site
from tests.support.records import inverter

CLOCK = "2025,06,15,12,00,00"


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
    pvs = {"DEVICE_TYPE": "PVS", "SERIAL": "ZT1", "CURTIME": CLOCK, "dl_uptime": "60"}
    got = fields(
        inverter("A", "0.3", DATATIME="2025,06,15,11,50,00"),
        inverter("B", "0.3", DATATIME="2025,06,15,11,55,00", CURTIME="2025,06,15,11,59,00"),
        inverter("C", "0", "error", DATATIME="2025,06,15,11,00,00"),
        pvs=pvs,
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
    pvs = {"DEVICE_TYPE": "PVS", "SERIAL": "ZT1", "CURTIME": CLOCK, "DATATIME": datatime}
    meter = {"DEVICE_TYPE": "Power Meter", "SERIAL": "M1", "DATATIME": datatime}
    health = to_device_health(Site(records=[pvs, meter, "not a record"]))
    assert health == ({} if age is None else {"M1": {"reading_age_s": age}})  # never the PVS


def test_no_reading_age_without_a_working_inverter_reading() -> None:
    """The PVS has a clock, but the only inverter is in error: no reading is stale."""
    pvs = {"DEVICE_TYPE": "PVS", "SERIAL": "ZT1", "CURTIME": CLOCK}
    asleep = inverter("A", None, "error", DATATIME="2025,06,15,03,00,00")
    assert "inverter_reading_age_max_s" not in fields(asleep, pvs=pvs)
    assert "inverter_reading_age_max_s" not in fields(inverter("B", "0.3"), pvs=pvs)
