"""Talking to the PVS: the only module that does network I/O.

`fetch_site` asks the PVS once for everything a run needs and returns the decoded JSON documents;
every failure a user can cause becomes a `PVSError` whose message is one plain line.
"""

from __future__ import annotations

import contextlib
import re
import socket
import ssl
import threading
import time
from typing import Any, Callable, NamedTuple, TypeVar
from urllib.parse import urlsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter

from .answer import Answer, PVSError, check_device_list, parse_json

LOGIN_USER = "ssm_owner"
DEVICE_LIST = "/cgi-bin/dl_cgi?Command=DeviceList"
DEVICES = "/cgi-bin/dl_cgi/devices/list"
ESS_STATUS = "/cgi-bin/dl_cgi/energy-storage-system/status"
SERIAL_VARS = "/vars?name=/sys/info/serialnum"
SUPERVISOR_INFO = "/cgi-bin/dl_cgi/supervisor/info"
LOGIN = "/auth?login"
LOGOUT = "/auth?logout"
VARS_DEVICES = "/vars?match=/sys/devices/&fmt=obj"
VARS_INFO = "/vars?match=/sys/info/&fmt=obj"

CONNECT_TIMEOUT = 10.0  # a PVS on the LAN accepts at once; a long wait means a wrong address
MAX_BODY = 64 * 1024 * 1024  # a 600-inverter answer is under 1 MiB
LOGOUT_TIMEOUT = 2.0

T = TypeVar("T")


class _Refused(PVSError):
    """The PVS answered 401 or 403."""


class _Missing(PVSError):
    """The PVS answered 404: this firmware has no such endpoint."""


class _NoData(PVSError):
    """The varserver answered 400: no variable matches the path (no inverters at night)."""


class Target(NamedTuple):
    """Where the PVS is: the base URL for the legacy request and the one for logging in."""

    base: str
    login_base: str

    @classmethod
    def parse(cls, host: str) -> Target:
        """`172.27.153.1`, `pvs.lan:8080`, `http://...` or `https://...` (a path is kept)."""
        host = host.strip()
        if "://" not in host:
            hostport = host.strip("/")
            if not hostport or "/" in hostport:
                raise PVSError(f"--host {host!r} is not a host name, address or http(s):// URL")
            return cls(base=f"http://{hostport}", login_base=f"https://{hostport}")
        parts = urlsplit(host)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise PVSError(f"--host {host!r} is not a host name, address or http(s):// URL")
        base = f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"
        return cls(base=base, login_base=base)


class TLS(NamedTuple):
    """How the PVS's certificate is checked: accepted (default), a CA file, or a pinned SHA-256."""

    ca_file: str | None = None
    fingerprint: str | None = None

    @property
    def verify(self) -> bool | str:
        return self.ca_file if self.ca_file else False


class _Deadline:
    def __init__(self, seconds: float) -> None:
        self.end = time.monotonic() + seconds

    def remaining(self) -> float:
        return self.end - time.monotonic()


class _PinningAdapter(HTTPAdapter):
    def __init__(self, fingerprint: str) -> None:
        self._fingerprint = fingerprint
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["assert_fingerprint"] = self._fingerprint
        super().init_poolmanager(*args, **kwargs)


def _reason(exc: BaseException) -> str:
    """The innermost cause of a connection failure, in a few words."""
    seen: set[int] = set()
    todo: list[BaseException] = [exc]
    while todo:
        current = todo.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, ConnectionRefusedError):
            return "connection refused"
        if isinstance(current, socket.gaierror):
            return "host name not found"
        if "Fingerprints did not match" in str(current):
            got = re.search(r'got "([0-9a-fA-F]+)"', str(current))
            actual = got.group(1) if got else "another"
            return f"its certificate's SHA-256 fingerprint is {actual}, not the pinned one"
        if isinstance(current, ssl.SSLCertVerificationError):
            return f"certificate verify failed: {current.verify_message}"
        if isinstance(current, ssl.SSLError):
            return str(current.reason or current).lower()
        if isinstance(current, OSError) and current.strerror:
            return current.strerror.lower()
        todo.extend(arg for arg in current.args if isinstance(arg, BaseException))
        for linked in (current.__cause__, current.__context__, getattr(current, "reason", None)):
            if isinstance(linked, BaseException):
                todo.append(linked)
    return str(exc)


class _Client:
    def __init__(self, target: Target, tls: TLS, password: str | None, seconds: float) -> None:
        self.target = target
        self.tls = tls
        self.password = password
        self.deadline = _Deadline(seconds)
        self.session = requests.Session()
        self.session.headers["User-Agent"] = "sunpower-lp"
        if tls.fingerprint:
            self.session.mount("https://", _PinningAdapter(tls.fingerprint))
        self.cookies: dict[str, str] | None = None

    def get(
        self, url: str, auth: tuple[str, str] | None = None, timeout: float | None = None
    ) -> tuple[int, bytes, str]:
        """Status, body and content type of one GET, within what is left of the deadline."""
        remaining = self.deadline.remaining() if timeout is None else timeout
        if remaining <= 0:
            raise PVSError(f"the PVS did not answer in time ({url})")
        try:
            # verify= on every request: a session-wide False is overridden by REQUESTS_CA_BUNDLE.
            with self.session.get(
                url,
                auth=auth,
                cookies=self.cookies,
                verify=self.tls.verify,
                timeout=(min(CONNECT_TIMEOUT, remaining), remaining),
                stream=True,
                allow_redirects=False,
            ) as response:
                body = bytearray()
                for chunk in response.iter_content(65536):
                    body += chunk
                    if len(body) > MAX_BODY:
                        raise PVSError(f"the answer from {url} is larger than {MAX_BODY} bytes")
                content_type = response.headers.get("Content-Type", "")
                return response.status_code, bytes(body), content_type
        except requests.exceptions.SSLError as exc:
            raise PVSError(
                f"the TLS connection to {url} failed: {_reason(exc)}; check --ca-file or "
                "--fingerprint"
            ) from None
        except requests.exceptions.ConnectTimeout:
            raise PVSError(
                f"cannot reach the PVS at {url}: no answer to connecting within "
                f"{min(CONNECT_TIMEOUT, remaining):g} s; check --host and that this machine can "
                "reach the PVS"
            ) from None
        except requests.exceptions.Timeout:
            raise PVSError(f"the PVS did not answer in time ({url})") from None
        except requests.exceptions.RequestException as exc:
            raise PVSError(
                f"cannot reach the PVS at {url}: {_reason(exc)}; check --host and that this "
                "machine can reach the PVS"
            ) from None

    def get_json(self, path: str, base: str | None = None) -> Any:
        url = (base or self.target.base) + path
        status, body, content_type = self.get(url)
        if status != 200:
            error = {401: _Refused, 403: _Refused, 404: _Missing, 400: _NoData}.get(
                status, PVSError
            )
            raise error(f"the PVS answered HTTP {status} to {url}")
        return parse_json(body, url, content_type)

    # -- login ---------------------------------------------------------------------------------

    def fetch_serial(self) -> str:
        """The PVS serial, from either endpoint that answers without a login."""
        base = self.target.login_base
        why = "no serial in the answers"
        readers: list[tuple[str, Callable[[Any], Any]]] = [
            (SERIAL_VARS, lambda doc: doc["values"][0]["value"]),
            (SUPERVISOR_INFO, lambda doc: doc["supervisor"]["SERIAL"]),
        ]
        for path, read in readers:
            try:
                serial = read(self.get_json(path, base))
            except PVSError as exc:
                why = str(exc)
                continue
            except (LookupError, TypeError):
                continue
            if isinstance(serial, str) and len(serial.strip()) >= 5:
                return serial.strip()
        raise PVSError(
            f"this PVS wants a login, and its serial (the password's source) could not be read "
            f"({why}); set SUNPOWER_PVS_PASSWORD to the last 5 characters of the PVS serial"
        )

    def login(self) -> None:
        password = self.password or self.fetch_serial()[-5:]
        url = self.target.login_base + LOGIN
        status, _, _ = self.get(url, auth=(LOGIN_USER, password))
        if status in (401, 403):
            source = "the given password" if self.password else "the end of its serial"
            raise PVSError(
                f"this PVS wants a login and refused {LOGIN_USER} with {source} (HTTP {status}); "
                "set SUNPOWER_PVS_PASSWORD to the right password"
            )
        if status == 404:
            raise PVSError(
                f"the PVS wants a login but has no login endpoint ({url} answered 404); "
                "check --host points at the PVS itself"
            )
        if status != 200:
            raise PVSError(f"the PVS answered HTTP {status} to the login at {url}")
        cookies = {name: value or "" for name, value in self.session.cookies.get_dict().items()}
        self.session.cookies.clear()
        if not cookies:
            raise PVSError(f"the login at {url} answered without a session cookie")
        self.cookies = cookies

    def get_json_logged_in(self, path: str) -> Any:
        """GET after logging in; a session that expired mid-run gets one more login."""
        if self.cookies is None:
            self.login()
        try:
            return self.get_json(path, self.target.login_base)
        except _Refused:
            self.login()
            try:
                return self.get_json(path, self.target.login_base)
            except _Refused as exc:
                raise PVSError(f"{exc}, even right after logging in") from None

    def logout(self) -> None:
        if self.cookies is None:
            return
        remaining = min(self.deadline.remaining(), LOGOUT_TIMEOUT)
        if remaining > 0:
            # A failed logout costs nothing: the session expires on its own within minutes.
            with contextlib.suppress(PVSError):
                self.get(self.target.login_base + LOGOUT, timeout=remaining)

    # -- sources -------------------------------------------------------------------------------

    def fetch_device_list(self) -> dict[str, Any]:
        """The legacy DeviceList, or on firmware that refuses it, devices/list after a login."""
        try:
            return check_device_list(self.get_json(DEVICE_LIST), self.target.base)
        except _Refused:
            pass  # current firmware: log in below
        except PVSError as exc:
            raise PVSError(str(exc)) from None  # no varserver fallback: this may be no PVS at all
        url = self.target.login_base + DEVICES
        return check_device_list(self.get_json_logged_in(DEVICES), url)

    def fetch_ess_status(self) -> dict[str, Any]:
        if self.cookies is None:
            try:
                document = self.get_json(ESS_STATUS)
            except _Refused:
                document = self.get_json_logged_in(ESS_STATUS)
        else:
            document = self.get_json_logged_in(ESS_STATUS)
        if not isinstance(document, dict):
            raise PVSError("the storage status is not a JSON object")
        return document

    def fetch_vars(self, path: str) -> dict[str, Any]:
        try:
            document = self.get_json_logged_in(path)
        except _NoData:
            return {}
        if not isinstance(document, dict):
            raise PVSError(f"the PVS answered {path} with something other than a JSON object")
        return {str(key): value for key, value in document.items()}


def has_storage(document: dict[str, Any]) -> bool:
    """Whether the device list names an ESS, whose live values need the storage status."""
    return any(
        isinstance(device, dict) and device.get("DEVICE_TYPE") == "Energy Storage System"
        for device in document["devices"]
    )


def fetch_site(
    host: str,
    *,
    source: str = "auto",
    password: str | None = None,
    tls: TLS | None = None,
    seconds: float = 100.0,
) -> Answer:
    """Ask the PVS once, finishing within `seconds` whatever the PVS does; log out at the end."""
    target = Target.parse(host)
    tls = tls or TLS()
    if tls.verify is False:
        # The PVS's certificate is self-signed: accepting it is the choice, not a surprise.
        urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
    client = _Client(target, tls, password, seconds)

    def work() -> Answer:
        answer = Answer()
        try:
            if source != "varserver":
                try:
                    answer.devices = client.fetch_device_list()
                except _Missing:
                    if source == "devicelist":
                        raise
            if answer.devices is None:
                answer.vars = {**client.fetch_vars(VARS_INFO), **client.fetch_vars(VARS_DEVICES)}
                return answer
            if has_storage(answer.devices):
                try:
                    answer.ess_status = client.fetch_ess_status()
                except PVSError as exc:
                    answer.warnings.append(f"storage status left out: {exc}")
            return answer
        finally:
            client.logout()

    return _within(
        seconds,
        work,
        f"the PVS at {target.base} did not finish answering within "
        f"{seconds:g} s; raise --timeout (and Telegraf's timeout) if it is just slow",
    )


def _within(seconds: float, work: Callable[[], T], late: str) -> T:
    """Run `work` in a worker thread, giving up after `seconds`: requests' own timeouts bound
    each read, not a whole answer trickled a byte at a time."""
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append((True, work()))
        except BaseException as exc:  # handed to the caller's thread
            outcome.append((False, exc))

    worker = threading.Thread(target=run, name="pvs", daemon=True)
    worker.start()
    worker.join(seconds)
    if not outcome:
        raise PVSError(late)
    ok, value = outcome[0]
    if ok:
        return value  # type: ignore[no-any-return]
    raise value
