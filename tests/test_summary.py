"""summary.py's rules on small hand-made device lists, each expected figure written out by hand
from the devices' own values."""

from __future__ import annotations

from typing import Any

from sunpower_telegraf.answer import Answer
from sunpower_telegraf.livedata import LiveData
from sunpower_telegraf.site import ABSENT, PRESENT, Battery, Site, to_site
from sunpower_telegraf.summary import production_meter_advice, to_summary
from tests.support.records import inverter, net_meter, production_meter, pvs

PVS = pvs(MODEL="PVS6")


def summary(*devices: dict[str, str], **options: Any) -> tuple[dict[str, Any], list[str]]:
    site = to_site(Answer(devices={"devices": [PVS, *devices]}, firmware="legacy"))
    point, warnings = to_summary(site, **options)
    assert point is not None
    return dict(point.fields), warnings


def test_a_small_production_reading_stands_without_inverters() -> None:
    """3 W from the production meter is its reading: no inverter produces to stand in for it.
    Consumption = 0.003 + 0.5 = 0.503; no battery on a legacy list without storage devices."""
    fields, warnings = summary(production_meter("0.003"), net_meter("0.5"))
    assert (fields["production_kw"], fields["consumption_kw"], warnings) == (0.003, 0.503, [])
    fields, _ = summary(
        production_meter("0.003"),
        net_meter("0.5"),
        inverter("I1", "0", kwh="100"),
        inverter("I2", "0", kwh="100"),
    )
    assert fields["production_kw"] == 0.003  # the inverters sleep: nothing stands in


def test_a_production_glitch_takes_the_inverters_power() -> None:
    fields, _ = summary(
        production_meter("0.002"),
        net_meter("0.5"),
        inverter("I1", "0.3", kwh="100"),
        inverter("I2", "0.4", kwh="100"),
    )
    assert (fields["production_kw"], fields["consumption_kw"]) == (0.7, 1.2)  # 0.3 + 0.4; + 0.5
    assert fields["production_lifetime_kwh"] == 5000.0  # the meter's lifetime stays


def test_grid_split_into_import_and_export() -> None:
    fields, _ = summary(production_meter("3.0"), net_meter("-1.25"))
    assert (fields["grid_kw"], fields["grid_import_kw"], fields["grid_export_kw"]) == (
        -1.25,
        0.0,
        1.25,
    )
    assert fields["consumption_kw"] == 1.75  # 3.0 - 1.25
    assert fields["consumption_lifetime_kwh"] == 6000.0  # 5000 + 1000 + 0 (no battery)
    fields, _ = summary(production_meter("0.5"), net_meter("2.0"))
    assert (fields["grid_import_kw"], fields["grid_export_kw"]) == (2.0, 0.0)


def test_advice_only_for_a_meter_reading_0() -> None:
    """A meter whose lifetime is 1 kWh counts: no advice. One whose lifetime reads 0 (left out
    as a glitch) and power 0 while the inverters report 100 + 150 kWh has no CT."""
    inverters = (inverter("I1", "0.2", kwh="100"), inverter("I2", "0.2", kwh="150"))
    counting = to_site(Answer(devices={"devices": [PVS, production_meter("0", "1.0"), *inverters]}))
    assert production_meter_advice(counting) is None
    dead = to_site(Answer(devices={"devices": [PVS, production_meter("0", "0"), *inverters]}))
    assert production_meter_advice(dead) == (
        "the production meter M1p reads 0 while the inverters report 250.0 kWh: it has no CT; "
        "run with --production-source inverters"
    )


def test_a_gross_site_with_a_battery_of_unknown_power_leaves_grid_out() -> None:
    """A line-side meter measures the home (1.5 kW): grid = 1.5 - 3.0 - battery, and the
    battery's power is not in this poll. Its lifetime is not either, which legacy firmware never
    counts: no warning says that every run."""
    gross = {
        "DEVICE_TYPE": "Power Meter",
        "SERIAL": "M1c",
        "subtype": "GROSS_CONSUMPTION_LINESIDE",
        "p_3phsum_kw": "1.5",
        "net_ltea_3phsum_kwh": "7000",
    }
    ess = {"DEVICE_TYPE": "Energy Storage System", "SERIAL": "E1"}
    fields, warnings = summary(production_meter("3.0"), gross, ess)
    assert (fields["consumption_kw"], fields["consumption_lifetime_kwh"]) == (1.5, 7000.0)
    for name in ("grid_kw", "grid_import_kw", "grid_net_lifetime_kwh", "battery_kw"):
        assert name not in fields
    assert warnings == [
        "grid_kw left out: the site has a battery (the device list names storage devices) and "
        "this poll gives no battery power"
    ]


def test_meter_as_production_source_without_a_production_meter_says_so() -> None:
    fields, warnings = summary(
        net_meter("0.5"), inverter("I1", "0.3", kwh="100"), production_source="meter"
    )
    for name in ("production_kw", "production_lifetime_kwh", "production_source"):
        assert name not in fields
    assert fields["grid_kw"] == 0.5
    assert warnings == [
        "production lifetime left out: --production-source meter, and the answer lists no "
        "production meter"
    ]


def test_figures_keep_six_decimals() -> None:
    fields, _ = summary(production_meter("0.1234567"), net_meter("1.0000004"))
    assert (fields["production_kw"], fields["grid_kw"]) == (0.123457, 1.0)
    assert fields["consumption_kw"] == 1.123457  # 0.1234567 + 1.0000004 = 1.1234571


def test_livedata_gives_consumption_without_a_consumption_meter() -> None:
    """The PVS's own figures: 3.0 - 1.8 + 0 (its battery values are nan: none) = 1.2 kW."""
    live = LiveData(pv_kw=3.0, net_kw=-1.8, load_kw=1.2, no_battery=True)
    site = Site(records=[PVS], live=live, battery=Battery(ABSENT, "nan"))
    point, warnings = to_summary(site)
    assert point is not None and warnings == []
    assert (point.fields["consumption_kw"], point.fields["grid_kw"]) == (1.2, -1.8)


def test_a_gross_site_off_legacy_firmware_says_why_its_grid_lifetime_is_left_out() -> None:
    gross = {
        "DEVICE_TYPE": "Power Meter",
        "SERIAL": "M1c",
        "subtype": "GROSS_CONSUMPTION_LINESIDE",
        "p_3phsum_kw": "1.5",
        "net_ltea_3phsum_kwh": "7000",
    }
    site = Site(records=[PVS, production_meter("3.0"), gross], battery=Battery(PRESENT, "an ESS"))
    point, warnings = to_summary(site)
    assert point is not None and "grid_net_lifetime_kwh" not in point.fields
    assert warnings == [
        "grid_kw left out: the site has a battery (an ESS) and this poll gives no battery power",
        "grid_net_lifetime_kwh left out: the site has a battery (an ESS) and this poll gives no "
        "battery lifetime (ess_en)",
    ]


def test_a_gross_meter_without_power_adds_no_grid_warning() -> None:
    """Without the meter's power neither grid nor consumption can be had, battery or not: the
    battery is not why they are left out."""
    gross = {
        "DEVICE_TYPE": "Power Meter",
        "SERIAL": "M1c",
        "subtype": "GROSS_CONSUMPTION_LINESIDE",
        "net_ltea_3phsum_kwh": "7000",
    }
    ess = {"DEVICE_TYPE": "Energy Storage System", "SERIAL": "E1"}
    fields, warnings = summary(production_meter("3.0"), gross, ess)
    assert "grid_kw" not in fields and "consumption_kw" not in fields
    assert warnings == []


def test_a_production_reading_of_exactly_5_w_is_a_reading() -> None:
    fields, _ = summary(
        production_meter("0.005"),
        net_meter("0.5"),
        inverter("I1", "0.3", kwh="100"),
        inverter("I2", "0.4", kwh="100"),
    )
    assert fields["production_kw"] == 0.005
    fields, _ = summary(
        production_meter("0.0049"),
        net_meter("0.5"),
        inverter("I1", "0.3", kwh="100"),
        inverter("I2", "0.4", kwh="100"),
    )
    assert fields["production_kw"] == 0.7  # under 5 W: the inverters' 0.3 + 0.4


def test_no_advice_when_the_inverters_report_no_energy() -> None:
    inverters = [inverter("I1", "0.2", kwh="0"), inverter("I2", "0.2", kwh="0")]
    site = Site(records=[PVS, production_meter("0", "0"), *inverters])
    assert production_meter_advice(site) is None


def test_inverters_stand_in_only_above_5_w() -> None:
    """A production reading under 5 W is a glitch only where the inverters give more than 5 W:
    exactly 0.005 kW from them is no production to stand in, and the meter's 1 W stays."""
    fields, _ = summary(
        production_meter("0.001"), net_meter("0.5"), inverter("I1", "0.005", kwh="100")
    )
    assert (fields["production_kw"], fields["consumption_kw"]) == (0.001, 0.501)
    fields, _ = summary(
        production_meter("0.001"), net_meter("0.5"), inverter("I1", "0.006", kwh="100")
    )
    assert (fields["production_kw"], fields["consumption_kw"]) == (0.006, 0.506)


def test_advice_for_any_energy_the_inverters_report() -> None:
    """Half a kWh from the inverters (0.2 + 0.3) while the meter reads 0 is already energy the
    meter did not count."""
    inverters = [inverter("I1", "0.2", kwh="0.2"), inverter("I2", "0.2", kwh="0.3")]
    site = Site(records=[PVS, production_meter("0", "0"), *inverters])
    assert production_meter_advice(site) == (
        "the production meter M1p reads 0 while the inverters report 0.5 kWh: it has no CT; "
        "run with --production-source inverters"
    )
