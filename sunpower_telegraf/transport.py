"""HTTP to the PVS: the only module that imports requests.

Each request is bounded in its whole duration, not each read: it runs in a worker thread that the
caller waits on for its budget, so a PVS that trickles a byte at a time, or never answers, costs
that budget and no more. Requests go to the PVS and nowhere else: proxy variables, `~/.netrc` and
`REQUESTS_CA_BUNDLE` are not read (`trust_env` off; a proxy is used only when given explicitly),
redirects are not followed, and no cookie is kept except the session the login hands back.
"""

from __future__ import annotations

import base64
import http.client
import http.cookiejar
import re
import socket
import ssl
import threading
import time
from collections import deque
from typing import Any, NamedTuple

import requests
import urllib3
from requests.adapters import HTTPAdapter

from .answer import PVSError

CONNECT_TIMEOUT = 10.0  # a PVS on the LAN accepts at once; a long wait means a wrong address
MAX_BODY = 8 * 1024 * 1024  # a 2,000-inverter answer is under 2 MiB
CHUNK = 65536
LOG_SIZE = 64  # requests kept for a person to read; a long-running process must not grow it


class Late(PVSError):
    """A request did not finish within its budget."""


class Unreachable(PVSError):
    """No answer came: the connection failed (refused, reset, not HTTP, TLS failed)."""


class NotTLS(Unreachable):
    """The TLS handshake met a server that does not speak TLS, such as a plain-HTTP proxy or
    port forward answering an HTTPS request."""


# OpenSSL's reasons when what came back to a TLS greeting is no TLS (an HTTP 400, say).
_NOT_TLS = {"WRONG_VERSION_NUMBER", "RECORD_LAYER_FAILURE", "PACKET_LENGTH_TOO_LONG"}


class TLS(NamedTuple):
    """How the PVS's certificate is checked: accepted (default), a CA file, or a pinned SHA-256."""

    ca_file: str | None = None
    fingerprint: str | None = None

    @property
    def checks(self) -> str:
        """The options that check the certificate, as a user gave them ("" for none)."""
        given = [
            name
            for name, value in (("--ca-file", self.ca_file), ("--fingerprint", self.fingerprint))
            if value
        ]
        return " and ".join(given)

    @property
    def verify(self) -> bool | str:
        return self.ca_file if self.ca_file else False

    def context(self) -> ssl.SSLContext:
        """A ready context: urllib3 then skips loading the system's CA store for each session,
        which would cost more than the whole TLS handshake with a PVS whose certificate is
        accepted as it is."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        if not self.ca_file:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        return context


class Reply(NamedTuple):
    status: int
    body: bytes
    content_type: str
    cookies: dict[str, str]


class Exchange(NamedTuple):
    """One request as a person debugging the setup wants to see it."""

    url: str
    outcome: str  # "HTTP 200", or why there was no answer
    seconds: float


class _Adapter(HTTPAdapter):
    def __init__(self, context: ssl.SSLContext | None, fingerprint: str | None) -> None:
        self._context = context
        self._fingerprint = fingerprint
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["ssl_context"] = self._context
        if self._fingerprint:
            kwargs["assert_fingerprint"] = self._fingerprint
        super().init_poolmanager(*args, **kwargs)


class _NoTLSYet(HTTPAdapter):
    """Where the HTTPS adapter goes until the first HTTPS request mounts it (`Transport._https`);
    a request that reaches this one is a bug, never a request sent without the run's TLS rules."""

    def send(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("an HTTPS request before its adapter was mounted")


class _NoCookies(http.cookiejar.DefaultCookiePolicy):
    def set_ok(self, cookie: Any, request: Any) -> bool:
        return False


class Transport:
    """GETs to the PVS, each within a budget. The latest requests are logged in `exchanges`;
    `sent` counts every request ever sent.

    Threads may send at once: each calling thread has its own `requests.Session` and so its own
    connections (requests does not promise a session is safe to share), and the counters are
    kept under a lock."""

    def __init__(self, tls: TLS, proxy: str | None = None) -> None:
        self.tls = tls
        if tls.verify is False:
            # The PVS's certificate is self-signed: accepting it is the choice, not a surprise.
            urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
        self.proxy = proxy
        self._context: ssl.SSLContext | None = None  # made for the first HTTPS request
        self.local = threading.local()
        self.lock = threading.Lock()
        self.session = self._session()  # the first thread's, made now: the cost of starting
        self.exchanges: deque[Exchange] = deque(maxlen=LOG_SIZE)
        self.sent = 0

    def _session(self) -> requests.Session:
        """The calling thread's session, made on its first request."""
        session: requests.Session | None = getattr(self.local, "session", None)
        if session is not None:
            return session
        session = requests.Session()
        session.trust_env = False
        session.cookies.set_policy(_NoCookies())
        session.headers["User-Agent"] = "sunpower-lp"
        if self.proxy:
            session.proxies = {"http": self.proxy, "https": self.proxy}
        # Plain HTTP needs no TLS context; HTTPS gets its adapter at the first HTTPS request
        # (`_https`), so a legacy run over HTTP never pays for making one.
        session.mount("http://", _Adapter(None, None))
        session.mount("https://", _NoTLSYet())
        self.local.session = session
        return session

    def _https(self, session: requests.Session) -> None:
        """Mount the HTTPS adapter of the calling thread's session, once."""
        if isinstance(session.get_adapter("https://"), _NoTLSYet):
            with self.lock:
                if self._context is None:
                    self._context = self.tls.context()
                context = self._context
            session.mount("https://", _Adapter(context, self.tls.fingerprint))

    def get(
        self,
        url: str,
        seconds: float,
        auth: tuple[str, str] | None = None,
        cookies: dict[str, str] | None = None,
    ) -> Reply:
        """Status, body, content type and new cookies of one GET, within `seconds` in all."""
        if seconds <= 0:
            self.exchanges.append(Exchange(url, "not sent: no time left", 0.0))
            raise Late(f"the PVS did not answer in time ({url})")
        with self.lock:
            self.sent += 1
        session = self._session()
        if url[:6].lower() == "https:":
            self._https(session)
        outcome: list[Any] = []
        cancelled = threading.Event()

        def run() -> None:
            try:
                outcome.append(self._get(session, url, seconds, auth, cookies, cancelled))
            except BaseException as exc:  # handed to the caller's thread
                outcome.append(exc)

        start = time.monotonic()
        worker = threading.Thread(target=run, name="pvs-request", daemon=True)
        worker.start()
        worker.join(seconds)
        elapsed = time.monotonic() - start
        if not outcome:
            cancelled.set()  # the worker stops reading at its next chunk
            self.exchanges.append(
                Exchange(url, f"no complete answer within {seconds:g} s", elapsed)
            )
            raise Late(f"the PVS did not answer in time ({url})")
        result = outcome[0]
        if isinstance(result, BaseException):
            self.exchanges.append(Exchange(url, _outcome(result, url), elapsed))
            raise result
        self.exchanges.append(Exchange(url, f"HTTP {result.status}", elapsed))
        return result  # type: ignore[no-any-return]

    def _get(
        self,
        session: requests.Session,
        url: str,
        seconds: float,
        auth: tuple[str, str] | None,
        cookies: dict[str, str] | None,
        cancelled: threading.Event,
    ) -> Reply:
        headers = {}
        if auth:
            # UTF-8: requests would encode the password as Latin-1 and fail outside it.
            token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode("utf-8", "replace"))
            headers["Authorization"] = "Basic " + token.decode("ascii")
        try:
            # verify= on every request: with trust_env off nothing overrides it, but say it here.
            with session.get(
                url,
                headers=headers,
                cookies=cookies,
                verify=self.tls.verify,
                timeout=(min(CONNECT_TIMEOUT, seconds), seconds),
                stream=True,
                allow_redirects=False,
            ) as response:
                body = bytearray()
                for chunk in response.iter_content(CHUNK):
                    if cancelled.is_set():
                        raise Late(f"the PVS did not answer in time ({url})")
                    body += chunk
                    if len(body) > MAX_BODY:
                        raise PVSError(
                            f"the answer from {url} is larger than {MAX_BODY // 2**20} MiB: "
                            "no PVS sends that much; check --host"
                        )
                return Reply(
                    response.status_code,
                    bytes(body),
                    response.headers.get("Content-Type", ""),
                    {name: value or "" for name, value in response.cookies.get_dict().items()},
                )
        except requests.exceptions.SSLError as exc:
            if _is_not_tls(exc):
                plain = "http://" + url.split("://", 1)[-1].split("/", 1)[0]
                raise NotTLS(
                    f"the TLS connection to {url} failed: {_reason(exc)} (what answers there "
                    f"speaks no HTTPS: a plain-HTTP proxy or port forward?); give --host as {plain}"
                ) from None
            checks = self.tls.checks
            raise Unreachable(
                f"the TLS connection to {url} failed: {_reason(exc)}; "
                + (f"check {checks}" if checks else "check --host")
            ) from None
        except requests.exceptions.ConnectTimeout:
            raise Unreachable(
                f"cannot reach the PVS at {url}: no answer to connecting within "
                f"{min(CONNECT_TIMEOUT, seconds):g} s; check --host and that this machine can "
                "reach the PVS"
            ) from None
        except requests.exceptions.Timeout:
            raise Late(f"the PVS did not answer in time ({url})") from None
        except requests.exceptions.RequestException as exc:
            raise Unreachable(
                f"cannot reach the PVS at {url}: {_reason(exc)}; check --host and that this "
                "machine can reach the PVS"
            ) from None
        except (UnicodeError, ValueError, OSError) as exc:
            # A header or cookie the PVS garbled, or a socket error outside requests' wrapping.
            raise PVSError(
                f"the PVS sent {url} an answer that cannot be read: {type(exc).__name__}"
            ) from None


def _outcome(exc: BaseException, url: str) -> str:
    """Why a request got no answer, in a few words: the reason in its message."""
    text = str(exc) if isinstance(exc, PVSError) else type(exc).__name__
    for before in (f"{url}: ", f"{url} failed: "):
        _, found, reason = text.partition(before)
        if found:
            return reason.split("; ")[0][:200]
    return text[:200]


def _is_not_tls(exc: BaseException) -> bool:
    """Whether an SSL error says the other side answered with something that is no TLS."""
    return any(
        isinstance(current, ssl.SSLError) and current.reason in _NOT_TLS for current in _causes(exc)
    )


def _causes(exc: BaseException) -> list[BaseException]:
    """An exception and every exception it wraps, each once."""
    seen: list[BaseException] = []
    todo = [exc]
    while todo and len(seen) <= 50:
        current = todo.pop(0)
        if any(current is known for known in seen):
            continue
        seen.append(current)
        todo.extend(arg for arg in current.args if isinstance(arg, BaseException))
        for linked in (current.__cause__, current.__context__, getattr(current, "reason", None)):
            if isinstance(linked, BaseException):
                todo.append(linked)
    return seen


def _reason(exc: BaseException) -> str:
    """The innermost cause of a connection failure, in a few words."""
    for current in _causes(exc):
        if isinstance(current, ConnectionRefusedError):
            return "connection refused"
        if isinstance(current, http.client.RemoteDisconnected):
            return "it closed the connection without answering"
        if isinstance(current, http.client.BadStatusLine):
            return "what it sent is not HTTP"
        if isinstance(current, http.client.IncompleteRead):
            partial = current.partial  # the bytes read, or (urllib3) how many
            count = partial if isinstance(partial, int) else len(partial)
            return f"the answer was cut off after {count} bytes"
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
    return type(exc).__name__
