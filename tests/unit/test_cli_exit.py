"""The ``rustwheel`` command exits without tearing the interpreter down: its exit code, its
output and its exit handlers must all survive that."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def _rustwheel(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "rustwheel", *args], cwd=cwd, text=True,
                          capture_output=True, check=False, env={**os.environ, "CI": "true"})


def test_exit_code_and_all_output_arrive(tmp_path: Path) -> None:
    res = _rustwheel("build", "-m", str(tmp_path / "nowhere" / "Cargo.toml"), cwd=tmp_path)
    assert res.returncode != 0
    assert res.stderr.startswith("error: ") and res.stderr.endswith("\n")
    res = _rustwheel("--help", cwd=tmp_path)
    assert res.returncode == 0
    assert res.stdout.startswith("usage:") and res.stdout.endswith("\n")
    assert "generate-ci" in res.stdout  # the whole help, flushed before the exit


def test_exit_handlers_run(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    code = ("import atexit, sys, pathlib\n"
            f"atexit.register(pathlib.Path({str(marker)!r}).write_text, 'yes')\n"
            "sys.argv = ['rustwheel', 'list-python']\n"
            "from rustwheel.cli import run\n"
            "run()\n")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=False)
    assert res.returncode == 0, res.stderr
    assert marker.read_text() == "yes"
    assert res.stdout.strip()  # the interpreters found, flushed
