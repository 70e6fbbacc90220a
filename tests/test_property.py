"""Whatever a device record holds, every line printed is one that line protocol parsers accept."""

from __future__ import annotations

import line_protocol_parser
from hypothesis import given, settings
from hypothesis import strategies as st

from sunpower_telegraf.devices import to_points
from sunpower_telegraf.lineproto import format_point

KEYS = st.one_of(
    st.sampled_from(
        ["SERIAL", "MODEL", "DEVICE_TYPE", "STATE", "DATATIME", "subtype", "time", "state"]
    ),
    st.text(max_size=12),
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(),
    st.from_regex(r"-?\d{1,6}(\.\d{1,4})?", fullmatch=True),
    st.sampled_from(["2024,03,11,23,19,00", "nan", "inf", "", "\\", "a\nb", 'q"uote', "x\\"]),
)
JSON = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)
DEVICE = st.dictionaries(KEYS, JSON, max_size=12).map(
    lambda record: {"DEVICE_TYPE": "Inverter", "SERIAL": "S", **record}
)


@settings(max_examples=400, deadline=None)
@given(st.lists(DEVICE, max_size=4))
def test_every_line_parses(devices: list[dict]) -> None:
    mapped = to_points(devices)
    assert len(mapped.points) + len(mapped.warnings) == len(devices)
    for point in mapped.points:
        line = format_point(point)
        assert "\n" not in line and "\r" not in line
        parsed = line_protocol_parser.parse_line(line)
        assert parsed["measurement"] == point.measurement
        assert parsed["tags"] == {key: value for key, value in point.tags.items()}
        assert set(parsed["fields"]) == set(point.fields)
        assert "time" not in parsed["fields"]
        for key, value in parsed["fields"].items():
            expected = point.fields[key]
            assert isinstance(value, float) if key != "state" else isinstance(value, str)
            if isinstance(expected, float):
                assert value == expected
