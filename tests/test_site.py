"""site.py's rules on small hand-made answers, each expected record or figure written out by hand
from the documents given."""

from __future__ import annotations

import pytest

from sunpower_telegraf.answer import Answer
from sunpower_telegraf.report import to_report
from sunpower_telegraf.site import ABSENT, PRESENT, Battery, to_site
from tests.support.records import pvs, varserver_meter

PVS = pvs(MODEL="PV Supervisor PVS6")


def test_storage_entries_of_one_unlisted_serial_become_one_device() -> None:
    """The status's `ess_state[0]` is the state of `ess_status[0]` (same serial): with no listed
    device of that serial they still make one ESS record, not two lines of one series."""
    status = {
        "ess_report": {
            "ess_status": [
                {
                    "serial_number": "E1",
                    "ess_meter_reading": {"agg_power": {"value": -1.068, "unit": "kW"}},
                }
            ],
            "ess_state": [{"operational_mode": "SELF_CONSUMPTION"}],
        }
    }
    site = to_site(Answer(devices={"devices": [PVS]}, ess_status=status, firmware="legacy"))
    assert site.records == [
        {"DEVICE_TYPE": "PVS", "SERIAL": "ZT1", "MODEL": "PVS6"},
        {
            "DEVICE_TYPE": "Energy Storage System",
            "SERIAL": "E1",
            "ORIGIN": "storage status",
            "operational_mode": "SELF_CONSUMPTION",
            "p_3phsum_kw": -1.068,
        },
    ]


@pytest.mark.parametrize("exported", ["0.9", "1.0"])
def test_a_meter_of_unknown_kind_is_left_out_with_a_warning(exported: str) -> None:
    """No livedata and no export: net or gross cannot be told. 3 W is no export (that is below
    -5 W), and up to 1 kWh of export counter is within the counters' tolerance."""
    site = to_site(
        Answer(vars=varserver_meter(sn="M1c", p3phsumKw="0.003", negLtea3phsumKwh=exported))
    )
    assert [r["DEVICE_TYPE"] for r in site.records] == ["PVS"]
    assert site.warnings == [
        "consumption meter power meter M1c left out: no /sys/livedata to tell a net (load-side) "
        "from a gross (line-side) meter, so the site's grid and consumption are too"
    ]


def test_a_meter_that_exports_is_net() -> None:
    for values in ({"p3phsumKw": "-0.006"}, {"p3phsumKw": "0.5", "negLtea3phsumKwh": "1.1"}):
        site = to_site(Answer(vars=varserver_meter(sn="M1c", **values)))
        assert [r.get("subtype") for r in site.records] == [None, "NET_CONSUMPTION_LOADSIDE"]
        assert site.warnings == []


def test_three_counters_at_0_are_three_glitches() -> None:
    """pos - neg = net holds for 0 - 0 = 0 too, but a meter whose every counter reads 0 read
    nothing: each is left out with a warning."""
    record = {
        "DEVICE_TYPE": "Power Meter",
        "SERIAL": "M1c",
        "subtype": "NET_CONSUMPTION_LOADSIDE",
        "p_3phsum_kw": "0.5",
        "pos_ltea_3phsum_kwh": "0",
        "neg_ltea_3phsum_kwh": "0",
        "net_ltea_3phsum_kwh": "0",
    }
    site = to_site(Answer(devices={"devices": [record]}))
    assert site.records == [
        {
            "DEVICE_TYPE": "Power Meter",
            "SERIAL": "M1c",
            "subtype": "NET_CONSUMPTION_LOADSIDE",
            "p_3phsum_kw": "0.5",
        }
    ]
    assert sorted(site.warnings) == [
        f"power meter M1c: lifetime {side}_ltea_3phsum_kwh read 0, left out (a PVS glitch)"
        for side in ("neg", "net", "pos")
    ]


def test_a_zero_is_real_when_pos_minus_neg_is_net_within_exactly_1_kwh() -> None:
    record = {
        "DEVICE_TYPE": "Power Meter",
        "SERIAL": "M1c",
        "subtype": "NET_CONSUMPTION_LOADSIDE",
        "pos_ltea_3phsum_kwh": "100",
        "neg_ltea_3phsum_kwh": "0",
        "net_ltea_3phsum_kwh": "99",  # 100 - 0 - 99 = 1 kWh: the tolerance itself
    }
    site = to_site(Answer(devices={"devices": [record]}))
    assert (site.records, site.warnings) == ([record], [])


def test_a_zero_lifetime_on_a_meter_left_out_is_still_named() -> None:
    """A consumption meter of unknown kind is left out, and its lifetime of 0 is a glitch the
    warnings name too (the PVS's, not the missing livedata's)."""
    site = to_site(Answer(vars=varserver_meter(sn="M1c", p3phsumKw="0.003", netLtea3phsumKwh="0")))
    assert [r["DEVICE_TYPE"] for r in site.records] == ["PVS"]
    assert site.warnings == [
        "power meter M1c: lifetime net_ltea_3phsum_kwh read 0, left out (a PVS glitch)",
        "consumption meter power meter M1c left out: no /sys/livedata to tell a net (load-side) "
        "from a gross (line-side) meter, so the site's grid and consumption are too",
    ]


@pytest.mark.parametrize(
    "device_type",
    ["HUB+", "Energy Storage System", "ESS BMS", "ESS Hub", "Storage Inverter", "Battery"],
)
def test_any_storage_device_in_a_legacy_list_shows_a_battery(device_type: str) -> None:
    """Rule 6: a legacy device list naming any storage device (a HUB+ alone included: a site
    whose storage status was not read) shows a battery, so a poll without its power leaves the
    home's consumption out rather than count the battery as 0."""
    device = {"DEVICE_TYPE": device_type, "SERIAL": "X1", "STATE": "working"}
    site = to_site(Answer(devices={"devices": [PVS, device]}, firmware="legacy"))
    assert site.battery == Battery(PRESENT, "the device list names storage devices")
    plain = {"DEVICE_TYPE": "Gateway", "SERIAL": "X1", "STATE": "working"}
    site = to_site(Answer(devices={"devices": [PVS, plain]}, firmware="legacy"))
    assert site.battery == Battery(ABSENT, "the device list names no storage device")


def test_an_oversized_record_passes_the_rules_as_it_came() -> None:
    """A record the rules cannot read (1001 keys) is kept as it came, so the mapping says why it
    is skipped: its keys, not that it is no object."""
    big = {"DEVICE_TYPE": "Inverter", "SERIAL": "E1", **{f"x{i}": "1" for i in range(999)}}
    report = to_report(Answer(devices={"devices": [PVS, big]}))
    expected = "skipped device #2: Inverter E1 has 1001 keys; a PVS device has under 100"
    assert expected in report.warnings


def test_an_import_counter_of_0_is_real_when_the_meter_only_exported() -> None:
    """pos - neg = net: 0 - 50 = -50, so the import counter's 0 is real (a meter that never saw
    import), kept without a warning; pos + neg would not hold (0 + 50 is not -50)."""
    record = {
        "DEVICE_TYPE": "Power Meter",
        "SERIAL": "M1c",
        "subtype": "NET_CONSUMPTION_LOADSIDE",
        "pos_ltea_3phsum_kwh": "0",
        "neg_ltea_3phsum_kwh": "50",
        "net_ltea_3phsum_kwh": "-50",
    }
    site = to_site(Answer(devices={"devices": [record]}))
    assert (site.records, site.warnings) == ([record], [])


@pytest.mark.parametrize(("keys", "warned"), [(1000, True), (1001, False)])
def test_the_rules_read_a_record_of_up_to_1000_keys(keys: int, warned: bool) -> None:
    """A net meter whose lifetime reads 0: a glitch the rules name, on a record of 1000 keys; one
    of 1001 is no record the rules read (the mapping skips it, saying why)."""
    record = {
        "DEVICE_TYPE": "Power Meter",
        "SERIAL": "M1c",
        "subtype": "NET_CONSUMPTION_LOADSIDE",
        "net_ltea_3phsum_kwh": "0",
        **{f"x{i}": "1" for i in range(keys - 4)},
    }
    site = to_site(Answer(devices={"devices": [record]}))
    glitch = "power meter M1c: lifetime net_ltea_3phsum_kwh read 0, left out (a PVS glitch)"
    assert site.warnings == ([glitch] if warned else [])


@pytest.mark.parametrize(
    ("load", "net", "subtype"),
    [
        ("0.0", "-3.0", "GROSS_CONSUMPTION_LINESIDE"),  # the home uses nothing: the meter's 0
        ("3.0", "0.0", "NET_CONSUMPTION_LOADSIDE"),  # nothing crosses the grid: the meter's 0
        ("0.05", "0.0", "NET_CONSUMPTION_LOADSIDE"),  # 50 W apart: enough to tell
        ("0.04", "0.0", None),  # 40 W apart: a power of 0 tells nothing
    ],
)
def test_a_meter_power_of_0_tells_its_kind_only_beside_a_clear_difference(
    load: str, net: str, subtype: str | None
) -> None:
    """A meter reading 0 kW with no lifetime: it measures whichever of livedata's home load and
    grid power reads 0, where the two differ by at least 50 W."""
    variables = {
        **varserver_meter(sn="M1c", p3phsumKw="0"),
        "/sys/livedata/pv_p": "3.0",
        "/sys/livedata/site_load_p": load,
        "/sys/livedata/net_p": net,
    }
    site = to_site(Answer(vars=variables))
    meters = [r for r in site.records if r["DEVICE_TYPE"] == "Power Meter"]
    assert [r["subtype"] for r in meters] == ([subtype] if subtype else [])


def test_5_w_of_export_is_noise() -> None:
    """Without livedata, only a power below -5 W shows export: exactly -5 W tells nothing."""
    site = to_site(Answer(vars=varserver_meter(sn="M1c", p3phsumKw="-0.005")))
    assert [r["DEVICE_TYPE"] for r in site.records] == ["PVS"]
    site = to_site(Answer(vars=varserver_meter(sn="M1c", p3phsumKw="-0.0051")))
    assert [r.get("subtype") for r in site.records] == [None, "NET_CONSUMPTION_LOADSIDE"]
