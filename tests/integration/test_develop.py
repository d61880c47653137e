"""`rustwheel develop` into a real virtual env: the editable install of a mixed project, python
edits visible without reinstalling, and with --auto-rebuild a Rust edit visible at the next
import (while an unchanged project imports without rebuilding)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Venv, copy_crate, run_rustwheel

pytestmark = pytest.mark.slow


def _edit_target(target_dir: Path) -> Path:
    """The Rust edit is built in a target dir of its own: cargo names a cdylib without a hash,
    so copies of one crate sharing a target dir share ``libmixed_native.so``, and cargo would
    call an unedited copy built earlier fresh while that file holds the edited build."""
    return target_dir / "develop-edit"


def _env(venv: Venv) -> dict[str, str]:
    return {"VIRTUAL_ENV": str(venv.path)}


def _import(venv: Venv, code: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run([str(venv.python), "-c", code], capture_output=True, text=True,
                          env=env, check=False)


def test_develop_auto_rebuild(tmp_path: Path, target_dir: Path, session_venv: Venv) -> None:
    crate = copy_crate("pyo3-mixed", tmp_path)
    os.utime(crate / "src" / "lib.rs")  # copies keep mtimes: make cargo compare content anew
    # Store writes after the command, as on a desk: the stamp the hook reads is not one of
    # them (it is there when the command returns).
    env = {**_env(session_venv), "RUSTWHEEL_CACHE_WRITE": "background"}
    proc = run_rustwheel(["develop", "--auto-rebuild", "--target-dir",
                          str(_edit_target(target_dir))], cwd=crate, env=env)
    assert "(editable)" in proc.stderr, proc.stderr
    placed = list((crate / "python" / "mixed_pkg").glob("_native.*.so"))
    assert len(placed) == 1
    pip = subprocess.run([str(session_venv.python), "-m", "pip", "list", "-e",
                          "--disable-pip-version-check"], capture_output=True, text=True,
                         check=True)
    assert "pyo3-mixed" in pip.stdout  # direct_url.json says editable

    call = "import mixed_pkg; print(mixed_pkg.sum_as_string(1, 2))"
    first = _import(session_venv, call)
    assert first.stdout == "3\n" and "rebuilding" not in first.stderr, first.stderr

    init = crate / "python" / "mixed_pkg" / "__init__.py"
    init.write_text(init.read_text() + "\nEDITED = 'python'\n")
    out = _import(session_venv, "import mixed_pkg; print(mixed_pkg.EDITED)")
    assert out.stdout == "python\n" and "rebuilding" not in out.stderr, out.stderr

    lib = crate / "src" / "lib.rs"
    lib.write_text(lib.read_text().replace("(a + b).to_string()", 'format!("{}!", a + b)'))
    rebuilt = _import(session_venv, call)
    assert rebuilt.stdout == "3!\n", rebuilt.stderr
    assert "rebuilding" in rebuilt.stderr
    again = _import(session_venv, call)
    assert again.stdout == "3!\n" and "rebuilding" not in again.stderr, again.stderr
    subprocess.run([str(session_venv.python), "-m", "pip", "uninstall", "-y", "-q",
                    "pyo3-mixed"], check=True)


def test_develop_skip_install_places_extension_only(tmp_path: Path, target_dir: Path,
                                                    session_venv: Venv) -> None:
    crate = copy_crate("pyo3-mixed", tmp_path)
    proc = run_rustwheel(["develop", "--skip-install", "--target-dir", str(target_dir)],
                         cwd=crate, env=_env(session_venv))
    assert proc.stdout.strip().endswith(".whl")
    assert list((crate / "python" / "mixed_pkg").glob("_native.*.so"))
    assert "installed" not in proc.stderr


def _pure_wheel(where: Path) -> Path:
    """A one-module wheel (helper-pkg 1.0) for a dependency group to name by file URL."""
    import zipfile

    from rustwheel.spec.wheelfile import record_hash

    files = {"helper_pkg/__init__.py": b"VALUE = 42\n",
             "helper_pkg-1.0.dist-info/METADATA":
                 b"Metadata-Version: 2.1\nName: helper-pkg\nVersion: 1.0\n",
             "helper_pkg-1.0.dist-info/WHEEL":
                 b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"}
    record = "".join(f"{name},{record_hash(data)},{len(data)}\n" for name, data in files.items())
    wheel = where / "helper_pkg-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
        zf.writestr("helper_pkg-1.0.dist-info/RECORD",
                    record + "helper_pkg-1.0.dist-info/RECORD,,\n")
    return wheel


def test_develop_installs_dependency_groups(tmp_path: Path, target_dir: Path,
                                            make_venv: Callable[[str], Venv]) -> None:
    crate = copy_crate("pyo3-mixed", tmp_path)
    helper = _pure_wheel(tmp_path)
    with open(crate / "pyproject.toml", "a", encoding="utf-8") as f:
        f.write(f'\n[dependency-groups]\ndev = [{{include-group = "test"}}]\n'
                f'test = ["helper-pkg @ {helper.as_uri()}"]\n')
    venv = make_venv("groups")
    unknown = run_rustwheel(["develop", "--group", "lint", "--target-dir", str(target_dir)],
                            cwd=crate, env=_env(venv), check=False)
    assert unknown.returncode == 1, unknown.stderr
    assert "error:" in unknown.stderr and "has no group 'lint' (groups: dev, test)" \
        in unknown.stderr
    assert "compile:" not in unknown.stderr  # refused before anything was built

    run_rustwheel(["develop", "--group", "dev", "--target-dir", str(target_dir)], cwd=crate,
                  env=_env(venv))
    out = _import(venv, "import helper_pkg, mixed_pkg; print(helper_pkg.VALUE)")
    assert out.stdout == "42\n", out.stderr


def test_develop_pip_path_installs_into_an_env_without_pip(tmp_path: Path,
                                                           target_dir: Path) -> None:
    import sys
    import venv

    crate = copy_crate("pyo3-mixed", tmp_path)
    bare = tmp_path / "bare"
    venv.EnvBuilder(with_pip=False).create(bare)
    env = {"VIRTUAL_ENV": str(bare)}
    args = ["develop", "--target-dir", str(target_dir)]
    assert run_rustwheel(args, cwd=crate, env=env, check=False).returncode != 0  # no pip there
    for flags, words in ((["--pip-path", str(tmp_path / "no-pip")], "not an executable file"),
                         (["--pip-path", "pip", "--uv"], "give one of them")):
        refused = run_rustwheel([*args, *flags], cwd=crate, env=env, check=False)
        assert refused.returncode == 1 and "error: --pip-path" in refused.stderr \
            and words in refused.stderr, refused.stderr

    run_rustwheel([*args, "--pip-path", str(Path(sys.executable).parent / "pip")], cwd=crate,
                  env=env)
    out = subprocess.run([str(bare / "bin" / "python"), "-c",
                          "import mixed_pkg; print(mixed_pkg.sum_as_string(1, 2))"],
                         capture_output=True, text=True, check=False)
    assert out.stdout == "3\n", out.stderr
