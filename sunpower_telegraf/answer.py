"""The documents a run works from, and the checks that they can be used."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from .lineproto import clean_text

MAX_QUOTE = 200  # characters of a PVS message quoted in an error


class PVSError(Exception):
    """A failure to get a usable answer from the PVS; str() is the one line a user sees."""


@dataclass
class Answer:
    """The documents one run got from the PVS (or from --input), and how it got them."""

    devices: dict[str, Any] | None = None
    ess_status: dict[str, Any] | None = None
    # Varserver variables by path: /sys/info, /sys/devices, /sys/livedata, as `fmt=obj` gives them.
    vars: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    # How the PVS was read, for --check: "legacy" or "current" firmware, and whether it logged in.
    firmware: str = ""
    logged_in: bool = False


def quote(value: Any) -> str:
    """Text from the PVS, safe to put in a message: one line, no control characters, short."""
    text = clean_text(value if isinstance(value, str) else json.dumps(value, default=str))
    return text if len(text) <= MAX_QUOTE else text[: MAX_QUOTE - 3] + "..."


def parse_json(body: bytes, url: str, content_type: str = "") -> Any:
    """The JSON document in an answer body, or a PVSError saying what came instead."""
    text = body.lstrip()
    if not text:
        raise PVSError(f"the PVS sent an empty answer to {url}")
    if text[:1] == b"<" or "html" in content_type.lower():
        raise PVSError(
            f"the PVS answered {url} with HTML, not JSON: an old PVS2, or a proxy's error page; "
            "check --host"
        )
    # Bytes that are not UTF-8 (CESU-8 surrogates, Latin-1 names) become U+FFFD, never a failure.
    decoded = text.decode("utf-8", "replace")
    try:
        return json.loads(decoded)
    except json.JSONDecodeError:
        raise PVSError(
            f"the answer from {url} is not complete JSON ({len(body)} bytes); the PVS may have "
            "been cut off: try again, and check any proxy in between"
        ) from None
    except (ValueError, RecursionError):
        raise PVSError(
            f"the answer from {url} is JSON no PVS sends (nested too deeply, or a number "
            "thousands of digits long)"
        ) from None


def check_device_list(document: Any, where: str) -> dict[str, Any]:
    """The device list envelope, or a PVSError saying why it cannot be used."""
    if not isinstance(document, dict):
        raise PVSError(f"the answer from {where} is JSON but not a device list")
    result = document.get("result", "succeed")
    if result != "succeed":
        message = quote(document.get("msg") or document.get("error") or "no message")
        raise PVSError(f"the PVS answered result {quote(result)!r} to the device list: {message}")
    if not isinstance(document.get("devices"), list):
        raise PVSError(f"the answer from {where} has no device list")
    return document


def to_answer(documents: list[tuple[str, Any]]) -> Answer:
    """One run's answer from saved documents (`--input`), each recognised by its shape: a
    device list, a storage status, or varserver variables (`fmt=obj`, or the `values` list)."""
    answer = Answer()
    for where, document in documents:
        if isinstance(document, dict) and "devices" in document:
            answer.devices = check_device_list(document, where)
        elif isinstance(document, dict) and "ess_report" in document:
            answer.ess_status = document
        elif isinstance(document, dict) and isinstance(document.get("values"), list):
            answer.vars.update(
                (str(item["name"]), item.get("value"))
                for item in document["values"]
                if isinstance(item, dict) and isinstance(item.get("name"), str)
            )
        elif isinstance(document, dict) and any(str(key).startswith("/sys/") for key in document):
            answer.vars.update((str(key), value) for key, value in document.items())
        else:
            check_device_list(document, where)  # says why it is no device list
    return answer
