"""The option rules of `options.py`, one value or one combination a row.

The command's own refusals (exit 2, the same words through a run and `--telegraf-config`) are in
tests/test_telegraf.py; here each rule is pinned at its edges.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from sunpower_telegraf.options import (
    Refused,
    check,
    format_number,
    parse_fingerprint,
    parse_interval,
    parse_prefix,
    parse_timeout,
    parse_websocket,
    to_given,
)

TIMEOUT = "give a number of seconds above 0 and at most 3600"
INTERVAL = "give a number of seconds from 1 to 86400"
WEBSOCKET = "give a ws:// or wss:// URL with a host, or off"


@pytest.mark.parametrize("value", [5e-324, 0.001, 1.0, 100.0, 3600.0])
def test_timeouts_taken(value: float) -> None:
    assert parse_timeout(value) == value


@pytest.mark.parametrize("value", [0.0, -0.0, -1.0, 3600.0000001, math.inf, -math.inf, math.nan])
def test_timeouts_refused(value: float) -> None:
    with pytest.raises(Refused, match=f"^{TIMEOUT}$") as refused:
        parse_timeout(value)
    assert refused.value.option == "--timeout"


@pytest.mark.parametrize("value", [1.0, 1.5, 300.0, 86400.0])
def test_intervals_taken(value: float) -> None:
    assert parse_interval(value) == value


@pytest.mark.parametrize(
    "value", [0.0, 0.5, 0.9999999, -1.0, 86400.001, 1e9, math.inf, -math.inf, math.nan]
)
def test_intervals_refused(value: float) -> None:
    with pytest.raises(Refused, match=f"^{INTERVAL}$"):
        parse_interval(value)


@pytest.mark.parametrize("value", ["", "sunpower_", "solar.", "a-b", "x" * 64])
def test_prefixes_taken(value: str) -> None:
    assert parse_prefix(value) == value


@pytest.mark.parametrize("value", ["a b", "x" * 65, "é", "a,b", "a\n"])
def test_prefixes_refused(value: str) -> None:
    with pytest.raises(Refused, match="^use at most 64 letters, digits, '_', '.' and '-'$"):
        parse_prefix(value)


@pytest.mark.parametrize(
    ("value", "digest"),
    [
        (None, None),
        ("ab" * 32, "ab" * 32),
        (":".join(["AB"] * 32), "ab" * 32),  # as openssl prints it
        (" " + "0F" * 32 + " ", "0f" * 32),
    ],
)
def test_fingerprints_taken(value: str | None, digest: str | None) -> None:
    assert parse_fingerprint(value) == digest


@pytest.mark.parametrize("value", ["", "ab" * 31, "ab" * 33, "gg" * 32, "ab" * 31 + "a b"])
def test_fingerprints_refused(value: str) -> None:
    with pytest.raises(Refused, match="64 hex digits"):
        parse_fingerprint(value)


@pytest.mark.parametrize(
    ("value", "kept"),
    [
        (None, None),  # the PVS's own, ws://<host>:9002/
        ("off", "off"),
        ("OFF", "off"),
        (" Off ", "off"),
        ("ws://127.0.0.1:19002/", "ws://127.0.0.1:19002/"),
        ("wss://pvs.lan/telemetry?x=1", "wss://pvs.lan/telemetry?x=1"),
        ("ws://[::1]:9002", "ws://[::1]:9002"),
        ("ws://pvs.lan.", "ws://pvs.lan."),
    ],
)
def test_websockets_taken(value: str | None, kept: str | None) -> None:
    assert parse_websocket(value) == kept


@pytest.mark.parametrize(
    "value",
    [
        "",
        "on",
        "pvs:9002",  # no scheme
        "http://pvs:9002/",
        "ws://",
        "ws://:9002/",
        "ws://pvs:99999/",
        "ws://pvs:port/",
        "ws://[::1/",
        "ws://bad host/",
        "ws://pvs/\x1b",
        "ws://pvs/#part",
        "ws://pvs_1/",
        "ws://-pvs/",
    ],
)
def test_websockets_refused(value: str) -> None:
    with pytest.raises(Refused, match=f"^{WEBSOCKET}$") as refused:
        parse_websocket(value)
    assert refused.value.option == "--websocket"


def test_a_websocket_with_a_login_is_refused() -> None:
    with pytest.raises(Refused, match="^give the websocket's URL without a user name or password$"):
        parse_websocket("ws://me:secret@pvs:9002/")


@pytest.mark.parametrize(
    ("given", "values"),
    [
        ({}, {}),
        ({"follow": True, "interval": "1.5", "websocket": "OFF"}, None),
        ({"follow": True, "quiet_at_night": True}, None),
        ({"telegraf_config": True, "interval": 121.0}, None),  # Telegraf's 120 s timeout + 1
        ({"telegraf_config": True, "timeout": 30.0, "interval": 50.5}, None),  # 30 + 20 < 50.5
        ({"telegraf_config": True, "follow": True, "interval": 1.0}, None),
        ({"check": True, "input_paths": ("a.json",)}, None),
        ({"fingerprint": "AB" * 32}, {"fingerprint": "ab" * 32}),
    ],
)
def test_combinations_taken(given: dict[str, Any], values: dict[str, Any] | None) -> None:
    expected = values if values is not None else dict(given)
    if "interval" in expected:
        expected["interval"] = float(expected["interval"])
    if expected.get("websocket"):
        expected["websocket"] = "off"
    assert check(given) == expected


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (
            {"follow": True, "input_paths": ("a.json",)},
            "--follow reads the PVS itself: it takes no --input or --check",
        ),
        (
            {"follow": True, "check": True},
            "--follow reads the PVS itself: it takes no --input or --check",
        ),
        (
            {"telegraf_config": True, "input_paths": ("a.json",)},
            "--input reads saved answers once; a Telegraf config asks the PVS: leave --input out",
        ),
        (
            {"telegraf_config": True, "check": True},
            "--check and --telegraf-config do one thing each: run them one after the other",
        ),
        ({"quiet_at_night": True}, "--quiet-at-night goes with --follow"),
        ({"telegraf_config": True, "quiet_at_night": True}, "--quiet-at-night goes with --follow"),
        ({"websocket": "off"}, "--websocket goes with --follow"),
        ({"telegraf_config": True, "websocket": "ws://pvs/"}, "--websocket goes with --follow"),
        ({"interval": 60.0}, "--interval goes with --follow or --telegraf-config"),
        (
            {"telegraf_config": True, "interval": 120.0},
            "--interval 120 is not longer than Telegraf's timeout of 120 s (--timeout 100 and 20 s "
            "to end): give a longer --interval or a shorter --timeout",
        ),
        (
            {"telegraf_config": True, "timeout": 30.5, "interval": 51.0},
            "--interval 51 is not longer than Telegraf's timeout of 51 s (--timeout 30.5 and 20 s "
            "to end): give a longer --interval or a shorter --timeout",
        ),
        ({"follow": True, "interval": 0.5}, INTERVAL),
        ({"timeout": 0}, TIMEOUT),
        ({"follow": True, "websocket": "http://pvs/"}, WEBSOCKET),
    ],
)
def test_combinations_refused(given: dict[str, Any], message: str) -> None:
    with pytest.raises(Refused) as refused:
        check(given)
    assert str(refused.value) == message


def test_the_websocket_variable_alone_is_read_by_follow_only() -> None:
    """The environment may serve an exec block and a follow block alike: the variable is left
    out without --follow, kept with it; the option on the command line is refused."""
    assert to_given({"websocket": "off"}, {"websocket"}) == {}
    assert to_given({"websocket": "off", "follow": True}, {"websocket"}) == {
        "websocket": "off",
        "follow": True,
    }
    with pytest.raises(Refused, match="^--websocket goes with --follow$"):
        to_given({"websocket": "off"}, {"host"})


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (100.0, "100"),
        (45.5, "45.5"),
        (45.123456789, "45.123456789"),  # every digit given: the block keeps the value
        (120.0000001, "120.0000001"),
        (86400.0, "86400"),
        (0.001, "0.001"),
    ],
)
def test_numbers_read_back_as_given(seconds: float, text: str) -> None:
    assert format_number(seconds) == text
    assert float(text) == seconds
