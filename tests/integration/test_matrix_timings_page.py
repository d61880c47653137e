"""A matrix build on a terminal with ``--timings``: the live display and the summary on the
terminal, then the page opened in headless Chromium (Debian's ``chromium``, installed by
scripts/setup.sh): a screenshot with the stage bars drawn, and a DOM with a row per cell and
a bar per stage."""

from __future__ import annotations

import fcntl
import os
import pty
import shutil
import struct
import subprocess
import sys
import termios
import threading
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import REPO, copy_crate
from terminal import screen

pytestmark = pytest.mark.slow

PY312 = Path("/root/.pyenv/versions/3.12.1/bin/python3.12")
CELLS = ("cp311-x86_64-unknown-linux-gnu", "cp312-x86_64-unknown-linux-gnu")
STAGES = ("compile", "repair", "wheel")
BAR_COLOURS = {(0x3B, 0x6F, 0xD8), (0x16, 0xA3, 0x7A)}
"""ran and restored (`rustwheel.timings`)."""


def _on_a_terminal(argv: list[str], env: dict[str, str]) -> tuple[int, str, bytes]:
    """Run ``argv`` with stderr on a pty 120 columns wide: (exit code, stdout, the pty's
    bytes)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    got: list[bytes] = []

    def read() -> None:
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the last writer closed the pty
                return
            if not data:
                return
            got.append(data)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=slave, env=env, text=True)
    os.close(slave)
    out, _ = proc.communicate(timeout=1800)
    reader.join(timeout=10)
    os.close(master)
    return proc.returncode, out, b"".join(got)


def _chromium(*args: str) -> subprocess.CompletedProcess[str]:
    chromium = shutil.which("chromium")
    assert chromium, "chromium not found: scripts/setup.sh installs Debian's chromium"
    return subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", *args],
                          capture_output=True, text=True, timeout=180, check=True)


def _png_pixels(data: bytes) -> tuple[int, int, int, list[bytes]]:
    """(width, height, bytes per pixel, rows) of an 8-bit RGB(A), non-interlaced PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    at, header, idat = 8, b"", b""
    while at < len(data):
        size = int.from_bytes(data[at:at + 4], "big")
        kind, body = data[at + 4:at + 8], data[at + 8:at + 8 + size]
        header = body if kind == b"IHDR" else header
        idat += body if kind == b"IDAT" else b""
        at += size + 12
    width, height, depth, colour = struct.unpack(">IIBB", header[:10])
    assert depth == 8 and colour in (2, 6)
    step = 3 if colour == 2 else 4
    return width, height, step, _unfiltered(zlib.decompress(idat), width * step, step)


def _unfiltered(raw: bytes, stride: int, step: int) -> list[bytes]:
    """PNG's scanlines, each filter (none, sub, up, average, Paeth) undone."""
    rows, prior = [], bytes(stride)
    for at in range(0, len(raw), stride + 1):
        kind, line = raw[at], bytearray(raw[at + 1:at + 1 + stride])
        for x in range(stride):
            a, b = (line[x - step] if x >= step else 0), prior[x]
            c = prior[x - step] if x >= step else 0
            line[x] = (line[x] + [0, a, b, (a + b) // 2, _paeth(a, b, c)][kind]) & 0xFF
        rows.append(bytes(line))
        prior = rows[-1]
    return rows


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else (b if pb <= pc else c)


class _Dom(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[dict[str, str]] = []
        self.bars: list[dict[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        classes = a.get("class", "").split()
        if "row" in classes:
            self.rows.append(a)
        if "bar" in classes:
            self.bars.append(a)


def test_matrix_build_on_a_terminal_with_a_timings_page(tmp_path: Path,
                                                        target_dir: Path) -> None:
    assert PY312.exists(), f"{PY312} is not installed (the machine's pyenv has CPython 3.12)"
    crate = copy_crate("pyo3-mixed", tmp_path)
    page = tmp_path / "t.html"
    env = {**os.environ, "PYTHONPATH": str(REPO), "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    code, out, shown = _on_a_terminal(
        [sys.executable, "-m", "rustwheel", "build", "-m", str(crate / "Cargo.toml"),
         "-o", str(tmp_path / "dist"), "--target-dir", str(target_dir), "-i", sys.executable,
         "-i", str(PY312), "-j", "2", "--timings", str(page)], env)
    lines = screen(shown)
    assert code == 0, "\n".join(lines)
    wheels = [Path(line) for line in out.splitlines()]
    assert sorted(w.name.split("-")[2] for w in wheels) == ["cp311", "cp312"]

    # the live display's last frame, then the summary table
    assert b"\x1b[3F\x1b[J" in shown  # redrawn in place: three lines up, cleared
    display = [line for line in lines if line.startswith(("  detect ", "  cp3"))]
    assert [line.split()[0] for line in display] == ["detect", *CELLS], lines
    for line in display[1:]:
        assert line.split()[1] in ("done", "restored", "up"), line
    header = next(i for i, line in enumerate(lines) if line.startswith("cell "))
    assert lines[header].split()[:5] == ["cell", "status", "compile", "repair", "wheel"]
    assert [line.split()[0] for line in lines[header + 1:header + 3]] == list(CELLS)
    assert lines[header + 1].endswith(".whl") and lines[header + 3].startswith("2 cells in ")

    # the page in Chromium: a screenshot with the bars drawn, a row and bars per cell
    shot = tmp_path / "shot.png"
    profile = f"--user-data-dir={tmp_path / 'chromium'}"
    _chromium(profile, f"--screenshot={shot}", "--window-size=1200,800", page.as_uri())
    data = shot.read_bytes()
    assert len(data) > 20_000  # a blank page is some 4 KB
    width, height, step, rows = _png_pixels(data)
    assert (width, height) == (1200, 800)
    bar_pixels = sum(tuple(row[x:x + 3]) in BAR_COLOURS
                     for row in rows for x in range(0, len(row), step))
    assert bar_pixels > 200
    dom = _Dom()
    dom.feed(_chromium(profile, "--dump-dom", page.as_uri()).stdout)
    assert [r["data-cell"] for r in dom.rows] == ["detect", *CELLS]
    tasks = {b["data-task"]: b["data-status"] for b in dom.bars}
    assert set(tasks) == {"detect", *(f"{s}:{c}" for s in STAGES for c in CELLS)}
    assert set(tasks.values()) <= {"ran", "restored", "up to date"}
