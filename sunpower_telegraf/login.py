"""The conversation with a PVS: JSON answers, and on current firmware the login and logout.

Current firmware (PVS6 2025.06+, PVS5 2025.11+) wants a login: the serial is read from an address
that needs none, `GET /auth?login` with HTTP Basic user `ssm_owner` and the serial's last five
characters (or the given password) sets a `session` cookie, and `GET /auth?logout` ends it.

Each call (a poll, one varserver read) brings its own `Call`: its deadline and its limit of
requests. A request is sent only when it, the requests it cannot do without (a login is worth
nothing without the request it is for) and the logout of a session held still fit in the call's
limit. Calls from two threads at once share nothing but the session: the login, its cookie and
the logout happen under the conversation's lock, one thread at a time, and every request in
between goes out with the cookie it read, concurrently. A session the PVS refuses (401/403) is
dropped before logging in again (a stale cookie makes even the open addresses answer 401), unless
another thread has already logged in anew since that cookie was read: then its session is used.
Each new session raises `generation`, so a client that set something on the old one (the
telemetry websocket's enable) knows to set it again.
"""

from __future__ import annotations

import contextlib
import functools
import json
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from .answer import PVSError, means_logged_out, parse_json, to_error, to_text, to_variables
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


class Call:
    """One call's own state: its deadline, its limit of requests (0: none) and the requests it
    has sent, and the time kept back for the logout while a session is held."""

    def __init__(self, seconds: float, limit: int = 0, reserve: float = 0.0) -> None:
        self.end = time.monotonic() + seconds
        self.limit = limit
        self.sent = 0
        self.reserve = reserve

    def left(self) -> float:
        return self.end - time.monotonic()


STATUS_ERRORS: dict[int, type[PVSError]] = {401: Refused, 403: Refused, 404: Missing, 400: NoData}


class Conversation:
    """Requests to one PVS, logged in where it wants it, each within its `Call`."""

    def __init__(
        self,
        transport: Transport,
        base: str,
        login_base: str,
        password: str | None,
        plain: str | None = None,
    ) -> None:
        self.transport = transport
        self.base = base
        self.login_base = login_base
        # Where to log in instead when `login_base` meets a server that speaks no TLS (a bare
        # host:port that is a plain-HTTP proxy or port forward); None: --host said https.
        self.plain = plain
        self.password = password
        # The session: its cookie, and how many sessions there have been. Changed only under
        # `lock`; read without it (one reference read).
        self.lock = threading.RLock()
        self.cookies: dict[str, str] | None = None
        self.generation = 0  # raised by each new login session
        self.logged_in = False
        self.password_from_serial = ""  # read once, for a second login when a session expires
        self.logins = 0  # login requests sent
        self.last_login: float | None = None  # time.monotonic() of the latest
        self.min_login_interval = 0.0  # seconds; a login sooner than this after the last fails

    def budget(self, call: Call) -> float:
        """The time a request of `call` may take now."""
        return call.left() - (call.reserve if self.cookies is not None else 0.0)

    def spend(self, call: Call, needed: int) -> None:
        """Go ahead only when `needed` requests, this one first, fit in what is left of the
        call's limit, besides the logout of a session held."""
        if not call.limit:
            return
        held = 1 if self.cookies is not None else 0
        if call.sent + needed + held > call.limit:
            raise OutOfRequests(f"no request left of the {call.limit}")

    def send(
        self,
        call: Call,
        url: str,
        seconds: float,
        auth: tuple[str, str] | None = None,
        cookies: dict[str, str] | None = None,
    ) -> Any:
        """One GET, counted against the call."""
        if seconds > 0:
            call.sent += 1
        return self.transport.get(url, seconds, auth=auth, cookies=cookies)

    def get_json(
        self,
        call: Call,
        path: str,
        base: str | None = None,
        seconds: float | None = None,
        cookies: dict[str, str] | None = None,
    ) -> Any:
        """One JSON document, sent with `cookies` (None: none)."""
        url = (base or self.base) + path
        self.spend(call, 1)
        reply = self.send(
            call, url, self.budget(call) if seconds is None else seconds, cookies=cookies
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

    def fetch_serial(self, call: Call, cookies: dict[str, str] | None = None) -> str:
        """The PVS serial, from either address that answers without a login."""
        why = "no serial in the answers"
        name = SERIAL_VARS.partition("=")[2]
        readers: list[tuple[str, Callable[[Any], Any]]] = [
            (SERIAL_VARS, lambda doc: (to_variables(doc) or {})[name]),
            (SUPERVISOR_INFO, lambda doc: doc["supervisor"]["SERIAL"]),
        ]
        for path, read in readers:
            self.spend(call, 4)  # this read, the login, the request it is for, the logout
            try:
                get = functools.partial(self.get_json, call, path, cookies=cookies)
                serial = read(self.at_login_base(call, get))
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

    def login(self, call: Call) -> None:
        """A new session; the caller holds `lock`."""
        self.cookies = None  # a stale session cookie makes even the open addresses answer 401
        if not self.password:
            self.password_from_serial = self.password_from_serial or self.fetch_serial(call)[-5:]
        password = self.password or self.password_from_serial
        if self.last_login is not None and self.min_login_interval > 0:
            wait = self.last_login + self.min_login_interval - time.monotonic()
            if wait > 0:
                raise TooSoon(
                    f"the PVS wants a new login, and the last one was less than "
                    f"{self.min_login_interval:g} s ago",
                    wait,
                )
        self.spend(call, 3)  # the login, the request it is for, the logout
        self.logins += 1
        self.last_login = time.monotonic()
        reply = self.at_login_base(
            call,
            lambda base: self.send(
                call, base + LOGIN, self.budget(call), auth=(LOGIN_USER, password)
            ),
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
        self.generation += 1
        self.logged_in = True

    @contextlib.contextmanager
    def locked(self, call: Call) -> Any:
        """The session to oneself, waiting no longer than the call may (another thread's login
        takes one request's time)."""
        if not self.lock.acquire(timeout=max(self.budget(call), 0.0)):
            raise Late("the PVS did not answer in time (another request was logging in)")
        try:
            yield
        finally:
            self.lock.release()

    def session(self, call: Call, stale: dict[str, str] | None = None) -> dict[str, str]:
        """The cookie of a live session: the one held, or a new login's where there is none or
        the one held is `stale` (the PVS refused it). A session another thread opened since
        `stale` was read is used as it is."""
        cookies = self.cookies
        if cookies is not None and cookies is not stale:
            return cookies
        with self.locked(call):
            if self.cookies is None or self.cookies is stale:
                self.cookies = None  # the session is gone: its cookie would spoil every request
                self.login(call)
            assert self.cookies is not None  # a login that returns has set it
            return self.cookies

    def get_json_logged_in(self, call: Call, path: str, seconds: float | None = None) -> Any:
        """GET after logging in; a session that expired mid-run gets one more login."""
        cookies = self.session(call)
        try:
            return self.at_login_base(
                call, lambda base: self.get_json(call, path, base, seconds, cookies)
            )
        except Refused:
            try:
                cookies = self.session(call, stale=cookies)
            except OutOfRequests:
                raise OutOfRequests(
                    f"the PVS refused the session, and no request is left of the {call.limit} "
                    "for another login"
                ) from None
            try:
                return self.get_json(call, path, self.login_base, seconds, cookies)
            except Refused as exc:
                raise PVSError(f"{exc}, even right after logging in") from None

    def at_login_base(self, call: Call, send: Callable[[str], T]) -> T:
        """`send(base)` to where logins go; where that meets a server that speaks no TLS and
        --host allows it, again over plain HTTP, which is then kept for good."""
        try:
            return send(self.login_base)
        except NotTLS:
            if self.plain is None or self.login_base == self.plain:
                raise
            self.login_base = self.plain
            self.spend(call, 1)
            return send(self.login_base)

    def logout(self, seconds: float) -> None:
        """End the session, if there is one, within `seconds` in all; a failure costs nothing:
        the session expires on its own within minutes."""
        if self.cookies is None or seconds <= 0.05:
            return
        call = Call(seconds)
        with contextlib.suppress(PVSError), self.locked(call):
            if self.cookies is not None:
                self.transport.get(self.login_base + LOGOUT, call.left(), cookies=self.cookies)
        self.cookies = None


def _small_json(body: bytes) -> Any:
    """The JSON document of a short error answer, or None."""
    if len(body) > 4096:
        return None
    try:
        return json.loads(to_text(body))
    except (ValueError, RecursionError):
        return None
