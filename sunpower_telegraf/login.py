"""The conversation with a PVS: JSON answers, and on current firmware the login and logout.

Current firmware (PVS6 2025.06+, PVS5 2025.11+) wants a login: the serial is read from an address
that needs none, `GET /auth?login` with HTTP Basic user `ssm_owner` and the serial's last five
characters (or the given password) sets a `session` cookie, and `GET /auth?logout` ends it.

Requests are counted against a limit (`begin`): each is sent only when it, the requests it
cannot do without (a login is worth nothing without the request it is for) and the logout of a
session held still fit. A session the PVS refuses (401/403) is dropped before logging in again:
a stale cookie makes even the open addresses answer 401.
"""

from __future__ import annotations

import contextlib
import functools
import json
import time
from collections.abc import Callable
from typing import Any, TypeVar

from .answer import PVSError, means_logged_out, parse_json, to_error, to_text
from .transport import Late, NotTLS, Transport, Unreachable

LOGIN_USER = "ssm_owner"
SERIAL_VARS = "/vars?name=/sys/info/serialnum"
SUPERVISOR_INFO = "/cgi-bin/dl_cgi/supervisor/info"
LOGIN = "/auth?login"
LOGOUT = "/auth?logout"


class Refused(PVSError):
    """The PVS answered 401 or 403."""


class LoginRefused(PVSError):
    """The PVS refused the login's password (HTTP 401/403 to the login itself)."""


class Missing(PVSError):
    """The PVS answered 404: this firmware has no such endpoint."""


class NoData(PVSError):
    """The varserver answered 400: no variable matches the path (no inverters at night)."""


class OutOfRequests(PVSError):
    """The request would pass the limit of requests (the logout's place included)."""


class TooSoon(PVSError):
    """A login is needed, but the last one was less than `min_login_interval` ago."""

    def __init__(self, message: str, wait: float) -> None:
        super().__init__(message)
        self.wait = wait


T = TypeVar("T")

STATUS_ERRORS: dict[int, type[PVSError]] = {401: Refused, 403: Refused, 404: Missing, 400: NoData}


class Conversation:
    """Requests to one PVS, logged in where it wants it. `budget()` gives each request its time."""

    def __init__(
        self,
        transport: Transport,
        base: str,
        login_base: str,
        password: str | None,
        budget: Callable[[], float],
        plain: str | None = None,
    ) -> None:
        self.transport = transport
        self.base = base
        self.login_base = login_base
        # Where to log in instead when `login_base` meets a server that speaks no TLS (a bare
        # host:port that is a plain-HTTP proxy or port forward); None: --host said https.
        self.plain = plain
        self.password = password
        self.budget = budget
        self.cookies: dict[str, str] | None = None
        self.logged_in = False
        self.password_from_serial = ""  # read once, for a second login when a session expires
        self.logins = 0  # login requests sent
        self.last_login: float | None = None  # time.monotonic() of the latest
        self.min_login_interval = 0.0  # seconds; a login sooner than this after the last fails
        self.limit = 0  # requests allowed since `begin`; 0: no limit
        self.start = 0

    def begin(self, limit: int) -> None:
        """Count the requests from now on against `limit` (a run's, a poll's)."""
        self.limit = limit
        self.start = self.transport.sent

    def spend(self, needed: int) -> None:
        """Go ahead only when `needed` requests, this one first, fit in what is left, besides the
        logout of a session held."""
        if not self.limit:
            return
        held = 1 if self.cookies is not None else 0
        if self.transport.sent - self.start + needed + held > self.limit:
            raise OutOfRequests(f"no request left of the {self.limit}")

    def get_json(self, path: str, base: str | None = None, seconds: float | None = None) -> Any:
        url = (base or self.base) + path
        self.spend(1)
        reply = self.transport.get(
            url, self.budget() if seconds is None else seconds, cookies=self.cookies
        )
        if reply.status != 200:
            error = STATUS_ERRORS.get(reply.status, PVSError)
            message = f"the PVS answered HTTP {reply.status} to {url}"
            document = _small_json(reply.body)
            problem = to_error(document)
            if problem is not None and error not in (Refused, Missing):
                message += f": {problem}"
                if means_logged_out(document):
                    error = Refused  # a 400 "no session" is the session gone, not missing data
            raise error(message)
        document = parse_json(reply.body, url, reply.content_type)
        problem = to_error(document)
        if problem is not None:
            # An error report in a 200 answer is no data; saying the session is gone, it is one.
            error = Refused if means_logged_out(document) else PVSError
            raise error(f"the PVS answered {url} with an error: {problem}")
        return document

    def fetch_serial(self) -> str:
        """The PVS serial, from either address that answers without a login."""
        why = "no serial in the answers"
        readers: list[tuple[str, Callable[[Any], Any]]] = [
            (SERIAL_VARS, lambda doc: doc["values"][0]["value"]),
            (SUPERVISOR_INFO, lambda doc: doc["supervisor"]["SERIAL"]),
        ]
        for path, read in readers:
            self.spend(4)  # this read, the login, the request it is for, the logout
            try:
                serial = read(self.at_login_base(functools.partial(self.get_json, path)))
            except (Late, Unreachable):
                raise  # no answer at all: no password would help
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
        self.cookies = None  # a stale session cookie makes even the open addresses answer 401
        if not self.password:
            self.password_from_serial = self.password_from_serial or self.fetch_serial()[-5:]
        password = self.password or self.password_from_serial
        if self.last_login is not None and self.min_login_interval > 0:
            wait = self.last_login + self.min_login_interval - time.monotonic()
            if wait > 0:
                raise TooSoon(
                    f"the PVS wants a new login, and the last one was less than "
                    f"{self.min_login_interval:g} s ago",
                    wait,
                )
        self.spend(3)  # the login, the request it is for, the logout
        self.logins += 1
        self.last_login = time.monotonic()
        reply = self.at_login_base(
            lambda base: self.transport.get(
                base + LOGIN, self.budget(), auth=(LOGIN_USER, password)
            )
        )
        url = self.login_base + LOGIN
        if reply.status in (401, 403):
            source = "the given password" if self.password else "the end of its serial"
            raise LoginRefused(
                f"this PVS wants a login and refused {LOGIN_USER} with {source} "
                f"(HTTP {reply.status}); set SUNPOWER_PVS_PASSWORD to the right password"
            )
        if reply.status == 404:
            raise PVSError(
                f"the PVS wants a login but has no login endpoint ({url} answered 404); "
                "check --host points at the PVS itself"
            )
        if reply.status != 200:
            raise PVSError(f"the PVS answered HTTP {reply.status} to the login at {url}")
        if not reply.cookies:
            raise PVSError(f"the login at {url} answered without a session cookie")
        self.cookies = reply.cookies
        self.logged_in = True

    def get_json_logged_in(self, path: str, seconds: float | None = None) -> Any:
        """GET after logging in; a session that expired mid-run gets one more login."""
        if self.cookies is None:
            self.login()
        try:
            return self.at_login_base(lambda base: self.get_json(path, base, seconds))
        except Refused:
            self.cookies = None  # the session is gone: its cookie would spoil every request
            try:
                self.login()
            except OutOfRequests:
                raise OutOfRequests(
                    f"the PVS refused the session, and no request is left of the {self.limit} "
                    "for another login"
                ) from None
            try:
                return self.get_json(path, self.login_base, seconds)
            except Refused as exc:
                raise PVSError(f"{exc}, even right after logging in") from None

    def at_login_base(self, send: Callable[[str], T]) -> T:
        """`send(base)` to where logins go; where that meets a server that speaks no TLS and
        --host allows it, again over plain HTTP, which is then kept for good."""
        try:
            return send(self.login_base)
        except NotTLS:
            if self.plain is None or self.login_base == self.plain:
                raise
            self.login_base = self.plain
            self.spend(1)
            return send(self.login_base)

    def logout(self, seconds: float) -> None:
        """End the session, if there is one, within `seconds` in all; a failure costs nothing:
        the session expires on its own within minutes."""
        if self.cookies is None or seconds <= 0.05:
            return
        with contextlib.suppress(PVSError):
            self.transport.get(self.login_base + LOGOUT, seconds, cookies=self.cookies)
        self.cookies = None


def _small_json(body: bytes) -> Any:
    """The JSON document of a short error answer, or None."""
    if len(body) > 4096:
        return None
    try:
        return json.loads(to_text(body))
    except (ValueError, RecursionError):
        return None
