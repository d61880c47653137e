"""No virtual env, python3 a pyenv shim: rustwheel resolves the shim as pyenv does, so an
unchanged rebuild takes the no-op shortcut, and a ``.python-version`` edit builds for the
version it names."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import PYENV_VERSIONS, REPO, copy_crate

pytestmark = pytest.mark.slow

SHIMS = PYENV_VERSIONS.parent / "shims"
BUILD = """
import json, sys, rustwheel
r = rustwheel.build(interpreters=("python3",), out=sys.argv[1], target_dir=sys.argv[2],
                    quiet=True)
print(json.dumps({"shortcut": r.shortcut, "wheels": [w.name for w in r.wheels]}))
"""


def _build(crate: Path, out: Path, target: Path) -> dict[str, object]:
    cargo = shutil.which("cargo")
    assert cargo is not None and (SHIMS / "python3").is_file()
    env = {k: v for k, v in os.environ.items()
           if k not in ("VIRTUAL_ENV", "PYENV_VERSION", "PYTHONPATH", "CONDA_PREFIX")}
    env.update(PATH=f"{SHIMS}:{Path(cargo).parent}:/usr/bin:/bin", PYTHONPATH=str(REPO),
               PYENV_ROOT=str(PYENV_VERSIONS.parent))
    proc = subprocess.run([sys.executable, "-c", BUILD, str(out), str(target)], cwd=crate,
                          env=env, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    result: dict[str, object] = json.loads(proc.stdout.splitlines()[-1])
    return result


def test_pyenv_shim_takes_the_no_op_shortcut(tmp_path: Path, target_dir: Path) -> None:
    crate = copy_crate("pyo3-mixed", tmp_path)
    (crate / ".python-version").write_text("3.12\n")
    out = tmp_path / "out"
    first = _build(crate, out, target_dir)
    assert first["shortcut"] is None and "-cp312-cp312-" in str(first["wheels"])
    second = _build(crate, out, target_dir)
    assert second == {**first, "shortcut": "no-op"}

    (crate / ".python-version").write_text("3.11\n")
    third = _build(crate, out, target_dir)
    assert third["shortcut"] is None and "-cp311-cp311-" in str(third["wheels"])
    assert _build(crate, out, target_dir)["shortcut"] == "no-op"
