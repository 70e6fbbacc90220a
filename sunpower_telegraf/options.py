"""Every rule about sunpower-lp's options, in one place: each value, and which go together.

A run, `--follow` and `--telegraf-config` all take their options through here, so a block that
`--telegraf-config` writes runs, and a value is refused with the same words wherever it is given.
Names are click's parameter names (`input_paths` for `--input`).

One value at a time (`parse_*`; click calls them as the option is read):

- `--timeout`: seconds above 0 and at most 3600.
- `--interval`: seconds from 1 to 86400 (a device poll more than once a second, or less than
  once a day, is no setting for a PVS).
- `--prefix`: at most 64 letters, digits, `_`, `.` and `-` (a measurement name needs no escape).
- `--fingerprint`: a SHA-256 as 64 hex digits, `:` allowed; kept as lower-case digits.
- `--websocket`: a `ws://` or `wss://` URL with a host and no user name, password or fragment,
  or `off` in any case (kept as `off`).
- `--host` is checked where it is parsed (`pvs.Target.parse`): a run's failure, exit 1.

Together (`check`), on the options given (on the command line or in their variable):

- `--follow` reads the PVS itself: no `--input`, no `--check`.
- `--telegraf-config` writes a block that asks the PVS: no `--input`, no `--check`.
- `--quiet-at-night` and `--websocket` go with `--follow`; `--interval` with `--follow` or
  `--telegraf-config`. SUNPOWER_PVS_WEBSOCKET in the environment without `--follow` is not
  refused: the environment may serve both modes; it is left out (`to_given`).
- `--telegraf-config` without `--follow`: `--interval` is Telegraf's, and must be longer than
  Telegraf's timeout (the block's timing rule in `timing.py`), or every run would overlap the
  next.
"""

from __future__ import annotations

import ipaddress
import math
import re
from collections.abc import Collection, Mapping
from typing import Any
from urllib.parse import urlsplit

from .timing import DEFAULT, MARGIN, to_timing

MAX_TIMEOUT = 3600.0
MIN_INTERVAL = 1.0
DEFAULT_INTERVAL = 300.0  # --follow's device poll: the PVS refreshes device data every 5 minutes
MAX_INTERVAL = 86400.0
FOLLOW_ONLY = {"quiet_at_night": "--quiet-at-night", "websocket": "--websocket"}
# Read only by --follow, so left out (not refused) when only the environment gives them.
FOLLOW_ENVIRONMENT = {"websocket"}
_HOST = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?\.?")


class Refused(ValueError):
    """An option's value, or options together, that no run takes; the message says why in the
    words shown after `Error: `, `option` the option at fault when it is one value."""

    def __init__(self, message: str, option: str | None = None) -> None:
        super().__init__(message)
        self.option = option


def parse_timeout(value: float) -> float:
    if not (math.isfinite(value) and 0 < value <= MAX_TIMEOUT):
        raise Refused(f"give a number of seconds above 0 and at most {MAX_TIMEOUT:g}", "--timeout")
    return value


def parse_interval(value: float) -> float:
    if not (math.isfinite(value) and MIN_INTERVAL <= value <= MAX_INTERVAL):
        raise Refused(
            f"give a number of seconds from {MIN_INTERVAL:g} to {MAX_INTERVAL:g}", "--interval"
        )
    return value


def parse_prefix(value: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9_.-]{0,64}", value):
        raise Refused("use at most 64 letters, digits, '_', '.' and '-'", "--prefix")
    return value


def parse_fingerprint(value: str | None) -> str | None:
    if value is None:
        return None
    digest = value.replace(":", "").strip().lower()
    if not re.fullmatch(r"[0-9a-f]{64}", digest):
        raise Refused(
            "give the certificate's SHA-256 as 64 hex digits (':' allowed)", "--fingerprint"
        )
    return digest


def parse_websocket(value: str | None) -> str | None:
    """None (the PVS's own, ws://<host>:9002/), `off`, or the URL as given."""
    if value is None:
        return None
    text = value.strip()
    if text.lower() == "off":
        return "off"
    bad = Refused("give a ws:// or wss:// URL with a host, or off", "--websocket")
    if not text.isprintable() or " " in text:
        raise bad
    try:
        parts = urlsplit(text)
        hostname, _ = parts.hostname, parts.port  # .port raises on a bad port
    except ValueError:
        raise bad from None
    if parts.scheme not in ("ws", "wss") or not hostname or parts.fragment:
        raise bad
    if "@" in parts.netloc:
        raise Refused("give the websocket's URL without a user name or password", "--websocket")
    if not _valid_host(hostname):
        raise bad
    return text


def _valid_host(hostname: str) -> bool:
    try:
        ipaddress.ip_address(hostname)
        return True
    except ValueError:
        return len(hostname) <= 253 and bool(_HOST.fullmatch(hostname))


# Each value's rule, by click's parameter name: what `check` applies to a given mapping.
PARSERS: dict[str, Any] = {
    "timeout": lambda value: parse_timeout(float(value)),
    "interval": lambda value: parse_interval(float(value)),
    "prefix": parse_prefix,
    "fingerprint": parse_fingerprint,
    "websocket": parse_websocket,
}


def to_given(given: Mapping[str, Any], from_environment: Collection[str] = ()) -> dict[str, Any]:
    """The options `given` as a run takes them: each value by its rule, then the rules between
    them (`check`); a variable of the follow mode that only the environment gives, without
    `--follow`, is left out. Raises Refused."""
    kept = {
        name: value
        for name, value in given.items()
        if given.get("follow") or name not in FOLLOW_ENVIRONMENT or name not in from_environment
    }
    return check(kept)


def check(given: Mapping[str, Any]) -> dict[str, Any]:
    """`given` (click's names and values, only the options given) with each value by its rule;
    Refused for a value or a combination no run takes."""
    values = {
        name: PARSERS[name](value) if name in PARSERS and value is not None else value
        for name, value in given.items()
    }
    follow = bool(values.get("follow"))
    config = bool(values.get("telegraf_config"))
    if follow and (values.get("input_paths") or values.get("check")):
        raise Refused("--follow reads the PVS itself: it takes no --input or --check")
    if config and values.get("input_paths"):
        raise Refused(
            "--input reads saved answers once; a Telegraf config asks the PVS: leave --input out"
        )
    if config and values.get("check"):
        raise Refused(
            "--check and --telegraf-config do one thing each: run them one after the other"
        )
    if not follow:
        for name, option in FOLLOW_ONLY.items():
            if values.get(name) not in (None, False):
                raise Refused(f"{option} goes with --follow")
        if "interval" in values and not config:
            raise Refused("--interval goes with --follow or --telegraf-config")
    if config and not follow and "interval" in values:
        run = values.get("timeout", DEFAULT.run)
        timeout = to_timing(run).timeout
        if values["interval"] <= timeout:
            raise Refused(
                f"--interval {format_number(values['interval'])} is not longer than Telegraf's "
                f"timeout of {timeout} s (--timeout {format_number(run)} and {MARGIN} s to end): "
                "give a longer --interval or a shorter --timeout"
            )
    return values


def format_number(seconds: float) -> str:
    """Seconds as the shortest text that reads back as the same number: 100, 45.5, 0.001."""
    text = repr(float(seconds))
    return text[:-2] if text.endswith(".0") else text
