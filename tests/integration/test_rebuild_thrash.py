"""No rebuild thrash: an interpreter built for once never has pyo3 recompiled again.

- Building pyo3-mixed for 3.12, then 3.13, then (after a Rust edit) 3.12 again compiles only
  the crate the third time; the wheels work in virtual envs of those interpreters.
- Two `python -m build --wheel` (each in a new isolated virtual env, so the interpreter's path
  changes) with a Rust edit between them: the second compiles only the crate.

Builds skip the store (`--no-cache`): these tests are about what cargo compiles.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Optional

import pytest
from conftest import as_rustwheel_project, copy_crate, frontend_env, run_rustwheel

pytestmark = pytest.mark.slow

COMPILING = re.compile(r"^\s*Compiling (\S+) v", re.MULTILINE)
EDITED = """
#[pyfunction]
fn edited() -> &'static str {
    "edited"
}
"""


def _interpreter(version: str) -> Optional[str]:
    """A runnable CPython ``version`` (pyenv's installations first)."""
    home = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    found = sorted(glob.glob(str(home / "versions" / f"{version}.*" / "bin" / f"python{version}")))
    candidates = [*found, shutil.which(f"python{version}")]
    for exe in filter(None, candidates):
        if subprocess.run([exe, "-c", ""], capture_output=True, check=False).returncode == 0:
            return exe
    return None


def _edit(crate: Path) -> None:
    """A Rust edit: one more function in the module."""
    lib = crate / "src" / "lib.rs"
    text = lib.read_text()
    at = text.rindex("}")  # the module's closing brace
    lib.write_text(text[:at] + EDITED + text[at:])


def _compiled(output: str) -> set[str]:
    return set(COMPILING.findall(output))


def _build(crate: Path, out: Path, target: Path, python: str) -> tuple[Path, set[str]]:
    proc = run_rustwheel(["build", "-m", str(crate / "Cargo.toml"), "-o", str(out),
                          "--target-dir", str(target), "--no-cache", "-i", python])
    (wheel,) = (Path(line) for line in proc.stdout.splitlines() if line.endswith(".whl"))
    return wheel, _compiled(proc.stderr)


def _works(python: str, wheel: Path, where: Path, code: str) -> str:
    venv_dir = where / Path(python).name
    subprocess.run([python, "-m", "venv", str(venv_dir)], check=True)
    venv_python = str(venv_dir / "bin" / "python")
    subprocess.run([venv_python, "-m", "pip", "install", "-q", "--no-deps",
                    "--disable-pip-version-check", "--force-reinstall", str(wheel)], check=True)
    proc = subprocess.run([venv_python, "-c", code], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_switching_interpreters_back_compiles_only_the_crate(tmp_path: Path,
                                                             target_dir: Path) -> None:
    py312, py313 = _interpreter("3.12"), _interpreter("3.13")
    if py312 is None or py313 is None:
        pytest.skip("needs CPython 3.12 and 3.13")
    crate = copy_crate("pyo3-mixed", tmp_path)
    wheel312, _ = _build(crate, tmp_path / "first", target_dir, py312)
    wheel313, _ = _build(crate, tmp_path / "second", target_dir, py313)
    _edit(crate)
    edited312, compiled = _build(crate, tmp_path / "third", target_dir, py312)
    assert compiled == {"pyo3-mixed"}, compiled
    call = "import mixed_pkg; print(mixed_pkg.sum_as_string(1, 2))"
    assert _works(py313, wheel313, tmp_path / "venvs", call) == "3\n"
    assert _works(py312, wheel312, tmp_path / "venvs", call) == "3\n"
    edited = "from mixed_pkg import _native; print(_native.sum_as_string(2, 2), _native.edited())"
    assert _works(py312, edited312, tmp_path / "venvs", edited) == "4 edited\n"


def test_isolated_pep517_builds_with_a_rust_edit_compile_only_the_crate(
        tmp_path: Path, target_dir: Path, rustwheel_wheelhouse: Path) -> None:
    """`python -m build --wheel` makes a new virtual env each time: the interpreter's path
    changes, its facts do not."""
    crate = copy_crate("pyo3-mixed", tmp_path)
    as_rustwheel_project(crate)
    env = frontend_env(rustwheel_wheelhouse, target_dir, Path(sys.executable))
    env.update(CARGO_TARGET_DIR=str(target_dir), RUSTWHEEL_PEP517_ARGS="--profile dev --no-cache")
    outputs = []
    for step in ("first", "second"):
        if step == "second":
            _edit(crate)
        proc = subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir",
                               str(tmp_path / step), str(crate)], env=env, capture_output=True,
                              text=True, check=False)
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
        outputs.append(proc.stdout + proc.stderr)
    assert _compiled(outputs[1]) == {"pyo3-mixed"}, outputs[1][-3000:]
    (wheel,) = (tmp_path / "second").glob("*.whl")
    python = str(Path(sys.executable).resolve())
    out = _works(python, wheel, tmp_path / "venvs",
                 "from mixed_pkg import _native; print(_native.edited())")
    assert out == "edited\n"
