"""The live display (`rustwheel.tasks.display`) on a real terminal (a pty): when it is used,
what its lines say, and that other output, from this process or a child, is printed above
its lines instead of through them."""

from __future__ import annotations

import fcntl
import io
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Iterator

import pytest
from terminal import screen

from rustwheel.results import StageResult
from rustwheel.tasks.display import LiveDisplay, Row, frame, live, live_wanted, showing
from rustwheel.tasks.reporter import RunLog

CELL_A = "cp311-x86_64-unknown-linux-gnu"
CELL_B = "cp312-x86_64-unknown-linux-gnu"
TASKS = ["detect", f"compile:{CELL_A}", f"compile:{CELL_B}", f"wheel:{CELL_A}",
         f"wheel:{CELL_B}"]


class Terminal:
    """A pty 100 columns wide; ``stream``: its other end as a text stream; what it got."""

    def __init__(self) -> None:
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
        self.stream = open(slave, "w", encoding="utf-8")  # noqa: SIM115 (closed by close)
        self.data = b""
        self._done = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while not self._done.is_set():
            if select.select([self.master], [], [], 0.05)[0]:
                try:
                    self.data += os.read(self.master, 65536)
                except OSError:
                    return

    def lines(self) -> list[str]:
        """The screen's lines, once the terminal has had all that was written."""
        time.sleep(0.2)
        return screen(self.data)

    def close(self) -> None:
        self._done.set()
        self._reader.join()
        self.stream.close()
        os.close(self.master)


@pytest.fixture
def terminal() -> Iterator[Terminal]:
    t = Terminal()
    yield t
    t.close()


def test_live_on_a_terminal_only(terminal: Terminal, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERM", "xterm-256color")
    assert live_wanted(terminal.stream, quiet=False)
    assert not live_wanted(terminal.stream, quiet=True)
    assert live_wanted(terminal.stream, quiet=False, rows=29)
    assert not live_wanted(terminal.stream, quiet=False, rows=30)  # taller than the screen
    assert not live_wanted(io.StringIO(), quiet=False)
    read_end, write_end = os.pipe()
    with open(write_end, "w") as pipe:
        assert not live_wanted(pipe, quiet=False)  # CI logs, a redirected stderr
    os.close(read_end)
    monkeypatch.setenv("TERM", "dumb")
    assert not live_wanted(terminal.stream, quiet=False)


def _result(task: str, status: str, start: float, end: float) -> StageResult:
    return StageResult(task, status, end - start, None, start, end)


def test_what_a_cell_line_says() -> None:
    waiting = Row(CELL_A)
    running = Row(CELL_A, [_result(f"compile:{CELL_A}", "up to date", 1, 1)],
                  {"repair": 2.0})
    done = Row(CELL_A, [_result(f"compile:{CELL_A}", "ran", 0, 3),
                        _result(f"wheel:{CELL_A}", "ran", 3, 4.1)])
    restored = Row(CELL_A, [_result(f"compile:{CELL_A}", "restored", 0, 0.2),
                            _result(f"wheel:{CELL_A}", "up to date", 1, 1)])
    failed = Row(CELL_A, [_result(f"compile:{CELL_A}", "failed", 0, 2),
                          _result(f"wheel:{CELL_A}", "skipped", 2, 2)])
    lines = frame([waiting, running, done, restored, failed], now=5.25, width=100,
                  colour=False)
    assert [line.split()[1:] for line in lines] == [
        ["waiting"], ["repair…", "3.2s"], ["done", "4.1s", "compile", "3.0s", "wheel", "1.1s"],
        ["restored", "0.2s", "compile", "restored"],
        ["failed", "2.0s", "compile", "failed", "wheel", "skipped"]]
    assert all(line.startswith(f"  {CELL_A}   ") for line in lines)
    narrow = frame([done], now=5, width=40, colour=True)
    visible = narrow[0].replace("\x1b[32m", "").replace("\x1b[2m", "").replace("\x1b[0m", "")
    assert len(visible) <= 39 and "\x1b[32mdone\x1b[0m" in narrow[0]


def test_redrawn_in_place_with_output_above(terminal: Terminal) -> None:
    clock = [0.0]
    display = LiveDisplay(terminal.stream.fileno(), TASKS, lambda: clock[0])
    display.started("detect", 0.0)
    display.finished(_result("detect", "ran", 0.0, 0.2))
    display.started(f"compile:{CELL_A}", 0.2)
    clock[0] = 1.5
    display.tick()
    display.output(b"   Compiling pyo3 v0.30.1\n   Compi")
    display.output(b"ling pyo3-mixed v0.1.0\nwarning: a partial line")
    display.finished(_result(f"compile:{CELL_A}", "ran", 0.2, 3.0))
    display.close()
    assert terminal.lines() == [
        "   Compiling pyo3 v0.30.1",
        "   Compiling pyo3-mixed v0.1.0",
        "warning: a partial line",
        "  detect                           done           0.2s",
        f"  {CELL_A}   waiting        2.8s   compile 2.8s",
        f"  {CELL_B}   waiting"]
    assert b"\x1b[33mcompile\xe2\x80\xa6\x1b[0m       1.3s" in terminal.data  # while it ran
    assert terminal.data.endswith(b"\x1b[?25h")  # the cursor shown again


def test_live_captures_this_process_and_children(terminal: Terminal,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CARGO_TERM_COLOR", raising=False)
    log = RunLog(stream=terminal.stream)
    fd = terminal.stream.fileno()
    before = os.fstat(fd)
    with live(log, TASKS):
        assert log.view is not None
        log.started("detect", log.now())
        log.add("detect", "up to date")
        terminal.stream.write("warning: from this process\n")
        terminal.stream.flush()
        child = ("import os, sys; sys.stderr.write('from a child, ' + "
                 "os.environ['CARGO_TERM_COLOR'] + chr(10))")
        subprocess.run([sys.executable, "-c", child], stderr=fd, check=True)
        for task in TASKS[1:]:
            log.started(task, log.now())
            log.add(task, "ran", log.now() - 0.5)
    assert log.view is None and "CARGO_TERM_COLOR" not in os.environ
    assert os.fstat(fd).st_ino == before.st_ino  # the terminal again
    terminal.stream.write("after\n")
    terminal.stream.flush()
    lines = terminal.lines()
    assert lines[:2] == ["warning: from this process", "from a child, always"]
    assert [line.split()[:2] for line in lines[2:5]] == [
        ["detect", "up"], [CELL_A, "done"], [CELL_B, "done"]]
    assert lines[5:] == ["after"]
    assert [r.task for r in log.results] == TASKS


def test_plain_lines_when_not_a_terminal() -> None:
    out = io.StringIO()
    log = RunLog(stream=out)
    with showing(log, TASKS):
        assert log.view is None
        log.add("detect", "ran", log.now())
    assert out.getvalue().startswith("  ran         detect   ")
