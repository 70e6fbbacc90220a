"""The README shows the real config, real output and the commands CI really runs."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def block(marker: str) -> str:
    """The fenced block right after `<!-- marker -->`."""
    match = re.search(rf"<!-- {marker} -->\n```\w*\n(.*?)```", README, re.S)
    assert match, f"README has no block marked {marker}"
    return match.group(1)


def test_config_is_the_shipped_file() -> None:
    assert block("telegraf-config") == (ROOT / "telegraf.d" / "sunpower.conf").read_text()


def test_example_output_is_the_golden() -> None:
    golden = (ROOT / "fixtures" / "pvs6-day" / "expected.lp").read_text()
    example = block("example-output")
    assert example and golden.startswith(example)


def test_ci_runs_the_test_command() -> None:
    command = block("test-command").strip()
    assert command in (ROOT / ".ci" / "run").read_text().splitlines()


def test_run_command_prints_the_fixture() -> None:
    install, run = block("run-command").strip().split(" && ")
    assert install == "python3 -m pip install ."
    args = shlex.split(run)
    assert args[0] == "sunpower-lp"
    done = subprocess.run(
        [sys.executable, "-m", "sunpower_telegraf", *args[1:]],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == (ROOT / "fixtures" / "pvs6-day" / "expected.lp").read_text()
