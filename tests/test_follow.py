"""`sunpower-lp --follow` as Telegraf's execd runs it: a real process against a loopback PVS.

Its stdout is read line by line and parsed with line_protocol_parser; each test waits for what it
needs with a generous deadline and asserts no duration. The timing constants are shortened with
SUNPOWER_LP_FOLLOW_TIMING so a reconnect takes a fraction of a second.
"""

from __future__ import annotations

import contextlib
import functools
import json
import math
import os
import queue
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import line_protocol_parser
import pytest

from sunpower_telegraf.cli import main
from sunpower_telegraf.follow import Log, Timing, websocket_url
from sunpower_telegraf.reconnect import backoff_delay
from tests.support.cases import FIXTURES
from tests.support.standin import DEVICE_LIST, Reply
from tests.support.wsstandin import SET_ENABLE, T0, TelemetryPVS

SERIAL = "ZT221285000549W2071"  # the PVS of fixtures/current-storage
DEVICES = json.loads((FIXTURES / "current-storage" / "devicelist.json").read_text())
VARS = json.loads((FIXTURES / "current-storage" / "vars.json").read_text())
LIVEDATA = "/vars?match=/sys/livedata/&fmt=obj"
DEVICES_LIST = "/cgi-bin/dl_cgi/devices/list"
FAST = "ping=0.3,check=0.4,silence=1.5,backoff=0.05,backoff_max=0.5,login=0,open=2"
DEADLINE = 60.0  # seconds to wait for anything; never an assertion about time

# sunpower_live field: the livedata name it carries, as the plan's vocabulary names them.
FIELD_OF = {
    "production_kw": "pv_p",
    "grid_kw": "net_p",
    "consumption_kw": "site_load_p",
    "battery_kw": "ess_p",
    "production_lifetime_kwh": "pv_en",
    "grid_net_lifetime_kwh": "net_en",
    "consumption_lifetime_kwh": "site_load_en",
    "battery_net_lifetime_kwh": "ess_en",
}


def known(value: Any) -> float | None:
    """A varserver value as a number, or None where the PVS says it does not know."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def expected_fields(state: dict[str, Any]) -> dict[str, float]:
    """The sunpower_live fields of a livedata state on a battery site: the PVS's own figures,
    soc as a percentage."""
    fields = {
        field: number
        for field, name in FIELD_OF.items()
        if (number := known(state.get(name))) is not None
    }
    soc = known(state.get("soc"))
    if soc is not None:
        fields["battery_soc_percent"] = round(soc * 100, 6)
    backup = known(state.get("backupTimeRemaining"))  # the site has a battery: a measurement
    if backup is not None:
        fields["battery_backup_time_min"] = backup
    return fields


class Follow:
    """`sunpower-lp --follow` in a process of its own; stdout and stderr read as they come."""

    def __init__(self, pvs: Any, *args: str, env: dict[str, str] | None = None) -> None:
        environment = {
            **os.environ,
            "SUNPOWER_PVS_HOST": f"http://{pvs.hostport}",
            "SUNPOWER_PVS_WEBSOCKET": getattr(pvs, "ws_url", "off"),
            "SUNPOWER_LP_FOLLOW_TIMING": FAST,
            "SUNPOWER_PVS_PASSWORD": "",
            "PYTHONWARNINGS": "error",  # a deprecation in a library would end the process
            **(env or {}),
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "sunpower_telegraf", "--follow", *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=environment,
        )
        self.lines: list[str] = []
        self.errors: list[str] = []
        self.changed = queue.Queue[None]()
        self.readers = [
            threading.Thread(target=self.read, args=(self.process.stdout, self.lines), daemon=True),
            threading.Thread(
                target=self.read, args=(self.process.stderr, self.errors), daemon=True
            ),
        ]
        for reader in self.readers:
            reader.start()

    def read(self, stream: Any, into: list[str]) -> None:
        for raw in stream:
            into.append(raw.decode("utf-8"))
            self.changed.put(None)

    def points(self, measurement: str | None = None) -> list[dict[str, Any]]:
        parsed = [line_protocol_parser.parse_line(line) for line in list(self.lines)]
        return [p for p in parsed if measurement is None or p["measurement"] == measurement]

    def wait_for(self, what: str, done: Callable[[], bool]) -> None:
        end = time.monotonic() + DEADLINE
        while not done():
            if self.process.poll() is not None:
                pytest.fail(f"--follow ended before {what}:\n{''.join(self.errors)}")
            if time.monotonic() > end:
                pytest.fail(f"no {what} within {DEADLINE:g} s:\n{''.join(self.errors)}")
            with contextlib.suppress(queue.Empty):
                self.changed.get(timeout=0.05)

    def end(self, how: str) -> int:
        if how == "stdin":
            assert self.process.stdin is not None
            self.process.stdin.close()
        else:
            self.process.send_signal(getattr(signal, how))
        code = self.process.wait(DEADLINE)
        for reader in self.readers:
            reader.join(DEADLINE)
        return code

    def kill(self) -> None:
        """End the process if it still runs, and close its pipes."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(DEADLINE)
        for reader in self.readers:
            reader.join(DEADLINE)
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()

    close = kill  # what the `servers` fixture calls at teardown


@pytest.fixture
def follow(servers: Callable[..., Any]) -> Callable[..., Follow]:
    """Start `--follow` processes, killed when the test ends (before the PVS they talk to)."""
    return functools.partial(servers, Follow)


@pytest.fixture
def telemetry(servers: Callable[..., Any]) -> Callable[..., TelemetryPVS]:
    """Start loopback PVS6s with a telemetry websocket, closed when the test ends."""

    def start(**kwargs: Any) -> TelemetryPVS:
        pvs: TelemetryPVS = servers(
            TelemetryPVS, SERIAL, kwargs.pop("devices", DEVICES), VARS, **kwargs
        )
        return pvs

    return start


def assert_a_line_per_frame(run: Follow, pvs: TelemetryPVS) -> None:
    """Each frame the PVS sent is one sunpower_live line at its time, with every value known
    then; no other sunpower_live line."""
    lines = run.points("sunpower_live")
    assert [line["time"] for line in lines] == [sent.time * 10**9 for sent in pvs.sent]
    for line, sent in zip(lines, pvs.sent):
        assert line["tags"] == {"serial": SERIAL}
        assert line["fields"] == expected_fields(sent.state), f"frame {sent.number}"


def assert_enabled_before_each_connect(pvs: TelemetryPVS) -> None:
    """`/sys/telemetryws/enable=1` was set before every connect, after the one before it."""
    connects = " ".join(pvs.events).split("connect")[:-1]
    assert connects
    assert all("enable" in before for before in connects), pvs.events


def assert_logged_out(pvs: Any, code: int, run: Follow, errors: bool = False) -> None:
    """Exit 0 after a logout; no error logged unless the PVS caused one."""
    assert code == 0, "".join(run.errors)
    assert pvs.paths()[-1] == "/auth?logout"
    assert "Traceback" not in "".join(run.errors)
    if not errors:
        assert not [line for line in run.errors if line.startswith("E! ")], "".join(run.errors)


@pytest.mark.parametrize("how", ["stdin", "SIGTERM", "SIGINT"])
def test_every_frame_is_a_line_until_the_end(telemetry, follow, how: str) -> None:
    pvs = telemetry(frames=60)
    run = follow(pvs, "--interval", "300")
    run.wait_for("a line for every frame", lambda: len(run.points("sunpower_live")) == 60)
    code = run.end(how)
    assert_logged_out(pvs, code, run)
    assert_a_line_per_frame(run, pvs)
    assert_enabled_before_each_connect(pvs)
    # Frames 7, 32 and 57 come after a message that is not JSON: one warning a minute.
    assert [line for line in run.errors if line.startswith("W! ")] == [
        "W! ignored a websocket message that is not JSON (9 bytes)\n"
    ]
    # The first frame changes only the time and production: every other value is the seed's.
    first = run.points("sunpower_live")[0]
    assert first == {
        "measurement": "sunpower_live",
        "tags": {"serial": SERIAL},
        "fields": {
            "production_kw": 5.0,
            "production_lifetime_kwh": 6351.25,
            "grid_kw": -0.0019,
            "grid_net_lifetime_kwh": 1899.069946,
            "consumption_kw": 0.9202,
            "consumption_lifetime_kwh": 8037.830078,
            "battery_kw": -4.962,
            "battery_net_lifetime_kwh": -212.440002,
            "battery_soc_percent": 63.2,
            "battery_backup_time_min": 612.0,
        },
        "time": T0 * 10**9,
    }
    # Frame 4 says the battery power is unknown: its line leaves it out, and so do the next
    # ones until a frame gives it again (frame 7).
    for number in (4, 5, 6):
        assert "battery_kw" not in run.points("sunpower_live")[number]["fields"]
    assert run.points("sunpower_live")[7]["fields"]["battery_kw"] == -3.993
    # One poll at the start, then only the websocket: the lines of an exec run came once.
    assert len(run.points("sunpower_site")) == 1
    assert pvs.firmware.logins == 1


@pytest.mark.parametrize("old_sockets_stay_silent", [False, True])
def test_survives_closes_silences_expiries_and_a_restart(
    telemetry, follow, old_sockets_stay_silent: bool
) -> None:
    pvs = telemetry(
        old_sockets_stay_silent=old_sockets_stay_silent,
        frames=150,
        close_every=20,
        pause_at=(30,),
        pause_seconds=2.5,  # longer than the 1.5 s of silence that means reconnect
        expire_at=(55, 95),
        restart_at=(75,),
        restart_seconds=1.0,
    )
    run = follow(pvs, "--interval", "1")
    run.wait_for("a line for every frame", lambda: len(run.points("sunpower_live")) == 150)
    code = run.end("SIGTERM")
    assert_logged_out(pvs, code, run, errors=True)  # polls fail while the PVS restarts
    assert_a_line_per_frame(run, pvs)
    assert_enabled_before_each_connect(pvs)
    # A login at the start, one after each expiry and one after the restart; none per poll.
    assert pvs.firmware.logins <= 4
    assert len(run.points("sunpower_site")) >= 2
    assert pvs.accepted >= 150 // 20


def test_polls_print_the_exec_runs_lines_without_a_login_each(telemetry, follow) -> None:
    pvs = telemetry(frames=0)
    run = follow(pvs, "--interval", "1")
    run.wait_for("four polls", lambda: len(run.points("sunpower_pvs")) == 4)
    code = run.end("stdin")
    assert_logged_out(pvs, code, run)
    exec_run = subprocess.run(
        [sys.executable, "-m", "sunpower_telegraf"],
        capture_output=True,
        env={**os.environ, "SUNPOWER_PVS_HOST": f"http://{pvs.hostport}"},
        check=True,
    )
    once = exec_run.stdout.decode().splitlines(keepends=True)
    polls = len(run.lines) // len(once)
    assert polls >= 4
    assert run.lines == once * polls
    paths = [path for path in pvs.paths() if path not in (SET_ENABLE, LIVEDATA)]
    # The first poll learns the firmware and logs in; the next go straight to the data.
    assert paths[:4] == [DEVICE_LIST, "/vars?name=/sys/info/serialnum", "/auth?login", DEVICES_LIST]
    assert paths.count("/auth?login") == 2  # follow's one, and the exec run's
    assert paths.count(DEVICE_LIST) == 2


def test_a_refused_websocket_port_means_polls_only_with_one_warning(telemetry, follow) -> None:
    pvs = telemetry(refuse=True)
    run = follow(pvs, "--interval", "1")
    run.wait_for("three polls", lambda: len(run.points("sunpower_pvs")) == 3)
    code = run.end("stdin")
    assert_logged_out(pvs, code, run)
    warnings = [line for line in run.errors if line.startswith("W! ")]
    assert warnings == [
        f"W! no websocket at {pvs.ws_url} (connection refused; a PVS5 or firmware without it "
        "has none): device polls only until it answers\n"
    ]
    # Enabled and seeded once; after the refusal the port is only probed.
    assert pvs.paths().count(SET_ENABLE) == 1
    assert not run.points("sunpower_live")


def test_a_pvs5_gets_polls_only_and_is_never_asked_for_the_websocket(telemetry, follow) -> None:
    devices = json.loads(json.dumps(DEVICES))
    devices["devices"][0]["MODEL"] = "PV Supervisor PVS5"
    pvs = telemetry(devices=devices)
    run = follow(pvs, "--interval", "1")
    run.wait_for("two polls", lambda: len(run.points("sunpower_pvs")) == 2)
    code = run.end("stdin")
    assert_logged_out(pvs, code, run)
    warnings = [line for line in run.errors if line.startswith("W! ")]
    assert warnings == ["W! a PVS5 has no telemetry websocket: device polls only\n"]
    assert SET_ENABLE not in pvs.paths()
    assert pvs.accepted == 0


def test_legacy_firmware_gets_polls_only(standin, follow) -> None:
    body = (FIXTURES / "pvs6-day" / "devicelist.json").read_bytes()
    pvs = standin({DEVICE_LIST: lambda r: Reply(200, body)})
    run = follow(pvs, "--interval", "1", env={"SUNPOWER_PVS_WEBSOCKET": ""})
    run.wait_for("two polls", lambda: len(run.points("sunpower_pvs")) == 2)
    code = run.end("SIGTERM")
    assert code == 0
    warnings = [line for line in run.errors if line.startswith("W! ")]
    assert warnings == ["W! legacy firmware has no telemetry websocket: device polls only\n"]
    assert run.lines[:2] == (FIXTURES / "pvs6-day" / "expected.lp").read_text().splitlines(True)[:2]
    assert set(pvs.paths()) == {DEVICE_LIST}


def test_quiet_at_night_skips_device_polls_while_nothing_is_produced(telemetry, follow) -> None:
    pvs = telemetry(frames=10**6, every=0.05, night=True)
    run = follow(pvs, "--interval", "1", "--quiet-at-night")
    # Many intervals pass at night: the websocket goes on, the devices are read once.
    run.wait_for("80 frames", lambda: len(run.points("sunpower_live")) >= 80)
    assert pvs.paths().count(DEVICES_LIST) == 1
    assert {line["fields"]["production_kw"] for line in run.points("sunpower_live")[1:]} == {0.0}
    pvs.night = False  # sunrise: the next interval reads the devices again
    run.wait_for("a poll after sunrise", lambda: len(run.points("sunpower_pvs")) == 2)
    code = run.end("stdin")
    assert_logged_out(pvs, code, run)


def test_quiet_at_night_without_websocket_reads_livedata_alone(telemetry, follow) -> None:
    pvs = telemetry(refuse=True, night=True)
    run = follow(pvs, "--interval", "1", "--quiet-at-night")
    run.wait_for("three livedata lines", lambda: len(run.points("sunpower_live")) == 3)
    code = run.end("stdin")
    assert_logged_out(pvs, code, run)
    assert pvs.paths().count(DEVICES_LIST) == 1
    assert [line["fields"]["production_kw"] for line in run.points("sunpower_live")] == [0.0] * 3


def test_a_wrong_password_twice_in_a_row_ends_the_process(telemetry, follow) -> None:
    pvs = telemetry()
    run = follow(pvs, "--interval", "1", env={"SUNPOWER_PVS_PASSWORD": "wrong"})
    code = run.process.wait(DEADLINE)
    for reader in run.readers:
        reader.join(DEADLINE)
    assert code == 1
    assert run.lines == []
    assert run.errors[-1].startswith("E! the PVS refused the login twice in a row: ")
    assert "Traceback" not in "".join(run.errors)


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["--interval", "0.5"], {}, "Invalid value for '--interval': give a number of seconds"),
        (["--interval", "nan"], {}, "Invalid value for '--interval': give a number of seconds"),
        ([], {"SUNPOWER_LP_FOLLOW_TIMING": "ping=0"}, "SUNPOWER_LP_FOLLOW_TIMING: 'ping=0' is"),
    ],
)
def test_bad_options_exit_2(args: list[str], env: dict[str, str], message: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "sunpower_telegraf", "--follow", *args],
        capture_output=True,
        env={**os.environ, **env},
        stdin=subprocess.DEVNULL,
        timeout=DEADLINE,
    )
    assert result.returncode == 2
    assert result.stdout == b""
    assert message in result.stderr.decode()


def test_an_exec_run_does_not_import_websockets() -> None:
    program = (
        "import sys; from sunpower_telegraf.cli import main\n"
        "try:\n"
        f"    main(['--input', {str(FIXTURES / 'pvs6-day' / 'devicelist.json')!r}])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(name for name in sys.modules if name.split('.')[0] == 'websockets'))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, check=True, timeout=DEADLINE
    )
    assert result.stdout.decode().splitlines()[-1] == "[]"


def test_a_bad_host_is_one_error_line() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "sunpower_telegraf", "--follow"],
        capture_output=True,
        env={**os.environ, "SUNPOWER_PVS_HOST": "http://user:pass@pvs"},
        stdin=subprocess.DEVNULL,
        timeout=DEADLINE,
    )
    assert (result.returncode, result.stdout) == (1, b"")
    assert result.stderr.decode() == (
        "E! --host must not carry a user name or password (user:pass@); give the password in "
        "SUNPOWER_PVS_PASSWORD\n"
    )


# -- the pure parts, table-driven ---------------------------------------------------------------


def test_backoff_doubles_from_one_second_to_five_minutes_with_jitter() -> None:
    timing = Timing()
    rng = random.Random(18)
    for attempt, (low, high) in enumerate([(1, 1.25), (1.5, 2.5), (3, 5), (6, 10), (12, 20)]):
        delays = [
            backoff_delay(attempt, timing.backoff, timing.backoff_max, rng) for _ in range(200)
        ]
        assert low <= min(delays) and max(delays) <= high
        assert len(set(delays)) > 100  # jittered
    # From 2^8 s on, the ceiling is 5 minutes: 300 - 25 % .. 300.
    for attempt in (9, 10, 50, 10**6):
        delays = [
            backoff_delay(attempt, timing.backoff, timing.backoff_max, rng) for _ in range(200)
        ]
        assert min(delays) >= 225 and max(delays) == 300


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_cause_is_logged_at_most_once_a_minute(capfd) -> None:
    clock = Clock()
    log = Log(60.0, clock)
    log("W", "poll", "first")
    for second in range(1, 60):
        clock.now = 1000.0 + second
        log("W", "poll", f"held {second}")
    log("E", "other", "another cause")
    clock.now = 1060.0
    log("W", "poll", "again")
    assert capfd.readouterr().err == (
        "W! first\nE! another cause\nW! again (59 more like this since the last one)\n"
    )


def test_the_log_forgets_old_causes() -> None:
    clock = Clock()
    log = Log(60.0, clock)
    for n in range(10_000):
        clock.now += 0.001
        log("D", f"cause {n}", "x")
    assert len(log.last) <= 256


@pytest.mark.parametrize(
    ("text", "timing"),
    [
        ("", Timing()),
        ("ping=0.5, silence=3", Timing(ping=0.5, silence=3.0)),
        ("login=0,", Timing(login=0.0)),
    ],
)
def test_timing_parse(text: str, timing: Timing) -> None:
    assert Timing.parse(text) == timing


@pytest.mark.parametrize(
    "text", ["ping", "ping=", "ping=x", "ping=0", "ping=-1", "pong=1", "silence=inf"]
)
def test_timing_parse_refuses(text: str) -> None:
    with pytest.raises(ValueError, match="is not NAME=SECONDS"):
        Timing.parse(text)


@pytest.mark.parametrize(
    ("base", "given", "url"),
    [
        ("http://172.27.153.1", None, "ws://172.27.153.1:9002/"),
        ("https://pvs.lan:8443/base", None, "ws://pvs.lan:9002/"),
        ("http://[fd00::1]", None, "ws://[fd00::1]:9002/"),
        ("http://172.27.153.1", "ws://pi:19002/", "ws://pi:19002/"),
        ("http://172.27.153.1", "OFF", ""),
    ],
)
def test_websocket_url(base: str, given: str | None, url: str) -> None:
    assert websocket_url(base, given) == url


def test_the_shipped_execd_block() -> None:
    tomllib = pytest.importorskip("tomllib")
    text = (
        Path(__file__).resolve().parent.parent / "telegraf.d" / "sunpower-follow.conf"
    ).read_text()
    block = tomllib.loads(text)["inputs"]["execd"][0]
    assert block["command"][1] == "--follow"
    assert (block["signal"], block["data_format"]) == ("none", "influx")
    assert block["restart_delay"]
    known = {option for param in main.params for option in param.opts}
    assert {argument for argument in block["command"] if argument.startswith("--")} <= known


# -- a misbehaving PVS6 ---------------------------------------------------------------------------

ODD_VALUES = [1e308, -1e308, 10**30, None, True, False, [], [1, [2]], {}, {"a": {"b": 1}}, "x"]
ODD_TIMES = [3600, 0, -1, 32503680000, 99999999999, 10**30, 1e308, "nan", None, [T0], {"t": T0}]


def test_no_frame_ends_the_process_and_every_line_parses(telemetry, follow) -> None:
    """Frames carrying every JSON type and values up to +-1e308, and times of a clock reset to
    the epoch or past any real one: the process goes on, every line parses, none is stamped
    before 2015 or more than a day ahead, and no lifetime 0 is printed."""
    overrides: dict[int, dict[str, Any]] = {}
    names = ["pv_p", "pv_en", "net_p", "net_en", "soc", "ess_p", "ess_en", "backupTimeRemaining"]
    number = 1
    for value in ODD_VALUES:
        overrides[number] = dict.fromkeys(names, value)
        number += 1
    for when in ODD_TIMES:
        overrides[number] = {"time": when, "pv_p": 1.0}
        number += 1
    for name in ("pv_en", "net_en", "site_load_en", "ess_en"):
        overrides[number] = {name: 0, "pv_p": 2.0}
        number += 1
    pvs = telemetry(frames=number + 5, overrides=overrides)
    run = follow(pvs, "--interval", "300")
    run.wait_for(
        "a line for the last frame",
        lambda: (
            pvs.done()
            and run.points("sunpower_live")
            and run.points("sunpower_live")[-1]["time"] == (T0 + number + 4) * 10**9
        ),
    )
    assert run.process.poll() is None
    assert run.end("stdin") == 0
    lines = run.points()  # each parses, or this raises
    assert len(lines) == len(run.lines)
    now = time.time()
    for line in lines:
        if line["time"] is not None:
            assert 1420070400 * 10**9 <= line["time"] <= (now + 86400) * 10**9
        for value in line["fields"].values():
            assert not isinstance(value, float) or math.isfinite(value)
    for line in run.points("sunpower_live"):
        for field in FIELD_OF:
            if field.endswith("_lifetime_kwh"):
                assert line["fields"].get(field) != 0.0, line
    # Each odd time gave a line without one (Telegraf stamps it), and a warning said so.
    assert sum(1 for line in run.points("sunpower_live") if line["time"] is None) >= len(ODD_TIMES)
    assert any("is not plausible" in error or "without a time" in error for error in run.errors)
    assert any("lifetime read 0, left out" in error for error in run.errors)


def test_a_failing_seed_leaves_the_stream_printing(telemetry, follow) -> None:
    pvs = telemetry(frames=30)
    pvs.http.routes[LIVEDATA] = lambda request: Reply(500, b"")
    run = follow(pvs, "--interval", "300")
    run.wait_for("live lines", lambda: len(run.points("sunpower_live")) >= 20)
    # Without a seed, the first line has only what the first frame carries.
    assert run.points("sunpower_live")[0]["fields"] == {
        "production_kw": 5.0,
        "production_lifetime_kwh": 6351.25,
    }
    assert any(e.startswith("W! could not read /sys/livedata to seed") for e in run.errors)
    assert run.end("stdin") == 0


def test_a_refused_enable_is_a_warning_at_once_and_is_tried_again(telemetry, follow) -> None:
    pvs = telemetry(frames=30)
    refused = {"on": True}
    enable = pvs.http.routes[SET_ENABLE]
    forbidden = Reply(403, b'{"status": 403, "error": "Forbidden"}')
    pvs.http.routes[SET_ENABLE] = lambda r: forbidden if refused["on"] else enable(r)
    run = follow(pvs, "--interval", "300")
    run.wait_for(
        "the warning",
        lambda: any("could not enable the telemetry websocket" in e for e in run.errors),
    )
    assert [e for e in run.errors if "enable" in e][0].startswith(
        "W! could not enable the telemetry websocket: the PVS answered HTTP 403"
    )
    run.wait_for("another try", lambda: pvs.paths().count(SET_ENABLE) >= 3)
    refused["on"] = False
    run.wait_for("live lines once enabled", lambda: len(run.points("sunpower_live")) >= 10)
    assert run.end("stdin") == 0


def test_a_socket_closed_during_a_slow_device_poll_is_heard_again_before_it_ends(
    telemetry, follow
) -> None:
    """The device list takes 20 s (a big site's 60 s, in the proportion of the shortened
    timings); the PVS closes the socket meanwhile; the stream reconnects, seeds, enables and
    prints again while the poll still waits."""
    pvs = telemetry(frames=400, close_every=30, every=0.05)
    slow = threading.Event()
    devices = pvs.http.routes[DEVICES_LIST]
    pvs.http.routes[DEVICES_LIST] = lambda r: replace(
        devices(r), delay=20.0 if slow.is_set() else 0.0
    )
    run = follow(pvs, "--interval", "2")
    run.wait_for("the first poll", lambda: len(run.points("sunpower_site")) == 1)
    slow.set()
    run.wait_for("the slow poll", lambda: pvs.paths().count(DEVICES_LIST) == 2)
    asked = pvs.paths().count(DEVICES_LIST)
    connects = pvs.events.count("connect")
    run.wait_for("a reconnect", lambda: pvs.events.count("connect") > connects)
    heard = len(run.points("sunpower_live"))
    run.wait_for("lines after it", lambda: len(run.points("sunpower_live")) > heard + 5)
    assert len(run.points("sunpower_site")) == 1  # the slow poll still has not answered
    assert pvs.paths().count(DEVICES_LIST) == asked
    assert run.end("stdin") == 0
