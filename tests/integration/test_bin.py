"""bin wheels: a pyo3 binary gets per-interpreter tags, required-features pick the binaries,
a python package ships next to the binaries, and [project.scripts] does not mix with them."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import CRATES, Venv, build_wheel, copy_crate, run_rustwheel

pytestmark = pytest.mark.slow
PY = f"cp{sys.version_info[0]}{sys.version_info[1]}"


def _scripts(wheel: Path) -> dict[str, int]:
    with zipfile.ZipFile(wheel) as zf:
        return {i.filename.rsplit("/", 1)[-1]: (i.external_attr >> 16) & 0o777
                for i in zf.infolist() if ".data/scripts/" in i.filename}


def test_pyo3_binary_gets_interpreter_tag_and_runs(tmp_path: Path, target_dir: Path,
                                                   make_venv: Callable[..., Venv]) -> None:
    wheel = build_wheel(CRATES / "bin-pyo3" / "Cargo.toml", tmp_path / "dist", target_dir)
    assert wheel.name == f"bin_pyo3-0.3.0-{PY}-{PY}-manylinux_2_34_x86_64.whl"
    assert _scripts(wheel) == {"bin-pyo3-version": 0o755}
    env = make_venv()
    env.install(wheel)
    out = subprocess.run([str(env.bin("bin-pyo3-version"))], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == f"embedded python {sys.version_info[0]}.{sys.version_info[1]}"


def test_required_features_select_binaries_and_python_package_ships(
        tmp_path: Path, target_dir: Path, make_venv: Callable[..., Venv]) -> None:
    manifest = CRATES / "bin-mixed" / "Cargo.toml"
    plain = build_wheel(manifest, tmp_path / "plain", target_dir)
    assert plain.name == "bin_mixed-0.1.0-py3-none-manylinux_2_34_x86_64.whl"
    assert _scripts(plain) == {"bin-mixed-tool": 0o755}  # bin-mixed-extra needs `extra`
    with zipfile.ZipFile(plain) as zf:
        assert "bin_mixed/__init__.py" in zf.namelist()
    full = build_wheel(manifest, tmp_path / "full", target_dir, "-F", "extra")
    assert _scripts(full) == {"bin-mixed-tool": 0o755, "bin-mixed-extra": 0o755}

    env = make_venv()
    env.install(full)
    for name, text in (("bin-mixed-tool", "bin-mixed tool"),
                       ("bin-mixed-extra", "bin-mixed extra")):
        run = subprocess.run([str(env.bin(name))], capture_output=True, text=True, check=True)
        assert run.stdout.strip() == text
    path = {"PATH": str(env.path / "bin")}
    code = f"import bin_mixed, os; os.environ.update({path!r}); print(bin_mixed.run_tool())"
    assert env.run_python(code).strip() == "bin-mixed tool"


def test_bin_with_project_scripts_is_an_error(tmp_path: Path, target_dir: Path) -> None:
    crate = copy_crate("bin-only", tmp_path)
    pyproject = crate / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + '\n[project.scripts]\nhello = "x:main"\n')
    out = tmp_path / "out"
    proc = run_rustwheel(["build", "-m", str(crate / "Cargo.toml"), "-o", str(out),
                          "--target-dir", str(target_dir)], check=False)
    assert proc.returncode != 0
    errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("error: ")]
    assert len(errors) == 1 and "[project.scripts]" in errors[0] and "remove" in errors[0]
    assert "Traceback" not in proc.stderr and not out.exists()
