"""`sunpower-lp --check`: a first-run diagnosis for a person, on stdout, in a few short lines.

It talks to the PVS like a normal run and prints no line protocol: where it connected and how,
the PVS's model and firmware, each request with its outcome and time, what was found, the site
right now in words, every warning, and the Telegraf `timeout` and `interval` to use.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import click

from . import version
from .answer import Answer, PVSError
from .lineproto import Point, clean_text
from .reach import Reach
from .report import Options, to_report
from .timing import advice

if TYPE_CHECKING:
    from .transport import Exchange


def run_check(
    reach: Reach, options: Options, saved: Answer | None = None, files: Sequence[str] = ()
) -> None:
    """Print the diagnosis of the PVS, or with `saved` of the answers read from `files` (then
    the network is never touched); a PVSError (the normal run's first stderr line, exit 1) when
    no data could be read."""
    _say(f"version:   sunpower-lp {version()}")
    if saved is not None:
        _say(f"input:     {', '.join(files)} (saved answers; the PVS is not asked)")
        report = to_report(saved, options)
        _model(saved)
        _found(saved, report.points)
        _now(report.points, "site:      ")
        _meter_advice(saved, options)
        for warning in report.warnings:
            _say(f"warning:   {warning}")
        _say("telegraf:  run --check against the PVS itself for the timeout and interval to use")
        if not report.points:
            raise PVSError("the PVS answer has no device that could be mapped to a line")
        return
    from .pvs import Target

    target = Target.parse(reach.host)
    log: list[Exchange] = []
    _say(f"PVS:       {target.base} (legacy requests), {target.login_base} (login)")
    if reach.proxy:
        _say(f"proxy:     {reach.proxy}")
    try:
        answer = reach.fetch(log)
    except PVSError:
        _requests(log)
        _say("result:    no data could be read (the reason is on standard error)")
        raise
    report = to_report(answer, options)
    _connection(answer, log)
    _model(answer)
    _requests(log)
    _found(answer, report.points)
    _now(report.points)
    _meter_advice(answer, options)
    for warning in report.warnings:
        _say(f"warning:   {warning}")
    _telegraf(sum(exchange.seconds for exchange in log))
    if not report.points:
        raise PVSError("the PVS answer has no device that could be mapped to a line")


def _meter_advice(answer: Answer, options: Options) -> None:
    """Say plainly when the production meter reads 0 while the inverters report energy."""
    if options.production_source == "inverters":
        return
    from .site import to_site
    from .summary import production_meter_advice

    said = production_meter_advice(to_site(answer, options.production_source))
    if said:
        _say(f"advice:    {said}")


def _say(line: str) -> None:
    """One line of the diagnosis; text from the PVS cannot break it in two."""
    click.echo(line.replace("\r", " ").replace("\n", " "))


def _connection(answer: Answer, log: list[Exchange]) -> None:
    schemes = sorted(
        {
            exchange.url.split(":", 1)[0].upper()
            for exchange in log
            if exchange.outcome.startswith("HTTP ")  # those that answered
        }
    )
    if answer.firmware == "legacy":
        how = "legacy firmware: the DeviceList answered without a login"
    elif answer.logged_in:
        how = "current firmware: login as ssm_owner accepted"
    else:
        how = "current firmware"
    _say(f"connected: over {' and '.join(schemes)}; {how}")


def _model(answer: Answer) -> None:
    pvs = _pvs_record(answer)
    model = pvs.get("MODEL") or answer.vars.get("/sys/info/model")
    build = pvs.get("SWVER") or answer.vars.get("/sys/info/sw_rev")
    if model or build:
        _say(
            f"model:     {clean_text(str(model or '?'))}, firmware {clean_text(str(build or '?'))}"
        )


def _pvs_record(answer: Answer) -> Mapping[str, Any]:
    devices = (answer.devices or {}).get("devices") or []
    found = [d for d in devices if isinstance(d, Mapping) and d.get("DEVICE_TYPE") == "PVS"]
    return found[0] if found else {}


def _requests(log: list[Exchange]) -> None:
    for exchange in log:
        _say(f"request:   GET {exchange.url} -> {exchange.outcome} in {exchange.seconds:.2f} s")


def _found(answer: Answer, points: list[Point]) -> None:
    kinds = Counter(
        point.measurement for point in points if not point.measurement.endswith("_site")
    )
    listed = ", ".join(f"{count} {name}" for name, count in kinds.items())
    _say(f"found:     {listed or 'no device'}")
    site = _site(points)
    if site is not None and "inverters_total" in site.fields:
        total = int(_float(site.fields["inverters_total"]))
        if "inverters_working" in site.fields:
            working = int(_float(site.fields["inverters_working"]))
            error = int(_float(site.fields.get("inverters_error", 0.0)))
            _say(
                f"inverters: {total} listed, {working} working, {error} in error (normal at night)"
            )
        else:
            _say(f"inverters: {total} reporting (the varserver leaves sleeping ones out)")


def _now(points: list[Point], label: str = "now:       ") -> None:
    site = _site(points)
    if site is None:
        return
    fields = site.fields
    parts = []
    if "production_kw" in fields:
        parts.append(f"producing {_float(fields['production_kw']):.2f} kW")
    if "consumption_kw" in fields:
        parts.append(f"the home uses {_float(fields['consumption_kw']):.2f} kW")
    if "grid_kw" in fields:
        grid = _float(fields["grid_kw"])
        parts.append(
            f"importing {grid:.2f} kW" if grid >= 0 else f"exporting {-grid:.2f} kW to the grid"
        )
    if "battery_kw" in fields:
        battery = _float(fields["battery_kw"])
        state = "discharging" if battery > 0 else "charging" if battery < 0 else "idle at"
        soc = fields.get("battery_soc_percent")
        charge = f" ({_float(soc):.0f} % full)" if soc is not None else ""
        parts.append(f"battery {state} {abs(battery):.2f} kW{charge}")
    _say(f"{label}{', '.join(parts) if parts else 'no site figures'}")


def _telegraf(seconds: float) -> None:
    interval, telegraf, run = advice(seconds)
    _say(
        f'telegraf:  the PVS took {seconds:.1f} s in all; use interval = "{interval}s", '
        f'timeout = "{telegraf}s" and sunpower-lp --timeout {run}'
    )


def _site(points: list[Point]) -> Point | None:
    return next((point for point in points if point.measurement.endswith("_site")), None)


def _float(value: Any) -> float:
    return value if isinstance(value, float) else 0.0
