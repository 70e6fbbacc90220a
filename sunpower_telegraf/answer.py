"""The documents a run works from, and the checks that they can be used."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


class PVSError(Exception):
    """A failure to get a usable answer from the PVS; str() is the one line a user sees."""


@dataclass
class Answer:
    """The documents one run got from the PVS (or from --input)."""

    devices: dict[str, Any] | None = None
    ess_status: dict[str, Any] | None = None
    vars: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


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
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        raise PVSError(
            f"the answer from {url} is not complete JSON ({len(body)} bytes); the PVS may have "
            "been cut off: try again, and check any proxy in between"
        ) from None


def check_device_list(document: Any, where: str) -> dict[str, Any]:
    """The device list envelope, or a PVSError saying why it cannot be used."""
    if not isinstance(document, dict):
        raise PVSError(f"the answer from {where} is JSON but not a device list")
    result = document.get("result", "succeed")
    if result != "succeed":
        message = document.get("msg") or document.get("error") or "no message"
        raise PVSError(f"the PVS answered result {result!r} to the device list: {message}")
    if not isinstance(document.get("devices"), list):
        raise PVSError(f"the answer from {where} has no device list")
    return document
