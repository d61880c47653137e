"""The live display of a build on a terminal: one line per cell, redrawn in place.

      detect                           done           0.2s
      cp311-x86_64-unknown-linux-gnu   compile…      12.4s
      cp312-x86_64-unknown-linux-gnu   waiting        0.4s   compile restored

Each cell's line says ``waiting``, the running stage and for how long, then ``done``,
``restored``, ``up to date`` or ``failed`` with the cell's time, followed by the stages it did.
When stderr is not a terminal (CI logs, pytest's capture) or the build is quiet, nothing here
is used: the reporter prints today's one line per stage.

Other output goes on while the display is up: cargo's messages (from cargo's own process, in a
doit worker with ``-j``), warnings. The display redirects the terminal's file descriptor to a
pipe for the run (children inherit it) and prints what comes through it above its lines, whole
lines at a time, so nothing garbles them; ``CARGO_TERM_COLOR=always`` keeps cargo's colours,
as cargo would have coloured its messages on this terminal (unless the user chose otherwise).
"""

from __future__ import annotations

import os
import select
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Callable, Optional, TextIO

from rustwheel.results import StageResult, cell_status
from rustwheel.tasks.reporter import RunLog

_COLOURS = {"done": "32", "restored": "36", "up to date": "2", "waiting": "2", "failed": "1;31",
            "running": "33"}
"""SGR colours of the states."""
_DONE_WORDS = {"built": "done", "restored": "restored", "up to date": "up to date",
               "failed": "failed"}
_TICK = 0.1
"""Seconds between redraws while a stage runs (its time goes up)."""


def live_wanted(stream: TextIO, quiet: bool, rows: int = 1) -> bool:
    """Whether the build's stages are shown live on ``stream``: a terminal that can move
    its cursor, taller than the display's ``rows``, and a build that is not quiet."""
    if quiet or os.environ.get("TERM", "") == "dumb":
        return False
    try:
        fd = stream.fileno()
    except (AttributeError, OSError, ValueError):  # pytest's capture, io.StringIO
        return False
    if not stream.isatty():
        return False
    try:
        return os.get_terminal_size(fd).lines > rows
    except OSError:
        return True


class Row:
    """One line of the display: ``detect`` or a cell."""

    def __init__(self, name: str, stages: Optional[list[StageResult]] = None,
                 running: Optional[dict[str, float]] = None) -> None:
        self.name = name
        self.stages = stages if stages is not None else []
        self.running = running if running is not None else {}
        """The stages running now, and when they started."""

    def state(self, now: float, ellipsis: str = "…") -> tuple[str, Optional[float], str]:
        """(what it says, its time, its colour's name)."""
        if self.running:
            stage, start = min(self.running.items(), key=lambda item: item[1])
            return f"{stage}{ellipsis}", now - start, "running"
        total = sum(s.seconds for s in self.stages)
        if not self.stages or not self._finished():
            return "waiting", (total or None), "waiting"
        word = _DONE_WORDS[cell_status(self.stages)]
        return word, (total if word != "up to date" else None), word

    def _finished(self) -> bool:
        last = self.stages[-1]
        return last.stage in ("detect", "wheel") or any(
            s.status in ("failed", "skipped") for s in self.stages)

    def trail(self) -> str:
        """The stages done so far: ``compile 12.1s  repair restored``."""
        parts = [f"{s.stage} {s.seconds:.1f}s" if s.status == "ran" else f"{s.stage} {s.status}"
                 for s in self.stages if s.stage != "detect" and s.status != "up to date"]
        return "  ".join(parts)


def frame(rows: Sequence[Row], now: float, width: int, colour: bool = True,
          ellipsis: str = "…") -> list[str]:
    """The display's lines, each at most ``width - 1`` characters wide (no wrapping)."""
    name_width = max(len(r.name) for r in rows)
    lines = []
    for row in rows:
        word, seconds, kind = row.state(now, ellipsis)
        timing = f"{seconds:6.1f}s" if seconds is not None else ""
        trail = row.trail()
        segments = [(f"  {row.name:<{name_width}}   ", ""), (f"{word:<11}", _COLOURS[kind]),
                    (f"{timing:>8}", ""), (f"   {trail}" if trail else "", "2")]
        lines.append(_fit(segments, max(width - 1, 10), colour))
    return lines


def _fit(segments: Sequence[tuple[str, str]], limit: int, colour: bool) -> str:
    """The segments' text cut at ``limit`` characters, each in its SGR colour (when
    ``colour``; "": none)."""
    out = []
    for text, sgr in segments:
        piece = text[:limit]
        limit -= len(piece)
        if piece.strip() and sgr and colour:
            piece = f"\x1b[{sgr}m{piece.rstrip()}\x1b[0m{piece[len(piece.rstrip()):]}"
        out.append(piece)
    return "".join(out).rstrip()


class LiveDisplay:
    """The lines of ``tasks`` (their cells, and detect), redrawn on ``out`` (a terminal's
    file descriptor) as stages start and finish; other output is printed above them."""

    def __init__(self, out: int, tasks: Sequence[str], clock: Callable[[], float],
                 encoding: str = "utf-8") -> None:
        self._out = out
        self._clock = clock
        self._encoding = encoding
        self._ellipsis = "…" if "…".encode(encoding, "replace") != b"?" else "..."
        self._colour = not os.environ.get("NO_COLOR")
        self._rows: dict[str, Row] = {}
        for task in tasks:
            name = task.partition(":")[2] or task
            self._rows.setdefault(name, Row(name))
        self._lock = threading.Lock()
        self._drawn = 0
        self._pending = b""

    def _row(self, task: str) -> Row:
        name = task.partition(":")[2] or task
        return self._rows.setdefault(name, Row(name))

    def started(self, task: str, at: float) -> None:
        with self._lock:
            self._row(task).running[task.partition(":")[0]] = at
            self._draw()

    def finished(self, result: StageResult) -> None:
        with self._lock:
            row = self._row(result.task)
            row.running.pop(result.stage, None)
            row.stages.append(result)
            self._draw()

    def tick(self) -> None:
        """Redraw when a stage runs: its time goes up."""
        with self._lock:
            if any(r.running for r in self._rows.values()):
                self._draw()

    def output(self, data: bytes) -> None:
        """Print ``data`` (other output: cargo's, warnings) above the lines, whole lines only;
        the rest waits for its newline (or `close`)."""
        with self._lock:
            self._pending += data
            complete, newline, self._pending = self._pending.rpartition(b"\n")
            if newline:
                self._draw(complete + newline)

    def close(self) -> None:
        """The last frame, the cursor shown again; the display's lines stay on the screen."""
        with self._lock:
            rest, self._pending = self._pending, b""
            self._draw(rest + b"\n" if rest else b"", final=True)

    def _draw(self, above: bytes = b"", final: bool = False) -> None:
        try:
            width = os.get_terminal_size(self._out).columns
        except OSError:
            width = 80
        lines = frame(list(self._rows.values()), self._clock(), width, self._colour,
                      self._ellipsis)
        up = f"\x1b[{self._drawn}F" if self._drawn else "\r"
        text = "\n".join(lines) + "\n" + ("\x1b[?25h" if final else "\x1b[?25l")
        data = (up + "\x1b[J").encode() + above + text.encode(self._encoding, "replace")
        self._drawn = len(lines)
        _write_all(self._out, data)


def _write_all(fd: int, data: bytes) -> None:
    """All of ``data`` to ``fd``; nothing when the terminal went away (the build goes on)."""
    view = memoryview(data)
    while view:
        try:
            view = view[os.write(fd, view):]
        except OSError:
            return


# -- attaching it to a run ---------------------------------------------------------------------

@contextmanager
def _redirected(fd: int) -> Iterator[tuple[int, int]]:
    """``fd`` points to a new pipe inside the block (so do the children started in it);
    yields (a copy of what ``fd`` was, the pipe's read end). Both are closed after it."""
    saved = os.dup(fd)
    read_end, write_end = os.pipe()
    os.dup2(write_end, fd)
    os.close(write_end)
    try:
        yield saved, read_end
    finally:
        os.dup2(saved, fd)
        os.close(saved)
        os.close(read_end)


class _Pump(threading.Thread):
    """Hands what comes through the pipe to the display, and ticks, until `stop` (then what
    is left in the pipe). Should the display fail (a bug), the pipe is still drained, onto the
    terminal as it comes, and the error raised at the end."""

    def __init__(self, read_end: int, display: LiveDisplay, terminal: int) -> None:
        super().__init__(name="rustwheel-display", daemon=True)
        self._read_end = read_end
        self._display: Optional[LiveDisplay] = display
        self._terminal = terminal
        self._stopping = threading.Event()
        self.error: Optional[BaseException] = None

    def stop(self) -> None:
        self._stopping.set()
        self.join()

    def run(self) -> None:
        while True:
            stopping = self._stopping.is_set()
            ready = select.select([self._read_end], [], [], 0 if stopping else _TICK)[0]
            data = os.read(self._read_end, 65536) if ready else b""
            if not data and stopping:
                return
            self._hand(data)

    def _hand(self, data: bytes) -> None:
        try:
            if self._display is None:
                _write_all(self._terminal, data)
            elif data:
                self._display.output(data)
            else:
                self._display.tick()
        except Exception as exc:  # kept, and raised by `live` at the end
            self.error, self._display = exc, None
            _write_all(self._terminal, data)


@contextmanager
def _cargo_colour() -> Iterator[None]:
    """``CARGO_TERM_COLOR=always`` inside the block, unless it is set."""
    if "CARGO_TERM_COLOR" in os.environ:
        yield
        return
    os.environ["CARGO_TERM_COLOR"] = "always"
    try:
        yield
    finally:
        os.environ.pop("CARGO_TERM_COLOR", None)


@contextmanager
def live(log: RunLog, tasks: Sequence[str]) -> Iterator[LiveDisplay]:
    """The live display of ``tasks`` on ``log.stream`` for the block, as ``log.view``."""
    stream = log.stream
    stream.flush()
    fd = stream.fileno()
    with _redirected(fd) as (terminal, read_end), _cargo_colour():
        display = LiveDisplay(terminal, tasks, log.now, stream.encoding or "utf-8")
        pump = _Pump(read_end, display, terminal)
        log.view = display
        pump.start()
        try:
            yield display
        finally:
            stream.flush()
            os.dup2(terminal, fd)  # the pipe's last writer in this process goes
            pump.stop()
            log.view = None
            display.close()
    if pump.error is not None:
        raise pump.error


@contextmanager
def showing(log: RunLog, tasks: Sequence[str]) -> Iterator[None]:
    """Show the stages of ``tasks`` (``detect``, ``compile:<cell>``, ...) live when
    `live_wanted`; else the reporter's plain lines."""
    rows = len({task.partition(":")[2] or task for task in tasks})
    if not live_wanted(log.stream, log.quiet, rows):
        yield
        return
    with live(log, tasks):
        yield
