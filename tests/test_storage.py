"""Storage status values and the site summary: pure tables, then the command on loopback."""

from __future__ import annotations

import json
from typing import Any

import line_protocol_parser
import pytest
from click.testing import CliRunner

from sunpower_telegraf.answer import Answer
from sunpower_telegraf.cli import main
from sunpower_telegraf.lineproto import Point
from sunpower_telegraf.report import to_report
from sunpower_telegraf.site import to_site
from sunpower_telegraf.storage import to_alarms, to_records, to_switch_state
from sunpower_telegraf.summary import to_summary
from tests.support import realruns
from tests.support.cases import FIXTURES, GOLDEN
from tests.support.standin import DEVICE_LIST, CurrentFirmware, Reply, json_reply

ESS_STATUS = "/cgi-bin/dl_cgi/energy-storage-system/status"
CHARGING = FIXTURES / "storage-charging"


def vu(value: Any, unit: str) -> dict[str, Any]:
    return {"value": value, "unit": unit}


def test_to_records_names_fields_by_key_and_unit() -> None:
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
                "contactor_position": "closed",  # the MID's state, as the varserver names it
                "contactor_error": 0,  # a state is a string whatever its JSON type
                "grid_phase1_voltage": vu(121, "V"),
                "hub_temperature": vu(33.1, "C"),
            },
            "inverter_status": "not a list",  # ignored
        }
    }
    origin = {"ORIGIN": "storage status"}
    assert to_records(document) == [
        {
            "DEVICE_TYPE": "ESS BMS",
            "SERIAL": "B1",
            **origin,
            "v_batt_v": 50.0,  # the varserver's vBattV
            "battery_amperage_a": -2.0,
            "customer_soc_percent": 41.5,  # the varserver's customerSocVal, in %
            "temperature_degc": 29.1,
            "no_unit_value": 3.0,
        },
        {
            "DEVICE_TYPE": "Energy Storage System",
            "SERIAL": "E1",
            **origin,
            "p_3phsum_kw": 1.5,  # agg_power: the battery's power, the varserver's p3phsumKw
            "ess_meter_a_power_kw": 0.75,
            "ess_meter_b_energy_kwh": 1.25,
        },
        {
            "DEVICE_TYPE": "Energy Storage System",
            "SERIAL": "E1",  # ess_state has no serial: it is the state of the ESS at the same index
            **origin,
            "operational_mode": "SELF_CONSUMPTION",
            "permission_to_operate": "true",
        },
        {
            "DEVICE_TYPE": "HUB+",
            "SERIAL": "H1",
            **origin,
            "mid_state": "CLOSED",
            "contactor_error": "0",
            "v1n_grid_v": 121.0,
            "t_degc": 33.1,
        },
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
def test_to_records_unusable(document: dict[str, Any]) -> None:
    assert to_records(document) == []


def test_storage_values_join_their_device_by_serial() -> None:
    """One record per device: a status entry joins the listed device of its serial (whose own
    values win a clash); a varserver ESS with no listed device is a device of its own, after the
    listed ones, with its own time."""
    devices = {
        "devices": [
            {
                "DEVICE_TYPE": "ESS BMS",
                "SERIAL": "B1",
                "MODEL": "M",
                "STATE": "working",
                "soc_percent": "55",
            },
            {"DEVICE_TYPE": "PVS", "SERIAL": "ZT1", "dl_uptime": "5"},
        ]
    }
    status = {
        "ess_report": {
            "battery_status": [
                {"serial_number": "B1", "soc": vu(50, "%"), "temperature": vu(20, "C")}
            ]
        }
    }
    variables = {
        "/sys/devices/transfer_switch/0/sn": "H9",
        "/sys/devices/transfer_switch/0/prodMdlNm": "MIDC",
        "/sys/devices/transfer_switch/0/msmtEps": "2024-06-16T02:40:00Z",
        "/sys/devices/transfer_switch/0/v1nGridV": "240.5",
    }
    report = to_report(Answer(devices=devices, ess_status=status, vars=variables))
    assert report.points[:3] == [
        Point(
            "sunpower_ess_bms",
            {"serial": "B1", "model": "M"},
            {"temperature_degc": 20.0, "soc_percent": 55.0, "state": "working", "state_code": 0.0},
        ),
        Point("sunpower_pvs", {"serial": "ZT1"}, {"dl_uptime": 5.0}),
        Point(
            "sunpower_hub",
            {"serial": "H9", "model": "MIDC"},
            {"v1n_grid_v": 240.5},
            1718505600_000_000_000,
        ),
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


def summary(records: list[dict[str, Any]]) -> Point | None:
    result = to_summary(to_site(Answer(devices={"devices": records})))
    assert result.warnings == []
    return result.point


def test_site_summary_needs_the_pvs() -> None:
    result = to_summary(to_site(Answer(devices={"devices": INV})))
    assert result == (None, ["site summary left out: the answer names no PVS serial"])


def test_overflowing_sums_are_left_out() -> None:
    huge = [{**INV[0], "SERIAL": f"I{n}", "p_3phsum_kw": 1e308} for n in range(3)]
    report = to_report(Answer(devices={"devices": [PVS, *huge]}))
    site = report.points[-1]
    assert "production_kw" not in site.fields and site.fields["inverters_total"] == 3.0


# -- battery power: from the document that measures it ----------------------------------------
# A legacy site: the device list (PVS, a production meter at 4.0 kW, a net meter at -2.5 kW, and
# its storage entries, which carry identity and ratings, never power) and the storage status.
LISTED_ESS = {
    "DEVICE_TYPE": "Energy Storage System",
    "SERIAL": "E1",
    "MODEL": "SPWR-Equinox-model",
    "STATE": "working",
    "rated_ac_kw": "6.8",
}
LISTED_INVERTER = {
    "DEVICE_TYPE": "Storage Inverter",
    "SERIAL": "S1",
    "MODEL": "SchneiderElectric-XW6848-21",
    "STATE": "working",
}


def ess(serial: str, **reading: Any) -> dict[str, Any]:
    """A status's `ess_status[]` entry whose ESS meter reads what is given."""
    return {"serial_number": serial, "ess_meter_reading": reading}


def status(
    systems: list[dict[str, Any]], inverters: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    return {"ess_report": {"ess_status": systems, "inverter_status": inverters or []}}


def storage_site(
    listed: list[dict[str, Any]], document: dict[str, Any]
) -> tuple[dict[str, Any], list[str], list[dict[str, Any]]]:
    """The summary's fields, its warnings, and the site's storage records."""
    answer = Answer(
        devices={"devices": [PVS, PROD, NET, *listed]}, ess_status=document, firmware="legacy"
    )
    site = to_site(answer)
    point, warnings = to_summary(site)
    assert point is not None
    storage = [r for r in site.devices if r["DEVICE_TYPE"] not in ("PVS", "Power Meter")]
    return dict(point.fields), warnings, storage


CHARGING_AT_1_5 = status(
    [ess("E1", agg_power=vu(-1.5, "kW"), meter_a={"reading": {"current": vu(6.2, "A")}})],
    [{"serial_number": "S1", "ac_power": vu(-1.5, "kW"), "ac_current": vu(6.2, "A")}],
)


def test_battery_power_with_serials_that_match() -> None:
    """Each status entry joins the listed device of its serial: one record per device, the list's
    identity and ratings with the status's measurements. The ESS meter gives -1.5 kW (the
    inverter's -1.5 kW is the same flow, not added): consumption = 4.0 - 2.5 - 1.5 = 0.0."""
    fields, warnings, storage = storage_site([LISTED_ESS, LISTED_INVERTER], CHARGING_AT_1_5)
    assert (fields["battery_kw"], fields["consumption_kw"], warnings) == (-1.5, 0.0, [])
    assert storage == [
        {
            "DEVICE_TYPE": "Energy Storage System",
            "SERIAL": "E1",
            "ORIGIN": "storage status",
            "MODEL": "SPWR-Equinox-model",
            "STATE": "working",
            "rated_ac_kw": "6.8",
            "p_3phsum_kw": -1.5,
            "ess_meter_a_current_a": 6.2,
        },
        {
            "DEVICE_TYPE": "Storage Inverter",
            "SERIAL": "S1",
            "ORIGIN": "storage status",
            "MODEL": "SchneiderElectric-XW6848-21",
            "STATE": "working",
            "ac_power_kw": -1.5,
            "ac_current_a": 6.2,
        },
    ]


def test_battery_power_with_serials_that_do_not_match() -> None:
    """Serials anonymized apart (as in a published SunVault capture): the listed entries keep
    their identity, the status's entries their measurements, each a device of its own with no
    field in both; the listed entries, which carry no power, do not block the sum: the same
    -1.5 kW and consumption 0.0 as when the serials match."""
    listed = [{**LISTED_ESS, "SERIAL": "E1-LIST"}, {**LISTED_INVERTER, "SERIAL": "S1-LIST"}]
    fields, warnings, storage = storage_site(listed, CHARGING_AT_1_5)
    assert (fields["battery_kw"], fields["consumption_kw"], warnings) == (-1.5, 0.0, [])
    assert [(r["SERIAL"], r.get("ORIGIN")) for r in storage] == [
        ("E1-LIST", None),
        ("S1-LIST", None),
        ("E1", "storage status"),
        ("S1", "storage status"),
    ]
    listed_keys = set(storage[0]) | set(storage[1])
    status_keys = set(storage[2]) | set(storage[3])
    assert listed_keys & status_keys == {"DEVICE_TYPE", "SERIAL"}  # no quantity twice


def test_a_device_list_entry_is_never_read_for_battery_power() -> None:
    """Only the storage status measures the battery: a listed ESS and inverter claiming 9 kW add
    nothing to the status's -1.5 kW. A listed entry that names an origin of its own still joins
    into a record of the status, which measures the battery."""
    claims = [
        {**LISTED_ESS, "SERIAL": "E9", "p_3phsum_kw": "9"},
        {**LISTED_INVERTER, "SERIAL": "S9", "ac_power_kw": "9"},
    ]
    fields, warnings, _ = storage_site(claims, CHARGING_AT_1_5)
    assert (fields["battery_kw"], fields["consumption_kw"], warnings) == (-1.5, 0.0, [])
    odd = {**LISTED_ESS, "ORIGIN": "device list"}
    fields, warnings, storage = storage_site([odd], CHARGING_AT_1_5)
    assert storage[0]["ORIGIN"] == "storage status"
    assert (fields["battery_kw"], warnings) == (-1.5, [])


def test_two_storage_systems_add_up() -> None:
    """-1.25 + -2.5 = -3.75 kW; consumption 4.0 - 2.5 - 3.75 = -2.25 (the figures of the test)."""
    document = status(
        [ess("E1", agg_power=vu(-1.25, "kW")), ess("E2", agg_power=vu(-2500, "W"))],
        [
            {"serial_number": "S1", "ac_power": vu(-1.25, "kW")},
            {"serial_number": "S2", "ac_power": vu(-2.5, "kW")},
        ],
    )
    fields, warnings, _ = storage_site([LISTED_ESS], document)
    assert (fields["battery_kw"], fields["consumption_kw"], warnings) == (-3.75, -2.25, [])


def test_an_ess_meter_without_power_leaves_it_to_the_inverters() -> None:
    """An ESS entry without `agg_power`: the storage inverters' `ac_power` stand in, all of them
    (-0.75 + -1.0 = -1.75), never mixed with the other ESS's -0.75: which inverter belongs to
    which ESS no document says. Consumption 4.0 - 2.5 - 1.75 = -0.25."""
    document = status(
        [ess("E1", agg_power=vu(-0.75, "kW")), ess("E2", current=vu(4, "A"))],
        [
            {"serial_number": "S1", "ac_power": vu(-0.75, "kW")},
            {"serial_number": "S2", "ac_power": vu(-1.0, "kW")},
        ],
    )
    fields, warnings, _ = storage_site([LISTED_ESS, LISTED_INVERTER], document)
    assert (fields["battery_kw"], fields["consumption_kw"], warnings) == (-1.75, -0.25, [])


NO_POWER = (
    "consumption_kw left out: the site has a battery (the storage status lists storage devices) "
    "and this poll gives no battery power"
)


@pytest.mark.parametrize(
    "document",
    [
        status(
            [ess("E1", current=vu(4, "A"))], [{"serial_number": "S1", "ac_current": vu(4, "A")}]
        ),
        # one inverter of two without its power: the inverters cannot stand in for E2
        status(
            [ess("E1", agg_power=vu(-0.75, "kW")), ess("E2", current=vu(4, "A"))],
            [
                {"serial_number": "S1", "ac_power": vu(-0.75, "kW")},
                {"serial_number": "S2", "ac_current": vu(4, "A")},
            ],
        ),
        status(
            [],
            [{"serial_number": "S1", "ac_power": vu("n/a", "kW"), "ac_current": vu(4, "A")}],
        ),
    ],
    ids=["no-power-at-all", "one-system-unmeasured", "inverter-not-a-number"],
)
def test_a_status_without_the_battery_power_leaves_consumption_out(
    document: dict[str, Any],
) -> None:
    fields, warnings, _ = storage_site([LISTED_ESS, LISTED_INVERTER], document)
    assert "battery_kw" not in fields and "consumption_kw" not in fields
    assert (fields["production_kw"], fields["grid_kw"], warnings) == (4.0, -2.5, [NO_POWER])


def test_status_numbers_keep_nine_decimals() -> None:
    """The PVS's own float noise and the W -> kW factor's: each number to 9 decimals in its unit,
    whether a unit is scaled or not."""
    document = {
        "ess_report": {
            "battery_status": [
                {"serial_number": "B1", "customer_state_of_charge": vu(55.00000000000001, "%")}
            ],
            "ess_status": [ess("E1", meter_a={"reading": {"power": vu(2164.3594000000003, "W")}})],
            "inverter_status": [
                {"serial_number": "S1", "temperature": vu(52.550000000000004, "C")},
                {"serial_number": "S2", "a_n_voltage": vu(121.12345678951, "V")},
            ],
        }
    }
    values = [
        {k: v for k, v in record.items() if k not in ("DEVICE_TYPE", "SERIAL", "ORIGIN")}
        for record in to_records(document)
    ]
    assert values == [
        {"customer_soc_percent": 55.0},
        {"ess_meter_a_power_kw": 2.1643594},
        {"temperature_degc": 52.55},
        {"a_n_voltage_v": 121.12345679},
    ]


@pytest.mark.parametrize("via", ["input", "loopback"])
def test_the_published_sunvault_capture_gives_its_battery_power(via: str) -> None:
    """A SunVault site whose two documents were anonymized apart (../shared/real-pvs, see its
    PROVENANCE): the status's ESS meter `agg_power` and its inverter's `ac_power` both say
    -4.962 kW, and consumption = production + grid + battery, through --input and through the
    loopback PVS alike."""
    if not realruns.REAL.is_dir():
        pytest.skip(f"the real PVS captures are not at {realruns.REAL}")
    pair = tuple(f"{realruns.SUNVAULT}/{name}" for name in ("device_list.json", "ess_status.json"))
    outcome = realruns.execute(realruns.Run(f"{realruns.SUNVAULT}.{via}", pair, via))
    assert outcome.status == 0 and "consumption" not in outcome.stderr
    site = line_protocol_parser.parse_line(outcome.stdout.splitlines()[-1])["fields"]
    assert site["battery_kw"] == -4.962
    # the device list's meters: production 5.8049 kW, grid 0.0727 kW
    assert (site["production_kw"], site["grid_kw"]) == (5.8049, 0.0727)
    assert abs(site["consumption_kw"] - (5.8049 + 0.0727 - 4.962)) <= 0.02


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
    golden = (CHARGING / GOLDEN).read_text().splitlines(keepends=True)
    solar = [line for line in golden if line.startswith(SOLAR)]
    assert len(solar) == 11  # the PVS, two meters, eight inverters: as with the status
    assert result.stdout == "".join(solar) + WITHOUT_STATUS
    assert result.stderr.splitlines() == [
        "sunpower-lp: warning: storage status left out: " + reason.format(hostport=pvs.hostport),
        # the device list shows the battery, so its unknown power is no house load of 0
        "sunpower-lp: warning: consumption_kw left out: the site has a battery (the device list "
        "names storage devices) and this poll gives no battery power",
    ]


SOLAR = ("sunpower_pvs,", "sunpower_power_meter,", "sunpower_inverter,")
# The storage devices with what the device list alone says of them, and a summary with no
# battery and no consumption (which would read 4.6826 kW, charging power included, where 3.6146
# is true), no storage alarm count (no status was read).
WITHOUT_STATUS = (
    'sunpower_hub,model=SunPower\\ MIDC\\ SPWR-MIDC-200,serial=00001D4F7A3B state="working",'
    "state_code=0.0\n"
    'sunpower_ess_hub,model=SPWR-Equinox-ESS-Hub,serial=M00122109A0359 state="working",'
    "state_code=0.0\n"
    "sunpower_storage_inverter,model=SchneiderElectric-XW6848-21,serial=BC212200000259 "
    'operational_ac_kw=6.8,rated_ac_kw=6.8,state="working",state_code=0.0\n'
    'sunpower_ess_bms,model=SPWR-Equinox-BMS-model,serial=BC212200000259_01 state="working",'
    "state_code=0.0\n"
    "sunpower_battery,model=SPWR-Equinox-Battery-model,serial=BC212200000259_01_01 "
    'operational_ac_kwh=12.8,rated_ac_kwh=13.0,state="working",state_code=0.0\n'
    "sunpower_battery,model=SPWR-Equinox-Battery-model,serial=BC212200000259_01_02 "
    'operational_ac_kwh=12.9,rated_ac_kwh=13.0,state="working",state_code=0.0\n'
    "sunpower_energy_storage_system,model=SPWR-Equinox-model,serial=00001D4F7A3B_ESS "
    "operational_ac_kw=6.8,operational_ac_kwh=25.7,rated_ac_kw=6.8,rated_ac_kwh=26.0,"
    'state="working",state_code=0.0\n'
    'sunpower_pv_disconnect,model=SPWR-PV-DISCONNECT,serial=M00122109A0359_PVD state="working",'
    "state_code=0.0\n"
    'sunpower_gateway,model=SunPower\\ Gateway,serial=00001D4F7A3B_GW state="working",'
    "state_code=0.0\n"
    "sunpower_site,serial=ZT221285000549W2071 grid_export_kw=1.2015,"
    "grid_export_lifetime_kwh=4102.33,grid_import_kw=0.0,grid_import_lifetime_kwh=6001.4,"
    "grid_kw=-1.2015,grid_net_lifetime_kwh=1899.07,inverter_median_kw=0.35825,"
    "inverter_reading_age_max_s=105.0,inverters_error=0.0,inverters_error_daylight=0.0,"
    "inverters_producing=8.0,inverters_total=8.0,inverters_underperforming=0.0,"
    "inverters_working=8.0,production_kw=5.8841,production_lifetime_kwh=6351.2,"
    'production_source="meter",pvs_uptime_s=604213.0 '
    "1718482290000000000\n"
)


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


LIVE = {k: v for k, v in json.loads((CURRENT / "vars.json").read_text()).items() if "livedata" in k}
LIVEDATA = "/vars?match=/sys/livedata/&fmt=obj"
LIVE_SOC = "/sys/livedata/soc"
TRUE_SITE = {  # the golden's figures, which the PVS's own livedata agrees with
    "consumption_kw": "0.9202",  # site_load_p 0.920200
    "consumption_lifetime_kwh": "8037.829998",  # site_load_en 8037.830078
    "battery_kw": "-4.962",
    "battery_net_lifetime_kwh": "-212.440002",
}


@pytest.mark.parametrize(
    ("reply", "printed"),
    [
        # livedata failed: the battery's ESS is read instead, and its -4.962 kW tells the home's
        # 0.9202 kW; the lifetimes need livedata's battery counter
        (Reply(500, b"busy"), {"consumption_kw", "battery_kw"}),
        # a refused session costs a second login and livedata again: no request is left for the ESS
        (json_reply({"status": 403, "error": "Unauthorized"}, 403), set()),
        (
            json_reply({"errorcode": 400, "errormsg": "bad request"}, 400),
            {"consumption_kw", "battery_kw"},
        ),
        (json_reply({"errorcode": 1, "errormsg": "internal"}), {"consumption_kw", "battery_kw"}),
        # ess_en shows the battery, so its ESS is read: the ESS's own power, -4.962, stands in
        (
            json_reply({**{k: v for k, v in LIVE.items() if "ess_p" not in k}, LIVE_SOC: "nan"}),
            set(TRUE_SITE),
        ),
        (json_reply({**LIVE, "/sys/livedata/ess_en": "0"}), {"consumption_kw", "battery_kw"}),
        (json_reply(LIVE), set(TRUE_SITE)),
    ],
    ids=["500", "403", "400-object", "200-error-object", "no-ess_p", "ess_en-0", "healthy"],
)
def test_odd_livedata_never_changes_a_battery_site_figure(
    standin, reply: Reply, printed: set[str]
) -> None:
    """On the loopback PVS with a battery, whatever livedata answers, consumption and the
    battery's figures are printed right or left out with a warning: never 5.88 kW (the charging
    battery as house load) nor a lifetime jump of the battery's 212 kWh."""
    firmware = CurrentFirmware(
        "ZT221285000549W2071",
        devices=json.loads((CURRENT / "devicelist.json").read_text()),
        vars_=json.loads((CURRENT / "vars.json").read_text()),
    )
    routes = {**firmware.routes(), LIVEDATA: lambda r: reply}
    pvs = standin(routes)
    result = CliRunner().invoke(
        main, ["--host", f"http://{pvs.hostport}"], env={"SUNPOWER_PVS_PASSWORD": ""}
    )
    assert result.exit_code == 0
    site = line_protocol_parser.parse_line(result.stdout.splitlines()[-1])["fields"]
    shown = {name for name in TRUE_SITE if name in site}
    assert shown == printed
    for name in shown:
        assert site[name] == float(TRUE_SITE[name]), name
    # (a soc the PVS does not know is named on its own: not one of these figures)
    figures = [line for line in result.stderr.splitlines() if "battery_soc_percent" not in line]
    assert ("left out" in "\n".join(figures)) is (printed != set(TRUE_SITE))


# -- storage.py's rules at their edges, found unpinned by mutation -----------------------------
# The storage status as device records, each expected record written out by hand from the status
# given (storage.py's rules: one unit per quantity, joined names, states, alarms).


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
