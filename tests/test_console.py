"""The process's edges in `console.py` on real file descriptors: pipes, a pipe whose reader left,
/dev/full, a closed descriptor, and real signals sent to this process."""

from __future__ import annotations

import contextlib
import errno
import io
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from sunpower_telegraf.console import Log, Output, Stopped, on_signals, signals_stop, write_stderr


@pytest.fixture
def pipe() -> Iterator[tuple[int, int]]:
    """A pipe's read and write ends, closed after the test whatever it closed itself."""
    read, write = os.pipe()
    yield read, write
    for fd in (read, write):
        with contextlib.suppress(OSError):
            os.close(fd)


def as_stream(fd: int) -> io.TextIOWrapper:
    """A text stream over `fd` in a locale that cannot encode much, as sys.stdout may be."""
    return io.TextIOWrapper(open(fd, "wb", closefd=False), encoding="ascii")


def read_all(fd: int) -> bytes:
    chunks = []
    while chunk := os.read(fd, 65536):
        chunks.append(chunk)
    return b"".join(chunks)


def test_batches_reach_a_pipe_whole_as_utf8(monkeypatch, pipe) -> None:
    read, write = pipe
    monkeypatch.setattr(sys, "stdout", as_stream(write))
    output = Output()
    assert output.fd == write
    output.write("a,serial=S1 p=1.0\n")
    output.write('b,serial=Zürich x="°C"\n')
    os.close(write)
    assert read_all(read) == 'a,serial=S1 p=1.0\nb,serial=Zürich x="°C"\n'.encode()


def test_a_batch_larger_than_the_pipe_arrives_whole(monkeypatch, pipe) -> None:
    read, write = pipe
    monkeypatch.setattr(sys, "stdout", as_stream(write))
    text = "".join(f"line{n},serial=S{n} p={n}.0\n" for n in range(100_000))  # about 3 MB
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(read_all(read)))
    reader.start()
    Output().write(text)
    os.close(write)
    reader.join(timeout=60)
    assert received == [text.encode()]


def test_a_batch_cut_short_by_signals_arrives_whole(monkeypatch, pipe) -> None:
    """A signal that arrives while a write waits for a slow reader cuts the write short (the
    kernel returns what it took): the rest still follows."""
    read, write = pipe
    monkeypatch.setattr(sys, "stdout", as_stream(write))
    text = "".join(f"line{n},serial=S{n} p={n}.0\n" for n in range(100_000))
    received: list[bytes] = []

    def slow_reader() -> None:
        chunks = []
        while chunk := os.read(read, 4096):
            chunks.append(chunk)
            time.sleep(0.0005)
        received.append(b"".join(chunks))

    reader = threading.Thread(target=slow_reader)
    reader.start()
    previous = signal.signal(signal.SIGALRM, lambda number, frame: None)
    signal.setitimer(signal.ITIMER_REAL, 0.002, 0.002)
    try:
        Output().write(text)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    os.close(write)
    reader.join(timeout=120)
    assert received == [text.encode()]


def test_text_printed_before_goes_first(monkeypatch, pipe) -> None:
    read, write = pipe
    stream = as_stream(write)
    monkeypatch.setattr(sys, "stdout", stream)
    stream.write("printed\n")  # still in the stream's buffer
    Output().write("written\n")
    os.close(write)
    assert read_all(read) == b"printed\nwritten\n"


def test_a_reader_that_left_is_broken_pipe(monkeypatch, pipe) -> None:
    read, write = pipe
    os.close(read)
    monkeypatch.setattr(sys, "stdout", as_stream(write))
    with pytest.raises(OSError) as failed:
        Output().write("x p=1.0\n")
    assert (failed.value.errno, failed.value.strerror) == (errno.EPIPE, "Broken pipe")


def test_a_full_disk_is_no_space() -> None:
    with open("/dev/full", "w") as full:
        saved, sys.stdout = sys.stdout, full
        try:
            output = Output()
            with pytest.raises(OSError) as failed:
                output.write("x p=1.0\n")
        finally:
            sys.stdout = saved
    assert (failed.value.errno, failed.value.strerror) == (
        errno.ENOSPC,
        "No space left on device",
    )


def test_a_closed_descriptor_is_an_error(monkeypatch, pipe) -> None:
    read, write = pipe
    monkeypatch.setattr(sys, "stdout", as_stream(write))
    output = Output()
    os.close(write)
    with pytest.raises(OSError) as failed:
        output.write("x p=1.0\n")
    assert failed.value.errno == errno.EBADF


def test_a_stream_closed_within_the_process_is_an_error(monkeypatch) -> None:
    """A stream without a file descriptor (click's test runner) that was closed."""
    stream = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    monkeypatch.setattr(sys, "stdout", stream)
    output = Output()
    assert output.fd == -1
    output.write("first\n")
    assert stream.buffer.getvalue() == b"first\n"  # type: ignore[attr-defined]
    stream.close()
    with pytest.raises(OSError, match="^it is closed$"):
        output.write("second\n")


def test_silence_sends_what_is_left_to_dev_null(pipe) -> None:
    """After a failure, what Python would flush at exit goes nowhere instead of failing again."""
    read, write = pipe
    saved_fd = os.dup(1)
    saved_stdout = sys.stdout
    try:
        os.dup2(write, 1)
        sys.stdout = as_stream(1)
        Output().silence()
        os.write(1, b"after\n")
        os.close(write)
        os.dup2(saved_fd, 1)  # the pipe's last write end closes here
        assert read_all(read) == b""
    finally:
        os.dup2(saved_fd, 1)
        os.close(saved_fd)
        sys.stdout = saved_stdout


def test_stderr_lines_are_one_line_each_as_utf8(monkeypatch, pipe) -> None:
    read, write = pipe
    monkeypatch.setattr(sys, "stderr", as_stream(write))
    write_stderr("sunpower-lp: error: ", "bad\nanswer\x1b[31m from Zürich ")
    write_stderr("W! ", "second")
    os.close(write)
    assert read_all(read) == "sunpower-lp: error: bad answer [31m from Zürich\nW! second\n".encode()


def test_stderr_that_is_gone_is_no_failure(monkeypatch, pipe) -> None:
    read, write = pipe
    os.close(read)
    monkeypatch.setattr(sys, "stderr", as_stream(write))
    write_stderr("W! ", "nobody reads this")  # a broken pipe: nothing raised
    monkeypatch.setattr(sys, "stderr", None)
    write_stderr("W! ", "no stderr at all")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_log_holds_a_cause_back_and_counts(monkeypatch, pipe) -> None:
    read, write = pipe
    monkeypatch.setattr(sys, "stderr", as_stream(write))
    clock = Clock()
    log = Log(60.0, clock)
    log("W", "poll", "first")
    clock.now += 59.9
    log("W", "poll", "held")
    log("W", "poll", "held")
    log("E", "other", "another\ncause")
    clock.now += 0.1  # 60 s after the first
    log("W", "poll", "again")
    os.close(write)
    assert read_all(read) == (
        b"W! first\nE! another cause\nW! again (2 more like this since the last one)\n"
    )


def test_the_first_signal_stops_and_later_ones_are_ignored() -> None:
    before = {number: signal.getsignal(number) for number in (signal.SIGTERM, signal.SIGHUP)}
    with pytest.raises(Stopped, match="^SIGTERM$"), signals_stop():
        try:
            os.kill(os.getpid(), signal.SIGTERM)
            signal.pthread_sigmask(signal.SIG_BLOCK, [])  # a point where handlers run
        finally:
            # The logout after the first: a second signal does not cut it short.
            os.kill(os.getpid(), signal.SIGHUP)
            signal.pthread_sigmask(signal.SIG_BLOCK, [])
    assert {number: signal.getsignal(number) for number in before} == before


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_each_stop_signal_calls_with_its_name(number: int) -> None:
    names: list[str] = []
    before = signal.getsignal(number)
    with on_signals(names.append):
        os.kill(os.getpid(), number)
        signal.pthread_sigmask(signal.SIG_BLOCK, [])
    assert names == [signal.Signals(number).name]
    assert signal.getsignal(number) == before


def test_outside_the_main_thread_nothing_is_installed() -> None:
    before = signal.getsignal(signal.SIGTERM)
    seen: list[Any] = []

    def other() -> None:
        with on_signals(print):
            seen.append(signal.getsignal(signal.SIGTERM))

    thread = threading.Thread(target=other)
    thread.start()
    thread.join(timeout=60)
    assert seen == [before]
