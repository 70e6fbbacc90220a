"""One example per rule about what the PVS's numbers mean, each answer written out by hand.

Every expected value here is the PVS's own figure from the documents the test gives, or simple
arithmetic on those figures written out beside it; none is computed by the code under test. Each
test was seen to fail with its rule broken (the rule's name is in the test's name).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from sunpower_telegraf.answer import Answer
from sunpower_telegraf.cli import main
from sunpower_telegraf.devices import parse_datatime
from sunpower_telegraf.lineproto import Point, format_points
from sunpower_telegraf.report import DEFAULTS, Options, to_report
from tests.support.cases import FIXTURES

CHARGING = FIXTURES / "storage-charging"
CHARGING_DEVICES = json.loads((CHARGING / "devicelist.json").read_text())
CHARGING_STATUS = json.loads((CHARGING / "ess_status.json").read_text())
CURRENT = FIXTURES / "current-storage"
CURRENT_DEVICES = json.loads((CURRENT / "devicelist.json").read_text())
CURRENT_VARS = json.loads((CURRENT / "vars.json").read_text())


def site(answer: Answer, options: Options = DEFAULTS) -> tuple[dict[str, Any], list[str]]:
    """The fields of the run's site line, and its warnings."""
    report = to_report(answer, options)
    line = report.points[-1]
    assert line.measurement == "sunpower_site"
    return dict(line.fields), report.warnings


def line(answer: Answer, measurement: str, serial: str) -> Point:
    return next(
        p
        for p in to_report(answer).points
        if p.measurement == measurement and p.tags.get("serial") == serial
    )


# -- a battery lifetime of 0 is a glitch --------------------------------------------------------


def test_battery_lifetime_zero_in_livedata_is_left_out_with_a_warning() -> None:
    variables = {**CURRENT_VARS, "/sys/livedata/ess_en": "0.000000"}
    fields, warnings = site(Answer(devices=CURRENT_DEVICES, vars=variables, firmware="current"))
    assert "battery_net_lifetime_kwh" not in fields
    # consumption = production + grid + battery net would be 6351.2 + 1899.07 + 0 = 8250.27:
    # 212.44 kWh more than the PVS's own 8037.83. It is left out instead.
    assert "consumption_lifetime_kwh" not in fields
    assert fields["consumption_kw"] == 0.9202  # the battery's power is still known: -4.962
    assert warnings == [
        "/sys/livedata/ess_en: lifetime read 0, left out (a PVS glitch)",
        "consumption_lifetime_kwh left out: the site has a battery (/sys/livedata has battery "
        "values) and this poll gives no battery lifetime (ess_en)",
    ]


def test_battery_counters_zero_on_the_varserver_ess_are_left_out_with_a_warning() -> None:
    variables = {
        **CURRENT_VARS,
        "/sys/devices/ess/0/posLtea3phsumKwh": "0.000000",
        "/sys/devices/ess/0/negLtea3phsumKwh": "0",
    }
    report = to_report(Answer(devices=CURRENT_DEVICES, vars=variables, firmware="current"))
    ess = next(p for p in report.points if p.measurement == "sunpower_energy_storage_system")
    assert "pos_ltea_3phsum_kwh" not in ess.fields and "neg_ltea_3phsum_kwh" not in ess.fields
    assert ess.fields["p_3phsum_kw"] == -4.962  # the rest of the ESS is kept
    assert sorted(report.warnings) == [
        "energy storage system 00001D4F7A3B_ESS: lifetime neg_ltea_3phsum_kwh read 0, left out "
        "(a PVS glitch)",
        "energy storage system 00001D4F7A3B_ESS: lifetime pos_ltea_3phsum_kwh read 0, left out "
        "(a PVS glitch)",
    ]


# -- a battery known from anything in the poll ------------------------------------------------


def test_battery_known_only_from_the_device_list_leaves_consumption_out() -> None:
    """The storage status failed: the device list still names the battery. Consumption would
    read 5.8841 - 1.2015 = 4.6826 kW, the charging battery counted as house load, where
    5.8841 - 1.2015 - 1.068 = 3.6146 is true."""
    failed = Answer(
        devices=CHARGING_DEVICES, firmware="legacy", warnings=["storage status left out: ..."]
    )
    fields, warnings = site(failed)
    assert "consumption_kw" not in fields and "battery_kw" not in fields
    assert fields["production_kw"] == 5.8841 and fields["grid_kw"] == -1.2015
    assert warnings[1:] == [
        "consumption_kw left out: the site has a battery (the device list names storage "
        "devices) and this poll gives no battery power"
    ]
    read, _ = site(Answer(devices=CHARGING_DEVICES, ess_status=CHARGING_STATUS, firmware="legacy"))
    assert (read["battery_kw"], read["consumption_kw"]) == (-1.068, 3.6146)


@pytest.mark.parametrize(
    ("variables", "why"),
    [
        ({}, "no /sys/livedata, and current firmware lists no battery elsewhere"),
        (  # a 200 whose body is an error object: no livedata in it
            {"errorcode": 400, "errormsg": "bad request"},
            "no /sys/livedata, and current firmware lists no battery elsewhere",
        ),
        (  # livedata without its battery values
            {k: v for k, v in CURRENT_VARS.items() if k.startswith("/sys/livedata/p")},
            "/sys/livedata gives no battery values, and current firmware lists no battery "
            "elsewhere",
        ),
        (  # the vendor's example: battery values nan beside a storage system's MID
            {
                **{k: v for k, v in CURRENT_VARS.items() if k.startswith("/sys/livedata/")},
                "/sys/livedata/ess_p": "nan",
                "/sys/livedata/ess_en": "nan",
                "/sys/livedata/soc": "nan",
            },
            "/sys/livedata's battery values are nan, but its midstate shows a storage system's MID",
        ),
    ],
    ids=["no-livedata", "error-object", "no-battery-values", "nan-with-mid"],
)
def test_current_firmware_without_battery_values_cannot_tell(
    variables: dict[str, Any], why: str
) -> None:
    """devices/list never names a storage device, so without livedata's battery values the
    poll cannot tell the charging battery (-4.962 kW) from house load: 0.9202 kW is true,
    5.8841 - 0.0019 = 5.8822 would be printed."""
    answer = Answer(devices=CURRENT_DEVICES, vars=variables, firmware="current")
    fields, warnings = site(answer)
    for name in ("consumption_kw", "consumption_lifetime_kwh", "battery_kw"):
        assert name not in fields
    assert fields["grid_kw"] == -0.0019  # what is measured is still printed
    assert warnings == [
        f"consumption_kw left out: this poll cannot tell whether the site has a battery ({why})",
        f"consumption_lifetime_kwh left out: this poll cannot tell whether the site has a "
        f"battery ({why})",
    ]


def test_nan_battery_values_are_the_pvs_saying_none() -> None:
    """A PV-only site: livedata's battery values are nan and midstate 0, so consumption is
    production + grid: 3.9524 - 2.6002 = 1.3522 (the PVS's own site_load_p)."""
    variables = json.loads((FIXTURES / "varserver-day" / "vars.json").read_text())
    live = {k: v for k, v in variables.items() if k.startswith("/sys/livedata/")}
    devices = json.loads((FIXTURES / "pvs6-day" / "devicelist.json").read_text())
    fields, warnings = site(Answer(devices=devices, vars=live, firmware="current"))
    assert (fields["consumption_kw"], warnings) == (1.3522, [])


# -- where the battery's power comes from -------------------------------------------------------


def status_with(agg_power: float | None, ac_power: float) -> dict[str, Any]:
    """The charging status with the ESS meter and the storage inverter made to disagree."""
    status = json.loads(json.dumps(CHARGING_STATUS))
    report = status["ess_report"]
    if agg_power is None:
        del report["ess_status"][0]["ess_meter_reading"]["agg_power"]
    else:
        report["ess_status"][0]["ess_meter_reading"]["agg_power"]["value"] = agg_power
    report["inverter_status"][0]["ac_power"]["value"] = ac_power
    return status


@pytest.mark.parametrize(
    ("agg_power", "ac_power", "battery", "consumption"),
    [
        (-1.068, -1.1, -1.068, 3.6146),  # the ESS meter: 5.8841 - 1.2015 - 1.068
        (None, -1.1, -1.1, 3.5826),  # no ESS meter reading: the inverter, 5.8841 - 1.2015 - 1.1
    ],
    ids=["ess-meter-first", "storage-inverter-second"],
)
def test_battery_power_source_order(
    agg_power: float | None, ac_power: float, battery: float, consumption: float
) -> None:
    answer = Answer(devices=CHARGING_DEVICES, ess_status=status_with(agg_power, ac_power))
    fields, warnings = site(answer)
    assert (fields["battery_kw"], fields["consumption_kw"], warnings) == (
        battery,
        consumption,
        [],
    )


def test_livedata_battery_power_comes_before_the_ess() -> None:
    variables = {**CURRENT_VARS, "/sys/devices/ess/0/p3phsumKw": "-4.5"}
    fields, _ = site(Answer(devices=CURRENT_DEVICES, vars=variables))
    assert fields["battery_kw"] == -4.962  # livedata's ess_p, not the ESS's -4.5
    assert fields["consumption_kw"] == 0.9202  # 5.8841 - 0.0019 - 4.962
    without = {k: v for k, v in variables.items() if k != "/sys/livedata/ess_p"}
    fields, _ = site(Answer(devices=CURRENT_DEVICES, vars=without))
    assert fields["battery_kw"] == -4.5  # then the ESS's own p3phsumKw
    assert fields["consumption_kw"] == 1.3822  # 5.8841 - 0.0019 - 4.5


# -- the state of charge of several batteries ---------------------------------------------------


def test_soc_is_the_average_over_batteries() -> None:
    status = {
        "ess_report": {
            "battery_status": [
                {"serial_number": "B1", "customer_state_of_charge": {"value": 50, "unit": "%"}},
                {"serial_number": "B2", "customer_state_of_charge": {"value": 70, "unit": "%"}},
            ]
        }
    }
    pvs = {"DEVICE_TYPE": "PVS", "SERIAL": "ZT1", "dl_uptime": "1"}
    fields, _ = site(Answer(devices={"devices": [pvs]}, ess_status=status))
    assert fields["battery_soc_percent"] == 60.0  # (50 + 70) / 2


# -- a varserver consumption meter: gross (line side) or net (load side) ----------------------

LIVE = {  # the PVS keeps site_load = pv + net: 1.2 = 3.0 - 1.8, 500 = 2000 - 1500
    "/sys/livedata/pv_p": "3.0",
    "/sys/livedata/net_p": "-1.8",
    "/sys/livedata/site_load_p": "1.2",
    "/sys/livedata/pv_en": "2000.0",
    "/sys/livedata/net_en": "-1500.0",
    "/sys/livedata/site_load_en": "500.0",
    "/sys/livedata/ess_p": "nan",
    "/sys/livedata/ess_en": "nan",
    "/sys/livedata/soc": "nan",
}


def varserver(power: str, lifetime: str | None) -> dict[str, Any]:
    meter = {"sn": "PVS6M1c", "prodMdlNm": "PVS6M0400c", "p3phsumKw": power}
    if lifetime is not None:
        meter["netLtea3phsumKwh"] = lifetime
    return {
        "/sys/info/serialnum": "ZT1",
        **{f"/sys/devices/meter/0/{name}": value for name, value in meter.items()},
        **LIVE,
    }


@pytest.mark.parametrize(
    ("power", "lifetime", "subtype"),
    [
        ("1.2", "500.0", "GROSS_CONSUMPTION_LINESIDE"),  # lifetime = site_load_en
        ("-1.8", "-1500.0", "NET_CONSUMPTION_LOADSIDE"),  # lifetime = net_en
        ("-1.8", "500.0", "GROSS_CONSUMPTION_LINESIDE"),  # the lifetime decides, not the power
        ("1.2", None, "GROSS_CONSUMPTION_LINESIDE"),  # no lifetime: power = site_load_p
        ("-1.8", None, "NET_CONSUMPTION_LOADSIDE"),  # no lifetime: power = net_p
        ("1.2", "0", "GROSS_CONSUMPTION_LINESIDE"),  # lifetime 0, a glitch: the power decides
        ("-1.8", "0.000000", "NET_CONSUMPTION_LOADSIDE"),
    ],
)
def test_gross_or_net_from_the_lifetime_else_the_power(
    power: str, lifetime: str | None, subtype: str
) -> None:
    meter = line(Answer(vars=varserver(power, lifetime)), "sunpower_power_meter", "PVS6M1c")
    assert meter.tags["subtype"] == subtype


# -- a storage status given with --input ---------------------------------------------------------


def test_a_storage_status_given_with_input_is_used() -> None:
    result = CliRunner().invoke(
        main,
        [
            "--input",
            str(CHARGING / "devicelist.json"),
            "--input",
            str(CHARGING / "ess_status.json"),
        ],
    )
    assert (result.exit_code, result.stderr) == (0, "")
    lines = result.stdout.splitlines()
    ess = next(x for x in lines if x.startswith("sunpower_energy_storage_system,"))
    assert ",p_3phsum_kw=-1.068," in ess  # the status's agg_power on the ESS's own line
    assert " battery_kw=-1.068," in lines[-1] and ",consumption_kw=3.6146," in lines[-1]
    assert ",storage_alarms=0.0" in lines[-1]


# -- a zero is real when pos - neg = net, within 1 kWh -------------------------------------------


@pytest.mark.parametrize(
    ("net", "kept"),
    [
        ("99.01", True),  # 100 - 0 - 99.01 = 0.99 kWh: the meter never saw export
        ("98.99", False),  # 100 - 0 - 98.99 = 1.01 kWh: the 0 is a glitch
    ],
)
def test_zero_counter_is_real_when_pos_minus_neg_is_net(net: str, kept: bool) -> None:
    meter = {
        "DEVICE_TYPE": "Power Meter",
        "SERIAL": "M1c",
        "subtype": "NET_CONSUMPTION_LOADSIDE",
        "p_3phsum_kw": "0.5",
        "pos_ltea_3phsum_kwh": "100",
        "neg_ltea_3phsum_kwh": "0",
        "net_ltea_3phsum_kwh": net,
    }
    report = to_report(Answer(devices={"devices": [meter]}), Options(site=False))
    assert ("neg_ltea_3phsum_kwh" in report.points[0].fields) is kept
    glitch = "power meter M1c: lifetime neg_ltea_3phsum_kwh read 0, left out (a PVS glitch)"
    assert report.warnings == ([] if kept else [glitch])


# -- DATATIME: a calendar date ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("2024,02,29,12,00,00", 1709208000),  # 2024 is a leap year
        ("2023,02,29,00,00,00", None),  # 2023 is not
        ("2100,02,29,00,00,00", None),  # a century year is not, unless divisible by 400
        ("1900,02,29,00,00,00", None),  # (and 1900 is before any PVS reading anyway)
        ("2000,02,29,00,00,00", 951782400),  # 2000 is divisible by 400
        ("2100,02,28,00,00,00", 4107456000),
        ("2023,02,28,23,59,59", 1677628799),
        ("2024,01,31,00,00,00", 1706659200),
        ("2024,04,30,00,00,00", 1714435200),
        ("2024,04,31,00,00,00", None),  # April has 30 days
        ("2024,06,31,00,00,00", None),
        ("2024,12,31,23,59,59", 1735689599),
        ("2024,12,32,00,00,00", None),
        ("2024,00,10,00,00,00", None),
        ("2024,05,00,00,00,00", None),
        ("2024,05,10,00,00,60", None),
        ("1970,01,01,00,00,00", 0),
    ],
)
def test_datatime_is_a_calendar_date(text: str, seconds: int | None) -> None:
    assert parse_datatime(text) == (None if seconds is None else seconds * 1_000_000_000)


# -- tags: one series per device, whatever is in its name -----------------------------------------


@pytest.mark.parametrize(
    ("model", "tag"),
    [
        ("SPWR,Equinox", r"model=SPWR\,Equinox"),  # a bare comma is escaped, not a new tag
        ("AC  Module   Type H", r"model=AC\ Module\ Type\ H"),  # runs of spaces are one space
        (" AC_Module_Type_H ", "model=AC_Module_Type_H"),  # no space at either end
        ("a=b", r"model=a\=b"),
    ],
)
def test_model_tag_is_escaped_and_its_spaces_collapsed(model: str, tag: str) -> None:
    inverter = {"DEVICE_TYPE": "Inverter", "SERIAL": "E1", "MODEL": model, "p_3phsum_kw": "0.3"}
    report = to_report(Answer(devices={"devices": [inverter]}), Options(site=False))
    line = f"sunpower_inverter,{tag},serial=E1 p_3phsum_kw=0.3,relative_power_percent=100.0\n"
    assert format_points(report.points) == line


# -- where production comes from ----------------------------------------------------------------

PVS5 = {"DEVICE_TYPE": "PVS", "SERIAL": "ZT5", "MODEL": "PV Supervisor PVS5", "dl_uptime": "1"}
NO_CT = {  # an old PVS5 production meter without a CT: everything reads 0, the lifetime too
    "DEVICE_TYPE": "Power Meter",
    "SERIAL": "PVS5M1p",
    "TYPE": "PVS5-METER-P",
    "p_3phsum_kw": "0",
    "net_ltea_3phsum_kwh": "0",
}
GRID = {
    "DEVICE_TYPE": "Power Meter",
    "SERIAL": "PVS5M1c",
    "subtype": "NET_CONSUMPTION_LOADSIDE",
    "p_3phsum_kw": "0.4",
    "pos_ltea_3phsum_kwh": "700",
    "neg_ltea_3phsum_kwh": "1000",
    "net_ltea_3phsum_kwh": "-300",
}
SUN = [
    {"DEVICE_TYPE": "Inverter", "SERIAL": f"I{n}", "STATE": "working", **values}
    for n, values in enumerate(
        [
            {"p_3phsum_kw": "0.3", "ltea_3phsum_kwh": "480"},
            {"p_3phsum_kw": "0.2", "ltea_3phsum_kwh": "500"},
        ]
    )
]
NO_CT_WARNING = (
    "power meter PVS5M1p: lifetime net_ltea_3phsum_kwh read 0, left out (a PVS glitch); a "
    "production meter that always reads 0 has no CT: run with --production-source inverters"
)
POWERS = ("production_kw", "production_lifetime_kwh", "consumption_kw", "consumption_lifetime_kwh")


@pytest.mark.parametrize(
    ("source", "figures", "said"),
    [
        # the meter's lifetime, a glitch, is left out, and so is the consumption lifetime; its
        # power of 0 while the inverters make 0.3 + 0.2 kW is a glitch too: their sum stands in
        ("auto", (0.5, None, 0.9, None, "meter"), [NO_CT_WARNING]),
        ("meter", (0.0, None, 0.4, None, "meter"), [NO_CT_WARNING]),
        # 480 + 500 = 980 kWh produced; consumed 980 - 300 = 680 kWh, 0.5 + 0.4 = 0.9 kW
        ("inverters", (0.5, 980.0, 0.9, 680.0, "inverters"), []),
    ],
)
def test_production_source(source: str, figures: tuple[Any, ...], said: list[str]) -> None:
    answer = Answer(devices={"devices": [PVS5, NO_CT, GRID, *SUN]})
    fields, warnings = site(answer, Options(production_source=source))
    assert tuple(fields.get(name) for name in (*POWERS, "production_source")) == figures
    assert warnings == said


def test_inverter_production_is_stable_or_left_out() -> None:
    """The inverters' sum is a lifetime only where every inverter is listed with one: a sleeping
    inverter counts (the device list keeps it, in error), one without a lifetime leaves the sum
    out, and the varserver (which drops sleeping inverters) gives none."""
    asleep = {**SUN[1], "STATE": "error", "p_3phsum_kw": "0"}
    options = Options(production_source="inverters")
    fields, _ = site(Answer(devices={"devices": [PVS5, GRID, SUN[0], asleep]}), options)
    assert fields["production_lifetime_kwh"] == 980.0
    glitch = {**SUN[1], "ltea_3phsum_kwh": "0"}
    fields, warnings = site(Answer(devices={"devices": [PVS5, GRID, SUN[0], glitch]}), options)
    assert "production_lifetime_kwh" not in fields
    assert warnings == ["inverter I1: lifetime ltea_3phsum_kwh read 0, left out (a PVS glitch)"]
    variables = json.loads((FIXTURES / "varserver-day" / "vars.json").read_text())
    fields, warnings = site(Answer(vars=variables), options)
    assert "production_lifetime_kwh" not in fields
    assert fields["production_kw"] == 3.7649  # the twelve inverters' sum, not the meter's 3.9712
    assert warnings == [
        "production lifetime left out: the varserver leaves sleeping inverters out, so their "
        "sum is no lifetime; read the device list (--source devicelist)"
    ]


def test_production_meter_advice_for_check() -> None:
    from sunpower_telegraf.site import to_site
    from sunpower_telegraf.summary import production_meter_advice

    no_ct = to_site(Answer(devices={"devices": [PVS5, NO_CT, GRID, *SUN]}))
    assert production_meter_advice(no_ct) == (
        "the production meter PVS5M1p reads 0 while the inverters report 980.0 kWh: it has no "
        "CT; run with --production-source inverters"
    )
    working = {**NO_CT, "p_3phsum_kw": "0.5", "net_ltea_3phsum_kwh": "2000"}
    assert (
        production_meter_advice(to_site(Answer(devices={"devices": [PVS5, working, *SUN]}))) is None
    )
    assert production_meter_advice(to_site(Answer(devices={"devices": [PVS5, NO_CT]}))) is None


# -- the site line's time ------------------------------------------------------------------------


def test_site_time_is_the_time_its_figures_describe() -> None:
    day = json.loads((FIXTURES / "varserver-day" / "vars.json").read_text())
    assert day["/sys/livedata/time"] == "1718480490"
    assert to_report(Answer(vars=day)).points[-1].time_ns == 1718480490_000_000_000
    devices = json.loads((FIXTURES / "pvs6-day" / "devicelist.json").read_text())
    meters = [d["DATATIME"] for d in devices["devices"] if d["DEVICE_TYPE"] == "Power Meter"]
    assert meters == ["2024,06,15,19,42,30", "2024,06,15,19,42,30"]  # 1718480550 s
    assert to_report(Answer(devices=devices)).points[-1].time_ns == 1718480550_000_000_000
    untimed = to_report(Answer(devices=devices), Options(device_time=False)).points[-1]
    assert (untimed.measurement, untimed.time_ns) == ("sunpower_site", None)


# -- lines that would overwrite each other --------------------------------------------------------


def test_two_devices_with_one_serial_and_time_are_named() -> None:
    inverter = {
        "DEVICE_TYPE": "Inverter",
        "SERIAL": "E1",
        "STATE": "working",
        "DATATIME": "2024,06,15,19,40,00",
        "p_3phsum_kw": "0.3",
    }
    later = {**inverter, "DATATIME": "2024,06,15,19,45,00"}
    twice = to_report(Answer(devices={"devices": [inverter, inverter, later]}), Options(site=False))
    assert len(twice.points) == 3  # every line is printed, and the loss is said
    assert twice.warnings == [
        "2 sunpower_inverter lines share serial E1 and time: the answer lists that serial more "
        "than once, and InfluxDB keeps only one of them"
    ]


# -- a device entry that is not an object ---------------------------------------------------------


def test_a_device_entry_that_is_not_an_object_is_skipped() -> None:
    pvs = {"DEVICE_TYPE": "PVS", "SERIAL": "ZT1", "STATE": "working", "dl_uptime": "5"}
    document = {"devices": [1, "x", None, [], pvs, {"DEVICE_TYPE": "Energy Storage System"}]}
    result = CliRunner().invoke(main, ["--input", "-"], input=json.dumps(document))
    assert result.exit_code == 0
    assert result.stdout == (
        'sunpower_pvs,serial=ZT1 dl_uptime=5.0,state="working",state_code=0.0\n'
        "sunpower_site,serial=ZT1 inverters_producing=0.0,inverters_total=0.0,pvs_uptime_s=5.0\n"
    )
    assert result.stderr.splitlines() == [
        "sunpower-lp: warning: skipped device #1: not a JSON object",
        "sunpower-lp: warning: skipped device #2: not a JSON object",
        "sunpower-lp: warning: skipped device #3: not a JSON object",
        "sunpower-lp: warning: skipped device #4: not a JSON object",
        "sunpower-lp: warning: skipped device #6: a device of type Energy Storage System has no "
        "SERIAL",
    ]


# -- one series for the PVS, whatever the firmware ------------------------------------------------


def test_the_pvs_is_its_short_model_on_both_sources() -> None:
    devices = {"devices": [{**PVS5, "MODEL": "PV Supervisor PVS6"}]}
    variables = {"/sys/info/serialnum": "ZT5", "/sys/info/model": "PVS6", "/sys/info/uptime": "1"}
    for answer in (Answer(devices=devices), Answer(vars=variables)):
        assert to_report(answer).points[0].tags == {"serial": "ZT5", "model": "PVS6"}


def test_current_firmware_without_livedata_says_why_consumption_energy_is_left_out(
    tmp_path: Path,
) -> None:
    """A current-firmware poll whose livedata failed, with the battery's ESS read: its power gives
    the home's consumption, but no document gives the battery's energy, and the run says so."""
    current = FIXTURES / "current-storage"
    variables = json.loads((current / "vars.json").read_text())
    ess = tmp_path / "ess.json"
    ess.write_text(json.dumps({k: v for k, v in variables.items() if "/devices/ess/" in k}))
    result = CliRunner().invoke(
        main, ["--input", str(current / "devicelist.json"), "--input", str(ess)]
    )
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        "sunpower-lp: warning: consumption_lifetime_kwh left out: the site has a battery (the "
        "varserver lists storage devices) and this poll gives no battery lifetime (ess_en)"
    ]
    site = result.stdout.splitlines()[-1]
    assert "consumption_kw=0.9202," in site  # 5.8841 produced - 0.0019 exported - 4.962 charging
    assert "consumption_lifetime_kwh" not in site
