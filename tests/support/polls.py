"""Simulated polls through the command, into a real influxd, as Telegraf would write them.

A poll is read from saved documents (`--input`), one per request the run makes; a request that
failed gives no document. Given a loopback stand-in PVS, the polls whose secondary requests go
wrong are asked of it instead, so a failed request is a real HTTP failure (a status, or an
`{"errorcode": ...}` object) and the run makes its own requests.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from sunpower_telegraf.cli import main
from sunpower_telegraf.pvs import (
    DEVICE_LIST,
    ESS_STATUS,
    VARS_ESS,
    VARS_LIVEDATA,
    VARS_TRANSFER_SWITCH,
)
from tests.support.daysim import Poll
from tests.support.influx import Influxd
from tests.support.standin import CurrentFirmware, Handler, Reply, StandIn, json_reply

# form -> the documents one poll is read from, one per request; a poll of legacy firmware is
# read as "legacy" whatever the form (the varserver came with current firmware).
FORMS = {
    "legacy": ["devicelist", "storage status"],  # the DeviceList, and a battery's storage status
    "current": ["devicelist", "livedata", "ess", "transfer switch"],  # devices/list, varserver
    "varserver": ["vars"],  # --source varserver: info, livedata and every device
}
VARS = {  # the varserver requests and the variables each answers with
    "livedata": (VARS_LIVEDATA, "/sys/livedata/"),
    "ess": (VARS_ESS, "/sys/devices/ess/"),
    "transfer switch": (VARS_TRANSFER_SWITCH, "/sys/devices/transfer_switch/"),
}


def documents(poll: Poll, form: str) -> dict[str, Any]:
    """The documents the poll's requests answered, by request; none for a failed request, or
    for a varserver request that finds no variable (the PVS answers 400)."""
    found: dict[str, Any] = {}
    for kind in FORMS["legacy" if poll.firmware == "legacy" else form]:
        document: Any
        if kind in poll.failed:
            continue
        if kind == "devicelist":
            document = poll.devicelist
        elif kind == "storage status":
            document = poll.ess_status
        elif kind == "vars":  # every device in one request; livedata is asked on its own
            gone = "/sys/livedata/" if "livedata" in poll.failed else None
            document = {k: v for k, v in poll.vars.items() if not (gone and k.startswith(gone))}
        else:
            document = {k: v for k, v in poll.vars.items() if k.startswith(VARS[kind][1])}
        if document:
            found[kind] = document
    return found


def run_poll(
    poll: Poll, form: str, folder: Path, args: Sequence[str] = ()
) -> tuple[str, list[str]]:
    """The command on one poll's documents: its lines, those without a time stamped at the poll
    (as Telegraf stamps them at collection), and its warnings."""
    paths = []
    for kind, document in documents(poll, form).items():
        path = folder / f"{kind.replace(' ', '_')}.json"
        path.write_text(json.dumps(document))
        paths += ["--input", str(path)]
    return _output(poll, CliRunner().invoke(main, [*paths, *args]))


def ask_standin(
    poll: Poll, form: str, standin: StandIn, args: Sequence[str] = ()
) -> tuple[str, list[str], list[str]]:
    """The command asking the stand-in PVS, which answers as the poll's firmware would, failed
    requests failing; its lines, warnings, and the paths it asked."""
    standin.routes = routes(poll)
    standin.requests.clear()
    source = ["--source", "varserver"] if form == "varserver" and poll.firmware != "legacy" else []
    result = CliRunner().invoke(main, ["--host", standin.url, *source, *args])
    return (*_output(poll, result), standin.paths())


def routes(poll: Poll) -> dict[str, Handler]:
    """What a PVS of the poll's firmware answers, a failed request failing as the poll says."""
    found: dict[str, Handler]
    if poll.firmware == "legacy":
        found = {DEVICE_LIST: lambda r: json_reply(poll.devicelist)}
        if poll.ess_status is not None:
            found[ESS_STATUS] = lambda r: json_reply(poll.ess_status)
    else:
        serial = poll.vars["/sys/info/serialnum"]
        found = CurrentFirmware(serial, poll.devicelist, poll.vars).routes()
    paths = {"storage status": ESS_STATUS, **{k: path for k, (path, _) in VARS.items()}}
    for request, (status, body) in poll.failed.items():
        reply = Reply(status, b"" if body is None else json.dumps(body).encode())
        reply.headers["Content-Type"] = "application/json"
        found[paths[request]] = lambda r, reply=reply: reply
    return found


def _output(poll: Poll, result: Result) -> tuple[str, list[str]]:
    assert result.exit_code == 0, (poll.time, result.output)
    stamp = int(poll.time.timestamp()) * 1_000_000_000
    lines = [
        line if line.rsplit(" ", 1)[-1].isdigit() else f"{line} {stamp}"
        for line in result.stdout.splitlines()
    ]
    return "\n".join(lines) + "\n", result.stderr.splitlines()


def load(
    influxd: Influxd,
    database: str,
    polls: list[Poll],
    form: str,
    folder: Path,
    args: Sequence[str] = (),
    standin: StandIn | None = None,
    asked: dict[int, list[str]] | None = None,
) -> list[list[str]]:
    """Write every poll's lines into `database`; each poll's warnings. With a stand-in, the
    polls whose secondary requests go wrong ask it, and `asked` gets each one's paths."""
    influxd.create(database)
    warnings = []
    batch = []
    for index, poll in enumerate(polls):
        if standin is not None and poll.trouble:
            lines, said, paths = ask_standin(poll, form, standin, args)
            if asked is not None:
                asked[index] = paths
        else:
            lines, said = run_poll(poll, form, folder, args)
        batch.append(lines)
        warnings.append(said)
    assert influxd.write(database, "".join(batch)) == (204, "")
    return warnings
