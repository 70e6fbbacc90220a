"""One schema across firmware: the vocabulary page, its table, and the same site on both firmwares.

`docs/fields.md` is `sunpower_telegraf.fields` printed; the table is held to the mapping (every
field a fixture or a real capture prints is in it, with the source it came from, and every source
name it gives maps to the field in the code); and a legacy answer and a current-firmware answer of
the same site give the same series and the same field names for the same quantities.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import line_protocol_parser
import pytest
from click.testing import CliRunner

from sunpower_telegraf.answer import Answer
from sunpower_telegraf.cli import main
from sunpower_telegraf.devices import to_fields
from sunpower_telegraf.fields import MEASUREMENTS, Field, format_fields
from sunpower_telegraf.lineproto import Point
from sunpower_telegraf.report import Options, to_report
from sunpower_telegraf.storage import to_records
from sunpower_telegraf.varserver import to_varserver
from tests.support.cases import FIXTURES, GOLDEN, case_dirs
from tests.support.realruns import OUTCOMES, REAL

PAGE = Path(__file__).resolve().parent.parent / "docs" / "fields.md"
TABLE = {m.name: m for m in MEASUREMENTS}
# the varserver kind of each measurement's devices
KINDS = {
    "power_meter": "meter",
    "inverter": "inverter",
    "energy_storage_system": "ess",
    "hub": "transfer_switch",
}


def test_the_page_is_the_table() -> None:
    """Rewrite it with: python -m sunpower_telegraf.fields > docs/fields.md"""
    assert PAGE.read_text() == format_fields()


def test_every_field_is_listed_once_with_a_unit_meaning_and_source() -> None:
    for measurement in MEASUREMENTS:
        names = [field.name for field in measurement.fields]
        assert len(names) == len(set(names)), measurement.name
        for field in measurement.fields:
            assert field.meaning and field.sources, field.name
            assert "|" not in field.meaning, field.name  # it would split the table's row
            if field.type == "float":
                assert field.unit, f"{measurement.name}.{field.name} has no unit"


# -- the table against what is printed -------------------------------------------------------------


def kinds_of(documents: list[Any]) -> set[str]:
    """The source kinds a run's documents are."""
    kinds = {"sunpower-lp"}
    for document in documents:
        if isinstance(document, dict) and "devices" in document:
            kinds.add("DL")
        elif isinstance(document, dict) and "ess_report" in document:
            kinds.add("SS")
        elif isinstance(document, dict):
            kinds |= {"VS", "LD"}
    return kinds


def assert_documented(lines: str, kinds: set[str], where: str) -> None:
    for text in lines.splitlines():
        line = line_protocol_parser.parse_line(text)
        name = line["measurement"].removeprefix("sunpower_")
        assert name in TABLE, f"{where}: {name} is not in the vocabulary"
        measurement = TABLE[name]
        assert set(line["tags"]) <= set(re.findall(r"`(\w+)`", measurement.tags)), where
        fields = {field.name: field for field in measurement.fields}
        for key in line["fields"]:
            assert key in fields, f"{where}: {name}.{key} is not in the vocabulary"
            given = {source.partition(":")[0] for source in fields[key].sources}
            assert given & kinds, f"{where}: {name}.{key} comes from {kinds}, not {given}"


@pytest.mark.parametrize("case", case_dirs(), ids=lambda case: case.name)
def test_every_field_a_fixture_prints_is_listed_with_its_source(case: Path) -> None:
    documents = [json.loads(path.read_text()) for path in sorted(case.glob("*.json"))]
    assert_documented((case / GOLDEN).read_text(), kinds_of(documents), case.name)


def test_every_field_a_real_capture_prints_is_listed_with_its_source() -> None:
    if not REAL.is_dir():
        pytest.skip(f"the real PVS captures are not at {REAL}")
    for name, (status, _, _) in sorted(OUTCOMES.items()):
        if status == 0:
            path = REAL / name
            result = CliRunner().invoke(main, ["--input", str(path)])
            assert_documented(result.stdout, kinds_of([json.loads(path.read_text())]), name)


# -- the table against the mapping ---------------------------------------------------------------


def sources(kind: str) -> Iterator[tuple[str, Field, str]]:
    """(measurement, field, name at the PVS) for every source of one kind."""
    for measurement in MEASUREMENTS:
        for field in measurement.fields:
            for source in field.sources:
                if source.startswith(f"{kind}:"):
                    yield measurement.name, field, source.partition(":")[2]


def sample(field: Field) -> str:
    return "X" if field.type == "string" else "1.5"


@pytest.mark.parametrize(
    ("measurement", "field", "key"), list(sources("DL")), ids=lambda v: getattr(v, "name", None)
)
def test_a_device_list_key_is_its_field(measurement: str, field: Field, key: str) -> None:
    record = {key: "working" if key == "STATE" else sample(field)}
    assert field.name in to_fields(record)


@pytest.mark.parametrize(
    ("measurement", "field", "name"), list(sources("VS")), ids=lambda v: getattr(v, "name", None)
)
def test_a_varserver_name_is_its_field(measurement: str, field: Field, name: str) -> None:
    value = "MID_STATE_X" if field.type == "string" else "0.015"
    if measurement == "pvs":
        variables = {f"/sys/info/{name}": value}
    else:
        kind = KINDS[measurement]
        variables = {f"/sys/devices/{kind}/0/sn": "S1", f"/sys/devices/{kind}/0/{name}": value}
    varserver = to_varserver(variables)
    (record,) = varserver.records + varserver.storage
    assert field.name in to_fields(record)


STATUS_UNITS = {"kW": "kW", "kWh": "kWh", "V": "V", "A": "A", "%": "%", "degC": "C"}


@pytest.mark.parametrize(
    ("measurement", "field", "path"),
    [s for s in sources("SS") if s[2] != "errors"],
    ids=lambda v: getattr(v, "name", None),
)
def test_a_storage_status_path_is_its_field(measurement: str, field: Field, path: str) -> None:
    section, *keys = path.split(".")
    leaf: Any = "X" if field.type == "string" else {"value": 1.5, "unit": STATUS_UNITS[field.unit]}
    for key in reversed(keys):
        leaf = {key: leaf}
    if section == "ess_state":  # the state of the ESS at the same index
        report = {"ess_status": [{"serial_number": "S1"}], "ess_state": [leaf]}
    else:
        report = {section: [{"serial_number": "S1", **leaf}]}
    (record,) = to_records({"ess_report": report})
    assert field.name in record


# -- the same site on both firmwares ---------------------------------------------------------------

Key = tuple[str, tuple[tuple[str, str], ...]]


def series(answer: Answer) -> dict[Key, Point]:
    points = to_report(answer, Options(device_time=False)).points
    return {(p.measurement, tuple(sorted(p.tags.items()))): p for p in points}


def given_by(measurement: str, field: str, kinds: set[str]) -> bool:
    found = [f for f in TABLE[measurement.removeprefix("sunpower_")].fields if f.name == field]
    return bool(found) and any(s.partition(":")[0] in kinds for s in found[0].sources)


def load(case: str, name: str) -> Any:
    return json.loads((FIXTURES / case / name).read_text())


def daysim_noon() -> tuple[Answer, Answer]:
    from tests.support.daysim import simulate

    polls, _ = simulate(days=1)
    noon = next(poll for poll in polls if poll.time.hour == 12)
    return Answer(devices=noon.devicelist), Answer(vars=noon.vars)


LEGACY_ONLY = {  # devices the legacy storage status lists and current firmware does not
    "sunpower_ess_bms",
    "sunpower_battery",
    "sunpower_storage_inverter",
    "sunpower_ess_hub",
    "sunpower_pv_disconnect",
    "sunpower_gateway",
}


@pytest.mark.parametrize(
    "pair",
    ["storage", "day", "daysim-noon"],
)
def test_legacy_and_current_firmware_keep_series_and_names(pair: str) -> None:
    """The same site at the same moment, read from a legacy answer (the DeviceList, with the
    storage status) and from current firmware's varserver with livedata."""
    if pair == "storage":
        legacy = Answer(
            devices=load("storage-discharging", "devicelist.json"),
            ess_status=load("storage-discharging", "ess_status.json"),
        )
        current = Answer(vars=load("varserver-storage", "vars.json"))
    elif pair == "day":
        legacy = Answer(devices=load("pvs6-day", "devicelist.json"))
        current = Answer(vars=load("varserver-day", "vars.json"))
    else:
        legacy, current = daysim_noon()
    old, new = series(legacy), series(current)
    assert {key[0] for key in set(old) - set(new)} <= LEGACY_ONLY
    assert set(new) <= set(old)  # no device is a new series after the upgrade
    for key, point in new.items():
        before = old[key]
        measurement = key[0]
        for name, value in point.fields.items():  # what current firmware prints
            if given_by(measurement, name, {"DL", "SS"}):  # and legacy firmware gives too
                assert name in before.fields, f"{measurement}.{name}"
                if measurement not in ("sunpower_pvs", "sunpower_site"):  # the same moment
                    assert before.fields[name] == pytest.approx(value, abs=1e-6), name
        for name in before.fields:
            if given_by(measurement, name, {"VS", "LD"}) and measurement != "sunpower_site":
                assert name in point.fields, f"{measurement}.{name}"


def test_the_battery_has_one_name_for_its_power_on_both_firmwares() -> None:
    """Written out for the quantities the upgrade renamed: 1.925 kW discharging, the hub's
    voltages and MID state, on the same ESS and hub series."""
    legacy = series(
        Answer(
            devices=load("storage-discharging", "devicelist.json"),
            ess_status=load("storage-discharging", "ess_status.json"),
        )
    )
    current = series(Answer(vars=load("varserver-storage", "vars.json")))
    ess = (
        "sunpower_energy_storage_system",
        (("model", "SPWR-Equinox-model"), ("serial", "00001D4F7A3B_ESS")),
    )
    hub = ("sunpower_hub", (("model", "SunPower MIDC SPWR-MIDC-200"), ("serial", "00001D4F7A3B")))
    pvs = ("sunpower_pvs", (("model", "PVS6"), ("serial", "ZT221285000549W2071")))
    for lines in (legacy, current):
        assert lines[ess].fields["p_3phsum_kw"] == 1.925
        assert (lines[ess].fields["v1n_v"], lines[ess].fields["v2n_v"]) == (127.8, 127.8)
        assert lines[hub].fields["mid_state"] == "CLOSED"
        assert (lines[hub].fields["v1n_grid_v"], lines[hub].fields["v1n_v"]) == (127.9, 127.8)
        assert lines[hub].fields["t_degc"] == 33.1
        assert pvs in lines


def test_the_mid_state_is_one_word_on_both_firmwares() -> None:
    """The vendor's own example of a transfer switch says `MID_STATE_CLOSED`; the legacy
    storage status says `CLOSED` for the same contactor."""
    variables = {
        "/sys/devices/transfer_switch/0/sn": "MIDC-1",
        "/sys/devices/transfer_switch/0/midStEnum": "MID_STATE_CLOSED",
        "/sys/devices/transfer_switch/0/pvd1StEnum": "PVD_STATE_CLOSED",
    }
    status = {
        "ess_report": {
            "hub_plus_status": {"serial_number": "MIDC-1", "contactor_position": "CLOSED"}
        }
    }
    current = to_report(Answer(vars=variables), Options(site=False)).points
    legacy = to_report(
        Answer(devices={"devices": []}, ess_status=status), Options(site=False)
    ).points
    assert current == [
        Point("sunpower_hub", {"serial": "MIDC-1"}, {"mid_state": "CLOSED", "pvd1_state": "CLOSED"})
    ]
    assert legacy == [Point("sunpower_hub", {"serial": "MIDC-1"}, {"mid_state": "CLOSED"})]


def test_the_follow_mode_line_is_in_the_vocabulary() -> None:
    """`sunpower_live` (from the websocket) has every field it prints listed, no more, no less."""
    from sunpower_telegraf import telemetry
    from sunpower_telegraf.fields import MEASUREMENTS

    live = next(m for m in MEASUREMENTS if m.name == telemetry.MEASUREMENT)
    assert {field.name for field in live.fields} == set(telemetry.FIELDS)
