"""The failure contract under every fault a hostile PVS, host or input can cause.

On success: exit 0 and only lines that parse (and that a real influxd accepts). On failure: nothing
on stdout, one plain `sunpower-lp: error: ...` line first on stderr, exit 1, no traceback; the run
ends within --timeout (plus a second for the logout); the session is logged out; no secret leaves
for anywhere but the PVS. Each class of fault is proven once at the depth where it arises.
"""

from __future__ import annotations

import json
import os
import signal
import ssl
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import line_protocol_parser
import pytest
import trustme
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sunpower_telegraf.cli import main
from sunpower_telegraf.pvs import Target
from tests.support.cases import FIXTURES, GOLDEN
from tests.support.contract import assert_failed, assert_result_failed
from tests.support.hostile import HANDSHAKE_FAILURE, TLS_HELLO, raw, reply, silent, trickle
from tests.support.influx import Influxd
from tests.support.standin import DEVICE_LIST, CurrentFirmware, Reply, json_reply

DAY = FIXTURES / "pvs6-day"
DAY_BODY = (DAY / "devicelist.json").read_bytes()
DAY_LINES = (DAY / GOLDEN).read_text()
CHARGING = FIXTURES / "storage-charging"
SERIAL = "ZT230185000549A1234"
ESS_STATUS = "/cgi-bin/dl_cgi/energy-storage-system/status"
LIVEDATA = "/vars?match=/sys/livedata/&fmt=obj"
LOGIN = "/auth?login"
LOGOUT = "/auth?logout"
SLOW_HEAD = b"HTTP/1.1 200 OK\r\nX-Slow: " + b"y" * 2000  # never a complete answer
NO_BYPASS = {"NO_PROXY": None, "no_proxy": None}  # so that a proxy variable would be used
# Livedata that says only that there is no battery, so the lines are the device list's own.
NO_BATTERY = {f"/sys/livedata/{name}": "nan" for name in ("ess_p", "ess_en", "soc")}


def command(
    *args: str, env: dict[str, str] | None = None, **kwargs: Any
) -> subprocess.CompletedProcess[bytes]:
    """The command in a real process; a run that outlives its deadline by far fails the test."""
    return subprocess.run(
        [sys.executable, "-m", "sunpower_telegraf", *args],
        capture_output=True,
        env={**os.environ, "SUNPOWER_PVS_PASSWORD": "", **(env or {})},
        timeout=30,
        **kwargs,
    )


def invoke(
    *args: str, env: dict[str, str | None] | None = None, input: bytes | None = None
) -> Result:
    return CliRunner().invoke(
        main, list(args), env={"SUNPOWER_PVS_PASSWORD": "", **(env or {})}, input=input
    )


def current_firmware(pvs_behaviours: dict[str, Any]) -> dict[str, Any]:
    """Raw-socket routes of a current-firmware PVS, with some replaced."""
    serial = json.dumps({"count": 1, "values": [{"name": "/sys/info/serialnum", "value": SERIAL}]})
    return {
        DEVICE_LIST: reply(403, b'{"status":403,"error":"Unauthorized"}'),
        "/vars?name=/sys/info/serialnum": reply(200, serial.encode()),
        LOGIN: reply(200, b'{"status":"ok"}', "Set-Cookie: session=s1; Path=/"),
        "/cgi-bin/dl_cgi/devices/list": reply(200, DAY_BODY),
        LIVEDATA: reply(200, json.dumps(NO_BATTERY).encode()),
        LOGOUT: reply(200, b'{"status":"ok"}'),
        **pvs_behaviours,
    }


# -- data that was fetched is never lost to what comes after it ---------------------------------


@pytest.mark.parametrize("fault", ["silent", "trickle"])
def test_a_late_storage_status_keeps_the_device_lines(raw_pvs, fault: str) -> None:
    devices = (CHARGING / "devicelist.json").read_bytes()
    pvs = raw_pvs({DEVICE_LIST: reply(200, devices)})
    status = reply(200, (CHARGING / "ess_status.json").read_bytes())
    pvs.behaviours[ESS_STATUS] = silent(pvs) if fault == "silent" else trickle(pvs, SLOW_HEAD)
    done = command("--host", pvs.hostport, "--timeout", "2")
    assert done.returncode == 0, done.stderr
    without = invoke("--input", str(CHARGING / "devicelist.json")).stdout
    assert done.stdout.decode() == without
    assert done.stderr.decode().splitlines() == [
        f"sunpower-lp: warning: storage status left out: the PVS did not answer in time "
        f"(http://{pvs.hostport}{ESS_STATUS})",
        "sunpower-lp: warning: consumption_kw left out: the site has a battery (the device list "
        "names storage devices) and this poll gives no battery power",
    ]
    assert status  # the answer it would have given


@pytest.mark.parametrize("late", [LIVEDATA, LOGOUT])
def test_a_late_livedata_or_logout_keeps_the_data(raw_pvs, late: str) -> None:
    pvs = raw_pvs(current_firmware({}))
    pvs.behaviours[late] = silent(pvs)
    done = command("--host", f"http://{pvs.hostport}", "--timeout", "3")
    assert done.returncode == 0, done.stderr
    warnings = done.stderr.decode().splitlines()
    if late == LIVEDATA:
        # Without livedata current firmware cannot tell a battery's power from the home's.
        site = DAY_LINES.splitlines(keepends=True)[-1]
        kept = site.replace("consumption_kw=1.3533,consumption_lifetime_kwh=8788.66,", "")
        assert done.stdout.decode() == DAY_LINES.replace(site, kept)
        unknown = (
            "left out: this poll cannot tell whether the site has a battery (no /sys/livedata, "
            "and current firmware lists no battery elsewhere)"
        )
        assert warnings == [
            "sunpower-lp: warning: site figures (/sys/livedata) left out: the PVS did not answer "
            f"in time (http://{pvs.hostport}{LIVEDATA})",
            # without livedata the battery's ESS is asked, with no time left for it
            "sunpower-lp: warning: battery (/sys/devices/ess) left out: the PVS did not answer "
            f"in time (http://{pvs.hostport}/vars?match=/sys/devices/ess/&fmt=obj)",
            f"sunpower-lp: warning: consumption_kw {unknown}",
            f"sunpower-lp: warning: consumption_lifetime_kwh {unknown}",
        ]
    else:
        assert done.stdout.decode() == DAY_LINES
        assert warnings == []  # a logout that goes unanswered costs nothing
    assert pvs.paths()[-1] == LOGOUT


def test_a_trickling_logout_is_bounded_in_whole(raw_pvs) -> None:
    pvs = raw_pvs(current_firmware({}))
    pvs.behaviours[LOGOUT] = trickle(pvs, b"HTTP/1.1 200 OK\r\nX: " + b"y" * 10_000, every=0.01)
    done = command("--host", f"http://{pvs.hostport}", "--timeout", "30")
    assert (done.returncode, done.stdout.decode()) == (0, DAY_LINES)


def test_the_deadline_after_a_login_still_logs_out(raw_pvs) -> None:
    pvs = raw_pvs(current_firmware({}))
    pvs.behaviours["/cgi-bin/dl_cgi/devices/list"] = trickle(pvs, SLOW_HEAD)
    done = command("--host", f"http://{pvs.hostport}", "--timeout", "2")
    assert_failed(
        done.returncode,
        done.stdout,
        done.stderr,
        f"the PVS at http://{pvs.hostport} did not finish answering within 2 s; raise --timeout "
        "(and Telegraf's timeout) if it is just slow",
    )
    assert pvs.paths()[-1] == LOGOUT


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_still_logs_out_and_says_so_plainly(raw_pvs, signum: int) -> None:
    pvs = raw_pvs(current_firmware({}))
    pvs.behaviours["/cgi-bin/dl_cgi/devices/list"] = silent(pvs)
    process = subprocess.Popen(
        [sys.executable, "-m", "sunpower_telegraf", "--host", f"http://{pvs.hostport}"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "SUNPOWER_PVS_PASSWORD": ""},
    )
    deadline = time.monotonic() + 20
    while "/cgi-bin/dl_cgi/devices/list" not in pvs.paths() and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signum)
    stdout, stderr = process.communicate(timeout=20)
    name = signal.Signals(signum).name
    assert_failed(
        process.returncode,
        stdout,
        stderr,
        f"stopped by {name} before the PVS finished answering; keep Telegraf's timeout above "
        "--timeout",
    )
    assert pvs.paths()[-1] == LOGOUT


@pytest.mark.parametrize(
    ("sent", "reason"),
    [
        (
            b"HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n" + DAY_BODY[:100],
            "the answer was cut off after 100 bytes",
        ),
        (b"SSH-2.0-OpenSSH_9.2\r\n", "what it sent is not HTTP"),
        (b"", "it closed the connection without answering"),
    ],
    ids=["cut-off", "not-http", "closed"],
)
def test_a_pvs_that_breaks_off_is_a_plain_error(raw_pvs, sent: bytes, reason: str) -> None:
    pvs = raw_pvs({})
    pvs.behaviours[DEVICE_LIST] = raw(sent)
    result = invoke("--host", pvs.hostport)
    assert_result_failed(
        result,
        f"cannot reach the PVS at http://{pvs.hostport}{DEVICE_LIST}: {reason}; check --host "
        "and that this machine can reach the PVS",
    )


# -- secrets go to the PVS and nowhere else ------------------------------------------------------


@pytest.mark.parametrize("variable", ["HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy"])
def test_proxy_variables_are_not_used(standin, variable: str) -> None:
    """A bare host: the DeviceList over HTTP, the login and the data over HTTPS, so that each
    variable would catch some of the run, the login included."""
    proxy = standin({})
    firmware = CurrentFirmware(SERIAL, devices=json.loads(DAY_BODY), vars_=NO_BATTERY)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    trustme.CA().issue_cert("127.0.0.1").configure_cert(context)
    pvs = standin(firmware.routes(), tls=context)
    result = invoke("--host", pvs.hostport, env={variable: proxy.url, **NO_BYPASS})
    assert (result.exit_code, result.stdout) == (0, DAY_LINES)
    assert proxy.requests == []
    assert LOGIN in pvs.paths()


def test_an_explicit_proxy_is_used(standin) -> None:
    proxy = standin(
        {f"http://127.0.0.1:9/{DEVICE_LIST.lstrip('/')}": lambda r: Reply(200, DAY_BODY)}
    )
    result = invoke("--host", "127.0.0.1:9", "--proxy", proxy.url)
    assert (result.exit_code, result.stdout) == (0, DAY_LINES)
    assert proxy.paths() == [f"http://127.0.0.1:9{DEVICE_LIST}"]


def test_netrc_does_not_authenticate(standin, tmp_path: Path) -> None:
    (tmp_path / ".netrc").write_text("machine 127.0.0.1 login someone password s3cret\n")
    (tmp_path / ".netrc").chmod(0o600)
    pvs = standin({DEVICE_LIST: lambda r: Reply(200, DAY_BODY)})
    result = invoke(
        "--host", pvs.hostport, env={"HOME": str(tmp_path), "NETRC": str(tmp_path / ".netrc")}
    )
    assert (result.exit_code, result.stdout) == (0, DAY_LINES)
    assert "authorization" not in pvs.requests[0].headers


def test_user_info_in_host_is_refused_and_never_repeated() -> None:
    result = invoke("--host", "http://admin:hunter2@127.0.0.1:1")
    assert_result_failed(
        result,
        "--host must not carry a user name or password (user:pass@); give the password in "
        "SUNPOWER_PVS_PASSWORD",
    )
    assert "hunter2" not in result.output


def test_a_password_outside_latin1_works(standin) -> None:
    firmware = CurrentFirmware(SERIAL, devices=json.loads(DAY_BODY), vars_=NO_BATTERY)
    firmware.password = "Ωμέγα€"
    pvs = standin(firmware.routes())
    result = invoke("--host", f"http://{pvs.hostport}", env={"SUNPOWER_PVS_PASSWORD": "Ωμέγα€"})
    assert (result.exit_code, result.stdout) == (0, DAY_LINES)


def test_a_serial_outside_latin1_works(standin) -> None:
    firmware = CurrentFirmware("ZT1234ΩΩ€€€", devices=json.loads(DAY_BODY), vars_=NO_BATTERY)
    pvs = standin(firmware.routes())
    result = invoke("--host", f"http://{pvs.hostport}")
    assert (result.exit_code, result.stdout) == (0, DAY_LINES)
    assert pvs.requests[2].basic_auth == ("ssm_owner", "ΩΩ€€€")  # the serial's last 5 characters


def test_a_pvs_message_cannot_forge_a_line(standin) -> None:
    forged = {"result": "error", "msg": "busy\nsunpower-lp: error: forged\r\x1b[2K"}
    pvs = standin({DEVICE_LIST: lambda r: json_reply(forged)})
    result = invoke("--host", pvs.hostport)
    assert result.stderr == (
        "sunpower-lp: error: the PVS answered result 'error' to the device list: busy "
        "sunpower-lp: error: forged [2K\n"  # the escape character is gone, its text is harmless
    )


# -- every input is bounded in time and memory ----------------------------------------------------


def test_a_device_with_100000_keys_is_skipped(tmp_path: Path) -> None:
    document = json.loads(DAY_BODY)
    document["devices"][3] = {**document["devices"][3], **{f"k{n}": "1" for n in range(100_000)}}
    keys = len(document["devices"][3])
    path = tmp_path / "many-keys.json"
    path.write_text(json.dumps(document))
    result = invoke("--input", str(path), "--no-site-summary")
    assert result.exit_code == 0
    assert len(result.stdout.splitlines()) == len(DAY_LINES.splitlines()) - 2
    assert result.stderr.splitlines() == [
        f"sunpower-lp: warning: skipped device #4: Inverter E00122283711540 has {keys} keys; a "
        "PVS device has under 100"
    ]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            b'{"devices": ' + b"[" * 200_000 + b"]" * 200_000 + b"}",
            "standard input is JSON no PVS sends (nested too deeply, or a number thousands of "
            "digits long)",
        ),
        (
            b'{"devices": [{"DEVICE_TYPE": "PVS", "SERIAL": "Z", "x": ' + b"9" * 5000 + b"}]}",
            "standard input is JSON no PVS sends (nested too deeply, or a number thousands of "
            "digits long)",
        ),
        (b" " * (8 * 1024 * 1024 + 1), "standard input is larger than 8 MiB: not a PVS answer"),
    ],
    ids=["deep", "long-number", "huge"],
)
def test_absurd_documents_are_plain_errors(body: bytes, message: str) -> None:
    result = invoke("--input", "-", input=body)
    assert_result_failed(result, message)


def test_absurd_numbers_in_values_are_left_out() -> None:
    record = {
        "DEVICE_TYPE": "PVS",
        "SERIAL": "Z",
        "DATATIME": "2024,06,15," + "1" * 5000 + ",00,00",
        "dl_uptime": "9" * 5000,
        "dl_cpu_load": "0.5",
    }
    variables = {f"/sys/devices/inverter/{'7' * 5000}/sn": "E1", "/sys/info/serialnum": "Z"}
    result = invoke("--input", "-", input=json.dumps({"devices": [record]}).encode())
    assert result.stdout.splitlines()[0] == "sunpower_pvs,serial=Z dl_cpu_load=0.5"
    assert result.stderr.splitlines() == [
        "sunpower-lp: warning: Z: DATATIME is not a time; written at collection time"
    ]
    result = invoke("--input", "-", "--no-site-summary", input=json.dumps(variables).encode())
    assert result.exit_code == 1  # nothing left to map, and no crash


def test_half_a_million_junk_devices_give_a_summarising_warning() -> None:
    junk = [{"x": n} for n in range(500_000)]
    document = {"devices": [json.loads(DAY_BODY)["devices"][0], *junk]}
    result = invoke("--input", "-", "--no-site-summary", input=json.dumps(document).encode())
    assert (result.exit_code, result.stdout) == (0, DAY_LINES.splitlines(keepends=True)[0])
    assert result.stderr.splitlines() == [
        *(
            f"sunpower-lp: warning: skipped device #{n}: a device has no DEVICE_TYPE"
            for n in range(2, 12)
        ),
        "sunpower-lp: warning: only the first 10000 devices are read; a PVS has far fewer",
        "sunpower-lp: warning: skipped 9989 more devices that could not be mapped",
    ]


# -- every line that is printed is accepted --------------------------------------------------------


def test_long_names_and_values_are_cut_and_accepted(influxd: Influxd) -> None:
    record = {
        "DEVICE_TYPE": "Inverter " + "x" * 70_000,
        "SERIAL": "S" * 70_000,
        "MODEL": "M" * 70_000,
        "k" * 70_000: "1.5",
        "p_3phsum_kw": "0.3",
    }
    result = invoke("--input", "-", input=json.dumps({"devices": [record]}).encode())
    assert result.exit_code == 0
    line = result.stdout.splitlines()[0]
    parsed = line_protocol_parser.parse_line(line)
    assert len(parsed["measurement"]) == len("sunpower_") + 128
    assert parsed["tags"] == {"serial": "S" * 256, "model": "M" * 256}
    assert set(parsed["fields"]) == {"k" * 128, "p_3phsum_kw"}
    influxd.create("long")
    assert influxd.write("long", result.stdout) == (204, "")


def test_text_that_cannot_be_encoded_is_replaced(influxd: Influxd) -> None:
    body = (
        b'{"devices": [{"DEVICE_TYPE": "PVS", "SERIAL": "Z\\ud800\xed\xa0\x80", "dl_uptime": "1"}]}'
    )
    result = command("--input", "-", "--no-site-summary", input=body)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "sunpower_pvs,serial=Z?\ufffd\ufffd\ufffd dl_uptime=1.0\n".encode()
    influxd.create("encoding")
    assert influxd.write("encoding", result.stdout.decode()) == (204, "")


@pytest.mark.parametrize("locale", ["C", "POSIX", "en_US.ISO-8859-1"])
def test_output_is_utf8_whatever_the_locale(locale: str) -> None:
    body = json.dumps({"devices": [{"DEVICE_TYPE": "PVS", "SERIAL": "Zürich→☀", "dl_uptime": "1"}]})
    env = {"LANG": locale, "LC_ALL": locale, "PYTHONIOENCODING": "", "PYTHONUTF8": "0"}
    result = command("--input", "-", "--no-site-summary", input=body.encode(), env=env)
    assert (result.returncode, result.stderr) == (0, b"")
    assert result.stdout == "sunpower_pvs,serial=Zürich→☀ dl_uptime=1.0\n".encode()


def test_a_storage_string_never_takes_a_number_name() -> None:
    """`temperature_v` as a state in the status and as a number on the device: one type."""
    devices = {"devices": [{"DEVICE_TYPE": "ESS BMS", "SERIAL": "B1", "STATE": "working"}]}
    status = {
        "ess_report": {
            "battery_status": [
                {
                    "serial_number": "B1",
                    "temperature_v": "HOT",
                    "battery_voltage": {"value": 5, "unit": "V"},
                }
            ]
        }
    }
    from sunpower_telegraf.answer import Answer
    from sunpower_telegraf.report import to_report

    report = to_report(Answer(devices=devices, ess_status=status))
    assert report.points[0].fields == {"v_batt_v": 5.0, "state": "working", "state_code": 0.0}


# -- the command line and the host ------------------------------------------------------------------


@pytest.mark.parametrize("value", ["inf", "nan", "-1", "0", "1e9", "3600.5"])
def test_absurd_timeouts_are_usage_errors(value: str) -> None:
    result = invoke("--timeout", value)
    assert result.exit_code == 2
    assert (
        "Invalid value for '--timeout': give a number of seconds above 0 and at most 3600"
        in result.stderr
    )


@pytest.mark.parametrize(
    "host",
    [
        "http://[::1",
        "http://[]:1",
        "a..b",
        "x" * 64 + ".lan",
        "pvs:99999",
        "http://pvs:port",
        "pvs/x",
        "ftp://pvs",
        "http://",
        "http://pvs?x=1",
        "\x1bpvs",
    ],
)
def test_malformed_hosts_are_plain_errors(host: str) -> None:
    result = invoke("--host", host)
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith("sunpower-lp: error: --host ")
    assert result.stderr.endswith("is not a host name, address or http(s):// URL\n")
    assert len(result.stderr.splitlines()) == 1


@pytest.mark.parametrize("host", ["[::1]:1", "http://[::1]:1"])
def test_well_formed_hosts_are_tried(host: str) -> None:
    result = invoke("--host", host, "--timeout", "2")
    assert result.exit_code == 1
    assert "is not a host name" not in result.stderr


@pytest.mark.parametrize("host", ["pvs.lan.", "PVS-6.local:8080"])
def test_well_formed_host_names_are_taken(host: str) -> None:
    """Names are checked without being looked up: a run would ask DNS, off this machine."""
    assert Target.parse(host).login_base == f"https://{host}"


def test_a_full_disk_is_a_failure() -> None:
    with open("/dev/full", "wb") as full:
        done = subprocess.run(
            [sys.executable, "-m", "sunpower_telegraf", "--input", str(DAY / "devicelist.json")],
            stdout=full,
            stderr=subprocess.PIPE,
            timeout=30,
        )
    assert done.returncode == 1
    assert done.stderr.decode() == (
        "sunpower-lp: error: could not write the lines to standard output: No space left on device\n"
    )


def test_a_closed_stdout_is_a_failure() -> None:
    done = subprocess.run(
        f"{sys.executable} -m sunpower_telegraf --input {DAY / 'devicelist.json'} >&-",
        shell=True,
        stderr=subprocess.PIPE,
        timeout=30,
    )
    assert done.returncode == 1
    assert done.stderr.decode() == (
        "sunpower-lp: error: standard output is closed: there is nowhere to print the lines\n"
    )


def test_a_reader_that_leaves_early_is_a_failure() -> None:
    big = json.loads(DAY_BODY)
    template = big["devices"][3]
    big["devices"] += [{**template, "SERIAL": f"E{n:014d}"} for n in range(9_000)]
    process = subprocess.Popen(
        [sys.executable, "-m", "sunpower_telegraf", "--input", "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdin and process.stdout and process.stderr
    process.stdin.write(json.dumps(big).encode())
    process.stdin.close()
    process.stdout.read(100)
    process.stdout.close()  # the reader leaves after 100 bytes
    with process.stderr:
        stderr = process.stderr.read()
    assert process.wait(timeout=30) == 1
    assert stderr.decode().splitlines() == [
        "sunpower-lp: error: could not write the lines to standard output: Broken pipe",
    ]


# -- whole random documents through the command -----------------------------------------------------

SCALAR = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.from_regex(r"-?\d{1,5}(\.\d{1,4})?", fullmatch=True),
    st.sampled_from(["nan", "2024,06,15,19,40,00", "0", "0.000000", "\ud800", "a\nb", "x\\"]),
)
JSON = st.recursive(
    SCALAR,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
NAMES = st.sampled_from(
    [
        "DEVICE_TYPE",
        "SERIAL",
        "MODEL",
        "STATE",
        "DATATIME",
        "CURTIME",
        "subtype",
        "TYPE",
        "p_3phsum_kw",
        "ltea_3phsum_kwh",
        "net_ltea_3phsum_kwh",
        "pos_ltea_3phsum_kwh",
        "neg_ltea_3phsum_kwh",
        "state",
        "time",
        "i1_a",
    ]
) | st.text(max_size=10)
DEVICE = st.dictionaries(NAMES, JSON, max_size=10).map(
    lambda d: {"DEVICE_TYPE": d.pop("DEVICE_TYPE", "Inverter"), "SERIAL": d.pop("SERIAL", "S"), **d}
) | st.sampled_from(
    [
        {"DEVICE_TYPE": t, "SERIAL": s}
        for t in ["PVS", "Power Meter", "Energy Storage System"]
        for s in ["Z", "Mc", "Mp"]
    ]
)
DEVICE_LIST_DOC = st.fixed_dictionaries(
    {"devices": st.lists(DEVICE, max_size=6)},
    optional={"result": st.sampled_from(["succeed", "error", 1])},
)
STATUS_DOC = st.fixed_dictionaries(
    {
        "ess_report": st.dictionaries(
            st.sampled_from(
                [
                    "battery_status",
                    "ess_status",
                    "ess_state",
                    "hub_plus_status",
                    "inverter_status",
                    "errors",
                ]
            ),
            st.lists(
                st.dictionaries(
                    st.sampled_from(
                        ["serial_number", "agg_power", "power", "operational_mode", "error_name"]
                    )
                    | st.text(max_size=6),
                    JSON
                    | st.fixed_dictionaries(
                        {"value": SCALAR, "unit": st.sampled_from(["W", "kW", "Wh", "%", "V", ""])}
                    ),
                    max_size=4,
                ),
                max_size=2,
            ),
        )
    }
)
VARS_DOC = st.dictionaries(
    st.builds(
        "/sys/{}/{}".format,
        st.sampled_from(
            [
                "devices/meter/0",
                "devices/meter/1",
                "devices/inverter/0",
                "devices/ess/0",
                "devices/transfer_switch/0",
                "livedata",
                "info",
            ]
        ),
        st.sampled_from(
            [
                "sn",
                "prodMdlNm",
                "msmtEps",
                "p3phsumKw",
                "netLtea3phsumKwh",
                "i1A",
                "soc",
                "ess_p",
                "net_en",
                "site_load_en",
                "serialnum",
                "opMode",
            ]
        ),
    ),
    SCALAR,
    max_size=12,
)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(st.one_of(DEVICE_LIST_DOC, STATUS_DOC, VARS_DOC, JSON), min_size=1, max_size=3))
def test_random_documents_keep_the_contract(
    influxd: Influxd, tmp_path_factory, documents: list[Any]
) -> None:
    folder = tmp_path_factory.mktemp("docs")
    paths = []
    for index, document in enumerate(documents):
        path = folder / f"{index}.json"
        path.write_bytes(json.dumps(document).encode("utf-8", "surrogatepass"))
        paths.append(path)
    args = [arg for path in paths for arg in ("--input", str(path))]
    result = CliRunner().invoke(main, args)
    assert "Traceback" not in result.stderr
    if result.exit_code == 0:
        lines = result.stdout.splitlines()
        assert lines
        for line in lines:
            line_protocol_parser.parse_line(line)
        influxd.create("random")
        assert influxd.write("random", result.stdout) == (204, ""), result.stdout
    else:
        assert result.exit_code == 1 and result.stdout == ""
        assert result.stderr.startswith("sunpower-lp: error: ")
        assert "\r" not in result.stderr.splitlines()[0]


# -- secondary requests that fail on a current-firmware PVS with a battery ----------------------

CURRENT = FIXTURES / "current-storage"
CURRENT_SERIAL = "ZT221285000549W2071"
CURRENT_DEVICES = json.loads((CURRENT / "devicelist.json").read_text())
CURRENT_VARS = json.loads((CURRENT / "vars.json").read_text())
ESS = "/vars?match=/sys/devices/ess/&fmt=obj"
TRANSFER_SWITCH = "/vars?match=/sys/devices/transfer_switch/&fmt=obj"
DEVICES = "/cgi-bin/dl_cgi/devices/list"
SERIAL_VARS = "/vars?name=/sys/info/serialnum"
ERROR_OBJECT = {"errorcode": 12, "errormsg": "no such variables"}
QUOTED = '{"errorcode": 12, "errormsg": "no such variables"}'


class Expiring(CurrentFirmware):
    """A battery site on current firmware whose session ends just before the guarded requests
    numbered in `expire_at` (1 = the first request that needs the session)."""

    def __init__(self, expire_at: tuple[int, ...] = ()) -> None:
        super().__init__(CURRENT_SERIAL, devices=CURRENT_DEVICES, vars_=CURRENT_VARS)
        self.expire_at = expire_at
        self.guarded_seen = 0

    def guarded(self, handler):
        def check(request):
            self.guarded_seen += 1
            if self.guarded_seen in self.expire_at:
                self.sessions.clear()
            if request.cookies.get("session") not in self.sessions:
                return json_reply({"status": 403, "error": "Unauthorized"}, 403)
            return handler(request)

        return check


def points_of(answer_documents: dict[str, Any]) -> str:
    """The lines of a run that got exactly these documents from a current-firmware PVS."""
    from sunpower_telegraf.answer import Answer
    from sunpower_telegraf.lineproto import format_points
    from sunpower_telegraf.report import to_report

    answer = Answer(firmware="current", logged_in=True, **answer_documents)
    return format_points(to_report(answer).points)


WITHOUT_LIVEDATA = {k: v for k, v in CURRENT_VARS.items() if not k.startswith("/sys/livedata/")}
ESS_AND_SWITCH = {
    k: v for k, v in CURRENT_VARS.items() if k.startswith(("/sys/devices/ess/", "/sys/devices/tr"))
}


@pytest.mark.parametrize(
    ("fault", "warning", "after"),
    [
        (
            Reply(500, b"internal error"),
            "the PVS answered HTTP 500 to {url}",
            [LIVEDATA, ESS, TRANSFER_SWITCH],  # the battery's ESS tells what livedata did not
        ),
        (
            json_reply({"status": 403, "error": "Unauthorized"}, 403),
            "the PVS answered HTTP 403 to {url}, even right after logging in",
            [LIVEDATA, LOGIN, LIVEDATA],  # the session dropped, one more login, refused again
        ),
        (
            Reply(200, b"{}", delay=30),
            "the PVS did not answer in time ({url})",
            [LIVEDATA],
        ),
        (
            json_reply(ERROR_OBJECT, 400),
            "the PVS answered HTTP 400 to {url}: " + QUOTED,
            [LIVEDATA, ESS, TRANSFER_SWITCH],
        ),
        (
            json_reply(ERROR_OBJECT),
            "the PVS answered {url} with an error: " + QUOTED,
            [LIVEDATA, ESS, TRANSFER_SWITCH],
        ),
        (
            json_reply({"status": 401, "error": "session expired"}),
            "the PVS answered {url} with an error: "
            '{"status": 401, "error": "session expired"}, even right after logging in',
            [LIVEDATA, LOGIN, LIVEDATA],
        ),
    ],
    ids=["500", "403", "hang", "400-error-object", "200-error-object", "200-logged-out"],
)
def test_failed_livedata_is_absent_with_a_warning(standin, fault, warning, after) -> None:
    """livedata alone says there is a battery here; without it the run has the device list
    only, says why, and no error object becomes data."""
    firmware = Expiring()
    routes = firmware.routes()
    routes[LIVEDATA] = firmware.guarded(lambda request: fault)
    pvs = standin(routes)
    url = f"http://{pvs.hostport}{LIVEDATA}"
    result = invoke("--host", f"http://{pvs.hostport}", "--timeout", "4")
    assert result.exit_code == 0
    assert result.stderr.splitlines()[0] == (
        "sunpower-lp: warning: site figures (/sys/livedata) left out: "
        + warning.replace("{url}", url)
    )
    assert pvs.paths() == [DEVICE_LIST, SERIAL_VARS, LOGIN, DEVICES, *after, LOGOUT]
    read = ESS_AND_SWITCH if ESS in after else {}
    assert result.stdout == points_of(
        {"devices": CURRENT_DEVICES, "vars": read, "failed": ["/vars?match=/sys/livedata/&fmt=obj"]}
    )
    site = result.stdout.splitlines()[-1]
    if read:  # the ESS's -4.962 kW: the home's 0.92 kW, as the PVS's own site_load_p says
        assert "battery_kw=-4.962," in site and "consumption_kw=0.92" in site
    else:
        assert "battery_kw" not in site and "consumption_kw" not in site
    assert "errorcode" not in result.stdout and "12" not in result.stdout.split(" ")


@pytest.mark.parametrize(
    ("fault", "warning"),
    [
        (Reply(500, b""), "the PVS answered HTTP 500 to {url}"),
        (json_reply(ERROR_OBJECT, 400), "the PVS answered HTTP 400 to {url}: " + QUOTED),
        (json_reply(ERROR_OBJECT), "the PVS answered {url} with an error: " + QUOTED),
    ],
    ids=["500", "400-error-object", "200-error-object"],
)
def test_failed_battery_request_keeps_livedata(standin, fault, warning) -> None:
    firmware = Expiring()
    routes = firmware.routes()
    routes[ESS] = firmware.guarded(lambda request: fault)
    pvs = standin(routes)
    result = invoke("--host", f"http://{pvs.hostport}")
    assert result.exit_code == 0
    assert result.stderr.splitlines()[0] == (
        "sunpower-lp: warning: battery (/sys/devices/ess) left out: "
        + warning.replace("{url}", f"http://{pvs.hostport}{ESS}")
    )
    assert pvs.paths() == [
        DEVICE_LIST,
        SERIAL_VARS,
        LOGIN,
        DEVICES,
        LIVEDATA,
        ESS,
        TRANSFER_SWITCH,
        LOGOUT,
    ]
    no_ess = {k: v for k, v in CURRENT_VARS.items() if not k.startswith("/sys/devices/ess/")}
    assert result.stdout == points_of({"devices": CURRENT_DEVICES, "vars": no_ess, "failed": [ESS]})


@pytest.mark.parametrize("source", ["auto", "varserver"])
def test_two_expiries_in_one_run_stay_within_eight_requests(standin, source: str) -> None:
    """Each expiry costs a login and a retry; past the 8 requests, what is left is given up."""
    firmware = Expiring(expire_at=(1, 3))
    firmware.vars = {**CURRENT_VARS, "/sys/info/serialnum": CURRENT_SERIAL}
    pvs = standin(firmware.routes())
    result = invoke("--host", f"http://{pvs.hostport}", "--source", source)
    assert result.exit_code == 0
    refused = "the PVS refused the session, and no request is left of the 8 for another login"
    if source == "auto":
        assert pvs.paths() == [
            DEVICE_LIST,
            SERIAL_VARS,
            LOGIN,
            DEVICES,  # expired
            LOGIN,
            DEVICES,
            LIVEDATA,  # expired again: another login and retry would make 9 with the logout
        ]
        assert result.stderr.splitlines()[0] == (
            f"sunpower-lp: warning: site figures (/sys/livedata) left out: {refused}"
        )
    else:
        assert pvs.paths() == [
            SERIAL_VARS,
            LOGIN,
            "/vars?match=/sys/devices/&fmt=obj",  # expired
            LOGIN,
            "/vars?match=/sys/devices/&fmt=obj",
            "/vars?match=/sys/info/&fmt=obj",  # expired again
        ]
        assert result.stderr.splitlines()[:2] == [
            f"sunpower-lp: warning: PVS details (/sys/info) left out: {refused}",
            "sunpower-lp: warning: site figures (/sys/livedata) left out: no request left of the 8",
        ]
    assert (firmware.logins, firmware.logouts) == (2, 0)  # the last session is already gone


@pytest.mark.parametrize("expire_at", [(), (1,), (2,), (3,), (4,), (5,), (1, 3), (2, 4), (1, 2)])
def test_no_run_makes_more_than_eight_requests(standin, expire_at: tuple[int, ...]) -> None:
    firmware = Expiring(expire_at=expire_at)
    pvs = standin(firmware.routes())
    result = invoke("--host", f"http://{pvs.hostport}")
    assert len(pvs.requests) <= 8, pvs.paths()
    assert result.exit_code in (0, 1)
    assert firmware.sessions == set()  # no session is left open on the PVS
    assert "Traceback" not in result.stderr


# -- a PVS behind a plain-HTTP proxy or port forward, reached with a bare host:port ------------


def test_a_plain_http_port_forward_on_current_firmware(raw_pvs) -> None:
    """The login's HTTPS meets plain HTTP (`400 Bad Request` to the TLS greeting, as HAProxy
    and nginx answer): the login goes over HTTP instead, and so does the rest of the run."""
    pvs = raw_pvs(current_firmware({}))
    result = invoke("--host", pvs.hostport)
    assert (result.exit_code, result.stdout, result.stderr) == (0, DAY_LINES, "")
    assert pvs.paths() == [
        DEVICE_LIST,
        TLS_HELLO,  # the serial over HTTPS: met plain HTTP
        SERIAL_VARS,
        LOGIN,
        DEVICES,
        LIVEDATA,
        LOGOUT,
    ]


def test_a_plain_http_port_forward_with_a_password(raw_pvs) -> None:
    pvs = raw_pvs(current_firmware({}))
    result = invoke("--host", pvs.hostport, env={"SUNPOWER_PVS_PASSWORD": "A1234"})
    assert (result.exit_code, result.stdout) == (0, DAY_LINES)
    assert pvs.paths() == [DEVICE_LIST, TLS_HELLO, LOGIN, DEVICES, LIVEDATA, LOGOUT]
    assert "authorization: basic " in pvs.heads[2].lower()  # the login, over plain HTTP


def test_a_kept_session_keeps_the_scheme_that_answered(raw_pvs) -> None:
    from sunpower_telegraf.pvs import Session

    pvs = raw_pvs(current_firmware({}))
    session = Session(pvs.hostport)
    session.poll(10)
    session.poll(10)
    session.logout(2)
    assert pvs.paths() == [
        DEVICE_LIST,
        TLS_HELLO,
        SERIAL_VARS,
        LOGIN,
        DEVICES,
        LIVEDATA,
        DEVICES,  # no DeviceList probe, no second try of HTTPS
        LIVEDATA,
        LOGOUT,
    ]


@pytest.mark.parametrize(
    "args",
    [["--host", "https://{hostport}"], ["--host", "{hostport}", "--ca-file", "{ca}"]],
    ids=["https-url", "ca-file"],
)
def test_https_asked_for_is_never_given_up_for_plain_http(
    raw_pvs, tmp_path: Path, args: list[str]
) -> None:
    """An https:// URL or a certificate check means HTTPS or nothing: the password never goes
    over plain HTTP then, and the error says what answered."""
    ca = tmp_path / "ca.pem"
    trustme.CA().cert_pem.write_to_path(str(ca))
    pvs = raw_pvs(current_firmware({}))
    result = invoke(*(arg.format(hostport=pvs.hostport, ca=ca) for arg in args))
    path = DEVICE_LIST if args[1].startswith("https") else SERIAL_VARS
    assert_result_failed(
        result,
        f"the TLS connection to https://{pvs.hostport}{path} failed: wrong_version_number (what "
        "answers there speaks no HTTPS: a plain-HTTP proxy or port forward?); give --host as "
        f"http://{pvs.hostport}",
    )
    assert LOGIN not in pvs.paths()


def test_a_tls_error_names_only_the_options_given(raw_pvs) -> None:
    """A TLS failure without --ca-file or --fingerprint names neither."""
    pvs = raw_pvs({}, tls_answer=HANDSHAKE_FAILURE)
    result = invoke("--host", f"https://{pvs.hostport}")
    assert_result_failed(
        result,
        f"the TLS connection to https://{pvs.hostport}{DEVICE_LIST} failed: "
        "sslv3_alert_handshake_failure; check --host",
    )


def test_the_extra_request_of_a_port_forward_comes_out_of_the_eight(raw_pvs) -> None:
    def variables(prefix: str) -> Any:
        found = {k: v for k, v in CURRENT_VARS.items() if k.startswith(prefix)}
        return reply(200, json.dumps(found).encode())

    pvs = raw_pvs(
        current_firmware(
            {
                DEVICES: reply(200, json.dumps(CURRENT_DEVICES).encode()),
                LIVEDATA: variables("/sys/livedata/"),
                ESS: variables("/sys/devices/ess/"),
                TRANSFER_SWITCH: variables("/sys/devices/transfer_switch/"),
            }
        )
    )
    result = invoke("--host", pvs.hostport)
    assert result.exit_code == 0
    assert pvs.paths() == [
        DEVICE_LIST,
        TLS_HELLO,
        SERIAL_VARS,
        LOGIN,
        DEVICES,
        LIVEDATA,
        ESS,
        LOGOUT,
    ]
    assert result.stderr.splitlines()[0] == (
        "sunpower-lp: warning: transfer switch left out: no request left of the 8"
    )
