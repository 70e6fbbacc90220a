from __future__ import annotations

from collections.abc import Iterator
from typing import Callable

import pytest

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
