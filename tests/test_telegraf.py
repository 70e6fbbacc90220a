"""`--telegraf-config` writes every option it is given into a block Telegraf can run as is.

The block is read back the way Telegraf reads it (TOML; a command string split like a shell line,
no shell), and the command it names is run against the loopback PVS with the environment the
block gives it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shlex
import ssl
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import trustme
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from sunpower_telegraf import cli
from sunpower_telegraf.options import Refused
from sunpower_telegraf.telegraf import ARGUMENTS, HANDLED, REFUSED, format_config, toml_string
from sunpower_telegraf.timing import Timing, advice, to_timing
from tests.support.cases import FIXTURES, GOLDEN
from tests.support.standin import DEVICE_LIST, CurrentFirmware, Reply

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover (3.9 and 3.10)
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
INSTALLED = "/opt/sunpower-telegraf/bin/sunpower-lp"
MODULE = [sys.executable, "-m", "sunpower_telegraf"]
SERIAL = "ZT230185000549A1234"
DAY = FIXTURES / "pvs6-day"
FINGERPRINT = "ab" * 32


def generate(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`sunpower-lp --telegraf-config ARGS` in a real process, none of the tool's variables set
    but those in `env`."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SUNPOWER_")}
    return subprocess.run(
        [*MODULE, "--telegraf-config", *args],
        capture_output=True,
        text=True,
        env={**clean, **(env or {})},
        cwd=ROOT,
        timeout=60,
    )


def parse(config: str) -> dict[str, Any]:
    """The one plugin table of a generated block, and the list form in its comment."""
    document = tomllib.loads(config)
    ((kind, [table]),) = document["inputs"].items()
    commented = re.search(r"^  # commands = (\[\[.*\]\])$", config, re.M)
    if commented:
        table["commented"] = tomllib.loads(f"x = {commented.group(1)}")["x"]
    return {"kind": kind, **table}


# -- the timing rule shared with --check ---------------------------------------------------------


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        (0.0, Timing(300, 120, 100)),  # what the shipped config assumes: a slow device list
        (8.1, Timing(300, 120, 100)),  # a typical PVS: the same
        (33.3, Timing(300, 120, 100)),  # 3 x 33.3 = 99.9, still within a slow run's 100 s
        (33.4, Timing(300, 130, 110)),  # 3 x 33.4 = 100.2, up to the next 10 s
        (60.0, Timing(600, 200, 180)),  # a 60 s run: 180 s, twice 200 s is past the 5-min grid
        (100.0, Timing(900, 320, 300)),
        (1500.0, Timing(7500, 3620, 3600)),  # no more than the longest --timeout a run takes
    ],
)
def test_advice(seconds: float, expected: Timing) -> None:
    assert advice(seconds) == expected


@pytest.mark.parametrize(
    ("run", "expected"),
    [
        (100.0, Timing(300, 120, 100.0)),
        (45.5, Timing(300, 66, 45.5)),  # Telegraf's timeout in whole seconds, above --timeout
        (150.0, Timing(600, 170, 150.0)),
        (3600.0, Timing(7500, 3620, 3600.0)),
    ],
)
def test_timing_around_a_given_timeout(run: float, expected: Timing) -> None:
    assert to_timing(run) == expected


def test_the_command_default_is_the_shipped_timing() -> None:
    """A run without --timeout fits the shipped config, and --check advises that config for a
    PVS of usual speed."""
    assert cli.DEFAULT_TIMEOUT == 100.0
    shipped = parse((ROOT / "telegraf.d" / "sunpower.conf").read_text())
    assert (shipped["interval"], shipped["timeout"]) == ("300s", "120s")
    assert shlex.split(shipped["commands"][0]) == [INSTALLED, "--timeout", "100"]


# -- the shipped files ---------------------------------------------------------------------------


def test_shipped_exec_config_is_the_generators_output() -> None:
    shipped = (ROOT / "telegraf.d" / "sunpower.conf").read_text()
    assert shipped == format_config([INSTALLED])


def test_shipped_follow_config_is_the_generators_output() -> None:
    shipped = (ROOT / "telegraf.d" / "sunpower-follow.conf").read_text()
    assert shipped == format_config([INSTALLED], {"follow": True})
    assert parse(shipped) == {
        "kind": "execd",
        "command": [INSTALLED, "--follow", "--timeout", "100", "--interval", "300"],
        "environment": ["SUNPOWER_PVS_HOST=172.27.153.1"],
        "signal": "none",
        "restart_delay": "10s",
        "data_format": "influx",
    }


# -- every option round-trips --------------------------------------------------------------------

EVERY_OPTION = [
    "--host", "https://pvs.lan:8443",
    "--password", "Z9 y\"8",
    "--source", "varserver",
    "--production-source", "inverters",
    "--timeout", "45.5",
    "--prefix", "solar.",
    "--no-device-time",
    "--no-site-summary",
    "--proxy", "http://proxy.lan:3128",
    "--ca-file", "README.md",
    "--fingerprint", ":".join(["AB"] * 32),
]  # fmt: skip
EVERY_ARGUMENT = [
    "--timeout", "45.5",
    "--source", "varserver",
    "--production-source", "inverters",
    "--prefix", "solar.",
    "--no-device-time",
    "--no-site-summary",
    "--proxy", "http://proxy.lan:3128",
    "--ca-file", str(ROOT / "README.md"),  # absolute: Telegraf runs elsewhere
    "--fingerprint", FINGERPRINT,  # as a run reads it
]  # fmt: skip
EVERY_ENVIRONMENT = [
    "SUNPOWER_PVS_HOST=https://pvs.lan:8443",
    'SUNPOWER_PVS_PASSWORD=Z9 y"8',
]


def test_every_option_goes_into_the_exec_block() -> None:
    done = generate(*EVERY_OPTION)
    assert (done.returncode, done.stderr) == (0, "")
    assert parse(done.stdout) == {
        "kind": "exec",
        "commands": [shlex.join([*MODULE, *EVERY_ARGUMENT])],
        "commented": [[*MODULE, *EVERY_ARGUMENT]],
        "environment": EVERY_ENVIRONMENT,
        "interval": "300s",
        "timeout": "66s",  # --timeout 45.5, and 20 s to end
        "data_format": "influx",
    }
    assert "Z9" not in done.stdout.split("environment")[0]  # the password is in no command


def test_every_option_goes_into_the_follow_block() -> None:
    done = generate(*EVERY_OPTION, "--follow", "--interval", "30", "--quiet-at-night")
    assert (done.returncode, done.stderr) == (0, "")
    assert parse(done.stdout) == {
        "kind": "execd",
        "command": [
            *MODULE,
            "--follow",
            "--timeout", "45.5",
            "--interval", "30",
            *EVERY_ARGUMENT[2:10],
            "--quiet-at-night",
            *EVERY_ARGUMENT[10:],
        ],
        "environment": EVERY_ENVIRONMENT,
        "signal": "none",
        "restart_delay": "10s",
        "data_format": "influx",
    }  # fmt: skip


def test_options_from_the_environment_are_kept(sink) -> None:
    """The variables a run reads count as given; a proxy's password stays out of the argv."""
    done = generate(
        env={
            "SUNPOWER_PVS_HOST": sink.hostport,
            "SUNPOWER_PVS_PASSWORD": "A1B2C",
            "SUNPOWER_PVS_PROXY": "http://me:s3cret@proxy.lan:3128",
        }
    )
    assert (done.returncode, done.stderr, sink.connections) == (0, "", 0)
    block = parse(done.stdout)
    assert block["commands"] == [shlex.join([*MODULE, "--timeout", "100"])]
    assert block["environment"] == [
        f"SUNPOWER_PVS_HOST={sink.hostport}",
        "SUNPOWER_PVS_PASSWORD=A1B2C",
        "SUNPOWER_PVS_PROXY=http://me:s3cret@proxy.lan:3128",
    ]


def test_a_given_timeout_and_interval_set_telegrafs() -> None:
    done = generate("--timeout", "200", "--interval", "900")
    assert (done.returncode, done.stderr) == (0, "")
    block = parse(done.stdout)
    assert (block["interval"], block["timeout"]) == ("900s", "220s")
    assert block["commands"] == [shlex.join([*MODULE, "--timeout", "200"])]
    assert "gives up by\n  ## itself after 200 s (its --timeout)" in done.stdout


def test_every_option_of_the_command_has_a_place() -> None:
    """A new option must be written into the block or refused with it, never dropped."""
    names = {parameter.name for parameter in cli.main.params if parameter.expose_value}
    assert names == set(ARGUMENTS) | HANDLED | set(REFUSED)


# -- what a run refuses, the config refuses ------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--host", "bad host"], "--host 'bad host' is not a host name, address or http(s):// URL"),
        (
            ["--host", "http://admin:hunter2@pvs.lan"],
            "--host must not carry a user name or password (user:pass@); give the password in "
            "SUNPOWER_PVS_PASSWORD",
        ),
    ],
)
def test_a_host_a_run_refuses_is_refused(args: list[str], message: str) -> None:
    done = generate(*args)
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr.splitlines() == [f"sunpower-lp: error: {message}"]
    run = subprocess.run([*MODULE, *args], capture_output=True, text=True, timeout=60)
    assert run.stderr.splitlines()[0] == done.stderr.splitlines()[0]  # the run's own words


SAME = "the run's words"  # the run refuses it as --telegraf-config does
TIMEOUT = "Invalid value for '--timeout': give a number of seconds above 0 and at most 3600"
INTERVAL = "Invalid value for '--interval': give a number of seconds from 1 to 86400"
WEBSOCKET = "Invalid value for '--websocket': give a ws:// or wss:// URL with a host, or off"
FOLLOW_ALONE = "--follow reads the PVS itself: it takes no --input or --check"
REFUSALS = [
    # (arguments, the last stderr line of --telegraf-config, and of the run: SAME, or None
    # where the run takes them)
    *((["--timeout", value], f"Error: {TIMEOUT}", SAME) for value in ["0", "-1", "nan", "inf", "3600.5"]),
    *(
        (["--follow", "--interval", value], f"Error: {INTERVAL}", SAME)
        for value in ["0.5", "0.999", "0", "-1", "nan", "inf", "86400.5"]
    ),
    (["--interval", "0.5"], f"Error: {INTERVAL}", SAME),
    *(
        (["--follow", "--websocket", value], f"Error: {WEBSOCKET}", SAME)
        for value in ["", "on", "pvs:9002", "http://pvs:9002/", "ws://", "ws://pvs:99999/", "ws://a b/", "ws://pvs/#x"]
    ),
    (
        ["--follow", "--websocket", "ws://me:pw@pvs/"],
        "Error: Invalid value for '--websocket': give the websocket's URL without a user name or "
        "password",
        SAME,
    ),
    (["--prefix", "bad prefix"], "Error: Invalid value for '--prefix': use at most 64 letters, digits, '_', '.' and '-'", SAME),
    (["--prefix", "x" * 65], "Error: Invalid value for '--prefix': use at most 64 letters, digits, '_', '.' and '-'", SAME),
    (
        ["--fingerprint", "ab" * 31],
        "Error: Invalid value for '--fingerprint': give the certificate's SHA-256 as 64 hex "
        "digits (':' allowed)",
        SAME,
    ),
    (["--quiet-at-night"], "Error: --quiet-at-night goes with --follow", SAME),
    (["--websocket", "off"], "Error: --websocket goes with --follow", SAME),
    (["--follow", "--input", "x.json"], f"Error: {FOLLOW_ALONE}", SAME),
    (["--follow", "--check"], f"Error: {FOLLOW_ALONE}", SAME),
    (
        ["--input", "fixtures/pvs6-day/devicelist.json"],
        "Error: --input reads saved answers once; a Telegraf config asks the PVS: leave --input "
        "out",
        None,
    ),
    (
        ["--check"],
        "Error: --check and --telegraf-config do one thing each: run them one after the other",
        None,
    ),
    (
        ["--interval", "120"],
        "Error: --interval 120 is not longer than Telegraf's timeout of 120 s (--timeout 100 and "
        "20 s to end): give a longer --interval or a shorter --timeout",
        "Error: --interval goes with --follow or --telegraf-config",
    ),
    (
        ["--timeout", "30.5", "--interval", "51"],
        "Error: --interval 51 is not longer than Telegraf's timeout of 51 s (--timeout 30.5 and "
        "20 s to end): give a longer --interval or a shorter --timeout",
        "Error: --interval goes with --follow or --telegraf-config",
    ),
]  # fmt: skip


def invoke(*args: str) -> Any:
    """The command in this process, none of the tool's variables set."""
    unset: dict[str, str | None] = {k: None for k in os.environ if k.startswith("SUNPOWER_")}
    return CliRunner().invoke(cli.main, list(args), env=unset)


@pytest.mark.parametrize(("args", "message", "run_message"), REFUSALS)
def test_a_refused_option_is_refused_by_the_config_as_by_the_run(
    args: list[str], message: str, run_message: str | None
) -> None:
    """A usage error (exit 2) in the same words, so no block is written that its command
    refuses."""
    config = invoke("--telegraf-config", *args)
    assert (config.exit_code, config.stdout) == (2, "")
    assert config.stderr.splitlines()[-1] == message
    if run_message is not None:
        run = invoke(*args)
        assert (run.exit_code, run.stdout) == (2, "")
        assert run.stderr.splitlines()[-1] == (message if run_message == SAME else run_message)


def test_the_refusals_are_those_of_a_real_process() -> None:
    done = generate("--follow", "--interval", "0.5")
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.splitlines()[-1] == f"Error: {INTERVAL}"


def test_options_click_refuses_stay_refused() -> None:
    done = generate("--prefix", "bad prefix")
    assert (done.returncode, done.stdout) == (2, "")


def test_a_value_that_is_not_text_is_refused(tmp_path: Path) -> None:
    name = os.fsencode(tmp_path) + b"/\xff.pem"  # a file name in another encoding
    Path(os.fsdecode(name)).write_text("")
    done = subprocess.run(
        [*(os.fsencode(part) for part in MODULE), b"--telegraf-config", b"--ca-file", name],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr.splitlines() == [
        "sunpower-lp: error: an option's value is not UTF-8 text, which a Telegraf config needs"
    ]


@given(st.text())
def test_any_text_is_a_toml_string(text: str) -> None:
    assert tomllib.loads(f"x = {toml_string(text)}") == {"x": text}


# -- the command a block names runs --------------------------------------------------------------


def expected_lines(prefix: str) -> str:
    """The day fixture's golden device lines as --prefix, --no-device-time and --no-site-summary
    make them: the summary left out, no timestamps, another prefix."""
    lines = (DAY / GOLDEN).read_text().splitlines()
    return "".join(
        re.sub(r" \d+$", "", prefix + line[len("sunpower_") :]) + "\n"
        for line in lines
        if not line.startswith("sunpower_site")
    )


def run_block(config: str) -> subprocess.CompletedProcess[str]:
    """The exec block's command as Telegraf runs it: split like a shell line, with the block's
    environment added to Telegraf's own."""
    block = parse(config)
    environment = dict(variable.split("=", 1) for variable in block["environment"])
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SUNPOWER_")}
    return subprocess.run(
        shlex.split(block["commands"][0]),
        capture_output=True,
        text=True,
        env={**clean, **environment},
        cwd="/",
        timeout=60,
    )


def test_the_block_runs_with_every_option_over_https(standin, tmp_path: Path) -> None:
    """The password, the CA file and the fingerprint reach the run: the PVS takes only that
    password, and serves a certificate only that CA and that pin accept."""
    firmware = CurrentFirmware(SERIAL, devices=json.loads((DAY / "devicelist.json").read_text()))
    firmware.password = "Z9y8X"  # not the serial's last 5 characters
    ca = trustme.CA()
    leaf = ca.issue_cert("127.0.0.1")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    leaf.configure_cert(context)
    pvs = standin(firmware.routes(), tls=context)
    ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    der = ssl.PEM_cert_to_DER_cert(leaf.cert_chain_pems[0].bytes().decode())
    done = generate(
        "--host", f"https://{pvs.hostport}",
        "--password", "Z9y8X",
        "--source", "devicelist",
        "--production-source", "inverters",
        "--timeout", "30",
        "--prefix", "solar_",
        "--no-device-time",
        "--no-site-summary",
        "--ca-file", str(tmp_path / "ca.pem"),
        "--fingerprint", hashlib.sha256(der).hexdigest(),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    run = run_block(done.stdout)
    assert run.returncode == 0, run.stderr
    assert run.stdout == expected_lines("solar_")
    assert firmware.logins == 1 and firmware.logouts == 1


def test_the_block_runs_through_its_proxy(standin) -> None:
    body = (DAY / "devicelist.json").read_bytes()
    proxy = standin({f"http://127.0.0.1:9/{DEVICE_LIST.lstrip('/')}": lambda r: Reply(200, body)})
    done = generate(
        "--host", "127.0.0.1:9",  # nothing listens there: only the proxy can answer
        "--proxy", proxy.url,
        "--prefix", "pv_",
        "--no-device-time",
        "--no-site-summary",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    run = run_block(done.stdout)
    assert run.returncode == 0, run.stderr
    assert run.stdout == expected_lines("pv_")
    assert proxy.paths() == [f"http://127.0.0.1:9{DEVICE_LIST}"]


# -- every accepted value: the block's command runs, as the command itself does -----------------


def day_lines(prefix: str = "sunpower_", device_time: bool = True, site: bool = True) -> str:
    """The day fixture's golden lines as --prefix, --no-device-time and --no-site-summary make
    them."""
    lines = (DAY / GOLDEN).read_text().splitlines()
    return "".join(
        (line if device_time else re.sub(r" \d+$", "", line)).replace("sunpower_", prefix, 1) + "\n"
        for line in lines
        if site or not line.startswith("sunpower_site")
    )


EXEC_ACCEPTED = [
    # (arguments, environment, the block's interval and timeout, the lines)
    ([], {}, ("300s", "120s"), day_lines()),
    (["--timeout", "3600"], {}, ("7500s", "3620s"), day_lines()),
    (["--timeout", "45.123456789"], {}, ("300s", "66s"), day_lines()),
    (["--interval", "120.0000001"], {}, ("120.0000001s", "120s"), day_lines()),
    (["--interval", "86400"], {}, ("86400s", "120s"), day_lines()),
    (["--timeout", "30", "--interval", "50.5"], {}, ("50.5s", "50s"), day_lines()),
    (["--prefix", "", "--no-device-time"], {}, ("300s", "120s"), day_lines("", device_time=False)),
    (["--prefix", "x" * 64, "--no-site-summary"], {}, ("300s", "120s"), day_lines("x" * 64, site=False)),
    # The follow mode's variable in an environment the exec block shares: not read, not refused.
    ([], {"SUNPOWER_PVS_WEBSOCKET": "ws://127.0.0.1:9/"}, ("300s", "120s"), day_lines()),
]  # fmt: skip


@pytest.mark.parametrize(("args", "env", "telegraf", "lines"), EXEC_ACCEPTED)
def test_every_accepted_exec_option_runs_from_its_block(
    standin, args: list[str], env: dict[str, str], telegraf: tuple[str, str], lines: str
) -> None:
    pvs = standin({DEVICE_LIST: lambda r: Reply(200, (DAY / "devicelist.json").read_bytes())})
    done = generate("--host", pvs.hostport, *args, env=env)
    assert (done.returncode, done.stderr) == (0, "")
    block = parse(done.stdout)
    assert (block["interval"], block["timeout"]) == telegraf
    assert "--websocket" not in block["commands"][0]
    ran = run_block(done.stdout)
    assert (ran.returncode, ran.stderr, ran.stdout) == (0, "", lines)
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SUNPOWER_")}
    at = args.index("--interval") if "--interval" in args else len(args)
    own = args[:at] + args[at + 2 :]  # --interval is Telegraf's: a run alone refuses it
    itself = subprocess.run(
        [*MODULE, "--host", pvs.hostport, *own],
        capture_output=True,
        text=True,
        env={**clean, **env},
        timeout=60,
    )
    assert (itself.returncode, itself.stderr, itself.stdout) == (0, "", lines)


FOLLOW_ACCEPTED = [
    # (arguments, environment, the command's own arguments after --follow, its start line's end)
    (["--follow"], {}, ["--timeout", "100", "--interval", "300"], "devices every 300 s, power from ws://127.0.0.1:9002/"),
    (["--follow", "--interval", "1"], {}, ["--timeout", "100", "--interval", "1"], "devices every 1 s, power from ws://127.0.0.1:9002/"),
    (["--follow", "--interval", "86400"], {}, ["--timeout", "100", "--interval", "86400"], "devices every 86400 s, power from ws://127.0.0.1:9002/"),
    (
        ["--follow", "--interval", "1.5", "--quiet-at-night"],
        {},
        ["--timeout", "100", "--interval", "1.5", "--quiet-at-night"],
        "devices every 1.5 s, power from ws://127.0.0.1:9002/",
    ),
    (
        ["--follow", "--timeout", "3600"],
        {},
        ["--timeout", "3600", "--interval", "300"],  # the run's interval, not exec's rule
        "devices every 300 s, power from ws://127.0.0.1:9002/",
    ),
    (
        ["--follow", "--websocket", "OFF"],
        {},
        ["--timeout", "100", "--interval", "300", "--websocket", "off"],
        "devices every 300 s, no websocket (--websocket off)",
    ),
    (
        ["--follow", "--websocket", "wss://[::1]:19443/live?x=1"],
        {},
        ["--timeout", "100", "--interval", "300", "--websocket", "wss://[::1]:19443/live?x=1"],
        "devices every 300 s, power from wss://[::1]:19443/live?x=1",
    ),
    (
        ["--follow"],
        {"SUNPOWER_PVS_WEBSOCKET": "ws://127.0.0.1:19002/"},
        ["--timeout", "100", "--interval", "300", "--websocket", "ws://127.0.0.1:19002/"],
        "devices every 300 s, power from ws://127.0.0.1:19002/",
    ),
]  # fmt: skip


def start_and_close(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`--follow` as Telegraf's execd starts it, its standard input closed at once, as Telegraf
    does when it stops: a command that takes its options starts, and ends with exit 0."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SUNPOWER_")}
    return subprocess.run(
        command, input="", capture_output=True, text=True, env={**clean, **env}, timeout=60
    )


@pytest.mark.parametrize(("args", "env", "arguments", "started"), FOLLOW_ACCEPTED)
def test_every_accepted_follow_option_starts_from_its_block(
    standin, args: list[str], env: dict[str, str], arguments: list[str], started: str
) -> None:
    """The PVS here has legacy firmware: device polls only, so the websocket named is never
    connected to; the start line says which one the process took."""
    pvs = standin({DEVICE_LIST: lambda r: Reply(200, (DAY / "devicelist.json").read_bytes())})
    done = generate("--host", f"http://{pvs.hostport}", *args, env=env)
    assert (done.returncode, done.stderr) == (0, "")
    block = parse(done.stdout)
    assert block["command"] == [*MODULE, "--follow", *arguments]
    assert block["environment"] == [f"SUNPOWER_PVS_HOST=http://{pvs.hostport}"]
    first = f"I! following the PVS at http://{pvs.hostport}: {started}"
    ran = start_and_close(block["command"], {"SUNPOWER_PVS_HOST": f"http://{pvs.hostport}"})
    assert ran.returncode == 0, ran.stderr
    assert ran.stderr.splitlines()[0] == first
    assert ran.stderr.splitlines()[-1] == "I! stopped: standard input closed"
    itself = start_and_close([*MODULE, "--host", f"http://{pvs.hostport}", *args], env)
    assert itself.returncode == 0, itself.stderr
    assert itself.stderr.splitlines()[0] == first


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"follow": True, "interval": 0.5}, "give a number of seconds from 1 to 86400"),
        ({"quiet_at_night": True}, "--quiet-at-night goes with --follow"),
        ({"websocket": "ws://127.0.0.1:9/"}, "--websocket goes with --follow"),
    ],
)
def test_the_generator_itself_applies_the_rules(options: dict[str, Any], message: str) -> None:
    """Called without the command line (as the shipped files are made), the same rules hold."""
    with pytest.raises(Refused) as refused:
        format_config([INSTALLED], options)
    assert str(refused.value) == message
