"""A PVS that misbehaves below HTTP: raw sockets on loopback, one scripted behaviour per path.

`http.server` always sends a well-formed status line and headers at once; a hostile or broken PVS
does not. Each behaviour gets the connected socket after the request head has been read and
writes what it likes (or nothing). Every request is recorded, with its head, for assertions.

It speaks plain HTTP only, as a proxy or port forward in front of a PVS does (HAProxy, nginx): a
TLS greeting gets `400 Bad Request` at once and the connection closed, recorded as `TLS_HELLO`.
"""

from __future__ import annotations

import socket
import threading
import time
from typing import Callable

Behaviour = Callable[[socket.socket], None]
TLS_HELLO = "(TLS handshake)"  # what paths() shows for an HTTPS request that reached it
BAD_REQUEST = b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
HANDSHAKE_FAILURE = b"\x15\x03\x03\x00\x02\x02\x28"  # a TLS server's fatal alert


class RawPVS:
    def __init__(self, behaviours: dict[str, Behaviour], tls_answer: bytes = BAD_REQUEST) -> None:
        self.behaviours = behaviours
        self.tls_answer = tls_answer  # what a TLS greeting gets
        self.heads: list[str] = []
        self.closing = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.2)
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def hostport(self) -> str:
        return f"127.0.0.1:{self.listener.getsockname()[1]}"

    def paths(self) -> list[str]:
        return [
            head if head == TLS_HELLO else head.split(" ", 2)[1]
            for head in self.heads
            if head == TLS_HELLO or head.count(" ") >= 2
        ]

    def _serve(self) -> None:
        while not self.closing.is_set():
            try:
                connection, _ = self.listener.accept()
            except OSError:
                continue
            threading.Thread(target=self._handle, args=(connection,), daemon=True).start()

    def _handle(self, connection: socket.socket) -> None:
        with connection:
            connection.settimeout(10)
            try:
                if connection.recv(1, socket.MSG_PEEK) == b"\x16":  # a TLS handshake record
                    self.heads.append(TLS_HELLO)
                    connection.sendall(self.tls_answer)
                    return
            except OSError:
                return
            while not self.closing.is_set():
                head = b""
                try:
                    while b"\r\n\r\n" not in head:
                        chunk = connection.recv(4096)
                        if not chunk:
                            return
                        head += chunk
                except OSError:
                    return
                text = head.decode("latin-1")
                self.heads.append(text)
                path = text.split(" ", 2)[1]
                behaviour = self.behaviours.get(path, not_found)
                try:
                    behaviour(connection)
                except OSError:
                    return
                if behaviour in CLOSING:
                    return

    def wait(self, seconds: float) -> bool:
        """Sleep up to `seconds`; True when the server is closing (the behaviour should stop)."""
        return self.closing.wait(seconds)

    def close(self) -> None:
        self.closing.set()
        self.listener.close()
        time.sleep(0)


def reply(status: int, body: bytes, *headers: str) -> Behaviour:
    def send(connection: socket.socket) -> None:
        head = "".join(f"{header}\r\n" for header in ("Content-Type: application/json", *headers))
        connection.sendall(
            f"HTTP/1.1 {status} X\r\n{head}Content-Length: {len(body)}\r\n\r\n".encode() + body
        )

    return send


def not_found(connection: socket.socket) -> None:
    reply(404, b'{"error":"not found"}')(connection)


def silent(server: RawPVS) -> Behaviour:
    """Accept the request and never answer."""

    def hang(connection: socket.socket) -> None:
        server.wait(60)

    CLOSING.add(hang)
    return hang


def trickle(server: RawPVS, data: bytes, every: float = 0.05) -> Behaviour:
    """Send `data` (status line and headers included) a byte at a time."""

    def drip(connection: socket.socket) -> None:
        for index in range(len(data)):
            if server.wait(every):
                return
            connection.sendall(data[index : index + 1])

    CLOSING.add(drip)
    return drip


def raw(data: bytes) -> Behaviour:
    """Send exactly these bytes and close."""

    def send(connection: socket.socket) -> None:
        connection.sendall(data)

    CLOSING.add(send)
    return send


CLOSING: set[Behaviour] = set()
