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


class Influxd:
    def __init__(self, binary: str, root: Path) -> None:
        self.port = free_port()
        config = root / "influxdb.conf"
        config.write_text(CONFIG.format(root=root, rpc_port=free_port(), http_port=self.port))
        self.log = open(root / "influxd.log", "wb")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(
            [binary, "-config", str(config)], stdout=self.log, stderr=subprocess.STDOUT
        )
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"influxd exited: {(root / 'influxd.log').read_text()[-2000:]}")
            try:
                if self._request("GET", "/ping")[0] == 204:
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("influxd did not answer /ping within 60 s")

    def _request(self, method: str, path: str, body: bytes | None = None) -> tuple[int, str]:
        request = urllib.request.Request(self.url + path, data=body, method=method)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

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

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()
