"""The websocket's frames as `sunpower_live` lines (`telemetry.LiveStream`), pure: every frame,
however odd, gives a line that parses or none, and the site line's meaning rules hold on it."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import line_protocol_parser
import pytest

from sunpower_telegraf.lineproto import Point, format_points
from sunpower_telegraf.site import ABSENT, PRESENT, UNKNOWN
from sunpower_telegraf.telemetry import LiveStream, NotAFrame, parse_frame, to_time_ns
from tests.support.cases import FIXTURES

SERIAL = "ZT221285000549W2071"  # the PVS of fixtures/current-storage
VARS = json.loads((FIXTURES / "current-storage" / "vars.json").read_text())
NOW = 1_751_083_263.0  # the host's clock in these tests (2025-06-28)
L = "/sys/livedata/"


def frame(**params: Any) -> str:
    return json.dumps({"notification": "power", "params": params})


def stream(seed: dict[str, Any] | None = None, **kwargs: Any) -> LiveStream:
    live = LiveStream(SERIAL, "sunpower_", clock=lambda: NOW, **kwargs)
    live.seed(seed)
    return live


# -- frames ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "params"),
    [
        ('{"notification": "power", "params": {"pv_p": "1.5"}}', {"pv_p": "1.5"}),
        (b'{"notification": "power", "params": {}}', {}),
        ('{"notification": "status", "params": {"x": 1}}', None),  # another notification
        ('{"params": {"pv_p": 1}}', None),  # no notification at all
    ],
)
def test_parse_frame(message: str | bytes, params: dict[str, Any] | None) -> None:
    assert parse_frame(message) == params


@pytest.mark.parametrize(
    ("message", "why"),
    [
        ("{not json", "a websocket message that is not JSON (9 bytes)"),
        ("[1, 2]", "a websocket message that is JSON but not an object"),
        (
            '{"notification": "power", "params": [1]}',
            "a power notification without a params object",
        ),
        ('{"notification": "power"}', "a power notification without a params object"),
        ("[" * 100_000 + "]" * 100_000, "a websocket message that is not JSON (200000 bytes)"),
    ],
)
def test_parse_frame_refuses(message: str, why: str) -> None:
    with pytest.raises(NotAFrame) as refused:
        parse_frame(message)
    assert str(refused.value) == why


# -- time -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "time_ns"),
    [
        (1751083263, 1751083263_000_000_000),
        ("1751083263", 1751083263_000_000_000),
        (1751083263.25, 1751083263_250_000_000),
        (1751083263123, 1751083263_123_000_000),  # milliseconds, as some firmware may send
        ("1751083263123", 1751083263_123_000_000),
        (1420070400, 1420070400_000_000_000),  # 2015-01-01: the earliest
        (1420070399, None),  # 2014: a PVS6 clock that is not set
        (3600, None),  # a PVS whose clock restarted at the epoch
        (NOW + 86400, int(NOW + 86400) * 10**9),  # a day ahead of the host: still believed
        (NOW + 86401, None),
        (32503680000, None),  # the year 3000
        (99999999999, None),  # seconds in the year 5138
        (99999999999999, None),  # milliseconds, just as far
        (0, None),
        (-5, None),
        ("nan", None),
        ("", None),
        (None, None),
        (True, None),
        ([1751083263], None),
        (1e30, None),
        (1e308, None),
        (10**400, None),
    ],
)
def test_to_time_ns(value: Any, time_ns: int | None) -> None:
    assert to_time_ns(value, NOW) == time_ns


def test_an_implausible_time_gives_a_line_without_one_and_a_warning() -> None:
    live = stream().message(frame(time=3600, pv_p=1.5))
    assert live is not None
    assert live.point == Point("sunpower_live", {"serial": SERIAL}, {"production_kw": 1.5}, None)
    assert live.warnings == [
        "a power frame's time (3600) is not plausible (before 2015, or more than a day ahead of "
        "this host's clock): its line goes without one"
    ]


def test_without_device_time_no_line_has_one_and_no_warning_says_so() -> None:
    live = stream(device_time=False).message(frame(time=3600, pv_p=1.5))
    assert live is not None and live.point is not None
    assert (live.point.time_ns, live.warnings) == (None, [])


# -- values ---------------------------------------------------------------------------------------


def test_a_frame_keeps_what_it_leaves_out_and_drops_what_it_says_is_unknown() -> None:
    live = stream({L + "pv_p": "5.884100", L + "ess_p": "-4.962000"})
    assert live.values == {"pv_p": 5.8841, "ess_p": -4.962}
    live.message(frame(pv_p=6, time=1751083263, midstate="2", other="1"))
    assert live.values == {"pv_p": 6.0, "ess_p": -4.962}
    for unknown in ("nan", "", None, "NaN", "inf", True, [1], 1e308):
        live.message(frame(ess_p=-1.0))
        live.message(frame(ess_p=unknown))
        assert live.values == {"pv_p": 6.0}, unknown
    live.seed({})  # a seed replaces everything: nothing known
    assert live.values == {}


def test_a_failed_seed_leaves_every_value_unknown_until_a_frame_carries_it() -> None:
    live = stream({L + "pv_p": "5.884100"})
    live.seed(None)
    assert live.values == {}
    got = live.message(frame(time=1751083263, net_p=-0.5))
    assert got is not None
    assert got.point == Point(
        "sunpower_live", {"serial": SERIAL}, {"grid_kw": -0.5}, 1751083263 * 10**9
    )


@pytest.mark.parametrize(
    ("params", "battery", "fields"),
    [
        # No battery (rule 6 absent): the PVS says 0 minutes of backup, which is no measurement.
        (
            {"pv_p": 1.5, "net_p": -0.5, "site_load_p": 1.0, "backupTimeRemaining": 0},
            ABSENT,
            {"production_kw": 1.5, "grid_kw": -0.5, "consumption_kw": 1.0},
        ),
        # The same where the poll could not tell: a backup time is a measurement until shown not.
        (
            {"pv_p": 1.5, "backupTimeRemaining": 0},
            UNKNOWN,
            {"production_kw": 1.5, "battery_backup_time_min": 0.0},
        ),
        (
            {"soc": 0.5, "backupTimeRemaining": 30},
            PRESENT,
            {"battery_soc_percent": 50.0, "battery_backup_time_min": 30.0},
        ),
        # A soc unknown in one frame is not an absent battery: the backup time stays.
        (
            {"soc": "nan", "backupTimeRemaining": 30},
            PRESENT,
            {"battery_backup_time_min": 30.0},
        ),
        (
            {"ess_en": -212.440002, "pv_en": 6351.200195},
            PRESENT,
            {"battery_net_lifetime_kwh": -212.440002, "production_lifetime_kwh": 6351.200195},
        ),
        ({"pv_p": 1.23456789}, UNKNOWN, {"production_kw": 1.234568}),  # the PVS's six decimals
        ({"soc": 1}, PRESENT, {"battery_soc_percent": 100.0}),
        ({"soc": 0}, PRESENT, {"battery_soc_percent": 0.0}),
    ],
)
def test_the_line_of_a_frame(
    params: dict[str, Any], battery: str, fields: dict[str, float]
) -> None:
    live = stream().message(frame(time=1751083263, **params), battery)
    assert live is not None
    assert live.point == Point("sunpower_live", {"serial": SERIAL}, fields, 1751083263 * 10**9)


def test_a_soc_unknown_on_a_battery_site_is_named() -> None:
    live = stream({L + "soc": "0.5", L + "backupTimeRemaining": "30"}).message(
        frame(time=1751083263, soc="nan"), PRESENT
    )
    assert live is not None and live.point is not None
    assert live.point.fields == {"battery_backup_time_min": 30.0}
    assert live.warnings == [
        "battery_soc_percent left out: the PVS does not know /sys/livedata/soc now (nan)"
    ]


def test_a_lifetime_of_0_is_never_printed_and_is_named() -> None:
    """Site rule 3 on the live line: the 0 is left out with the site line's warning, and the
    counter's earlier value is not printed in its place."""
    live = stream({L + "pv_en": "6351.200195", L + "pv_p": "5.884100"})
    got = live.message(frame(time=1751083263, pv_en=0))
    assert got is not None and got.point is not None
    assert got.point.fields == {"production_kw": 5.8841}
    assert got.warnings == ["/sys/livedata/pv_en: lifetime read 0, left out (a PVS glitch)"]
    later = live.message(frame(time=1751083264, pv_p="5.9"))
    assert later is not None and later.point is not None
    assert later.point.fields == {"production_kw": 5.9}  # still not known
    assert later.warnings == []
    for name in ("net_en", "site_load_en", "ess_en"):
        zero = stream().message(frame(time=1751083263, pv_p=1, **{name: "0.000000"}))
        assert zero is not None and zero.point is not None
        assert zero.point.fields == {"production_kw": 1.0}, name


def test_no_line_without_a_known_value() -> None:
    assert stream().line() is None
    assert stream().line(battery=ABSENT) is None
    only_backup = stream().message(frame(time=1751083263, backupTimeRemaining=10), ABSENT)
    assert only_backup is not None and only_backup.point is None


HOSTILE = [
    1e308,
    -1e308,
    1.7976931348623157e308,
    5e-324,
    -0.0,
    10**30,
    -(10**30),
    10**4000,
    None,
    True,
    False,
    "",
    "nan",
    "inf",
    "-Infinity",
    "1e308",
    "0x10",
    "١٢",  # Arabic-Indic digits
    "1_000",
    " 2.5 ",
    "a" * 10_000,
    [],
    [1, 2],
    [[[[[1]]]]],
    {},
    {"value": 1},
    {"a": {"b": {"c": [1, {"d": None}]}}},
]
NAMES = [
    "pv_p",
    "pv_en",
    "net_p",
    "net_en",
    "site_load_p",
    "site_load_en",
    "ess_p",
    "ess_en",
    "soc",
    "backupTimeRemaining",
    "midstate",
    "time",
]


@pytest.mark.parametrize("battery", [PRESENT, ABSENT, UNKNOWN])
def test_no_value_of_any_json_type_breaks_a_line(battery: str) -> None:
    """Every name given every odd value, alone and all at once, seeded and in a frame: a line
    that parses, with only finite numbers, or none; never an exception."""
    for value in HOSTILE:
        live = stream({L + name: value for name in NAMES})
        for params in [{name: value} for name in NAMES] + [dict.fromkeys(NAMES, value)]:
            got = live.message(frame(**params), battery)
            assert got is not None
            if got.point is not None:
                for field_value in got.point.fields.values():
                    assert isinstance(field_value, float) and math.isfinite(field_value)
                text = format_points([got.point])
                parsed = line_protocol_parser.parse_line(text)
                assert parsed["measurement"] == "sunpower_live"
                assert parsed["time"] is None or parsed["time"] >= 1420070400 * 10**9


def test_a_value_out_of_its_bounds_is_left_out_with_a_warning() -> None:
    """soc 1e308 would be inf as a percentage; a power of 1e308 kW is no reading."""
    live = stream({L + "pv_p": "5.884100", L + "soc": "0.5"})
    got = live.message(frame(time=1751083263, soc=1e308, net_p=-1e308, pv_en="abc"), PRESENT)
    assert got is not None and got.point is not None
    assert got.point.fields == {"production_kw": 5.8841}
    assert got.warnings == [
        "/sys/livedata/pv_en: 'abc' is not a number; left out",
        "/sys/livedata/net_p: -1e+308 is not a power in kW; left out",
        "/sys/livedata/soc: 1e+308 is not a state of charge from 0 to 1; left out",
    ]
    nested = live.message(frame(pv_p=[[1]], ess_p={"a": 1}, net_en=10**400, soc=True), PRESENT)
    assert nested is not None
    assert nested.warnings == [
        "/sys/livedata/pv_p: a list is not a number; left out",
        "/sys/livedata/net_en: an integer of hundreds of digits is not a number; left out",
        "/sys/livedata/ess_p: an object is not a number; left out",
        "/sys/livedata/soc: true is not a number; left out",
        "a power frame without a time: its line goes without one",
    ]


def test_the_documented_example_is_a_seed_and_a_frame() -> None:
    text = (Path(__file__).resolve().parent.parent / "docs" / "follow.md").read_text()
    example = text.split("Example (a battery site, charging):\n\n```text\n")[1].split("```")[0]
    live = stream(VARS)
    got = live.message(frame(time="1749996690"), PRESENT)
    assert got is not None and got.point is not None and got.warnings == []
    assert format_points([got.point]) == example
