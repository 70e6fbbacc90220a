"""The README shows the real config, real output and the commands CI really runs."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
import sysconfig
from pathlib import Path

from sunpower_telegraf.telegraf import format_config

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def block(marker: str) -> str:
    """The fenced block right after `<!-- marker -->`."""
    match = re.search(rf"<!-- {marker} -->\n```\w*\n(.*?)```", README, re.S)
    assert match, f"README has no block marked {marker}"
    return match.group(1)


def test_config_is_the_shipped_file() -> None:
    shipped = (ROOT / "telegraf.d" / "sunpower.conf").read_text()
    assert block("telegraf-config") == shipped
    assert shipped == format_config(["/opt/sunpower-telegraf/bin/sunpower-lp"])


def test_the_installed_command_prints_its_own_config() -> None:
    script = Path(sysconfig.get_path("scripts")) / "sunpower-lp"
    done = subprocess.run(
        [str(script), "--telegraf-config", "--host", "192.168.1.50:8080"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == format_config([str(script)], {"host": "192.168.1.50:8080"})
    assert f"  commands = [{json.dumps(str(script) + ' --timeout 100')}]\n" in done.stdout
    assert '  environment = ["SUNPOWER_PVS_HOST=192.168.1.50:8080"]\n' in done.stdout


def test_example_output_is_the_golden() -> None:
    golden = (ROOT / "fixtures" / "pvs6-day" / "expected.lp").read_text()
    example = block("example-output")
    assert example and golden.startswith(example)


def test_ci_runs_the_test_command() -> None:
    command = block("test-command").strip()
    assert command in (ROOT / ".ci" / "run").read_text().splitlines()


def test_run_command_prints_the_fixture() -> None:
    install, run = block("run-command").strip().split(" && ")
    assert install == "sh scripts/venv.sh .venv ."
    args = shlex.split(run)
    assert args[0] == ".venv/bin/sunpower-lp"
    done = subprocess.run(
        [sys.executable, "-m", "sunpower_telegraf", *args[1:]],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == (ROOT / "fixtures" / "pvs6-day" / "expected.lp").read_text()


def test_run_command_works_in_a_fresh_clone(tmp_path: Path) -> None:
    """The README's first command, as written, in a fresh copy of the committed files: it makes
    its own virtual environment, installs from this checkout, and prints the fixture's lines."""
    files = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.split(b"\0")
    for name in filter(None, files):
        target = tmp_path / name.decode()
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((ROOT / name.decode()).read_bytes())
    done = subprocess.run(
        ["sh", "-c", block("run-command").strip()],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == (ROOT / "fixtures" / "pvs6-day" / "expected.lp").read_text()
