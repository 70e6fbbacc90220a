"""The `[[inputs.exec]]` block for Telegraf: telegraf.d/sunpower.conf, or printed ready to use.

`sunpower-lp --telegraf-config` prints it with the absolute path of the command that runs, so a
config written by the installed command names exactly what Telegraf's service user must run.
"""

from __future__ import annotations

import json
import math
import os
import shlex
import sys

TEMPLATE = """\
# Read a SunPower PVS5/PVS6 gateway: production, consumption, grid, battery and per-panel data
[[inputs.exec]]
  ## Run sunpower-lp, which asks the PVS once and prints InfluxDB line protocol.
  ## Telegraf's service user must be able to run it: give its full path, e.g. from an
  ## install in /opt/sunpower-telegraf (see the README); `sunpower-lp --telegraf-config`
  ## prints this block with the path of the command that runs.
  commands = [{string_form}]
  ## Telegraf 1.39 and later also take each command as a list of arguments, unsplit:
  # commands = [[{list_form}, "--source", "varserver"]]

  ## Where the PVS is, and on current firmware the login password when the default
  ## (the last 5 characters of the PVS serial) is refused. Settings given here stay
  ## out of the process list, unlike command-line arguments.
  environment = [{environment}]
  # environment = [{environment}, "SUNPOWER_PVS_PASSWORD=A1B2C"]

  ## Ask every 5 minutes. The PVS refreshes its readings on a 5-minute grid, takes
  ## 5-10 s (sometimes over 60 s) to answer, and heavy polling has been reported to
  ## load it and wear its flash; the community floor is one poll every 2 minutes.
  interval = "300s"

  ## Long enough for a slow PVS and under the interval. sunpower-lp gives up by
  ## itself after 100 s (its --timeout) with a clear error, before Telegraf would
  ## kill it at this timeout.
  timeout = "120s"

  ## sunpower-lp prints line protocol; exec expects JSON unless told otherwise.
  data_format = "influx"
"""
DEFAULT_HOST = "172.27.153.1"
INTERVAL = 300  # seconds: the PVS's own 5-minute grid


def advice(seconds: float) -> tuple[int, int, int]:
    """Telegraf `interval`, `timeout` and sunpower-lp `--timeout` (whole seconds) for a PVS that
    took `seconds` to answer a run: room for one three times slower than now."""
    telegraf = max(60, math.ceil((3 * seconds + 20) / 10) * 10)
    return max(INTERVAL, 2 * telegraf), telegraf, telegraf - 20


def format_config(command: list[str], host: str = DEFAULT_HOST) -> str:
    """The block for `command` (its arguments) reading the PVS at `host`."""
    return TEMPLATE.format(
        string_form=json.dumps(shlex.join(command)),
        list_form=", ".join(json.dumps(argument) for argument in command),
        environment=json.dumps(f"SUNPOWER_PVS_HOST={host}"),
    )


def this_command() -> list[str]:
    """How the running command is started: its script's absolute path, or python -m."""
    script = sys.argv[0] if sys.argv else ""
    if not script or script.endswith(("__main__.py", "-c")) or not os.path.exists(script):
        return [sys.executable, "-m", "sunpower_telegraf"]
    return [os.path.abspath(script)]
