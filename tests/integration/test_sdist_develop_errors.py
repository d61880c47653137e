"""Bad input to sdist, the build backend and develop: one `error:` line naming what is wrong
and how to fix it, non-zero exit, no traceback, no output written."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import REPO, copy_crate, run_rustwheel


def _one_error(proc: subprocess.CompletedProcess[str], *needles: str) -> str:
    dump = f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    assert proc.returncode != 0, dump
    assert "Traceback" not in proc.stderr, dump
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, dump
    for needle in needles:
        assert needle in errors[0], dump
    return errors[0]


def test_path_dependency_outside_the_project(tmp_path: Path) -> None:
    workspace = copy_crate("workspace", tmp_path)
    member = workspace / "member-ext"
    outside = tmp_path / "elsewhere" / "helper-lib"
    outside.parent.mkdir()
    (workspace / "helper-lib").rename(outside)
    (workspace / "Cargo.toml").write_text('[workspace]\nresolver = "2"\nmembers = ["member-ext"]'
                                          '\n\n[workspace.package]\nversion = "0.4.0"\n'
                                          'edition = "2021"\n')
    manifest = outside / "Cargo.toml"
    manifest.write_text(manifest.read_text().replace("version.workspace = true",
                                                     'version = "0.4.0"')
                        .replace("edition.workspace = true", 'edition = "2021"'))
    cargo = member / "Cargo.toml"
    cargo.write_text(cargo.read_text().replace('path = "../helper-lib"',
                                               f'path = "{outside}"'))
    out = tmp_path / "out"
    proc = run_rustwheel(["sdist", "-m", str(cargo), "-o", str(out)], check=False)
    _one_error(proc, "helper-lib", "outside the project root", "move it inside")
    assert not out.exists() or not list(out.iterdir())


def test_missing_readme(tmp_path: Path) -> None:
    crate = copy_crate("pyo3-mixed", tmp_path)
    (crate / "README.md").unlink()
    proc = run_rustwheel(["sdist", "-o", str(tmp_path / "out")], cwd=crate, check=False)
    _one_error(proc, "README.md")
    assert (crate / "pyproject.toml").is_file()  # nothing of the user's is touched


def test_unknown_config_setting(tmp_path: Path) -> None:
    crate = copy_crate("pyo3-mixed", tmp_path)
    code = ("import rustwheel, sys; "
            "rustwheel.build_sdist(sys.argv[1], {'colour': 'blue'})")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.run([sys.executable, "-c", code, str(tmp_path / "out")], cwd=crate,
                          env=env, capture_output=True, text=True, check=False)
    _one_error(proc, "colour", "build-args")


def test_develop_without_a_virtual_env(tmp_path: Path) -> None:
    crate = copy_crate("pyo3-mixed", tmp_path)
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "CONDA_PREFIX")}
    env["PYTHONPATH"] = str(REPO)
    proc = subprocess.run([sys.executable, "-m", "rustwheel", "develop"], cwd=crate, env=env,
                          capture_output=True, text=True, check=False)
    _one_error(proc, "no virtual environment", "python -m venv .venv")
    assert not list((crate / "python" / "mixed_pkg").glob("*.so"))


def test_develop_rejects_interpreter_flag(tmp_path: Path) -> None:
    crate = copy_crate("pyo3-mixed", tmp_path)
    proc = run_rustwheel(["develop", "-i", sys.executable], cwd=crate, check=False,
                         env={"VIRTUAL_ENV": sys.prefix})
    _one_error(proc, "-i")
