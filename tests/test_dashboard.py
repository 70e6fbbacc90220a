"""The Grafana dashboard: built by grafana/dashboard.py, and every query answers from real data."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.cases import GOLDEN, case_dirs
from tests.influx import Influxd

ROOT = Path(__file__).resolve().parent.parent
SPEC = importlib.util.spec_from_file_location("dashboard", ROOT / "grafana" / "dashboard.py")
assert SPEC and SPEC.loader
dashboard = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(dashboard)
DASHBOARD = json.loads((ROOT / "grafana" / "sunpower.json").read_text())

# Grafana's variables as it would fill them for the fixtures' day site.
VARIABLES = {
    "$timeFilter": "time >= '2019-01-01T00:00:00Z' AND time <= now() + 1d",
    "$__interval": "1d",
    "$pvs": "ZT230185000549A1234",
    "$inverter": "E00122283711540",
}


def substitute(query: str) -> str:
    for name in sorted(VARIABLES, key=len, reverse=True):
        query = query.replace(name, VARIABLES[name])
    assert "$" not in query.replace("$/", "/"), query
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


def test_committed_json_is_the_generated_one() -> None:
    assert (ROOT / "grafana" / "sunpower.json").read_text() == dashboard.render()


def test_every_panel_has_a_unit_and_raw_queries() -> None:
    for item in DASHBOARD["panels"]:
        assert item["fieldConfig"]["defaults"]["unit"], item["title"]
        assert item["targets"] and all(t["rawQuery"] is True for t in item["targets"])
        assert item["datasource"]["uid"] == "${DS_INFLUXDB}"
    names = [v["name"] for v in DASHBOARD["templating"]["list"]]
    assert names == ["DS_INFLUXDB", "pvs", "inverter"]


@pytest.fixture(scope="module")
def loaded(influxd: Influxd) -> Influxd:
    influxd.create("dashboard")
    for case in case_dirs():
        assert influxd.write("dashboard", (case / GOLDEN).read_text())[0] == 204
    return influxd


def _values(series: list[dict[str, Any]]) -> list[Any]:
    return [value for s in series for row in s.get("values", []) for value in row[1:]]


@pytest.mark.parametrize(("where", "query"), queries(), ids=[name for name, _ in queries()])
def test_query_answers(loaded: Influxd, where: str, query: str) -> None:
    series = loaded.query("dashboard", substitute(query))
    assert any(value is not None for value in _values(series)), f"{where}: no data: {query}"


def test_pvs_filter_really_filters(loaded: Influxd) -> None:
    query = next(q for _, q in queries() if '"dl_uptime"' in q)
    other = substitute(query).replace(VARIABLES["$pvs"], "ZT163185000441C0317")
    assert _values(loaded.query("dashboard", substitute(query))) == [
        1251852
    ]  # the varserver night line, written last
    assert _values(loaded.query("dashboard", other)) == [86132]
    assert re.search(r"/\^\$pvs\$/", query)
