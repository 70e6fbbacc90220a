"""Time sunpower-lp against a loopback PVS serving a large site (600 inverters).

The floor is what no implementation can avoid: starting Python, importing requests and click,
and fetching the same document. Prints the median wall time of each over several runs, their
ratio, and each one's peak memory. Run from the repository root: python3 benchmarks/bench.py
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.standin import DEVICE_LIST, Reply, StandIn  # noqa: E402

MEASURE = """
import resource, sys
{body}
usage = resource.getrusage(resource.RUSAGE_SELF)
print(usage.ru_utime + usage.ru_stime, usage.ru_maxrss, file=sys.stderr)
"""
FLOOR = """
import click, requests
requests.get({url!r}, timeout=60).content
"""
TOOL = """
sys.argv = ["sunpower-lp", "--host", {host!r}]
from sunpower_telegraf.cli import main
try:
    main()
except SystemExit as exit:
    assert not exit.code, exit.code
"""


def large_site(inverters: int) -> bytes:
    day = json.loads((ROOT / "fixtures" / "pvs6-day" / "devicelist.json").read_text())
    head = [d for d in day["devices"] if d["DEVICE_TYPE"] != "Inverter"]
    template = next(d for d in day["devices"] if d["DEVICE_TYPE"] == "Inverter")
    devices = head + [
        {**template, "SERIAL": f"E00122{n:09d}", "DESCR": f"Inverter E00122{n:09d}"}
        for n in range(inverters)
    ]
    return json.dumps({"devices": devices, "result": "succeed"}, indent="\t").encode()


def timed(code: str, env: dict[str, str]) -> tuple[float, int, int, float]:
    """Wall seconds, peak KiB, stdout bytes and CPU seconds of a fresh Python running `code`."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", MEASURE.format(body=code)], capture_output=True, check=True, env=env
    )
    elapsed = time.perf_counter() - start
    cpu, peak = done.stderr.decode().split()[-2:]
    return elapsed, int(peak), len(done.stdout), float(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inverters", type=int, default=600)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--deadline", type=float, default=2.0, help="--timeout for the trickle run")
    args = parser.parse_args()

    body = large_site(args.inverters)
    pvs = StandIn({DEVICE_LIST: lambda request: Reply(200, body)})
    # As installed: modules compiled once and loaded from bytecode after, for both commands.
    cache = tempfile.mkdtemp(prefix="bench-pycache-")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = cache
    floor_code = FLOOR.format(url=pvs.url + DEVICE_LIST)
    tool_code = TOOL.format(host=pvs.hostport)
    try:
        timed(floor_code, env), timed(tool_code, env)  # warm the bytecode cache
        floor, tool = [], []
        for _ in range(args.runs):  # interleaved, so drift in machine load hits both alike
            floor.append(timed(floor_code, env))
            tool.append(timed(tool_code, env))
    finally:
        pvs.close()
        shutil.rmtree(cache, ignore_errors=True)

    floor_s = statistics.median(run[0] for run in floor)
    tool_s = statistics.median(run[0] for run in tool)
    floor_cpu = statistics.median(run[3] for run in floor)
    tool_cpu = statistics.median(run[3] for run in tool)
    print(
        f"site: {args.inverters} inverters, answer {len(body) / 1024:.0f} KiB, "
        f"output {tool[0][2] / 1024:.0f} KiB, median of {args.runs} runs"
    )
    for name, runs, cpu, wall in (
        ("floor (python, import requests and click, fetch)", floor, floor_cpu, floor_s),
        ("sunpower-lp", tool, tool_cpu, tool_s),
    ):
        peak = max(run[1] for run in runs) / 1024
        print(f"{name:50} {wall * 1000:6.1f} ms wall {cpu * 1000:6.1f} ms CPU {peak:5.1f} MiB peak")
    print(f"ratio: {tool_s / floor_s:.3f} wall, {tool_cpu / floor_cpu:.3f} CPU (aim: at most 1.10)")
    print(deadline_overrun(body, args.deadline))


def deadline_overrun(body: bytes, deadline: float) -> str:
    """How long the command takes past --timeout against a PVS trickling a byte every 50 ms."""
    pvs = StandIn({DEVICE_LIST: lambda request: Reply(200, body, trickle=0.05)})
    try:
        command = [sys.executable, "-m", "sunpower_telegraf", "--host", pvs.hostport]
        start = time.perf_counter()
        done = subprocess.run([*command, "--timeout", str(deadline)], capture_output=True)
        elapsed = time.perf_counter() - start
    finally:
        pvs.close()
    return (
        f"trickling PVS, --timeout {deadline:g}: exit {done.returncode} after {elapsed:.2f} s "
        f"({elapsed - deadline:+.2f} s past the deadline; the contract allows +1 s)"
    )


if __name__ == "__main__":
    main()
