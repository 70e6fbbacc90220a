from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sunpower_telegraf.devices import (
    MAX_KEYS,
    parse_datatime,
    to_fields,
    to_number,
    to_point,
    to_points,
)
from sunpower_telegraf.lineproto import Point

INVERTER = {
    "SERIAL": "E00122334455667",
    "MODEL": "AC_Module_Type_H",
    "DEVICE_TYPE": "Inverter",
    "STATE": "working",
    "DATATIME": "2024,03,11,23,18,42",
    "p_3phsum_kw": "0.0301",
}


@pytest.mark.parametrize(
    ("value", "number"),
    [
        ("0.6804", 0.6804),
        ("60", 60.0),
        (" -2.5 ", -2.5),
        ("1e3", 1000.0),
        (".5", 0.5),
        (42, 42.0),
        (6.8, 6.8),
        (True, None),  # ISDETAIL: a bool is not a number
        ("", None),
        ("nan", None),
        ("inf", None),
        ("1_000", None),  # Python's float() takes this; no PVS means it
        ("0x10", None),
        ("4.40.1", None),  # a version, not a number
        (10**400, None),  # too large for a float
        ("1e400", None),
        (None, None),
        ([1], None),
        ({"value": 1}, None),
    ],
)
def test_to_number(value: Any, number: float | None) -> None:
    assert to_number(value) == number


@pytest.mark.parametrize(
    ("value", "nanoseconds"),
    [
        ("2024,03,11,23,19,00", 1710199140_000_000_000),
        ("2024,3,1,0,0,0", 1709251200_000_000_000),  # unpadded parts
        ("2024,02,30,00,00,00", None),  # no such day
        ("2024,13,01,00,00,00", None),
        ("2024,03,11,24,00,00", None),
        ("2024-03-11T23:19:00Z", None),  # not the DATATIME form
        ("", None),
        (None, None),
        (20240311, None),
    ],
)
def test_parse_datatime(value: Any, nanoseconds: int | None) -> None:
    assert parse_datatime(value) == nanoseconds


def test_to_fields_keeps_measurements_only() -> None:
    record = {
        "SERIAL": "S",
        "SWVER": "3000",  # ALL-CAPS: identity, even when numeric
        "CAL0": "50",
        "hw_version": "4407",  # lower-case identifiers
        "slave": 0,
        "parent": 1,
        "panid": 1280133860,
        "interface": "mime",  # text
        "ISDETAIL": True,
        "module_serial": "",
        "operational_ac_kW": 6.8,  # mixed case: a field, lower-cased
        "p_3phsum_kw": "0.6804",
        "time": "12",  # InfluxDB refuses a field named time
        "state": "3",  # `state` is STATE's string field, always
        "STATE": "Working",
        "extra": {"value": 1},
        "list": [1, 2],
        "nothing": None,
        "gone": "nan",
    }
    assert to_fields(record) == {
        "operational_ac_kw": 6.8,
        "p_3phsum_kw": 0.6804,
        "state": "working",
        "state_code": 0.0,
    }


def test_to_point_inverter() -> None:
    assert to_point(INVERTER) == Point(
        measurement="sunpower_inverter",
        tags={"serial": "E00122334455667", "model": "AC_Module_Type_H"},
        fields={"p_3phsum_kw": 0.0301, "state": "working", "state_code": 0.0},
        time_ns=1710199122_000_000_000,
    )


def test_to_point_options() -> None:
    point = to_point(INVERTER, prefix="pv_", device_time=False)
    assert isinstance(point, Point)
    assert (point.measurement, point.time_ns) == ("pv_inverter", None)


def test_to_point_error_state_takes_collection_time() -> None:
    # A sleeping inverter keeps its last DATATIME beside idle zeros.
    point = to_point({**INVERTER, "STATE": "error", "p_3phsum_kw": "0"})
    assert isinstance(point, Point)
    assert point.time_ns is None
    assert point.fields == {"p_3phsum_kw": 0.0, "state": "error", "state_code": 1.0}


def test_to_point_subtype_tag_and_unknown_type() -> None:
    point = to_point(
        {"SERIAL": "X1", "DEVICE_TYPE": "Weather Thing 2", "subtype": "ROOF", "t_degc": "21"}
    )
    assert point == Point(
        "sunpower_weather_thing_2", {"serial": "X1", "subtype": "ROOF"}, {"t_degc": 21.0}, None
    )


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        ({"SERIAL": "S1", "p_kw": "1"}, "a device S1 has no DEVICE_TYPE"),
        ({"DEVICE_TYPE": "Inverter", "p_kw": "1"}, "a device of type Inverter has no SERIAL"),
        (
            {"DEVICE_TYPE": "Inverter", "SERIAL": " \n", "p_kw": "1"},
            "a device of type Inverter has no SERIAL",
        ),
        (
            {"DEVICE_TYPE": "+", "SERIAL": "S1", "p_kw": "1"},
            "+ S1: DEVICE_TYPE has no letters or digits to name it by",
        ),
        (
            {"DEVICE_TYPE": "Inverter", "SERIAL": "S1", "MODEL": "M"},
            "Inverter S1 has no numeric values or state",
        ),
        ({"DEVICE_TYPE": 5, "SERIAL": "S1", "p_kw": "1"}, "a device S1 has no DEVICE_TYPE"),
    ],
)
def test_to_point_reasons(record: dict[str, Any], reason: str) -> None:
    assert to_point(record) == reason


def test_to_points_skips_with_warnings_and_keeps_order() -> None:
    mapped = to_points([INVERTER, "junk", {"SERIAL": "S2"}, {**INVERTER, "SERIAL": "B"}])
    assert [point.tags["serial"] for point in mapped.points] == ["E00122334455667", "B"]
    assert mapped.warnings == [
        "skipped device #2: not a JSON object",
        "skipped device #3: a device S2 has no DEVICE_TYPE",
    ]


@settings(max_examples=2000, deadline=None)
@given(
    st.integers(1960, 2210),
    st.integers(0, 13),
    st.integers(0, 32),
    st.integers(0, 25),
    st.integers(0, 61),
    st.integers(0, 61),
)
def test_datatime_is_what_calendar_timegm_says(
    year: int, month: int, day: int, hour: int, minute: int, second: int
) -> None:
    """The reading's time is worked out without importing calendar (and locale): the same."""
    import calendar

    text = f"{year},{month:02d},{day:02d},{hour:02d},{minute:02d},{second:02d}"
    valid = (
        1970 <= year <= 2200
        and 1 <= month <= 12
        and 1 <= day <= calendar.monthrange(year, month)[1]
        and hour < 24
        and minute < 60
        and second < 60
    )
    expected = calendar.timegm((year, month, day, hour, minute, second)) * 10**9 if valid else None
    assert parse_datatime(text) == expected


@pytest.mark.parametrize(
    ("state", "fields"),
    [
        ("working", {"state": "working", "state_code": 0.0}),
        ("Working", {"state": "working", "state_code": 0.0}),
        ("error", {"state": "error", "state_code": 1.0}),
        ("offline", {"state": "offline", "state_code": 2.0}),  # any other state
        ("", {}),  # no state, no code
    ],
)
def test_state_code_beside_state(state: str, fields: dict[str, Any]) -> None:
    record = {"SERIAL": "S", "STATE": state, "state_code": "7"}  # only STATE makes the code
    assert to_fields(record) == fields


def test_storage_states_on_a_record_are_strings() -> None:
    record = {
        "operational_mode": "SELF_CONSUMPTION",
        "mid_state": 2,  # a number where a state is named: its text
        "permission_to_operate": True,
        "pvd1_state": "nan",  # the varserver's no value
        "storage_alarm_names": "X",  # the summary's own: never from a device
        "production_source": "meter",
    }
    assert to_fields(record) == {
        "operational_mode": "SELF_CONSUMPTION",
        "mid_state": "2",
        "permission_to_operate": "true",
    }


# -- the device mapping's rules at their edges, found unpinned by mutation ---------------------
# The device mapping (devices.py): the rules that mutants showed no test pinned.
#
# The calendar of `DATATIME` (month ends, 29 February, century years, the first valid year), the
# bounds on keys and warnings, and which key fills a field when two share a name. Times are written
# out by hand (2024-01-01 is 1704067200 s; a day is 86400 s).


S = 1_000_000_000  # nanoseconds in a second


@pytest.mark.parametrize(
    ("month", "last"),
    [(1, 31), (2, 28), (3, 31), (4, 30), (5, 31), (6, 30)]
    + [(7, 31), (8, 31), (9, 30), (10, 31), (11, 30), (12, 31)],
)
def test_every_month_ends_on_its_last_day(month: int, last: int) -> None:
    assert parse_datatime(f"2023,{month:02d},{last:02d},12,00,00") is not None
    assert parse_datatime(f"2023,{month:02d},{last + 1:02d},12,00,00") is None


@pytest.mark.parametrize(
    ("datatime", "seconds"),
    [
        ("2024,02,29,00,00,00", 1709164800),  # a leap year: 2024-01-01 + 59 days
        ("2096,02,29,00,00,00", 3981312000),  # 46021 days to 2096 (126 years, 31 leap) + 59
        ("2000,02,29,12,00,00", 951825600),  # a century divisible by 400 is a leap year
        ("2023,02,29,00,00,00", None),  # not divisible by 4
        ("2100,02,29,00,00,00", None),  # a century not divisible by 400 is not
        ("2200,02,29,00,00,00", None),
        ("2024,04,31,00,00,00", None),  # a leap year lengthens February only
        ("2024,03,32,00,00,00", None),
        ("2023,12,31,23,59,59", 1704067199),  # the last second before 2024
        ("1970,01,01,00,00,00", 0),  # the first valid time
        ("1969,12,31,23,59,59", None),
        ("2200,12,31,23,59,59", 7289654399),  # the last valid time
        ("2201,01,01,00,00,00", None),
    ],
)
def test_datatime_calendar(datatime: str, seconds: int | None) -> None:
    assert parse_datatime(datatime) == (None if seconds is None else seconds * S)


BARE_INVERTER = {  # the fewest keys that make a point
    "DEVICE_TYPE": "Inverter",
    "SERIAL": "E1",
    "p_3phsum_kw": "0.25",
}


def test_device_time_is_read_unless_told_not_to() -> None:
    record = {**BARE_INVERTER, "DATATIME": "2024,02,29,00,00,00"}
    assert to_points([record]).points[0].time_ns == 1709164800 * S
    assert to_points([record], device_time=False).points[0].time_ns is None


def test_two_keys_for_one_field_the_first_wins() -> None:
    point = to_point({**BARE_INVERTER, "Freq_Hz": "60.0", "freq_hz": "59.9", "FREQ_hz": "61"})
    assert not isinstance(point, str)
    assert point.fields == {"p_3phsum_kw": 0.25, "freq_hz": 60.0}


def _keys(count: int) -> dict[str, Any]:
    """A device record with exactly `count` keys."""
    return {**BARE_INVERTER, **{f"x{i}": "1" for i in range(count - len(BARE_INVERTER))}}


def test_a_device_may_have_up_to_max_keys() -> None:
    assert MAX_KEYS == 1000
    assert len(to_point(_keys(1000)).fields) == 998  # type: ignore[union-attr]
    assert to_point(_keys(1001)) == "Inverter E1 has 1001 keys; a PVS device has under 100"


def test_at_most_three_untimed_warnings() -> None:
    records = [
        {**BARE_INVERTER, "SERIAL": f"E{i}", "DATATIME": "2024,13,01,00,00,00"} for i in range(5)
    ]
    mapped = to_points(records)
    assert len(mapped.points) == 5
    assert mapped.warnings == [
        f"E{i}: DATATIME is not a time; written at collection time" for i in range(3)
    ]


@pytest.mark.parametrize(
    ("skipped", "more"),
    [
        (10, []),  # ten warnings say it all
        (11, ["skipped 1 more devices that could not be mapped"]),
        (13, ["skipped 3 more devices that could not be mapped"]),
    ],
)
def test_skipped_devices_are_counted_past_ten(skipped: int, more: list[str]) -> None:
    mapped = to_points([{"SERIAL": f"S{i}"} for i in range(skipped)] + [BARE_INVERTER])
    assert len(mapped.points) == 1
    assert (
        mapped.warnings
        == [f"skipped device #{i + 1}: a device S{i} has no DEVICE_TYPE" for i in range(10)] + more
    )


def test_an_all_caps_key_never_makes_a_state_field() -> None:
    """ALL-CAPS keys are identity and bookkeeping, states too: only the lower-case key is one."""
    record = {
        "DEVICE_TYPE": "Energy Storage System",
        "SERIAL": "E1",
        "OPERATIONAL_MODE": "SELF_CONSUMPTION",
        "MID_STATE": "CLOSED",
    }
    assert to_fields(record) == {}
    assert to_fields({**record, "operational_mode": "BACKUP"}) == {"operational_mode": "BACKUP"}
