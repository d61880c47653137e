"""No rebuild thrash: an interpreter built for once never has pyo3 recompiled again.

- Building pyo3-mixed for 3.12, then 3.13, then (after a Rust edit) 3.12 again compiles only
  the crate the third time; the wheels work in virtual envs of those interpreters.
- Two `pip install .` (each building in a new isolated virtual env, so the interpreter's path
  changes) with a Rust edit between them: the second compiles only the crate.

Builds skip the store (`--no-cache`): these tests are about what cargo compiles.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from conftest import (
    Venv,
    as_rustwheel_project,
    copy_crate,
    frontend_env,
    pyenv_python,
    run_in_venv_of,
    run_rustwheel,
)

pytestmark = pytest.mark.slow

COMPILING = re.compile(r"^\s*Compiling (\S+) v", re.MULTILINE)
EDITED = """
#[pyfunction]
fn edited() -> &'static str {
    "edited"
}
"""


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


def test_switching_interpreters_back_compiles_only_the_crate(tmp_path: Path,
                                                             target_dir: Path) -> None:
    py312, py313 = str(pyenv_python(12)), str(pyenv_python(13))
    crate = copy_crate("pyo3-mixed", tmp_path)
    wheel312, _ = _build(crate, tmp_path / "first", target_dir, py312)
    wheel313, _ = _build(crate, tmp_path / "second", target_dir, py313)
    _edit(crate)
    edited312, compiled = _build(crate, tmp_path / "third", target_dir, py312)
    assert compiled == {"pyo3-mixed"}, compiled
    call = "import mixed_pkg; print(mixed_pkg.sum_as_string(1, 2))"
    assert run_in_venv_of(py313, wheel313, call, tmp_path / "v313") == "3"
    assert run_in_venv_of(py312, wheel312, call, tmp_path / "v312") == "3"
    edited = "from mixed_pkg import _native; print(_native.sum_as_string(2, 2), _native.edited())"
    assert run_in_venv_of(py312, edited312, edited, tmp_path / "v312-edited") == "4 edited"


def test_two_pip_installs_with_a_rust_edit_compile_only_the_crate(
        tmp_path: Path, target_dir: Path, rustwheel_wheelhouse: Path) -> None:
    """`pip install .` builds in a new isolated virtual env each time: the interpreter's path
    changes, its facts do not."""
    crate = copy_crate("pyo3-mixed", tmp_path)
    as_rustwheel_project(crate)
    user = Venv(tmp_path / "venv")
    env = frontend_env(rustwheel_wheelhouse, target_dir, user.python)
    env.update(CARGO_TARGET_DIR=str(target_dir), RUSTWHEEL_PEP517_ARGS="--profile dev --no-cache")
    outputs = []
    for step in ("first", "second"):
        if step == "second":
            _edit(crate)
        proc = subprocess.run([str(user.python), "-m", "pip", "install", "-v", "--no-deps",
                               "--force-reinstall", "--disable-pip-version-check", str(crate)],
                              env=env, capture_output=True, text=True, check=False)
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
        outputs.append(proc.stdout + proc.stderr)
    assert _compiled(outputs[1]) == {"pyo3-mixed"}, outputs[1][-3000:]
    assert user.run_python("from mixed_pkg import _native; print(_native.edited())") == "edited\n"
