"""Whatever a device record holds, every line printed is one that line protocol parsers accept.

How many examples each test draws, and whether they are random, is the Hypothesis profile's
choice (tests/conftest.py): fixed in CI, fresh on every local run.
"""

from __future__ import annotations

import sys

import line_protocol_parser
from hypothesis import example, given
from hypothesis import strategies as st

from sunpower_telegraf.answer import Answer
from sunpower_telegraf.devices import to_points
from sunpower_telegraf.lineproto import format_point
from sunpower_telegraf.report import to_report

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
    # subnormals, which plain float draws reach about once in 20 runs of this test
    st.floats(min_value=-sys.float_info.min, max_value=sys.float_info.min),
    st.text(),
    st.from_regex(r"-?\d{1,6}(\.\d{1,4})?", fullmatch=True),
    st.sampled_from(
        ["2024,03,11,23,19,00", "nan", "inf", "", "\\", "a\nb", 'q"uote', "x\\", "1e-310"]
    ),
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


def written(value: float) -> float:
    """The number a line carries for `value`: itself, but a subnormal is written as 0.0 (the one
    rounding lineproto states)."""
    return 0.0 if abs(value) < sys.float_info.min else value


@given(st.lists(DEVICE, max_size=4))
@example([{"DEVICE_TYPE": "Inverter", "SERIAL": "S", "a": 2.225073858507203e-309, "b": "-5e-324"}])
def test_every_line_parses(devices: list[dict]) -> None:
    mapped = to_points(devices)
    skipped = [warning for warning in mapped.warnings if warning.startswith("skipped device")]
    assert len(mapped.points) + len(skipped) == len(devices)
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
                assert value == written(expected)


STATUS_VALUE = st.one_of(
    JSON,
    st.fixed_dictionaries(
        {
            "value": SCALARS,
            "unit": st.one_of(st.text(max_size=4), st.sampled_from(["V", "%", "kW", "C"])),
        }
    ),
)
STATUS_ENTRY = st.dictionaries(st.text(max_size=8), STATUS_VALUE, max_size=5).map(
    lambda entry: {"serial_number": "S", **entry}
)
STATUS = st.fixed_dictionaries(
    {
        "ess_report": st.dictionaries(
            st.sampled_from(
                ["battery_status", "ess_status", "ess_state", "hub_plus_status", "inverter_status"]
            ),
            st.one_of(st.lists(STATUS_ENTRY, max_size=2), STATUS_ENTRY),
            max_size=5,
        )
    }
)
SITE_DEVICE = st.fixed_dictionaries(
    {
        "DEVICE_TYPE": st.sampled_from(["PVS", "Power Meter", "Inverter"]),
        "SERIAL": st.sampled_from(["S", "Mp", "Mc"]),
    },
    optional={
        key: SCALARS
        for key in [
            "subtype",
            "TYPE",
            "STATE",
            "DATATIME",
            "CURTIME",
            "p_3phsum_kw",
            "ltea_3phsum_kwh",
            "net_ltea_3phsum_kwh",
            "pos_ltea_3phsum_kwh",
            "neg_ltea_3phsum_kwh",
        ]
    },
)
VARS = st.dictionaries(
    st.builds(
        lambda kind, index, name: f"/sys/devices/{kind}/{index}/{name}",
        st.sampled_from(["meter", "inverter", "ess", "transfer_switch", "other"]),
        st.integers(0, 2),
        st.sampled_from(
            ["sn", "prodMdlNm", "msmtEps", "p3phsumKw", "opMode", "midStEnum", "socVal", "x"]
        ),
    ),
    SCALARS,
    max_size=10,
)


@given(st.lists(st.one_of(SITE_DEVICE, DEVICE), max_size=5), st.one_of(st.none(), STATUS), VARS)
def test_whole_reports_parse(devices: list[dict], status: dict | None, variables: dict) -> None:
    for answer in (Answer(devices={"devices": devices}, ess_status=status), Answer(vars=variables)):
        report = to_report(answer)
        for point in report.points:
            parsed = line_protocol_parser.parse_line(format_point(point))
            assert set(parsed["fields"]) == set(point.fields)
