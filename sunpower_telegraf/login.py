"""The conversation with a PVS: JSON answers, and on current firmware the login and logout.

Current firmware (PVS6 2025.06+, PVS5 2025.11+) wants a login: the serial is read from an address
that needs none, `GET /auth?login` with HTTP Basic user `ssm_owner` and the serial's last five
characters (or the given password) sets a `session` cookie, and `GET /auth?logout` ends it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from .answer import PVSError, parse_json
from .transport import Late, Transport

LOGIN_USER = "ssm_owner"
SERIAL_VARS = "/vars?name=/sys/info/serialnum"
SUPERVISOR_INFO = "/cgi-bin/dl_cgi/supervisor/info"
LOGIN = "/auth?login"
LOGOUT = "/auth?logout"


class Refused(PVSError):
    """The PVS answered 401 or 403."""


class Missing(PVSError):
    """The PVS answered 404: this firmware has no such endpoint."""


class NoData(PVSError):
    """The varserver answered 400: no variable matches the path (no inverters at night)."""


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
    ) -> None:
        self.transport = transport
        self.base = base
        self.login_base = login_base
        self.password = password
        self.budget = budget
        self.cookies: dict[str, str] | None = None
        self.logged_in = False
        self.password_from_serial = ""  # read once, for a second login when a session expires

    def get_json(self, path: str, base: str | None = None, seconds: float | None = None) -> Any:
        url = (base or self.base) + path
        reply = self.transport.get(
            url, self.budget() if seconds is None else seconds, cookies=self.cookies
        )
        if reply.status != 200:
            error = STATUS_ERRORS.get(reply.status, PVSError)
            raise error(f"the PVS answered HTTP {reply.status} to {url}")
        return parse_json(reply.body, url, reply.content_type)

    def fetch_serial(self) -> str:
        """The PVS serial, from either address that answers without a login."""
        why = "no serial in the answers"
        readers: list[tuple[str, Callable[[Any], Any]]] = [
            (SERIAL_VARS, lambda doc: doc["values"][0]["value"]),
            (SUPERVISOR_INFO, lambda doc: doc["supervisor"]["SERIAL"]),
        ]
        for path, read in readers:
            try:
                serial = read(self.get_json(path, self.login_base))
            except Late:
                raise
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
        if not self.password:
            self.password_from_serial = self.password_from_serial or self.fetch_serial()[-5:]
        password = self.password or self.password_from_serial
        url = self.login_base + LOGIN
        self.cookies = None  # a stale session cookie makes even the open addresses answer 401
        reply = self.transport.get(url, self.budget(), auth=(LOGIN_USER, password))
        if reply.status in (401, 403):
            source = "the given password" if self.password else "the end of its serial"
            raise PVSError(
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
            return self.get_json(path, self.login_base, seconds)
        except Refused:
            self.login()
            try:
                return self.get_json(path, self.login_base, seconds)
            except Refused as exc:
                raise PVSError(f"{exc}, even right after logging in") from None

    def logout(self, seconds: float) -> None:
        """End the session, if there is one, within `seconds` in all; a failure costs nothing:
        the session expires on its own within minutes."""
        if self.cookies is None or seconds <= 0.05:
            return
        with contextlib.suppress(PVSError):
            self.transport.get(self.login_base + LOGOUT, seconds, cookies=self.cookies)
        self.cookies = None
