from __future__ import annotations

import math

import line_protocol_parser
import pytest

from sunpower_telegraf.lineproto import (
    Point,
    clean_text,
    format_point,
    format_points,
    to_key,
    to_snake,
)


@pytest.mark.parametrize(
    ("device_type", "snake"),
    [
        ("Power Meter", "power_meter"),
        ("HUB+", "hub"),
        ("ESS BMS", "ess_bms"),
        ("PVS", "pvs"),
        ("Energy Storage System", "energy_storage_system"),
        ("  MET  Station ", "met_station"),  # runs and ends trimmed
        ("Ground-Current/Monitor", "ground_current_monitor"),
        ("+++", ""),  # nothing to name it by: the mapper skips such a device
    ],
)
def test_to_snake(device_type: str, snake: str) -> None:
    assert to_snake(device_type) == snake


@pytest.mark.parametrize(
    ("key", "field"),
    [
        ("p_3phsum_kw", "p_3phsum_kw"),
        ("operational_ac_kW", "operational_ac_kw"),  # storage keys are mixed case
        ("odd key=1,x", "odd_key_1_x"),  # nothing in a field key ever needs escaping
        ("back\\slash", "back_slash"),
    ],
)
def test_to_key(key: str, field: str) -> None:
    assert to_key(key) == field


@pytest.mark.parametrize(
    ("text", "clean"),
    [
        ("PV Supervisor PVS6", "PV Supervisor PVS6"),
        ("a\nb\r\nc", "a b c"),  # newlines cannot be escaped in a tag
        ("ends in \\", "ends in"),  # a trailing backslash would eat the separator
        ("  tab\tand  spaces ", "tab and spaces"),
        ("\x00\x1f\x7f", ""),
        ("PV  Supervisor PVS6", "PV Supervisor PVS6"),  # a double space alone is collapsed
        (" PVS6 ", "PVS6"),  # as are spaces at the ends alone: a changed tag is a new series
    ],
)
def test_clean_text(text: str, clean: str) -> None:
    assert clean_text(text) == clean


@pytest.mark.parametrize(
    ("point", "line"),
    [
        (
            Point("m", {"serial": "S1", "model": "A B"}, {"x": 1.0, "a": 2.5}, 10),
            r"m,model=A\ B,serial=S1 a=2.5,x=1.0 10",
        ),
        # an empty tag value is left out, not written as `model=`
        (Point("m", {"serial": "S1", "model": " "}, {"x": 60}), "m,serial=S1 x=60.0"),
        # commas and equals signs in a tag value are escaped
        (Point("m", {"serial": "a,b=c"}, {"x": 0.1}), r"m,serial=a\,b\=c x=0.1"),
        # each alone too: a bare comma, a bare equals sign, a bare space
        (Point("m", {"serial": "a,b"}, {"x": 0.1}), r"m,serial=a\,b x=0.1"),
        (Point("m", {"serial": "a=b"}, {"x": 0.1}), r"m,serial=a\=b x=0.1"),
        (Point("m", {"model": "a b"}, {"x": 0.1}), r"m,model=a\ b x=0.1"),
        # a string field is cut to 4096 characters
        (Point("m", {}, {"state": "y" * 5000}), 'm state="' + "y" * 4096 + '"'),
        # quotes and backslashes in a string field value
        (Point("m", {}, {"state": 'say "hi" \\ now'}), r'm state="say \"hi\" now"'),
        # a space or comma in the measurement is escaped
        (Point("my m,x", {}, {"x": -0.0}), r"my\ m\,x x=-0.0"),
        # large and small floats stay floats, never `i`
        (Point("m", {}, {"big": 1e16, "small": 1.5e-7}), "m big=1e+16,small=1.5e-07"),
        # a subnormal float is refused by parsers as out of range: it is written as zero
        (
            Point(
                "m",
                {},
                {
                    "tiny": 1.1e-308,
                    "least": 2.2250738585072014e-308,
                    "least_below": -2.2250738585072014e-308,
                    "tiny_below": -1.1e-308,
                    "zero_below": -0.0,
                },
            ),
            "m least=2.2250738585072014e-308,least_below=-2.2250738585072014e-308,tiny=0.0,"
            "tiny_below=0.0,zero_below=-0.0",
        ),
    ],
)
def test_format_point(point: Point, line: str) -> None:
    assert format_point(point) == line
    line_protocol_parser.parse_line(line)


def test_format_point_parses_back() -> None:
    line = format_point(
        Point(
            "sunpower_inverter",
            {"serial": "E001", "model": "AC Module"},
            {"p": 0.3, "state": "ok"},
            5,
        )
    )
    assert line_protocol_parser.parse_line(line) == {
        "measurement": "sunpower_inverter",
        "tags": {"serial": "E001", "model": "AC Module"},
        "fields": {"p": 0.3, "state": "ok"},
        "time": 5,
    }


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_format_point_refuses_non_finite(value: float) -> None:
    with pytest.raises(ValueError, match="not finite"):
        format_point(Point("m", {}, {"x": value}))


def test_format_point_refuses_no_fields() -> None:
    with pytest.raises(ValueError, match="no fields"):
        format_point(Point("m", {"serial": "S"}, {}))


def test_names_and_tags_are_cut() -> None:
    assert to_key("k" * 200) == "k" * 128
    assert to_snake("Power Meter " * 20) == ("power_meter_" * 11)[:128]
    assert (
        format_point(Point("m", {"model": "M" * 300}, {"x": 1.0})) == f"m,model={'M' * 256} x=1.0"
    )


def test_format_points_ends_every_line() -> None:
    points = [Point("a", {}, {"x": 1.0}), Point("b", {}, {"y": 2.0}, 3)]
    assert format_points(points) == "a x=1.0\nb y=2.0 3\n"
    assert format_points([]) == ""
