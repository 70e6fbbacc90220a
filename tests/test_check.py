"""`sunpower-lp --check`, the first-run diagnosis, against the loopback PVS in every mode."""

from __future__ import annotations

import json
import re
import ssl
import subprocess
import sys

import pytest
import trustme
from click.testing import CliRunner, Result

from sunpower_telegraf.cli import main
from tests.support.cases import FIXTURES
from tests.support.hostile import reply
from tests.support.standin import DEVICE_LIST, CurrentFirmware, Reply

DAY = (FIXTURES / "pvs6-day" / "devicelist.json").read_bytes()
CURRENT = FIXTURES / "current-storage"


@pytest.fixture(scope="module")
def server_tls() -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    trustme.CA().issue_cert("127.0.0.1").configure_cert(context)
    return context


def check(*args: str, password: str = "") -> Result:
    return CliRunner().invoke(main, ["--check", *args], env={"SUNPOWER_PVS_PASSWORD": password})


def lines(result: Result, hostport: str = "PVS") -> list[str]:
    """stdout after its first line, the version (checked here), with the address and each
    request's time, which vary, made fixed."""
    first, _, text = result.stdout.partition("\n")
    assert re.fullmatch(r"version:   sunpower-lp \d+\.\d+\S*", first), first
    text = text.replace(hostport, "PVS")
    return re.sub(r" in \d+\.\d\d s$", " in T s", text, flags=re.M).splitlines()


def test_legacy_firmware(standin) -> None:
    pvs = standin({DEVICE_LIST: lambda r: Reply(200, DAY)})
    result = check("--host", pvs.hostport)
    assert (result.exit_code, result.stderr) == (0, "")
    assert lines(result, pvs.hostport) == [
        "PVS:       http://PVS (legacy requests), https://PVS (login)",
        "connected: over HTTP; legacy firmware: the DeviceList answered without a login",
        "model:     PV Supervisor PVS6, firmware 2024.6, Build 61707",
        "request:   GET http://PVS/cgi-bin/dl_cgi?Command=DeviceList -> HTTP 200 in T s",
        "found:     1 sunpower_pvs, 2 sunpower_power_meter, 12 sunpower_inverter",
        "inverters: 12 listed, 12 working, 0 in error (normal at night)",
        "now:       producing 3.97 kW, the home uses 1.35 kW, exporting 2.62 kW to the grid",
        'telegraf:  the PVS took 0.0 s in all; use interval = "300s", timeout = "120s" and '
        "sunpower-lp --timeout 100",
    ]
    assert "sunpower_site," not in result.stdout  # a diagnosis, no line protocol


def test_current_firmware_with_a_battery(standin, server_tls) -> None:
    firmware = CurrentFirmware(
        "ZT221285000549W2071",
        devices=json.loads((CURRENT / "devicelist.json").read_text()),
        vars_=json.loads((CURRENT / "vars.json").read_text()),
    )
    pvs = standin(firmware.routes(), tls=server_tls)
    result = check("--host", pvs.hostport)
    assert (result.exit_code, result.stderr) == (0, "")
    shown = lines(result, pvs.hostport)
    assert shown[1:3] == [
        "connected: over HTTP and HTTPS; current firmware: login as ssm_owner accepted",
        "model:     PV Supervisor PVS6, firmware 2025.09, Build 61846",
    ]
    assert [line for line in shown if line.startswith("request:")] == [
        "request:   GET http://PVS/cgi-bin/dl_cgi?Command=DeviceList -> HTTP 403 in T s",
        "request:   GET https://PVS/vars?name=/sys/info/serialnum -> HTTP 200 in T s",
        "request:   GET https://PVS/auth?login -> HTTP 200 in T s",
        "request:   GET https://PVS/cgi-bin/dl_cgi/devices/list -> HTTP 200 in T s",
        "request:   GET https://PVS/vars?match=/sys/livedata/&fmt=obj -> HTTP 200 in T s",
        "request:   GET https://PVS/vars?match=/sys/devices/ess/&fmt=obj -> HTTP 200 in T s",
        "request:   GET https://PVS/vars?match=/sys/devices/transfer_switch/&fmt=obj -> HTTP 200 "
        "in T s",
        "request:   GET https://PVS/auth?logout -> HTTP 200 in T s",
    ]
    assert (
        "now:       producing 5.88 kW, the home uses 0.92 kW, exporting 0.00 kW to the grid, "
        "battery charging 4.96 kW (63 % full)"
    ) in shown
    assert (
        "found:     1 sunpower_pvs, 2 sunpower_power_meter, 8 sunpower_inverter, "
        "1 sunpower_energy_storage_system, 1 sunpower_hub"
    ) in shown


def test_varserver_says_what_it_could_not_read(standin) -> None:
    variables = json.loads((FIXTURES / "varserver-day" / "vars.json").read_text())
    no_livedata = {k: v for k, v in variables.items() if not k.startswith("/sys/livedata/")}
    firmware = CurrentFirmware("ZT230185000549A1234", vars_=no_livedata)
    pvs = standin(firmware.routes())
    result = check("--host", f"http://{pvs.hostport}", "--source", "varserver")
    assert result.exit_code == 0
    shown = lines(result, pvs.hostport)
    assert "connected: over HTTP; current firmware: login as ssm_owner accepted" in shown
    assert "model:     PVS6, firmware 2025.06.61840" in shown
    assert "inverters: 12 reporting (the varserver leaves sleeping ones out)" in shown
    assert "request:   GET http://PVS/vars?match=/sys/livedata/&fmt=obj -> HTTP 400 in T s" in shown
    # Without livedata the consumption meter's export (2.6 kW now) shows it is net, load side.
    assert (
        "now:       producing 3.97 kW, the home uses 1.35 kW, exporting 2.62 kW to the grid"
        in shown
    )


def test_unreachable_pvs(standin) -> None:
    pvs = standin({})
    port = pvs.hostport.rsplit(":", 1)[1]
    pvs.close()
    result = check("--host", f"127.0.0.1:{port}")
    assert (result.exit_code, result.stderr.splitlines()[0]) == (
        1,
        f"sunpower-lp: error: cannot reach the PVS at http://127.0.0.1:{port}{DEVICE_LIST}: "
        "connection refused; check --host and that this machine can reach the PVS",
    )
    assert lines(result, f"127.0.0.1:{port}") == [
        "PVS:       http://PVS (legacy requests), https://PVS (login)",
        f"request:   GET http://PVS{DEVICE_LIST} -> connection refused in T s",
        "result:    no data could be read (the reason is on standard error)",
    ]


def test_wrong_password_is_the_same_first_line_as_a_run(standin) -> None:
    firmware = CurrentFirmware("ZT230185000549A1234", devices=json.loads(DAY))
    pvs = standin(firmware.routes())
    result = check("--host", f"http://{pvs.hostport}", password="wrong")
    run = CliRunner().invoke(
        main, ["--host", f"http://{pvs.hostport}"], env={"SUNPOWER_PVS_PASSWORD": "wrong"}
    )
    assert result.exit_code == run.exit_code == 1
    assert (
        result.stderr.splitlines()[0]
        == run.stderr.splitlines()[0]
        == (
            "sunpower-lp: error: this PVS wants a login and refused ssm_owner with the given "
            "password (HTTP 401); set SUNPOWER_PVS_PASSWORD to the right password"
        )
    )
    assert "request:   GET http://PVS/auth?login -> HTTP 401 in T s" in lines(result, pvs.hostport)


# With --input, --host names a silent loopback port (the `sink` fixture): a request would show
# as a connection there, and hang.


def test_saved_answers_are_explained_without_the_network(tmp_path, sink) -> None:
    saved = tmp_path / "answer.json"
    saved.write_bytes(DAY)
    result = check("--input", str(saved), "--host", sink.hostport, "--timeout", "3")
    assert (result.exit_code, result.stderr, sink.connections) == (0, "", 0)
    assert lines(result) == [
        f"input:     {saved} (saved answers; the PVS is not asked)",
        "model:     PV Supervisor PVS6, firmware 2024.6, Build 61707",
        "found:     1 sunpower_pvs, 2 sunpower_power_meter, 12 sunpower_inverter",
        "inverters: 12 listed, 12 working, 0 in error (normal at night)",
        "site:      producing 3.97 kW, the home uses 1.35 kW, exporting 2.62 kW to the grid",
        "telegraf:  run --check against the PVS itself for the timeout and interval to use",
    ]


def test_saved_battery_site_from_two_files_with_warnings(tmp_path, sink) -> None:
    devices, variables = tmp_path / "devices.json", tmp_path / "vars.json"
    devices.write_bytes((CURRENT / "devicelist.json").read_bytes())
    variables.write_bytes((CURRENT / "vars.json").read_bytes())
    result = check("--input", str(devices), "--input", str(variables), "--host", sink.hostport)
    assert (result.exit_code, sink.connections) == (0, 0)
    shown = lines(result)
    assert shown[0] == (f"input:     {devices}, {variables} (saved answers; the PVS is not asked)")
    assert (
        "site:      producing 5.88 kW, the home uses 0.92 kW, exporting 0.00 kW to the grid, "
        "battery charging 4.96 kW (63 % full)"
    ) in shown
    assert not [line for line in shown if line.startswith(("request:", "connected:", "PVS:"))]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "{file} is empty: there is no PVS answer in it"),
        (b'{"devices": [}', "{file} is not JSON: expecting value at line 1, column 14"),
    ],
    ids=["empty", "not-json"],
)
def test_saved_answers_that_cannot_be_read(tmp_path, sink, body: bytes, message: str) -> None:
    saved = tmp_path / "answer.json"
    saved.write_bytes(body)
    result = check("--input", str(saved), "--host", sink.hostport, "--timeout", "3")
    assert (result.exit_code, result.stdout, sink.connections) == (1, "", 0)
    assert result.stderr.splitlines()[0] == "sunpower-lp: error: " + message.format(file=saved)


def test_check_of_saved_answers_loads_no_http_library(sink) -> None:
    code = (
        "import sys\n"
        "from sunpower_telegraf.cli import main\n"
        "try:\n"
        f"    main(['--check', '--input', {str(FIXTURES / 'pvs6-day' / 'devicelist.json')!r}, "
        f"'--host', {sink.hostport!r}])\n"
        "except SystemExit as exit:\n"
        "    print('exit', exit.code, 'requests' in sys.modules, file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert (done.stderr, sink.connections) == ("exit 0 False\n", 0)
    assert done.stdout.splitlines()[1].startswith("input:     ")


def test_a_plain_http_port_forward_is_shown_as_such(raw_pvs) -> None:
    serial = {
        "count": 1,
        "values": [{"name": "/sys/info/serialnum", "value": "ZT230185000549A1234"}],
    }
    pvs = raw_pvs(
        {
            DEVICE_LIST: reply(403, b'{"status":403,"error":"Unauthorized"}'),
            "/vars?name=/sys/info/serialnum": reply(200, json.dumps(serial).encode()),
            "/auth?login": reply(200, b'{"status":"ok"}', "Set-Cookie: session=s1; Path=/"),
            "/cgi-bin/dl_cgi/devices/list": reply(200, DAY),
            "/auth?logout": reply(200, b'{"status":"ok"}'),
        }
    )
    hostport = pvs.hostport
    result = check("--host", hostport)
    assert result.exit_code == 0
    shown = lines(result, hostport)
    assert shown[:2] == [
        "PVS:       http://PVS (legacy requests), https://PVS (login)",
        "connected: over HTTP; current firmware: login as ssm_owner accepted",
    ]
    assert [line for line in shown if line.startswith("request:")][:3] == [
        f"request:   GET http://PVS{DEVICE_LIST} -> HTTP 403 in T s",
        "request:   GET https://PVS/vars?name=/sys/info/serialnum -> wrong_version_number (what "
        "answers there speaks no HTTPS: a plain-HTTP proxy or port forward?) in T s",
        "request:   GET http://PVS/vars?name=/sys/info/serialnum -> HTTP 200 in T s",
    ]


def test_a_production_meter_without_a_ct_is_said_plainly(tmp_path) -> None:
    """An old PVS5 production meter that reads 0 for everything while the panels report their
    energy: --check says what it is and what to run, and is quiet once that option is given."""
    document = json.loads(DAY)
    for device in document["devices"]:
        if str(device.get("SERIAL", "")).endswith("p") and device["DEVICE_TYPE"] == "Power Meter":
            device.update(p_3phsum_kw="0.0", net_ltea_3phsum_kwh="0.0")
    saved = tmp_path / "answer.json"
    saved.write_text(json.dumps(document))
    result = check("--input", str(saved))
    assert result.exit_code == 0
    assert (  # the twelve inverters' ltea_3phsum_kwh add up to 11698.037
        "advice:    the production meter PVS6M23018549p reads 0 while the inverters report "
        "11698.0 kWh: it has no CT; run with --production-source inverters"
    ) in lines(result)
    quiet = check("--input", str(saved), "--production-source", "inverters")
    assert not [line for line in lines(quiet) if line.startswith("advice:")]
