"""`rustwheel new` / `rustwheel init` end to end: every variant builds with `rustwheel build`
as generated, installs into a fresh virtual env with pip, and passes its own generated test
there with that env's pytest; `init` never touches an existing file; bad names are one line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import Venv, run_rustwheel

VARIANTS = {
    "pyo3": [], "pyo3-mixed": ["--mixed"], "pyo3-src": ["--mixed", "--src"],
    "cffi": ["-b", "cffi"], "uniffi": ["-b", "uniffi"], "bin": ["-b", "bin"],
}
Snapshot = dict[str, tuple[bytes, int, int]]


def snapshot(root: Path) -> Snapshot:
    """Every file and directory below ``root``: bytes, mode and mtime."""
    out: Snapshot = {}
    for path in sorted(root.rglob("*")):
        st = path.lstat()
        data = path.read_bytes() if path.is_file() else b""
        out[path.relative_to(root).as_posix()] = (data, st.st_mode, st.st_mtime_ns)
    return out


def one_error_line(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode != 0 and proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("error: "), proc.stderr
    assert "Traceback" not in proc.stderr
    return proc.stderr


@pytest.mark.slow
@pytest.mark.parametrize("variant", list(VARIANTS))
def test_new_project_builds_installs_and_passes_its_test(variant: str, tmp_path: Path,
                                                         target_dir: Path) -> None:
    name = f"new-{variant}"
    project = tmp_path / name
    run_rustwheel(["new", str(project), *VARIANTS[variant]])
    # built as generated: from the project directory, no -m; only where cargo's outputs go and
    # the interpreter are chosen by the test
    proc = run_rustwheel(["build", "--out", "dist", "--target-dir", str(target_dir),
                          "-i", sys.executable], cwd=project)
    wheels = [project / line for line in proc.stdout.splitlines() if line.endswith(".whl")]
    assert len(wheels) == 1, proc.stdout + proc.stderr
    env = Venv(tmp_path / "venv")
    subprocess.run([str(env.python), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                    "pytest", str(wheels[0])], check=True)
    test = subprocess.run([str(env.python), "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "tests"], cwd=project, text=True, capture_output=True, check=False)
    assert test.returncode == 0, test.stdout + test.stderr
    assert " passed" in test.stdout and "failed" not in test.stdout


@pytest.mark.slow
def test_generated_dodo_lists_the_graph(tmp_path: Path, target_dir: Path) -> None:
    """The generated dodo.py is the README's recipe: `doit list` shows rustwheel's tasks and
    the test task hanging on them."""
    project = tmp_path / "dodo-project"
    run_rustwheel(["new", str(project)])
    env = dict(os.environ, CARGO_TARGET_DIR=str(target_dir), VIRTUAL_ENV=sys.prefix)
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
    proc = subprocess.run([sys.executable, "-m", "doit", "list", "--all"], cwd=project, env=env,
                          text=True, capture_output=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    tasks = {line.split()[0] for line in proc.stdout.splitlines() if line.strip()}
    assert {"detect", "test", "wheel"} <= tasks
    assert "compile:cp39-abi3-x86_64-unknown-linux-gnu" in tasks


def test_init_in_a_populated_directory_touches_nothing(tmp_path: Path) -> None:
    project = tmp_path / "existing"
    (project / "src").mkdir(parents=True)
    (project / "src" / "lib.rs").write_text("// mine\n")
    (project / "README.md").write_text("# mine\n")
    (project / ".gitignore").write_text("mine\n")
    os.chmod(project / "README.md", 0o600)
    before = snapshot(project)
    proc = run_rustwheel(["init", str(project)], check=False)
    error = one_error_line(proc)
    assert "already has .gitignore, src/lib.rs; nothing was written" in error
    assert snapshot(project) == before
    proc = run_rustwheel(["init", "--mixed"], cwd=project, check=False)
    one_error_line(proc)
    assert snapshot(project) == before


def test_init_keeps_unrelated_files(tmp_path: Path) -> None:
    project = tmp_path / "has-readme"
    project.mkdir()
    (project / "README.md").write_text("# mine\n")
    before = snapshot(project)
    run_rustwheel(["init", "-b", "cffi"], cwd=project)
    after = snapshot(project)
    assert after["README.md"] == before["README.md"]
    assert {"Cargo.toml", "pyproject.toml", "src/lib.rs", "tests/test_has_readme.py",
            "dodo.py", ".gitignore"} <= set(after)


def test_new_refuses_a_non_empty_directory(tmp_path: Path) -> None:
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("")
    error = one_error_line(run_rustwheel(["new", str(tmp_path / "full")], check=False))
    assert "is not empty" in error
    assert [p.name for p in (tmp_path / "full").iterdir()] == ["x"]


@pytest.mark.parametrize("args", [["1abc"], ["ok", "--name", "foo.bar"], ["ok", "--name", "fn"],
                                  ["ok", "--name", "a b"], ["ok", "--name", "test"],
                                  ["tool", "-b", "bin", "--mixed"]])
def test_bad_names_are_one_line(args: list[str], tmp_path: Path) -> None:
    path, *rest = args
    error = one_error_line(run_rustwheel(["new", str(tmp_path / path), *rest], check=False))
    assert "not a valid project name" in error or "leave out --mixed" in error
    assert not (tmp_path / path).exists()
