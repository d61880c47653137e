"""cffi bindings end to end: the header stage (cbindgen or a build script's header.h, then cffi's
ffi.py), the wheel layout, installing and calling the library, caching, and bad input.

Wheel file lists, tags and the bytes of `__init__.py` / `ffi.py` are compared with
`maturin build` in test_maturin_parity.py (the cffi crates are in its CRATES table).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import (
    HOST_PLATFORM,
    Venv,
    build_wheel,
    check_record,
    copy_crate,
    run_rustwheel,
    stage_statuses,
)

pytestmark = pytest.mark.slow

PLATFORM_TAG = HOST_PLATFORM

# crate -> (wheel file name, archive members besides .dist-info, python code checking it)
CFFI_CRATES: dict[str, tuple[str, list[str], str]] = {
    "cffi-pure": (
        f"cffi_pure-0.1.0-py3-none-{PLATFORM_TAG}.whl",
        ["cffi_pure/__init__.py", "cffi_pure/ffi.py", "cffi_pure/libcffi_pure.so"],
        ("from cffi_pure import ffi, lib\n"
         "assert lib.add(2, 3) == 5\n"
         "p = lib.make_point(3.0, 4.0)\n"
         "assert (p.x, p.y) == (3.0, 4.0) and lib.point_norm_squared(p) == 25.0\n"
         "assert ffi.sizeof('Point') == 16\n"
         "print('ok')\n")),
    "cffi-mixed": (
        f"cffi_mixed-0.2.0-py3-none-{PLATFORM_TAG}.whl",
        ["cffi_pkg/__init__.py", "cffi_pkg/_lowlevel/__init__.py", "cffi_pkg/_lowlevel/ffi.py",
         "cffi_pkg/_lowlevel/lib_lowlevel.so"],
        ("import cffi_pkg\n"
         "from cffi_pkg._lowlevel import lib\n"
         "assert lib.add(2, 3) == 5 and lib.multiply(6, 7) == 42\n"
         "assert cffi_pkg.add_then_double(2, 3) == 10\n"
         "print('ok')\n")),
    "cffi-build-header": (
        f"cffi_build_header-0.1.0-py3-none-{PLATFORM_TAG}.whl",
        ["cffi_build_header/__init__.py", "cffi_build_header/ffi.py",
         "cffi_build_header/libcffi_build_header.so"],
        ("from cffi_build_header import lib\n"
         "assert lib.add(2, 3) == 5 and lib.answer() == 42\n"
         "print('ok')\n")),
}


def crate_target(crate: str, target_dir: Path) -> Path:
    """cffi-build-header writes `<target dir>/header.h`, which every cffi crate built in that
    target dir would then use: it gets a target dir of its own."""
    return target_dir / "own" / crate if crate == "cffi-build-header" else target_dir


def path_without(program: str, scratch: Path) -> str:
    """PATH with ``program`` hidden: a directory holding it is replaced by a mirror of symlinks
    to everything else in it (so cargo, cc and the linker stay reachable)."""
    dirs = []
    for i, d in enumerate(os.environ.get("PATH", "").split(os.pathsep)):
        if not d or not (Path(d) / program).exists():
            dirs.append(d)
            continue
        mirror = scratch / f"path-{i}"
        mirror.mkdir(parents=True)
        for entry in Path(d).iterdir():
            if entry.name != program:
                (mirror / entry.name).symlink_to(entry)
        dirs.append(str(mirror))
    path = os.pathsep.join(dirs)
    assert shutil.which(program, path=path) is None
    return path


@pytest.fixture(scope="module")
def cffi_venv(tmp_path_factory: pytest.TempPathFactory) -> Venv:
    """One fresh virtual env with cffi installed from the package index (or pip's cache)."""
    venv = Venv(tmp_path_factory.mktemp("cffi-venv") / "venv")
    subprocess.run([str(venv.python), "-m", "pip", "install", "-q",
                    "--disable-pip-version-check", "cffi"], check=True)
    return venv


def _build(manifest: Path, out: Path, target: Path, *extra: str,
           env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return run_rustwheel(["build", "-m", str(manifest), "-o", str(out), "--target-dir",
                          str(target), "-i", sys.executable, *extra], env=env, check=False)


@pytest.mark.parametrize("crate", list(CFFI_CRATES))
def test_build_install_and_call(crate: str, tmp_path: Path, target_dir: Path,
                                cffi_venv: Venv) -> None:
    name, members, check = CFFI_CRATES[crate]
    src = copy_crate(crate, tmp_path)
    wheel = build_wheel(src / "Cargo.toml", tmp_path / "out", crate_target(crate, target_dir))
    assert wheel.name == name
    with zipfile.ZipFile(wheel) as zf:
        check_record(zf)
        assert [n for n in zf.namelist() if ".dist-info/" not in n] == members
        lib = next(n for n in members if n.endswith(".so"))
        assert zf.read(lib)[:4] == b"\x7fELF"
        assert zf.getinfo(lib).external_attr >> 16 & 0o777 == 0o755
    cffi_venv.install(wheel)
    assert cffi_venv.run_python(check).strip() == "ok"


def test_missing_cffi_dependency_warns(tmp_path: Path, target_dir: Path) -> None:
    """cffi-build-header deliberately lacks cffi in [project] dependencies; cffi-pure has it."""
    for crate, warned in (("cffi-build-header", True), ("cffi-pure", False)):
        src = copy_crate(crate, tmp_path)
        proc = _build(src / "Cargo.toml", tmp_path / "out", crate_target(crate, target_dir))
        assert proc.returncode == 0, proc.stderr
        warnings = [line for line in proc.stderr.splitlines() if line.startswith("warning:")]
        if warned:
            assert len(warnings) == 1, proc.stderr
            assert "cffi" in warnings[0] and "pyproject.toml" in warnings[0]
            assert "dependencies" in warnings[0]
        else:
            assert warnings == [], proc.stderr


def test_build_script_header_without_cbindgen(tmp_path: Path, target_dir: Path) -> None:
    """The header a build script wrote to the target dir is used; cbindgen is not needed, and
    the header stage runs after compile."""
    src = copy_crate("cffi-build-header", tmp_path)
    target = crate_target("cffi-build-header", target_dir)
    env = {"PATH": path_without("cbindgen", tmp_path / "bin")}
    proc = _build(src / "Cargo.toml", tmp_path / "out", target, "--no-cache", env=env)
    assert proc.returncode == 0, proc.stderr
    assert f"Using the existing header at {target / 'header.h'}" in proc.stderr
    lines = proc.stderr.splitlines()
    compile_at = next(i for i, s in enumerate(lines) if " compile:" in s)
    header_at = next(i for i, s in enumerate(lines) if " header:" in s)
    assert compile_at < header_at, proc.stderr


def test_header_stage_is_incremental(tmp_path: Path) -> None:
    src = copy_crate("cffi-pure", tmp_path)
    manifest, out, target = src / "Cargo.toml", tmp_path / "out", tmp_path / "target"

    def build() -> dict[str, str]:
        proc = _build(manifest, out, target)
        assert proc.returncode == 0, proc.stderr
        statuses = stage_statuses(proc.stderr)
        return {name.split(":", 1)[0]: status for name, status in statuses.items()}

    first = build()
    assert set(first) == {"detect", "header", "compile", "repair", "wheel"}, first
    assert set(build().values()) == {"up to date"}
    wheel = next(out.glob("*.whl"))
    before = wheel.read_bytes()

    # A cbindgen setting that changes the header but not what cffi reads: header only.
    with open(src / "cbindgen.toml", "a", encoding="utf-8") as fh:
        fh.write('header = "/* edited */"\n')
    st = build()
    assert (st["header"], st["compile"], st["wheel"]) == ("ran", "up to date", "up to date"), st
    staged = next((target / "rustwheel").glob("cffi-pure-*/py3-*/header/header.h"))
    assert staged.read_text().startswith("/* edited */")
    assert wheel.read_bytes() == before
    assert set(build().values()) == {"up to date"}

    # A new exported function: header, compile and wheel.
    with open(src / "src" / "lib.rs", "a", encoding="utf-8") as fh:
        fh.write('\n#[no_mangle]\npub extern "C" fn sub(a: i32, b: i32) -> i32 {\n    a - b\n}\n')
    st = build()
    assert (st["header"], st["compile"], st["wheel"]) == ("ran", "ran", "ran"), st
    with zipfile.ZipFile(wheel) as zf:
        assert b"sub" in zf.read("cffi_pure/ffi.py")


def test_header_restored_from_store(tmp_path: Path, target_dir: Path) -> None:
    """A second checkout of the same crate restores the header stage from the store."""
    for i, expected in enumerate(("ran", "restored")):
        src = copy_crate("cffi-mixed", tmp_path / f"checkout{i}")
        # Edit the crate so no earlier test's store entry matches the first build.
        with open(src / "src" / "lib.rs", "a", encoding="utf-8") as fh:
            fh.write(f"\n// {tmp_path.name}\n")
        proc = _build(src / "Cargo.toml", tmp_path / f"out{i}", tmp_path / f"target{i}")
        assert proc.returncode == 0, proc.stderr
        st = {k.split(":", 1)[0]: v for k, v in stage_statuses(proc.stderr).items()}
        assert st["header"] == expected, proc.stderr


# bad input ------------------------------------------------------------------------------------


def _one_error(proc: subprocess.CompletedProcess[str], out: Path) -> str:
    dump = f"exit {proc.returncode}\n--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}"
    assert proc.returncode != 0, dump
    assert "Traceback" not in proc.stderr, dump
    assert not out.exists() or not any(out.iterdir()), dump
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, dump
    return errors[0]


def test_cbindgen_not_installed(tmp_path: Path, target_dir: Path) -> None:
    src = copy_crate("cffi-pure", tmp_path)
    out = tmp_path / "out"
    env = {"PATH": path_without("cbindgen", tmp_path / "bin")}
    line = _one_error(_build(src / "Cargo.toml", out, target_dir, env=env), out)
    assert "cbindgen" in line and "not found" in line, line
    assert "apt-get install cbindgen" in line and "cargo install cbindgen" in line, line


def test_cbindgen_failure_shows_its_message(tmp_path: Path, target_dir: Path) -> None:
    src = copy_crate("cffi-pure", tmp_path)
    with open(src / "cbindgen.toml", "a", encoding="utf-8") as fh:
        fh.write('style = "sideways"\n')
    out = tmp_path / "out"
    line = _one_error(_build(src / "Cargo.toml", out, target_dir), out)
    assert "cbindgen" in line and str(src / "cbindgen.toml") in line, line
    assert "sideways" in line, line  # cbindgen's own message


def test_cffi_not_importable(tmp_path: Path, target_dir: Path,
                             make_venv: Callable[[str], Venv]) -> None:
    bare = make_venv("bare")
    src = copy_crate("cffi-pure", tmp_path)
    out = tmp_path / "out"
    proc = run_rustwheel(["build", "-m", str(src / "Cargo.toml"), "-o", str(out),
                          "--target-dir", str(target_dir), "-i", str(bare.python)], check=False)
    line = _one_error(proc, out)
    assert str(bare.python) in line and "pip install cffi" in line, line
