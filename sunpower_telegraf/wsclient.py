"""The PVS6 telemetry websocket (`ws://PVS:9002/`): the only module that imports `websockets`.

Plain ws, no login. It is imported by `--follow` alone, so an exec run never pays for it. Works
with websockets 12 and later (the sync client): pings are sent by the caller, on its schedule,
and where websockets has its own keepalive (15+) that is turned off, as is its reading of proxy
variables: like every request to the PVS, the websocket goes through a proxy only when given one.
"""

from __future__ import annotations

import contextlib
import errno
import inspect
import socket
from typing import Any
from urllib.parse import urlsplit

from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI, WebSocketException
from websockets.sync.client import ClientConnection, connect

MAX_MESSAGE = 64 * 1024  # a power frame is a few hundred bytes
CLOSE_SECONDS = 1.0
MAX_DRAINED = 1000  # messages read after deciding to close: what a PVS sends in the meantime

_PARAMETERS = inspect.signature(connect).parameters
HAS_PROXY = "proxy" in _PARAMETERS


class Unreachable(Exception):
    """No websocket could be opened; str() says why in a few words."""


class Refused(Unreachable):
    """Nothing listens on the websocket's port (a PVS5, or firmware without the websocket)."""


class Closed(Exception):
    """The open websocket ended; str() says how."""


def port_open(url: str, seconds: float) -> bool:
    """Whether something accepts a TCP connection on the websocket's port, asking nothing."""
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "", parts.port or 80), seconds):
            return True
    except (OSError, ValueError):
        return False


class Telemetry:
    """One open websocket: messages with a time limit, pings, a bounded close."""

    def __init__(self, url: str, *, seconds: float, proxy: str | None = None) -> None:
        options: dict[str, Any] = {
            "open_timeout": seconds,
            "close_timeout": CLOSE_SECONDS,
            "max_size": MAX_MESSAGE,
            "compression": None,
            "user_agent_header": "sunpower-lp",
        }
        if "ping_interval" in _PARAMETERS:
            options["ping_interval"] = None  # pinged by the caller every 30 s
        if HAS_PROXY:
            options["proxy"] = proxy  # None: no proxy, whatever the environment says
        elif proxy:
            raise Unreachable("this websockets version cannot go through a proxy (needs 15+)")
        self.stack = contextlib.ExitStack()
        try:
            # As a context manager, as websockets 17.1 and later want it (it warns otherwise).
            self.connection: ClientConnection = self.stack.enter_context(connect(url, **options))
        except OSError as exc:
            if isinstance(exc, ConnectionRefusedError) or exc.errno == errno.ECONNREFUSED:
                raise Refused("connection refused") from None
            if isinstance(exc, (TimeoutError, socket.timeout)):
                raise Unreachable(f"no answer within {seconds:g} s") from None
            raise Unreachable((exc.strerror or type(exc).__name__).lower()) from None
        except InvalidURI:
            raise Unreachable("not a ws:// address") from None
        except InvalidHandshake as exc:
            raise Unreachable(f"the websocket handshake failed ({_short(exc)})") from None
        except (WebSocketException, EOFError) as exc:
            raise Unreachable(f"the connection failed ({_short(exc)})") from None

    def recv(self, seconds: float) -> str | bytes | None:
        """The next message, or None when none came within `seconds`."""
        try:
            return self.connection.recv(timeout=max(seconds, 0.0))
        except TimeoutError:
            return None
        except ConnectionClosed as exc:
            raise Closed(_closed(exc)) from None
        except (OSError, WebSocketException, RuntimeError) as exc:
            raise Closed(_short(exc)) from None

    def ping(self) -> None:
        """A ping; its pong is not awaited (the silence rule catches a dead connection)."""
        try:
            self.connection.ping()
        except ConnectionClosed as exc:
            raise Closed(_closed(exc)) from None
        except (OSError, WebSocketException, RuntimeError) as exc:
            raise Closed(_short(exc)) from None

    def finish(self) -> list[str | bytes]:
        """Close, and the messages that came before the PVS saw the close (with websockets
        older than 15, only those that came before the close began)."""
        messages: list[str | bytes] = []
        with contextlib.suppress(Closed):
            self._drain(messages)
        self.close()
        with contextlib.suppress(Closed):
            self._drain(messages)
        return messages

    def _drain(self, messages: list[str | bytes]) -> None:
        while len(messages) < MAX_DRAINED:
            message = self.recv(0.0)
            if message is None:
                return
            messages.append(message)

    def close(self) -> None:
        with contextlib.suppress(Exception):  # a close that fails leaves nothing to clean up
            self.stack.close()

    def __enter__(self) -> Telemetry:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _closed(exc: ConnectionClosed) -> str:
    frame = exc.rcvd
    if frame is None:
        return "the connection was lost"
    reason = f": {frame.reason[:100]}" if frame.reason else ""
    return f"closed by the PVS (code {frame.code}{reason})"


def _short(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:200]
