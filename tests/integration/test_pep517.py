"""`pip install .` through rustwheel's PEP 517 backend, twice from fresh copies of the sources:
the second install restores the compiled library from the store instead of running cargo."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Venv, as_rustwheel_project, copy_crate

pytestmark = pytest.mark.slow


def test_pip_install_twice_from_fresh_copies_compiles_once(
        tmp_path: Path, make_venv: Callable[..., Venv], rustwheel_wheelhouse: Path) -> None:
    wheels = rustwheel_wheelhouse  # rustwheel itself, for pip's isolated build env
    env = make_venv()
    store = tmp_path / "store"
    logs = []
    for copy in ("first", "second"):
        crate = copy_crate("pyo3-pure-abi3", tmp_path / copy)
        as_rustwheel_project(crate)
        proc = subprocess.run(
            [str(env.python), "-m", "pip", "install", "-v", "--force-reinstall", "--no-deps",
             "--find-links", str(wheels), str(crate)],
            env={**_env(), "RUSTWHEEL_CACHE_DIR": str(store)}, capture_output=True, text=True,
            check=False)
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
        logs.append(proc.stdout + proc.stderr)
        out = env.run_python("import pyo3_pure_abi3 as m; print(m.add(2, 3))")
        assert out == "5\n"
    assert "ran         compile:" in logs[0], logs[0][-2000:]
    assert "restored    compile:" in logs[1] and "ran         compile:" not in logs[1], \
        logs[1][-2000:]


def _env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
