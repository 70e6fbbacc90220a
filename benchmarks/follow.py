"""What `sunpower-lp --follow` costs the PVS and the machine, against the exec mode; printed.

1. One hour, simulated `--speed` times faster (60: an hour in a minute) with the timing constants
   scaled alike (SUNPOWER_LP_FOLLOW_TIMING), against the loopback PVS6 of
   tests/support/wsstandin.py with a battery: a power frame every second, `--interval 300`, the
   websocket closed every 10 minutes, and either login sessions that expire 6 minutes after their
   login (the PVS is reported to end them after 5-8) or sessions that outlive the hour. Counted:
   the PVS's requests (logins apart), the bytes it sent (HTTP answer bodies, websocket messages),
   lines printed, and the follow process's CPU time and memory. Against it: 12 exec runs, one
   every 300 s, of the same site. What a real hour costs is what the simulated one counts: every
   count is per event, and the events of an hour happen in it; only the process's idle wake-ups
   (once a second) are fewer, a cost too small to show.
2. A simulated day: 86,400 frames pushed as fast as the process takes them, with a reconnect
   every 600 frames, a session expiry every 360 and a device poll every second, and the process's
   memory (VmRSS) after a warm-up of 10,000 frames and every 10,000 frames after: the growth is
   what a day costs.

Run from the repository root, with the Python you measure:

    python3 benchmarks/follow.py [--speed 60] [--day 86400]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any, NamedTuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.wsstandin import TelemetryPVS  # noqa: E402

SITE = ROOT / "fixtures" / "current-storage"
SERIAL = "ZT221285000549W2071"
HOUR = 3600.0
INTERVAL = 300.0
RUNS = int(HOUR // INTERVAL)


class Cost(NamedTuple):
    paths: Counter[str]
    requests: int  # logins included
    logins: int
    body_bytes: int
    frame_bytes: int
    lines: int
    live_lines: int
    cpu: float  # seconds
    peak_mib: float


def site() -> tuple[Any, dict[str, Any]]:
    return (
        json.loads((SITE / "devicelist.json").read_text()),
        json.loads((SITE / "vars.json").read_text()),
    )


def timing(speed: float) -> str:
    real = {"ping": 30, "check": 30, "silence": 90, "backoff": 1, "backoff_max": 300, "login": 60}
    return ",".join(f"{name}={seconds / speed:g}" for name, seconds in real.items()) + ",open=10"


def environment(pvs: TelemetryPVS, speed: float | None) -> dict[str, str]:
    env = {
        **os.environ,
        "SUNPOWER_PVS_HOST": f"http://{pvs.hostport}",
        "SUNPOWER_PVS_WEBSOCKET": pvs.ws_url,
        "SUNPOWER_PVS_PASSWORD": "",
    }
    if speed:
        env["SUNPOWER_LP_FOLLOW_TIMING"] = timing(speed)
    return env


def status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of a running process, in KiB."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            found[name] = int(value.split()[0])
    return found


class Counted:
    """A process's stdout, read and counted as it comes."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self.lines = 0
        self.live = 0
        self.thread = threading.Thread(target=self.read, args=(process,), daemon=True)
        self.thread.start()

    def read(self, process: subprocess.Popen[bytes]) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            self.lines += 1
            if line.startswith(b"sunpower_live,"):
                self.live += 1


def follow_hour(speed: float, session_seconds: float) -> Cost:
    devices, variables = site()
    pvs = TelemetryPVS(
        SERIAL,
        devices,
        variables,
        frames=10**9,
        every=1.0 / speed,
        close_every=600,
        session_seconds=session_seconds / speed,
        record=False,
    )
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "sunpower_telegraf", "--follow"]
            + ["--interval", f"{INTERVAL / speed:g}"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=environment(pvs, speed),
        )
        counted = Counted(process)
        time.sleep(HOUR / speed)
        peak = status(process.pid)["VmHWM"]
        assert process.stdin is not None
        process.stdin.close()
        _, _, usage = os.wait4(process.pid, 0)
        counted.thread.join(30)
        paths = Counter(pvs.paths())
        return Cost(
            paths,
            sum(paths.values()),
            paths["/auth?login"],
            pvs.body_bytes,
            pvs.frame_bytes,
            counted.lines,
            counted.live,
            usage.ru_utime + usage.ru_stime,
            peak / 1024,
        )
    finally:
        pvs.close()


def exec_hour() -> Cost:
    devices, variables = site()
    pvs = TelemetryPVS(SERIAL, devices, variables, frames=0, record=False)
    cpu, peak, lines = 0.0, 0.0, 0
    try:
        for _ in range(RUNS):
            with open(os.devnull, "wb") as sink:
                process = subprocess.Popen(
                    [sys.executable, "-m", "sunpower_telegraf"],
                    stdout=subprocess.PIPE,
                    stderr=sink,
                    env=environment(pvs, None),
                )
                assert process.stdout is not None
                lines += process.stdout.read().count(b"\n")
                _, _, usage = os.wait4(process.pid, 0)
            cpu += usage.ru_utime + usage.ru_stime
            peak = max(peak, usage.ru_maxrss / 1024)
        paths = Counter(pvs.paths())
        return Cost(
            paths, sum(paths.values()), paths["/auth?login"], pvs.body_bytes, 0, lines, 0, cpu, peak
        )
    finally:
        pvs.close()


def day(frames: int) -> tuple[list[tuple[int, int]], float, int, int]:
    """VmRSS (KiB) every 10,000 frames after a warm-up of 10,000, CPU seconds, connects,
    logins."""
    warm, step = 10_000, 10_000
    devices, variables = site()
    pvs = TelemetryPVS(
        SERIAL,
        devices,
        variables,
        frames=warm + frames,
        every=0.0002,
        close_every=600,
        expire_at=range(360, warm + frames, 360),
        record=False,
    )
    fast = "ping=0.05,check=0.05,silence=0.5,backoff=0.001,backoff_max=0.01,login=0,open=10"
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "sunpower_telegraf", "--follow", "--interval", "1"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env={**environment(pvs, None), "SUNPOWER_LP_FOLLOW_TIMING": fast},
        )
        counted = Counted(process)
        samples = []
        for target in [*range(warm, warm + frames, step), warm + frames]:
            while counted.live < target:
                time.sleep(0.01)
                assert process.poll() is None, "--follow ended"
            samples.append((counted.live - warm, status(process.pid)["VmRSS"]))
        assert process.stdin is not None
        process.stdin.close()
        _, _, usage = os.wait4(process.pid, 0)
        counted.thread.join(30)
        cpu = usage.ru_utime + usage.ru_stime
        return samples, cpu, pvs.accepted, pvs.firmware.logins
    finally:
        pvs.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--speed", type=float, default=60.0, help="simulated seconds per second")
    parser.add_argument("--day", type=int, default=86_400, help="frames of the simulated day")
    args = parser.parse_args()

    rows = [
        (f"exec, {RUNS} runs", exec_hour()),
        ("--follow, sessions expire 6 min after login", follow_hour(args.speed, 360.0)),
        ("--follow, sessions outlive the hour", follow_hour(args.speed, 0.0)),
    ]
    print(
        f"One hour: a frame a second, devices every {INTERVAL:g} s, a battery site with 8 "
        f"inverters (simulated {args.speed:g} times faster; the websocket closed every 10 min)"
    )
    print()
    print("| mode | PVS requests | logins | bytes from the PVS | lines | CPU s | peak RSS |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, cost in rows:
        kib = (cost.body_bytes + cost.frame_bytes) / 1024
        split = f" ({cost.frame_bytes / 1024:,.0f} KiB frames)" if cost.frame_bytes else ""
        lines = f"{cost.lines:,}" + (f" ({cost.live_lines:,} live)" if cost.live_lines else "")
        print(
            f"| {name} | {cost.requests} | {cost.logins} | {kib:,.0f} KiB{split} | {lines} "
            f"| {cost.cpu:.2f} | {cost.peak_mib:.1f} MiB |"
        )
    print()
    print("The exec row's CPU and peak RSS: all 12 processes' CPU, the largest one's peak.")
    print()
    print("Requests by address:")
    addresses = sorted({path for _, cost in rows for path in cost.paths})
    print("| address | " + " | ".join(name for name, _ in rows) + " |")
    print("| --- |" + " ---: |" * len(rows))
    for address in addresses:
        counts = " | ".join(str(cost.paths[address]) for _, cost in rows)
        print(f"| `{address}` | {counts} |")
    samples, cpu, connects, logins = day(args.day)
    frames, end = samples[-1]
    start = samples[0][1]
    print()
    print(
        f"A simulated day: {frames:,} frames after a warm-up of 10,000, {connects} connects "
        f"(a close every 600 frames), {logins} logins (a session expiry every 360 frames), a "
        "device poll every second"
    )
    print("  VmRSS: " + ", ".join(f"{n // 1000}k {kib / 1024:.2f} MiB" for n, kib in samples))
    print(
        f"  growth {(end - start) / 1024:+.2f} MiB over {frames:,} frames; "
        f"CPU {cpu / (frames + 10_000) * 1e6:.0f} us per frame, polls and reconnects included"
    )


if __name__ == "__main__":
    main()
