"""What a store without strings keeps: every fixture's output written into a real VictoriaMetrics.

VictoriaMetrics (Debian's `victoria-metrics` package) runs on loopback in a temp dir and takes the
lines through its InfluxDB `/write` endpoint, as Telegraf's `[[outputs.influxdb]]` sends them;
`?db=<case>` labels each fixture's series apart. `/api/v1/export` reads the raw samples back: each
number is kept exactly, under `<measurement>_<field>` with the tags as labels; a string field is a
0 whatever it said, so a device's state survives only as `state_code` (0 working, 1 error, 2 any
other state). In CI a missing binary fails the tests; elsewhere they are skipped.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import line_protocol_parser
import pytest

from tests.support.cases import FIXTURES, GOLDEN, case_dirs
from tests.support.influx import LoopbackServer, free_port
from tests.support.pages import block, tomllib

CASES = case_dirs()
STATE_CODES = {"working": 0.0, "error": 1.0}  # any other state is 2
Series = tuple[str, frozenset[tuple[str, str]]]


class VictoriaMetrics(LoopbackServer):
    """A real victoria-metrics on 127.0.0.1, its data in `root`, until stopped."""

    def __init__(self, binary: str, root: Path) -> None:
        port = free_port()
        argv = [
            binary,
            f"-storageDataPath={root / 'data'}",
            f"-httpListenAddr=127.0.0.1:{port}",
            "-retentionPeriod=100y",  # the fixtures' readings are from 2019 to 2025
            "-loggerLevel=ERROR",
        ]
        url = f"http://127.0.0.1:{port}"
        super().__init__("victoria-metrics", argv, root, url, ("/health", 200))

    def write(self, database: str, lines: str) -> tuple[int, str]:
        query = urllib.parse.urlencode({"db": database})
        return self._request("POST", f"/write?{query}", lines.encode())

    def export(self, selector: str) -> dict[Series, list[tuple[int, float]]]:
        """Every raw sample of the series `selector` matches: (time in ms, value) by series."""
        self._request("GET", "/internal/force_flush")  # what was just written becomes searchable
        query = urllib.parse.urlencode({"match[]": selector})
        status, body = self._request("POST", f"/api/v1/export?{query}")
        assert status == 200, body
        samples: dict[Series, list[tuple[int, float]]] = {}
        for row in filter(None, body.splitlines()):
            series = json.loads(row)
            labels = dict(series["metric"])
            name = labels.pop("__name__")
            key = (name, frozenset(labels.items()))
            samples.setdefault(key, []).extend(zip(series["timestamps"], series["values"]))
        return samples

    def wait_for(self, selector: str, count: int) -> None:
        """Until `count` series match: new series become searchable a moment after the write."""
        deadline = time.monotonic() + 60
        while len(self.export(selector)) < count:
            if time.monotonic() > deadline:
                raise RuntimeError(f"victoria-metrics holds fewer than {count} series {selector}")
            time.sleep(0.2)


@pytest.fixture(scope="module")
def victoria(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VictoriaMetrics]:
    """One VictoriaMetrics holding every fixture's golden output, each case under db=<case>."""
    binary = shutil.which("victoria-metrics")
    if binary is None:
        message = (
            "victoria-metrics not found: install Debian's victoria-metrics package "
            "(apt-get install victoria-metrics)"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    server = VictoriaMetrics(binary, tmp_path_factory.mktemp("victoria"))
    try:
        for case in CASES:
            assert server.write(case.name, (case / GOLDEN).read_text()) == (204, "")
        written = {
            series(line, field, case)
            for case in CASES
            for line in lines_of(case)
            for field in line["fields"]
        }
        server.wait_for('{db!=""}', len(written))
        yield server
    finally:
        server.stop()


def lines_of(case: Path) -> list[dict[str, Any]]:
    return [
        line_protocol_parser.parse_line(line)
        for line in (case / GOLDEN).read_text().split("\n")
        if line
    ]


def series(line: dict[str, Any], field: str, case: Path) -> Series:
    return (f"{line['measurement']}_{field}", frozenset({**line["tags"], "db": case.name}.items()))


def assert_sample(
    stored: dict[Series, list[tuple[int, float]]], key: Series, line: dict[str, Any], value: float
) -> None:
    """The series holds `value`, at the line's own time where it has one (Telegraf's collection
    time, here the time of writing, where it has none)."""
    assert key in stored, f"{key[0]} {sorted(key[1])} is not in VictoriaMetrics"
    if line["time"] is None:
        assert value in [sample for _, sample in stored[key]], key
    else:
        assert (line["time"] // 1_000_000, value) in stored[key], key


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_every_number_reads_back_exactly(victoria: VictoriaMetrics, case: Path) -> None:
    """The site figures above all: production, consumption, grid, battery, their lifetimes."""
    stored = victoria.export(f'{{db="{case.name}"}}')
    checked = 0
    for line in lines_of(case):
        for field, value in line["fields"].items():
            if isinstance(value, float):
                assert_sample(stored, series(line, field, case), line, value)
                checked += 1
    assert checked > 0
    site = [line for line in lines_of(case) if line["measurement"] == "sunpower_site"]
    assert len(site) == 1 and "production_kw" in site[0]["fields"]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_every_state_reads_back_as_its_code(victoria: VictoriaMetrics, case: Path) -> None:
    stored = victoria.export(f'{{db="{case.name}", __name__=~".*_state_code"}}')
    states = [line for line in lines_of(case) if isinstance(line["fields"].get("state"), str)]
    for line in states:
        code = STATE_CODES.get(line["fields"]["state"], 2.0)
        assert_sample(stored, series(line, "state_code", case), line, code)
    assert len(stored) == len(states)  # and no state_code without a state


def test_a_string_is_stored_as_zero(victoria: VictoriaMetrics) -> None:
    """Why state_code exists: an inverter asleep says state="error", and the store keeps a 0,
    the same as for a working one."""
    stored = victoria.export('{db="pvs6-night", __name__="sunpower_inverter_state"}')
    states = {
        line["fields"]["state"]
        for line in lines_of(FIXTURES / "pvs6-night")
        if line["measurement"] == "sunpower_inverter"
    }
    assert "error" in states
    assert stored and {value for samples in stored.values() for _, value in samples} == {0.0}


def test_the_documented_output_writes_into_it(victoria: VictoriaMetrics) -> None:
    """docs/stores.md's Telegraf output at this server's address: the lines land under its db,
    the site figures among them."""
    (output,) = tomllib.loads(block("victoria-output", "docs/stores.md"))["outputs"]["influxdb"]
    assert output["urls"] == ["http://127.0.0.1:8428"] and output["skip_database_creation"]
    database = output["database"]
    golden = (FIXTURES / "pvs6-day" / GOLDEN).read_text()
    assert victoria.write(database, golden) == (204, "")  # what Telegraf's output sends
    selector = f'{{db="{database}", __name__="sunpower_site_production_kw"}}'
    victoria.wait_for(selector, 1)
    ((key, samples),) = victoria.export(selector).items()
    assert [value for _, value in samples] == [3.9712]  # the production meter's p_3phsum_kw
