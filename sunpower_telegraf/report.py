"""What one run prints: the documents the PVS gave, turned into points."""

from __future__ import annotations

from typing import NamedTuple

from .answer import Answer
from .devices import Mapped, to_points
from .varserver import to_records


class Options(NamedTuple):
    prefix: str = "sunpower_"
    device_time: bool = True


DEFAULTS = Options()


def to_report(answer: Answer, options: Options = DEFAULTS) -> Mapped:
    """Every point of the run, in device-list order, and every warning."""
    records = answer.devices["devices"] if answer.devices else to_records(answer.vars)
    mapped = to_points(records, options.prefix, options.device_time)
    return Mapped(mapped.points, answer.warnings + mapped.warnings)
