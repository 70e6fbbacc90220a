"""Build grafana/sunpower.json, the Grafana dashboard for sunpower-lp's data in InfluxDB 1.x.

Every query is raw InfluxQL so that it can be read, and tested against a real influxd
(tests/test_dashboard.py). Rebuild after a change: python3 grafana/dashboard.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

OUTPUT = Path(__file__).resolve().parent / "sunpower.json"
DATASOURCE = {"type": "influxdb", "uid": "${DS_INFLUXDB}"}
PVS = '"serial" =~ /^$pvs$/'


def target(query: str, alias: str = "", ref: str = "A", table: bool = False) -> dict[str, Any]:
    return {
        "refId": ref,
        "datasource": DATASOURCE,
        "rawQuery": True,
        "query": query,
        "alias": alias,
        "resultFormat": "table" if table else "time_series",
    }


def panel(
    kind: str,
    title: str,
    unit: str,
    targets: list[dict[str, Any]],
    pos: tuple[int, int, int, int],
    **extra: Any,
) -> dict[str, Any]:
    x, y, w, h = pos
    body: dict[str, Any] = {
        "type": kind,
        "title": title,
        "datasource": DATASOURCE,
        "gridPos": {"x": x, "y": y, "w": w, "h": h},
        "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
        "targets": [{**t, "refId": chr(ord("A") + i)} for i, t in enumerate(targets)],
    }
    body.update(extra)
    return body


def series(field: str, measurement: str, where: str = "", group: str = "") -> str:
    condition = f"{where} AND " if where else ""
    by = f", {group}" if group else ""
    return (
        f'SELECT mean("{field}") FROM "{measurement}" WHERE {condition}$timeFilter '
        f"GROUP BY time($__interval){by} fill(null)"
    )


def stat(function: str, field: str, measurement: str, where: str = PVS) -> str:
    return f'SELECT {function}("{field}") FROM "{measurement}" WHERE {where} AND $timeFilter'


def stat_panel(
    title: str,
    unit: str,
    function: str,
    measurement: str,
    fields: list[tuple[str, str]],
    pos: tuple[int, int, int, int],
    **extra: Any,
) -> dict[str, Any]:
    """A stat panel of one InfluxQL function over some fields of the selected PVS's lines."""
    targets = [target(stat(function, field, measurement), alias) for field, alias in fields]
    options = {"reduceOptions": {"calcs": ["lastNotNull"]}, "textMode": "value_and_name"}
    return panel("stat", title, unit, targets, pos, options=options, **extra)


def per_tag_panel(
    title: str, unit: str, field: str, measurement: str, tag: str, pos: tuple[int, int, int, int]
) -> dict[str, Any]:
    """A time series of one field, a line per value of one tag (per inverter, per meter)."""
    query = series(field, measurement, group=f'"{tag}"')
    return panel("timeseries", title, unit, [target(query, f"$tag_{tag}")], pos)


def build() -> dict[str, Any]:
    site = "sunpower_site"
    panels = [
        panel(
            "timeseries",
            "Power: production, consumption, grid (import +, export -)",
            "kwatt",
            [
                target(series("production_kw", site, PVS), "production"),
                target(series("consumption_kw", site, PVS), "consumption"),
                target(series("grid_kw", site, PVS), "grid"),
            ],
            (0, 0, 16, 9),
        ),
        stat_panel(
            "Today",
            "kwatth",
            "spread",
            site,
            [
                ("production_lifetime_kwh", "produced"),
                ("grid_import_lifetime_kwh", "imported"),
                ("grid_export_lifetime_kwh", "exported"),
            ],
            (16, 0, 8, 4),
            timeFrom="now/d",
        ),
        stat_panel(
            "Lifetime",
            "kwatth",
            "last",
            site,
            [
                ("production_lifetime_kwh", "produced"),
                ("grid_import_lifetime_kwh", "imported"),
                ("grid_export_lifetime_kwh", "exported"),
            ],
            (16, 4, 8, 5),
        ),
        per_tag_panel(
            "Inverter AC power",
            "kwatt",
            "p_3phsum_kw",
            "sunpower_inverter",
            "serial",
            (0, 9, 16, 9),
        ),
        stat_panel(
            "Inverters",
            "none",
            "last",
            site,
            [
                ("inverters_working", "working"),
                ("inverters_error", "in error"),
                ("inverters_total", "total"),
            ],
            (16, 9, 8, 4),
        ),
        panel(
            "table",
            "Inverters in error (last state)",
            "none",
            [
                target(
                    'SELECT last("state") AS "state", last("p_3phsum_kw") AS "kW" FROM '
                    '"sunpower_inverter" WHERE $timeFilter GROUP BY "serial"',
                    table=True,
                )
            ],
            (16, 13, 8, 5),
            transformations=[
                {
                    "id": "filterByValue",
                    "options": {
                        "type": "include",
                        "match": "any",
                        "filters": [
                            {
                                "fieldName": "state",
                                "config": {"id": "equal", "options": {"value": "error"}},
                            }
                        ],
                    },
                }
            ],
        ),
        panel(
            "bargauge",
            "Inverter lifetime energy",
            "kwatth",
            [
                target(
                    'SELECT last("ltea_3phsum_kwh") FROM "sunpower_inverter" WHERE $timeFilter '
                    'GROUP BY "serial"',
                    "$tag_serial",
                )
            ],
            (0, 18, 12, 10),
            options={"orientation": "horizontal", "reduceOptions": {"calcs": ["lastNotNull"]}},
        ),
        panel(
            "timeseries",
            "Inverter $inverter",
            "kwatt",
            [
                target(
                    series("p_3phsum_kw", "sunpower_inverter", '"serial" =~ /^$inverter$/'),
                    "AC power",
                )
            ],
            (12, 18, 4, 5),
            repeat="inverter",
            repeatDirection="h",
            maxPerRow=6,
        ),
        per_tag_panel(
            "Meter voltage",
            "volt",
            "v12_v",
            "sunpower_power_meter",
            "subtype",
            (0, 28, 12, 8),
        ),
        per_tag_panel(
            "Grid frequency",
            "hertz",
            "freq_hz",
            "sunpower_power_meter",
            "subtype",
            (12, 28, 12, 8),
        ),
        stat_panel(
            "PVS uptime", "s", "last", "sunpower_pvs", [("dl_uptime", "uptime")], (0, 36, 4, 4)
        ),
        panel(
            "timeseries",
            "PVS CPU load",
            "none",
            [target(series("dl_cpu_load", "sunpower_pvs", PVS), "load average")],
            (4, 36, 10, 8),
        ),
        panel(
            "timeseries",
            "PVS memory used and flash available",
            "kbytes",
            [
                target(series("dl_mem_used", "sunpower_pvs", PVS), "memory used"),
                target(series("dl_flash_avail", "sunpower_pvs", PVS), "flash available"),
            ],
            (14, 36, 10, 8),
        ),
        stat_panel(
            "Untransmitted records, communication errors",
            "none",
            "last",
            "sunpower_pvs",
            [("dl_untransmitted", "untransmitted"), ("dl_comm_err", "comm errors")],
            (0, 40, 4, 4),
        ),
        per_tag_panel(
            "Battery state of charge",
            "percent",
            "battery_soc_percent",
            "sunpower_site",
            "serial",
            (0, 44, 12, 8),
        ),
        per_tag_panel(
            "Battery power (discharging +, charging -)",
            "kwatt",
            "battery_kw",
            "sunpower_site",
            "serial",
            (12, 44, 12, 8),
        ),
    ]
    for number, item in enumerate(panels, start=1):
        item["id"] = number
    return {
        "title": "SunPower PVS",
        "uid": "sunpower-pvs",
        "description": "Production, consumption, grid, inverters, PVS health and storage, from "
        "sunpower-lp through Telegraf into InfluxDB 1.x.",
        "tags": ["sunpower", "solar", "telegraf"],
        "editable": True,
        "schemaVersion": 39,
        "version": 1,
        "time": {"from": "now-24h", "to": "now"},
        "refresh": "5m",
        "timezone": "browser",
        "templating": {
            "list": [
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
                    "query": 'SHOW TAG VALUES FROM "sunpower_pvs" WITH KEY = "serial"',
                    "refresh": 1,
                    "multi": False,
                    "includeAll": False,
                    "current": {},
                    "hide": 0,
                },
                {
                    "type": "query",
                    "name": "inverter",
                    "label": "Inverter",
                    "datasource": DATASOURCE,
                    "query": 'SHOW TAG VALUES FROM "sunpower_inverter" WITH KEY = "serial"',
                    "refresh": 1,
                    "multi": True,
                    "includeAll": True,
                    "current": {},
                    "hide": 0,
                },
            ]
        },
        "panels": panels,
    }


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
