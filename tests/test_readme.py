"""The README shows the real config, real output and the commands CI really runs."""

from __future__ import annotations

import json
import re
import shlex
import stat
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


def test_run_command_works_in_a_fresh_copy(tmp_path: Path) -> None:
    """The README's first command, as written, in a copy of the committed files without their git
    history (as a source archive gives them), under a umask that hides new files from others: it
    makes its own virtual environment, installs from the copy, prints the fixture's lines, says
    it cannot know its commit, and leaves everything readable by Telegraf's service user."""
    files = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.split(b"\0")
    for name in filter(None, files):
        target = tmp_path / name.decode()
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((ROOT / name.decode()).read_bytes())
    (tmp_path / ".venv").mkdir(mode=0o700)  # left from an earlier install under that umask
    done = subprocess.run(
        ["sh", "-c", "umask 077 && " + block("run-command").strip()],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == (ROOT / "fixtures" / "pvs6-day" / "expected.lp").read_text()
    version = subprocess.run(
        [str(tmp_path / ".venv" / "bin" / "sunpower-lp"), "--version"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert version.stdout == "sunpower-lp, version 0.0\n"
    hidden = [
        str(path.relative_to(tmp_path))
        for path in [tmp_path / ".venv", *(tmp_path / ".venv").rglob("*")]
        if not path.is_symlink()
        and (
            not path.stat().st_mode & stat.S_IROTH
            or (path.is_dir() or path.stat().st_mode & stat.S_IXUSR)
            and not path.stat().st_mode & stat.S_IXOTH
        )
    ]
    assert hidden == []


def _git(*args: str, cwd: Path) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=test", "-c", "user.email=test@example.com", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def _built_version(checkout: Path, into: Path) -> str:
    """The version a build of `checkout` gets, from the name of the wheel pip builds."""
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(into), str(checkout)],
        capture_output=True,
        check=True,
        timeout=600,
    )
    (wheel,) = into.glob("*.whl")
    wheel.unlink()
    return wheel.name.split("-")[1]


def test_the_version_changes_with_the_code(tmp_path: Path) -> None:
    """A clone without tags is 0.1.devN+g<commit>, N its commits; a tag names a release; a
    commit after it is the next development version; a copy without git history is 0.0."""
    clone = tmp_path / "clone"
    _git("clone", "-q", str(ROOT), str(clone), cwd=tmp_path)
    for tag in _git("tag", cwd=clone).split():
        _git("tag", "-d", tag, cwd=clone)
    commits, head = (
        _git("rev-list", "--count", "HEAD", cwd=clone),
        _git("rev-parse", "HEAD", cwd=clone),
    )
    untagged = _built_version(clone, tmp_path)
    match = re.fullmatch(r"0\.1\.dev(\d+)\+g([0-9a-f]{7,40})", untagged)
    assert match, untagged
    assert match.group(1) == commits and head.startswith(match.group(2))

    _git("tag", "v0.2.0", cwd=clone)
    assert _built_version(clone, tmp_path) == "0.2.0"

    (clone / "CHANGELOG.md").write_text("# Changelog\n")
    _git("commit", "-q", "-am", "A change", cwd=clone)
    changed = _built_version(clone, tmp_path)
    match = re.fullmatch(r"0\.2\.1\.dev1\+g([0-9a-f]{7,40})", changed)
    assert match, changed
    assert _git("rev-parse", "HEAD", cwd=clone).startswith(match.group(1))

    archive = tmp_path / "archive"
    archive.mkdir()
    tar = subprocess.run(["git", "archive", "HEAD"], cwd=clone, capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(archive)], input=tar.stdout, check=True)
    assert _built_version(archive, tmp_path) == "0.0"
