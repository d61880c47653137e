"""Bad input gives one clear `error:` line (file/key/command at fault + how to fix), no wheel.

Every case copies a test crate into tmp_path, breaks it, runs the real `python -m rustwheel
build` and checks: non-zero exit, exactly one ``error: `` line on stderr naming what is wrong
and how to fix it, no traceback, and an output directory without wheels or temp files.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest
from conftest import copy_crate, run_rustwheel


def _build(out: Path, target_dir: Path, *extra: str, manifest: Path | None = None,
           cwd: Path | None = None,
           env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    args = ["build"]
    if manifest is not None:
        args += ["-m", str(manifest)]
    args += ["-o", str(out), "--target-dir", str(target_dir), *extra]
    return run_rustwheel(args, cwd=cwd, env=env, check=False)


def _error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error: ")]


def _assert_clean_failure(proc: subprocess.CompletedProcess[str], out: Path) -> None:
    dump = f"exit {proc.returncode}\n--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}"
    assert proc.returncode != 0, dump
    assert "Traceback" not in proc.stdout and "Traceback" not in proc.stderr, dump
    if out.exists():
        left = sorted(str(p.relative_to(out)) for p in out.rglob("*"))
        assert not left, f"output dir not empty: {left}\n{dump}"


def _assert_user_error(proc: subprocess.CompletedProcess[str], out: Path,
                       names: Sequence[str], hint: Sequence[str]) -> str:
    """One `error:` line containing every string in ``names`` and at least one of ``hint``."""
    _assert_clean_failure(proc, out)
    dump = f"exit {proc.returncode}\n--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}"
    errors = _error_lines(proc.stderr)
    assert len(errors) == 1, f"expected exactly one 'error: ' line, got {errors}\n{dump}"
    line = errors[0]
    for name in names:
        assert name in line, f"{name!r} not in error line {line!r}\n{dump}"
    assert any(h in line for h in hint), f"no hint ({hint}) in error line {line!r}\n{dump}"
    return line


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# 1. no Cargo.toml --------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["directory", "missing-file"])
def test_manifest_path_without_cargo_toml(tmp_path: Path, target_dir: Path, kind: str) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    manifest = empty if kind == "directory" else empty / "Cargo.toml"
    out = tmp_path / "out"
    proc = _build(out, target_dir, "-i", sys.executable, manifest=manifest)
    line = _assert_user_error(proc, out, names=["Cargo.toml", str(empty)],
                              hint=["--manifest-path"])
    assert "not found" in line


def test_no_manifest_in_cwd(tmp_path: Path, target_dir: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    out = tmp_path / "out"
    proc = _build(out, target_dir, "-i", sys.executable, cwd=empty)
    line = _assert_user_error(proc, out, names=["Cargo.toml", str(empty)],
                              hint=["--manifest-path"])
    assert "no Cargo.toml" in line or "not found" in line


# 2. pyproject.toml that is not TOML ------------------------------------------------------


def test_pyproject_not_valid_toml(tmp_path: Path, target_dir: Path) -> None:
    crate = copy_crate("pyo3-pure-abi3", tmp_path)
    (crate / "pyproject.toml").write_text(
        '[project]\nname = "pyo3-pure-abi3"\nversion 1.0\n', encoding="utf-8")
    out = tmp_path / "out"
    proc = _build(out, target_dir, "-i", sys.executable, manifest=crate / "Cargo.toml")
    line = _assert_user_error(proc, out, names=["pyproject.toml", "line 3"], hint=["fix"])
    assert "column" in line


# 3. unknown bindings ---------------------------------------------------------------------


def test_unknown_bindings_in_pyproject(tmp_path: Path, target_dir: Path) -> None:
    crate = copy_crate("pyo3-pure-abi3", tmp_path)
    _edit(crate / "pyproject.toml", 'bindings = "pyo3"', 'bindings = "nope"')
    out = tmp_path / "out"
    proc = _build(out, target_dir, "-i", sys.executable, manifest=crate / "Cargo.toml")
    _assert_user_error(proc, out, names=["pyproject.toml", "[tool.maturin]", "bindings", "nope"],
                       hint=["pyo3-ffi"])


def test_unknown_bindings_on_command_line(tmp_path: Path, target_dir: Path) -> None:
    crate = copy_crate("pyo3-pure-abi3", tmp_path)
    out = tmp_path / "out"
    proc = _build(out, target_dir, "-i", sys.executable, "-b", "nope",
                  manifest=crate / "Cargo.toml")
    _assert_user_error(proc, out, names=["--bindings", "nope"], hint=["pyo3-ffi"])


# 4-7. pyproject.toml edits that make the configuration invalid ----------------------------

PYPROJECT_EDITS = {
    # case: (crate, text replaced, replacement, substrings naming the fault, hint words)
    "module name with '-'": ("pyo3-mixed", 'module-name = "mixed_pkg._native"',
                             'module-name = "bad-name"',
                             ["pyproject.toml", "module-name", "bad-name"], ["bad_name"]),
    "python-source missing": ("pyo3-mixed", 'python-source = "python"',
                              'python-source = "nowhere"',
                              ["pyproject.toml", "python-source", "nowhere"], ["create", "fix"]),
    "[project] without name": ("pyo3-mixed", 'name = "pyo3-mixed"\n', "",
                               ["pyproject.toml", "[project]", "name"], ["add name"]),
    "version static and dynamic": ("pyo3-pure-abi3", 'dynamic = ["version"]',
                                   'version = "1.0"\ndynamic = ["version"]',
                                   ["pyproject.toml", "version", "dynamic"], ["remove"]),
}


@pytest.mark.parametrize("case", list(PYPROJECT_EDITS))
def test_invalid_pyproject(case: str, tmp_path: Path, target_dir: Path) -> None:
    name, old, new, names, hint = PYPROJECT_EDITS[case]
    crate = copy_crate(name, tmp_path)
    _edit(crate / "pyproject.toml", old, new)
    out = tmp_path / "out"
    proc = _build(out, target_dir, "-i", sys.executable, manifest=crate / "Cargo.toml")
    _assert_user_error(proc, out, names=names, hint=hint)


# 8. a crate that does not compile --------------------------------------------------------


@pytest.mark.slow
def test_compile_error(tmp_path: Path, target_dir: Path) -> None:
    crate = copy_crate("broken-compile", tmp_path)
    out = tmp_path / "out"
    proc = _build(out, target_dir, "-i", sys.executable, manifest=crate / "Cargo.toml")
    dump = f"exit {proc.returncode}\n--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}"
    _assert_clean_failure(proc, out)
    assert "error[E0308]" in proc.stderr, dump  # cargo's own diagnostics are shown
    errors = _error_lines(proc.stderr)
    assert errors, dump
    last = errors[-1]
    assert "cargo" in last, f"last error line is not rustwheel's cargo failure: {last!r}\n{dump}"
    assert "could not compile" not in last, f"last error line is cargo's, not rustwheel's\n{dump}"
    assert "fix" in last, dump
    # rustwheel says it once: exactly one line that names the failed cargo command.
    assert len([e for e in errors if "`cargo" in e]) == 1, dump


# 9. interpreter that does not exist ------------------------------------------------------


def test_interpreter_missing(tmp_path: Path, target_dir: Path) -> None:
    crate = copy_crate("pyo3-pure-abi3", tmp_path)
    out = tmp_path / "out"
    proc = _build(out, target_dir, "-i", "/nonexistent/python3", manifest=crate / "Cargo.toml")
    _assert_user_error(proc, out, names=["/nonexistent/python3", "-i/--interpreter"],
                       hint=["pass an existing"])


# 10. --release with --profile ------------------------------------------------------------


def test_release_and_profile_conflict(tmp_path: Path, target_dir: Path) -> None:
    crate = copy_crate("pyo3-pure-abi3", tmp_path)
    out = tmp_path / "out"
    proc = _build(out, target_dir, "-i", sys.executable, "--release", "--profile", "dev",
                  manifest=crate / "Cargo.toml")
    _assert_user_error(proc, out, names=["--release", "--profile"], hint=["only one"])


# 11. SOURCE_DATE_EPOCH that is not a number ----------------------------------------------


@pytest.mark.slow
def test_source_date_epoch_not_a_number(tmp_path: Path, target_dir: Path) -> None:
    crate = copy_crate("bin-only", tmp_path)
    out = tmp_path / "out"
    proc = _build(out, target_dir, manifest=crate / "Cargo.toml",
                  env={"SOURCE_DATE_EPOCH": "notanumber"})
    _assert_user_error(proc, out, names=["SOURCE_DATE_EPOCH", "notanumber"],
                       hint=["unset", "timestamp"])
