"""The fixture cases: each folder under fixtures/ is one site's answers and its golden output."""

from __future__ import annotations

import json
from pathlib import Path

from sunpower_telegraf.answer import Answer
from sunpower_telegraf.lineproto import format_points
from sunpower_telegraf.report import to_report

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
GOLDEN = "expected.lp"


def case_dirs() -> list[Path]:
    """Every fixture case; `real-pvs/` holds the real captures' goldens (see realruns.py)."""
    return sorted(path for path in FIXTURES.iterdir() if path.is_dir() and path.name != "real-pvs")


def load(path: Path) -> dict:
    return json.loads(path.read_text())


def load_answer(case: Path) -> Answer:
    """The documents of one case, as the PVS would have given them in one run."""
    answer = Answer()
    if (case / "devicelist.json").exists():
        answer.devices = load(case / "devicelist.json")
    if (case / "ess_status.json").exists():
        answer.ess_status = load(case / "ess_status.json")
    if (case / "vars.json").exists():
        answer.vars = load(case / "vars.json")
    return answer


def render(case: Path) -> str:
    return format_points(to_report(load_answer(case)).points)
