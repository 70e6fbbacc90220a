"""Every fixture case gives exactly its golden output (rewrite with `python -m tests.regen_goldens`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from sunpower_telegraf.cli import main
from tests.support.cases import GOLDEN, case_dirs, render

CASES = case_dirs()
# Cases whose whole answer is one device list, which --input can read as the PVS would send it.
DEVICE_LIST_CASES = [
    case for case in CASES if [p.name for p in case.glob("*.json")] == ["devicelist.json"]
]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_golden(case: Path) -> None:
    assert render(case) == (case / GOLDEN).read_text()


@pytest.mark.parametrize("case", DEVICE_LIST_CASES, ids=[c.name for c in DEVICE_LIST_CASES])
def test_cli_input_matches_golden_device_lines(case: Path) -> None:
    result = CliRunner().invoke(main, ["--input", str(case / "devicelist.json")])
    assert result.exit_code == 0, result.output
    assert result.stdout == (case / GOLDEN).read_text()


def test_fixture_cases_exist() -> None:
    names = {case.name for case in CASES}
    assert {"pvs6-day", "pvs6-night", "pvs5-2019", "storage-charging"} <= names
