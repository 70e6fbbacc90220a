"""The alert rules of grafana/alerts.yaml, evaluated as Grafana evaluates them, over simulated days.

Clean days and days with one fault each (tests/support/faults.py) go through the command into a real
influxd, one database per day set. Then every rule is evaluated every minute through those days
as Grafana's alerting does it:

- each data query runs with `$timeFilter` rendered as the InfluxDB data source renders it for
  the rule's relative time range (`time >= <from>ms and time <= <to>ms`); a query that answers
  no series makes the whole evaluation "no data";
- each series of an answer is a frame labelled by its tags; `reduce` turns a frame into a number
  (`dropNN`: points without a value are dropped, and a reduction of nothing is no value),
  `math` combines numbers whose labels match (Grafana's union), `threshold` compares;
- the condition's numbers become alert instances: 0 is normal, any other value alerting, no
  value no data; no data and errors take the rule's `noDataState` / `execErrState`;
- an alerting instance is pending until it has been alerting for the rule's `for`, then fires;
  a normal result resets it.

Every fault fires its own rule, within the time the rule promises, and no other rule; no rule
fires on the clean days (sunrise, dusk and night included) on any source. A `--follow` site's
days carry the websocket's second-by-second stream beside the polls (tests/support/livesim.py),
with its 60-70 s silences of steady output.
"""

from __future__ import annotations

import bisect
import importlib.util
import json
import math
import re
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.support import faults, livesim
from tests.support.daysim import PVS_SERIAL, Poll, simulate
from tests.support.influx import Influxd
from tests.support.polls import run_poll

ROOT = Path(__file__).resolve().parent.parent
SPEC = importlib.util.spec_from_file_location("alerts", ROOT / "grafana" / "alerts.py")
assert SPEC and SPEC.loader
alerts = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(alerts)
RULES = alerts.build()["groups"][0]["rules"]
UIDS = [rule["uid"] for rule in RULES]
DAYS = 2
NS = 1_000_000_000
OFFSET_S = 30  # Grafana evaluates a rule at a fixed offset within its interval
MINUTE = timedelta(minutes=1)


def test_committed_file_is_the_generated_one() -> None:
    assert (ROOT / "grafana" / "alerts.yaml").read_text() == alerts.render()


def test_the_file_reads_back_as_the_rules() -> None:
    """The hand-rolled YAML is YAML, and says what the generator means."""
    import yaml  # the test extra installs it: a YAML parser, not ours, reads the file

    assert yaml.safe_load((ROOT / "grafana" / "alerts.yaml").read_text()) == alerts.build()


def github_anchors(markdown: str) -> set[str]:
    """The anchors GitHub gives a page's headings: lower case, every character but letters,
    digits, spaces, `-` and `_` dropped, spaces as `-`; a repeated one gets `-1`, `-2`, ..."""
    anchors: set[str] = set()
    fenced = False
    for line in markdown.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        heading = re.match(r"#{1,6} (.+)", line)
        if fenced or not heading:
            continue
        text = re.sub(r"`|\*\*|\[([^]]*)\]\([^)]*\)", r"\1", heading.group(1).strip())
        slug = re.sub(r"[^\w\- ]", "", text.lower()).replace(" ", "-")
        anchor, n = slug, 0
        while anchor in anchors:
            n += 1
            anchor = f"{slug}-{n}"
        anchors.add(anchor)
    return anchors


def test_github_anchors_as_github_makes_them() -> None:
    page = "# Health figures and alerts\n### PVS silent for 15 minutes\n## `--quiet`: it's (A/B)\n"
    page += "```\n# not a heading\n```\n### PVS restarted\n### PVS restarted\n"
    assert github_anchors(page) == {
        "health-figures-and-alerts",
        "pvs-silent-for-15-minutes",
        "--quiet-its-ab",
        "pvs-restarted",
        "pvs-restarted-1",
    }


def test_every_runbook_url_leads_to_a_heading_of_the_alerts_page() -> None:
    """Grafana shows `summary`, `description` and a link to `runbook_url`: each rule's link is
    its own section of docs/alerts.md."""
    anchors = github_anchors((ROOT / "docs" / "alerts.md").read_text())
    sections = []
    for rule in RULES:
        notes = rule["annotations"]
        assert sorted(notes) == ["description", "runbook_url", "summary"], rule["uid"]
        assert notes["summary"] and notes["description"], rule["uid"]
        page, _, section = notes["runbook_url"].partition("#")
        assert page.startswith("https://") and page.endswith("/docs/alerts.md"), rule["uid"]
        assert section in anchors, (rule["uid"], section)
        sections.append(section)
    assert len(set(sections)) == len(RULES)


def test_rules_are_complete_and_safe_for_every_influxdb() -> None:
    for rule in RULES:
        assert rule["annotations"]["summary"] and rule["annotations"]["description"], rule["uid"]
        assert rule["noDataState"] in ("OK", "Alerting") and rule["execErrState"] in ("OK", "Error")
        # Grafana expands environment variables in these fields of a provisioning file.
        for text in (rule["title"], *rule["labels"].values()):
            assert "$" not in text, rule["uid"]
        for item in rule["data"]:
            if item["datasourceUid"] == "__expr__":
                continue
            text = item["model"]["query"]
            assert item["model"]["rawQuery"] is True
            assert not re.search(r"\bINTEGRAL\s*\(|\bSHOW\s+SERIES\b|\bFROM\s*\(", text, re.I)
            # No dashboard variable: Grafana leaves them unfilled in an alert query.
            assert re.findall(r"\$\w+", text) == ["$timeFilter"], text
    assert [r["noDataState"] for r in RULES].count("Alerting") == 1  # only "PVS silent"


# -- Grafana's evaluation ----------------------------------------------------------------------


@dataclass(frozen=True)
class Number:
    labels: frozenset[tuple[str, str]]
    value: float | None


class NoData(Exception):
    """An evaluation whose data query answered nothing."""


def _reduce(values: list[Any], reducer: str, mode: str) -> float | None:
    if mode != "dropNN":
        raise AssertionError(f"reduce mode {mode!r}: strict turns a missing point into NaN")
    kept = [v for v in values if v is not None and math.isfinite(v)]
    if reducer == "count":
        return float(len(kept))
    if reducer == "sum":
        return float(sum(kept))
    if not kept:
        return None  # NaN, which dropNN gives as no value
    return {
        "last": kept[-1],
        "mean": sum(kept) / len(kept),
        "min": min(kept),
        "max": max(kept),
    }[reducer]


def _union(a: list[Number], b: list[Number]) -> list[tuple[frozenset, Number, Number]]:
    """Grafana's matching of two sides of a math operation by their labels."""
    pairs = []
    for x in a:
        for y in b:
            if x.labels == y.labels or not x.labels or not y.labels:
                pairs.append((x.labels or y.labels, x, y))
            elif len(x.labels) != len(y.labels) and (x.labels >= y.labels or y.labels >= x.labels):
                pairs.append((x.labels | y.labels, x, y))
    if not pairs and len(a) == 1 and len(b) == 1:
        pairs.append((frozenset(), a[0], b[0]))
    return pairs


OPS: dict[str, Callable[[float, float], float]] = {
    "||": lambda x, y: float(x != 0 or y != 0),
    "&&": lambda x, y: float(x != 0 and y != 0),
    "==": lambda x, y: float(x == y),
    "!=": lambda x, y: float(x != y),
    "<": lambda x, y: float(x < y),
    ">": lambda x, y: float(x > y),
    "<=": lambda x, y: float(x <= y),
    ">=": lambda x, y: float(x >= y),
    "+": lambda x, y: x + y,
    "-": lambda x, y: x - y,
    "*": lambda x, y: x * y,
    "/": lambda x, y: x / y,
}
PRECEDENCE = [("||",), ("&&",), ("==", "!=", "<", ">", "<=", ">="), ("+", "-"), ("*", "/")]
TOKEN = re.compile(r"\s*(\$[A-Za-z]\w*|\d+(?:\.\d+)?|\|\||&&|==|!=|<=|>=|[-+*/<>()])")


def _math(text: str, variables: dict[str, list[Number]]) -> list[Number]:
    """Grafana's math expression, for the operators the rules use."""
    tokens = TOKEN.findall(text)
    assert "".join(tokens) == text.replace(" ", ""), text

    def operand(pos: int) -> tuple[list[Number], int]:
        token = tokens[pos]
        if token == "(":
            value, pos = binary(pos + 1, 0)
            return value, pos + 1
        if token.startswith("$"):
            return variables[token[1:]], pos + 1
        return [Number(frozenset(), float(token))], pos + 1

    def binary(pos: int, level: int) -> tuple[list[Number], int]:
        if level == len(PRECEDENCE):
            return operand(pos)
        left, pos = binary(pos, level + 1)
        while pos < len(tokens) and tokens[pos] in PRECEDENCE[level]:
            op = tokens[pos]
            right, pos = binary(pos + 1, level + 1)
            left = [
                Number(labels, _apply(op, x.value, y.value)) for labels, x, y in _union(left, right)
            ]
        return left, pos

    value, end = binary(0, 0)
    assert end == len(tokens), text
    return value


def _apply(op: str, x: float | None, y: float | None) -> float | None:
    if x is None or y is None:
        return None
    return OPS[op](x, y)


def _threshold(numbers: list[Number], kind: str, params: list[float]) -> list[Number]:
    test = {
        "gt": lambda v: v > params[0],
        "lt": lambda v: v < params[0],
        "within_range": lambda v: params[0] < v < params[1],
        "outside_range": lambda v: v < params[0] or v > params[1],
    }[kind]
    return [Number(n.labels, None if n.value is None else float(test(n.value))) for n in numbers]


Fetch = Callable[[dict[str, Any], int], list[dict[str, Any]]]


def evaluate(rule: dict[str, Any], now_ns: int, fetch: Fetch) -> dict[frozenset, str]:
    """Each alert instance's result at one evaluation: Alerting, Normal or NoData. Raises NoData
    when a data query answers nothing."""
    values: dict[str, list[Number]] = {}
    for item in rule["data"]:
        model = item["model"]
        if item["datasourceUid"] != "__expr__":
            series = fetch(item, now_ns)
            if not series:
                raise NoData
            numbers = []
            for s in series:
                labels = frozenset((s.get("tags") or {}).items())
                assert len(s["columns"]) == 2, "one value per frame, or labels clash"
                numbers.append((labels, [row[1] for row in s["values"]]))
            values[item["refId"]] = numbers  # type: ignore[assignment]
        elif model["type"] == "reduce":
            frames: Any = values[model["expression"]]
            mode = model.get("settings", {}).get("mode", "")
            values[item["refId"]] = [
                Number(labels, _reduce(points, model["reducer"], mode)) for labels, points in frames
            ]
        elif model["type"] == "math":
            values[item["refId"]] = _math(model["expression"], values)
        elif model["type"] == "threshold":
            evaluator = model["conditions"][0]["evaluator"]
            numbers = values[model["expression"]]  # type: ignore[assignment]
            values[item["refId"]] = _threshold(numbers, evaluator["type"], evaluator["params"])
        else:
            raise AssertionError(f"expression type {model['type']}")
    results = values[rule["condition"]]
    if not results or all(n.value is None and not n.labels for n in results):
        raise NoData
    states = {}
    for number in results:
        assert number.value is None or not math.isnan(number.value), "NaN fires in Grafana"
        if number.value is None:
            states[number.labels] = "NoData"
        else:
            states[number.labels] = "Normal" if number.value == 0 else "Alerting"
    return states


@dataclass
class Instance:
    state: str = "Normal"
    since_ns: int = 0
    missing: int = 0


@dataclass
class RuleState:
    """Grafana's state manager for one rule: pending until `for` has passed, then firing."""

    rule: dict[str, Any]
    instances: dict[frozenset, Instance] = field(default_factory=dict)
    fired: list[tuple[int, frozenset]] = field(default_factory=list)

    @property
    def wait_ns(self) -> int:
        text = self.rule["for"]
        unit = {"s": 1, "m": 60, "h": 3600}[text[-1]]
        return int(text[:-1]) * unit * NS

    def step(self, now_ns: int, results: dict[frozenset, str] | None) -> None:
        mapped = {"OK": "Normal", "Alerting": "Alerting"}[self.rule["noDataState"]]
        if results is None:  # no data: the rule's noDataState for each instance it has, or one
            results = dict.fromkeys(
                self.instances or [frozenset({("alertname", "NoData")})], mapped
            )
        else:
            results = {k: mapped if v == "NoData" else v for k, v in results.items()}
        for key in list(self.instances):
            if key not in results:  # a series gone: resolved after two evaluations without it
                self.instances[key].missing += 1
                if self.instances[key].missing >= 2:
                    del self.instances[key]
        for key, result in results.items():
            instance = self.instances.setdefault(key, Instance())
            instance.missing = 0
            if result == "Normal":
                instance.state, instance.since_ns = "Normal", now_ns
            elif instance.state == "Pending" and now_ns - instance.since_ns >= self.wait_ns:
                instance.state = "Alerting"
                self.fired.append((now_ns, key))
            elif instance.state == "Normal":
                instance.state, instance.since_ns = "Pending", now_ns
                if self.wait_ns == 0:
                    instance.state = "Alerting"
                    self.fired.append((now_ns, key))


# -- influxd ------------------------------------------------------------------------------------


def query_many(influxd: Influxd, database: str, statements: list[str]) -> list[list[dict]]:
    """Many InfluxQL statements in one request; each one's series."""
    answers = []
    for start in range(0, len(statements), 400):
        chunk = statements[start : start + 400]
        params = urllib.parse.urlencode({"db": database, "q": ";".join(chunk), "epoch": "ns"})
        request = urllib.request.Request(f"{influxd.url}/query?{params}", method="POST")
        with urllib.request.urlopen(request, timeout=120) as response:
            results = json.loads(response.read())["results"]
        assert len(results) == len(chunk)
        for statement, result in zip(chunk, results):
            assert "error" not in result, (statement, result)
            answers.append(result.get("series", []))
    return answers


def render(item: dict[str, Any], now_ns: int) -> str:
    """The query as the InfluxDB data source sends it for the rule's relative time range."""
    window = item["relativeTimeRange"]
    start = (now_ns - window["from"] * NS) // 1_000_000
    end = (now_ns - window["to"] * NS) // 1_000_000
    return item["model"]["query"].replace("$timeFilter", f"time >= {start}ms and time <= {end}ms")


@dataclass
class Days:
    """Simulated days in one database: when every point is, and the polls."""

    database: str
    polls: list[Poll]
    times: list[int]


def load(influxd: Influxd, database: str, polls: list[Poll], form: str, folder: Path) -> Days:
    influxd.create(database)
    lines, times = [], set()
    for poll in polls:
        text, _ = run_poll(poll, form, folder)
        lines.append(text)
        times.update(int(line.rsplit(" ", 1)[1]) for line in text.splitlines())
    assert influxd.write(database, "".join(lines)) == (204, "")
    return Days(database, polls, sorted(times))


def run_rules(influxd: Influxd, days: Days) -> dict[str, list[tuple[datetime, frozenset]]]:
    """Every rule, every minute from the first day's midnight to the last day's end: when each
    fired, and which instance."""
    start = days.polls[0].time.replace(hour=0, minute=0, second=0)
    steps = [start + MINUTE * n + timedelta(seconds=OFFSET_S) for n in range(DAYS * 24 * 60)]
    clock = [int(t.timestamp()) * NS for t in steps]

    # A query's answer only changes when a point enters or leaves its window: ask influxd once
    # per distinct set of points, for the first minute that has it.
    # A query that fills empty intervals answers a row for every interval of its window, so its
    # answer moves with the window itself: asked every minute.
    def key(item: dict[str, Any], now_ns: int) -> tuple[str, int, int, int]:
        window = item["relativeTimeRange"]
        first = bisect.bisect_left(days.times, now_ns - window["from"] * NS)
        last = bisect.bisect_right(days.times, now_ns - window["to"] * NS)
        text = item["model"]["query"]
        moving = "fill(" in text and "fill(none)" not in text
        return text, first, last, now_ns if moving else 0

    wanted: dict[tuple[str, int, int, int], str] = {}
    for rule in RULES:
        for item in rule["data"]:
            if item["datasourceUid"] != "__expr__":
                for now_ns in clock:
                    k = key(item, now_ns)
                    if k[1] < k[2]:
                        wanted.setdefault(k, render(item, now_ns))
    answers = dict(zip(wanted, query_many(influxd, days.database, list(wanted.values()))))

    def fetch(item: dict[str, Any], now_ns: int) -> list[dict[str, Any]]:
        return answers.get(key(item, now_ns), [])

    fired = {}
    for rule in RULES:
        state = RuleState(rule)
        for now_ns in clock:
            try:
                results: dict[frozenset, str] | None = evaluate(rule, now_ns, fetch)
            except NoData:
                results = None
            state.step(now_ns, results)
        fired[rule["uid"]] = [
            (datetime.fromtimestamp(t / NS, start.tzinfo), k) for t, k in state.fired
        ]
    return fired


# -- the days -----------------------------------------------------------------------------------

Transform = Callable[[list[Poll], datetime], list[Poll]]


@dataclass(frozen=True)
class Scenario:
    form: str  # how the polls are read (tests/support/polls.py FORMS)
    battery: bool
    fault: Transform | None = None
    at: tuple[int, int] = (10, 0)  # the fault's start on the first day (UTC hour, minute)
    rule: str = ""  # the rule it must fire
    within: tuple[timedelta, timedelta] = (timedelta(0), timedelta(0))  # after its start
    # A --follow site: the websocket's stream beside the polls over these hours of the first
    # day, silent for `stall` from the fault's start (the PVS still answers polls meanwhile).
    live: tuple[int, int] | None = None
    stall: timedelta = timedelta(0)


def _hours(h: float) -> timedelta:
    return timedelta(hours=h)


CLEAN = {
    "legacy": Scenario("legacy", battery=False),
    "varserver": Scenario("varserver", battery=False),
    "current-battery": Scenario("current", battery=True),
}
FAULTS = {
    "dead-panel-legacy": Scenario(
        "legacy",
        False,
        faults.dead_panel,
        (10, 0),
        "sunpower-panel-not-producing",
        (_hours(1), _hours(1.1)),
    ),
    "dead-panel-varserver": Scenario(
        "varserver",
        False,
        faults.dead_panel,
        (10, 0),
        "sunpower-panel-not-producing",
        (_hours(1), _hours(1.1)),
    ),
    # Shaded from the first afternoon: by design the rule waits for a day's worth of hours, so
    # it fires the next morning, once the shaded hours outweigh the day before.
    "shaded-panel": Scenario(
        "legacy",
        False,
        faults.shaded_panel,
        (13, 0),
        "sunpower-panel-far-below",
        (_hours(21), _hours(22)),
    ),
    "pvs-silent": Scenario(
        "current",
        True,
        faults.silent_pvs,
        (14, 0),
        "sunpower-pvs-silent",
        (timedelta(minutes=10), timedelta(minutes=11)),
    ),
    "pvs-restarted": Scenario(
        "varserver",
        False,
        faults.restarted_pvs,
        (11, 0),
        "sunpower-pvs-restarted",
        (timedelta(minutes=5), timedelta(minutes=6)),
    ),
    "production-ct-zero": Scenario(
        "legacy",
        False,
        faults.zero_production_ct,
        (10, 0),
        "sunpower-production-meter-zero",
        (timedelta(minutes=40), timedelta(minutes=41)),
    ),
    "battery-drained": Scenario(
        "current",
        True,
        faults.drained_battery,
        (19, 0),
        "sunpower-battery-below-reserve",
        (timedelta(minutes=30), timedelta(minutes=31)),
    ),
    # The stream of a --follow site from 06:00 to 22:00, its steady silences included, silent
    # from 13:00 to 14:00; then nothing after 22:00 (see test_real_time_power_silent).
    "live-stalled": Scenario(
        "current",
        True,
        None,
        (13, 0),
        "sunpower-live-silent",
        (timedelta(minutes=10), timedelta(minutes=15)),
        live=(6, 22),
        stall=_hours(1),
    ),
}


Fired = dict[str, list[tuple[datetime, frozenset]]]


@dataclass
class Run:
    scenario: Scenario
    start: datetime  # the fault's
    days: Days
    fired: Fired  # each rule's firings: when, and which instance


@pytest.fixture(scope="module")
def run(influxd: Influxd, tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Run]:
    """The rules run over one scenario's days, loaded once per module."""
    done: dict[str, Run] = {}

    def get(name: str) -> Run:
        if name not in done:
            scenario = {**CLEAN, **FAULTS}[name]
            polls, _ = simulate(days=DAYS, battery=scenario.battery, glitches=True)
            if scenario.battery:
                polls = faults.keep_reserve(polls)
            start = polls[0].time + timedelta(hours=scenario.at[0], minutes=scenario.at[1])
            if scenario.fault:
                polls = scenario.fault(polls, start)
            folder = tmp_path_factory.mktemp(name)
            database = "alerts_" + name.replace("-", "_")
            days = load(influxd, database, polls, scenario.form, folder)
            if scenario.live:
                first, last = scenario.live
                lines = livesim.to_lines(
                    livesim.stream(
                        polls[0].time + _hours(first),
                        (last - first) * 3600,
                        battery=scenario.battery,
                        silent=[(start, start + scenario.stall)],
                    )
                )
                livesim.write(influxd, database, lines)
                stamps = (int(line.rsplit(" ", 1)[1]) for line in lines.splitlines())
                days.times = sorted({*days.times, *stamps})
            done[name] = Run(scenario, start, days, run_rules(influxd, days))
        return done[name]

    return get


@pytest.mark.parametrize("name", CLEAN)
def test_clean_days_raise_nothing(run: Callable[[str], Run], name: str) -> None:
    """Two days, glitches included (a meter reading 0 for a poll, a panel missing for a poll),
    from midnight to midnight: sunrise, dusk and the nights raise nothing."""
    assert {uid: times for uid, times in run(name).fired.items() if times} == {}


@pytest.mark.parametrize("name", FAULTS)
def test_each_fault_raises_its_own_alert(run: Callable[[str], Run], name: str) -> None:
    got = run(name)
    assert sorted(uid for uid, times in got.fired.items() if times) == [got.scenario.rule]
    first = got.fired[got.scenario.rule][0][0]
    earliest, latest = got.scenario.within
    assert got.start + earliest <= first <= got.start + latest, first


def test_real_time_power_silent(run: Callable[[str], Run]) -> None:
    """The stream flows from 06:00 to 22:00 with a minute of steady silence every 10 minutes,
    and stalls from 13:00 to 14:00: the rule fires once it has been silent for 10 minutes in
    daylight, clears when the stream is back, says nothing through the night after the stream
    stops at 22:00 (and nothing before it starts: no sunpower_live yet is an exec-only site), and
    fires again once the next morning's daylight has lasted its 15 minutes, the stream having
    had lines within the day. By 22:00 on the second day the stream has had none for a day: an
    exec-only site again, quiet."""
    got = run("live-stalled")
    day = got.start.replace(hour=0)
    fired = [when for when, _ in got.fired["sunpower-live-silent"]]
    assert fired == [
        day + timedelta(hours=13, minutes=10, seconds=30),
        day + timedelta(days=1, hours=7, minutes=5, seconds=30),
    ]


# -- the dashboard's health row on the same days -------------------------------------------------

DASHBOARD = json.loads((ROOT / "grafana" / "sunpower.json").read_text())


def panel_query(influxd: Influxd, days: Days, title: str, ref: str = "A") -> list[dict[str, Any]]:
    """A health panel's answer over the two days, with Grafana's variables filled in."""
    item = next(p for p in DASHBOARD["panels"] if p["title"] == title)
    text = next(t["query"] for t in item["targets"] if t["refId"] == ref)
    start = days.polls[0].time.replace(hour=0, minute=0, second=0)
    end = start + timedelta(days=DAYS)
    variables = {
        "$timeFilter": f"time >= {int(start.timestamp())}s AND time < {int(end.timestamp())}s",
        "$__interval": "5m",
        "$pvs": PVS_SERIAL,
    }
    for name in sorted(variables, key=len, reverse=True):
        text = text.replace(name, variables[name])
    return influxd.query(days.database, text)


def values(series: list[dict[str, Any]]) -> set[float]:
    return {row[1] for s in series for row in s["values"] if row[1] is not None}


def test_the_shaded_panel_ranks_last(influxd: Influxd, run: Callable[[str], Run]) -> None:
    days = run("shaded-panel").days
    title = "Panels against the median panel (% of its power in daylight, lowest first)"
    ranked = sorted(
        (s["values"][0][1], s["tags"]["serial"]) for s in panel_query(influxd, days, title)
    )
    (lowest, serial), (next_lowest, _) = ranked[:2]
    assert serial == "E00122142310007" and 39 < lowest < 80 and next_lowest > 90


@pytest.mark.parametrize(
    ("name", "in_error"),
    [("dead-panel-legacy", {0.0, 1.0}), ("dead-panel-varserver", set())],  # no states there
)
def test_a_dead_panel_shows_in_daylight(
    influxd: Influxd, run: Callable[[str], Run], name: str, in_error: set[float]
) -> None:
    days = run(name).days
    title = "Panels in error, missing or far below their neighbours, in daylight"
    (producing,) = panel_query(influxd, days, title, "C")
    counts = [row[1] for row in producing["values"] if row[1] is not None]
    assert set(counts) == {11.0, 12.0}
    assert counts.count(11.0) > 100  # 5-minute steps, from 10:00 on, not one glitch
    assert values(panel_query(influxd, days, title, "A")) == in_error


def test_the_restart_shows_in_the_uptime(influxd: Influxd, run: Callable[[str], Run]) -> None:
    days = run("pvs-restarted").days
    uptime = values(panel_query(influxd, days, "PVS uptime (a drop is a restart)"))
    assert min(uptime) == 300.0  # the first poll after the restart
