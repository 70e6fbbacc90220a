"""A real HTTP(S) server on loopback standing in for the PVS.

Routes map a path with its query (`/cgi-bin/dl_cgi?Command=DeviceList`) to a handler that gets the
request and returns a `Reply`; every request is recorded so tests can assert what the tool sent.
`CurrentFirmware` adds the login behaviour of 2025+ firmware on top.
"""

from __future__ import annotations

import base64
import json
import socket
import ssl
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    scheme: str = "http"

    @property
    def cookies(self) -> dict[str, str]:
        jar = {}
        for part in self.headers.get("cookie", "").split(";"):
            name, _, value = part.strip().partition("=")
            if name:
                jar[name] = value
        return jar

    @property
    def basic_auth(self) -> tuple[str, str] | None:
        scheme, _, encoded = self.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "basic":
            return None
        user, _, password = base64.b64decode(encoded).decode().partition(":")
        return user, password


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    # Send the body a byte at a time, this many seconds apart (a PVS that trickles).
    trickle: float | None = None
    # Wait this many seconds before answering at all (a PVS that hangs).
    delay: float = 0.0


def json_reply(document: Any, status: int = 200, **headers: str) -> Reply:
    return Reply(
        status, json.dumps(document).encode(), {"Content-Type": "application/json", **headers}
    )


Handler = Callable[[Request], Reply]


class _Server(ThreadingHTTPServer):
    """HTTP, and with a TLS context HTTPS too on the same port, told apart by the first byte
    (a TLS handshake starts with 0x16), as a PVS serves both on one address."""

    daemon_threads = True
    tls: ssl.SSLContext | None = None

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], (ConnectionError, ssl.SSLError)):
            return  # a client that hung up (as the tool does at its deadline) is no server fault
        super().handle_error(request, client_address)

    def finish_request(self, request: Any, client_address: Any) -> None:
        if self.tls is None:
            super().finish_request(request, client_address)
            return
        request.settimeout(10)
        try:
            if request.recv(1, socket.MSG_PEEK) != b"\x16":
                request.settimeout(None)
                super().finish_request(request, client_address)
                return
            wrapped = self.tls.wrap_socket(request, server_side=True)
        except (OSError, ssl.SSLError):
            return  # a client that gave up, or refused our certificate
        with wrapped:  # the wrapped socket owns the connection now
            wrapped.settimeout(None)
            super().finish_request(wrapped, client_address)


class StandIn:
    """Serve `routes` on 127.0.0.1 (HTTPS when given a server SSL context) until closed."""

    def __init__(self, routes: dict[str, Handler] | None = None, tls: ssl.SSLContext | None = None):
        self.routes: dict[str, Handler] = dict(routes or {})
        self.requests: list[Request] = []
        self.closing = threading.Event()
        standin = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out as they are written, as a PVS's web server sends them;
            # with Nagle's algorithm each answer after the first waits for a delayed ACK.
            disable_nagle_algorithm = True

            def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
                scheme = "https" if isinstance(self.connection, ssl.SSLSocket) else "http"
                headers = {k.lower(): v for k, v in self.headers.items()}
                request = Request(self.path, headers, scheme)
                standin.requests.append(request)
                handler = standin.routes.get(self.path)
                reply = handler(request) if handler else Reply(404, b'{"error":"not found"}')
                if reply.delay and standin.closing.wait(reply.delay):
                    return
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                try:
                    if reply.trickle is None:
                        self.wfile.write(reply.body)
                        return
                    for index in range(len(reply.body)):
                        if standin.closing.wait(reply.trickle):
                            return
                        self.wfile.write(reply.body[index : index + 1])
                        self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
                    pass  # the client gave up, as it should

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = _Server(("127.0.0.1", 0), _Handler)
        self.server.tls = tls
        self.scheme = "https" if tls else "http"
        # serve_forever looks at its shutdown flag only between polls; at the default 0.5 s
        # every test would wait that long in teardown for nothing.
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self.thread.start()

    @property
    def hostport(self) -> str:
        return f"127.0.0.1:{self.server.server_address[1]}"

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.hostport}"

    def paths(self) -> list[str]:
        return [request.path for request in self.requests]

    def close(self) -> None:
        self.closing.set()
        self.server.shutdown()
        self.server.server_close()
        time.sleep(0)


class Sink:
    """A loopback port that accepts connections and never answers: where a test points a run that
    must make no request, so that a request is seen (`connections`) instead of going anywhere."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.05)
        self.connections = 0
        self.accepted: list[socket.socket] = []
        self.closing = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    @property
    def hostport(self) -> str:
        return f"127.0.0.1:{self.listener.getsockname()[1]}"

    def _accept(self) -> None:
        while not self.closing.is_set():
            try:
                connection, _ = self.listener.accept()
            except (socket.timeout, OSError):
                continue
            self.connections += 1
            self.accepted.append(connection)  # held open, silent: a request hangs, as it should

    def close(self) -> None:
        self.closing.set()
        self.thread.join()
        self.listener.close()
        for connection in self.accepted:
            connection.close()


DEVICE_LIST = "/cgi-bin/dl_cgi?Command=DeviceList"
VARS_PREFIXES = [
    "/sys/devices/",
    "/sys/info/",
    "/sys/livedata/",
    "/sys/devices/ess/",
    "/sys/devices/transfer_switch/",
]


class CurrentFirmware:
    """Routes of 2025+ firmware: DeviceList refused, serial open, login, cookie-guarded data."""

    def __init__(self, serial: str, devices: Any = None, vars_: dict[str, Any] | None = None):
        self.serial = serial
        self.password = serial[-5:]
        self.devices = devices
        self.vars = vars_ or {}
        self.sessions: set[str] = set()
        self.logins = 0
        self.logouts = 0
        # How many guarded requests find their session already expired (as after ~5 minutes).
        self.expire_next = 0

    def routes(self) -> dict[str, Handler]:
        return {
            DEVICE_LIST: lambda r: json_reply({"status": 403, "error": "Unauthorized"}, 403),
            "/vars?name=/sys/info/serialnum": lambda r: json_reply(
                {"count": 1, "values": [{"name": "/sys/info/serialnum", "value": self.serial}]}
            ),
            "/auth?login": self.login,
            "/auth?logout": self.logout,
            "/cgi-bin/dl_cgi/devices/list": self.guarded(lambda r: json_reply(self.devices)),
            **{
                f"/vars?match={prefix}&fmt=obj": self.guarded(self.matcher(prefix))
                for prefix in VARS_PREFIXES
            },
        }

    def matcher(self, prefix: str) -> Handler:
        return lambda request: self.match(prefix)

    def login(self, request: Request) -> Reply:
        if request.basic_auth != ("ssm_owner", self.password):
            return json_reply({"status": 401, "error": "Unauthorized"}, 401)
        self.logins += 1
        token = f"s{self.logins:04d}"
        self.sessions.add(token)
        return json_reply({"status": "ok"}, **{"Set-Cookie": f"session={token}; Path=/; HttpOnly"})

    def logout(self, request: Request) -> Reply:
        self.sessions.discard(request.cookies.get("session", ""))
        self.logouts += 1
        return json_reply({"status": "ok"})

    def guarded(self, handler: Handler) -> Handler:
        def check(request: Request) -> Reply:
            if self.expire_next > 0:
                self.expire_next -= 1
                self.sessions.clear()
            if request.cookies.get("session") not in self.sessions:
                return json_reply({"status": 403, "error": "Unauthorized"}, 403)
            return handler(request)

        return check

    def match(self, prefix: str) -> Reply:
        found = {key: value for key, value in self.vars.items() if key.startswith(prefix)}
        if not found:
            return json_reply({"status": 400, "error": "no such path"}, 400)
        return json_reply(found)
