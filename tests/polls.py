"""Simulated polls through the command, into a real influxd, as Telegraf would write them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from sunpower_telegraf.cli import main
from tests.daysim import Poll
from tests.influx import Influxd

# form -> which documents one poll is read from
FORMS = {
    "legacy": ["devicelist"],  # firmware before 2025: the DeviceList alone
    "current": ["devicelist", "livedata"],  # devices/list, /sys/livedata and the battery's ESS
    "varserver": ["vars"],  # --source varserver: info, livedata and every device
}


def run_poll(poll: Poll, form: str, folder: Path) -> tuple[str, list[str]]:
    """The command on one poll's documents: its lines, those without a time stamped at the poll
    (as Telegraf stamps them at collection), and its warnings."""
    args = []
    for kind in FORMS[form]:
        document: Any = {
            "devicelist": poll.devicelist,
            "livedata": {
                k: v
                for k, v in poll.vars.items()
                if k.startswith(("/sys/livedata/", "/sys/devices/ess/"))
            },
            "vars": poll.vars,
        }[kind]
        path = folder / f"{kind}.json"
        path.write_text(json.dumps(document))
        args += ["--input", str(path)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    stamp = int(poll.time.timestamp()) * 1_000_000_000
    lines = [
        line if line.rsplit(" ", 1)[-1].isdigit() else f"{line} {stamp}"
        for line in result.stdout.splitlines()
    ]
    return "\n".join(lines) + "\n", result.stderr.splitlines()


def load(
    influxd: Influxd, database: str, polls: list[Poll], form: str, folder: Path
) -> list[list[str]]:
    """Write every poll's lines into `database`; each poll's warnings."""
    influxd.create(database)
    warnings = []
    batch = []
    for poll in polls:
        lines, said = run_poll(poll, form, folder)
        batch.append(lines)
        warnings.append(said)
    assert influxd.write(database, "".join(batch)) == (204, "")
    return warnings
