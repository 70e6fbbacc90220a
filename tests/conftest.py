from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Callable

import pytest

from tests.influx import Influxd, find_influxd
from tests.standin import StandIn


@pytest.fixture
def standin() -> Iterator[Callable[..., StandIn]]:
    """Start loopback stand-ins for the PVS; each is closed when the test ends."""
    started: list[StandIn] = []

    def start(*args, **kwargs) -> StandIn:
        server = StandIn(*args, **kwargs)
        started.append(server)
        return server

    yield start
    for server in started:
        server.close()


@pytest.fixture(scope="session")
def influxd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Influxd]:
    """One real influxd for the session. In CI a missing influxd fails the tests, never skips."""
    binary = find_influxd()
    if binary is None:
        message = "influxd not found: install Debian's influxdb package (apt-get install influxdb)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    server = Influxd(binary, tmp_path_factory.mktemp("influxd"))
    yield server
    server.stop()
