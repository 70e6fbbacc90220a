"""The storage status as device records, each expected record written out by hand from the
status given (storage.py's rules: one unit per quantity, joined names, states, alarms)."""

from __future__ import annotations

from typing import Any

import pytest

from sunpower_telegraf.storage import to_alarms, to_records, to_switch_state

UNITS = [  # the status's unit -> the field's suffix, and 2000 in that unit in the field's unit
    ("V", "v", 2000.0),
    ("A", "a", 2000.0),
    ("W", "kw", 2.0),
    ("kW", "kw", 2000.0),
    ("Wh", "kwh", 2.0),
    ("kWh", "kwh", 2000.0),
    ("VA", "kva", 2.0),
    ("kVA", "kva", 2000.0),
    ("var", "kvar", 2.0),
    ("kvar", "kvar", 2000.0),
    ("%", "percent", 2000.0),
    ("C", "degc", 2000.0),
    ("°C", "degc", 2000.0),
    ("degC", "degc", 2000.0),
    ("F", "degf", 2000.0),
    ("Hz", "hz", 2000.0),
    ("s", "s", 2000.0),
    (" Furlongs/s ", "furlongs_s", 2000.0),  # an unknown unit is named as given
    ("", "value", 2000.0),
    (3, "value", 2000.0),  # not a unit
    (None, "value", 2000.0),
]


def status_inverter(entry: dict[str, Any]) -> list[dict[str, Any]]:
    """The records of a storage status holding one storage inverter entry, serial S1."""
    return to_records({"ess_report": {"inverter_status": [{"serial_number": "S1", **entry}]}})


@pytest.mark.parametrize(("unit", "suffix", "value"), UNITS)
def test_every_unit_becomes_one_unit_per_quantity(unit: Any, suffix: str, value: float) -> None:
    assert status_inverter({"x": {"value": 2000, "unit": unit}}) == [
        {
            "DEVICE_TYPE": "Storage Inverter",
            "SERIAL": "S1",
            "ORIGIN": "storage status",
            f"x_{suffix}": value,
        }
    ]


def test_a_value_keeps_nine_decimals() -> None:
    # 1.23456789 W = 0.00123456789 kW, to 9 places 0.001234568
    assert status_inverter({"p": {"value": 1.23456789, "unit": "W"}})[0]["p_kw"] == 0.001234568
    # not scaled: to 9 places too, which takes off the PVS's own float noise
    assert status_inverter({"p": {"value": 1.2345678912, "unit": "kW"}})[0]["p_kw"] == 1.234567891


def test_nested_names_join_without_reading_or_a_repeated_word() -> None:
    entry = {
        "ess_meter_reading": {
            "meter_a": {"reading": {"power": {"value": 500, "unit": "W"}}},
            "meter_meter": {"value": 1, "unit": "A"},
            "__": {"value": 4, "unit": "V"},
        },
        "reading": {"value": 7, "unit": "V"},
    }
    assert status_inverter(entry) == [
        {
            "DEVICE_TYPE": "Storage Inverter",
            "SERIAL": "S1",
            "ORIGIN": "storage status",
            "ess_meter_a_power_kw": 0.5,
            "ess_meter_meter_a": 1.0,  # only the word repeated at the join is dropped
            "ess_meter_v": 4.0,
        }
    ]


def test_nesting_deeper_than_six_objects_is_left_out() -> None:
    def nested(depth: int) -> dict[str, Any]:
        entry: dict[str, Any] = {"value": 1, "unit": "V"}
        for index in range(depth, 0, -1):
            entry = {f"k{index}": entry}
        return entry

    assert status_inverter(nested(7))[0]["k1_k2_k3_k4_k5_k6_k7_v"] == 1.0
    assert status_inverter(nested(8)) == []


def test_states_are_strings_and_other_plain_values_are_left_out() -> None:
    entry = {
        "operational_mode": 3,
        "grid_voltage_state": True,
        "contactor_position": "closed",
        "firmware": "1.2",
        "count": 5,
        "storage_controller_status": "",
    }
    hub = to_records({"ess_report": {"hub_plus_status": {"serial_number": "H1", **entry}}})
    assert hub == [
        {
            "DEVICE_TYPE": "HUB+",
            "SERIAL": "H1",
            "ORIGIN": "storage status",
            "operational_mode": "3",
            "grid_voltage_state": "true",
            "mid_state": "CLOSED",
        }
    ]


def test_an_ess_state_takes_the_serial_of_the_ess_at_its_index() -> None:
    report = {
        "ess_status": [
            {"serial_number": "E1", "soh": {"value": 99, "unit": "%"}},
            {"serial_number": "E2", "soh": {"value": 98, "unit": "%"}},
        ],
        "ess_state": [
            {"operational_mode": "A"},
            {"serial_number": "E9", "operational_mode": "B"},
            {"operational_mode": "C"},  # no ESS at index 2: no serial
            "not an object",
        ],
        "battery_status": [{"serial_number": "", "soc": {"value": 5, "unit": "%"}}],
    }
    records = to_records({"ess_report": report})
    assert [(r["DEVICE_TYPE"], r["SERIAL"]) for r in records] == [
        ("Energy Storage System", "E1"),
        ("Energy Storage System", "E2"),
        ("Energy Storage System", "E1"),
        ("Energy Storage System", "E9"),
    ]
    assert [r.get("operational_mode") for r in records] == [None, None, "A", "B"]


@pytest.mark.parametrize(
    ("value", "state"),
    [
        ("MID_STATE_CLOSED", "CLOSED"),
        ("pvd_state_open", "OPEN"),
        ("MID_STATE_", "MID_STATE_"),  # nothing after the prefix: kept as said
        ("open", "OPEN"),
    ],
)
def test_switch_states_are_one_word(value: str, state: str) -> None:
    assert to_switch_state(value) == state


def test_alarms_named_with_code_and_serial() -> None:
    errors = [
        {"error_name": "OVER_TEMP", "error_code": 12, "device_sn": "E1"},
        {"error_name": "LOW,SOC"},
        {"error_code": "7"},
        {"error_name": True, "device_sn": ["x"]},
        "not an object",
    ]
    expected = ["OVER_TEMP (12) on E1", "LOW SOC", "UNKNOWN_ALARM (7)", "UNKNOWN_ALARM"]
    assert to_alarms({"ess_report": {"errors": errors}}) == expected
    assert to_alarms({"ess_report": {}, "errors": errors}) == expected  # beside the report
    assert to_alarms({"ess_report": {"errors": []}, "errors": errors}) == []
    assert to_alarms({"errors": "none"}) == []


def test_serials_states_and_timestamps_are_no_fields() -> None:
    entry = {
        "state": "working",
        "time": {"value": 1749996000, "unit": "s"},
        "last_updated": {"value": 1749996000, "unit": "s"},
        "soh": {"value": 99, "unit": "%"},
    }
    assert status_inverter(entry) == [
        {
            "DEVICE_TYPE": "Storage Inverter",
            "SERIAL": "S1",
            "ORIGIN": "storage status",
            "soh_percent": 99.0,
        }
    ]
