"""Telegraf's blocks for sunpower-lp: telegraf.d/sunpower.conf and sunpower-follow.conf, or
printed ready to use by `sunpower-lp --telegraf-config [--follow]`.

The block names the command by the absolute path of the command that runs, so a config written
by the installed command names exactly what Telegraf's service user must run, with every option
given beside `--telegraf-config`: the host and the password go into `environment` (never the
process list), the rest become arguments, and what a run would refuse is refused here too, by
the run's own rules (`options.py`), so a block is never written that its command refuses.

One timing rule (`timing.py`) serves the block, the options' check of an exec block's interval
and `--check`'s advice.
"""

from __future__ import annotations

import json
import os
import shlex
import sys
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from .answer import PVSError
from .options import DEFAULT_INTERVAL, check, format_number
from .timing import DEFAULT, Timing, to_timing

DEFAULT_HOST = "172.27.153.1"

HEADER = """\
# Read a SunPower PVS5/PVS6 gateway: production, consumption, grid, battery and per-panel data
[[inputs.exec]]
  ## Run sunpower-lp, which asks the PVS once and prints InfluxDB line protocol.
  ## Telegraf's service user must be able to run it: give its full path, e.g. from an
  ## install in /opt/sunpower-telegraf (see the README); `sunpower-lp --telegraf-config`
  ## prints this block with the path of the command that runs and the options given.
  commands = [{string_form}]
  ## Telegraf 1.39 and later also take each command as a list of arguments, unsplit:
  # commands = [[{list_form}]]
"""
FOLLOW_HEADER = """\
# Follow a SunPower PVS6 gateway: the site's power every second, every device each --interval
[[inputs.execd]]
  ## Run sunpower-lp --follow, which keeps one login session to the PVS and prints
  ## InfluxDB line protocol as data arrives. Telegraf's service user must be able to
  ## run it: give its full path, e.g. from an install in /opt/sunpower-telegraf (see the
  ## README); `sunpower-lp --telegraf-config --follow` prints this block with the path
  ## of the command that runs and the options given.
  command = [{list_form}]
"""
ENVIRONMENT = """
  ## Where the PVS is, and on current firmware the login password when the default
  ## (the last 5 characters of the PVS serial) is refused. Settings given here stay
  ## out of the process list, unlike command-line arguments.
  environment = [{environment}]
"""
ENVIRONMENT_EXAMPLE = """\
  # environment = [{environment}, "SUNPOWER_PVS_PASSWORD=A1B2C"]
"""
TIMING = """
  ## How often to ask. The PVS refreshes its readings on a 5-minute grid, takes
  ## 5-10 s (sometimes over 60 s) to answer, and heavy polling has been reported to
  ## load it and wear its flash: keep this well above the timeout below.
  interval = "{interval}s"

  ## Long enough for a slow PVS and under the interval. sunpower-lp gives up by
  ## itself after {run} s (its --timeout) with a clear error, before Telegraf would
  ## kill it at this timeout.
  timeout = "{timeout}s"

  ## sunpower-lp prints line protocol; exec expects JSON unless told otherwise.
  data_format = "influx"
"""
FOLLOW_TIMING = """
  ## sunpower-lp --follow prints lines as data arrives: nothing to signal. It polls
  ## the devices every {interval} s (--interval), each poll within {run} s (--timeout).
  signal = "none"

  ## It ends only when it cannot go on (a wrong password, say); start it again after:
  restart_delay = "10s"

  ## sunpower-lp prints line protocol.
  data_format = "influx"
"""

# Options written as arguments, in this order: click's parameter name -> the option.
ARGUMENTS = {
    "source": "--source",
    "production_source": "--production-source",
    "prefix": "--prefix",
    "no_device_time": "--no-device-time",
    "no_site_summary": "--no-site-summary",
    "quiet_at_night": "--quiet-at-night",
    "websocket": "--websocket",
    "proxy": "--proxy",
    "ca_file": "--ca-file",
    "fingerprint": "--fingerprint",
}
FLAGS = {"no_device_time", "no_site_summary", "quiet_at_night"}
# Given with --telegraf-config, these ask for something a config cannot do (options.check says
# so in words).
REFUSED = {"input_paths", "check"}
# Read elsewhere: the block's timing, its kind, and the option that asked for it.
HANDLED = {"host", "password", "timeout", "interval", "follow", "telegraf_config"}


class Block(NamedTuple):
    """What a block runs: the arguments after the command, its environment, its timing."""

    follow: bool
    arguments: list[str]
    environment: list[str]
    timing: Timing


def to_block(options: Mapping[str, Any]) -> Block:
    """The block for `options` (click's parameter names and values, those given on the command
    line or in the environment): options.Refused for what a run refuses, in its words, and a
    PVSError for a `--host` a run cannot use."""
    for name in options:
        if name not in REFUSED and name not in HANDLED and name not in ARGUMENTS:
            raise PVSError(f"internal error: {name} has no place in the Telegraf config")
    given = check({**options, "telegraf_config": True})  # the run's own rules
    follow = bool(given.get("follow"))
    host = str(given.get("host") or DEFAULT_HOST).strip()
    from .pvs import Target  # the check a run makes, with its words

    Target.parse(host)
    environment = [f"SUNPOWER_PVS_HOST={host}"]
    if given.get("password"):
        environment.append(f"SUNPOWER_PVS_PASSWORD={given['password']}")
    run = float(given.get("timeout", DEFAULT.run))
    timing = to_timing(run)
    if "interval" in given:
        timing = timing._replace(interval=float(given["interval"]))
    elif follow:  # the run's own default: Telegraf's interval rule is for exec runs
        timing = timing._replace(interval=DEFAULT_INTERVAL)
    arguments = ["--follow"] if follow else []
    arguments += ["--timeout", format_number(run)]
    if follow:
        arguments += ["--interval", format_number(timing.interval)]
    for name, option in ARGUMENTS.items():
        value = given.get(name)
        if value is None or value is False:
            continue
        if name in FLAGS:
            arguments.append(option)
        elif name == "proxy" and _has_user_info(str(value)):
            environment.append(f"SUNPOWER_PVS_PROXY={value}")  # its password stays out of ps
        elif name == "ca_file":
            arguments += [option, os.path.abspath(str(value))]
        else:
            arguments += [option, str(value)]
    return Block(follow, arguments, environment, timing)


def format_config(command: Sequence[str], options: Mapping[str, Any] | None = None) -> str:
    """The block that runs `command` (its program, as this_command gives it) with `options`."""
    block = to_block(options or {})
    argv = [*command, *block.arguments]
    list_form = ", ".join(toml_string(argument) for argument in argv)
    environment = ", ".join(toml_string(variable) for variable in block.environment)
    if block.follow:
        text = FOLLOW_HEADER.format(list_form=list_form)
    else:
        text = HEADER.format(string_form=toml_string(shlex.join(argv)), list_form=list_form)
    text += ENVIRONMENT.format(environment=environment)
    if len(block.environment) == 1:
        text += ENVIRONMENT_EXAMPLE.format(environment=environment)
    timing = block.timing
    template = FOLLOW_TIMING if block.follow else TIMING
    return text + template.format(
        interval=format_number(timing.interval),
        timeout=timing.timeout,
        run=format_number(timing.run),
    )


def toml_string(text: str) -> str:
    """A TOML basic string: JSON's escapes are TOML's, but for DEL, which TOML wants escaped; a
    PVSError for what is not text (bytes of another encoding in a file name)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise PVSError(
            "an option's value is not UTF-8 text, which a Telegraf config needs"
        ) from None
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def this_command() -> list[str]:
    """How the running command is started: its script's absolute path, or python -m."""
    script = sys.argv[0] if sys.argv else ""
    if not script or script.endswith(("__main__.py", "-c")) or not os.path.exists(script):
        return [sys.executable, "-m", "sunpower_telegraf"]
    return [os.path.abspath(script)]


def _has_user_info(url: str) -> bool:
    try:
        return "@" in urlsplit(url).netloc
    except ValueError:
        return "@" in url
