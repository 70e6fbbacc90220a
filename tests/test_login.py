"""Current firmware: DeviceList refused, a login, then devices/list or the varserver."""

from __future__ import annotations

import hashlib
import json
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import trustme
from click.testing import CliRunner, Result

from sunpower_telegraf.answer import PVSError
from sunpower_telegraf.cli import main
from sunpower_telegraf.login import TooSoon
from sunpower_telegraf.pvs import Session
from sunpower_telegraf.transport import LOG_SIZE
from tests.support.cases import FIXTURES, GOLDEN
from tests.support.contract import assert_result_failed
from tests.support.standin import DEVICE_LIST, CurrentFirmware, Reply, Request, json_reply

SERIAL = "ZT230185000549A1234"
DAY = json.loads((FIXTURES / "pvs6-day" / "devicelist.json").read_text())
DAY_LINES = (FIXTURES / "pvs6-day" / GOLDEN).read_text()
VARS_DAY = json.loads((FIXTURES / "varserver-day" / "vars.json").read_text())
VARS_NIGHT = json.loads((FIXTURES / "varserver-night" / "vars.json").read_text())
# Livedata that says only that there is no battery: the lines are the device list's own, and its
# consumption counts (livedata missing altogether leaves consumption out: a battery may be there).
NO_BATTERY = {f"/sys/livedata/{name}": "nan" for name in ("ess_p", "ess_en", "soc")}
LIVEDATA = "/vars?match=/sys/livedata/&fmt=obj"
LOGIN_FLOW = [
    ("http", DEVICE_LIST),
    ("https", "/vars?name=/sys/info/serialnum"),
    ("https", "/auth?login"),
    ("https", "/cgi-bin/dl_cgi/devices/list"),
    ("https", LIVEDATA),
    ("https", "/auth?logout"),
]


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def server_tls(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    return context


@pytest.fixture
def firmware() -> CurrentFirmware:
    """A site whose livedata has no site figures, so its lines are the device list's own."""
    return CurrentFirmware(SERIAL, devices=DAY, vars_=NO_BATTERY)


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env={"SUNPOWER_PVS_PASSWORD": "", **(env or {})})


def flow(pvs) -> list[tuple[str, str]]:
    return [(request.scheme, request.path) for request in pvs.requests]


def test_bare_host_logs_in_over_https(standin, server_tls, firmware) -> None:
    pvs = standin(firmware.routes(), tls=server_tls)
    result = run("--host", pvs.hostport)
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == DAY_LINES  # line for line what the legacy answer gives
    assert flow(pvs) == LOGIN_FLOW
    login, devices, _, logout = pvs.requests[2:6]
    assert login.basic_auth == ("ssm_owner", "A1234")  # the serial's last 5 characters
    assert devices.cookies == {"session": "s0001"}
    assert logout.cookies == {"session": "s0001"}
    assert (firmware.logins, firmware.logouts, firmware.sessions) == (1, 1, set())


def test_https_url_uses_https_throughout(standin, server_tls, firmware) -> None:
    pvs = standin(firmware.routes(), tls=server_tls)
    result = run("--host", f"https://{pvs.hostport}")
    assert (result.exit_code, result.stdout) == (0, DAY_LINES)
    assert [scheme for scheme, _ in flow(pvs)] == ["https"] * 6


def test_http_url_logs_in_over_http(standin, firmware) -> None:
    pvs = standin(firmware.routes())
    result = run("--host", f"http://{pvs.hostport}")
    assert (result.exit_code, result.stdout) == (0, DAY_LINES)
    assert flow(pvs) == [("http", path) for _, path in LOGIN_FLOW]


def test_password_from_environment_skips_the_serial(standin, firmware) -> None:
    firmware.password = "S3CRT"
    pvs = standin(firmware.routes())
    result = run("--host", f"http://{pvs.hostport}", env={"SUNPOWER_PVS_PASSWORD": "S3CRT"})
    assert (result.exit_code, result.stdout) == (0, DAY_LINES)
    assert "/vars?name=/sys/info/serialnum" not in pvs.paths()
    assert pvs.requests[1].basic_auth == ("ssm_owner", "S3CRT")


def test_serial_from_supervisor_info(standin, firmware) -> None:
    routes = firmware.routes()
    del routes["/vars?name=/sys/info/serialnum"]
    routes["/cgi-bin/dl_cgi/supervisor/info"] = lambda r: json_reply(
        {"result": "succeed", "supervisor": {"SERIAL": SERIAL, "MODEL": "PVS6"}}
    )
    pvs = standin(routes)
    assert run("--host", f"http://{pvs.hostport}").stdout == DAY_LINES


def test_wrong_password(standin, firmware) -> None:
    pvs = standin(firmware.routes())
    result = run("--host", f"http://{pvs.hostport}", env={"SUNPOWER_PVS_PASSWORD": "nope1"})
    assert_result_failed(
        result,
        "this PVS wants a login and refused ssm_owner with the given password (HTTP 401); "
        "set SUNPOWER_PVS_PASSWORD to the right password",
    )
    assert firmware.logouts == 0  # never logged in, nothing to log out of


def test_serial_password_refused(standin, firmware) -> None:
    firmware.password = "other"
    pvs = standin(firmware.routes())
    assert_result_failed(
        run("--host", f"http://{pvs.hostport}"),
        "this PVS wants a login and refused ssm_owner with the end of its serial (HTTP 401); "
        "set SUNPOWER_PVS_PASSWORD to the right password",
    )


def test_serial_unreadable(standin, firmware) -> None:
    routes = firmware.routes()
    del routes["/vars?name=/sys/info/serialnum"]
    pvs = standin(routes)
    assert_result_failed(
        run("--host", f"http://{pvs.hostport}"),
        "this PVS wants a login, and its serial (the password's source) could not be read (the "
        f"PVS answered HTTP 404 to http://{pvs.hostport}/cgi-bin/dl_cgi/supervisor/info); set "
        "SUNPOWER_PVS_PASSWORD to the last 5 characters of the PVS serial",
    )


def test_login_endpoint_missing(standin, firmware) -> None:
    routes = firmware.routes()
    del routes["/auth?login"]
    pvs = standin(routes)
    assert_result_failed(
        run("--host", f"http://{pvs.hostport}"),
        f"the PVS wants a login but has no login endpoint (http://{pvs.hostport}/auth?login "
        "answered 404); check --host points at the PVS itself",
    )


def test_session_expired_mid_run_logs_in_again(standin, firmware) -> None:
    firmware.expire_next = 1
    pvs = standin(firmware.routes())
    result = run("--host", f"http://{pvs.hostport}")
    assert (result.exit_code, result.stdout) == (0, DAY_LINES)
    assert pvs.paths().count("/auth?login") == 2
    assert pvs.paths().count("/cgi-bin/dl_cgi/devices/list") == 2


def test_session_refused_after_fresh_login(standin, firmware) -> None:
    firmware.expire_next = 2
    pvs = standin(firmware.routes())
    assert_result_failed(
        run("--host", f"http://{pvs.hostport}"),
        f"the PVS answered HTTP 403 to http://{pvs.hostport}/cgi-bin/dl_cgi/devices/list, even "
        "right after logging in",
    )


@pytest.mark.parametrize("variable", ["REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"])
def test_ca_bundle_environment_does_not_reject_the_pvs(
    standin, server_tls, firmware, tmp_path: Path, variable: str
) -> None:
    other = tmp_path / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(other))  # a CA that did not sign the PVS's cert
    pvs = standin(firmware.routes(), tls=server_tls)
    result = run("--host", pvs.hostport, env={variable: str(other)})
    assert (result.exit_code, result.stdout) == (0, DAY_LINES)


def test_ca_file_verifies(standin, server_tls, firmware, ca, tmp_path: Path) -> None:
    good, other = tmp_path / "ca.pem", tmp_path / "other.pem"
    ca.cert_pem.write_to_path(str(good))
    trustme.CA().cert_pem.write_to_path(str(other))
    pvs = standin(firmware.routes(), tls=server_tls)
    assert run("--host", f"https://{pvs.hostport}", "--ca-file", str(good)).stdout == DAY_LINES
    result = run("--host", f"https://{pvs.hostport}", "--ca-file", str(other))
    assert_result_failed(
        result,
        f"the TLS connection to https://{pvs.hostport}{DEVICE_LIST} failed: certificate verify "
        "failed: unable to get local issuer certificate; check --ca-file",  # the option used
    )


def _fingerprint(cert: trustme.LeafCert) -> str:
    der = ssl.PEM_cert_to_DER_cert(cert.cert_chain_pems[0].bytes().decode())
    return hashlib.sha256(der).hexdigest()


def test_fingerprint_pin(standin, firmware, ca) -> None:
    leaf = ca.issue_cert("127.0.0.1")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    leaf.configure_cert(context)
    pvs = standin(firmware.routes(), tls=context)
    pin = ":".join(_fingerprint(leaf)[i : i + 2] for i in range(0, 64, 2)).upper()
    assert run("--host", f"https://{pvs.hostport}", "--fingerprint", pin).stdout == DAY_LINES

    other = _fingerprint(ca.issue_cert("127.0.0.1"))
    result = run("--host", f"https://{pvs.hostport}", "--fingerprint", other)
    assert_result_failed(
        result,
        f"the TLS connection to https://{pvs.hostport}{DEVICE_LIST} failed: its certificate's "
        f"SHA-256 fingerprint is {_fingerprint(leaf)}, not the pinned one; check --fingerprint",
    )


def test_bad_fingerprint_is_a_usage_error() -> None:
    result = run("--fingerprint", "abc")
    assert result.exit_code == 2
    assert "64 hex digits" in result.stderr


@pytest.mark.parametrize(
    ("variables", "case"),
    [(VARS_DAY, "varserver-day"), (VARS_NIGHT, "varserver-night")],
    ids=["day", "night"],
)
def test_varserver_source(standin, variables, case: str) -> None:
    firmware = CurrentFirmware(SERIAL, devices=DAY, vars_=variables)
    pvs = standin(firmware.routes())
    result = run("--host", f"http://{pvs.hostport}", "--source", "varserver")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == (FIXTURES / case / GOLDEN).read_text()
    assert pvs.paths() == [
        "/vars?name=/sys/info/serialnum",
        "/auth?login",
        "/vars?match=/sys/devices/&fmt=obj",
        "/vars?match=/sys/info/&fmt=obj",
        LIVEDATA,
        "/auth?logout",
    ]


def test_auto_falls_back_to_varserver_without_devices_list(standin, firmware) -> None:
    firmware.vars = VARS_DAY
    routes = firmware.routes()
    del routes["/cgi-bin/dl_cgi/devices/list"]
    pvs = standin(routes)
    result = run("--host", f"http://{pvs.hostport}")
    assert result.stdout == (FIXTURES / "varserver-day" / GOLDEN).read_text()
    assert run("--host", f"http://{pvs.hostport}", "--source", "devicelist").exit_code == 1


def test_varserver_from_input(tmp_path: Path) -> None:
    result = run("--input", str(FIXTURES / "varserver-night" / "vars.json"))
    assert result.stdout == (FIXTURES / "varserver-night" / GOLDEN).read_text()


def test_legacy_firmware_needs_no_login(standin) -> None:
    pvs = standin({DEVICE_LIST: lambda r: json_reply(DAY)})
    assert run("--host", pvs.hostport).stdout == DAY_LINES
    assert pvs.paths() == [DEVICE_LIST]  # no login, so no logout either


def test_help_says_how_to_keep_the_password_out_of_ps() -> None:
    text = " ".join(run("--help").stdout.split())
    assert "SUNPOWER_PVS_PASSWORD" in text and "visible to every user in ps" in text


# -- a kept session (what --follow polls through) -----------------------------------------------

SERIAL_PATH = "/vars?name=/sys/info/serialnum"
DEVICES_PATH = "/cgi-bin/dl_cgi/devices/list"


def test_a_kept_session_polls_again_without_probe_serial_or_login(standin, firmware) -> None:
    pvs = standin(firmware.routes())
    session = Session(f"http://{pvs.hostport}")
    first, second = session.poll(10), session.poll(10)
    session.logout(2)
    assert first.devices == second.devices == DAY
    assert (session.firmware, session.logins, firmware.logins, firmware.logouts) == (
        "current",
        1,
        1,
        1,
    )
    assert pvs.paths() == [
        DEVICE_LIST,
        SERIAL_PATH,
        "/auth?login",
        DEVICES_PATH,
        LIVEDATA,
        DEVICES_PATH,  # the second poll: straight to the data, with the kept cookie
        LIVEDATA,
        "/auth?logout",
    ]
    assert {request.cookies.get("session") for request in pvs.requests[3:]} == {"s0001"}


def test_a_gone_session_is_dropped_and_logged_in_again(standin, firmware) -> None:
    pvs = standin(firmware.routes())
    session = Session(f"http://{pvs.hostport}")
    session.poll(10)
    firmware.expire_next = 1  # the session is gone by the next poll
    assert session.poll(10).devices == DAY
    assert pvs.paths()[5:] == [DEVICES_PATH, "/auth?login", DEVICES_PATH, LIVEDATA]
    relogin = pvs.requests[6]
    assert relogin.cookies == {}  # the stale cookie is not sent with the login
    assert pvs.requests[7].cookies == {"session": "s0002"}
    assert session.logins == 2


def test_logins_can_be_spaced(standin, firmware) -> None:
    pvs = standin(firmware.routes())
    session = Session(f"http://{pvs.hostport}")
    session.min_login_interval = 60.0
    session.poll(10)
    firmware.expire_next = 1
    with pytest.raises(TooSoon) as caught:
        session.poll(10)
    assert str(caught.value) == (
        "the PVS wants a new login, and the last one was less than 60 s ago"
    )
    assert 0 < caught.value.wait <= 60
    assert pvs.paths()[5:] == [DEVICES_PATH]  # refused, and no second login within the minute
    assert session.logins == 1


def test_get_json_logs_in_where_the_firmware_wants_it(standin, firmware) -> None:
    firmware.vars = VARS_DAY
    pvs = standin(firmware.routes())
    session = Session(f"http://{pvs.hostport}")
    live = session.get_json(LIVEDATA, 5)
    assert live["/sys/livedata/pv_p"] == VARS_DAY["/sys/livedata/pv_p"]
    assert pvs.paths() == [LIVEDATA, SERIAL_PATH, "/auth?login", LIVEDATA]
    session.poll(10)  # the firmware learned, the cookie kept: no probe and no login
    assert pvs.paths()[4:] == [DEVICES_PATH, LIVEDATA]
    assert session.get_json(LIVEDATA, 5) == live
    assert session.logins == 1


def test_the_request_log_stays_bounded(standin) -> None:
    pvs = standin({DEVICE_LIST: lambda r: json_reply(DAY)})
    session = Session(pvs.hostport)
    for _ in range(LOG_SIZE + 6):
        session.poll(10)
    assert len(session.log) == LOG_SIZE
    assert session.log[-1].url == f"http://{pvs.hostport}{DEVICE_LIST}"
    assert (session.firmware, session.logins, len(pvs.requests)) == ("legacy", 0, LOG_SIZE + 6)


# -- the requests of --follow's websocket side, on the same session --------------------------

SET_ENABLE = "/vars?set=/sys/telemetryws/enable=1"


def enable_answer(value: str) -> Callable[[Request], Reply]:
    return lambda request: json_reply(
        {"values": [{"name": "/sys/telemetryws/enable", "value": value}], "count": 1}
    )


def test_fetch_livedata_gives_the_variables(standin, firmware) -> None:
    firmware.vars = VARS_DAY
    pvs = standin(firmware.routes())
    session = Session(f"http://{pvs.hostport}")
    live = session.fetch_livedata(5)
    assert live == {k: v for k, v in VARS_DAY.items() if k.startswith("/sys/livedata/")}
    assert pvs.paths() == [LIVEDATA, SERIAL_PATH, "/auth?login", LIVEDATA]
    assert (session.logins, session.generation) == (1, 1)


def test_fetch_serial_needs_no_login(standin, firmware) -> None:
    pvs = standin(firmware.routes())
    session = Session(f"http://{pvs.hostport}")
    assert session.fetch_serial(5) == SERIAL
    assert pvs.paths() == [SERIAL_PATH]


def test_enable_telemetry_sets_it_on_the_session(standin, firmware) -> None:
    routes = firmware.routes()
    routes[SET_ENABLE] = firmware.guarded(enable_answer("1"))
    pvs = standin(routes)
    session = Session(f"http://{pvs.hostport}")
    session.poll(10)
    session.enable_telemetry(5)
    assert pvs.paths()[5:] == [SET_ENABLE]  # the poll's session: no second login
    assert pvs.requests[5].cookies == {"session": "s0001"}


@pytest.mark.parametrize(
    ("route", "message"),
    [
        (
            lambda firmware: firmware.guarded(enable_answer("0")),
            "the PVS kept /sys/telemetryws/enable at '0'",
        ),
        (
            lambda firmware: lambda r: json_reply({"status": 403, "error": "Unauthorized"}, 403),
            "the PVS answered HTTP 403 to http://{host}" + SET_ENABLE + ", even right after "
            "logging in",
        ),
    ],
    ids=["kept at 0", "refused"],
)
def test_a_refused_enable_is_an_error(standin, firmware, route, message) -> None:
    routes = firmware.routes()
    routes[SET_ENABLE] = route(firmware)
    pvs = standin(routes)
    session = Session(f"http://{pvs.hostport}")
    session.poll(10)
    with pytest.raises(PVSError) as caught:
        session.enable_telemetry(5)
    assert str(caught.value) == message.format(host=pvs.hostport)


def test_the_websocket_side_reads_while_a_slow_poll_runs(standin, firmware) -> None:
    """The device list takes 3 s; livedata and the enable, asked from another thread meanwhile,
    are answered at once on the same session, with no second login."""
    firmware.vars = VARS_DAY
    slow = threading.Event()
    routes = firmware.routes()
    devices = routes[DEVICES_PATH]
    routes[DEVICES_PATH] = lambda r: replace(devices(r), delay=3.0 if slow.is_set() else 0.0)
    routes[SET_ENABLE] = firmware.guarded(enable_answer("1"))
    pvs = standin(routes)
    session = Session(f"http://{pvs.hostport}")
    session.poll(10)
    slow.set()
    poll = threading.Thread(target=session.poll, args=(10,))
    poll.start()
    while DEVICES_PATH not in pvs.paths()[5:]:
        time.sleep(0.01)
    live = session.fetch_livedata(5)
    session.enable_telemetry(5)
    assert poll.is_alive()  # both answered while the device list was still on its way
    poll.join()
    assert live["/sys/livedata/pv_p"] == VARS_DAY["/sys/livedata/pv_p"]
    assert pvs.paths()[5:] == [DEVICES_PATH, LIVEDATA, SET_ENABLE, LIVEDATA]
    assert (session.logins, session.generation) == (1, 1)


def test_two_threads_meeting_a_gone_session_log_in_once(standin, firmware) -> None:
    """Both requests go out with the expired cookie and are refused; the first to get the
    session logs in, the second uses that new session rather than logging in again."""
    firmware.vars = VARS_DAY
    routes = firmware.routes()
    livedata, login = routes[LIVEDATA], routes["/auth?login"]
    routes[LIVEDATA] = lambda r: replace(livedata(r), delay=0.5)  # both in flight at once
    routes["/auth?login"] = lambda r: replace(login(r), delay=0.5)  # the second waits for it
    pvs = standin(routes)
    session = Session(f"http://{pvs.hostport}")
    session.fetch_livedata(5)
    firmware.sessions.clear()  # the session expires
    start = threading.Barrier(2)
    got: list[dict[str, Any]] = []

    def read() -> None:
        start.wait()
        got.append(session.fetch_livedata(10))

    threads = [threading.Thread(target=read) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(got) == 2 and got[0] == got[1]
    assert (session.logins, session.generation, firmware.logins) == (2, 2, 2)
    assert pvs.paths()[4:].count("/auth?login") == 1
    assert {r.cookies.get("session") for r in pvs.requests[4:] if r.path == LIVEDATA} == {
        "s0001",
        "s0002",
    }
