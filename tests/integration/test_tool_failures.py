"""A failing tool's own error survives into rustwheel's: its first error line on rustwheel's one
``error:`` line (which names the command), the lines explaining it indented below, in order.

Real cargo, rustc and cbindgen on broken copies of the test crates; nothing is mocked.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import copy_crate, run_rustwheel


def _build(crate: Path, target_dir: Path, *extra: str,
           env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return run_rustwheel(["build", "-m", str(crate / "Cargo.toml"), "-o", str(crate / "out"),
                          "--target-dir", str(target_dir), "-i", sys.executable, *extra],
                         env={"CARGO_NET_RETRY": "0", **(env or {})}, check=False)


def _error(proc: subprocess.CompletedProcess[str], command: str) -> tuple[str, list[str]]:
    """rustwheel's one ``error:`` line about ``command`` and the indented lines below it."""
    dump = f"exit {proc.returncode}\n--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}"
    assert proc.returncode != 0, dump
    assert "Traceback" not in proc.stderr, dump
    lines = proc.stderr.splitlines()
    ours = [n for n, line in enumerate(lines) if line.startswith(f"error: `{command} ")]
    assert len(ours) == 1, dump
    below = []
    for line in lines[ours[0] + 1:]:
        if not line.startswith("  "):
            break
        below.append(line)
    return lines[ours[0]], below


def _in_order(lines: list[str], *parts: str) -> None:
    text = "\n".join(lines)
    where = [text.find(p) for p in parts]
    assert -1 not in where and where == sorted(where), f"{parts} not in order in:\n{text}"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_version_that_does_not_exist(tmp_path: Path, target_dir: Path) -> None:
    """Through a path dependency, so that cargo's chain has two links."""
    crate = copy_crate("pyo3-pure-abi3", tmp_path)
    inner = crate / "inner"
    (inner / "src").mkdir(parents=True)
    (inner / "src" / "lib.rs").write_text("", encoding="utf-8")
    (inner / "Cargo.toml").write_text('[package]\nname = "inner"\nversion = "0.1.0"\n'
                                      'edition = "2021"\n\n[dependencies]\n'
                                      'pyo3 = "=0.99.0"\n', encoding="utf-8")
    _edit(crate / "Cargo.toml", "[dependencies]\n", '[dependencies]\ninner = { path = "inner" }\n')
    line, below = _error(_build(crate, target_dir), "cargo metadata")
    assert 'failed to select a version for the requirement `pyo3 = "=0.99.0"`' in line, line
    assert "check the dependencies in" in line, line
    _in_order(below, "candidate versions found", "required by package `inner v0.1.0",
              "which satisfies path dependency `inner` of package `pyo3-pure-abi3")


def test_lock_pinning_a_missing_version_with_locked(tmp_path: Path, target_dir: Path) -> None:
    crate = copy_crate("pyo3-pure-abi3", tmp_path)
    lock = crate / "Cargo.lock"
    text = lock.read_text(encoding="utf-8")
    pinned = text.index('name = "pyo3-build-config"\nversion = "')
    end = text.index("\n", pinned + 27)
    lock.write_text(text[:pinned + 27] + 'version = "0.30.99"' + text[end:], encoding="utf-8")
    line, below = _error(_build(crate, target_dir, "--locked"), "cargo metadata")
    assert "--locked" in line, line
    assert f"cannot update the lock file {lock}" in line, line
    assert any(b.strip().startswith("help: ") for b in below), below


def test_git_dependency_that_cannot_be_fetched(tmp_path: Path, target_dir: Path) -> None:
    crate = copy_crate("pyo3-pure-abi3", tmp_path)
    _edit(crate / "Cargo.toml", "[dependencies]\n",
          '[dependencies]\nfoo = { git = "https://someone:s3cr3t-t0ken@127.0.0.1:9/none.git" }\n')
    proc = _build(crate, target_dir)
    line, below = _error(proc, "cargo metadata")
    assert "failed to get `foo` as a dependency" in line, line
    _in_order(below, "Caused by:", "failed to load source for dependency `foo`",
              "unable to update https://someone:***@127.0.0.1:9/none.git",
              "Connection refused")
    assert "s3cr3t-t0ken" not in proc.stderr + proc.stdout


def test_compile_error_keeps_rustcs_first_error(tmp_path: Path, target_dir: Path) -> None:
    crate = copy_crate("broken-compile", tmp_path)
    line, below = _error(_build(crate, target_dir), "cargo rustc")
    assert "error[E0308]: mismatched types" in line, line
    assert below[0].strip() == "--> src/lib.rs:10:26", below


def test_cbindgen_parse_failure(tmp_path: Path, target_dir: Path) -> None:
    crate = copy_crate("cffi-pure", tmp_path)
    with open(crate / "src" / "lib.rs", "a", encoding="utf-8") as fh:
        fh.write("\npub fn broken( {\n")
    line, below = _error(_build(crate, target_dir), "cbindgen")
    assert f"to write the header of {crate}" in line, line
    assert "Parsing crate `cffi-pure`" in line, line
    assert any("lex error" in b for b in below), below


def test_build_script_failure(tmp_path: Path, target_dir: Path) -> None:
    """The crate's build script fails: cargo's first line, then the script's own error (not
    its ``cargo:`` directives)."""
    crate = copy_crate("pyo3-pure-abi3", tmp_path)
    (crate / "build.rs").write_text(
        'fn main() {\n    println!("cargo:rerun-if-changed=build.rs");\n'
        '    eprintln!("error: the frobnicator is missing");\n    std::process::exit(1);\n}\n',
        encoding="utf-8")
    line, below = _error(_build(crate, target_dir), "cargo rustc")
    assert "failed to run custom build command for `pyo3-pure-abi3" in line, line
    _in_order(below, "Caused by:", "--- stderr", "error: the frobnicator is missing")
    assert not any("cargo:rerun-if" in b for b in below), below
