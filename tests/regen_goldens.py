"""Rewrite every fixture's golden output from its answers: python -m tests.regen_goldens"""

from __future__ import annotations

from tests.cases import GOLDEN, case_dirs, render


def main() -> None:
    for case in case_dirs():
        (case / GOLDEN).write_text(render(case))
        print(f"wrote {case.name}/{GOLDEN}")


if __name__ == "__main__":
    main()
