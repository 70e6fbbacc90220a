"""The `sunpower-lp` command: options in, line protocol out, one plain line on failure."""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from typing import Any

import click

from .answer import Answer, PVSError, check_device_list, parse_json
from .lineproto import format_points
from .report import Options, to_report

DEFAULT_TIMEOUT = 100.0  # under the 120 s timeout of the shipped Telegraf config

EXIT_FAILURE = 1


def _check_prefix(ctx: click.Context, param: click.Parameter, value: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9_.-]*", value):
        raise click.BadParameter("use only letters, digits, '_', '.' and '-'")
    return value


def _check_fingerprint(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    digest = value.replace(":", "").strip().lower()
    if not re.fullmatch(r"[0-9a-f]{64}", digest):
        raise click.BadParameter("give the certificate's SHA-256 as 64 hex digits (':' allowed)")
    return digest


def read_input(path: str) -> Answer:
    """A saved answer: a DeviceList/devices/list document, or a varserver `fmt=obj` object."""
    where = "standard input" if path == "-" else path
    try:
        if path == "-":
            body = sys.stdin.buffer.read()
        else:
            with open(path, "rb") as file:
                body = file.read()
    except OSError as exc:
        raise PVSError(f"cannot read {where}: {exc.strerror or exc}") from None
    document: Any = parse_json(body, where)
    if (
        isinstance(document, dict)
        and "devices" not in document
        and any(str(key).startswith("/sys/") for key in document)
    ):
        return Answer(vars=document)
    return Answer(devices=check_device_list(document, where))


def fail(message: str, warnings: Sequence[str] = ()) -> None:
    click.echo(f"sunpower-lp: error: {message}", err=True)
    for warning in warnings:
        click.echo(f"sunpower-lp: warning: {warning}", err=True)
    sys.exit(EXIT_FAILURE)


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
    "input_path",
    metavar="PATH",
    help="Read a saved PVS answer from PATH ('-' for standard input) instead of asking the PVS: "
    "a DeviceList or devices/list document, or a varserver /vars?fmt=obj object.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=DEFAULT_TIMEOUT,
    show_default=True,
    metavar="SECONDS",
    help="Give up after this many seconds in all, however slowly the PVS answers. Keep it under "
    "Telegraf's exec timeout; a DeviceList takes 5-10 s, sometimes over 60.",
)
@click.option(
    "--prefix",
    default="sunpower_",
    show_default=True,
    callback=_check_prefix,
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
    help="Leave out the sunpower_site line (production, consumption and grid power and energy, "
    "inverter counts) computed from the devices.",
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
    callback=_check_fingerprint,
    help="Accept only the HTTPS certificate with this SHA-256 fingerprint (64 hex digits, ':' "
    "allowed), e.g. from: openssl s_client -connect PVS:443 </dev/null | openssl x509 "
    "-noout -fingerprint -sha256",
)
@click.version_option(None, "--version", package_name="sunpower-telegraf", prog_name="sunpower-lp")
def main(
    host: str,
    input_path: str | None,
    timeout: float,
    prefix: str,
    no_device_time: bool,
    no_site_summary: bool,
    source: str,
    password: str | None,
    ca_file: str | None,
    fingerprint: str | None,
) -> None:
    """Ask a SunPower PVS5/PVS6 once for its devices and print them as InfluxDB line protocol.

    One line per device: the PVS itself, the production and consumption meters, every inverter,
    storage devices; then a sunpower_site summary. Made for Telegraf's [[inputs.exec]] with
    data_format = "influx". On failure nothing is printed on standard output, the first line on
    standard error says why, and the exit status is 1.
    """
    from .pvs import TLS, fetch_site  # requests is slow to import; --input does without it

    try:
        if input_path is not None:
            answer = read_input(input_path)
        else:
            tls = TLS(ca_file=ca_file, fingerprint=fingerprint)
            answer = fetch_site(
                host, source=source, password=password or None, tls=tls, seconds=timeout
            )
    except PVSError as exc:
        fail(str(exc))
        return
    options = Options(prefix=prefix, device_time=not no_device_time, site=not no_site_summary)
    report = to_report(answer, options)
    if not report.points:
        fail("the PVS answer has no device that could be mapped to a line", report.warnings)
    output = format_points(report.points)
    for warning in report.warnings:
        click.echo(f"sunpower-lp: warning: {warning}", err=True)
    try:
        sys.stdout.write(output)
        sys.stdout.flush()
    except BrokenPipeError:
        sys.exit(EXIT_FAILURE)
