"""Every run the tests make on the real PVS captures (../shared/real-pvs), and their goldens.

Each capture is read with `--input`; the ones a PVS serves as one answer (a device list, with its
storage status where the publisher gave one, or a varserver dump) are also served by the loopback
stand-in and read with `--host`, as a real run reads them. A run's golden is two files under
`fixtures/real-pvs/`: `<run>.lp`, its exact standard output, and `<run>.log`, its exit status
(`exit N`) and exact standard error. They are written by `python -m tests.regen_goldens` only,
so a change of meaning on real data shows as a diff someone approves in a commit.

Paths in what a run prints are the capture's path below `real-pvs/` (runs are made from that
folder), and the stand-in's address is written `PVS`, so the goldens hold on any machine.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from sunpower_telegraf.cli import main
from tests.support.standin import DEVICE_LIST, CurrentFirmware, StandIn, json_reply

REAL = Path(__file__).resolve().parents[3] / "shared" / "real-pvs"
GOLDENS = Path(__file__).resolve().parents[2] / "fixtures" / "real-pvs"
ESS_STATUS = "/cgi-bin/dl_cgi/energy-storage-system/status"
SUNVAULT = "krbaker__hass-sunpower/sunvault-site"
# The PVS serial the varserver dump's own /sys/info gives, which the stand-in logs in with.
VARSERVER = "steveturbek__SunPower-PVS-Supervisor/PVS6_varserver_output_20250930_115822.json"

NOTHING = "the PVS answer has no device that could be mapped to a line"

# What each capture read with `--input` gives, written by hand (tests/test_real_pvs.py checks it):
# capture -> exit status, lines per measurement, the first stderr line ("" for none)
OUTCOMES: dict[str, tuple[int, dict[str, int], str]] = {
    "SunStrong-Management__pypvs/LocalAPI.inverter-data.as-found.txt": (
        1,
        {},
        # the `...` its publisher put between two objects
        "is not JSON: expecting property name enclosed in double quotes at line 16, column 3",
    ),
    "SunStrong-Management__pypvs/LocalAPI.livedata.obj.json": (1, {}, NOTHING),
    "SunStrong-Management__pypvs/LocalAPI.meter-data.obj.json": (
        0,
        {"sunpower_power_meter": 2},
        # the `c` meter has exported 13600 kWh: net, as the capture's own livedata confirms
        # (net_en 6121.31 kWh against the meter's 6121.36)
        "sunpower-lp: warning: site summary left out: the answer names no PVS serial",
    ),
    "SunStrong-Management__pypvs/LocalAPI.name-values.json": (1, {}, NOTHING),
    "SunStrong-Management__pypvs/LocalAPI.name-values.obj.json": (1, {}, NOTHING),
    "cmalek__sungazer/DeviceList.json": (
        0,
        {"sunpower_inverter": 12, "sunpower_power_meter": 2, "sunpower_pvs": 1, "sunpower_site": 1},
        "",
    ),
    "cmalek__sungazer/tests-fixtures/DeviceList.json": (
        0,
        {
            "sunpower_battery": 1,
            "sunpower_energy_storage_system": 1,
            "sunpower_ess_bms": 1,
            "sunpower_gateway": 1,
            "sunpower_inverter": 12,
            "sunpower_power_meter": 2,
            "sunpower_pv_disconnect": 1,
            "sunpower_pvs": 1,
            "sunpower_site": 1,
            "sunpower_storage_inverter": 1,
        },
        # storage devices in error and no storage status: the battery's power is unknown
        "sunpower-lp: warning: consumption_kw left out: the site has a battery (the device list "
        "names storage devices) and this poll gives no battery power",
    ),
    "ginoledesma__sunpower-pvs-exporter/device_list.error.json": (
        0,
        {"sunpower_inverter": 1, "sunpower_power_meter": 2, "sunpower_pvs": 1, "sunpower_site": 1},
        "",
    ),
    "ginoledesma__sunpower-pvs-exporter/device_list.json": (
        0,
        {"sunpower_inverter": 1, "sunpower_power_meter": 2, "sunpower_pvs": 1, "sunpower_site": 1},
        "",
    ),
    "ginoledesma__sunpower-pvs-exporter/sunpower_pvs_notes.DeviceList.json": (
        0,
        {"sunpower_inverter": 3, "sunpower_power_meter": 2, "sunpower_pvs": 1, "sunpower_site": 1},
        "",
    ),
    "jrconlin__sunpower_hass/README.DeviceList.as-found.txt": (
        1,
        {},
        "is not JSON: expecting value at line 78, column 3",  # the excerpt's `...`
    ),
    "jrconlin__sunpower_hass/README.DeviceList.partial.json": (
        0,
        {"sunpower_inverter": 1, "sunpower_power_meter": 1, "sunpower_pvs": 1, "sunpower_site": 1},
        # an old PVS5 production meter that reads all zeros, its lifetime too
        "sunpower-lp: warning: power meter PVS5M527635p: lifetime net_ltea_3phsum_kwh read 0, "
        "left out (a PVS glitch); a production meter that always reads 0 has no CT: run with "
        "--production-source inverters",
    ),
    "kpfleming__esphome-sunpower/pvs-data.json": (
        0,
        {"sunpower_inverter": 37, "sunpower_power_meter": 2, "sunpower_pvs": 1, "sunpower_site": 1},
        "",
    ),
    "krbaker__hass-sunpower/sunvault-site/device_list.json": (
        0,
        {
            "sunpower_battery": 4,
            "sunpower_energy_storage_system": 1,
            "sunpower_ess_bms": 1,
            "sunpower_ess_hub": 1,
            "sunpower_gateway": 1,
            "sunpower_hub": 1,
            "sunpower_inverter": 23,
            "sunpower_power_meter": 2,
            "sunpower_pv_disconnect": 1,
            "sunpower_pvs": 1,
            "sunpower_site": 1,
            "sunpower_storage_inverter": 1,
        },
        # the publisher hand-anonymized two inverters to one serial
        "sunpower-lp: warning: 2 sunpower_inverter lines share serial E12345678901125 and time: "
        "the answer lists that serial more than once, and InfluxDB keeps only one of them",
    ),
    "krbaker__hass-sunpower/sunvault-site/ess_status.json": (
        0,
        {
            "sunpower_energy_storage_system": 1,
            "sunpower_ess_bms": 1,
            "sunpower_hub": 1,
            "sunpower_storage_inverter": 1,
        },
        # a storage status alone names no PVS
        "sunpower-lp: warning: site summary left out: the answer names no PVS serial",
    ),
    "krbaker__hass-sunpower/device_list.json": (
        0,
        {"sunpower_inverter": 20, "sunpower_power_meter": 2, "sunpower_pvs": 1, "sunpower_site": 1},
        "",
    ),
    "smcneece__ha-esunpower/dl_cgi.json": (
        0,
        {"sunpower_inverter": 30, "sunpower_power_meter": 2, "sunpower_pvs": 1, "sunpower_site": 1},
        "",
    ),
    "steveturbek__SunPower-PVS-Supervisor/PVS6_DL_CGI_output_example.json": (
        0,
        {"sunpower_inverter": 1, "sunpower_power_meter": 2, "sunpower_pvs": 1, "sunpower_site": 1},
        "",
    ),
    "steveturbek__SunPower-PVS-Supervisor/PVS6_varserver_output_20250930_115822.json": (
        0,
        {"sunpower_inverter": 12, "sunpower_power_meter": 2, "sunpower_pvs": 1, "sunpower_site": 1},
        # the publisher gave 11 of the 12 inverters one anonymized serial: one series, one time
        "sunpower-lp: warning: 11 sunpower_inverter lines share serial E00123456789 and time: the "
        "answer lists that serial more than once, and InfluxDB keeps only one of them",
    ),
}


@dataclass(frozen=True)
class Run:
    """One run: its golden's name, the captures it reads, and how (`input` or `loopback`)."""

    name: str
    captures: tuple[str, ...]
    via: str


@dataclass(frozen=True)
class Outcome:
    status: int
    stdout: str
    stderr: str

    @property
    def log(self) -> str:
        return f"exit {self.status}\n{self.stderr}"


def captures() -> list[str]:
    """Every capture, as its path below real-pvs/."""
    return sorted(
        str(path.relative_to(REAL))
        for path in REAL.rglob("*")
        if path.is_file() and path.name != "PROVENANCE.md"
    )


def runs() -> list[Run]:
    """Every capture with --input; the one-answer captures through the loopback PVS too."""
    found = [Run(name, (name,), "input") for name in captures()]
    pair = (f"{SUNVAULT}/device_list.json", f"{SUNVAULT}/ess_status.json")
    found.append(Run(f"{SUNVAULT}.input", pair, "input"))
    found.append(Run(f"{SUNVAULT}.loopback", pair, "loopback"))
    for name in captures():
        if name.startswith(SUNVAULT) or not name.endswith(".json"):
            continue
        document = _load(name)
        if isinstance(document, dict) and isinstance(document.get("devices"), list):
            found.append(Run(f"{name}.loopback", (name,), "loopback"))
    found.append(Run(f"{VARSERVER}.loopback", (VARSERVER,), "loopback"))
    return sorted(found, key=lambda run: run.name)


def _load(name: str) -> Any:
    try:
        return json.loads((REAL / name).read_text())
    except ValueError:
        return None


@contextmanager
def _in(folder: Path) -> Iterator[None]:
    before = os.getcwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)


def execute(run: Run) -> Outcome:
    """What the command prints for one run."""
    if run.via == "input":
        arguments = [part for name in run.captures for part in ("--input", name)]
        with _in(REAL):
            result = CliRunner().invoke(main, arguments)
        return Outcome(result.exit_code, result.stdout, result.stderr)
    pvs = StandIn(_routes(run.captures))
    try:
        # http:// as a PVS's own address is read over plain HTTP (the stand-in speaks no TLS):
        # a bare address would try HTTPS first, one request more, as behind a port forward.
        result = CliRunner().invoke(main, ["--host", pvs.url, "--timeout", "30"])
    finally:
        pvs.close()
    stderr = result.stderr.replace(pvs.url, "http://PVS")
    return Outcome(result.exit_code, result.stdout.replace(pvs.url, "http://PVS"), stderr)


def _routes(names: tuple[str, ...]) -> dict[str, Any]:
    """A legacy PVS answering the device list (and the storage status), or current firmware
    serving a varserver dump."""
    documents = [_load(name) for name in names]
    if names == (VARSERVER,):
        variables = documents[0]
        firmware = CurrentFirmware(variables["/sys/info/serialnum"], vars_=variables)
        return {**firmware.routes(), "/cgi-bin/dl_cgi/devices/list": lambda r: json_reply({}, 404)}
    routes: dict[str, Any] = {}
    for document in documents:
        if "ess_report" in document:
            routes[ESS_STATUS] = lambda r, d=document: json_reply(d)
        else:
            routes[DEVICE_LIST] = lambda r, d=document: json_reply(d)
    return routes


def golden(run: Run) -> Outcome:
    """The outcome the repository keeps for a run."""
    log = (GOLDENS / f"{run.name}.log").read_text()
    first, _, stderr = log.partition("\n")
    return Outcome(
        int(first.removeprefix("exit ")), (GOLDENS / f"{run.name}.lp").read_text(), stderr
    )


def write_golden(run: Run) -> None:
    outcome = execute(run)
    path = GOLDENS / run.name
    path.parent.mkdir(parents=True, exist_ok=True)
    Path(f"{path}.lp").write_text(outcome.stdout)
    Path(f"{path}.log").write_text(outcome.log)
