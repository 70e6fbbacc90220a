"""How long a run may take, and how often Telegraf should start one: the one timing rule that
`--telegraf-config`'s blocks, the options' check of a block's `--interval` and `--check`'s advice
share.

sunpower-lp's `--timeout` covers a run with a slow device list (over 60 s happens on any PVS) or
three times the run `--check` measured, whichever is longer; Telegraf's `timeout` adds 20 s for
the logout and Python's start-up; the `interval` is at least twice that, in whole steps of the
PVS's own 5-minute grid of readings.
"""

from __future__ import annotations

import math
from typing import NamedTuple

SLOW_RUN = 100  # s: a whole run whose device list takes over 60 s, with the requests around it
GRID = 300  # s: the PVS refreshes device readings on a 5-minute grid
MARGIN = 20  # s: Telegraf's timeout over sunpower-lp's own: the logout and Python's start-up
MAX_RUN = 3600  # s: the longest --timeout a run accepts


class Timing(NamedTuple):
    """Telegraf's `interval` and `timeout`, and sunpower-lp's `--timeout`, in seconds."""

    interval: float
    timeout: int
    run: float


def advice(seconds: float) -> Timing:
    """The timing for a PVS whose run took `seconds`: room for a run three times as slow, and
    never less than a run with a slow device list, nor more than a run may take."""
    return to_timing(min(MAX_RUN, max(SLOW_RUN, math.ceil(3 * seconds / 10) * 10)))


def to_timing(run: float) -> Timing:
    """Telegraf's timeout and interval around a sunpower-lp `--timeout` of `run` seconds."""
    timeout = math.ceil(run) + MARGIN
    return Timing(GRID * max(1, math.ceil(2 * timeout / GRID)), timeout, run)


DEFAULT = advice(0)  # the shipped config's timing, and what --check advises a quick PVS
