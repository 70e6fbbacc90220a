"""The README and the docs show the real config, real output and commands that really work.

Every `sh` block in them is marked in the Markdown source (`<!-- marker -->` on the line before):
a marker named here is run by a test below, as written but for the paths and addresses this
machine has (a temp dir for /opt and /etc, the loopback PVS for yours, no sudo, no systemctl);
`<!-- not run: why -->` says why a block cannot run here. Every TOML block parses as Telegraf
would read it, and the InfluxDB 1.x set-up and output are checked against a real influxd.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import stat
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from sunpower_telegraf.telegraf import format_config
from tests.support.cases import FIXTURES, GOLDEN
from tests.support.influx import Influxd
from tests.support.pages import ROOT, block, blocks, tomllib
from tests.support.standin import DEVICE_LIST, Reply

README = (ROOT / "README.md").read_text()
# The pages this project writes its blocks into; each command block in them is run or says why not.
PAGES = [
    "README.md",
    "docs/design.md",
    "docs/development.md",
    "docs/stores.md",
    "docs/retention.md",
]
RUN = {  # marker -> the test that runs the block
    "run-command": "test_run_command_prints_the_fixture",
    "test-command": "test_ci_runs_the_test_command",
    "ci-command": "test_ci_runs_the_checks",
    "telegraf-install": "test_install_upgrade_and_uninstall_for_telegraf",
    "upgrade": "test_install_upgrade_and_uninstall_for_telegraf",
    "uninstall": "test_install_upgrade_and_uninstall_for_telegraf",
    "influxdb1-setup": "test_influxdb1_set_up_and_output",
    "influxdb1-drop": "test_influxdb1_set_up_and_output",
    "regenerate": "test_regenerating_changes_nothing",
    "influxdb1-retention": "tests/test_retention.py",
}
DAY = FIXTURES / "pvs6-day"


@pytest.mark.parametrize("page", PAGES)
def test_every_command_block_runs_or_says_why_not(page: str) -> None:
    for marker, lang, body in blocks(page):
        if lang == "sh":
            assert marker in RUN or (marker or "").startswith("not run: "), body
        if lang == "toml":
            assert marker, body
            tomllib.loads(body)  # as Telegraf would read it


@pytest.mark.parametrize("page", [*PAGES, "CHANGELOG.md"])
def test_every_link_leads_to_a_file(page: str) -> None:
    targets = re.findall(r"\]\(([^)#\s]+)\)", (ROOT / page).read_text())
    local = [target for target in targets if "://" not in target]
    assert local
    assert [t for t in local if not (ROOT / page).parent.joinpath(t).resolve().exists()] == []


def test_config_is_the_shipped_file() -> None:
    shipped = (ROOT / "telegraf.d" / "sunpower.conf").read_text()
    assert block("telegraf-config") == shipped
    assert shipped == format_config(["/opt/sunpower-telegraf/bin/sunpower-lp"])


def test_the_installed_command_prints_its_own_config(sink) -> None:
    script = Path(sysconfig.get_path("scripts")) / "sunpower-lp"
    done = subprocess.run(
        [str(script), "--telegraf-config", "--host", sink.hostport],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (done.returncode, done.stderr, sink.connections) == (0, "", 0)
    assert done.stdout == format_config([str(script)], {"host": sink.hostport})
    assert f"  commands = [{json.dumps(str(script) + ' --timeout 100')}]\n" in done.stdout
    assert f'  environment = ["SUNPOWER_PVS_HOST={sink.hostport}"]\n' in done.stdout


def test_example_output_is_the_golden() -> None:
    golden = (ROOT / "fixtures" / "pvs6-day" / "expected.lp").read_text()
    example = block("example-output")
    assert example and golden.startswith(example)


def test_ci_runs_the_test_command() -> None:
    command = block("test-command").strip()
    assert command in (ROOT / ".ci" / "run").read_text().splitlines()


def test_ci_runs_the_checks() -> None:
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    checks = block("ci-command", "docs/development.md").strip().splitlines()
    assert checks and all(line in ci for line in checks)


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


def copy_tracked(into: Path) -> list[str]:
    """The files git tracks, as they are in the work tree, copied without their history."""
    files = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.split(b"\0")
    names = [name.decode() for name in files if name]
    for name in names:
        target = into / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((ROOT / name).read_bytes())
    return names


def test_run_command_works_in_a_fresh_copy(tmp_path: Path) -> None:
    """The README's first command, as written, in a copy of the committed files without their git
    history (as a source archive gives them), under a umask that hides new files from others: it
    makes its own virtual environment, installs from the copy, prints the fixture's lines, says
    it cannot know its commit, and leaves everything readable by Telegraf's service user."""
    copy_tracked(tmp_path)
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


def test_regenerating_changes_nothing(tmp_path: Path) -> None:
    """The documented rebuild, run on a copy of the committed code (with the real captures
    beside it, as ../shared is beside the project), gives the files it has."""
    shared = ROOT.parent / "shared"
    if not (shared / "real-pvs").is_dir():
        message = f"the real PVS captures, whose goldens it rebuilds, are not in {shared}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    copy = tmp_path / "project"
    names = copy_tracked(copy)
    (tmp_path / "shared").symlink_to(shared)
    commands = block("regenerate", "docs/development.md").replace(
        ".venv/bin/python", sys.executable
    )
    done = subprocess.run(
        ["sh", "-eu", "-c", commands], cwd=copy, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    changed = [name for name in names if (copy / name).read_bytes() != (ROOT / name).read_bytes()]
    assert changed == []


# -- Telegraf, as the README sets it up --------------------------------------------------------


def here(body: str, root: Path, pvs: str = "") -> str:
    """A README block as this machine runs it: /opt and /etc under `root`, no sudo, no service
    to restart, and the loopback PVS for yours."""
    lines = []
    for line in body.splitlines():
        if line.startswith("sudo systemctl "):
            continue
        line = line.replace("sudo -u telegraf ", "").replace("sudo ", "")
        line = re.sub(r"(^|\s)/(opt|etc)/", rf"\g<1>{root}/\g<2>/", line)
        if pvs:
            line = re.sub(r"^PVS=\S+", f"PVS={pvs}", line)
        lines.append(line)
    return "\n".join(lines) + "\n"


def test_install_upgrade_and_uninstall_for_telegraf(tmp_path: Path, standin) -> None:
    """The README's blocks in a clone of the repository: install, check, write the config, then
    Telegraf's command from that config prints the PVS's lines; upgrade; uninstall."""
    pvs = standin({DEVICE_LIST: lambda r: Reply(200, (DAY / "devicelist.json").read_bytes())})
    clone = tmp_path / "sunpower-telegraf"
    _git("clone", "-q", str(ROOT), str(clone), cwd=tmp_path)
    conf_dir = tmp_path / "etc" / "telegraf" / "telegraf.d"
    conf_dir.mkdir(parents=True)
    install = block("telegraf-install")
    assert install.startswith("PVS=") and "/opt/" in install and "/etc/telegraf/" in install

    def run(body: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            ["sh", "-eu", "-c", here(body, tmp_path, pvs.hostport)],
            cwd=clone,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, done.stderr
        return done

    checked = run(install)
    assert "telegraf:  the PVS took" in checked.stdout  # --check's advice, as Telegraf's user
    config = tomllib.loads((conf_dir / "sunpower.conf").read_text())
    (exec_block,) = config["inputs"]["exec"]
    program = shlex.split(exec_block["commands"][0])
    assert program[0] == f"{tmp_path}/opt/sunpower-telegraf/bin/sunpower-lp"
    environment = dict(variable.split("=", 1) for variable in exec_block["environment"])
    assert environment == {"SUNPOWER_PVS_HOST": pvs.hostport}
    telegraf = subprocess.run(
        program, env=environment, cwd="/", capture_output=True, text=True, timeout=60
    )  # Telegraf's own environment has no PATH of yours
    assert (telegraf.returncode, telegraf.stderr) == (0, "")
    assert telegraf.stdout == (DAY / GOLDEN).read_text()

    upgraded = run(block("upgrade"))
    version = re.search(r"^sunpower-lp, version (\S+)$", upgraded.stdout, re.M)
    assert version and version.group(1) != "0.0"  # built from git, so it names the commit

    run(block("uninstall"))
    assert not (conf_dir / "sunpower.conf").exists()
    assert not (tmp_path / "opt" / "sunpower-telegraf").exists()


# -- InfluxDB, as the README sets it up ----------------------------------------------------------


def test_influxdb1_set_up_and_output(influxd: Influxd) -> None:
    """The set-up makes the database the output block names, at the address it names; lines
    written there (as Telegraf's output writes them) are read back; the drop removes it."""
    default = "http://127.0.0.1:8086"
    if shutil.which("curl") is None:
        pytest.fail("curl not found: the README's InfluxDB set-up uses it (apt-get install curl)")

    def run(body: str) -> None:
        assert default in body
        done = subprocess.run(
            ["sh", "-eu", "-c", body.replace(default, influxd.url)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert (done.returncode, done.stderr) == (0, ""), done.stdout

    run(block("influxdb1-setup"))
    (output,) = tomllib.loads(block("influxdb1-output"))["outputs"]["influxdb"]
    assert output["urls"] == [default] and output["skip_database_creation"] is True
    database = output["database"]
    assert [database] in influxd.query(database, "SHOW DATABASES")[0]["values"]
    assert influxd.write(database, (DAY / GOLDEN).read_text())[0] == 204
    (series,) = influxd.query(database, "SELECT production_kw FROM sunpower_site")
    assert series["values"][0][1] == 3.9712  # the production meter's p_3phsum_kw in the answer
    run(block("influxdb1-drop"))
    assert [database] not in influxd.query(database, "SHOW DATABASES")[0].get("values", [])


@pytest.mark.parametrize(
    ("marker", "url"),
    [("influxdb2-output", "http://127.0.0.1:8086"), ("influxdb3-output", "http://127.0.0.1:8181")],
)
def test_influxdb2_and_3_outputs_name_the_bucket(marker: str, url: str) -> None:
    (output,) = tomllib.loads(block(marker))["outputs"]["influxdb_v2"]
    assert (output["urls"], output["bucket"], output["token"]) == (
        [url],
        "sunpower",
        "${INFLUX_TOKEN}",
    )
    assert output["namepass"] == ["sunpower_*"]


def test_the_options_section_names_every_option_and_variable() -> None:
    """Every option `--help` shows, and every variable it reads, has its place in the README's
    options table (--help and --version aside)."""
    from sunpower_telegraf.cli import main

    section = README.split("\n## Options\n", 1)[1].split("\n## ", 1)[0]
    rows = {
        line.split(" | ")[0].lstrip("| ") for line in section.splitlines() if line.startswith("| `")
    }
    listed = {option.strip("`").split(" ")[0] for row in rows for option in row.split(", ")}
    for parameter in main.params:
        if parameter.name in ("help", "version"):
            continue
        assert set(parameter.opts) <= listed, parameter.opts
        envvar = getattr(parameter, "envvar", None)
        if envvar:
            assert f"| `{parameter.opts[0]}` | `{envvar}` |" in section, envvar
