"""Build grafana/sunpower.json, the Grafana dashboard for sunpower-lp's data in InfluxDB.

It answers what solar owners ask: how much did I produce, use, import and export per day, this
month, this year; how much of my solar did I use myself, and how much of my home ran on it; what
is flowing right now; is a panel failing (the health row, from the figures and rules of
sunpower_telegraf/health.py); how is the battery and the PVS. With `sunpower-lp --follow`, the
power now is the newest of the 1 Hz `sunpower_live` line and the 5-minute `sunpower_site` line,
and a real-time row shows the last 15 minutes second by second; without it, that row says how to
get it. Every query is raw
InfluxQL that InfluxDB 1.x, 2.x (InfluxQL API) and 3 Core all run: `SPREAD`, `LAST`, `MEAN`,
`MAX`, arithmetic between them, `GROUP BY time()`, `tz()` and `SHOW TAG VALUES`; no `INTEGRAL()`,
no `SHOW SERIES`, no subqueries. Energies are `spread()` of the lifetime counters, which
sunpower-lp keeps from ever stepping back. tests/test_dashboard.py runs every query against a real
influxd loaded with simulated days. Rebuild after a change: python3 grafana/dashboard.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sunpower_telegraf.health import DAYLIGHT_KW, FAR_BELOW_PERCENT  # noqa: E402

OUTPUT = Path(__file__).resolve().parent / "sunpower.json"
DATASOURCE = {"type": "influxdb", "uid": "${DS_INFLUXDB}"}
SITE = "sunpower_site"
PVS = '"serial" =~ /^$pvs$/'
# Where the 1 Hz stream is: `sunpower_live` in the default retention policy (the README's set-up,
# and InfluxDB 2.x and 3), or the short policy of docs/retention.md's set-up for InfluxDB 1.x.
LIVE = "$live"
LIVE_POLICIES = ['"sunpower_live"', '"live"."sunpower_live"']
FOLLOW_HINT = (
    "No real-time data: run sunpower-lp --follow (Telegraf's execd block, docs/follow.md) on a "
    "PVS6 for the power every second"
)
REALTIME = "15m"
POWERS = [
    ("production_kw", "solar"),
    ("consumption_kw", "home"),
    ("grid_kw", "grid"),
    ("battery_kw", "battery"),
]
# Grafana has no variable for the browser's zone that InfluxQL's tz() takes, so the days of the
# daily bars are those of the `tz` variable: pick yours once and save the dashboard.
ZONES = [
    "America/Los_Angeles",
    "America/Denver",
    "America/Phoenix",
    "America/Chicago",
    "America/New_York",
    "Pacific/Honolulu",
    "America/Anchorage",
    "Europe/London",
    "Europe/Berlin",
    "Australia/Sydney",
    "UTC",
]
ENERGY = [
    ("production_lifetime_kwh", "produced"),
    ("consumption_lifetime_kwh", "consumed"),
    ("grid_import_lifetime_kwh", "imported"),
    ("grid_export_lifetime_kwh", "exported"),
]

Pos = tuple[int, int, int, int]


def target(query: str, alias: str = "", table: bool = False) -> dict[str, Any]:
    return {
        "refId": "A",
        "datasource": DATASOURCE,
        "rawQuery": True,
        "query": query,
        "alias": alias,
        "resultFormat": "table" if table else "time_series",
    }


def panel(
    kind: str, title: str, unit: str, targets: list[dict[str, Any]], pos: Pos, **extra: Any
) -> dict[str, Any]:
    x, y, w, h = pos
    custom = extra.pop("custom", {})
    overrides = extra.pop("overrides", [])
    defaults: dict[str, Any] = {"unit": unit, **extra.pop("defaults", {})}
    if custom:
        defaults["custom"] = custom
    body: dict[str, Any] = {
        "type": kind,
        "title": title,
        "datasource": DATASOURCE,
        "gridPos": {"x": x, "y": y, "w": w, "h": h},
        "fieldConfig": {"defaults": defaults, "overrides": overrides},
        "targets": [{**t, "refId": chr(ord("A") + i)} for i, t in enumerate(targets)],
    }
    body.update(extra)
    return body


def over_time(
    select: str, measurement: str, where: str = PVS, by: str = "", fill: str = "null"
) -> str:
    """`select` per `$__interval` over the dashboard's time range."""
    condition = f"{where} AND " if where else ""
    group = f", {by}" if by else ""
    return (
        f'SELECT {select} FROM "{measurement}" WHERE {condition}$timeFilter '
        f"GROUP BY time($__interval){group} fill({fill})"
    )


def whole_range(select: str, measurement: str = SITE, where: str = PVS) -> str:
    return f'SELECT {select} FROM "{measurement}" WHERE {where} AND $timeFilter'


def now_stat(title: str, unit: str, field: str, pos: Pos, **extra: Any) -> dict[str, Any]:
    """The latest value of one summary field, big."""
    query = whole_range(f'last("{field}")')
    options = {"reduceOptions": {"calcs": ["lastNotNull"]}, "colorMode": "value"}
    return panel("stat", title, unit, [target(query, title)], pos, options=options, **extra)


def power_now(title: str, field: str, pos: Pos, **extra: Any) -> dict[str, Any]:
    """The newest value of a power on either line: the 1 s `sunpower_live` one where --follow
    writes it, else the 5-minute `sunpower_site` one. InfluxQL answers one series per
    measurement; Grafana puts their rows in one table, orders it by time, and shows the last."""
    query = f'SELECT last("{field}") FROM {LIVE}, "{SITE}" WHERE {PVS} AND $timeFilter'
    options = {"reduceOptions": {"calcs": ["lastNotNull"]}, "colorMode": "value"}
    transformations = [
        {"id": "seriesToRows", "options": {}},
        {"id": "sortBy", "options": {"sort": [{"field": "Time", "desc": False}]}},
    ]
    return panel(
        "stat",
        title,
        "kwatt",
        [target(query, title)],
        pos,
        options=options,
        transformations=transformations,
        description="The newest reading: every second with sunpower-lp --follow, else the "
        "5-minute poll.",
        **extra,
    )


def realtime(y: int) -> list[dict[str, Any]]:
    """The real-time row: the last 15 minutes of `sunpower_live` at full resolution (each frame
    holds until the next: the PVS sends only what changed), and the power flow now. Without the
    stream the panels say how to get it instead of "No data"."""
    where = f"{PVS} AND $timeFilter"
    columns = ", ".join(f'"{field}" AS "{name}"' for field, name in POWERS)
    flow = ", ".join(
        [
            'last("production_kw") AS "solar"',
            'last("consumption_kw") AS "home"',
            'last("grid_kw") AS "grid (import +)"',
            'last("battery_kw") AS "battery (discharging +)"',
            'last("battery_soc_percent") AS "battery charge"',
        ]
    )
    return [
        panel(
            "timeseries",
            "Power every second, last 15 minutes: solar, home, grid (import +), battery "
            "(discharging +)",
            "kwatt",
            [target(f"SELECT {columns} FROM {LIVE} WHERE {where}", "$col")],
            (0, y, 16, 8),
            timeFrom=REALTIME,
            description="sunpower_live, every line as sunpower-lp --follow wrote it: the PVS "
            "sends a frame when a figure changes, so a flat stretch (up to a minute or so) is "
            "steady power, not a gap.",
            defaults={"noValue": FOLLOW_HINT},
            custom={"drawStyle": "line", "lineInterpolation": "stepAfter", "fillOpacity": 0},
        ),
        panel(
            "stat",
            "Power flow now, every second",
            "kwatt",
            [target(f"SELECT {flow} FROM {LIVE} WHERE {where}", "$col")],
            (16, y, 8, 8),
            timeFrom=REALTIME,
            description="The newest sunpower_live line of the last 15 minutes: what the panels "
            "make, what the home uses, what goes to or comes from the grid and the battery.",
            options={
                "reduceOptions": {"calcs": ["lastNotNull"]},
                "textMode": "value_and_name",
                "colorMode": "value",
                "orientation": "horizontal",
            },
            defaults={"noValue": FOLLOW_HINT, "decimals": 2},
            overrides=[
                {
                    "matcher": {"id": "byName", "options": "battery charge"},
                    "properties": [
                        {"id": "unit", "value": "percent"},
                        {"id": "decimals", "value": 0},
                    ],
                }
            ],
        ),
    ]


def energy_totals(title: str, period: str, pos: Pos) -> dict[str, Any]:
    """Energy produced, consumed, imported and exported since the start of `period`."""
    select = ", ".join(f'spread("{field}") AS "{name}"' for field, name in ENERGY)
    options = {"reduceOptions": {"calcs": ["lastNotNull"]}, "textMode": "value_and_name"}
    extra = {"timeFrom": period} if period else {}
    return panel(
        "stat", title, "kwatth", [target(whole_range(select))], pos, options=options, **extra
    )


def share(title: str, ratio: str, description: str, pos: Pos) -> dict[str, Any]:
    """A percentage worked out from the range's energies (one SELECT, no subquery)."""
    options = {"reduceOptions": {"calcs": ["lastNotNull"]}, "colorMode": "value"}
    return panel(
        "stat",
        title,
        "percent",
        [target(whole_range(f"{ratio} * 100"), title)],
        pos,
        options=options,
        description=description,
        defaults={"min": 0, "max": 100, "decimals": 0},
    )


def health(y: int) -> list[dict[str, Any]]:
    """The health row: panels against the median one, panels failing in daylight, stale
    readings, PVS restarts (the figures and their rules: sunpower_telegraf/health.py)."""
    daylight = f'{PVS} AND "inverter_median_kw" >= {DAYLIGHT_KW}'
    return [
        panel(
            "bargauge",
            "Panels against the median panel (% of its power in daylight, lowest first)",
            "percent",
            [
                target(
                    'SELECT mean("relative_power_percent") FROM "sunpower_inverter" '
                    'WHERE $timeFilter GROUP BY "serial"',
                    table=True,
                )
            ],
            (0, y, 12, 10),
            description="Each panel's power against the site's median panel, averaged over the "
            "range's daylight polls: close to its energy against the median panel's. A panel far "
            "below the others (shade, dirt, a failing module) comes first. Panels not producing "
            "at all are counted on the right, not compared here.",
            options={
                "orientation": "horizontal",
                "displayMode": "basic",
                "reduceOptions": {"values": True, "calcs": [], "fields": "/^mean$/"},
            },
            defaults={
                "min": 0,
                "max": 120,
                "decimals": 0,
                "displayName": "${__data.fields.serial}",
                "color": {"mode": "thresholds"},
                "thresholds": {
                    "mode": "absolute",
                    "steps": [
                        {"color": "red", "value": None},
                        {"color": "orange", "value": FAR_BELOW_PERCENT},
                        {"color": "green", "value": 80},
                    ],
                },
            },
            transformations=[
                {"id": "sortBy", "options": {"sort": [{"field": "mean", "desc": False}]}}
            ],
        ),
        panel(
            "timeseries",
            "Panels in error, missing or far below their neighbours, in daylight",
            "none",
            [
                target(over_time('max("inverters_error_daylight")', SITE), "in error"),
                target(over_time('max("inverters_underperforming")', SITE), "far below the median"),
                target(
                    over_time('min("inverters_producing")', SITE, daylight), "producing (of all)"
                ),
            ],
            (12, y, 12, 10),
            description="Counted only while the site's median panel makes 60 W or more, when "
            "every healthy panel is awake: sunrise and dusk never count. A dip in 'producing' is "
            "a panel in error or missing from the PVS's list.",
            custom={"drawStyle": "line", "lineInterpolation": "stepAfter"},
        ),
        panel(
            "timeseries",
            "Stale readings: the oldest reading of a working panel",
            "s",
            [target(over_time('max("inverter_reading_age_max_s")', SITE), "oldest reading")],
            (0, y + 10, 8, 8),
            description="The PVS's clock minus the oldest reading of a panel not asleep. Above "
            "15 minutes a panel has stopped reporting (its line then carries reading_age_s).",
            defaults={
                "thresholds": {
                    "mode": "absolute",
                    "steps": [{"color": "green", "value": None}, {"color": "red", "value": 900}],
                },
                "custom": {"thresholdsStyle": {"mode": "line"}},
            },
        ),
        now_stat("PVS up for", "s", "pvs_uptime_s", (8, y + 10, 4, 8)),
        panel(
            "timeseries",
            "PVS uptime (a drop is a restart)",
            "s",
            [target(over_time('max("pvs_uptime_s")', SITE), "uptime")],
            (12, y + 10, 12, 8),
        ),
    ]


def build() -> dict[str, Any]:
    spread = {name: f'spread("{field}")' for field, name in ENERGY}
    daily = ", ".join(f'{query} AS "{name}"' for name, query in spread.items())
    panels = [
        # -- right now ---------------------------------------------------------------------------
        power_now("Solar now", "production_kw", (0, 0, 4, 4)),
        power_now("Home now", "consumption_kw", (4, 0, 4, 4)),
        power_now(
            "Grid now (import +, export -)",
            "grid_kw",
            (8, 0, 5, 4),
            defaults={"color": {"mode": "thresholds"}, "thresholds": _sign_colors()},
        ),
        power_now("Battery now (discharging +, charging -)", "battery_kw", (13, 0, 5, 4)),
        panel(
            "gauge",
            "Battery charge now",
            "percent",
            [target(whole_range('last("battery_soc_percent")'), "charge")],
            (18, 0, 3, 4),
            options={"reduceOptions": {"calcs": ["lastNotNull"]}},
            defaults={"min": 0, "max": 100},
        ),
        now_stat("Panels in error in daylight", "none", "inverters_error_daylight", (21, 0, 3, 4)),
        # -- real time (sunpower-lp --follow) ----------------------------------------------------
        *realtime(4),
        # -- energy -----------------------------------------------------------------------------
        panel(
            "timeseries",
            "Energy per day",
            "kwatth",
            [
                target(
                    f'SELECT {daily} FROM "{SITE}" WHERE {PVS} AND $timeFilter '
                    "GROUP BY time(1d) fill(none) tz('$tz')"
                )
            ],
            (0, 4, 16, 9),
            custom={"drawStyle": "bars", "fillOpacity": 80, "barAlignment": 1, "lineWidth": 1},
            description="Energy per day in the time zone of the tz variable: the spread of each "
            "lifetime counter within the day.",
        ),
        energy_totals("This month", "now/M", (16, 4, 8, 4)),
        energy_totals("This year", "now/y", (16, 8, 8, 5)),
        share(
            "Self-consumption",
            f"({spread['produced']} - {spread['exported']}) / {spread['produced']}",
            "The share of the solar energy produced in the time range that the home used (or "
            "stored) rather than exported.",
            (0, 13, 6, 4),
        ),
        share(
            "Self-sufficiency",
            f"({spread['consumed']} - {spread['imported']}) / {spread['consumed']}",
            "The share of the home's energy in the time range that came from solar and the "
            "battery rather than from the grid.",
            (6, 13, 6, 4),
        ),
        energy_totals("Selected range", "", (12, 13, 12, 4)),
        # -- power over time --------------------------------------------------------------------
        panel(
            "timeseries",
            "Power: solar, home, grid (import +), battery (discharging +)",
            "kwatt",
            [
                target(over_time('mean("production_kw")', SITE), "solar"),
                target(over_time('mean("consumption_kw")', SITE), "home"),
                target(over_time('mean("grid_kw")', SITE), "grid"),
                target(over_time('mean("battery_kw")', SITE), "battery"),
            ],
            (0, 17, 24, 9),
        ),
        # -- health -----------------------------------------------------------------------------
        *health(26),
        # -- every panel ------------------------------------------------------------------------
        panel(
            "state-timeline",
            "Every panel's power (a failing one stands out)",
            "kwatt",
            [
                target(
                    over_time('mean("p_3phsum_kw")', "sunpower_inverter", "", '"serial"'),
                    "$tag_serial",
                )
            ],
            (0, 44, 24, 12),
            defaults={"color": {"mode": "continuous-GrYlRd"}},
            options={"showValue": "never", "rowHeight": 0.9, "mergeValues": False},
        ),
        panel(
            "state-timeline",
            "Panel state (error at night is normal)",
            "none",
            [
                target(
                    over_time('last("state")', "sunpower_inverter", "", '"serial"'), "$tag_serial"
                )
            ],
            (0, 56, 24, 10),
            defaults={
                "mappings": [
                    {
                        "type": "value",
                        "options": {
                            "working": {"color": "green", "index": 0},
                            "error": {"color": "red", "index": 1},
                        },
                    }
                ]
            },
            options={"showValue": "never", "mergeValues": True},
        ),
        panel(
            "bargauge",
            "Energy per panel in the range",
            "kwatth",
            [
                target(
                    'SELECT spread("ltea_3phsum_kwh") FROM "sunpower_inverter" WHERE $timeFilter '
                    'GROUP BY "serial"',
                    "$tag_serial",
                )
            ],
            (0, 66, 24, 10),
            options={"orientation": "vertical", "reduceOptions": {"calcs": ["lastNotNull"]}},
        ),
        # -- battery ----------------------------------------------------------------------------
        panel(
            "timeseries",
            "Battery charge",
            "percent",
            [target(over_time('mean("battery_soc_percent")', SITE), "charge")],
            (0, 76, 12, 8),
            defaults={"min": 0, "max": 100},
        ),
        panel(
            "timeseries",
            "Battery power (discharging +, charging -)",
            "kwatt",
            [target(over_time('mean("battery_kw")', SITE), "battery")],
            (12, 76, 12, 8),
        ),
        # -- the PVS ----------------------------------------------------------------------------
        panel(
            "timeseries",
            "PVS load (DeviceList: load average; varserver: CPU %)",
            "none",
            [
                target(over_time('mean("dl_cpu_load")', "sunpower_pvs"), "load average"),
                target(over_time('mean("cpu_usage_percent")', "sunpower_pvs"), "CPU %"),
            ],
            (0, 84, 12, 8),
        ),
        panel(
            "timeseries",
            "PVS communication errors and untransmitted records",
            "none",
            [
                target(over_time('max("dl_comm_err")', "sunpower_pvs"), "communication errors"),
                target(over_time('max("dl_untransmitted")', "sunpower_pvs"), "untransmitted"),
            ],
            (12, 84, 12, 8),
        ),
        panel(
            "timeseries",
            "Grid voltage",
            "volt",
            [
                target(
                    over_time('mean("v12_v")', "sunpower_power_meter", "", '"subtype"'),
                    "$tag_subtype V",
                ),
            ],
            (0, 92, 12, 8),
        ),
        panel(
            "timeseries",
            "Grid frequency",
            "hertz",
            [
                target(
                    over_time('mean("freq_hz")', "sunpower_power_meter", "", '"subtype"'),
                    "$tag_subtype",
                )
            ],
            (12, 92, 12, 8),
        ),
    ]
    for number, item in enumerate(panels, start=1):
        item["id"] = number
        if item["gridPos"]["y"] >= 4 and item["title"] not in REALTIME_TITLES:
            item["gridPos"]["y"] += 8  # below the real-time row
    return {
        "title": "SunPower PVS",
        "uid": "sunpower-pvs",
        "description": "Energy per day, self-consumption, power flow, every panel, battery and "
        "PVS health, from sunpower-lp through Telegraf into InfluxDB.",
        "tags": ["sunpower", "solar", "telegraf"],
        "editable": True,
        "schemaVersion": 39,
        "version": 2,
        "time": {"from": "now-7d", "to": "now"},
        "refresh": "5m",
        "timezone": "browser",
        "templating": {"list": _variables()},
        "panels": panels,
    }


REALTIME_TITLES = {item["title"] for item in realtime(4)}


def _sign_colors() -> dict[str, Any]:
    return {
        "mode": "absolute",
        "steps": [{"color": "green", "value": None}, {"color": "orange", "value": 0}],
    }


def _variables() -> list[dict[str, Any]]:
    return [
        {
            "type": "datasource",
            "name": "DS_INFLUXDB",
            "label": "InfluxDB",
            "query": "influxdb",
            "current": {},
            "hide": 0,
        },
        {
            "type": "query",
            "name": "pvs",
            "label": "PVS",
            "datasource": DATASOURCE,
            "query": f'SHOW TAG VALUES FROM "{SITE}" WITH KEY = "serial"',
            "refresh": 1,
            "multi": False,
            "includeAll": False,
            "current": {},
            "hide": 0,
        },
        {
            "type": "custom",
            "name": "live",
            "label": "Real-time data",
            "description": "Where the 1 Hz sunpower_live lines are: the default retention "
            'policy (the README\'s set-up), or "live" with the retention set-up of '
            "docs/retention.md.",
            "query": ",".join(LIVE_POLICIES),
            "current": {"text": LIVE_POLICIES[0], "value": LIVE_POLICIES[0]},
            "options": [
                {"text": rp, "value": rp, "selected": rp == LIVE_POLICIES[0]}
                for rp in LIVE_POLICIES
            ],
            "hide": 0,
        },
        {
            "type": "custom",
            "name": "tz",
            "label": "Time zone of the days",
            "query": ",".join(ZONES),
            "current": {"text": ZONES[0], "value": ZONES[0]},
            "options": [
                {"text": zone, "value": zone, "selected": zone == ZONES[0]} for zone in ZONES
            ],
            "hide": 0,
        },
    ]


def render() -> str:
    return json.dumps(build(), indent=2) + "\n"


def main() -> int:
    if sys.argv[1:] == ["--check"]:
        return 0 if OUTPUT.read_text() == render() else 1
    OUTPUT.write_text(render())
    print(f"wrote {OUTPUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
