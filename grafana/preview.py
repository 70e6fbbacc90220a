"""Draw grafana/preview.png: the dashboard's main panels, from the bundled fixtures' output.

Grafana needs a server to render; this draws the same quantities with matplotlib from the same
data the dashboard test loads into InfluxDB. Run: python3 grafana/preview.py (needs matplotlib).
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sunpower_telegraf.report import to_report  # noqa: E402
from tests.cases import FIXTURES, load_answer  # noqa: E402

SNAPSHOTS = {
    "PVS6\nday": "pvs6-day",
    "PVS6\nnight": "pvs6-night",
    "storage\ncharging": "storage-charging",
    "storage\ndischarging": "storage-discharging",
}


def points(case: str) -> list:
    return to_report(load_answer(FIXTURES / case)).points


def first(case: str, measurement: str, **tags: str):
    return next(
        p
        for p in points(case)
        if p.measurement == measurement and all(p.tags.get(k) == v for k, v in tags.items())
    )


def main() -> None:
    fig, axes = plt.subplots(2, 3, figsize=(16, 8.5))
    fig.suptitle("SunPower PVS dashboard: main panels, drawn from the bundled fixtures")

    ax = axes[0][0]
    names = list(SNAPSHOTS)
    sites = [first(SNAPSHOTS[name], "sunpower_site").fields for name in names]
    width = 0.26
    for offset, (field, label) in enumerate(
        [("production_kw", "production"), ("consumption_kw", "consumption"), ("grid_kw", "grid")]
    ):
        ax.bar(
            [i + (offset - 1) * width for i in range(len(names))],
            [s[field] for s in sites],
            width,
            label=label,
        )
    ax.axhline(0, color="grey", linewidth=0.8)
    ax.set_xticks(range(len(names)), names, fontsize=8)
    ax.set(title="Power (grid: import +, export -)", ylabel="kW")
    ax.legend(fontsize=8)

    day = [p for p in points("pvs6-day") if p.measurement == "sunpower_inverter"]
    serials = [p.tags["serial"][-4:] for p in day]
    ax = axes[0][1]
    ax.bar(serials, [p.fields["p_3phsum_kw"] * 1000 for p in day], color="tab:orange")
    ax.set(title="Inverter AC power, PVS6 day", ylabel="W", xlabel="inverter serial (last 4)")
    ax.tick_params(axis="x", labelrotation=60, labelsize=7)

    ax = axes[0][2]
    ax.barh(serials, [p.fields["ltea_3phsum_kwh"] for p in day], color="tab:green")
    ax.set(title="Inverter lifetime energy", xlabel="kWh")
    ax.tick_params(axis="y", labelsize=7)

    ax = axes[1][0]
    site = sites[0]
    labels = ["produced", "imported", "exported"]
    fields = ["production_lifetime_kwh", "grid_import_lifetime_kwh", "grid_export_lifetime_kwh"]
    ax.bar(labels, [site[f] for f in fields], color=["tab:orange", "tab:red", "tab:green"])
    ax.set(title="Lifetime energy, PVS6", ylabel="kWh")

    ax = axes[1][1]
    batteries = [first(SNAPSHOTS[n], "sunpower_ess_bms").fields for n in names[2:]]
    ax.bar(names[2:], [b["customer_state_of_charge_percent"] for b in batteries], color="tab:blue")
    ax.set(title="Battery state of charge (bars) and power (line)", ylabel="%", ylim=(0, 100))
    power = ax.twinx()
    power.plot(names[2:], [b["battery_power_kw"] for b in batteries], "o-", color="tab:red")
    power.axhline(0, color="grey", linewidth=0.8)
    power.set_ylabel("kW (charging +)")

    ax = axes[1][2]
    pvs = first("pvs6-day", "sunpower_pvs").fields
    health = {
        "uptime (days)": pvs["dl_uptime"] / 86400,
        "CPU load": pvs["dl_cpu_load"],
        "memory used (MiB)": pvs["dl_mem_used"] / 1024,
        "flash available (MiB)": pvs["dl_flash_avail"] / 1024,
        "comm errors (100s)": pvs["dl_comm_err"] / 100,
        "untransmitted (1000s)": pvs["dl_untransmitted"] / 1000,
    }
    ax.barh(list(health), list(health.values()), color="tab:purple")
    ax.set(title="PVS health")
    for index, value in enumerate(health.values()):
        ax.text(value, index, f" {value:.1f}", va="center", fontsize=8)

    fig.tight_layout()
    out = Path(__file__).resolve().parent / "preview.png"
    fig.savefig(out, dpi=80)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
