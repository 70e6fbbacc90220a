"""The Grafana dashboard: built by grafana/dashboard.py, and every query answers from real data.

A real influxd is loaded with three simulated days of a battery site (through the command, as
Telegraf would write them) and with every fixture; each query of the dashboard runs with Grafana's
variables filled in, and the energy it reports is the simulation's true energy.
"""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.cases import GOLDEN, case_dirs
from tests.daysim import PVS_SERIAL, Truth, simulate
from tests.influx import Influxd
from tests.polls import load

ROOT = Path(__file__).resolve().parent.parent
SPEC = importlib.util.spec_from_file_location("dashboard", ROOT / "grafana" / "dashboard.py")
assert SPEC and SPEC.loader
dashboard = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(dashboard)
DASHBOARD = json.loads((ROOT / "grafana" / "sunpower.json").read_text())
DAYS = 3

# Grafana's variables as it fills them: the simulated days (2025-06-15 to 17, UTC) as the range.
VARIABLES = {
    "$timeFilter": "time >= '2025-06-15T00:00:00Z' AND time < '2025-06-18T00:00:00Z'",
    "$__interval": "1h",
    "$pvs": PVS_SERIAL,
    "$tz": "UTC",
}


def substitute(query: str, **override: str) -> str:
    values = {**VARIABLES, **{f"${k}": v for k, v in override.items()}}
    for name in sorted(values, key=len, reverse=True):
        query = query.replace(name, values[name])
    assert "$" not in query.replace("$/", "/").replace("$tag_", ""), query
    return query


def queries() -> list[tuple[str, str]]:
    found = [
        (f"panel {p['id']} {p['title']} {t['refId']}", t["query"])
        for p in DASHBOARD["panels"]
        for t in p["targets"]
    ]
    found += [
        (f"variable {v['name']}", v["query"])
        for v in DASHBOARD["templating"]["list"]
        if v["type"] == "query"
    ]
    return found


def query_of(title: str) -> str:
    return next(
        t["query"] for p in DASHBOARD["panels"] if p["title"] == title for t in p["targets"]
    )


def test_committed_json_is_the_generated_one() -> None:
    assert (ROOT / "grafana" / "sunpower.json").read_text() == dashboard.render()


def test_every_panel_has_a_unit_and_raw_queries() -> None:
    for item in DASHBOARD["panels"]:
        assert item["fieldConfig"]["defaults"]["unit"], item["title"]
        assert item["targets"] and all(t["rawQuery"] is True for t in item["targets"])
        assert item["datasource"]["uid"] == "${DS_INFLUXDB}"
    names = [v["name"] for v in DASHBOARD["templating"]["list"]]
    assert names == ["DS_INFLUXDB", "pvs", "tz"]


def test_queries_run_on_influxdb_3_core_too() -> None:
    """What InfluxDB 3 Core's InfluxQL lacks appears nowhere: INTEGRAL, SHOW SERIES, subqueries."""
    for where, query in queries():
        assert not re.search(r"\bINTEGRAL\s*\(|\bSHOW\s+SERIES\b", query, re.I), where
        assert not re.search(r"\bFROM\s*\(", query, re.I), where


@pytest.fixture(scope="module")
def loaded(
    influxd: Influxd, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Influxd, list[Truth]]:
    polls, truths = simulate(days=DAYS, battery=True)
    folder = tmp_path_factory.mktemp("polls")
    load(influxd, "dashboard", polls, "current", folder)
    # The site's first day read again from the varserver, whose PVS line has other fields.
    load(influxd, "dashboard", polls[:288], "varserver", folder)
    for case in case_dirs():
        assert influxd.write("dashboard", (case / GOLDEN).read_text())[0] == 204
    return influxd, truths


def _values(series: list[dict[str, Any]]) -> list[Any]:
    return [value for s in series for row in s.get("values", []) for value in row[1:]]


@pytest.mark.parametrize(("where", "query"), queries(), ids=[name for name, _ in queries()])
def test_query_answers(loaded: tuple[Influxd, list[Truth]], where: str, query: str) -> None:
    influxd, _ = loaded
    series = influxd.query("dashboard", substitute(query))
    assert any(value is not None for value in _values(series)), f"{where}: no data: {query}"


def test_energy_per_day_is_each_days_true_energy(loaded: tuple[Influxd, list[Truth]]) -> None:
    influxd, truths = loaded
    (series,) = influxd.query("dashboard", substitute(query_of("Energy per day")))
    assert series["columns"] == ["time", "produced", "consumed", "imported", "exported"]
    assert len(series["values"]) == DAYS
    for row, truth in zip(series["values"], truths):
        expected = [truth.production, truth.consumption, truth.imported, truth.exported]
        assert row[1:] == pytest.approx(expected, rel=0.01)


def test_days_follow_the_chosen_time_zone(loaded: tuple[Influxd, list[Truth]]) -> None:
    influxd, _ = loaded
    query = substitute(query_of("Energy per day"), tz="America/Los_Angeles")
    (series,) = influxd.query("dashboard", query)
    # 2025-06-15 00:00 UTC is the 14th, 17:00 in Los Angeles: the first day starts at its midnight.
    assert series["values"][0][0] == 1749884400 * 10**9
    assert len(series["values"]) == DAYS + 1


def test_self_consumption_and_sufficiency(loaded: tuple[Influxd, list[Truth]]) -> None:
    influxd, truths = loaded
    produced = sum(t.production for t in truths)
    consumed = sum(t.consumption for t in truths)
    exported = sum(t.exported for t in truths)
    imported = sum(t.imported for t in truths)
    for title, expected in [
        ("Self-consumption", (produced - exported) / produced * 100),
        ("Self-sufficiency", (consumed - imported) / consumed * 100),
    ]:
        value = _values(influxd.query("dashboard", substitute(query_of(title))))
        assert value == [pytest.approx(expected, abs=1.5)], title
        assert 0 < value[0] < 100


def test_pvs_filter_really_filters(loaded: tuple[Influxd, list[Truth]]) -> None:
    influxd, _ = loaded
    query = query_of("Solar now")
    assert re.search(r"/\^\$pvs\$/", query)
    other = substitute(query, pvs="ZT230185000549A1234").replace(
        VARIABLES["$timeFilter"], "time > 0"
    )
    assert _values(influxd.query("dashboard", other)) != _values(
        influxd.query("dashboard", substitute(query))
    )
