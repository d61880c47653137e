"""`rustwheel develop` after a Rust edit replaces the installed extension in place, without the
installer; a metadata edit runs the installer; killing develop at any moment of a Rust-edit
rebuild never leaves an import that fails."""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import REPO, Venv, copy_crate, run_rustwheel

pytestmark = pytest.mark.slow


def _develop(crate: Path, venv: Venv, target: Path) -> str:
    proc = run_rustwheel(["develop", "--target-dir", str(target)], cwd=crate,
                         env={"VIRTUAL_ENV": str(venv.path)})
    return proc.stderr


def _set_add(crate: Path, body: str) -> None:
    lib = crate / "src" / "lib.rs"
    text = lib.read_text()
    start = text.index("fn add(a: i64, b: i64) -> i64 {")
    end = text.index("}", start)
    lib.write_text(text[:start] + f"fn add(a: i64, b: i64) -> i64 {{\n        {body}\n    " +
                   text[end:])


def _dist_info(venv: Venv, prefix: str) -> Path:
    found = list(venv.path.glob(f"lib/python*/site-packages/{prefix}-*.dist-info"))
    assert len(found) == 1, found
    return found[0]


def _record_matches_files(dist_info: Path) -> None:
    """Every hashed RECORD row matches the installed file (pip's own check)."""
    import base64
    import csv

    site = dist_info.parent
    for name, digest, size in csv.reader(dist_info.joinpath("RECORD").read_text().splitlines()):
        if digest:
            data = (site / name).read_bytes()
            want = "sha256=" + base64.urlsafe_b64encode(
                hashlib.sha256(data).digest()).rstrip(b"=").decode()
            assert (digest, int(size)) == (want, len(data)), name


def test_rust_edit_replaces_the_extension_in_place(tmp_path: Path, target_dir: Path,
                                                   ) -> None:
    venv = Venv(tmp_path / "venv")
    crate = copy_crate("pyo3-pure-abi3", tmp_path)
    target = target_dir / "develop-inplace"
    first = _develop(crate, venv, target)
    assert "updated in place" not in first, first
    assert venv.run_python("import pyo3_pure_abi3 as m; print(m.add(2, 3))") == "5\n"
    dist_info = _dist_info(venv, "pyo3_pure_abi3")
    installer = (dist_info / "INSTALLER").stat()

    _set_add(crate, "a + b + 100")
    second = _develop(crate, venv, target)
    assert "updated in place (1 changed file;" in second, second
    assert venv.run_python("import pyo3_pure_abi3 as m; print(m.add(2, 3))") == "105\n"
    after = (dist_info / "INSTALLER").stat()  # pip rewrites the whole dist-info
    assert (after.st_ino, after.st_mtime_ns) == (installer.st_ino, installer.st_mtime_ns)
    _record_matches_files(dist_info)

    unchanged = _develop(crate, venv, target)
    assert "updated in place (0 changed files;" in unchanged, unchanged

    # A metadata edit: the installer runs, and the new version is what is installed.
    cargo = crate / "Cargo.toml"
    cargo.write_text(cargo.read_text().replace('version = "0.3.0-alpha.1"', 'version = "0.3.1"'))
    third = _develop(crate, venv, target)
    assert "updated in place" not in third, third
    assert _dist_info(venv, "pyo3_pure_abi3").name == "pyo3_pure_abi3-0.3.1.dist-info"
    assert venv.run_python("import pyo3_pure_abi3 as m; print(m.add(2, 3))") == "105\n"
    _record_matches_files(_dist_info(venv, "pyo3_pure_abi3"))
    subprocess.run([str(venv.python), "-m", "pip", "uninstall", "-y", "-q", "pyo3-pure-abi3"],
                   check=True)
    assert not list(venv.path.glob("lib/python*/site-packages/pyo3_pure_abi3*")), \
        "uninstalling left files behind (the shape file must be in RECORD)"


def test_killing_develop_never_breaks_the_import(tmp_path: Path, target_dir: Path) -> None:
    venv = Venv(tmp_path / "venv")
    crate = copy_crate("pyo3-pure-abi3", tmp_path)
    target = target_dir / "develop-kill"
    _develop(crate, venv, target)
    rng = random.Random(20261126)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(VIRTUAL_ENV=str(venv.path), PYTHONPATH=str(REPO))
    seen = set()
    for round_ in range(8):
        _set_add(crate, f"a + b + {round_ + 1}")
        proc = subprocess.Popen([sys.executable, "-m", "rustwheel", "develop", "--target-dir",
                                 str(target)], cwd=crate, env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)
        time.sleep(rng.uniform(0.05, 1.5))
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        value = int(venv.run_python("import pyo3_pure_abi3 as m; print(m.add(0, 0))"))
        assert 0 <= value <= round_ + 1, value
        seen.add(value)
    _develop(crate, venv, target)
    assert venv.run_python("import pyo3_pure_abi3 as m; print(m.add(0, 0))") == "8\n"
    _record_matches_files(_dist_info(venv, "pyo3_pure_abi3"))


def test_mixed_layout_rust_edit_needs_no_installer(tmp_path: Path, target_dir: Path) -> None:
    """A mixed layout's extension lives in the source tree: after a Rust edit it is placed
    there again and nothing in site-packages changes."""
    venv = Venv(tmp_path / "venv")
    crate = copy_crate("pyo3-mixed", tmp_path)
    target = target_dir / "develop-inplace-mixed"
    assert "updated in place" not in _develop(crate, venv, target)
    lib = crate / "src" / "lib.rs"
    lib.write_text(lib.read_text().replace("(a + b).to_string()", 'format!("{}?", a + b)'))
    again = _develop(crate, venv, target)
    assert "updated in place (0 changed files;" in again, again
    assert venv.run_python("import mixed_pkg; print(mixed_pkg.sum_as_string(1, 2))") == "3?\n"
