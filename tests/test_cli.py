"""The command against a real HTTP server on loopback standing in for the PVS."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from sunpower_telegraf.cli import main
from tests.support.cases import FIXTURES, GOLDEN
from tests.support.contract import assert_result_failed
from tests.support.standin import DEVICE_LIST, Reply, json_reply

DAY = FIXTURES / "pvs6-day"
DAY_BODY = (DAY / "devicelist.json").read_bytes()
DAY_LINES = (DAY / GOLDEN).read_text()


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env=env)


def first_error(result: Result) -> str:
    return result.stderr.splitlines()[0]


def test_healthy_device_list(standin) -> None:
    pvs = standin({DEVICE_LIST: lambda r: Reply(200, DAY_BODY)})
    result = run("--host", pvs.hostport)
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == DAY_LINES
    assert pvs.paths() == [DEVICE_LIST]
    assert pvs.requests[0].headers["user-agent"] == "sunpower-lp"


@pytest.mark.parametrize("form", ["{hostport}", "http://{hostport}", "http://{hostport}/"])
def test_host_forms(standin, form: str) -> None:
    pvs = standin({DEVICE_LIST: lambda r: Reply(200, DAY_BODY)})
    result = run("--host", form.format(hostport=pvs.hostport))
    assert (result.exit_code, result.stdout) == (0, DAY_LINES)


def test_host_from_environment_and_options(standin) -> None:
    pvs = standin({DEVICE_LIST: lambda r: Reply(200, DAY_BODY)})
    result = run("--prefix", "pv_", "--no-device-time", env={"SUNPOWER_PVS_HOST": pvs.hostport})
    assert result.exit_code == 0
    first = result.stdout.splitlines()[0]
    assert first.startswith("pv_pvs,model=PVS6,serial=ZT230185000549A1234 ")
    assert first.endswith(',state="working",state_code=0.0')  # no timestamp


def test_network_answer_equals_input_answer(standin, tmp_path: Path) -> None:
    pvs = standin({DEVICE_LIST: lambda r: Reply(200, DAY_BODY)})
    saved = tmp_path / "answer.json"
    saved.write_bytes(DAY_BODY)
    from_file = run("--input", str(saved))
    from_stdin = CliRunner().invoke(main, ["--input", "-"], input=DAY_BODY)
    assert from_file.stdout == from_stdin.stdout == run("--host", pvs.hostport).stdout == DAY_LINES


def test_skipped_devices_warn_and_keep_the_rest(standin) -> None:
    document = json.loads(DAY_BODY)
    document["devices"][1:1] = [{"SERIAL": "X9"}, {"DEVICE_TYPE": "Inverter", "SERIAL": "E9"}]
    pvs = standin({DEVICE_LIST: lambda r: json_reply(document)})
    result = run("--host", pvs.hostport, "--no-site-summary")
    assert (result.exit_code, result.stdout) == (
        0,
        DAY_LINES.replace(DAY_LINES.splitlines()[-1] + "\n", ""),
    )
    assert result.stderr.splitlines() == [
        "sunpower-lp: warning: skipped device #2: a device X9 has no DEVICE_TYPE",
        "sunpower-lp: warning: skipped device #3: Inverter E9 has no numeric values or state",
    ]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_unreachable() -> None:
    port = _closed_port()
    assert_result_failed(
        run("--host", f"127.0.0.1:{port}"),
        f"cannot reach the PVS at http://127.0.0.1:{port}{DEVICE_LIST}: connection refused; "
        "check --host and that this machine can reach the PVS",
    )


def _url(pvs) -> str:
    return f"http://{pvs.hostport}{DEVICE_LIST}"


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        (Reply(500, b"oops"), "the PVS answered HTTP 500 to {url}"),
        (Reply(404, b""), "the PVS answered HTTP 404 to {url}"),
        (
            Reply(200, b"<html><body>PVS2</body></html>", {"Content-Type": "text/html"}),
            "the PVS answered {url} with HTML, not JSON: an old PVS2, or a proxy's error page; "
            "check --host",
        ),
        (
            Reply(200, DAY_BODY[:5000]),
            "the answer from {url} is not complete JSON (5000 bytes); the PVS may have been cut "
            "off: try again, and check any proxy in between",
        ),
        (
            Reply(200, b"Command not found"),
            "the answer from {url} is not JSON: expecting value at line 1, column 1",
        ),
        (
            Reply(200, b'{"devices": [\n  {"SERIAL": "S1",\n   "MODEL" "x"}\n]}'),
            "the answer from {url} is not JSON: expecting ':' delimiter at line 3, column 12",
        ),
        (
            Reply(200, b'{"devices": [{"SERIAL": "S1", "p_3phsum_kw": 0.6'),
            "the answer from {url} is not complete JSON (48 bytes); the PVS may have been cut "
            "off: try again, and check any proxy in between",
        ),
        (
            json_reply({"errorcode": 3, "errormsg": "busy"}),
            'the PVS answered {url} with an error: {{"errorcode": 3, "errormsg": "busy"}}',
        ),
        (Reply(200, b""), "the PVS sent an empty answer to {url}"),
        (
            json_reply({"result": "error", "msg": "Busy scanning"}),
            "the PVS answered result 'error' to the device list: Busy scanning",
        ),
        (json_reply({"result": "succeed"}), "the answer from http://{hostport} has no device list"),
        (json_reply([1, 2]), "the answer from http://{hostport} is JSON but not a device list"),
        (
            json_reply({"devices": [{"SERIAL": "S1"}], "result": "succeed"}),
            "the PVS answer has no device that could be mapped to a line",
        ),
    ],
    ids=[
        "500",
        "404",
        "html",
        "truncated",
        "text",
        "syntax-error",
        "cut-in-a-number",
        "error-object",
        "empty",
        "result-error",
        "no-devices",
        "not-object",
        "nothing-mapped",
    ],
)
def test_unusable_answers(standin, reply: Reply, message: str) -> None:
    pvs = standin({DEVICE_LIST: lambda r: reply})
    result = run("--host", pvs.hostport)
    assert_result_failed(result, message.format(url=_url(pvs), hostport=pvs.hostport))


def test_nothing_mapped_still_explains_each_device(standin) -> None:
    pvs = standin({DEVICE_LIST: lambda r: json_reply({"devices": [{"SERIAL": "S1"}]})})
    result = run("--host", pvs.hostport)
    assert result.stderr.splitlines()[1:] == [
        "sunpower-lp: warning: skipped device #1: a device S1 has no DEVICE_TYPE"
    ]


@pytest.mark.parametrize(
    "reply",
    [Reply(200, DAY_BODY, trickle=0.05), Reply(200, DAY_BODY, delay=30)],
    ids=["trickle", "hang"],
)
def test_deadline(standin, reply: Reply) -> None:
    pvs = standin({DEVICE_LIST: lambda r: reply})
    result = run("--host", pvs.hostport, "--timeout", "1")
    assert_result_failed(
        result,
        f"the PVS at http://{pvs.hostport} did not finish answering within 1 s; raise --timeout "
        "(and Telegraf's timeout) if it is just slow",
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--input", "/nonexistent/answer.json"],
            "cannot read /nonexistent/answer.json: No such file or directory",
        ),
    ],
)
def test_input_failures(args: list[str], message: str) -> None:
    assert_result_failed(run(*args), message)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "{file} is empty: there is no PVS answer in it"),
        (b" \r\n\t", "{file} is empty: there is no PVS answer in it"),
        (b"\xef\xbb\xbf", "{file} is empty: there is no PVS answer in it"),
        (b"Command not found\n", "{file} is not JSON: expecting value at line 1, column 1"),
        (
            b'{"devices": [\n  {"SERIAL": "S1",}\n]}',
            "{file} is not JSON: expecting property name enclosed in double quotes at line 2, "
            "column 19",
        ),
        (
            b'{"devices": []}\n{"devices": []}\n',
            "{file} is not JSON: more after the end of the document at line 2, column 1",
        ),
        (
            DAY_BODY[:1000],
            "{file} stops before its JSON ends (at line 39, column 23, after 1000 bytes): save "
            "the whole answer",
        ),
        (b"<html><body>502 Bad Gateway</body></html>", "{file} is HTML, not a PVS answer"),
        (
            b"[1, 2]",
            "{file} is JSON but not a PVS answer: no device list, storage status or varserver variables",
        ),
        (
            b'{"status": "ok"}',
            "{file} is JSON but not a PVS answer: no device list, storage status or varserver variables",
        ),
        (
            b'{"errorcode": 7, "errormsg": "no such variable"}',
            '{file} is an error answer from the PVS, not data: {{"errorcode": 7, "errormsg": '
            '"no such variable"}}',
        ),
        (
            b'{"status": 403, "error": "Unauthorized"}',
            '{file} is an error answer from the PVS, not data: {{"status": 403, "error": '
            '"Unauthorized"}}',
        ),
    ],
    ids=[
        "empty",
        "blank",
        "bom-only",
        "text",
        "syntax-error",
        "two-documents",
        "cut-off",
        "html",
        "list",
        "other-object",
        "error-object",
        "refused",
    ],
)
def test_input_errors_speak_of_the_file(tmp_path: Path, body: bytes, message: str) -> None:
    path = tmp_path / "saved.json"
    path.write_bytes(body)
    assert_result_failed(run("--input", str(path)), message.format(file=path))
    from_stdin = CliRunner().invoke(main, ["--input", "-"], input=body)
    assert_result_failed(from_stdin, message.format(file="standard input"))


@pytest.mark.parametrize(
    "encoding", ["utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-be"]
)
def test_input_in_any_unicode_encoding_is_read(tmp_path: Path, encoding: str) -> None:
    """Windows tools save text as UTF-16 with a byte-order mark, or UTF-8 with one."""
    path = tmp_path / "saved.json"
    path.write_bytes(DAY_BODY.decode().encode(encoding))
    assert path.read_bytes()[:2] != DAY_BODY[:2]  # not plain UTF-8
    result = run("--input", str(path))
    assert (result.exit_code, result.stderr, result.stdout) == (0, "", DAY_LINES)


def test_two_documents_of_one_kind_are_refused(tmp_path: Path) -> None:
    first, second = tmp_path / "monday.json", tmp_path / "tuesday.json"
    first.write_bytes(DAY_BODY)
    second.write_bytes(DAY_BODY)
    assert_result_failed(
        run("--input", str(first), "--input", str(second)),
        f"{first} and {second} both hold a device list: give the documents of one run, each once",
    )
    live, again = tmp_path / "live.json", tmp_path / "live-again.json"
    live.write_text('{"/sys/livedata/pv_p": "1.5", "/sys/livedata/net_p": "0.2"}')
    again.write_text('{"/sys/livedata/soc": "0.5", "/sys/livedata/pv_p": "1.6"}')
    assert_result_failed(
        run("--input", str(first), "--input", str(live), "--input", str(again)),
        f"{live} and {again} both hold /sys/livedata/pv_p: give the documents of one run, each "
        "once",
    )


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--prefix", "a b"], "Invalid value for '--prefix': use at most 64 letters, digits"),
        (["--timeout", "0"], "Invalid value for '--timeout'"),
    ],
)
def test_usage_errors(args: list[str], fragment: str) -> None:
    result = run(*args)
    assert result.exit_code == 2 and fragment in result.stderr


@pytest.mark.parametrize("host", ["a/b", "ftp://pvs", "http://"])
def test_bad_host(host: str) -> None:
    assert_result_failed(
        run("--host", host), f"--host {host!r} is not a host name, address or http(s):// URL"
    )


def test_help_explains_every_option() -> None:
    result = run("--help")
    assert result.exit_code == 0
    for option in ["--host", "--input", "--timeout", "--prefix", "--no-device-time", "--version"]:
        assert option in result.stdout
    assert "SUNPOWER_PVS_HOST" in result.stdout


def _script() -> str:
    return str(Path(sysconfig.get_path("scripts")) / "sunpower-lp")


@pytest.mark.parametrize(
    "command",
    [[sys.executable, "-m", "sunpower_telegraf"], [_script()]],
    ids=["python-m", "console-script"],
)
def test_entry_points(standin, command: list[str]) -> None:
    pvs = standin({DEVICE_LIST: lambda r: Reply(200, DAY_BODY)})
    done = subprocess.run(
        [*command, "--host", pvs.hostport], capture_output=True, text=True, timeout=60
    )
    assert (done.returncode, done.stderr, done.stdout) == (0, "", DAY_LINES)
    version = subprocess.run([*command, "--version"], capture_output=True, text=True, timeout=60)
    assert version.stdout.startswith("sunpower-lp, version ")


def test_deadline_in_a_real_process(standin) -> None:
    pvs = standin({DEVICE_LIST: lambda r: Reply(200, DAY_BODY, trickle=0.05)})
    done = subprocess.run(
        [sys.executable, "-m", "sunpower_telegraf", "--host", pvs.hostport, "--timeout", "1"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr.startswith(f"sunpower-lp: error: the PVS at http://{pvs.hostport} did not")


def test_the_options_and_the_check_load_no_http_library() -> None:
    """`--input` and `--check --input` never use the network, and do not pay for loading it."""
    code = (
        "import sys, sunpower_telegraf.cli, sunpower_telegraf.reach, sunpower_telegraf.check; "
        "print(sorted(name for name in sys.modules if name.split('.')[0] in "
        "('requests', 'urllib3') or name.endswith(('.pvs', '.transport', '.login'))))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stderr, done.stdout) == (0, "", "[]\n")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--follow", "--input", "x.json"],
            "--follow reads the PVS itself: it takes no --input or --check",
        ),
        (["--follow", "--check"], "--follow reads the PVS itself: it takes no --input or --check"),
        (
            ["--interval", "60", "--input", "x.json"],
            "--interval goes with --follow or --telegraf-config",
        ),
        (["--quiet-at-night", "--input", "x.json"], "--quiet-at-night goes with --follow"),
    ],
)
def test_options_of_the_follow_mode_are_refused_elsewhere(args: list[str], message: str) -> None:
    result = CliRunner().invoke(main, args)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.splitlines()[-1] == f"Error: {message}"
