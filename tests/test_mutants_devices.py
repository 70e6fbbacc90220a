"""The device mapping (devices.py): the rules that mutants showed no test pinned.

The calendar of `DATATIME` (month ends, 29 February, century years, the first valid year), the
bounds on keys and warnings, and which key fills a field when two share a name. Times are written
out by hand (2024-01-01 is 1704067200 s; a day is 86400 s).
"""

from __future__ import annotations

from typing import Any

import pytest

from sunpower_telegraf.devices import MAX_KEYS, parse_datatime, to_point, to_points

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


INVERTER = {"DEVICE_TYPE": "Inverter", "SERIAL": "E1", "p_3phsum_kw": "0.25"}


def test_device_time_is_read_unless_told_not_to() -> None:
    record = {**INVERTER, "DATATIME": "2024,02,29,00,00,00"}
    assert to_points([record]).points[0].time_ns == 1709164800 * S
    assert to_points([record], device_time=False).points[0].time_ns is None


def test_two_keys_for_one_field_the_first_wins() -> None:
    point = to_point({**INVERTER, "Freq_Hz": "60.0", "freq_hz": "59.9", "FREQ_hz": "61"})
    assert not isinstance(point, str)
    assert point.fields == {"p_3phsum_kw": 0.25, "freq_hz": 60.0}


def _keys(count: int) -> dict[str, Any]:
    """A device record with exactly `count` keys."""
    return {**INVERTER, **{f"x{i}": "1" for i in range(count - len(INVERTER))}}


def test_a_device_may_have_up_to_max_keys() -> None:
    assert MAX_KEYS == 1000
    assert len(to_point(_keys(1000)).fields) == 998  # type: ignore[union-attr]
    assert to_point(_keys(1001)) == "Inverter E1 has 1001 keys; a PVS device has under 100"


def test_at_most_three_untimed_warnings() -> None:
    records = [{**INVERTER, "SERIAL": f"E{i}", "DATATIME": "2024,13,01,00,00,00"} for i in range(5)]
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
    mapped = to_points([{"SERIAL": f"S{i}"} for i in range(skipped)] + [INVERTER])
    assert len(mapped.points) == 1
    assert (
        mapped.warnings
        == [f"skipped device #{i + 1}: a device S{i} has no DEVICE_TYPE" for i in range(10)] + more
    )
