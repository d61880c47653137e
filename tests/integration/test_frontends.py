"""Real PEP 517 / 660 frontends drive rustwheel's backend: python -m build, uv build,
pip install -e . and uv pip install -e . each give a package that imports and works.

Builds use the dev profile, the shared target dir and the session venv's python (through
RUSTWHEEL_PEP517_ARGS), so pyo3 is compiled once for all of them.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
from conftest import Venv, as_rustwheel_project, copy_crate, frontend_env

pytestmark = pytest.mark.slow


def _run(argv: list[str], env: dict[str, str], cwd: Path | None = None) -> str:
    proc = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout + proc.stderr


def _uv() -> str:
    uv = shutil.which("uv")
    assert uv is not None, "uv is in the test extra"
    return uv


def test_python_m_build_sdist_then_wheel(tmp_path: Path, target_dir: Path,
                                         rustwheel_wheelhouse: Path, session_venv: Venv) -> None:
    """`python -m build`: the sdist, then the wheel built from the unpacked sdist; the wheel's
    METADATA is the sdist's PKG-INFO and the package works."""
    crate = copy_crate("pyo3-mixed", tmp_path)
    as_rustwheel_project(crate)
    out = tmp_path / "dist"
    env = frontend_env(rustwheel_wheelhouse, target_dir, session_venv.python)
    _run([sys.executable, "-m", "build", "--outdir", str(out), str(crate)], env)
    sdist = out / "pyo3_mixed-1.2.0.tar.gz"
    (wheel,) = out.glob("*.whl")
    with tarfile.open(sdist) as tar:
        member = tar.extractfile("pyo3_mixed-1.2.0/PKG-INFO")
        assert member is not None
        pkg_info = member.read()
    with zipfile.ZipFile(wheel) as zf:
        assert zf.read("pyo3_mixed-1.2.0.dist-info/METADATA") == pkg_info
    session_venv.install(wheel, force=True)
    assert session_venv.run_python(
        "import mixed_pkg; print(mixed_pkg.sum_as_string(1, 2), mixed_pkg.double(21))") == "3 42\n"


def test_uv_build_workspace_member(tmp_path: Path, target_dir: Path,
                                   rustwheel_wheelhouse: Path, session_venv: Venv) -> None:
    """`uv build` of a workspace member with a path dependency (sdist first, wheel from it)."""
    workspace = copy_crate("workspace", tmp_path)
    member = workspace / "member-ext"
    as_rustwheel_project(member)
    out = tmp_path / "dist"
    env = frontend_env(rustwheel_wheelhouse, target_dir, session_venv.python)
    _run([_uv(), "build", "--out-dir", str(out), str(member)], env)
    assert (out / "member_ext-0.4.0.tar.gz").is_file()
    (wheel,) = out.glob("*.whl")
    session_venv.install(wheel, force=True)
    assert session_venv.run_python("import member_ext; print(member_ext.answer())") == "42\n"


def test_pip_install_editable(tmp_path: Path, target_dir: Path, rustwheel_wheelhouse: Path,
                              session_venv: Venv) -> None:
    """`pip install -e .` (PEP 660, prepare_metadata_for_build_editable first): the extension
    is placed into the source tree, python edits show without reinstalling."""
    crate = copy_crate("pyo3-mixed", tmp_path)
    as_rustwheel_project(crate)
    env = frontend_env(rustwheel_wheelhouse, target_dir, session_venv.python)
    _run([str(session_venv.python), "-m", "pip", "install", "--no-deps", "-e", str(crate)], env)
    assert list((crate / "python" / "mixed_pkg").glob("_native.*.so"))
    code = "import mixed_pkg; print(mixed_pkg.__file__, mixed_pkg.sum_as_string(2, 2))"
    out = session_venv.run_python(code)
    assert out == f"{crate / 'python' / 'mixed_pkg' / '__init__.py'} 4\n"
    init = crate / "python" / "mixed_pkg" / "__init__.py"
    init.write_text(init.read_text() + "\nEDITED = 'yes'\n")
    assert session_venv.run_python("import mixed_pkg; print(mixed_pkg.EDITED)") == "yes\n"
    _run([str(session_venv.python), "-m", "pip", "uninstall", "-y", "-q", "pyo3-mixed"], env)


def test_uv_pip_install_editable(tmp_path: Path, target_dir: Path,
                                 rustwheel_wheelhouse: Path, session_venv: Venv) -> None:
    """`uv pip install -e .` into a venv made by uv."""
    crate = copy_crate("pyo3-mixed", tmp_path)
    as_rustwheel_project(crate)
    env = frontend_env(rustwheel_wheelhouse, target_dir, session_venv.python)
    venv = tmp_path / "uv-venv"
    _run([_uv(), "venv", "-q", "--python", sys.executable, str(venv)], env)
    _run([_uv(), "pip", "install", "--python", str(venv / "bin" / "python"), "--no-deps", "-e",
          str(crate)], env)
    proc = subprocess.run([str(venv / "bin" / "python"), "-c",
                           "import mixed_pkg; print(mixed_pkg.sum_as_string(3, 4))"],
                          capture_output=True, text=True, check=False)
    assert proc.stdout == "7\n", proc.stderr
