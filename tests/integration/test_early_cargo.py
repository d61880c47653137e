"""After a Rust edit, cargo starts before the task graph loads (`stages.compile.early`) and the
compile stage takes the running cargo; when the plan changed it does not start, and when the
store has the result the early cargo is stopped. Every wheel holds what its sources say.

The compile stage notes in the build's report that it took the early cargo."""

from __future__ import annotations

import json
import re
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import copy_crate, run_rustwheel

from rustwheel.stages.compile.early import NOTE

pytestmark = pytest.mark.slow

FINISHED = re.compile(r"Finished `[^`]+` profile .* in (\d+(?:\.\d+)?)s")


def _build(crate: Path, tmp_path: Path, target: Path, *extra: str,
           ) -> tuple[dict[str, object], str]:
    report = tmp_path / "report.json"
    proc = run_rustwheel(["build", "-m", str(crate / "Cargo.toml"), "-o", str(tmp_path / "dist"),
                          "--target-dir", str(target), "-i", sys.executable,
                          "--compatibility", "linux", "--report", str(report), *extra],
                         timeout=600)
    data = json.loads(report.read_text())
    compile_stage = next(s for s in data["stages"] if s["task"].startswith("compile:"))
    return compile_stage, proc.stderr


def _edit(crate: Path, text: str) -> None:
    """A Rust edit that puts ``marker_<text>`` in the library's read-only data."""
    lib = crate / "src" / "lib.rs"
    body = lib.read_text().split("\n")
    at = next(i for i, line in enumerate(body) if "fn sum_as_string" in line) + 1
    body[at] = (f'        format!("{{}}{{}}", a + b, if a == 987654 {{ "marker_{text}" }} '
                'else { "" })')
    lib.write_text("\n".join(body))


def _library_has(tmp_path: Path, marker: str) -> bool:
    (wheel,) = (tmp_path / "dist").glob("*.whl")
    with zipfile.ZipFile(wheel) as zf:
        name = next(n for n in zf.namelist() if n.endswith(".so"))
        return marker.encode() in zf.read(name)


def test_a_rust_edit_adopts_the_early_cargo(tmp_path: Path, target_dir: Path) -> None:
    _build(copy_crate("pyo3-mixed", tmp_path / "other"), tmp_path, target_dir)
    crate = copy_crate("pyo3-mixed", tmp_path / "src")
    # The stamp that says what cargo runs, here after a compile stage restored from the store
    # (another copy built the same sources), as on a fresh clone.
    stage, stderr = _build(crate, tmp_path, target_dir)
    assert stage["status"] == "restored", stderr

    _edit(crate, "first")
    stage, stderr = _build(crate, tmp_path, target_dir)
    assert stage["status"] == "ran" and stage.get("message") == NOTE, (stage, stderr)
    assert len(FINISHED.findall(stderr)) == 1 and stderr.count("Compiling pyo3-mixed") == 1, \
        stderr
    assert _library_has(tmp_path, "marker_first")

    # The plan changed (a feature of the build asked for in pyproject.toml): no early start.
    pyproject = crate / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + "\n# a comment changes the file\n")
    _edit(crate, "second")
    stage, stderr = _build(crate, tmp_path, target_dir)
    assert stage["status"] == "ran" and "message" not in stage, (stage, stderr)
    assert _library_has(tmp_path, "marker_second")


def test_a_result_in_the_store_stops_the_early_cargo(tmp_path: Path, target_dir: Path) -> None:
    crate = copy_crate("pyo3-mixed", tmp_path / "src")
    lib = crate / "src" / "lib.rs"
    original = lib.read_text()
    _build(crate, tmp_path, target_dir)
    _edit(crate, "third")
    _build(crate, tmp_path, target_dir)

    lib.write_text(original)  # back to a version the store holds
    stage, stderr = _build(crate, tmp_path, target_dir)
    assert stage["status"] == "restored", stderr
    assert not _library_has(tmp_path, "marker_third")
    lock = target_dir / "rustwheel" / "locks"
    for path in lock.glob("*.lock") if lock.is_dir() else ():
        import fcntl

        with open(path, "a+") as f:  # the stopped cargo's lock is free again
            fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)

    _edit(crate, "fourth")  # and the next edit builds as usual
    stage, _ = _build(crate, tmp_path, target_dir)
    assert stage["status"] == "ran" and _library_has(tmp_path, "marker_fourth")


def test_with_doit_workers_cargo_does_not_start_early(tmp_path: Path, target_dir: Path) -> None:
    """``-j 2`` runs the stages in doit's worker processes, which could not take over a cargo
    the main process started (nor its lock): the build runs cargo itself, and ends."""
    crate = copy_crate("pyo3-mixed", tmp_path / "src")
    _build(crate, tmp_path, target_dir, "-j", "2")
    _edit(crate, "fifth")
    stage, stderr = _build(crate, tmp_path, target_dir, "-j", "2")
    assert stage["status"] == "ran" and "message" not in stage, (stage, stderr)
    assert _library_has(tmp_path, "marker_fifth")
