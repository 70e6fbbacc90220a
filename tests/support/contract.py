"""The failure contract every failed run keeps, in one assertion.

A run that fails exits 1, prints nothing on stdout (Telegraf would parse it as lines), gives its
reason as the first line of stderr in the form `sunpower-lp: error: <reason>`, and never shows a
traceback or an `Aborted` (the interpreter's or click's own report of a crash or an interrupt)
anywhere on stderr. The reason is compared whole: it is what an owner reads in Telegraf's log.
"""

from __future__ import annotations

from click.testing import Result


def _text(output: str | bytes) -> str:
    return output.decode() if isinstance(output, bytes) else output


def assert_failed(code: int, stdout: str | bytes, stderr: str | bytes, message: str) -> None:
    """A run's exit status, stdout and stderr (a subprocess's bytes or CliRunner's text) keep the
    contract with `message` as the reason."""
    out, err = _text(stdout), _text(stderr)
    assert (code, out) == (1, "")
    assert err.splitlines()[:1] == [f"sunpower-lp: error: {message}"]
    assert "Traceback" not in err
    assert "Aborted" not in err


def assert_result_failed(result: Result, message: str) -> None:
    """The same contract for a CliRunner result."""
    assert_failed(result.exit_code, result.stdout, result.stderr, message)
