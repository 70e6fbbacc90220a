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
from hypothesis import given
from hypothesis import strategies as st

from sunpower_telegraf import cli
from sunpower_telegraf.telegraf import (
    ARGUMENTS,
    HANDLED,
    REFUSED,
    Timing,
    advice,
    format_config,
    to_timing,
    toml_string,
)
from tests.cases import FIXTURES, GOLDEN
from tests.standin import DEVICE_LIST, CurrentFirmware, Reply

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


def test_options_from_the_environment_are_kept() -> None:
    """The variables a run reads count as given; a proxy's password stays out of the argv."""
    done = generate(
        env={
            "SUNPOWER_PVS_HOST": "192.168.1.50:8080",
            "SUNPOWER_PVS_PASSWORD": "A1B2C",
            "SUNPOWER_PVS_PROXY": "http://me:s3cret@proxy.lan:3128",
        }
    )
    assert (done.returncode, done.stderr) == (0, "")
    block = parse(done.stdout)
    assert block["commands"] == [shlex.join([*MODULE, "--timeout", "100"])]
    assert block["environment"] == [
        "SUNPOWER_PVS_HOST=192.168.1.50:8080",
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


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--input", "fixtures/pvs6-day/devicelist.json"],
            "--input reads saved answers once; a Telegraf config asks the PVS: leave --input out",
        ),
        (
            ["--check"],
            "--check and --telegraf-config do one thing each: run them one after the other",
        ),
        (["--quiet-at-night"], "--quiet-at-night goes with --follow"),
        (
            ["--interval", "120"],
            "--interval 120 is not longer than Telegraf's timeout of 120 s (--timeout 100 and 20 s "
            "to end): give a longer --interval or a shorter --timeout",
        ),
        (["--interval", "nan", "--follow"], "--interval nan is not a number of seconds above 0"),
        (["--interval", "0", "--follow"], "--interval 0 is not a number of seconds above 0"),
    ],
)
def test_what_a_config_cannot_do_is_refused(args: list[str], message: str) -> None:
    done = generate(*args)
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr.splitlines() == [f"sunpower-lp: error: {message}"]


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
