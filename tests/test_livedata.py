"""`/sys/livedata` in the project's units, each expected value written out by hand from the PVS's
own strings (livedata.py's rules: kW and kWh as given, soc x 100, `time` in ns, `nan` = no
battery)."""

from __future__ import annotations

from typing import Any

import pytest

from sunpower_telegraf.livedata import LiveData, to_live_value, to_livedata

P = "/sys/livedata/"


def test_every_figure_in_its_unit() -> None:
    variables = {
        P + "pv_p": "3.9524",
        P + "pv_en": "6351.2",
        P + "net_p": "-2.6002",
        P + "net_en": "1899.07",
        P + "site_load_p": "1.3522",
        P + "site_load_en": "8037.83",
        P + "ess_p": "-4.962",
        P + "ess_en": "-212.44",
        P + "soc": "0.4512345678",  # 45.12345678 %, rounded to 6 places
        P + "backupTimeRemaining": "613",
        P + "midstate": "2",
        P + "time": "1749996000",
        "/sys/devices/meter/0/p3phsumKw": "1.0",
    }
    assert to_livedata(variables) == LiveData(
        pv_kw=3.9524,
        pv_kwh=6351.2,
        net_kw=-2.6002,
        net_kwh=1899.07,
        load_kw=1.3522,
        load_kwh=8037.83,
        ess_kw=-4.962,
        ess_kwh=-212.44,
        soc_percent=45.123457,
        backup_minutes=613.0,
        time_ns=1_749_996_000_000_000_000,
        no_battery=False,
        mid_state=2.0,
    )


def test_figures_keep_six_decimals() -> None:
    live = to_livedata({P + "pv_p": "0.1234567", P + "soc": "1"})
    assert live is not None
    assert (live.pv_kw, live.soc_percent) == (0.123457, 100.0)


def test_no_livedata_is_none() -> None:
    assert to_livedata({}) is None
    assert to_livedata({"/sys/info/serialnum": "ZT1", "/sys/livedata": "3.0"}) is None


def test_one_name_is_enough_to_be_livedata() -> None:
    assert to_livedata({P + "net_en": "5"}) == LiveData(net_kwh=5.0)


@pytest.mark.parametrize(
    ("seconds", "time_ns"),
    [
        ("0", None),  # the epoch itself is no PVS clock
        ("1", 1_000_000_000),
        ("1749996000.7", 1_749_996_000_000_000_000),  # whole seconds
        ("7258118399", 7_258_118_399_000_000_000),
        ("7258118400", None),  # 2200-01-01: past the bound of the devices' DATATIME
        ("-5", None),
        ("soon", None),
    ],
)
def test_time_within_its_bounds(seconds: str, time_ns: int | None) -> None:
    live = to_livedata({P + "pv_p": "1.0", P + "time": seconds})
    assert live is not None and live.time_ns == time_ns


@pytest.mark.parametrize(
    ("battery", "no_battery", "has_battery"),
    [
        ({"ess_p": "nan", "soc": "nan", "ess_en": "nan"}, True, False),
        ({"ess_p": " NaN ", "soc": "NAN"}, True, False),  # ess_en not given: still none
        ({"ess_p": "nan", "soc": "nan", "ess_en": "-3.5"}, False, True),
        ({"ess_p": "nan", "soc": "0.5"}, False, True),
        ({"ess_p": "-1.0", "soc": "nan"}, False, True),
        ({"ess_en": "12.5"}, False, True),
        ({}, False, False),  # no battery values: says nothing either way
        ({"ess_p": None, "soc": None}, False, False),
    ],
)
def test_nan_battery_values_say_none(
    battery: dict[str, Any], no_battery: bool, has_battery: bool
) -> None:
    live = to_livedata({P + "pv_p": "1.0", **{P + k: v for k, v in battery.items()}})
    assert live is not None
    assert (live.no_battery, live.has_battery) == (no_battery, has_battery)


def test_backup_time_is_kept_beside_an_unknown_state_of_charge() -> None:
    """Whether a backup time means anything is the site's rule 7, not livedata's."""
    without = to_livedata({P + "pv_p": "1.0", P + "soc": "nan", P + "backupTimeRemaining": "0"})
    assert without is not None
    assert (without.soc_percent, without.backup_minutes, without.unknown) == (None, 0.0, ("soc",))
    beside = to_livedata({P + "soc": "0.25", P + "backupTimeRemaining": "0"})
    assert beside is not None and (beside.soc_percent, beside.backup_minutes) == (25.0, 0.0)


def test_default_livedata_says_nothing_of_a_battery() -> None:
    assert (LiveData().no_battery, LiveData().has_battery) == (False, False)


# -- livedata's bounds at their edges (livedata.BOUNDS), by hand -----------------------------------


@pytest.mark.parametrize(
    ("name", "value", "kept", "warning"),
    [
        ("pv_en", 1e10, 1e10, None),  # the largest lifetime taken: 10^10 kWh
        ("pv_en", 1e10 + 0.5, None, "/sys/livedata/pv_en: 1e+10 is not an energy in kWh; left out"),
        ("ess_en", -1e10, -1e10, None),
        ("pv_p", 1e5, 1e5, None),  # 100 MW
        ("pv_p", 100000.5, None, "/sys/livedata/pv_p: 100000 is not a power in kW; left out"),
        ("soc", 1, 1.0, None),
        (
            "soc",
            -0.001,
            None,
            "/sys/livedata/soc: -0.001 is not a state of charge from 0 to 1; left out",
        ),
        ("backupTimeRemaining", 1e7, 1e7, None),  # 19 years
        (
            "backupTimeRemaining",
            1e7 + 0.5,
            None,
            "/sys/livedata/backupTimeRemaining: 1e+07 is not a backup time in minutes; left out",
        ),
        ("midstate", 1e6, 1e6, None),
        ("midstate", 1e6 + 0.5, None, "/sys/livedata/midstate: 1e+06 is not a MID state; left out"),
        (
            "midstate",
            -1e6 - 0.5,
            None,
            "/sys/livedata/midstate: -1e+06 is not a MID state; left out",
        ),
        (
            "soc",
            5000,
            None,
            "/sys/livedata/soc: 5000 is not a state of charge from 0 to 1; left out",
        ),
        (  # an integer too long for a float's %g: not written out
            "soc",
            10**300,
            None,
            "/sys/livedata/soc: an integer of hundreds of digits is not a state of charge from 0 "
            "to 1; left out",
        ),
        (
            "soc",
            10**299,
            None,
            "/sys/livedata/soc: 1e+299 is not a state of charge from 0 to 1; left out",
        ),
        ("soc", "nan", None, None),  # the PVS says it does not know: no warning
        (  # text is quoted to its first 40 characters
            "soc",
            "0.5" + "x" * 47,
            None,
            "/sys/livedata/soc: '0.5" + "x" * 37 + "' is not a number; left out",
        ),
    ],
)
def test_livedata_bounds_at_their_edges(
    name: str, value: Any, kept: float | None, warning: str | None
) -> None:
    assert to_live_value(name, value) == (kept, warning)
