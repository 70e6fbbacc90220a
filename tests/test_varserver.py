"""The varserver's devices as DeviceList-shaped records, each expected record written out by hand
from the variables given (varserver.py's rules: names, units, kinds, order, both layouts)."""

from __future__ import annotations

from sunpower_telegraf.varserver import Varserver, to_datatime, to_varserver

D = "/sys/devices/"


def test_records_in_kind_order_with_names_and_units() -> None:
    variables = {
        "/sys/livedata/pv_p": "3.0",  # not a device
        D + "transfer_switch/0/sn": "HUB1",
        D + "transfer_switch/0/midStEnum": "MID_STATE_CLOSED",
        D + "transfer_switch/0/pvd1StEnum": "PVD_STATE_OPEN",
        D + "inverter/1/sn": "INV2",
        D + "inverter/1/p3phsumKw": "0.25",
        D + "inverter/0/sn": "INV1",
        D + "inverter/0/p3phsumKw": "0.2",
        D + "inverter/0/swVer": "4.2",  # identifies, does not measure
        D + "inverter/0/vldFldMsk": "255",
        D + "pump/0/sn": "P1",
        D + "meter/0/sn": "M1p",
        D + "meter/0/prodMdlNm": "PVS6M0400p",
        D + "meter/0/msmtEps": "2025-09-30T15:50:00Z",
        D + "meter/0/i1A": "4.5",
        D + "ess/0/sn": "ESS1",
        D + "ess/0/socVal": "0.5",
        D + "ess/0/customerSocVal": "0.25",
        D + "ess/0/sohVal": "0.987654321",
        D + "ess/0/opMode": "SELF_CONSUMPTION",
        D + "ess/0/p3phsumKw": "-1.5",
        D + "ess/0/socVal_bad": "x",
    }
    assert to_varserver(variables) == Varserver(
        records=[
            {
                "DEVICE_TYPE": "Power Meter",
                "ORIGIN": "varserver",
                "SERIAL": "M1p",
                "MODEL": "PVS6M0400p",
                "DATATIME": "2025,09,30,15,50,00",
                "i1_a": "4.5",
            },
            {
                "DEVICE_TYPE": "Inverter",
                "ORIGIN": "varserver",
                "SERIAL": "INV1",
                "p_3phsum_kw": "0.2",
            },
            {
                "DEVICE_TYPE": "Inverter",
                "ORIGIN": "varserver",
                "SERIAL": "INV2",
                "p_3phsum_kw": "0.25",
            },
            {"DEVICE_TYPE": "Pump", "ORIGIN": "varserver", "SERIAL": "P1"},
        ],
        storage=[
            {
                "DEVICE_TYPE": "Energy Storage System",
                "ORIGIN": "varserver",
                "SERIAL": "ESS1",
                "soc_percent": 50.0,
                "customer_soc_percent": 25.0,
                "soh_percent": 98.765432,
                "operational_mode": "SELF_CONSUMPTION",
                "p_3phsum_kw": "-1.5",
                "soc_val_bad": "x",
            },
            {
                "DEVICE_TYPE": "HUB+",
                "ORIGIN": "varserver",
                "SERIAL": "HUB1",
                "mid_state": "CLOSED",
                "pvd1_state": "OPEN",
            },
        ],
    )


def test_a_storage_value_that_is_no_number_or_state_is_left_out() -> None:
    variables = {
        D + "ess/0/sn": "ESS1",
        D + "ess/0/socVal": "nan",
        D + "ess/0/opMode": "nan",
        D + "transfer_switch/0/sn": "HUB1",
        D + "transfer_switch/0/midStEnum": "",
    }
    assert to_varserver(variables).storage == [
        {"DEVICE_TYPE": "Energy Storage System", "ORIGIN": "varserver", "SERIAL": "ESS1"},
        {"DEVICE_TYPE": "HUB+", "ORIGIN": "varserver", "SERIAL": "HUB1"},
    ]


def test_the_data_layout_and_its_typed_values() -> None:
    variables = {
        D + "1/meter/data": {"sn": "M2c", "p3phsumKw": -0.5, "netLtea3phsumKwh": 10.25},
        D + "0/meter/data": {"sn": "M1p", "p3phsumKw": 3.0},
        D + "2/inverter/data": "not an object",
        D + "0/meter/other": {"sn": "X"},  # neither layout
        D + "3/4/data": {"sn": "Y"},  # a kind named 3? the path layout wins: kind 3, index 4
    }
    assert to_varserver(variables).records == [
        {"DEVICE_TYPE": "Power Meter", "ORIGIN": "varserver", "SERIAL": "M1p", "p_3phsum_kw": 3.0},
        {
            "DEVICE_TYPE": "Power Meter",
            "ORIGIN": "varserver",
            "SERIAL": "M2c",
            "p_3phsum_kw": -0.5,
            "net_ltea_3phsum_kwh": 10.25,
        },
        {"DEVICE_TYPE": "3", "ORIGIN": "varserver", "data": {"sn": "Y"}},
    ]


def test_the_pvs_record_from_sys_info() -> None:
    variables = {
        "/sys/info/serialnum": "ZT01",
        "/sys/info/model": "PVS6",
        "/sys/info/uptime": "3600",
        "/sys/info/ram_usage": "41",
        "/sys/info/sw_rev": "2025.06",
        D + "meter/0/sn": "M1p",
    }
    assert to_varserver(variables).records == [
        {
            "DEVICE_TYPE": "PVS",
            "ORIGIN": "varserver",
            "SERIAL": "ZT01",
            "MODEL": "PVS6",
            "dl_uptime": "3600",
            "ram_usage_percent": "41",
        },
        {"DEVICE_TYPE": "Power Meter", "ORIGIN": "varserver", "SERIAL": "M1p"},
    ]
    only_uptime = to_varserver({"/sys/info/uptime": "5"}).records
    assert only_uptime == [
        {
            "DEVICE_TYPE": "PVS",
            "ORIGIN": "varserver",
            "SERIAL": None,
            "MODEL": None,
            "dl_uptime": "5",
        }
    ]
    assert to_varserver({"/sys/info/sw_rev": "1"}) == Varserver([], [])


def test_iso_time_to_datatime() -> None:
    assert to_datatime(" 2025-09-30T15:50:00.123+00:00 ") == "2025,09,30,15,50,00"
    assert to_datatime("2025-09-30T15:50:00+02:00") is None
    assert to_datatime(1759247400) is None
