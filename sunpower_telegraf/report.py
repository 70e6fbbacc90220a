"""What one run prints: the documents the PVS gave, turned into points."""

from __future__ import annotations

import dataclasses
import math
from typing import NamedTuple

from .answer import Answer
from .devices import STRING_FIELDS, Mapped, to_points
from .health import to_device_health
from .lineproto import FieldValue, Point, to_snake
from .site import to_site
from .storage import Entry
from .summary import to_summary


class Options(NamedTuple):
    prefix: str = "sunpower_"
    device_time: bool = True
    site: bool = True
    # Where the site's production comes from: auto (the meter where there is one), meter, inverters.
    production_source: str = "auto"


DEFAULTS = Options()


def to_report(answer: Answer, options: Options = DEFAULTS) -> Mapped:
    """Every point of the run, in device-list order, storage values merged into their devices,
    the site summary last; and every warning."""
    site = to_site(answer)
    mapped = to_points(site.records, options.prefix, options.device_time)
    entries = site.storage
    if not options.device_time:
        entries = [entry._replace(time_ns=None) for entry in entries]
    points = merge_entries(mapped.points, entries, options.prefix)
    health = to_device_health(site)
    if health:
        points = [
            _typed(dataclasses.replace(point, fields={**point.fields, **extra}))
            if (extra := health.get(point.tags.get("serial", "")))
            else point
            for point in points
        ]
    warnings = answer.warnings + site.warnings + mapped.warnings
    if options.site and points:
        summary = to_summary(site, options.prefix)
        if isinstance(summary, Point):
            points.append(_typed(summary))
        else:
            warnings.append(summary)
    return Mapped([point for point in points if point.fields], warnings)


def _typed(point: Point) -> Point:
    """Every field keeps one type forever: a name of `STRING_FIELDS` is a string, any other a
    finite float (arithmetic on huge values can overflow to inf, which no line may carry).
    `devices.to_fields` makes nothing else, so only storage values and the summary, which come
    from elsewhere, are held to it here."""
    fields = point.fields
    if all(_well_typed(key, value) for key, value in fields.items()):
        return point
    kept = {key: value for key, value in fields.items() if _well_typed(key, value)}
    return dataclasses.replace(point, fields=kept)


def _well_typed(key: str, value: FieldValue) -> bool:
    if key in STRING_FIELDS:
        return isinstance(value, str)
    return isinstance(value, float) and math.isfinite(value)


def merge_entries(points: list[Point], entries: list[Entry], prefix: str) -> list[Point]:
    """Storage values join the line of the device with their serial (its own values win a
    clash); an entry with no such device gets a line of its own."""
    merged = list(points)
    by_serial = {point.tags.get("serial"): index for index, point in enumerate(merged)}
    for entry in entries:
        index = by_serial.get(entry.serial)
        if index is not None:
            point = merged[index]
            fields = {**entry.fields, **point.fields}
            merged[index] = _typed(dataclasses.replace(point, fields=fields))
            continue
        tags = {"serial": entry.serial, "model": entry.model}
        merged.append(
            _typed(
                Point(
                    prefix + to_snake(entry.device_type),
                    {key: value for key, value in tags.items() if value},
                    dict(entry.fields),
                    entry.time_ns,
                )
            )
        )
        by_serial[entry.serial] = len(merged) - 1
    return merged
