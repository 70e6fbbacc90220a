from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Iterator
from typing import Any, Callable

import pytest
from hypothesis import settings

from tests.support.hostile import RawPVS
from tests.support.influx import Influxd, find_influxd
from tests.support.standin import Sink, StandIn

# Hypothesis profiles for the property tests (tests/test_property.py), chosen by
# HYPOTHESIS_PROFILE, else `ci` where CI is set, else `dev`:
# - `ci` is derandomized: the examples are a fixed function of each test, so a CI run is the same
#   on every machine and every push; a landing is never blocked by a draw no one can replay, and
#   1000 examples a test is enough to trust it. No database: nothing to keep between CI runs.
# - `dev` draws fresh examples on every run (300 a test, the local database replaying any failure
#   first), so local runs keep exploring beyond CI's fixed set.
# - `thorough` is for a deliberate search after changing a mapping or the encoder.
# - `mutate` is what scripts/mutate.py runs each mutant with: derandomized, so a mutant's verdict
#   is the same on every run, and fewer examples, as it runs the tests hundreds of times.
# Every profile has no deadline: a first example pays for imports and caches warming up.
settings.register_profile("ci", derandomize=True, database=None, max_examples=1000, deadline=None)
settings.register_profile("dev", max_examples=300, deadline=None)
settings.register_profile("thorough", max_examples=20_000, deadline=None)
settings.register_profile(
    "mutate", derandomize=True, database=None, max_examples=200, deadline=None
)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
)


@pytest.fixture(scope="session", autouse=True)
def default_host() -> Iterator[Sink]:
    """The PVS a run reaches when a test names none: a silent loopback port, never the real
    default address (172.27.153.1), so a run that should use --input but asks the network (a
    bug, or a mutant) asks nowhere but here. Subprocesses inherit it. Nothing may connect."""
    sink = Sink()
    before = os.environ.get("SUNPOWER_PVS_HOST")
    os.environ["SUNPOWER_PVS_HOST"] = sink.hostport
    yield sink
    if before is None:
        del os.environ["SUNPOWER_PVS_HOST"]
    else:
        os.environ["SUNPOWER_PVS_HOST"] = before
    sink.close()
    assert sink.connections == 0, "a test's run asked the default PVS address"


@pytest.fixture
def servers() -> Iterator[Callable[..., Any]]:
    """Start loopback servers, and the processes that talk to them, for one test:
    `servers(factory, *args, **kwargs)` returns `factory(*args, **kwargs)`, and each thing
    started is closed (its `close()`) when the test ends, the last started first, so a client is
    gone before the server it talks to. A close that fails still lets the others close."""
    with contextlib.ExitStack() as stack:

        def start(factory: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
            server = factory(*args, **kwargs)
            stack.callback(server.close)
            return server

        yield start


@pytest.fixture
def standin(servers: Callable[..., Any]) -> Callable[..., StandIn]:
    """Start loopback stand-ins for the PVS (tests/support/standin.py), closed when the test
    ends."""
    return functools.partial(servers, StandIn)


@pytest.fixture
def raw_pvs(servers: Callable[..., Any]) -> Callable[..., RawPVS]:
    """Start raw-socket PVSs that misbehave below HTTP (tests/support/hostile.py), closed when the
    test ends."""
    return functools.partial(servers, RawPVS)


@pytest.fixture
def sink(servers: Callable[..., Any]) -> Sink:
    """A silent loopback port for a run that must make no request; the test asserts on
    `connections`."""
    server: Sink = servers(Sink)
    return server


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
