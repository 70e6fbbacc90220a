"""Rewrite every golden: python -m tests.regen_goldens

The fixtures' `expected.lp` from their answers, and the real captures' `.lp` and `.log` under
`fixtures/real-pvs/` from `../shared/real-pvs` (tests/support/realruns.py says which runs).
"""

from __future__ import annotations

import sys

from tests.support import realruns
from tests.support.cases import GOLDEN, case_dirs, render


def main() -> None:
    for case in case_dirs():
        (case / GOLDEN).write_text(render(case))
        print(f"wrote {case.name}/{GOLDEN}")
    if not realruns.REAL.is_dir():
        sys.exit(f"the real PVS captures are not at {realruns.REAL}: their goldens are unchanged")
    for run in realruns.runs():
        realruns.write_golden(run)
        print(f"wrote real-pvs/{run.name}.lp and .log")


if __name__ == "__main__":
    main()
