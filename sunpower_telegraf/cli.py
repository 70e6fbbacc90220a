"""The `sunpower-lp` command: options in, line protocol out, one plain line on failure.

The contract Telegraf's exec input needs: on success exit 0 and only valid lines on stdout; on any
failure a user or a PVS can cause, nothing on stdout, `sunpower-lp: error: ...` first on stderr,
exit 1, never a traceback, within `--timeout` plus a second; a SIGTERM (Telegraf's own timeout) or
Ctrl-C still logs out of the PVS and ends with that one plain line.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

import click
from click.core import ParameterSource

from .answer import Answer, PVSError, parse_file, to_answer
from .console import Output, Stopped, signals_stop, write_stderr
from .lineproto import format_points
from .options import (
    DEFAULT_INTERVAL,
    Refused,
    parse_fingerprint,
    parse_interval,
    parse_prefix,
    parse_timeout,
    parse_websocket,
    to_given,
)
from .reach import Reach
from .report import Options, to_report

DEFAULT_TIMEOUT = 100.0  # under the 120 s timeout of the shipped Telegraf config
MAX_INPUT = 8 * 1024 * 1024  # the same cap as an answer from the network
MAX_WARNINGS = 20  # lines; past that one line says how many more there were

EXIT_FAILURE = 1


def _rule(parse: Callable[[Any], Any]) -> Callable[[click.Context, click.Parameter, Any], Any]:
    """One of options.py's rules as click's callback: a refused value is a usage error."""

    def callback(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        try:
            return parse(value)
        except Refused as exc:
            raise click.BadParameter(str(exc)) from None

    return callback


def _name(path: str) -> str:
    return "standard input" if path == "-" else path


def read_input(paths: Sequence[str]) -> Answer:
    """Saved answers of one run: a device list, a storage status, varserver objects."""
    documents = []
    for path in paths:
        where = _name(path)
        try:
            if path == "-":
                body = sys.stdin.buffer.read(MAX_INPUT + 1)
            else:
                with open(path, "rb") as file:
                    body = file.read(MAX_INPUT + 1)
        except (OSError, AttributeError) as exc:
            reason = getattr(exc, "strerror", None) or "cannot be opened"
            raise PVSError(f"cannot read {where}: {reason}") from None
        if len(body) > MAX_INPUT:
            raise PVSError(f"{where} is larger than {MAX_INPUT // 2**20} MiB: not a PVS answer")
        documents.append((where, parse_file(body, where)))
    return to_answer(documents)


def _say(kind: str, message: str) -> None:
    """One line on stderr, whatever the message holds and whatever the locale."""
    write_stderr(f"sunpower-lp: {kind}: ", message)


def warn(warnings: Sequence[str]) -> None:
    for warning in warnings[:MAX_WARNINGS]:
        _say("warning", warning)
    if len(warnings) > MAX_WARNINGS:
        _say("warning", f"... and {len(warnings) - MAX_WARNINGS} more warnings like these")


def fail(message: str, warnings: Sequence[str] = ()) -> None:
    _say("error", message)
    warn(warnings)
    sys.exit(EXIT_FAILURE)


def write_stdout(text: str) -> None:
    """The whole output in one go; a full disk, a closed pipe or a reader that left early is a
    failure, never a success with lines missing."""
    output = Output()
    try:
        output.write(text)
    except OSError as exc:
        output.silence()
        fail(f"could not write the lines to standard output: {exc.strerror or exc}")


@click.command(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "--host",
    envvar="SUNPOWER_PVS_HOST",
    default="172.27.153.1",
    show_default=True,
    help="The PVS: a host name or address, optionally with :port (pvs.lan:8080), or a base URL "
    "(http://... or https://...). The default is the PVS installer port (LAN1). "
    "Env: SUNPOWER_PVS_HOST.",
)
@click.option(
    "--input",
    "input_paths",
    metavar="PATH",
    multiple=True,
    help="Read saved PVS answers instead of asking the PVS ('-' for standard input): a "
    "DeviceList or devices/list document, a storage status, varserver /vars?fmt=obj objects. "
    "Give it once per document of the same run.",
)
@click.option(
    "--timeout",
    type=float,
    default=DEFAULT_TIMEOUT,
    show_default=True,
    metavar="SECONDS",
    callback=_rule(parse_timeout),
    help="Give up after this many seconds in all, however slowly the PVS answers. Keep it under "
    "Telegraf's exec timeout; a DeviceList takes 5-10 s, sometimes over 60.",
)
@click.option(
    "--prefix",
    default="sunpower_",
    show_default=True,
    callback=_rule(parse_prefix),
    help="Put this before every measurement name (sunpower_inverter, ...).",
)
@click.option(
    "--no-device-time",
    is_flag=True,
    help="Print no timestamps, so Telegraf stamps each line with collection time. By default a "
    "line carries the time the PVS took the reading (DATATIME, UTC).",
)
@click.option(
    "--no-site-summary",
    is_flag=True,
    help="Leave out the sunpower_site line (production, consumption, grid and battery power and "
    "energy, inverter counts).",
)
@click.option(
    "--source",
    type=click.Choice(["auto", "devicelist", "varserver"]),
    default="auto",
    show_default=True,
    help="What to read. devicelist: the DeviceList, logging in first where the firmware wants "
    "it. varserver: the /vars data of current firmware (logs in). auto: the device list, and the "
    "varserver where the firmware has no device list any more.",
)
@click.option(
    "--production-source",
    type=click.Choice(["auto", "meter", "inverters"]),
    default="auto",
    show_default=True,
    help="Where the site's production power and lifetime come from. auto: the production meter "
    "where the site has one, else the inverters' sum. inverters: always the inverters' sum, for "
    "sites whose production meter has no CT and reads 0. meter: always the production meter.",
)
@click.option(
    "--password",
    envvar="SUNPOWER_PVS_PASSWORD",
    metavar="TEXT",
    help="Login password on current firmware (user ssm_owner). By default the last 5 characters "
    "of the PVS serial, read from the PVS. Prefer the env var SUNPOWER_PVS_PASSWORD: an option "
    "on the command line is visible to every user in ps.",
)
@click.option(
    "--ca-file",
    type=click.Path(exists=True, dir_okay=False),
    help="Verify the PVS's HTTPS certificate against this CA bundle. By default the PVS's "
    "self-signed certificate is accepted, whatever REQUESTS_CA_BUNDLE says.",
)
@click.option(
    "--fingerprint",
    metavar="SHA256",
    callback=_rule(parse_fingerprint),
    help="Accept only the HTTPS certificate with this SHA-256 fingerprint (64 hex digits, ':' "
    "allowed), e.g. from: openssl s_client -connect PVS:443 </dev/null | openssl x509 "
    "-noout -fingerprint -sha256",
)
@click.option(
    "--proxy",
    envvar="SUNPOWER_PVS_PROXY",
    metavar="URL",
    help="Reach the PVS through this HTTP proxy (it sees the login). By default no proxy is "
    "used, whatever HTTP_PROXY, HTTPS_PROXY or ALL_PROXY say: the PVS is on the local network. "
    "Env: SUNPOWER_PVS_PROXY.",
)
@click.option(
    "--check",
    is_flag=True,
    help="Diagnose the setup instead of printing line protocol: where and how the PVS was "
    "reached, each request and its time, what was found, the site right now, every warning, "
    "and Telegraf timeout and interval to use. With --input, the same for saved answers, "
    "without asking the PVS.",
)
@click.option(
    "--telegraf-config",
    is_flag=True,
    help="Print a ready [[inputs.exec]] block for Telegraf (with --follow, [[inputs.execd]]) "
    "that runs this very command by its full path with every option given (the host and "
    "password in its environment), and exit: sunpower-lp --telegraf-config --host PVS > "
    "/etc/telegraf/telegraf.d/sunpower.conf",
)
@click.option(
    "--follow",
    is_flag=True,
    help="Keep running for Telegraf's [[inputs.execd]]: one kept login session, the site's power "
    "every second from the PVS6 websocket, and every device each --interval; lines are printed "
    "as data arrives. Ends when standard input closes or on SIGTERM.",
)
@click.option(
    "--interval",
    type=float,
    default=DEFAULT_INTERVAL,
    show_default=True,
    metavar="SECONDS",
    callback=_rule(parse_interval),
    help="With --follow: seconds between device polls, from 1 to 86400 (the PVS refreshes "
    "device data about every 5 minutes). With --telegraf-config alone: Telegraf's interval.",
)
@click.option(
    "--quiet-at-night",
    is_flag=True,
    help="With --follow: skip the device poll while the PVS reports no production (the site "
    "line and the websocket go on).",
)
@click.option(
    "--websocket",
    envvar="SUNPOWER_PVS_WEBSOCKET",
    metavar="URL|off",
    callback=_rule(parse_websocket),
    help="With --follow: the PVS6 telemetry websocket where it is not ws://<host>:9002/ (a port "
    "forwarded elsewhere), a ws:// or wss:// URL; off for device polls only. The variable "
    "alone is read by --follow only. Env: SUNPOWER_PVS_WEBSOCKET.",
)
@click.version_option(None, "--version", package_name="sunpower-telegraf", prog_name="sunpower-lp")
def main(
    host: str,
    input_paths: tuple[str, ...],
    timeout: float,
    prefix: str,
    no_device_time: bool,
    no_site_summary: bool,
    source: str,
    password: str | None,
    ca_file: str | None,
    fingerprint: str | None,
    proxy: str | None,
    check: bool,
    telegraf_config: bool,
    production_source: str,
    follow: bool,
    interval: float,
    quiet_at_night: bool,
    websocket: str | None,
) -> None:
    """Ask a SunPower PVS5/PVS6 once for its devices and print them as InfluxDB line protocol.

    One line per device: the PVS itself, the production and consumption meters, every inverter,
    storage devices; then a sunpower_site summary. Made for Telegraf's [[inputs.exec]] with
    data_format = "influx". On failure nothing is printed on standard output, the first line on
    standard error says why, and the exit status is 1.
    """
    if sys.stdout is None and not check:
        fail("standard output is closed: there is nowhere to print the lines")
    context = click.get_current_context()
    sources = {name: context.get_parameter_source(name) for name in context.params}
    try:
        given = to_given(
            {n: v for n, v in context.params.items() if sources[n] is not ParameterSource.DEFAULT},
            {name for name, source in sources.items() if source is ParameterSource.ENVIRONMENT},
        )
    except Refused as exc:
        raise click.UsageError(str(exc)) from None
    if telegraf_config:
        from .telegraf import format_config, this_command

        try:
            config = format_config(this_command(), given)
        except PVSError as exc:
            fail(str(exc))
            return
        write_stdout(config)
        return
    options = Options(
        prefix=prefix,
        device_time=not no_device_time,
        site=not no_site_summary,
        production_source=production_source,
    )
    reach = Reach(host, source, password, ca_file, fingerprint, proxy, timeout)
    if follow:
        from .follow import run_follow

        run_follow(
            reach, options, interval=interval, quiet_at_night=quiet_at_night, websocket=websocket
        )
        return
    try:
        with signals_stop():
            if check:
                from .check import run_check

                saved = read_input(input_paths) if input_paths else None
                run_check(reach, options, saved, [_name(path) for path in input_paths])
                return
            answer = read_input(input_paths) if input_paths else reach.fetch()
            report = to_report(answer, options)
    except PVSError as exc:
        fail(str(exc))
        return
    except Stopped as exc:
        fail(
            f"stopped by {exc} before the PVS finished answering; keep Telegraf's timeout "
            "above --timeout"
        )
        return
    except (SystemExit, click.exceptions.Exit):
        raise
    except Exception as exc:  # the contract holds even for a bug: one line, no traceback
        fail(f"internal error ({type(exc).__name__}: {exc}); please report it")
        return
    if not report.points:
        fail("the PVS answer has no device that could be mapped to a line", report.warnings)
    output = format_points(report.points)
    warn(report.warnings)
    write_stdout(output)


def run() -> None:
    """The command, then an exit that skips tearing down what it built (`__main__.main` calls
    it, with collection already off from the first import).

    A run is one short process: collecting garbage while it builds its output, and freeing every
    object at exit, cost more than the rest of its own work on a large site. Output is flushed
    first, so nothing is lost by leaving at once.
    """
    gc.disable()
    try:
        main(prog_name="sunpower-lp")
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        if isinstance(exc.code, str):
            _say("error", exc.code)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)
