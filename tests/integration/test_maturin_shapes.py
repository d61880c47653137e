"""Shapes of maturin projects that rustwheel once refused or built differently from maturin 1.16
(found building maturin's own test-crates; README "Drop-in compatibility with maturin"): each
test crate copies one shape, is built as its users build it, installed into a fresh venv and
called there."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import HOST_PLATFORM, build_wheel, copy_crate, run_in_venv_of, run_rustwheel

pytestmark = pytest.mark.slow
PY_TAG = f"cp{sys.version_info[0]}{sys.version_info[1]}"


def _wheel_of(proc: subprocess.CompletedProcess[str]) -> Path:
    wheels = [Path(line) for line in proc.stdout.splitlines() if line.endswith(".whl")]
    assert len(wheels) == 1, proc.stdout + proc.stderr
    return wheels[0]


def test_mixed_rust_workspace_from_the_project_dir(tmp_path: Path, target_dir: Path) -> None:
    """pyo3-mixed-workspace: the python package in src/, `python-packages` naming it and
    `tests`, `manifest-path` to a member two levels below the Rust workspace in rust/."""
    crate = copy_crate("mixed-rust-workspace", tmp_path)
    wheel = _wheel_of(run_rustwheel(["build", "-o", str(tmp_path / "out"), "--target-dir",
                                     str(target_dir), "-i", sys.executable], cwd=crate))
    assert wheel.name == f"mixed_rust_workspace-0.4.1-{PY_TAG}-{PY_TAG}-{HOST_PLATFORM}.whl"
    with zipfile.ZipFile(wheel) as zf:
        metadata = zf.read("mixed_rust_workspace-0.4.1.dist-info/METADATA").decode()
        entry_points = zf.read("mixed_rust_workspace-0.4.1.dist-info/entry_points.txt").decode()
    assert re.findall(r"^Provides-Extra: (.*)$", metadata, re.M) == ["all", "docs", "test"]
    # pyproject's tables in name order, as maturin writes them
    assert re.findall(r"^Requires-Dist: ([\w-]+)", metadata, re.M) == [
        "mixed-rust-workspace", "sphinx", "pytest"]
    assert re.findall(r"^Project-URL: (\w+)", metadata, re.M) == ["Changelog", "Source",
                                                                   "homepage"]
    assert entry_points == ("[console_scripts]\na-mixed-ws-answer=mixed_ws:main\n"
                            "mixed-ws-answer=mixed_ws:main\n[aa_plugins]\nonly=mixed_ws:answer\n"
                            "[zz_plugins]\nfirst=mixed_ws:double\nsecond=mixed_ws:answer\n")
    code = ("import mixed_ws, tests.test_mixed_ws as t; from mixed_ws.helpers.double import "
            "double; t.test_answer(); print(mixed_ws.answer(), double(21), "
            "mixed_ws._native.__file__.rsplit('/', 2)[-2])")
    assert run_in_venv_of(sys.executable, wheel, code, tmp_path / "venv") == "42 42 mixed_ws"
    script = tmp_path / "venv" / "bin" / "mixed-ws-answer"
    assert subprocess.run([str(script)], capture_output=True, text=True,
                          check=True).stdout == "mixed-ws-answer: 42\n"


def test_mixed_rust_workspace_from_the_member_manifest(tmp_path: Path, target_dir: Path) -> None:
    """-m to the member (maturin's own tests build it so): pyproject.toml is found three
    directories up, within the parent of the workspace root."""
    crate = copy_crate("mixed-rust-workspace", tmp_path)
    wheel = build_wheel(crate / "rust" / "python" / "mixed-ws-py" / "Cargo.toml",
                        tmp_path / "out", target_dir)
    assert wheel.name.startswith("mixed_rust_workspace-0.4.1-")
    assert run_in_venv_of(sys.executable, wheel, "import mixed_ws; print(mixed_ws.answer())",
                          tmp_path / "venv") == "42"


def test_workspace_sibling_features_are_not_the_members(tmp_path: Path, target_dir: Path) -> None:
    """bin-workspace-pyo3-feature / pyo3-workspace-abi3-feature: `cargo metadata` unifies the
    members' features; the binary has no pyo3 (py3-none, not a cp wheel) and the extension
    is version-specific (no abi3 from the sibling that enables it)."""
    ws = copy_crate("workspace-sibling-features", tmp_path)
    cli = build_wheel(ws / "cli" / "Cargo.toml", tmp_path / "cli", target_dir)
    assert cli.name == f"sibling_cli-0.2.0-py3-none-{HOST_PLATFORM}.whl"
    run_in_venv_of(sys.executable, cli, "", tmp_path / "cli-venv")
    out = subprocess.run([str(tmp_path / "cli-venv" / "bin" / "sibling-cli")],
                         capture_output=True, text=True, check=True).stdout
    assert out == "sibling-cli: 42\n"
    ext = build_wheel(ws / "ext" / "Cargo.toml", tmp_path / "ext", target_dir)
    assert ext.name == f"sibling_ext-0.2.0-{PY_TAG}-{PY_TAG}-{HOST_PLATFORM}.whl"
    code = "import sibling_ext; print(sibling_ext.answer())"
    assert run_in_venv_of(sys.executable, ext, code, tmp_path / "ext-venv") == "42"


def test_abi3t_crate_below_its_minimum_is_version_specific(tmp_path: Path,
                                                           target_dir: Path) -> None:
    """pyo3-abi3t: pyo3 0.29.0 with `abi3t-py315` built for an older CPython."""
    crate = copy_crate("pyo3-abi3t", tmp_path)
    wheel = build_wheel(crate / "Cargo.toml", tmp_path / "out", target_dir)
    assert wheel.name == f"pyo3_abi3t-0.1.0-{PY_TAG}-{PY_TAG}-{HOST_PLATFORM}.whl"
    assert run_in_venv_of(sys.executable, wheel, "import pyo3_abi3t; print(pyo3_abi3t.answer())",
                          tmp_path / "venv") == "42"


def test_build_script_runs_the_build_interpreter(tmp_path: Path, target_dir: Path) -> None:
    """pyo3-cffi-build-script (cryptography's shape): the build script runs PYO3_PYTHON."""
    crate = copy_crate("pyo3-build-script-python", tmp_path)
    wheel = build_wheel(crate / "Cargo.toml", tmp_path / "out", target_dir)
    assert wheel.name == f"pyo3_build_script_python-0.1.0-cp39-abi3-{HOST_PLATFORM}.whl"
    code = "import pyo3_build_script_python as m; print(m.build_python())"
    assert run_in_venv_of(sys.executable, wheel, code, tmp_path / "venv") == \
        f"{sys.version_info[0]}.{sys.version_info[1]}"
