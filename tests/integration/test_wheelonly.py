"""The python-edit shortcut: only the wheel stage runs, without doit, and doit agrees later."""

from __future__ import annotations

import hashlib
import json
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import copy_crate, run_rustwheel

pytestmark = pytest.mark.slow


def _build(crate: Path, out: Path, target: Path, report: Path, *extra: str) -> dict:
    run_rustwheel(["build", "-m", str(crate / "Cargo.toml"), "-o", str(out), "--target-dir",
                   str(target), "-i", sys.executable, "--report", str(report), *extra])
    data = json.loads(report.read_text())
    data["status"] = {s["task"].split(":")[0]: s["status"] for s in data["stages"]}
    return data


def test_python_edit_runs_only_the_wheel_stage(tmp_path: Path) -> None:
    crate = copy_crate("pyo3-mixed", tmp_path)
    target, out, report = tmp_path / "target", tmp_path / "dist", tmp_path / "report.json"
    # A store of its own: the library is this copy's build (one restored from the session's
    # store would carry another copy's debug-info paths, unlike the reference build below).
    store = ("--cache-dir", str(tmp_path / "store"))
    first = _build(crate, out, target, report, *store)
    assert first["shortcut"] is None and first["status"]["compile"] in ("ran", "restored")

    init = crate / "python" / "mixed_pkg" / "__init__.py"
    init.write_text(init.read_text() + "EDITED = True\n")
    edited = _build(crate, out, target, report, *store)
    assert edited["shortcut"] == "wheel-only", edited
    assert edited["status"] == {"detect": "up to date", "compile": "up to date",
                                "repair": "up to date", "wheel": "ran"}, edited
    wheel = Path(edited["wheels"][0])
    with zipfile.ZipFile(wheel) as zf:
        assert b"EDITED = True" in zf.read("mixed_pkg/__init__.py")
    incremental = _sha256(wheel)

    init.touch()  # same content: nothing to do
    touched = _build(crate, out, target, report, *store)
    assert touched["shortcut"] == "wheel-only"
    assert set(touched["status"].values()) == {"up to date"}, touched

    # A file outside the wheel's own inputs takes the full path through doit, whose
    # database the shortcut kept current: the wheel stage is up to date there too.
    (crate / "Cargo.toml").touch()
    full = _build(crate, out, target, report, *store)
    assert full["shortcut"] is None
    assert set(full["status"].values()) == {"up to date"}, full
    assert _sha256(wheel) == incremental

    # A new python file changes the plan (the file list): full path, wheel reruns.
    (crate / "python" / "mixed_pkg" / "extra.py").write_text("X = 1\n")
    added = _build(crate, out, target, report, *store)
    assert added["shortcut"] is None and added["status"]["wheel"] == "ran", added

    # The same tree from scratch gives the same bytes as the incremental builds.
    ref = _build(crate, tmp_path / "ref", tmp_path / "target-ref", tmp_path / "ref.json",
                 "--no-cache")
    assert _sha256(Path(ref["wheels"][0])) == _sha256(Path(added["wheels"][0]))


def _sha256(path: Path) -> str:
    """Digests, not bytes, in assertions: pytest's diff of two large byte strings is slow."""
    return hashlib.sha256(path.read_bytes()).hexdigest()
