"""InfluxDB line protocol: a point value and its encoding.

Everything that reaches `format_point` is made safe here, whatever the PVS sent: Telegraf drops a
whole run for one line it cannot parse, so no input may produce an invalid line. Lengths are
bounded far below what InfluxDB refuses (64 KiB keys): measurement names and field keys are cut to
`MAX_NAME` characters, tag values to `MAX_TAG`, string field values to `MAX_STRING`. Text that
cannot be encoded (lone surrogates) is replaced when the output is encoded as UTF-8.

Numbers: every finite float is written exactly (`repr`, which reads back to the same float), with
one stated rounding: a subnormal (nonzero and smaller in size than `sys.float_info.min`,
2.2250738585072014e-308) is written as `0.0`. InfluxDB 1.6 stores subnormals, but parsers built on
C's `strtod` with a range check (line_protocol_parser) refuse the whole line as out of range; no
PVS measures anything within 300 orders of magnitude of that, so zero is the same measurement.
"""

from __future__ import annotations

import functools
import math
import re
import sys
from collections.abc import Mapping
from types import MappingProxyType
from typing import NamedTuple, Union

FieldValue = Union[float, str]

# Control characters and backslashes cannot be carried safely in a tag value (InfluxDB 1.x and
# some parsers disagree on `\\`), nor in a key; they become spaces before escaping.
# (Patterns, compiled by `re` on first use: most runs never meet text that needs them.)
_UNSAFE = r"[\x00-\x1f\x7f\\]+"
_SPACES = r"\s+"
_KEY_UNSAFE = re.compile(r"[^a-z0-9_]+")
_SNAKE_UNSAFE = re.compile(r"[^a-z0-9]+")
MAX_NAME = 128
MAX_TAG = 256
MAX_STRING = 4096
_TINY = sys.float_info.min  # the smallest normal float: below it, a subnormal (rounded to 0.0)
_isfinite = math.isfinite


class Point(NamedTuple):
    """One line: a measurement, its tags and fields, and an optional time in nanoseconds.
    (A named tuple, not a dataclass: an exec run makes hundreds, and never needs to import
    `dataclasses` for them.)"""

    measurement: str
    tags: Mapping[str, str] = MappingProxyType({})
    fields: Mapping[str, FieldValue] = MappingProxyType({})
    time_ns: int | None = None


def clean_text(value: str) -> str:
    """Collapse control characters, backslashes and runs of white space into single spaces."""
    if value.isprintable() and "\\" not in value and "  " not in value and value == value.strip():
        return value  # the common case, without the regular expressions
    return re.sub(_SPACES, " ", re.sub(_UNSAFE, " ", value)).strip()


def to_key(name: str) -> str:
    """A field key that needs no escaping: lower case, runs of anything but [a-z0-9_] as `_`."""
    return _KEY_UNSAFE.sub("_", name.lower())[:MAX_NAME]


@functools.lru_cache(maxsize=256)  # one DEVICE_TYPE names many devices
def to_snake(name: str) -> str:
    """`Power Meter` -> `power_meter`, `HUB+` -> `hub`: runs of anything but [a-z0-9] as `_`."""
    return _SNAKE_UNSAFE.sub("_", name.lower()).strip("_")[:MAX_NAME]


def _escape_tag(value: str) -> str:
    if "," in value or "=" in value or " " in value:
        return value.replace(",", r"\,").replace("=", r"\=").replace(" ", r"\ ")
    return value


def _format_value(value: FieldValue) -> str:
    if type(value) is not float:  # a float, the usual field, skips the conversions
        if isinstance(value, str):
            return '"' + clean_text(value)[:MAX_STRING].replace('"', '\\"') + '"'
        value = float(value)
    if not _isfinite(value):
        raise ValueError(f"field value {value!r} is not finite")
    if value and -_TINY < value < _TINY:
        value = 0.0  # a subnormal: the one stated rounding (see the module docstring)
    # repr round-trips exactly and never ends in `i`, so every number stays a float field.
    return repr(value)


def format_point(point: Point) -> str:
    """One line of line protocol (no newline); tags and fields sorted by key."""
    parts = [point.measurement.replace(",", r"\,").replace(" ", r"\ ")]
    for key in sorted(point.tags):
        value = clean_text(point.tags[key])[:MAX_TAG].strip()
        if value:
            parts.append(f"{key}={_escape_tag(value)}")
    head = ",".join(parts)
    fields = ",".join(
        [f"{key}={_format_value(value)}" for key, value in sorted(point.fields.items())]
    )
    if not fields:
        raise ValueError(f"point {point.measurement} has no fields")
    line = f"{head} {fields}"
    if point.time_ns is not None:
        line += f" {point.time_ns}"
    return line


def format_points(points: list[Point]) -> str:
    """The whole output: one line per point, each ending in a newline."""
    return "".join(format_point(point) + "\n" for point in points)
