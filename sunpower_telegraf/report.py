"""What one run prints: the documents the PVS gave, turned into points."""

from __future__ import annotations

import math
from collections import Counter
from typing import NamedTuple

from .answer import Answer
from .devices import STRING_FIELDS, to_points
from .health import to_device_health, to_inverters
from .lineproto import FieldValue, Point
from .site import Site, devices_of, to_site
from .summary import to_summary


class Options(NamedTuple):
    prefix: str = "sunpower_"
    device_time: bool = True
    site: bool = True
    # Where the site's production comes from: auto (the meter where there is one), meter, inverters.
    production_source: str = "auto"


DEFAULTS = Options()


class Report(NamedTuple):
    """The run's points and warnings, and the normalised site they were made from."""

    points: list[Point]
    warnings: list[str]
    site: Site


def to_report(answer: Answer, options: Options = DEFAULTS) -> Report:
    """Every point of the run, in device-list order (storage devices joined to theirs, or after
    them), the site summary last; every warning; and the site (`--follow` keeps what it knows of
    the site from it)."""
    site = to_site(answer, options.production_source)
    mapped = to_points(site.records, options.prefix, options.device_time)
    points = mapped.points
    inverters = to_inverters(devices_of(site.devices, "Inverter"))
    health = to_device_health(site, inverters)
    if health:
        points = [
            Point(
                point.measurement,
                point.tags,
                {**point.fields, **_well_typed_only(extra)},
                point.time_ns,
            )
            if (extra := health.get(point.tags.get("serial", "")))
            else point
            for point in points
        ]
    warnings = answer.warnings + site.warnings + mapped.warnings + same_series(points)
    if options.site and points:
        summary = to_summary(
            site, options.prefix, options.production_source, options.device_time, inverters
        )
        if summary.point is not None:
            points.append(_typed(summary.point))
        warnings += summary.warnings
    return Report([point for point in points if point.fields], warnings, site)


def same_series(points: list[Point]) -> list[str]:
    """A warning per serial whose lines would write one series at one time: InfluxDB keeps one
    point of them, and the rest of that data is lost without a word."""
    keys = Counter(
        (point.measurement, tuple(sorted(point.tags.items())), point.time_ns) for point in points
    )
    warnings = []
    for (measurement, tags, _), count in keys.items():
        if count > 1:
            serial = dict(tags).get("serial", "?")
            warnings.append(
                f"{count} {measurement} lines share serial {serial} and time: the answer lists "
                "that serial more than once, and InfluxDB keeps only one of them"
            )
    return warnings


def _typed(point: Point) -> Point:
    """Every field keeps one type forever: a name of `STRING_FIELDS` is a string, any other a
    finite float (arithmetic on huge values can overflow to inf, which no line may carry).
    `devices.to_fields` makes nothing else, so only the summary and health figures, which come
    from elsewhere, are held to it here."""
    fields = point.fields
    if all(_well_typed(key, value) for key, value in fields.items()):
        return point
    kept = {key: value for key, value in fields.items() if _well_typed(key, value)}
    return point._replace(fields=kept)


def _well_typed_only(fields: dict[str, FieldValue]) -> dict[str, FieldValue]:
    """The fields that keep their type (see `_typed`): a device line's own fields are typed by
    `devices.to_fields`, so only the health figures added to it need the check."""
    return {key: value for key, value in fields.items() if _well_typed(key, value)}


def _well_typed(key: str, value: FieldValue) -> bool:
    if key in STRING_FIELDS:
        return isinstance(value, str)
    return isinstance(value, float) and math.isfinite(value)
