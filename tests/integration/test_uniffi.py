"""uniffi bindings: uniffi-bindgen in library mode, the generated modules and the library in
the wheel, installed and called; cached like the other stages; a clear error without the tool."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import CRATES, Venv, build_wheel, copy_crate, run_rustwheel, stage_statuses

pytestmark = pytest.mark.slow

CASES = {
    # crate: (wheel name, files besides dist-info, python check printing OK)
    "uniffi-udl": (
        "uniffi_udl_demo-0.1.0-py3-none-manylinux_2_34_x86_64.whl",
        ["uniffi_udl_demo/__init__.py", "uniffi_udl_demo/libudl_native.so",
         "uniffi_udl_demo/uniffi_udl_demo.py"],
        ("import uniffi_udl_demo as m\nassert m.add(2, 3) == 5\n"
         "assert m.hello('world') == 'Hello, world!'\n")),
    "uniffi-procmacro": (
        "uniffi_procmacro-0.2.0-py3-none-manylinux_2_34_x86_64.whl",
        ["uniffi_procmacro/__init__.py", "uniffi_procmacro/libuniffi_procmacro.so",
         "uniffi_procmacro/uniffi_procmacro.py"],
        "import uniffi_procmacro as m\nassert m.multiply(6, 7) == 42\n"),
}


@pytest.mark.parametrize("crate", list(CASES))
def test_build_install_call(crate: str, tmp_path: Path, target_dir: Path,
                            make_venv: Callable[..., Venv]) -> None:
    name, files, check = CASES[crate]
    wheel = build_wheel(CRATES / crate / "Cargo.toml", tmp_path / "dist", target_dir)
    assert wheel.name == name
    with zipfile.ZipFile(wheel) as zf:
        body = [n for n in zf.namelist() if ".dist-info/" not in n]
        assert body == files
        module = files[0].split("/")[0]
        init = zf.read(f"{module}/__init__.py").decode()
        assert init == f"from .{Path(files[2]).stem} import *  # NOQA\n"
        lib = zf.getinfo(files[1])
        assert (lib.external_attr >> 16) & 0o777 == 0o755
    env = make_venv()
    env.install(wheel)
    assert env.run_python(check + "print('OK')\n") == "OK\n"


def _renamed_copy(tmp_path: Path) -> Path:
    """A copy under another crate name: cargo keeps one cdylib per crate name in a target dir,
    so an edited copy of the same crate would replace the original's library for other tests."""
    crate = copy_crate("uniffi-procmacro", tmp_path)
    for name in ("Cargo.toml", "Cargo.lock", "pyproject.toml"):
        f = crate / name
        f.write_text(f.read_text().replace("uniffi-procmacro", "uniffi-procmacro-edit")
                     .replace("uniffi_procmacro", "uniffi_procmacro_edit"))
    return crate


def test_bindgen_stage_is_incremental_and_cached(tmp_path: Path, target_dir: Path) -> None:
    crate = _renamed_copy(tmp_path)
    args = ["build", "-m", str(crate / "Cargo.toml"), "-o", str(tmp_path / "out"),
            "--target-dir", str(target_dir), "--cache-dir", str(tmp_path / "store")]
    first = stage_statuses(run_rustwheel(args).stderr)
    assert {k.split(":")[0] for k, v in first.items() if v != "up to date"} >= {"bindgen", "wheel"}
    again = stage_statuses(run_rustwheel(args).stderr)
    assert set(again.values()) == {"up to date"}, again
    lib = crate / "src" / "lib.rs"
    lib.write_text(lib.read_text() + "\n#[uniffi::export]\nfn subtract(a: i64, b: i64) -> i64 "
                   "{ a - b }\n")
    edited = stage_statuses(run_rustwheel(args).stderr)
    assert edited[next(k for k in edited if k.startswith("bindgen:"))] == "ran", edited
    wheel = next((tmp_path / "out").glob("*.whl"))
    with zipfile.ZipFile(wheel) as zf:
        module = zf.read("uniffi_procmacro_edit/uniffi_procmacro_edit.py").decode()
        assert "def subtract(" in module


def test_missing_uniffi_bindgen_is_one_clear_error(tmp_path: Path, target_dir: Path) -> None:
    crate = copy_crate("uniffi-procmacro", tmp_path)
    here = str(Path(sys.executable).parent)
    path = os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep)
                           if p != here and not (Path(p) / "uniffi-bindgen").exists())
    out = tmp_path / "out"
    proc = run_rustwheel(["build", "-m", str(crate / "Cargo.toml"), "-o", str(out),
                          "--target-dir", str(target_dir), "--no-cache"],
                         env={"PATH": path}, check=False)
    assert proc.returncode != 0
    errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("error: ")]
    assert len(errors) == 1, proc.stderr
    assert "uniffi-bindgen" in errors[0] and "pip install uniffi-bindgen" in errors[0]
    assert "Traceback" not in proc.stderr and not list(out.glob("*.whl"))


@pytest.mark.parametrize("crate", list(CASES))
def test_same_files_as_maturin(crate: str, tmp_path: Path, target_dir: Path) -> None:
    """The package files match `maturin build` (the SBOM's content differs: see the parity
    test; maturin's SBOM file is named after the crate as well)."""
    ours = build_wheel(CRATES / crate / "Cargo.toml", tmp_path / "ours", target_dir)
    proc = subprocess.run(
        [sys.executable, "-m", "maturin", "build", "-m", str(CRATES / crate / "Cargo.toml"),
         "-o", str(tmp_path / "maturin")],
        env={**os.environ, "CARGO_TARGET_DIR": str(target_dir / "maturin")},
        capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    (theirs,) = (tmp_path / "maturin").glob("*.whl")
    assert theirs.name == ours.name
    with zipfile.ZipFile(ours) as a, zipfile.ZipFile(theirs) as b:
        assert a.namelist() == b.namelist()
        for name in a.namelist():
            if name.endswith((".py",)):
                assert a.read(name) == b.read(name), name


def test_crate_local_uniffi_bindgen_binary(tmp_path: Path, target_dir: Path,
                                           make_venv: Callable[..., Venv]) -> None:
    """A crate with its own `uniffi-bindgen` bin builds it with `cargo run` (its
    required-features enabled) instead of looking on PATH, where there is none here."""
    here = str(Path(sys.executable).parent)
    path = os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep)
                           if p != here and not (Path(p) / "uniffi-bindgen").exists())
    proc = run_rustwheel(["build", "-m", str(CRATES / "uniffi-localbindgen" / "Cargo.toml"),
                          "-o", str(tmp_path / "dist"), "--target-dir", str(target_dir)],
                         env={"PATH": path})
    (wheel,) = (tmp_path / "dist").glob("*.whl")
    assert wheel.name == "uniffi_localbindgen-0.1.0-py3-none-manylinux_2_34_x86_64.whl", \
        proc.stderr
    env = make_venv()
    env.install(wheel)
    code = "import uniffi_localbindgen as m\nprint(m.join('a', 'b'))\n"
    assert env.run_python(code) == "a-b\n"
