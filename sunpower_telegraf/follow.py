"""`sunpower-lp --follow`: one long-running process for Telegraf's `[[inputs.execd]]`."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .cli import Reach
    from .report import Options


def run_follow(reach: Reach, options: Options, *, interval: float, quiet_at_night: bool) -> None:
    """Print line protocol as data arrives until standard input closes or a signal ends it."""
    raise SystemExit("sunpower-lp: error: --follow is not built yet")
