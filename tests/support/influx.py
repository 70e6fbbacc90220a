"""A real InfluxDB 1.x (`influxd` from Debian's influxdb package) on loopback in a temp dir."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

CONFIG = """\
reporting-disabled = true
bind-address = "127.0.0.1:{rpc_port}"
[meta]
  dir = "{root}/meta"
[data]
  dir = "{root}/data"
  wal-dir = "{root}/wal"
  query-log-enabled = false
[http]
  bind-address = "127.0.0.1:{http_port}"
  log-enabled = false
[monitor]
  store-enabled = false
[continuous_queries]
  enabled = false
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def find_influxd() -> str | None:
    return shutil.which("influxd") or next(
        (path for path in ("/usr/bin/influxd", "/usr/sbin/influxd") if os.path.exists(path)), None
    )


class LoopbackServer:
    """A server process answering HTTP at `url` on loopback, its output in `root/<name>.log`,
    until stopped; ready once `health` (a path and its status) answers."""

    def __init__(
        self, name: str, argv: list[str], root: Path, url: str, health: tuple[str, int]
    ) -> None:
        self.url = url
        log_path = root / f"{name}.log"
        self.log = open(log_path, "wb")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(argv, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{name} exited: {log_path.read_text()[-2000:]}")
            try:
                if self._request("GET", health[0])[0] == health[1]:
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"{name} did not answer {health[0]} within 60 s")

    def _request(self, method: str, path: str, body: bytes | None = None) -> tuple[int, str]:
        request = urllib.request.Request(self.url + path, data=body, method=method)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


class Influxd(LoopbackServer):
    def __init__(self, binary: str, root: Path) -> None:
        self.port = free_port()
        config = root / "influxdb.conf"
        config.write_text(CONFIG.format(root=root, rpc_port=free_port(), http_port=self.port))
        url = f"http://127.0.0.1:{self.port}"
        super().__init__("influxd", [binary, "-config", str(config)], root, url, ("/ping", 204))

    def query(self, database: str, q: str) -> list[dict[str, Any]]:
        """The series of one InfluxQL statement's result."""
        params = urllib.parse.urlencode({"db": database, "q": q, "epoch": "ns"})
        status, body = self._request("POST", f"/query?{params}")
        result = json.loads(body)["results"][0]
        if status != 200 or "error" in result:
            raise AssertionError(f"{q}: {status} {body}")
        return list(result.get("series", []))

    def create(self, database: str) -> None:
        self.query(database, f'CREATE DATABASE "{database}"')

    def write(self, database: str, lines: str) -> tuple[int, str]:
        return self._request("POST", f"/write?db={database}&precision=ns", lines.encode())
