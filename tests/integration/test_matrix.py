"""The release matrix: several interpreters in one build, in parallel cells that go as far as
they can; abi3 compiled once for all; a target whose standard library is missing."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import copy_crate, pyenv_python, run_in_venv_of, run_rustwheel, stage_statuses

pytestmark = pytest.mark.slow




def _build(crate: Path, tmp: Path, target: Path, *args: str,
           env: dict[str, str] | None = None, check: bool = True,
           ) -> subprocess.CompletedProcess[str]:
    return run_rustwheel(["build", "-m", str(crate / "Cargo.toml"), "-o", str(tmp / "dist"),
                          "--target-dir", str(target), "--compatibility", "linux", *args],
                         env=env, check=check)


def _wheels(proc: subprocess.CompletedProcess[str]) -> list[Path]:
    return [Path(line) for line in proc.stdout.splitlines() if line.endswith(".whl")]


def test_a_failed_cell_does_not_stop_the_others(tmp_path: Path, target_dir: Path) -> None:
    crate = copy_crate("pyo3-matrix", tmp_path)
    pythons = [sys.executable, str(pyenv_python(12)), str(pyenv_python(13))]
    broken = {"PYO3_MATRIX_BREAK_MINOR": "12"}
    report = tmp_path / "report.json"
    args = ["-j", "2", "--report", str(report), "-i", *pythons]
    first = _build(crate, tmp_path, target_dir, *args, env=broken, check=False)
    assert first.returncode == 1, first.stderr
    built = sorted(w.name.split("-")[2] for w in _wheels(first))
    assert built == ["cp311", "cp313"], first.stdout  # the other cells were not stopped
    errors = [line for line in first.stderr.splitlines() if line.startswith("error: ")]
    assert errors[-1].startswith("error: compile:cp312-"), first.stderr  # ours, after cargo's
    assert "broken for this Python version on purpose" in first.stderr
    data = json.loads(report.read_text())
    assert not data["success"] and len(data["wheels"]) == 2
    st = stage_statuses(first.stderr)
    assert st[next(t for t in st if t.startswith("wheel:cp312"))] == "skipped"

    again = _build(crate, tmp_path, target_dir, *args, env=broken, check=False)
    st = stage_statuses(again.stderr)
    ran = {task for task, status in st.items() if status not in ("up to date", "skipped")}
    assert ran == {next(t for t in st if t.startswith("compile:cp312"))}, again.stderr

    for wheel, python, version in zip(sorted(_wheels(first)), [pythons[0], pythons[2]],
                                      ["3.11", "3.13"]):
        code = "import pyo3_matrix; print(pyo3_matrix.built_for())"
        assert run_in_venv_of(python, wheel, code, tmp_path / f"venv-{version}") == \
            f"CPython-{version}"


def test_abi3_is_compiled_once_for_every_interpreter(tmp_path: Path, target_dir: Path) -> None:
    crate = copy_crate("pyo3-pure-abi3", tmp_path)
    pythons = [str(pyenv_python(10)), sys.executable, str(pyenv_python(13))]
    proc = _build(crate, tmp_path, target_dir, "-j", "2", "-i", *pythons)
    st = stage_statuses(proc.stderr)
    assert [t for t in st if t.startswith("compile:")] == \
        ["compile:cp39-abi3-x86_64-unknown-linux-gnu"], proc.stderr
    [wheel] = _wheels(proc)
    assert wheel.name.endswith("-cp39-abi3-linux_x86_64.whl")
    with zipfile.ZipFile(wheel) as zf:
        assert "pyo3_pure_abi3/pyo3_pure_abi3.abi3.so" in zf.namelist()
    for python in (pythons[0], pythons[2]):
        out = run_in_venv_of(python, wheel, "import pyo3_pure_abi3 as m; print(m.add(2, 3))",
                      tmp_path / f"venv-{Path(python).name}")
        assert out == "5"


def test_a_target_without_its_standard_library_is_one_error(tmp_path: Path,
                                                           target_dir: Path) -> None:
    crate = copy_crate("pyo3-pure-abi3", tmp_path)
    proc = _build(crate, tmp_path, target_dir, "--target", "aarch64-unknown-linux-gnu",
                  check=False)
    assert proc.returncode == 1
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert errors == ["error: --target aarch64-unknown-linux-gnu: the Rust standard library "
                      "for aarch64-unknown-linux-gnu is not installed; run `rustup target add "
                      "aarch64-unknown-linux-gnu`"], proc.stderr
    assert "Traceback" not in proc.stderr and not (tmp_path / "dist").exists()
    # maturin's CLI takes no abbreviations: --target-d is not --target-dir
    short = run_rustwheel(["build", "-m", str(crate / "Cargo.toml"), "--target-d", "x"],
                          check=False)
    assert short.returncode == 2 and "unrecognized arguments" in short.stderr
    assert not (crate / "x").exists() and shutil.which("cargo")


def test_one_command_builds_for_every_cpython_and_pypy(tmp_path: Path, target_dir: Path,
                                                       ) -> None:
    """CPython 3.8-3.13 by name (found through pyenv when PATH's shim cannot run them) and
    Debian's PyPy: one wheel each, installed into a venv of its own interpreter and called."""
    crate = copy_crate("pyo3-matrix", tmp_path)
    names = [f"3.{minor}" for minor in range(8, 14)] + ["pypy3"]
    proc = _build(crate, tmp_path, target_dir, "-j", "2", "-i", *names)
    wheels = {w.name.split("-")[2]: w for w in _wheels(proc)}
    assert sorted(wheels) == ["cp310", "cp311", "cp312", "cp313", "cp38", "cp39", "pp39"], \
        proc.stdout + proc.stderr
    for tag, wheel in sorted(wheels.items()):
        python = shutil.which("pypy3") if tag.startswith("pp") else pyenv_python(int(tag[3:]))
        assert python is not None
        expected = "PyPy-3.9" if tag.startswith("pp") else f"CPython-3.{tag[3:]}"
        code = "import pyo3_matrix; print(pyo3_matrix.built_for())"
        assert run_in_venv_of(python, wheel, code, tmp_path / f"venv-{tag}") == expected


def test_cargo_build_target_is_passed_to_cargo(tmp_path: Path, target_dir: Path) -> None:
    """``CARGO_BUILD_TARGET`` naming the host: cargo builds into <target dir>/<triple>/ (the
    path every other target takes), and the wheel works."""
    crate = copy_crate("pyo3-matrix", tmp_path)
    triple = "x86_64-unknown-linux-gnu"
    env = {**os.environ, "CARGO_BUILD_TARGET": triple}
    proc = _build(crate, tmp_path, target_dir, "-i", sys.executable, env=env)
    [wheel] = _wheels(proc)
    assert (target_dir / triple / "debug" / "libpyo3_matrix.so").is_file()
    version = f"{sys.version_info[0]}.{sys.version_info[1]}"
    code = "import pyo3_matrix; print(pyo3_matrix.built_for())"
    assert run_in_venv_of(sys.executable, wheel, code, tmp_path / "venv") == f"CPython-{version}"
