"""Which addresses a run reads, in what order, and how the deadline is shared among them.

Requests per run (logout included; at most 8, whatever happens):

- legacy firmware: 1, `DeviceList`; 2 with the storage status where the list names an ESS.
- current firmware, device list (the default): 6, `DeviceList` (refused), serial, login,
  `devices/list`, `/sys/livedata`, logout; 8 with the battery's ESS and transfer switch where
  livedata shows a battery; 7 where livedata failed or says nothing of a battery (the ESS is
  asked, and tells); one less with a password given (no serial to read).
- current firmware, varserver: 6, serial, login, `/sys/devices`, `/sys/info`, `/sys/livedata`,
  logout; one less with a password given.
- a bare `host:port` that speaks plain HTTP (a proxy or port forward): one more, the first HTTPS
  request, which meets plain HTTP; the rest of the run (and of a kept session) uses HTTP.

A session the PVS refuses (401/403, or an error object saying so) is dropped and logged in
again, and the request tried once more, only where the login, the retry and the logout still fit
in the 8 (`login.Conversation.spend`). The device data comes first, so it always fits; what a run
gives up when the 8 run out is what comes last: on the device list, the transfer switch, then the
battery's ESS values, then livedata; on the varserver, livedata, then `/sys/info`. Each is named in
a warning and listed in `Answer.failed`. Two expiries in one run leave out the livedata (7
requests: the second expired session needs no logout).

The device data (the device list, or the varserver's devices) is the primary request: without it
there is nothing to print, and it may use all the time left. Every other request (livedata, the
storage status or the varserver's storage devices, `/sys/info`) is secondary: it gets at most
`SECONDARY_SECONDS` of what is left, and when it fails, runs late or answers with an error object
(never data) the run goes on without it and says so in a warning. The logout always gets its own
second or so, even past the deadline.
"""

from __future__ import annotations

import ipaddress
import re
import time
from collections import deque
from typing import Any, Callable, NamedTuple
from urllib.parse import urlsplit

from .answer import Answer, PVSError, check_device_list, quote, to_variables
from .lineproto import clean_text
from .livedata import to_livedata
from .login import Call, Conversation, Missing, NoData, Refused
from .transport import TLS, Exchange, Late, Transport

DEVICE_LIST = "/cgi-bin/dl_cgi?Command=DeviceList"
DEVICES = "/cgi-bin/dl_cgi/devices/list"
ESS_STATUS = "/cgi-bin/dl_cgi/energy-storage-system/status"
VARS_INFO = "/vars?match=/sys/info/&fmt=obj"
VARS_LIVEDATA = "/vars?match=/sys/livedata/&fmt=obj"
VARS_DEVICES = "/vars?match=/sys/devices/&fmt=obj"
VARS_ESS = "/vars?match=/sys/devices/ess/&fmt=obj"
ESS_PREFIX = "/sys/devices/ess/"
VARS_TRANSFER_SWITCH = "/vars?match=/sys/devices/transfer_switch/&fmt=obj"
TELEMETRY_ENABLE = "/sys/telemetryws/enable"
SET_TELEMETRY = f"/vars?set={TELEMETRY_ENABLE}=1"

MAX_REQUESTS = 8
SECONDARY_SECONDS = 15.0  # what other PVS clients give one varserver call
LOGOUT_RESERVE = 0.3  # kept back from the device data for the logout when logged in
LOGOUT_SECONDS = 1.5  # the logout's whole duration, at most
GRACE = 0.8  # how far past the deadline the logout may run (the contract allows 1 s)

_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
_USERINFO = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*://)?[^/@]*@")


class Target(NamedTuple):
    """Where the PVS is: the base URL for the legacy request and the one for logging in, and
    whether --host named no scheme (then a login port that speaks plain HTTP is used as such)."""

    base: str
    login_base: str
    bare: bool = False

    @classmethod
    def parse(cls, host: str) -> Target:
        """`172.27.153.1`, `pvs.lan:8080`, `[fd00::1]`, `http://...` or `https://...` (a path is
        kept); user info (`user:pass@`) is refused and never repeated."""
        host = host.strip()
        shown = quote(_USERINFO.sub(r"\1", host))
        bad = PVSError(f"--host {shown!r} is not a host name, address or http(s):// URL")
        bare = "://" not in host
        try:
            parts = urlsplit(f"http://{host}" if bare else host)
            hostname, _ = parts.hostname, parts.port  # .port raises on a bad port
        except ValueError:
            raise bad from None
        if "@" in parts.netloc:
            raise PVSError(
                "--host must not carry a user name or password (user:pass@); give the password "
                "in SUNPOWER_PVS_PASSWORD"
            )
        if parts.scheme not in ("http", "https") or not hostname or not _valid_host(hostname):
            raise bad
        if parts.query or parts.fragment or (bare and parts.path.strip("/")):
            raise bad
        if bare:
            return cls(f"http://{parts.netloc}", f"https://{parts.netloc}", bare=True)
        base = f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"
        return cls(base=base, login_base=base)


def _valid_host(hostname: str) -> bool:
    try:
        ipaddress.ip_address(hostname)
        return True
    except ValueError:
        pass
    labels = hostname[:-1].split(".") if hostname.endswith(".") else hostname.split(".")
    return len(hostname) <= 253 and all(_LABEL.fullmatch(label) for label in labels)


class _Poll:
    """One poll's own state: its `Call` (deadline, requests) and the answer being built."""

    def __init__(self, seconds: float) -> None:
        self.call = Call(seconds, MAX_REQUESTS, LOGOUT_RESERVE)
        self.answer = Answer()


class Session:
    """One PVS, asked again and again over one kept login session.

    `poll` reads what an exec run reads, under the same rules and the same limit of requests
    (the logout's place kept): the first poll learns the firmware and which addresses answer;
    later polls go straight to them, with no DeviceList probe, serial read or login unless the
    session is gone. A session the PVS refuses is dropped, logged in again and the request tried
    once more, within the limit. `logout` ends the session. The latest requests are in `log`.

    `--follow` reads through the same session, from two threads at once: the device poll, and
    the telemetry websocket's `fetch_livedata`, `enable_telemetry` and `fetch_serial`. Each call
    keeps its deadline, request count and answer to itself; logins are serial (the
    conversation's lock), and each new login session raises `generation`.
    """

    def __init__(
        self,
        host: str,
        *,
        source: str = "auto",
        password: str | None = None,
        tls: TLS | None = None,
        proxy: str | None = None,
    ) -> None:
        self.target = Target.parse(host)
        self.source = source
        tls = tls or TLS()
        self.transport = Transport(tls, proxy)
        # Plain HTTP for the login only where --host named no scheme and no certificate check.
        plain = self.target.base if self.target.bare and not tls.checks else None
        self.pvs = Conversation(
            self.transport, self.target.base, self.target.login_base, password, plain
        )
        # "" until the first poll tells, then "legacy" or "current".
        self.firmware = ""
        self.varserver_only = source == "varserver"  # also learned: no devices/list on auto

    @property
    def logins(self) -> int:
        """Login requests sent so far."""
        return self.pvs.logins

    @property
    def generation(self) -> int:
        """How many login sessions there have been: it grows with each new one, so whatever was
        set on the PVS for a session (the websocket's enable) is known to be gone."""
        return self.pvs.generation

    @property
    def log(self) -> deque[Exchange]:
        """The latest requests, oldest first (a bounded number of them)."""
        return self.transport.exchanges

    @property
    def min_login_interval(self) -> float:
        """Seconds that must pass between two logins (0: none); a login needed sooner fails
        with `login.TooSoon`, which says how long to wait."""
        return self.pvs.min_login_interval

    @min_login_interval.setter
    def min_login_interval(self, seconds: float) -> None:
        self.pvs.min_login_interval = seconds

    def poll(self, seconds: float) -> Answer:
        """The site's documents, within `seconds` whatever the PVS does."""
        poll = _Poll(seconds)
        try:
            if self.varserver_only:
                self.varserver(poll)
            else:
                self.device_list(poll)
        except Late:
            raise PVSError(
                f"the PVS at {self.target.base} did not finish answering within {seconds:g} s; "
                "raise --timeout (and Telegraf's timeout) if it is just slow"
            ) from None
        poll.answer.firmware = self.firmware
        poll.answer.logged_in = self.pvs.logged_in
        return poll.answer

    def get_json(self, path: str, seconds: float) -> Any:
        """One document at `path`, logged in where the firmware wants it, within `seconds`."""
        call = Call(seconds, MAX_REQUESTS, LOGOUT_RESERVE)
        if self.firmware != "current":
            try:
                return self.pvs.get_json(call, path, cookies=self.pvs.cookies)
            except Refused:
                pass
        document = self.pvs.get_json_logged_in(call, path)
        self.firmware = "current"  # it wants a login
        return document

    def fetch_livedata(self, seconds: float) -> dict[str, Any]:
        """The `/sys/livedata` variables (`fmt=obj`: path -> value), within `seconds`."""
        variables = to_variables(self.get_json(VARS_LIVEDATA, seconds))
        if variables is None:
            raise PVSError("the PVS answered /sys/livedata with something other than variables")
        return variables

    def enable_telemetry(self, seconds: float) -> None:
        """Set `/sys/telemetryws/enable` to 1 (it defaults to 0 and resets on reboot), within
        `seconds`; a PVSError when the PVS refuses or answers that it kept another value."""
        variables = to_variables(self.get_json(SET_TELEMETRY, seconds)) or {}
        value = variables.get(TELEMETRY_ENABLE)
        if value is not None and str(value).strip() != "1":
            raise PVSError(f"the PVS kept {TELEMETRY_ENABLE} at {clean_text(str(value))[:20]!r}")

    def fetch_serial(self, seconds: float) -> str:
        """The PVS serial (the live line's tag), from an address that needs no login."""
        call = Call(seconds, MAX_REQUESTS)
        return clean_text(self.pvs.fetch_serial(call, self.pvs.cookies))

    def logout(self, seconds: float) -> None:
        """End the session, if there is one, within `seconds`."""
        self.pvs.logout(seconds)

    def secondary(self, poll: _Poll, what: str, path: str, fetch: Callable[[float], Any]) -> Any:
        """`fetch(seconds)`, or None with a warning when it fails, runs late, answers with an
        error or would pass the request limit."""
        seconds = min(SECONDARY_SECONDS, self.pvs.budget(poll.call))
        try:
            return fetch(seconds)
        except PVSError as exc:
            poll.answer.warnings.append(f"{what} left out: {exc}")
            poll.answer.failed.append(path)
            return None

    # -- what each path reads ------------------------------------------------------------------

    def device_list(self, poll: _Poll) -> None:
        """The legacy DeviceList, or on firmware that refuses it, devices/list after a login;
        with `auto`, the varserver where the firmware has no device list either."""
        answer = poll.answer
        if self.firmware != "current":
            try:
                document = self.pvs.get_json(poll.call, DEVICE_LIST, cookies=self.pvs.cookies)
                answer.devices = check_device_list(document, self.pvs.base)
                self.firmware = "legacy"
            except Refused:
                pass  # current firmware: log in below
        if answer.devices is None:
            self.firmware = "current"
            try:
                document = self.pvs.get_json_logged_in(poll.call, DEVICES)
            except Missing:
                if self.source == "devicelist":
                    raise
                self.varserver_only = True
                self.varserver(poll)
                return
            answer.devices = check_device_list(document, self.pvs.login_base + DEVICES)
        self.storage(poll)

    def storage(self, poll: _Poll) -> None:
        """Livedata on current firmware, and the battery wherever the site has one."""
        answer = poll.answer
        devices = answer.devices or {}
        if self.firmware == "current":
            self.vars(poll, "site figures (/sys/livedata)", VARS_LIVEDATA)
            live = to_livedata(answer.vars)
            battery = (live is not None and live.has_battery) or _names_storage(devices)
            if battery or live is None or not live.no_battery:
                # Livedata that failed, or says nothing of a battery, leaves the ESS to tell.
                self.vars(poll, "battery (/sys/devices/ess)", VARS_ESS)
                if battery or any(name.startswith(ESS_PREFIX) for name in answer.vars):
                    self.vars(poll, "transfer switch", VARS_TRANSFER_SWITCH)
        elif _names_storage(devices):
            status = self.secondary(
                poll, "storage status", ESS_STATUS, lambda s: self.ess_status(poll.call, s)
            )
            if status is not None:
                answer.ess_status = status

    def ess_status(self, call: Call, seconds: float) -> dict[str, Any]:
        try:
            document = self.pvs.get_json(
                call, ESS_STATUS, seconds=seconds, cookies=self.pvs.cookies
            )
        except Refused:
            document = self.pvs.get_json_logged_in(call, ESS_STATUS, seconds)
        if not isinstance(document, dict) or "ess_report" not in document:
            raise PVSError(f"the PVS answered {ESS_STATUS} with no storage status")
        return document

    def varserver(self, poll: _Poll) -> None:
        self.firmware = "current"
        try:
            devices = self.fetch_vars(poll.call, VARS_DEVICES, self.pvs.budget(poll.call))
        except NoData:
            devices = {}  # no device at all: the run says so
        self.vars(poll, "PVS details (/sys/info)", VARS_INFO)
        self.vars(poll, "site figures (/sys/livedata)", VARS_LIVEDATA)
        poll.answer.vars.update(devices)

    def vars(self, poll: _Poll, what: str, path: str) -> None:
        found = self.secondary(
            poll, what, path, lambda seconds: self.fetch_vars(poll.call, path, seconds)
        )
        if found:
            poll.answer.vars.update(found)

    def fetch_vars(self, call: Call, path: str, seconds: float) -> dict[str, Any]:
        """Varserver variables; a NoData (HTTP 400: no variable matches) is the caller's to
        judge, and so is an answer with no variables."""
        variables = to_variables(self.pvs.get_json_logged_in(call, path, seconds))
        if variables is None:
            raise PVSError(f"the PVS answered {path} with something other than variables")
        return variables


def _names_storage(document: dict[str, Any]) -> bool:
    """Whether the device list names an ESS, whose live values need the storage status."""
    devices = document.get("devices")
    return isinstance(devices, list) and any(
        isinstance(device, dict) and device.get("DEVICE_TYPE") == "Energy Storage System"
        for device in devices
    )


def fetch_site(
    host: str,
    *,
    source: str = "auto",
    password: str | None = None,
    tls: TLS | None = None,
    seconds: float = 100.0,
    proxy: str | None = None,
    log: list[Any] | None = None,
) -> Answer:
    """Ask the PVS once (one `Session.poll`), finishing within `seconds` whatever the PVS does,
    and log out at the end (within a second more), also when interrupted. `log` receives each
    request."""
    session = Session(host, source=source, password=password, tls=tls, proxy=proxy)
    end = time.monotonic() + seconds
    try:
        return session.poll(seconds)
    finally:
        session.logout(min(LOGOUT_SECONDS, end - time.monotonic() + GRACE))
        if log is not None:
            log.extend(session.log)
