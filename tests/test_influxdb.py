"""Every fixture's output lands in a real InfluxDB 1.x: 204 each time, no type conflict, values back."""

from __future__ import annotations

import pytest

from sunpower_telegraf.lineproto import format_points
from sunpower_telegraf.report import Options, to_report
from tests.support.cases import GOLDEN, case_dirs, load_answer
from tests.support.influx import Influxd

# Day then night first, as a site sees them, then every other case.
FIRST = ["pvs6-day", "pvs6-night"]
CASES = sorted(
    case_dirs(),
    key=lambda case: (
        case.name not in FIRST,
        FIRST.index(case.name) if case.name in FIRST else 0,
        case.name,
    ),
)


def test_goldens_land_in_order_and_rewrite_idempotently(influxd: Influxd) -> None:
    influxd.create("goldens")
    for case in CASES:
        lines = (case / GOLDEN).read_text()
        assert influxd.write("goldens", lines) == (204, ""), case.name
    counts = influxd.query("goldens", 'SELECT count("state") FROM /sunpower_.*/')
    for case in CASES:  # a line with a time is the same point when written again
        timed = [p for p in to_report(load_answer(case)).points if p.time_ns is not None]
        assert influxd.write("goldens", format_points(timed)) == (204, "")
    assert influxd.query("goldens", 'SELECT count("state") FROM /sunpower_.*/') == counts


def test_values_read_back(influxd: Influxd) -> None:
    influxd.create("readback")
    for name in FIRST:
        assert influxd.write("readback", (case_dir(name) / GOLDEN).read_text())[0] == 204
    series = influxd.query(
        "readback",
        'SELECT "p_3phsum_kw", "state" FROM sunpower_inverter WHERE serial = \'E00122283711540\'',
    )
    values = series[0]["values"]
    # the day reading at its DATATIME, then the night one at collection time (it is in error)
    assert values[0] == [1718480400_000_000_000, 0.311, "working"]
    assert values[1][1:] == [0.0, "error"]
    meters = influxd.query(
        "readback",
        'SELECT last("p_3phsum_kw") FROM sunpower_power_meter WHERE time < 1718500000000000000 '
        "GROUP BY subtype",
    )
    by_subtype = {s["tags"]["subtype"]: s["values"][0][1] for s in meters}
    assert by_subtype == {"GROSS_PRODUCTION_SITE": 3.9712, "NET_CONSUMPTION_LOADSIDE": -2.6179}
    keys = influxd.query("readback", "SHOW TAG KEYS FROM sunpower_power_meter")
    assert [row[0] for row in keys[0]["values"]] == ["model", "serial", "subtype"]


def test_storage_and_site_read_back(influxd: Influxd) -> None:
    influxd.create("storage")
    for name in ["storage-charging", "storage-discharging"]:
        assert influxd.write("storage", (case_dir(name) / GOLDEN).read_text())[0] == 204
    series = influxd.query("storage", 'SELECT "customer_soc_percent" FROM sunpower_ess_bms')
    assert [row[1:] for row in series[0]["values"]] == [[63.2], [41.7]]
    site = influxd.query(
        "storage",
        'SELECT "grid_kw", "battery_kw", "battery_soc_percent", "consumption_kw", '
        '"storage_alarms" FROM sunpower_site',
    )
    assert [row[1:] for row in site[0]["values"]] == [
        [-1.2015, -1.068, 63.2, 3.6146, 0.0],  # charging: the battery is no house load
        [0.1043, 1.925, 41.7, 2.1244, 1.0],  # discharging, with one storage alarm
    ]


def test_no_field_type_conflict_across_cases(influxd: Influxd) -> None:
    """Written without timestamps every case lands in one shard, where a conflict is refused."""
    influxd.create("one_shard")
    for case in CASES:
        report = to_report(load_answer(case), Options(device_time=False))
        assert influxd.write("one_shard", format_points(report.points)) == (204, ""), case.name
    strings = {
        (series["name"], name)
        for series in influxd.query("one_shard", "SHOW FIELD KEYS")
        for name, kind in series["values"]
        if kind != "float"
    }
    assert strings == STRING_FIELDS


# Every field that is not a float: states, kept as strings whatever the PVS sends.
STRING_FIELDS = {
    (m, "state")
    for m in [
        "sunpower_battery",
        "sunpower_energy_storage_system",
        "sunpower_ess_bms",
        "sunpower_ess_hub",
        "sunpower_gateway",
        "sunpower_hub",
        "sunpower_inverter",
        "sunpower_power_meter",
        "sunpower_pv_disconnect",
        "sunpower_pvs",
        "sunpower_storage_inverter",
    ]
} | {
    ("sunpower_site", "production_source"),
    ("sunpower_site", "storage_alarm_names"),
    ("sunpower_energy_storage_system", "operational_mode"),
    ("sunpower_energy_storage_system", "permission_to_operate"),
    ("sunpower_energy_storage_system", "storage_controller_status"),
    ("sunpower_hub", "contactor_error"),
    ("sunpower_hub", "grid_frequency_state"),
    ("sunpower_hub", "grid_voltage_state"),
    ("sunpower_hub", "load_frequency_state"),
    ("sunpower_hub", "load_voltage_state"),
    ("sunpower_hub", "mid_state"),
    ("sunpower_hub", "pvd1_state"),
}


def case_dir(name: str):
    return next(case for case in CASES if case.name == name)


@pytest.mark.parametrize("bad", ["m x=1i\nm x=1.5", "m x=nan"])
def test_the_server_really_refuses(influxd: Influxd, bad: str) -> None:
    """The checks above mean something: this InfluxDB refuses conflicts and NaN."""
    influxd.create("refuses")
    assert influxd.write("refuses", bad)[0] == 400
