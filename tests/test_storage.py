"""Storage status values and the site summary: pure tables, then the command on loopback."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner

from sunpower_telegraf.answer import Answer
from sunpower_telegraf.cli import main
from sunpower_telegraf.lineproto import Point, format_points
from sunpower_telegraf.report import merge_entries, to_report
from sunpower_telegraf.site import to_site
from sunpower_telegraf.storage import Entry, to_entries
from sunpower_telegraf.summary import to_summary
from tests.cases import FIXTURES, GOLDEN
from tests.standin import DEVICE_LIST, CurrentFirmware, Reply, json_reply

ESS_STATUS = "/cgi-bin/dl_cgi/energy-storage-system/status"
CHARGING = FIXTURES / "storage-charging"


def vu(value: Any, unit: str) -> dict[str, Any]:
    return {"value": value, "unit": unit}


def test_to_entries_names_fields_by_key_and_unit() -> None:
    document = {
        "ess_report": {
            "battery_status": [
                {
                    "serial_number": "B1",
                    "battery_voltage": vu(50, "V"),
                    "battery_amperage": vu(-2, "A"),
                    "customer_state_of_charge": vu("41.5", "%"),  # a numeric string is a number
                    "temperature": vu(29.1, "C"),
                    "last_updated": "2024-06-16 02:41:05",  # a time, not a field
                    "odd": vu("n/a", "V"),  # not a number: left out
                    "no_unit": {"value": 3},
                }
            ],
            "ess_status": [
                {
                    "serial_number": "E1",
                    "ess_meter_reading": {
                        "agg_power": vu(1.5, "kW"),
                        "meter_a": {"reading": {"power": vu(750, "W")}},  # W becomes kW
                        "meter_b": {"reading": {"energy": vu(1250, "Wh")}},  # Wh becomes kWh
                    },
                }
            ],
            "ess_state": [{"operational_mode": "SELF_CONSUMPTION", "permission_to_operate": True}],
            "hub_plus_status": {
                "serial_number": "H1",
                "contactor_position": "CLOSED",
                "contactor_error": 0,  # a state is a string whatever its JSON type
                "grid_phase1_voltage": vu(121, "V"),
            },
            "inverter_status": "not a list",  # ignored
        }
    }
    assert to_entries(document) == [
        Entry(
            "ESS BMS",
            "B1",
            {
                "battery_voltage_v": 50.0,
                "battery_amperage_a": -2.0,
                "customer_state_of_charge_percent": 41.5,
                "temperature_degc": 29.1,
                "no_unit_value": 3.0,
            },
        ),
        Entry(
            "Energy Storage System",
            "E1",
            {
                "ess_meter_agg_power_kw": 1.5,
                "ess_meter_a_power_kw": 0.75,
                "ess_meter_b_energy_kwh": 1.25,
            },
        ),
        Entry(
            "Energy Storage System",
            "E1",  # ess_state has no serial: it is the state of the ESS at the same index
            {"operational_mode": "SELF_CONSUMPTION", "permission_to_operate": "true"},
        ),
        Entry(
            "HUB+",
            "H1",
            {
                "contactor_position": "CLOSED",
                "contactor_error": "0",
                "grid_phase1_voltage_v": 121.0,
            },
        ),
    ]


@pytest.mark.parametrize(
    "document",
    [
        {},
        {"ess_report": []},
        {"ess_report": {"battery_status": [1, "x", {"battery_voltage": vu(1, "V")}]}},
    ],
    ids=["empty", "report-not-object", "entries-without-serial"],
)
def test_to_entries_unusable(document: dict[str, Any]) -> None:
    assert to_entries(document) == []


def test_merge_entries_joins_by_serial() -> None:
    points = [
        Point("sunpower_ess_bms", {"serial": "B1", "model": "M"}, {"state": "working", "x": 1.0})
    ]
    entries = [
        Entry("ESS BMS", "B1", {"x": 9.0, "soc_percent": 50.0}),  # the device's own x wins
        Entry("HUB+", "H9", {"grid_v": 240.0}, model="MIDC", time_ns=5),
    ]
    assert merge_entries(points, entries, "sunpower_") == [
        Point(
            "sunpower_ess_bms",
            {"serial": "B1", "model": "M"},
            {"x": 1.0, "soc_percent": 50.0, "state": "working"},
        ),
        Point("sunpower_hub", {"serial": "H9", "model": "MIDC"}, {"grid_v": 240.0}, 5),
    ]


PVS = {"DEVICE_TYPE": "PVS", "SERIAL": "ZT1", "CURTIME": "2024,06,15,19,42,31"}
PROD = {
    "DEVICE_TYPE": "Power Meter",
    "SERIAL": "M1p",
    "subtype": "GROSS_PRODUCTION_SITE",
    "p_3phsum_kw": "4.0",
    "net_ltea_3phsum_kwh": "1000",
}
NET = {
    "DEVICE_TYPE": "Power Meter",
    "SERIAL": "M1c",
    "subtype": "NET_CONSUMPTION_LOADSIDE",
    "p_3phsum_kw": "-2.5",
    "net_ltea_3phsum_kwh": "-300",
    "pos_ltea_3phsum_kwh": "700",
    "neg_ltea_3phsum_kwh": "1000",
}
GROSS = {
    "DEVICE_TYPE": "Power Meter",
    "SERIAL": "M1c",
    "subtype": "GROSS_CONSUMPTION_LINESIDE",
    "p_3phsum_kw": "1.5",
    "net_ltea_3phsum_kwh": "700",
}
INV = [
    {
        "DEVICE_TYPE": "Inverter",
        "SERIAL": "I1",
        "STATE": "working",
        "p_3phsum_kw": "0.3",
        "ltea_3phsum_kwh": "480",
        "DATATIME": "2024,06,15,19,40,00",
    },
    {
        "DEVICE_TYPE": "Inverter",
        "SERIAL": "I2",
        "STATE": "error",
        "p_3phsum_kw": "0",
        "ltea_3phsum_kwh": "500",
        "DATATIME": "2024,06,15,19,30,01",
    },
]
COUNTS = {
    "inverters_total": 2.0,
    "inverters_working": 1.0,
    "inverters_error": 1.0,
    "inverters_error_daylight": 1.0,  # the median of 0.3 and 0 kW: the sun is up
    "inverters_underperforming": 0.0,
    "inverters_producing": 1.0,
    "inverter_median_kw": 0.15,
    "inverter_reading_age_max_s": 151.0,  # of the working one
}


@pytest.mark.parametrize(
    ("records", "fields"),
    [
        (  # net (load-side) meter: it measures the grid
            [PVS, PROD, NET, *INV],
            {
                "production_kw": 4.0,
                "production_lifetime_kwh": 1000.0,
                "production_source": "meter",
                "grid_kw": -2.5,
                "grid_import_kw": 0.0,
                "grid_export_kw": 2.5,
                "consumption_kw": 1.5,
                "grid_net_lifetime_kwh": -300.0,
                "grid_import_lifetime_kwh": 700.0,
                "grid_export_lifetime_kwh": 1000.0,
                "consumption_lifetime_kwh": 700.0,
                **COUNTS,
            },
        ),
        (  # gross (line-side) meter: it measures the house; lifetime import/export unknown
            [PVS, PROD, GROSS, *INV],
            {
                "production_kw": 4.0,
                "production_lifetime_kwh": 1000.0,
                "production_source": "meter",
                "consumption_kw": 1.5,
                "grid_kw": -2.5,
                "grid_import_kw": 0.0,
                "grid_export_kw": 2.5,
                "consumption_lifetime_kwh": 700.0,
                "grid_net_lifetime_kwh": -300.0,
                **COUNTS,
            },
        ),
        (  # no production meter: the inverters' sums
            [PVS, NET, *INV],
            {
                "production_kw": 0.3,
                "production_lifetime_kwh": 980.0,
                "production_source": "inverters",
                "grid_kw": -2.5,
                "grid_import_kw": 0.0,
                "grid_export_kw": 2.5,
                "consumption_kw": -2.2,
                "grid_net_lifetime_kwh": -300.0,
                "grid_import_lifetime_kwh": 700.0,
                "grid_export_lifetime_kwh": 1000.0,
                "consumption_lifetime_kwh": 680.0,
                **COUNTS,
            },
        ),
        (  # production meter reads zero while inverters produce: their power, the meter's counter
            [PVS, {**PROD, "p_3phsum_kw": "0.001"}, *INV],
            {
                "production_kw": 0.3,
                "production_lifetime_kwh": 1000.0,
                "production_source": "meter",
                **COUNTS,
            },
        ),
        (  # at night the meter's few watts of standby draw are the production
            [PVS, {**PROD, "p_3phsum_kw": "-0.004"}, {**INV[1], "STATE": "error"}],
            {
                "production_kw": -0.004,
                "production_lifetime_kwh": 1000.0,
                "production_source": "meter",
                "inverters_total": 1.0,
                "inverters_working": 0.0,
                "inverters_error": 1.0,
                "inverters_error_daylight": 0.0,  # every inverter asleep: night
                "inverters_producing": 0.0,
                "inverter_median_kw": 0.0,
            },
        ),
        (  # an old consumption meter with no subtype and no pos/neg counters: net
            [
                PVS,
                {
                    "DEVICE_TYPE": "Power Meter",
                    "SERIAL": "X",
                    "TYPE": "PVS5-METER-C",
                    "p_3phsum_kw": "1",
                },
            ],
            {
                "grid_kw": 1.0,
                "grid_import_kw": 1.0,
                "grid_export_kw": 0.0,
                "inverters_total": 0.0,
                "inverters_producing": 0.0,
            },
        ),
        (  # nothing flows at all: every power is a real 0, none is left out
            [PVS, {**PROD, "p_3phsum_kw": "0"}, {**NET, "p_3phsum_kw": "0"}],
            {
                "production_kw": 0.0,
                "production_lifetime_kwh": 1000.0,
                "production_source": "meter",
                "grid_kw": 0.0,
                "grid_import_kw": 0.0,
                "grid_export_kw": 0.0,
                "consumption_kw": 0.0,
                "grid_net_lifetime_kwh": -300.0,
                "grid_import_lifetime_kwh": 700.0,
                "grid_export_lifetime_kwh": 1000.0,
                "consumption_lifetime_kwh": 700.0,
                "inverters_total": 0.0,
                "inverters_producing": 0.0,
            },
        ),
    ],
    ids=[
        "net-meter",
        "gross-meter",
        "no-production-meter",
        "zero-production-meter",
        "night",
        "pvs5",
        "all-zero",
    ],
)
def test_site_summary(records: list[dict[str, Any]], fields: dict[str, Any]) -> None:
    point = summary(records)
    assert point == Point("sunpower_site", {"serial": "ZT1"}, fields, None)
    assert isinstance(point, Point)
    assert {key: type(value) for key, value in point.fields.items()} == {
        key: type(value) for key, value in fields.items()
    }  # 0 is not 0.0 here: a field keeps one type


def summary(records: list[dict[str, Any]]) -> Point | str:
    return to_summary(to_site(Answer(devices={"devices": records})))


def test_site_summary_needs_the_pvs() -> None:
    assert summary(INV) == "site summary left out: the answer names no PVS serial"


def test_overflowing_sums_are_left_out() -> None:
    huge = [{**INV[0], "SERIAL": f"I{n}", "p_3phsum_kw": 1e308} for n in range(3)]
    report = to_report(Answer(devices={"devices": [PVS, *huge]}))
    site = report.points[-1]
    assert "production_kw" not in site.fields and site.fields["inverters_total"] == 3.0


# -- the command, against a loopback PVS -------------------------------------------------------

CHARGING_DEVICES = json.loads((CHARGING / "devicelist.json").read_text())
CHARGING_STATUS = json.loads((CHARGING / "ess_status.json").read_text())


def test_storage_site_reads_the_status(standin) -> None:
    pvs = standin(
        {
            DEVICE_LIST: lambda r: json_reply(CHARGING_DEVICES),
            ESS_STATUS: lambda r: json_reply(CHARGING_STATUS),
        }
    )
    result = CliRunner().invoke(main, ["--host", pvs.hostport])
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == (CHARGING / GOLDEN).read_text()
    assert pvs.paths() == [DEVICE_LIST, ESS_STATUS]


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (Reply(500, b"busy"), "the PVS answered HTTP 500 to http://{hostport}" + ESS_STATUS),
        (
            Reply(200, b'{"ess_report": '),
            "the answer from http://{hostport}"
            + ESS_STATUS
            + " is not complete JSON (15 bytes); the PVS may have been cut off: try again, and check any proxy in between",
        ),
    ],
    ids=["http-500", "truncated"],
)
def test_storage_status_failing_keeps_the_solar_data(standin, reply: Reply, reason: str) -> None:
    pvs = standin(
        {DEVICE_LIST: lambda r: json_reply(CHARGING_DEVICES), ESS_STATUS: lambda r: reply}
    )
    result = CliRunner().invoke(main, ["--host", pvs.hostport])
    assert result.exit_code == 0
    without_status = format_points(to_report(Answer(devices=CHARGING_DEVICES)).points)
    assert result.stdout == without_status
    assert result.stderr.splitlines() == [
        "sunpower-lp: warning: storage status left out: " + reason.format(hostport=pvs.hostport)
    ]


CURRENT = FIXTURES / "current-storage"


def test_current_firmware_reads_the_battery_from_the_varserver(standin) -> None:
    """devices/list has no storage devices; livedata shows the battery, so its ESS and transfer
    switch are read: 8 requests, logout included, and no legacy storage status."""
    firmware = CurrentFirmware(
        "ZT221285000549W2071",
        devices=json.loads((CURRENT / "devicelist.json").read_text()),
        vars_=json.loads((CURRENT / "vars.json").read_text()),
    )
    pvs = standin(firmware.routes())
    result = CliRunner().invoke(
        main, ["--host", f"http://{pvs.hostport}"], env={"SUNPOWER_PVS_PASSWORD": ""}
    )
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == (CURRENT / GOLDEN).read_text()
    assert pvs.paths() == [
        DEVICE_LIST,
        "/vars?name=/sys/info/serialnum",
        "/auth?login",
        "/cgi-bin/dl_cgi/devices/list",
        "/vars?match=/sys/livedata/&fmt=obj",
        "/vars?match=/sys/devices/ess/&fmt=obj",
        "/vars?match=/sys/devices/transfer_switch/&fmt=obj",
        "/auth?logout",
    ]
    site = result.stdout.splitlines()[-1]
    assert "battery_kw=-4.962," in site and "battery_soc_percent=63.2," in site
    assert "consumption_kw=0.9202," in site  # not 5.88: the charging battery is no house load


def test_a_second_login_keeps_within_eight_requests(standin) -> None:
    """A session that expires mid-run costs a login and a retry; what no longer fits in the 8
    requests is left out with a warning, and the logout always has its place."""
    firmware = CurrentFirmware(
        "ZT221285000549W2071",
        devices=json.loads((CURRENT / "devicelist.json").read_text()),
        vars_=json.loads((CURRENT / "vars.json").read_text()),
    )
    firmware.expire_next = 1
    pvs = standin(firmware.routes())
    result = CliRunner().invoke(
        main, ["--host", f"http://{pvs.hostport}"], env={"SUNPOWER_PVS_PASSWORD": ""}
    )
    assert result.exit_code == 0
    assert pvs.paths() == [
        DEVICE_LIST,
        "/vars?name=/sys/info/serialnum",  # read once: the second login uses it again
        "/auth?login",
        "/cgi-bin/dl_cgi/devices/list",
        "/auth?login",
        "/cgi-bin/dl_cgi/devices/list",
        "/vars?match=/sys/livedata/&fmt=obj",
        "/auth?logout",
    ]
    assert result.stderr.splitlines() == [
        "sunpower-lp: warning: battery (/sys/devices/ess) left out: no request left of the 8",
        "sunpower-lp: warning: transfer switch left out: no request left of the 8",
    ]
    site = result.stdout.splitlines()[-1]
    assert "battery_kw=-4.962," in site  # livedata still gives the battery


def test_site_without_battery_makes_no_storage_request(standin) -> None:
    day = json.loads((FIXTURES / "varserver-day" / "vars.json").read_text())
    firmware = CurrentFirmware(
        "ZT230185000549A1234",
        devices=json.loads((FIXTURES / "pvs6-day" / "devicelist.json").read_text()),
        vars_=day,
    )
    pvs = standin(firmware.routes())
    result = CliRunner().invoke(
        main, ["--host", f"http://{pvs.hostport}"], env={"SUNPOWER_PVS_PASSWORD": ""}
    )
    assert (result.exit_code, result.stderr) == (0, "")
    assert [p for p in pvs.paths() if "ess" in p or "transfer" in p] == []
    assert len(pvs.paths()) == 6
    site = result.stdout.splitlines()[-1]
    assert "production_kw=3.9524," in site and "grid_kw=-2.6002," in site  # livedata's own


def test_no_site_summary_flag() -> None:
    result = CliRunner().invoke(
        main, ["--input", str(FIXTURES / "pvs6-day" / "devicelist.json"), "--no-site-summary"]
    )
    golden = (FIXTURES / "pvs6-day" / GOLDEN).read_text().splitlines(keepends=True)
    assert golden[-1].startswith("sunpower_site,")
    assert result.stdout == "".join(golden[:-1])
