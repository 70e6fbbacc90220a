"""The documents a run works from, and the checks that they can be used."""

from __future__ import annotations

import json
import re
from typing import Any

from .lineproto import clean_text

MAX_QUOTE = 200  # characters of a PVS message quoted in an error


class PVSError(Exception):
    """A failure to get a usable answer from the PVS; str() is the one line a user sees."""


class Answer:
    """The documents one run got from the PVS (or from --input), and how it got them. (A plain
    class: an exec run never needs to import `dataclasses`.)"""

    def __init__(
        self,
        devices: dict[str, Any] | None = None,
        ess_status: dict[str, Any] | None = None,
        vars: dict[str, Any] | None = None,
        warnings: list[str] | None = None,
        failed: list[str] | None = None,
        firmware: str = "",
        logged_in: bool = False,
    ) -> None:
        self.devices = devices
        self.ess_status = ess_status
        # Varserver variables by path: /sys/info, /sys/devices, /sys/livedata, as `fmt=obj`
        # gives them.
        self.vars: dict[str, Any] = {} if vars is None else vars
        self.warnings: list[str] = [] if warnings is None else warnings
        # The requests (their paths) whose documents were asked for and could not be used:
        # failed, late, an error answer, or past the limit of requests. Each also gave a warning.
        self.failed: list[str] = [] if failed is None else failed
        # How the PVS was read, for --check: "legacy" or "current" firmware, and whether it
        # logged in.
        self.firmware = firmware
        self.logged_in = logged_in

    def __repr__(self) -> str:
        return f"Answer({self.__dict__!r})"


def quote(value: Any) -> str:
    """Text from the PVS, safe to put in a message: one line, no control characters, short."""
    text = clean_text(value if isinstance(value, str) else json.dumps(value, default=str))
    return text if len(text) <= MAX_QUOTE else text[: MAX_QUOTE - 3] + "..."


class _NotJSON(Exception):
    """Why a text is no JSON document: cut off (it could go on to be one), or wrong at a place."""

    def __init__(self, cut_off: bool, what: str, line: int, column: int) -> None:
        super().__init__(what)
        self.cut_off, self.what, self.line, self.column = cut_off, what, line, column

    @property
    def where(self) -> str:
        return f"line {self.line}, column {self.column}"


class _Absurd(Exception):
    """JSON, but nested too deeply or with a number thousands of digits long."""


# What could still come at the end of a document cut off inside a number or a literal. A pattern,
# compiled (and cached by `re`) only when an answer is not JSON: an exec run that parses its
# answer never pays for it.
_PARTIAL = r"-?(\d+\.?\d*([eE][-+]?\d*)?)?|\.\d*|t(r(ue?)?)?|f(a(l(se?)?)?)?|n(u(ll?)?)?"


def to_text(body: bytes) -> str:
    """The text of a JSON document: UTF-8 (a byte-order mark allowed), or UTF-16 or UTF-32 as
    their byte-order mark (or the NUL bytes around ASCII) say. Bytes that cannot be decoded
    (CESU-8 surrogates, Latin-1 names) become U+FFFD, never a failure."""
    text = body.decode(json.detect_encoding(body), "replace")
    return text[1:] if text[:1] == "\ufeff" else text


def _load(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        rest = text[exc.pos :].rstrip()
        cut_off = exc.msg.startswith("Unterminated string") or (
            exc.msg != "Extra data" and re.fullmatch(_PARTIAL, rest) is not None
        )
        what = "more after the end of the document" if exc.msg == "Extra data" else exc.msg
        line, column = exc.lineno, exc.colno
        if cut_off:  # where it stops: its last character
            line, column = text.count("\n") + 1, len(text) - text.rfind("\n") - 1
        raise _NotJSON(cut_off, what[:1].lower() + what[1:], line, column) from None
    except (ValueError, RecursionError):
        raise _Absurd() from None


def parse_json(body: bytes, url: str, content_type: str = "") -> Any:
    """The JSON document in an answer body, or a PVSError saying what came instead."""
    text = to_text(body).strip()
    if not text:
        raise PVSError(f"the PVS sent an empty answer to {url}")
    if text[:1] == "<" or "html" in content_type.lower():
        raise PVSError(
            f"the PVS answered {url} with HTML, not JSON: an old PVS2, or a proxy's error page; "
            "check --host"
        )
    try:
        return _load(text)
    except _NotJSON as exc:
        if exc.cut_off:
            raise PVSError(
                f"the answer from {url} is not complete JSON ({len(body)} bytes); the PVS may "
                "have been cut off: try again, and check any proxy in between"
            ) from None
        raise PVSError(f"the answer from {url} is not JSON: {exc.what} at {exc.where}") from None
    except _Absurd:
        raise PVSError(
            f"the answer from {url} is JSON no PVS sends (nested too deeply, or a number "
            "thousands of digits long)"
        ) from None


def parse_file(body: bytes, where: str) -> Any:
    """The JSON document in a saved answer (`--input`), or a PVSError about the file."""
    text = to_text(body).strip()
    if not text:
        raise PVSError(f"{where} is empty: there is no PVS answer in it")
    if text[:1] == "<":
        raise PVSError(f"{where} is HTML, not a PVS answer")
    try:
        return _load(text)
    except _NotJSON as exc:
        if exc.cut_off:
            raise PVSError(
                f"{where} stops before its JSON ends (at {exc.where}, after {len(body)} bytes): "
                "save the whole answer"
            ) from None
        raise PVSError(f"{where} is not JSON: {exc.what} at {exc.where}") from None
    except _Absurd:
        raise PVSError(
            f"{where} is JSON no PVS sends (nested too deeply, or a number thousands of digits "
            "long)"
        ) from None


# Keys of the small objects a PVS answers instead of data when something went wrong.
_ERROR_KEYS = {
    *("error", "errorcode", "error_code", "errmsg", "errormsg", "error_msg", "errormessage")
}
_GONE = r"(?i)unauthori[sz]ed|forbidden|session|log ?in|auth"  # compiled on first use: an error


def to_error(document: Any) -> str | None:
    """What the PVS says went wrong, quoted, when `document` is an error report (such as
    `{"status": 403, "error": "Unauthorized"}` or `{"errorcode": 5, ...}`) rather than data."""
    if not isinstance(document, dict) or not 0 < len(document) <= 10:
        return None
    if any(not isinstance(key, str) or key.startswith("/") for key in document):
        return None  # varserver variables
    if {"devices", "ess_report", "values"} & set(document):
        return None
    status = _code(document.get("status"))
    if _ERROR_KEYS & {key.lower() for key in document} or (status is not None and status >= 400):
        return quote(document)
    return None


def means_logged_out(document: Any) -> bool:
    """Whether an error report says the session is gone (or there never was one)."""
    codes = {_code(value) for key, value in document.items() if "status" in key or "code" in key}
    words = " ".join(str(value) for value in document.values() if isinstance(value, str))
    return bool(codes & {401, 403}) or re.search(_GONE, words) is not None


def _code(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) <= 4:
        return int(value)
    return None


def to_variable_list(document: Any) -> list[tuple[str, Any]] | None:
    """The variables of a varserver answer, name and value, in the order given: its `values`
    list (`{"values": [{"name": ..., "value": ...}], "count": n}`, what `name=` and `set=`
    answer) or its `fmt=obj` object (name -> value). None when `document` is neither: not an
    object, or an object with no variable (no name starting `/`) and no `values` list. An entry
    of a `values` list without a name is skipped."""
    if not isinstance(document, dict):
        return None
    values = document.get("values")
    if isinstance(values, list):
        return [
            (item["name"], item.get("value"))
            for item in values
            if isinstance(item, dict) and isinstance(item.get("name"), str)
        ]
    if document and not any(str(key).startswith("/") for key in document):
        return None
    return [(str(key), value) for key, value in document.items()]


def to_variables(document: Any) -> dict[str, Any] | None:
    """`to_variable_list` as name -> value (a name given twice: its last value)."""
    found = to_variable_list(document)
    return None if found is None else dict(found)


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
    device list, a storage status, or varserver variables (`fmt=obj`, or the `values` list).
    One run has one document of each kind: a second device list or storage status, or a
    variable given twice, is refused rather than one silently replacing the other."""
    answer = Answer()
    seen: dict[str, str] = {}  # kind of document, or variable name -> the file it came from

    def once(kind: str, where: str, what: str) -> None:
        if kind in seen:
            first = seen[kind]
            raise PVSError(
                f"{first} and {where} both hold {what}: give the documents of one run, each once"
                if first != where
                else f"{where} holds {what} twice"
            )
        seen[kind] = where

    for where, document in documents:
        problem = to_error(document)
        if problem is not None:
            raise PVSError(f"{where} is an error answer from the PVS, not data: {problem}")
        if isinstance(document, dict) and "devices" in document:
            once("devices", where, "a device list")
            answer.devices = check_device_list(document, where)
        elif isinstance(document, dict) and "ess_report" in document:
            once("ess_status", where, "a storage status")
            answer.ess_status = document
        elif (
            isinstance(document, dict)
            and (
                isinstance(document.get("values"), list)
                or any(str(key).startswith("/sys/") for key in document)
            )
            and (variables := to_variable_list(document)) is not None
        ):
            for name, value in variables:
                once("/" + name, where, quote(name))
                answer.vars[name] = value
        elif isinstance(document, dict) and "result" in document:
            check_device_list(document, where)  # the legacy envelope: says why it has no list
        else:
            raise PVSError(
                f"{where} is JSON but not a PVS answer: no device list, storage status or "
                "varserver variables"
            )
    return answer
