"""maturin's `pyo3-pure` shape: ``[project] license = { file = "LICENSE" }`` with ``license``
also in ``dynamic``. The spec forbids it; maturin 1.16 builds it with Cargo's license text and
the file, and so does rustwheel, with a warning naming the rule and the fix."""

from __future__ import annotations

import email
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import HOST_PLATFORM, Venv, copy_crate, run_rustwheel

pytestmark = pytest.mark.slow


def test_pyo3_pure_shape_builds_installs_and_imports(
        tmp_path: Path, target_dir: Path, make_venv: Callable[[str], Venv]) -> None:
    crate = copy_crate("pyo3-license-dynamic", tmp_path)
    out = tmp_path / "out"
    venv = make_venv("venv")
    proc = run_rustwheel(["build", "-m", str(crate / "Cargo.toml"), "-o", str(out),
                          "--target-dir", str(target_dir), "-i", str(venv.python)])
    warnings = [line for line in proc.stderr.splitlines() if "listed in 'dynamic'" in line]
    assert len(warnings) == 1, proc.stderr
    assert warnings[0].startswith("warning: ") and "spec forbids" in warnings[0]
    assert "the [project] value and Cargo.toml's license 'MIT'" in warnings[0]
    assert "remove 'license' from 'dynamic'" in warnings[0]
    wheel = Path(proc.stdout.splitlines()[-1])
    assert wheel.name == f"pyo3_license_dynamic-0.1.0+abc123de-cp39-abi3-{HOST_PLATFORM}.whl"
    with zipfile.ZipFile(wheel) as zf:
        dist_info = "pyo3_license_dynamic-0.1.0+abc123de.dist-info"
        metadata = email.message_from_bytes(zf.read(f"{dist_info}/METADATA"))
        assert f"{dist_info}/licenses/LICENSE" in zf.namelist()
        entry_points = zf.read(f"{dist_info}/entry_points.txt").decode()
    # as maturin 1.16 writes it: Cargo's license as License, the [project] file as License-File
    assert metadata.get_all("License") == ["MIT"]
    assert metadata.get_all("License-File") == ["LICENSE"]
    assert metadata.get_all("License-Expression") is None
    assert metadata["Summary"] == "Implements a dummy function in Rust"
    assert "get_42=pyo3_license_dynamic:DummyClass.get_42" in entry_points
    venv.install(wheel)
    assert venv.run_python("import pyo3_license_dynamic as m; "
                           "print(m.DummyClass.get_42())").strip() == "42"
    # the console script exits with get_42()'s value, as pip's wrapper does sys.exit(f())
    assert subprocess.run([str(venv.bin("get_42"))], check=False).returncode == 42
