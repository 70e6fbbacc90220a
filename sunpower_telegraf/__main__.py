"""`sunpower-lp` and `python -m sunpower_telegraf`: the command, with garbage collection off from
the first import on.

An exec run is one short process that frees nothing it builds; collecting while click, requests
and this package are imported cost about 7 % of a run's CPU on a 600-inverter site (measured by
benchmarks/bench.py). `--follow`, which runs for months, turns collection back on.
"""

from __future__ import annotations

import gc


def main() -> None:
    gc.disable()
    from .cli import run

    run()


if __name__ == "__main__":
    main()
