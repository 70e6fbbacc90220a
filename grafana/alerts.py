"""Build grafana/alerts.yaml: Grafana alert rules for sunpower-lp's data, as a provisioning file.

Each rule fires on one fault an owner meets and stays quiet otherwise, on clean days, at sunrise,
at dusk and at night (tests/test_alerts.py evaluates every rule as Grafana would, minute by
minute, over simulated clean and faulted days in a real influxd). The rules, their thresholds and
why, and how to import and route them: docs/alerts.md.

What every rule keeps to:

- InfluxQL only, raw queries that InfluxDB 1.x, 2.x (InfluxQL API) and 3 Core all run: `LAST`,
  `MIN`, `MAX`, `MEAN`, `COUNT`, `GROUP BY time()`, `fill(0)`; no `INTEGRAL()`, no `SHOW SERIES`, no
  subqueries. No dashboard variable: only `$timeFilter`, which the data source fills from the
  query's relative time range.
- A rule reads the figures `sunpower_telegraf/health.py` prints, with its constants (daylight,
  far below), so the alerts and the figures cannot drift apart.
- Grafana turns an empty query into "no data". Where that is normal (at night, no battery, no
  production meter, no `sunpower_live` on an exec-only site), `noDataState` is `OK`: nothing
  fires and nothing is said. Only "PVS silent" fires on no data, which is what it watches for. A
  query error (the database down) is an `Error` alert on "PVS silent" alone, and `OK` on the
  others, so one outage is one alert.
- One site per database, as for the dashboard: the rules name no PVS.
- Annotations in Grafana's own terms: `summary` (what happened), `description` (why, what to do)
  and `runbook_url`, the rule's section of docs/alerts.md (tests check that the anchor exists).

Rebuild after a change: python3 grafana/alerts.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sunpower_telegraf.health import DAYLIGHT_KW, FAR_BELOW_PERCENT  # noqa: E402

OUTPUT = Path(__file__).resolve().parent / "alerts.yaml"
DATASOURCE_UID = "sunpower-influxdb"
FOLDER = "SunPower"
GROUP = "sunpower"
INTERVAL = "1m"
EXPRESSION = {"type": "__expr__", "uid": "__expr__"}
SITE = "sunpower_site"
# Where the 1 Hz stream is: '"live"."sunpower_live"' with docs/retention.md's set-up.
LIVE = '"sunpower_live"'
LIVE_SILENT_MIN = 10
# Each rule's runbook: its section of docs/alerts.md, where this project's docs are published.
# For a fork or your own copy of the docs, change this and run python3 grafana/alerts.py.
RUNBOOKS = "https://github.com/sunpower-telegraf/sunpower-telegraf/blob/main/docs/alerts.md"
DAYLIGHT = f'"inverter_median_kw" >= {DAYLIGHT_KW}'
RESERVE_PERCENT = 20
RESTARTED_S = 1800
WEEK_S = 7 * 86400


def query(ref: str, text: str, seconds: int) -> dict[str, Any]:
    """An InfluxQL query over the last `seconds` before each evaluation."""
    return {
        "refId": ref,
        "relativeTimeRange": {"from": seconds, "to": 0},
        "datasourceUid": DATASOURCE_UID,
        "model": {
            "refId": ref,
            "datasource": {"type": "influxdb", "uid": DATASOURCE_UID},
            "rawQuery": True,
            "query": text,
            "resultFormat": "time_series",
            "intervalMs": 60000,
            "maxDataPoints": 43200,
        },
    }


def expression(ref: str, **model: Any) -> dict[str, Any]:
    return {
        "refId": ref,
        "datasourceUid": "__expr__",
        "model": {"refId": ref, "datasource": EXPRESSION, **model},
    }


def reduce(ref: str, of: str, reducer: str) -> dict[str, Any]:
    """Each series to one number; points with no value are dropped, never counted as NaN (which
    Grafana would take for firing)."""
    return expression(
        ref, type="reduce", expression=of, reducer=reducer, settings={"mode": "dropNN"}
    )


def threshold(ref: str, of: str, kind: str, value: float) -> dict[str, Any]:
    conditions = [{"evaluator": {"type": kind, "params": [value]}}]
    return expression(ref, type="threshold", expression=of, conditions=conditions)


def math(ref: str, text: str) -> dict[str, Any]:
    return expression(ref, type="math", expression=text)


def rule(
    uid: str,
    title: str,
    data: list[dict[str, Any]],
    *,
    wait: str,
    severity: str,
    summary: str,
    description: str,
    section: str,
    no_data: str = "OK",
    exec_error: str = "OK",
) -> dict[str, Any]:
    """One rule; `section` is the anchor of its heading in docs/alerts.md, its runbook."""
    return {
        "uid": uid,
        "title": title,
        "condition": data[-1]["refId"],
        "data": data,
        "noDataState": no_data,
        "execErrState": exec_error,
        "for": wait,
        "annotations": {
            "summary": summary,
            "description": description,
            "runbook_url": f"{RUNBOOKS}#{section}",
        },
        "labels": {"source": "sunpower", "severity": severity},
        "isPaused": False,
    }


def rules() -> list[dict[str, Any]]:
    return [
        rule(
            "sunpower-pvs-silent",
            "PVS silent for 15 minutes",
            [
                query("A", f'SELECT count("inverters_total") FROM "{SITE}" WHERE $timeFilter', 900),
                reduce("B", "A", "last"),
                threshold("C", "B", "lt", 1),
            ],
            wait="0s",
            no_data="Alerting",
            exec_error="Error",
            severity="critical",
            summary="No data from the PVS for 15 minutes: no poll reached the database.",
            description="Three 5-minute polls missed: Telegraf, sunpower-lp, the PVS or the way "
            "to it is down. Run `sunpower-lp --check` as Telegraf's user where Telegraf runs: it "
            "says whether the PVS answers and why not. Check that Telegraf runs and read its log "
            "(`journalctl -u telegraf`). A PVS that answers nothing, even after its power is "
            "cycled, needs the installer.",
            section="pvs-silent-for-15-minutes",
        ),
        rule(
            "sunpower-pvs-restarted",
            "PVS restarted",
            [
                query("A", f'SELECT last("pvs_uptime_s") FROM "{SITE}" WHERE $timeFilter', 900),
                reduce("B", "A", "last"),
                threshold("C", "B", "lt", RESTARTED_S),
            ],
            wait="0s",
            severity="warning",
            summary='The PVS restarted {{ printf "%.0f" $values.B.Value }} seconds ago.',
            description="One restart now and then is harmless (a firmware update restarts it). "
            "Several a day point at its power supply, heat, or polling too often: keep "
            "Telegraf's interval at 300 s, and look at the dashboard's PVS uptime and load.",
            section="pvs-restarted",
        ),
        rule(
            "sunpower-panel-not-producing",
            "Panel in error or missing in daylight for an hour",
            [
                query(
                    "A",
                    f'SELECT min("inverters_producing") FROM "{SITE}" '
                    f"WHERE {DAYLIGHT} AND $timeFilter",
                    900,
                ),
                query(
                    "B",
                    f'SELECT max("inverters_producing") FROM "{SITE}" '
                    f"WHERE {DAYLIGHT} AND $timeFilter",
                    WEEK_S,
                ),
                reduce("C", "A", "last"),
                reduce("D", "B", "last"),
                math("E", "$D - $C"),
                threshold("F", "E", "gt", 0),
            ],
            wait="1h",
            severity="warning",
            summary="{{ $values.E.Value }} panel(s) produced nothing in daylight for an hour "
            "(listed in error, or missing from the PVS's list).",
            description="The dashboard's panel state and every panel's power show which one. A "
            "panel in error or missing at noon needs its microinverter or module looked at "
            "(installer, warranty). A panel that stays dead clears at night and fires again the "
            "next morning; a panel removed for good stops this alert 7 days later.",
            section="panel-in-error-or-missing-in-daylight-for-an-hour",
        ),
        rule(
            "sunpower-panel-far-below",
            "Panel far below its neighbours for most of a day",
            [
                query(
                    "A",
                    'SELECT mean("relative_power_percent") FROM "sunpower_inverter" '
                    'WHERE $timeFilter GROUP BY time(1h), "serial" fill(none)',
                    86400,
                ),
                reduce("B", "A", "mean"),
                reduce("C", "A", "count"),
                math("D", f"$B < {FAR_BELOW_PERCENT:g} && $C >= 4"),
            ],
            wait="0s",
            severity="warning",
            summary='Panel {{ $labels.serial }} made {{ printf "%.0f" $values.B.Value }} % of the '
            "median panel's power, on average over the last day's daylight hours.",
            description="By design this rule judges the last 24 hours, so it fires the day after "
            "a panel starts to fall behind (shaded from one afternoon, it fires the next "
            "morning), and one cloudy or shaded hour never fires it. Look for new shade (a tree, "
            "a chimney's shadow, debris), dirt or bird droppings on the panel. Clean and in full "
            "sun, its module or microinverter is failing (installer, warranty). The dashboard "
            "ranks the panels against the median one.",
            section="panel-far-below-its-neighbours-for-most-of-a-day",
        ),
        rule(
            "sunpower-battery-below-reserve",
            "Battery below its reserve",
            [
                query(
                    "A", f'SELECT last("battery_soc_percent") FROM "{SITE}" WHERE $timeFilter', 900
                ),
                reduce("B", "A", "last"),
                threshold("C", "B", "lt", RESERVE_PERCENT),
            ],
            wait="30m",
            severity="critical",
            summary="The battery has been below its reserve for 30 minutes, at "
            '{{ printf "%.0f" $values.B.Value }} %: less backup than you chose if the grid fails.',
            description="After a grid outage it recharges from the sun. If it stays low on a "
            "sunny day, read the storage alarms on the dashboard and call the installer. The "
            f"rule takes {RESERVE_PERCENT} % for the reserve: set yours in its threshold.",
            section="battery-below-its-reserve",
        ),
        rule(
            "sunpower-production-meter-zero",
            "Production meter reads 0 while the panels produce",
            [
                query(
                    "A",
                    'SELECT max("p_3phsum_kw") FROM "sunpower_power_meter" '
                    "WHERE \"subtype\" = 'GROSS_PRODUCTION_SITE' AND $timeFilter",
                    900,
                ),
                query(
                    "B", f'SELECT min("inverter_median_kw") FROM "{SITE}" WHERE $timeFilter', 900
                ),
                reduce("C", "A", "last"),
                reduce("D", "B", "last"),
                math("E", f"$C < 0.005 && $D >= {DAYLIGHT_KW}"),
            ],
            wait="30m",
            severity="warning",
            summary="The production meter has read under 5 W for 40 minutes while the panels "
            "produce.",
            description="The site's production power falls back to the panels' sum, but the "
            "production energy (the meter's lifetime counter) stops: check the production CT's "
            "clamp and wiring in the PVS. A PVS5 built without a production CT reads 0 for "
            "good: run sunpower-lp with --production-source inverters and pause this rule.",
            section="production-meter-reads-0-while-the-panels-produce",
        ),
        rule(
            "sunpower-live-silent",
            "Real-time power silent",
            [
                # Lines per minute over the last day, empty minutes as 0: no series at all (no
                # sunpower_live in a day, an exec-only site) is "no data", which is OK here.
                query(
                    "A",
                    f'SELECT count("production_kw") FROM {LIVE} WHERE $timeFilter '
                    "GROUP BY time(1m) fill(0)",
                    86400,
                ),
                query(
                    "B", f'SELECT min("inverter_median_kw") FROM "{SITE}" WHERE $timeFilter', 900
                ),
                reduce("C", "A", "last"),
                reduce("D", "B", "last"),
                math("E", f"$C == 0 && $D >= {DAYLIGHT_KW}"),
            ],
            # The PVS sends nothing while its figures hold (60-70 s of steady output): one
            # empty minute is normal, ten in a row are not.
            wait=f"{LIVE_SILENT_MIN}m",
            severity="warning",
            summary=f"No real-time power line (sunpower_live) for {LIVE_SILENT_MIN} minutes in "
            "daylight, while the PVS's device polls still arrive.",
            description="sunpower-lp --follow printed power every second until recently; the "
            "PVS6's telemetry websocket has gone silent (it has been seen to stay silent for days "
            "while the PVS answered every other request), or the follow process stopped reading "
            "it. Read Telegraf's log for sunpower-lp's W! and E! lines; restarting Telegraf "
            "starts a fresh connection. A PVS restart turns the websocket off until "
            "sunpower-lp enables it again, which it does on every connect.",
            section="real-time-power-silent",
        ),
    ]


def build() -> dict[str, Any]:
    group = {"orgId": 1, "name": GROUP, "folder": FOLDER, "interval": INTERVAL, "rules": rules()}
    return {"apiVersion": 1, "groups": [group]}


def to_yaml(value: Any, indent: int = 0) -> list[str]:
    """Block YAML: every string double-quoted (JSON's escapes are YAML's), lists of numbers in
    flow style."""
    pad = " " * indent
    lines: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, (dict, list)) and item and not _flat(item):
                lines.append(f"{pad}{key}:")
                lines += to_yaml(item, indent + 2)
            else:
                lines.append(f"{pad}{key}: {_scalar(item)}")
    else:
        for item in value:
            if isinstance(item, dict) and item:
                nested = to_yaml(item, indent + 2)
                lines.append(f"{pad}- {nested[0].lstrip()}")
                lines += nested[1:]
            else:
                lines.append(f"{pad}- {_scalar(item)}")
    return lines


def _flat(value: Any) -> bool:
    return isinstance(value, list) and all(not isinstance(v, (dict, list)) for v in value)


def _scalar(value: Any) -> str:
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return json.dumps(value)  # numbers, booleans, flat lists, empty dicts


def render() -> str:
    header = [
        "# Grafana alert rules for sunpower-lp (file provisioning); docs/alerts.md says how to",
        "# import and route them. Generated by grafana/alerts.py: change that, not this file.",
    ]
    return "\n".join([*header, *to_yaml(build())]) + "\n"


def main() -> int:
    if sys.argv[1:] == ["--check"]:
        return 0 if OUTPUT.read_text() == render() else 1
    OUTPUT.write_text(render())
    print(f"wrote {OUTPUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
