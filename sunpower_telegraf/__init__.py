"""Read a SunPower PVS and print its devices as InfluxDB line protocol for Telegraf."""

from __future__ import annotations


def version() -> str:
    """The version installed, as `--version` shows it: from git when it was built (the newest
    tag, or 0.1.devN+g<commit> before the first one), 0.0 when built from files without their
    git history."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("sunpower-telegraf")
    except PackageNotFoundError:
        return "unknown (not installed)"
