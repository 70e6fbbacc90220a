"""How many bytes a day of sunpower-lp's lines takes in InfluxDB 1.x on disk, after compaction.

Starts its own influxd (Debian's influxdb package) on loopback in a temp dir, set to snapshot its
cache and fully compact a shard after a second without writes, writes one simulated day (UTC,
2025-06-15) into a database of its own for each case, waits until every shard is one compacted
TSM file with nothing left in the write-ahead log, and prints the bytes of each database's files:

- `sunpower_live`, 1 Hz: the day of `--follow`'s real-time lines of a battery site
  (tests/support/livesim.py: a frame when a figure changed, a minute of steady silence every 10
  minutes);
- device polls, every 5 minutes: every line an exec run prints for a 30-panel site on a device
  list (the PVS, two meters, 30 inverters, the site summary), 288 runs through the command;
- `sunpower_live` as 1-minute rows: the continuous query of docs/retention.md run over the day.

Run from the repository root: python3 benchmarks/storage.py (needs influxd; the temp dir and the
server are removed at the end).
"""

from __future__ import annotations

import copy
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support import livesim  # noqa: E402
from tests.support.daysim import Poll, simulate  # noqa: E402
from tests.support.influx import CONFIG, Influxd, find_influxd  # noqa: E402
from tests.support.polls import run_poll  # noqa: E402

PANELS = 30
COMPACT = (
    "[data]\n"
    '  cache-snapshot-write-cold-duration = "1s"\n'
    '  compact-full-write-cold-duration = "1s"\n'
)
RETENTION = ROOT / "docs" / "retention.md"


class CompactingInfluxd(Influxd):
    """influxd that compacts a shard a second after its last write, instead of hours."""

    def __init__(self, binary: str, root: Path) -> None:
        import tests.support.influx as influx

        original = influx.CONFIG
        influx.CONFIG = CONFIG.replace("[data]\n", COMPACT)
        try:
            super().__init__(binary, root)
        finally:
            influx.CONFIG = original


def thirty_panels(poll: Poll) -> Poll:
    """The poll of a site with 30 panels: the simulated 12, and 18 more like them."""
    poll = copy.copy(poll)
    poll.devicelist = copy.deepcopy(poll.devicelist)
    devices = poll.devicelist["devices"]
    inverters = [d for d in devices if d["DEVICE_TYPE"] == "Inverter"]
    for n in range(len(inverters), PANELS):
        twin = dict(inverters[n % len(inverters)])
        twin["SERIAL"] = f"E0012214231{n:04d}"
        devices.append(twin)
    return poll


def shards(root: Path, database: str) -> list[Path]:
    """The database's shard directories (`_series` is the series file, not a policy)."""
    return [p for p in (root / "data" / database).glob("*/*") if p.parent.name != "_series"]


def shard_files(root: Path, database: str) -> tuple[int, int, int]:
    """(bytes of the database's shard files: TSM and field index, TSM files, bytes in its WAL)."""
    files = [p for shard in shards(root, database) for p in shard.iterdir() if p.is_file()]
    wal = list((root / "wal" / database).rglob("*.wal"))
    tsm = [p for p in files if p.suffix == ".tsm"]
    return sum(p.stat().st_size for p in files), len(tsm), sum(p.stat().st_size for p in wal)


def series_file(root: Path, database: str) -> int:
    """Bytes the database's series file takes on disk: its segments are sparse, so the blocks
    allocated, not their length."""
    return sum(p.stat().st_blocks * 512 for p in (root / "data" / database / "_series").rglob("*"))


def settle(root: Path, databases: list[str]) -> None:
    """Wait until each database is one TSM file a shard with an empty WAL, stable for 5 s."""
    deadline = time.monotonic() + 600
    last, since = None, time.monotonic()
    while time.monotonic() < deadline:
        state = [shard_files(root, db) for db in databases]
        counts = [len(shards(root, db)) for db in databases]
        done = all(n == s and wal == 0 for (_, n, wal), s in zip(state, counts))
        if state != last:
            last, since = state, time.monotonic()
        elif done and time.monotonic() - since >= 5:
            return
        time.sleep(1)
    raise SystemExit(f"influxd did not finish compacting: {last}")


def continuous_query() -> tuple[str, str]:
    """The SELECT ... INTO of docs/retention.md's continuous query, and its target."""
    text = RETENTION.read_text()
    match = re.search(r"BEGIN (SELECT .*? INTO (\S+) FROM .*?) END", text, re.S)
    if match is None:
        raise SystemExit(f"no continuous query in {RETENTION}")
    return match.group(1), match.group(2)


def main() -> int:
    binary = find_influxd()
    if binary is None:
        sys.exit("storage.py needs influxd: apt-get install influxdb")
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp)
        (root / "polls").mkdir()
        live = livesim.to_lines(livesim.stream(battery=True))
        polls, _ = simulate(days=1)
        lines = [run_poll(thirty_panels(p), "legacy", root / "polls")[0] for p in polls]
        influxd = CompactingInfluxd(binary, root)
        try:
            for database in ("live", "polls", "minutes"):
                influxd.create(database)
            livesim.write(influxd, "live", live)
            livesim.write(influxd, "polls", "".join(lines))
            select, _ = continuous_query()
            select = select.replace(
                '"sunpower"."live"."sunpower_live"', '"live"."autogen"."sunpower_live"'
            )
            select = re.sub(r'INTO "sunpower"\."autogen"\.', 'INTO "minutes"."autogen".', select)
            day = "time >= '2025-06-15T00:00:00Z' AND time < '2025-06-16T00:00:00Z'"
            influxd.query("live", select.replace(" GROUP BY ", f" WHERE {day} GROUP BY "))
            settle(root, ["live", "polls", "minutes"])
            counts = {
                db: sum(
                    row[1]
                    for s in influxd.query(db, 'SELECT count("production_kw") FROM /.*/')
                    for row in s["values"]
                )
                for db in ("live", "minutes")
            }
        finally:
            influxd.stop()
        print("One simulated day in InfluxDB 1.6 (influxd on loopback), after full compaction:")
        print(f"{'what':<44}{'lines':>9}{'shard bytes':>13}{'bytes/line':>12}{'series file':>13}")
        rows = [
            ("sunpower_live, 1 Hz (--follow)", "live", len(live.splitlines())),
            (
                f"device polls every 5 min, {PANELS} panels",
                "polls",
                sum(len(x.splitlines()) for x in lines),
            ),
            ("sunpower_live as 1-minute rows (the CQ)", "minutes", int(counts["minutes"])),
        ]
        for label, db, count in rows:
            size, _, _ = shard_files(root, db)
            series = series_file(root, db)
            print(f"{label:<44}{count:>9,}{size:>13,}{size / count:>12.1f}{series:>13,}")
        print("(the series file is the database's index of series names, allocated once)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
