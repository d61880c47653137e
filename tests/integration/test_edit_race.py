"""Edits made while a build runs are never lost.

Each round edits the tree (so that the build has work to do), starts ``rustwheel build``, and
edits a Rust or a python source again while it runs: at a moment the build's own output names
(cargo's ``Compiling pyo3-mixed`` line, the compile stage's status line) or after a delay. The
build that follows must give a wheel byte-identical to a clean build of the tree as it is then
(rustwheel from scratch, no store), and the wheel must contain the edit. A stage that records
an input as read before it changed, or a no-op stamp pairing new content with an old output,
fails here.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import pytest
from conftest import REPO, copy_crate, run_rustwheel
from test_edit_sequence import LIB_RS, _tag

pytestmark = pytest.mark.slow

Trigger = tuple[str, float]
"""Edit this many seconds after the build printed a line containing the text ("": after the
build started)."""

COMPILING = "Compiling pyo3-mixed"
ROUNDS: list[tuple[str, Trigger]] = [
    ("rust", (COMPILING, 0.0)),
    ("rust", (COMPILING, 0.1)),  # rustc has read lib.rs by then
    ("rust", (COMPILING, 0.25)),
    ("python", (COMPILING, 0.1)),
    ("rust", ("compile:", 0.0)),  # after compile, while repair and wheel run
    ("python", ("repair:", 0.0)),  # as the wheel stage starts
    ("rust", ("", 0.05)),
    ("python", ("", 0.3)),
]


class Tree:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.n = 0
        (root / "src" / "lib.rs").write_text(LIB_RS)

    def edit(self, kind: str) -> None:
        self.n += 1
        if kind == "rust":
            lib = self.root / "src" / "lib.rs"
            text = lib.read_text()
            lib.write_text(text.replace(f'"{_tag(text)}"', f'"tag-{self.n}"'))
        else:
            init = self.root / "python" / "mixed_pkg" / "__init__.py"
            init.write_text(init.read_text() + f"EDIT_{self.n} = {self.n}\n")


def _argv(tree: Tree, out: Path, target: Path, *extra: str) -> list[str]:
    return ["build", "-m", str(tree.root / "Cargo.toml"), "-o", str(out), "--target-dir",
            str(target), "-i", sys.executable, *extra]


def _racing_build(tree: Tree, argv: list[str], kind: str, trigger: Trigger) -> bool:
    """Run the build, editing ``kind`` at ``trigger``; whether the edit landed mid-build."""
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    text, delay = trigger
    edited = threading.Event()

    def edit() -> None:
        if proc.poll() is None:
            tree.edit(kind)
            edited.set()

    proc = subprocess.Popen([sys.executable, "-m", "rustwheel", *argv], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    timers: list[threading.Timer] = []

    def start() -> None:
        timers.append(threading.Timer(delay, edit))
        timers[0].start()

    if not text:
        start()
    assert proc.stderr is not None
    for line in proc.stderr:
        if text and text in line and not timers:
            start()
    proc.wait()
    for timer in timers:
        timer.join()
    if not edited.is_set():
        tree.edit(kind)
    return edited.is_set()


def _wheel(argv: list[str]) -> tuple[Path, str]:
    proc = run_rustwheel(argv)
    wheels = [Path(line) for line in proc.stdout.splitlines() if line.endswith(".whl")]
    assert len(wheels) == 1, proc.stdout + proc.stderr
    return wheels[0], proc.stderr


def _reference(tree: Tree, tmp_path: Path, target: Path, n: int) -> bytes:
    shutil.rmtree(target / "rustwheel", ignore_errors=True)
    out = tmp_path / "ref" / str(n)
    wheel, _ = _wheel(_argv(tree, out, target, "--no-cache"))
    data = wheel.read_bytes()
    shutil.rmtree(out)
    return data


def test_edits_during_a_build_are_built_next_time(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    tree = Tree(copy_crate("pyo3-mixed", tmp_path))
    target, ref_target = tmp_path / "target", tmp_path / "target-ref"
    argv = _argv(tree, tmp_path / "dist", target, "--cache-dir", str(tmp_path / "store"))
    _wheel(argv)
    landed = 0
    for n, (kind, trigger) in enumerate(ROUNDS):
        tree.edit("rust")  # work for the racing build
        landed += _racing_build(tree, argv, kind, trigger)
        wheel, err = _wheel(argv)  # the build that follows the race
        context = f"round {n}: {kind} edit at {trigger!r}\n{err}"
        with zipfile.ZipFile(wheel) as zf:
            names = zf.namelist()
            native = zf.read(next(m for m in names if m.startswith("mixed_pkg/_native")))
            init = zf.read("mixed_pkg/__init__.py").decode()
        assert _tag((tree.root / "src" / "lib.rs").read_text()).encode() in native, context
        assert init == (tree.root / "python" / "mixed_pkg" / "__init__.py").read_text(), context
        data = wheel.read_bytes()
        assert data == _reference(tree, tmp_path, ref_target, n), context
    assert landed >= len(ROUNDS) - 2, "most edits must land while the build runs"

