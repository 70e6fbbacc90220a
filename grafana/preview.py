"""Draw grafana/preview.png: what the dashboard shows for three simulated days of a battery site.

Grafana needs a server to render, so this does what Grafana would: it starts a real influxd, writes
the simulated polls into it through sunpower-lp (tests/support/daysim.py, the same days the
dashboard test uses), runs the dashboard's own queries from grafana/sunpower.json with its variables
filled in, and draws their answers with matplotlib. So that the health row has something to show,
the days carry faults owners meet (tests/support/faults.py): the PVS restarts on the second morning,
a panel is shaded to 40 % from the second afternoon, another dies on the third morning. The third
day's 15:30 to 16:00 also carries the 1 Hz stream of `--follow` (tests/support/livesim.py), drawn by
the real-time row as Grafana would show it at 16:00. Run from the repository root: python3
grafana/preview.py (needs influxd from Debian's influxdb package, and matplotlib).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support import faults, livesim  # noqa: E402
from tests.support.daysim import PVS_SERIAL, simulate  # noqa: E402
from tests.support.influx import Influxd, find_influxd  # noqa: E402
from tests.support.polls import load  # noqa: E402

DASHBOARD = json.loads((ROOT / "grafana" / "sunpower.json").read_text())
VARIABLES = {
    "$timeFilter": "time >= '2025-06-15T00:00:00Z' AND time < '2025-06-18T00:00:00Z'",
    "$__interval": "30m",
    "$pvs": PVS_SERIAL,
    "$tz": "UTC",
    "$live": '"sunpower_live"',
}
REALTIME_AT = livesim.at(2, 16)  # the moment the real-time row is drawn at
STREAM = (REALTIME_AT - dt.timedelta(minutes=30), 1800)


def realtime_filter() -> str:
    """The real-time row's range: its 15 minutes (timeFrom) up to REALTIME_AT."""
    start = REALTIME_AT - dt.timedelta(minutes=15)
    return f"time >= {int(start.timestamp())}s AND time < {int(REALTIME_AT.timestamp())}s"


def query(influxd: Influxd, title: str, ref: str = "A") -> list[dict[str, Any]]:
    """The answer to one panel's query, as Grafana would get it."""
    panel = next(p for p in DASHBOARD["panels"] if p["title"] == title)
    text = next(t["query"] for t in panel["targets"] if t["refId"] == ref)
    values = dict(VARIABLES)
    if panel.get("timeFrom"):
        values["$timeFilter"] = realtime_filter()
    for name in sorted(values, key=len, reverse=True):
        text = text.replace(name, values[name])
    return influxd.query("preview", text)


def newest(series: list[dict[str, Any]]) -> Any:
    """A power-now stat's value: the newest row of its series (seriesToRows, sortBy Time)."""
    rows = sorted((row for s in series for row in s["values"]), key=lambda row: row[0])
    return [row[1] for row in rows if row[1] is not None][-1]


def times(series: dict[str, Any]) -> list[dt.datetime]:
    return [dt.datetime.fromtimestamp(row[0] / 1e9, dt.timezone.utc) for row in series["values"]]


def column(series: dict[str, Any], index: int = 1) -> list[Any]:
    return [row[index] for row in series["values"]]


def main() -> None:
    binary = find_influxd()
    if binary is None:
        sys.exit("preview.py needs influxd: apt-get install influxdb")
    with tempfile.TemporaryDirectory() as root:
        (Path(root) / "influxd").mkdir()
        influxd = Influxd(binary, Path(root) / "influxd")
        try:
            polls, _ = simulate(days=3, battery=True, glitches=True)
            polls = with_faults(polls)
            (Path(root) / "polls").mkdir()
            load(influxd, "preview", polls, "current", Path(root) / "polls")
            stream = livesim.stream(*STREAM, battery=True)
            livesim.write(influxd, "preview", livesim.to_lines(stream))
            draw(influxd)
        finally:
            influxd.stop()


def with_faults(polls: list[faults.Poll]) -> list[faults.Poll]:
    day = polls[0].time
    polls = faults.booted(polls, day - dt.timedelta(days=12))
    polls = faults.restarted_pvs(polls, day + dt.timedelta(days=1, hours=8))
    polls = faults.shaded_panel(polls, day + dt.timedelta(days=1, hours=13), index=7)
    return faults.dead_panel(polls, day + dt.timedelta(days=2, hours=9), index=3)


def draw(influxd: Influxd) -> None:
    fig = plt.figure(figsize=(16, 19))
    fig.suptitle(
        "SunPower PVS dashboard: three simulated days of a battery site, queried as Grafana does"
        "\n(the PVS restarts on day 2, a panel is shaded from day 2's afternoon, one dies on day 3)"
    )
    grid = fig.add_gridspec(6, 4)

    now = fig.add_subplot(grid[0, 0])
    now.axis("off")
    lines = []
    for title in [
        "Solar now",
        "Home now",
        "Grid now (import +, export -)",
        "Battery now (discharging +, charging -)",
        "Battery charge now",
        "Self-consumption",
        "Self-sufficiency",
    ]:
        value = newest(query(influxd, title))
        unit = "%" if "charge" in title or "Self" in title else "kW"
        lines.append(f"{title.split(' (')[0]}: {value:.1f} {unit}")
    now.text(0, 1, "\n".join(lines), va="top", fontsize=11, family="monospace")
    now.set_title("Now, and the range", loc="left")

    ax = fig.add_subplot(grid[0, 1:])
    (series,) = query(influxd, "Energy per day")
    days = [t.strftime("%b %d") for t in times(series)]
    names = series["columns"][1:]
    for offset, name in enumerate(names):
        ax.bar(
            [i + (offset - 1.5) * 0.2 for i in range(len(days))],
            column(series, offset + 1),
            0.2,
            label=name,
        )
    ax.set_xticks(range(len(days)), days)
    ax.set(title="Energy per day", ylabel="kWh")
    ax.legend(ncol=4, fontsize=8)

    draw_realtime(fig, grid, influxd)

    ax = fig.add_subplot(grid[2, :])
    for ref, label in zip("ABCD", ["solar", "home", "grid", "battery"]):
        (series,) = query(
            influxd, "Power: solar, home, grid (import +), battery (discharging +)", ref
        )
        ax.plot(times(series), column(series), label=label)
    ax.axhline(0, color="grey", linewidth=0.8)
    ax.set(title="Power: solar, home, grid (import +), battery (discharging +)", ylabel="kW")
    ax.legend(ncol=4, fontsize=8)

    ax = fig.add_subplot(grid[3, :3])
    panels = sorted(
        query(influxd, "Every panel's power (a failing one stands out)"),
        key=lambda s: s["tags"]["serial"],
    )
    matrix = [[value if value is not None else float("nan") for value in column(s)] for s in panels]
    first = times(panels[0])
    image = ax.imshow(
        matrix,
        aspect="auto",
        cmap="RdYlGn_r",
        interpolation="nearest",
        extent=(
            matplotlib.dates.date2num(first[0]),
            matplotlib.dates.date2num(first[-1]),
            len(panels),
            0,
        ),
    )
    ax.xaxis_date()
    ax.set_yticks(
        [i + 0.5 for i in range(len(panels))],
        [s["tags"]["serial"][-4:] for s in panels],
        fontsize=7,
    )
    ax.set(title="Every panel's power (a failing one stands out)")
    fig.colorbar(image, ax=ax, label="kW")

    ax = fig.add_subplot(grid[3, 3])
    rows = sorted(
        query(influxd, "Energy per panel in the range"), key=lambda s: s["tags"]["serial"]
    )
    ax.barh(
        [s["tags"]["serial"][-4:] for s in rows], [column(s)[0] for s in rows], color="tab:green"
    )
    ax.set(title="Energy per panel in the range", xlabel="kWh")
    ax.tick_params(axis="y", labelsize=7)

    ax = fig.add_subplot(grid[4, :2])
    (charge,) = query(influxd, "Battery charge")
    (power,) = query(influxd, "Battery power (discharging +, charging -)")
    ax.plot(times(charge), column(charge), color="tab:blue", label="charge %")
    ax.set(title="Battery charge and power", ylabel="%", ylim=(0, 100))
    twin = ax.twinx()
    twin.plot(times(power), column(power), color="tab:red", label="kW (discharging +)")
    twin.axhline(0, color="grey", linewidth=0.8)
    twin.set_ylabel("kW")

    ax = fig.add_subplot(grid[4, 2:])
    (uptime,) = query(influxd, "PVS uptime (a drop is a restart)")
    ax.plot(times(uptime), [v / 86400 if v is not None else None for v in column(uptime)])
    ax.set(title="PVS uptime (a drop is a restart)", ylabel="days")

    draw_health(fig, grid, influxd)

    for axis in fig.axes:
        if axis.get_xlabel() == "" and axis not in (now, fig.axes[2]):
            axis.tick_params(axis="x", labelsize=8)
    fig.tight_layout(rect=(0, 0, 1, 0.97))
    out = Path(__file__).resolve().parent / "preview.png"
    fig.savefig(out, dpi=72)
    print(f"wrote {out}")


def draw_realtime(fig: Any, grid: Any, influxd: Influxd) -> None:
    """The real-time row at 16:00 on the third day: every line of the last 15 minutes, stepped
    as each frame holds until the next, and the power flow now."""
    ax = fig.add_subplot(grid[1, :3])
    title = next(
        p["title"] for p in DASHBOARD["panels"] if p.get("timeFrom") and p["type"] == "timeseries"
    )
    (series,) = query(influxd, title)
    for index, name in enumerate(series["columns"][1:], start=1):
        ax.step(times(series), column(series, index), where="post", label=name)
    ax.axhline(0, color="grey", linewidth=0.8)
    ax.set(title=title.replace(": ", ":\n", 1), ylabel="kW")
    ax.xaxis.set_major_formatter(matplotlib.dates.DateFormatter("%H:%M"))
    ax.legend(ncol=4, fontsize=8)

    flow = fig.add_subplot(grid[1, 3])
    flow.axis("off")
    title = "Power flow now, every second"
    (series,) = query(influxd, title)
    lines = []
    for name, value in zip(series["columns"][1:], series["values"][-1][1:]):
        text = f"{value:3.0f} %" if name == "battery charge" else f"{value:6.2f} kW"
        lines.append(f"{name.split(' (')[0]:<15}{text:>9}")
    flow.text(0, 1, "\n".join(lines), va="top", fontsize=11, family="monospace")
    flow.set_title(f"{title}\n(at {REALTIME_AT:%H:%M} on day 3)", loc="left")


def draw_health(fig: Any, grid: Any, influxd: Influxd) -> None:
    """The health row: panels ranked against the median one, and the counts over time."""
    ax = fig.add_subplot(grid[5, :2])
    title = "Panels against the median panel (% of its power in daylight, lowest first)"
    rows = [(s["tags"]["serial"], column(s)[0]) for s in query(influxd, title)]
    ranked = sorted(rows, key=lambda row: float(row[1]))  # as Grafana's sortBy transformation
    colors = [
        "tab:red" if value < 50 else "tab:orange" if value < 80 else "tab:green"
        for _, value in ranked
    ]
    ax.barh([serial[-4:] for serial, _ in ranked], [v for _, v in ranked], color=colors)
    ax.invert_yaxis()
    ax.axvline(100, color="grey", linewidth=0.8)
    ax.set(title=title, xlabel="% of the median panel", xlim=(0, 120))
    ax.tick_params(axis="y", labelsize=7)

    ax = fig.add_subplot(grid[5, 2:])
    title = "Panels in error, missing or far below their neighbours, in daylight"
    for ref, label in zip("ABC", ["in error", "far below the median", "producing (of all)"]):
        (series,) = query(influxd, title, ref)
        ax.step(times(series), column(series), label=label, where="post")
    ax.set(title=title, ylabel="panels")
    ax.legend(fontsize=8)


if __name__ == "__main__":
    main()
