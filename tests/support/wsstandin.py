"""A PVS6 on current firmware with its telemetry websocket, on loopback, for `--follow`.

HTTP is `standin.StandIn` with `CurrentFirmware`'s routes plus the varserver's `set` of
`/sys/telemetryws/enable`; the websocket is a real `websockets` server on a port of its own.
It behaves as a PVS is reported to:

- it sends `power` frames only while `/sys/telemetryws/enable` is 1 and the login session that
  set it is alive: silent while disabled, and silent once that session expires;
- frames are partial (only what changed), values numbers or strings, `nan`, `""` and `null` for
  unknown; other notifications come in between;
- it closes the socket every `close_every` frames (every ~10 minutes on a real PVS);
- `pause_at` frame numbers start a silence while enabled (steady output);
- `expire_at` frame numbers expire every login session; re-enabled with a new one, the socket
  speaks again, or with `old_sockets_stay_silent` only a socket opened after that;
- a message that is not JSON comes before frames 7, 32, 57, ...;
- `session_seconds` after its login, a session expires (as `expire_at` does to all of them);
- `overrides` give frames values of their own (odd ones: 1e308, a time in 1970, a list);
- `restart_at` frame numbers restart the PVS: every socket closed, the port refused and HTTP
  answering 503 for `restart_seconds`, then sessions gone and the websocket disabled again.

State changes only when a frame goes out, under one lock with the `/sys/livedata` answer, so the
livedata a client seeds from is exactly the state its next frame changes. Every frame sent is
recorded with the whole state after it (`sent`): what a client's line for it must say.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Container
from dataclasses import dataclass
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import serve

from tests.support.standin import CurrentFirmware, Handler, Reply, Request, StandIn, json_reply

SET_ENABLE = "/vars?set=/sys/telemetryws/enable=1"
LIVE = "/sys/livedata/"
T0 = 1751083263  # the PVS's clock at the first frame (epoch s)


@dataclass
class Sent:
    number: int
    time: int
    state: dict[str, Any]  # every /sys/livedata/ name -> its value after this frame


def frame_params(number: int) -> dict[str, Any]:
    """What changed at frame `number`: the time, and a few values in turn, as numbers and as
    strings; now and then a battery value goes unknown and comes back."""
    params: dict[str, Any] = {"time": T0 + number if number % 5 else str(T0 + number)}
    turn = number % 4
    if turn == 0:
        params["pv_p"] = f"{5.0 + number / 1000:.6f}"
        params["pv_en"] = 6351.25 + number / 100
    elif turn == 1:
        params["net_p"] = -1.5 + number / 1000
        params["net_en"] = f"{1899.5 - number / 100:.6f}"
    elif turn == 2:
        params["site_load_p"] = f"{0.75 + number / 1000:.6f}"
        params["site_load_en"] = 8037.5 + number / 100
        params["soc"] = [0.25, "0.500000", 0.75][number % 3]
    else:
        params["ess_p"] = -4.0 + number / 1000
        params["ess_en"] = f"{-212.5 + number / 100:.6f}"
        params["backupTimeRemaining"] = 600 + number
    if number % 9 == 4:
        params["ess_p"] = ["nan", "", None][number // 9 % 3]  # unknown: no battery_kw on its line
    return params


def as_varserver(value: Any) -> str:
    """A frame's value as the varserver gives it: always a string."""
    if value is None:
        return "nan"
    if isinstance(value, float):
        return f"{value:.6f}"
    return str(value)


class TelemetryPVS:
    """The HTTP stand-in and the websocket; `close()` ends both."""

    def __init__(
        self,
        serial: str,
        devices: Any,
        vars_: dict[str, Any],
        *,
        frames: int = 40,
        every: float = 0.02,
        close_every: int = 0,
        pause_at: Container[int] = (),
        pause_seconds: float = 0.0,
        expire_at: Container[int] = (),
        restart_at: Container[int] = (),
        restart_seconds: float = 0.0,
        refuse: bool = False,
        night: bool = False,
        session_seconds: float = 0.0,
        record: bool = True,
        old_sockets_stay_silent: bool = False,
        overrides: dict[int, dict[str, Any]] | None = None,
    ) -> None:
        self.firmware = CurrentFirmware(serial, devices, dict(vars_))
        self.night = night  # production 0 while set
        self.overrides = overrides or {}  # frame number -> values it carries instead
        if night:
            self.firmware.vars[LIVE + "pv_p"] = "0.000000"
        self.frames = frames
        self.every = every
        self.close_every = close_every
        self.pause_at = pause_at
        self.pause_seconds = pause_seconds
        self.expire_at = expire_at
        self.restart_at = restart_at
        self.restart_seconds = restart_seconds
        self.lock = threading.RLock()
        self.enable = "0"
        self.enabler = ""  # the session that set enable=1
        self.next_number = 0
        self.sent: list[Sent] = []
        self.quiet_until = 0.0
        self.restarting_until = 0.0
        self.connections: list[Any] = []
        self.accepted = 0
        self.closing = threading.Event()
        self.happened: set[tuple[str, int]] = set()
        self.events: list[str] = []  # "enable" and "connect", in order
        # Whether a socket opened before the latest enable stays silent (a client must then
        # reconnect after re-enabling on a new session) or speaks again.
        self.old_sockets_stay_silent = old_sockets_stay_silent
        self.enables = 0
        self.opened: dict[int, int] = {}  # connection -> enables when it opened
        self.record = record  # keep every frame's state in `sent` (a benchmark's day would not fit)
        self.session_seconds = session_seconds  # a session ends this long after its login
        self.login_times: dict[str, float] = {}
        self.body_bytes = 0  # of every HTTP answer's body
        self.frame_bytes = 0  # of every websocket message sent
        routes = self.firmware.routes()
        routes[SET_ENABLE] = self.firmware.guarded(self.set_enable)
        self.http = StandIn({path: self.restartable(handler) for path, handler in routes.items()})
        self.port = _free_port()
        self.server: Any = None
        self.server_thread: threading.Thread | None = None
        if not refuse:
            self.listen()
        self.driver = threading.Thread(target=self.drive, daemon=True)
        self.driver.start()

    # -- HTTP ------------------------------------------------------------------------------------

    @property
    def hostport(self) -> str:
        return self.http.hostport

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/"

    def paths(self) -> list[str]:
        return self.http.paths()

    def restartable(self, handler: Handler) -> Handler:
        def answer(request: Request) -> Reply:
            if time.monotonic() < self.restarting_until:
                return Reply(503, b"")
            with self.lock:
                self.expire_sessions()
                logins = self.firmware.logins
                reply = handler(request)
                if self.firmware.logins != logins:
                    self.login_times[f"s{self.firmware.logins:04d}"] = time.monotonic()
                self.body_bytes += len(reply.body)
                return reply

        return answer

    def expire_sessions(self) -> None:
        if not self.session_seconds:
            return
        now = time.monotonic()
        for token, since in list(self.login_times.items()):
            if now - since >= self.session_seconds:
                self.firmware.sessions.discard(token)
                del self.login_times[token]

    def set_enable(self, request: Request) -> Reply:
        self.events.append("enable")
        self.enables += 1
        self.enable = "1"
        self.enabler = request.cookies.get("session", "")
        name = SET_ENABLE.partition("=")[2].partition("=")[0]
        return json_reply({"values": [{"name": name, "value": "1"}], "count": 1})

    # -- the websocket ---------------------------------------------------------------------------

    def listen(self) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self.port))
        sock.listen()
        self.server = serve(self.handle, sock=sock)
        self.server_thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.server_thread.start()

    def stop_listening(self) -> None:
        if self.server is not None:
            with self.lock:
                for connection in list(self.connections):
                    connection.close(1012)
            self.server.shutdown()
            self.server = None

    def handle(self, connection: Any) -> None:
        with self.lock:
            self.events.append("connect")
            self.opened[id(connection)] = self.enables
            self.accepted += 1
            self.connections.append(connection)
        try:
            for _ in connection:
                pass  # the client sends nothing but pings, which websockets answers
        except ConnectionClosed:
            pass
        finally:
            with self.lock:
                self.connections.remove(connection)

    def sending(self) -> bool:
        self.expire_sessions()
        return (
            self.enable == "1"
            and self.enabler in self.firmware.sessions
            and time.monotonic() >= max(self.quiet_until, self.restarting_until)
        )

    def drive(self) -> None:
        """Send the frames, one every `every` seconds, to the newest connection."""
        on_connection: dict[int, int] = {}
        while not self.closing.wait(self.every):
            if self.restarting_until and time.monotonic() >= self.restarting_until:
                self.restarting_until = 0.0
                self.listen()
            with self.lock:
                if self.next_number >= self.frames or not self.connections or not self.sending():
                    continue
                number = self.next_number
                event = self.event(number)
                if event == "expire":
                    self.firmware.sessions.clear()  # the session expires: silence follows
                    continue
                if event == "pause":
                    self.quiet_until = time.monotonic() + self.pause_seconds
                    continue
                if event != "restart":
                    connection = self.connections[-1]
                    if self.old_sockets_stay_silent and self.opened[id(connection)] < self.enables:
                        continue
                    if self.send(connection, number):
                        key = id(connection)
                        on_connection[key] = on_connection.get(key, 0) + 1
                        if self.close_every and on_connection[key] % self.close_every == 0:
                            connection.close()
                    continue
            self.restart()  # outside the lock: the handlers it waits for take it

    def event(self, number: int) -> str:
        """What happens before frame `number` is sent, once."""
        for name, numbers in (
            ("expire", self.expire_at),
            ("pause", self.pause_at),
            ("restart", self.restart_at),
        ):
            if number in numbers and (name, number) not in self.happened:
                self.happened.add((name, number))
                return name
        return ""

    def send(self, connection: Any, number: int) -> bool:
        params = {**frame_params(number), **self.overrides.get(number, {})}
        if self.night and "pv_p" in params:
            params["pv_p"] = "0.000000"
        messages = [json.dumps({"notification": "power", "params": params})]
        if number % 6 == 3:
            messages.insert(0, json.dumps({"notification": "status", "params": {}}))
        if number % 25 == 7:
            messages.insert(0, "{not json")
        try:
            for message in messages:
                connection.send(message)
                self.frame_bytes += len(message)
        except ConnectionClosed:
            return False
        for name, value in params.items():
            self.firmware.vars[LIVE + name] = as_varserver(value)
        if self.record:
            self.sent.append(Sent(number, T0 + number, self.state()))
        self.next_number += 1
        return True

    def restart(self) -> None:
        """Reboot: sockets closed, port refused and HTTP 503 for a while, then a fresh PVS."""
        self.restarting_until = time.monotonic() + self.restart_seconds
        self.stop_listening()
        self.firmware.sessions.clear()
        self.enable = "0"
        self.enabler = ""

    def state(self) -> dict[str, Any]:
        return {
            key[len(LIVE) :]: value
            for key, value in self.firmware.vars.items()
            if key.startswith(LIVE)
        }

    def done(self) -> bool:
        with self.lock:
            return self.next_number >= self.frames

    def close(self) -> None:
        self.closing.set()
        self.driver.join(5)
        self.stop_listening()
        self.http.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
