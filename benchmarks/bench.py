"""Measure sunpower-lp against what every Python tool pays, and per device; print the figures.

Floors, each a `python -c` that does what no implementation can avoid:
- legacy firmware: import requests and click, fetch the DeviceList;
- current firmware: import requests and click, and make the same HTTPS requests the tool makes
  (the refused DeviceList, the serial, the login, devices/list, livedata, the battery's ESS and
  transfer switch, the logout) in one session, certificate unchecked.
Each is run interleaved with the tool against the same loopback PVS, so that drift in the load of
a shared machine hits both alike; wall time, CPU time (user + system) and peak memory are each
process's own (wait4). Then: whether --input imports requests; CPU and peak memory for 25 to
2,000 devices, and per device; how far past --timeout a trickling PVS keeps the command; and the
worst time and memory the bounds allow (an 8 MiB answer of junk, deep nesting, a device with
100,000 keys). Run with the Python you measure, from the repository root:

    python3 benchmarks/bench.py [--runs 9] [--inverters 600] [--floors-only]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import trustme  # noqa: E402

from tests.support.standin import DEVICE_LIST, CurrentFirmware, Reply, StandIn  # noqa: E402

SERIAL = "ZT221285000549W2071"
LEGACY_FLOOR = """
import click, requests
requests.get({url!r}, timeout=60).content
"""
CURRENT_FLOOR = """
import click, requests, urllib3
urllib3.disable_warnings()
s = requests.Session()
base = {base!r}
s.get({legacy!r}, timeout=60).content
serial = s.get(base + "/vars?name=/sys/info/serialnum", verify=False, timeout=60).json()
password = serial["values"][0]["value"][-5:]
s.get(base + "/auth?login", auth=("ssm_owner", password), verify=False, timeout=60).content
for path in {paths!r}:
    s.get(base + path, verify=False, timeout=60).content
"""
CURRENT_PATHS = [
    "/cgi-bin/dl_cgi/devices/list",
    "/vars?match=/sys/livedata/&fmt=obj",
    "/vars?match=/sys/devices/ess/&fmt=obj",
    "/vars?match=/sys/devices/transfer_switch/&fmt=obj",
    "/auth?logout",
]


class Run(NamedTuple):
    wall: float
    cpu: float
    peak_kib: int
    output: int


TIME = shutil.which("time") or "/usr/bin/time"


def measure(command: list[str], env: dict[str, str], check: bool = True) -> Run:
    """A fresh process: its wall time, CPU seconds, peak memory and bytes on stdout. The peak is
    taken by GNU time, a small process, because Linux counts the memory of the process that
    forked toward its child's peak."""
    with tempfile.TemporaryFile() as out, tempfile.NamedTemporaryFile("r") as peak:
        start = time.perf_counter()
        process = subprocess.Popen(
            [TIME, "-f", "%M", "-o", peak.name, *command],
            stdout=out,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        code = os.waitstatus_to_exitcode(status)
        assert code == 0 or not check, (command, code)
        return Run(wall, usage.ru_utime + usage.ru_stime, int(peak.read().split()[-1]), out.tell())


def large_site(inverters: int) -> dict:
    current = json.loads((ROOT / "fixtures" / "current-storage" / "devicelist.json").read_text())
    head = [d for d in current["devices"] if d["DEVICE_TYPE"] != "Inverter"]
    template = next(d for d in current["devices"] if d["DEVICE_TYPE"] == "Inverter")
    devices = head + [
        {**template, "SERIAL": f"E00122{n:09d}", "DESCR": f"Inverter E00122{n:09d}"}
        for n in range(inverters)
    ]
    return {"devices": devices, "result": "succeed"}


def encode(document: dict) -> bytes:
    return json.dumps(document, indent="\t").encode()  # the PVS pretty-prints with tabs


def compare(name: str, floor: list[str], tool: list[str], runs: int, env: dict[str, str]) -> None:
    measure(floor, env), measure(tool, env)  # warm the bytecode cache and the page cache
    floors, tools = [], []
    for _ in range(runs):
        floors.append(measure(floor, env))
        tools.append(measure(tool, env))
    print(f"{name}, median of {runs} interleaved runs:")
    for label, results in (("floor", floors), ("sunpower-lp", tools)):
        wall = statistics.median(r.wall for r in results)
        cpu = statistics.median(r.cpu for r in results)
        peak = max(r.peak_kib for r in results) / 1024
        print(
            f"  {label:12} {wall * 1000:7.1f} ms wall {cpu * 1000:7.1f} ms CPU {peak:6.1f} MiB peak"
        )
    wall_ratio = statistics.median(t.wall / f.wall for f, t in zip(floors, tools))
    cpu_ratio = statistics.median(t.cpu for t in tools) / statistics.median(f.cpu for f in floors)
    print(f"  ratio to the floor: {wall_ratio:.3f} wall, {cpu_ratio:.3f} CPU")


def per_device(env: dict[str, str], folder: Path) -> None:
    print("--input, CPU and peak memory by site size (median of 5):")
    rows = []
    for inverters in (25, 100, 600, 2000):
        path = folder / f"site-{inverters}.json"
        path.write_bytes(encode(large_site(inverters)))
        command = [sys.executable, "-m", "sunpower_telegraf", "--input", str(path)]
        measure(command, env)
        results = [measure(command, env) for _ in range(5)]
        cpu = statistics.median(r.cpu for r in results)
        peak = max(r.peak_kib for r in results) / 1024
        rows.append((inverters, cpu, peak))
        print(f"  {inverters:5} inverters: {cpu * 1000:7.1f} ms CPU {peak:6.1f} MiB peak")
    (small, cpu_small, peak_small), (large, cpu_large, peak_large) = rows[0], rows[-1]
    print(
        f"  per device: {(cpu_large - cpu_small) / (large - small) * 1e6:.0f} us CPU, "
        f"{(peak_large - peak_small) / (large - small) * 1024:.1f} KiB peak memory"
    )
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "sunpower_telegraf", "--input", str(path)],
        capture_output=True,
        env=env,
        text=True,
    )
    imported = any(line.rstrip().endswith("| requests") for line in done.stderr.splitlines())
    print(f"  --input imports requests: {'yes' if imported else 'no'}")


def worst_cases(env: dict[str, str], folder: Path) -> None:
    print("worst cases the bounds allow (--input; median of 3):")
    junk = json.dumps({"devices": [{"x": n} for n in range(560_000)]}).encode()
    keys = json.dumps(
        {
            "devices": [
                {
                    "DEVICE_TYPE": "Inverter",
                    "SERIAL": "E1",
                    **{f"k{n}": "1" for n in range(100_000)},
                }
            ]
        }
    ).encode()
    deep = b'{"devices": ' + b"[" * 3_000_000 + b"]" * 3_000_000 + b"}"
    for name, body in (
        ("8 MiB of junk devices", junk),
        ("100,000 keys", keys),
        ("deep nesting", deep),
    ):
        path = folder / "worst.json"
        path.write_bytes(body[: 8 * 1024 * 1024])
        command = [sys.executable, "-m", "sunpower_telegraf", "--input", str(path)]
        results = [measure(command, env, check=False) for _ in range(3)]
        wall = statistics.median(r.wall for r in results)
        print(
            f"  {name:22} {len(body[: 8 * 1024 * 1024]) / 2**20:5.1f} MiB: {wall * 1000:7.1f} ms, "
            f"{max(r.peak_kib for r in results) / 1024:6.1f} MiB peak"
        )


def deadline_overrun(body: bytes, deadline: float, env: dict[str, str]) -> None:
    """How long the command takes past --timeout against a PVS trickling a byte every 50 ms."""
    pvs = StandIn({DEVICE_LIST: lambda request: Reply(200, body, trickle=0.05)})
    try:
        command = [sys.executable, "-m", "sunpower_telegraf", "--host", pvs.hostport]
        start = time.perf_counter()
        done = subprocess.run([*command, "--timeout", str(deadline)], capture_output=True, env=env)
        elapsed = time.perf_counter() - start
    finally:
        pvs.close()
    print(
        f"trickling PVS, --timeout {deadline:g}: exit {done.returncode} after {elapsed:.2f} s "
        f"({elapsed - deadline:+.2f} s past the deadline; the contract allows +1 s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inverters", type=int, default=600)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument(
        "--floors-only", action="store_true", help="only the two runs side by side with a floor"
    )
    args = parser.parse_args()

    site = large_site(args.inverters)
    body = encode(site)
    folder = Path(tempfile.mkdtemp(prefix="bench-"))
    # As installed: modules compiled once and loaded from bytecode after, for every command.
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHONDONTWRITEBYTECODE", "SUNPOWER_PVS_PASSWORD")
    }
    env["PYTHONPYCACHEPREFIX"] = str(folder / "pycache")
    print(
        f"python {sys.version.split()[0]} at {sys.executable}; site: {args.inverters} inverters, "
        f"answer {len(body) / 1024:.0f} KiB"
    )
    try:
        legacy = StandIn({DEVICE_LIST: lambda request: Reply(200, body)})
        try:
            compare(
                "legacy firmware (DeviceList over HTTP)",
                [sys.executable, "-c", LEGACY_FLOOR.format(url=legacy.url + DEVICE_LIST)],
                [sys.executable, "-m", "sunpower_telegraf", "--host", legacy.hostport],
                args.runs,
                env,
            )
        finally:
            legacy.close()

        variables = json.loads((ROOT / "fixtures" / "current-storage" / "vars.json").read_text())
        firmware = CurrentFirmware(SERIAL, devices=site, vars_=variables)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        trustme.CA().issue_cert("127.0.0.1").configure_cert(context)
        current = StandIn(firmware.routes(), tls=context)
        try:
            floor = CURRENT_FLOOR.format(
                base=f"https://{current.hostport}",
                legacy=current.url.replace("https", "http") + DEVICE_LIST,
                paths=CURRENT_PATHS,
            )
            compare(
                "current firmware (8 requests, login, HTTPS)",
                [sys.executable, "-c", floor],
                [sys.executable, "-m", "sunpower_telegraf", "--host", current.hostport],
                args.runs,
                env,
            )
        finally:
            current.close()
        if args.floors_only:
            return
        per_device(env, folder)
        worst_cases(env, folder)
        deadline_overrun(body, 2.0, env)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
