"""The repair stage: platform tags chosen by the audit, libraries bundled with patchelf, --zig.

Every wheel built here also goes through conftest's check that `auditwheel show` reports the
tag rustwheel chose.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import (
    CRATES,
    Venv,
    build_wheel,
    check_record,
    copy_crate,
    run_rustwheel,
    stage_statuses,
)

pytestmark = pytest.mark.slow

SQLITE_LIB = "/usr/lib/x86_64-linux-gnu/libsqlite3.so.0"


def _platform(wheel: Path) -> str:
    return wheel.name[:-len(".whl")].rsplit("-", 1)[1]


def test_default_tag_is_the_most_compatible(tmp_path: Path, target_dir: Path) -> None:
    wheel = build_wheel(CRATES / "pyo3-pure-abi3" / "Cargo.toml", tmp_path / "dist", target_dir)
    assert _platform(wheel).startswith("manylinux_2_")
    with zipfile.ZipFile(wheel) as zf:
        wheel_file = zf.read("pyo3_pure_abi3-0.3.0a1.dist-info/WHEEL").decode()
        check_record(zf)
    assert f"Tag: cp39-abi3-{_platform(wheel)}\n" in wheel_file


def test_bundles_a_system_library(tmp_path: Path, target_dir: Path,
                                  make_venv: Callable[[str], Venv]) -> None:
    assert Path(SQLITE_LIB).exists(), "scripts/setup.sh installs libsqlite3-dev"
    crate = copy_crate("pyo3-sqlite", tmp_path)
    proc = run_rustwheel(["build", "-m", str(crate / "Cargo.toml"), "-o", str(tmp_path / "dist"),
                          "--target-dir", str(target_dir), "-i", sys.executable])
    assert "bundled libsqlite3.so.0 into pyo3_sqlite.libs/" in proc.stderr
    wheel = Path(proc.stdout.split()[-1])
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        check_record(zf)
    libs = [n for n in names if n.startswith("pyo3_sqlite.libs/")]
    assert len(libs) == 1 and libs[0].startswith("pyo3_sqlite.libs/libsqlite3-"), names
    assert libs[0].endswith(".so.0") and len(libs[0].split("-")[1]) == len("12345678.so.0")

    venv = make_venv("venv")
    venv.install(wheel)
    # The bundled copy is the one loaded: /proc/self/maps names it, not the system's.
    out = venv.run_python(
        "import pyo3_sqlite, sqlite3\n"
        "print(pyo3_sqlite.sqlite_version())\n"
        "maps = open('/proc/self/maps').read()\n"
        "print(sorted({l.split()[-1] for l in maps.splitlines() if 'libsqlite3' in l}))\n")
    version, loaded = out.splitlines()
    assert version.count(".") == 2
    assert "pyo3_sqlite.libs/libsqlite3-" in loaded
    # ldd resolves the library to the bundled path even with an empty LD_LIBRARY_PATH.
    ext = next((venv.path / "lib").glob("python3*/site-packages/pyo3_sqlite/*.so"))
    ldd = subprocess.run(["ldd", str(ext)], capture_output=True, text=True, check=True,
                         env={"PATH": "/usr/bin:/bin"}).stdout
    line = next(ln for ln in ldd.splitlines() if "libsqlite3" in ln)
    assert "site-packages/pyo3_sqlite/../pyo3_sqlite.libs/libsqlite3-" in line, ldd

    # Rebuilding changes nothing; the audit of the unchanged library is not redone.
    again = run_rustwheel(["build", "-m", str(crate / "Cargo.toml"), "-o",
                           str(tmp_path / "dist"), "--target-dir", str(target_dir),
                           "-i", sys.executable])
    assert again.stdout.split()[-1] == str(wheel)
    assert set(stage_statuses(again.stderr).values()) == {"up to date"}, again.stderr
    wheel.unlink()  # the no-op shortcut watches the wheel the repair stage named
    restored = run_rustwheel(["build", "-m", str(crate / "Cargo.toml"), "-o",
                              str(tmp_path / "dist"), "--target-dir", str(target_dir),
                              "-i", sys.executable])
    assert restored.stdout.split()[-1] == str(wheel) and wheel.is_file(), restored.stderr
    # A metadata-only change reruns the wheel stage but not the audit.
    pyproject = crate / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace(
        'requires-python = ">=3.9"', 'requires-python = ">=3.9"\ndescription = "edited"'))
    edited = run_rustwheel(["build", "-m", str(crate / "Cargo.toml"), "-o",
                            str(tmp_path / "dist"), "--target-dir", str(target_dir),
                            "-i", sys.executable])
    st = stage_statuses(edited.stderr)
    assert st["repair:cp39-abi3-x86_64-unknown-linux-gnu"] == "up to date", st
    assert st["wheel:cp39-abi3-x86_64-unknown-linux-gnu"] == "ran", st


def test_bundles_for_an_executable(tmp_path: Path, target_dir: Path,
                                   make_venv: Callable[[str], Venv]) -> None:
    """A binary's copy moves to <dist>.scripts/ (pip would copy a script away from the
    libraries its RPATH points at); its script entry becomes a launcher."""
    wheel = build_wheel(copy_crate("bin-sqlite", tmp_path) / "Cargo.toml", tmp_path / "dist",
                        target_dir)
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        launcher = zf.read("bin_sqlite-0.1.0.data/scripts/bin-sqlite")
        check_record(zf)
    assert "bin_sqlite.scripts/bin-sqlite" in names
    assert any(n.startswith("bin_sqlite.libs/libsqlite3-") for n in names), names
    assert launcher.startswith(b"#!python\n")
    venv = make_venv("venv")
    venv.install(wheel)
    out = subprocess.run([str(venv.bin("bin-sqlite"))], capture_output=True, text=True,
                         check=True, env={"PATH": "/usr/bin:/bin"}).stdout
    assert out.strip().isdigit() and int(out) >= 3_000_000, out


def test_repair_without_the_system_library(tmp_path: Path, target_dir: Path) -> None:
    """A bundled wheel imports where the system has no libsqlite3 at all: a chroot-free check
    that runs the loader with only the venv's directories and glibc's on its search path."""
    wheel = build_wheel(copy_crate("pyo3-sqlite", tmp_path) / "Cargo.toml", tmp_path / "dist",
                        target_dir)
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(tmp_path / "unpacked")
    ext = next((tmp_path / "unpacked" / "pyo3_sqlite").glob("*.so"))
    # A private copy of the loader's world: glibc's and libgcc's directory, no libsqlite3.
    libdir = tmp_path / "sysroot"
    libdir.mkdir()
    for name in ("libc.so.6", "libgcc_s.so.1", "libm.so.6"):
        (libdir / name).symlink_to(Path("/lib/x86_64-linux-gnu") / name)
    loader = "/lib64/ld-linux-x86-64.so.2"
    proc = subprocess.run([loader, "--inhibit-cache", "--library-path", str(libdir), "--list",
                           str(ext)], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    line = next(ln for ln in proc.stdout.splitlines() if "libsqlite3" in ln)
    assert "not found" not in line and "pyo3_sqlite.libs/libsqlite3-" in line, proc.stdout


def test_check_and_warn_modes(tmp_path: Path, target_dir: Path) -> None:
    crate = copy_crate("pyo3-sqlite", tmp_path)
    base = ["build", "-m", str(crate / "Cargo.toml"), "-o", str(tmp_path / "dist"),
            "--target-dir", str(target_dir), "-i", sys.executable]
    check = run_rustwheel([*base, "--auditwheel", "check"], check=False)
    assert check.returncode != 0 and "Traceback" not in check.stderr
    assert "error: the wheel links libsqlite3.so.0" in check.stderr
    assert "--auditwheel=repair" in check.stderr
    assert not list((tmp_path / "dist").glob("*.whl"))
    warn = run_rustwheel([*base, "--auditwheel", "warn"])
    assert "warning: the wheel links libsqlite3.so.0" in warn.stderr
    with zipfile.ZipFile(warn.stdout.split()[-1]) as zf:
        assert not [n for n in zf.namelist() if ".libs/" in n]


def test_explicit_policy_too_strict_lists_symbols(tmp_path: Path, target_dir: Path) -> None:
    proc = run_rustwheel(["build", "-m", str(CRATES / "pyo3-pure-abi3" / "Cargo.toml"), "-o",
                          str(tmp_path / "dist"), "--target-dir", str(target_dir),
                          "-i", sys.executable, "--compatibility", "manylinux2014"], check=False)
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    error = [ln for ln in proc.stderr.splitlines() if ln.startswith("error:")]
    assert len(error) == 1, proc.stderr
    assert "cannot be tagged manylinux_2_17_x86_64" in error[0]
    assert "@GLIBC_2.3" in error[0] and "libc.so.6" in error[0] and "--zig" in error[0]
    assert not list((tmp_path / "dist").glob("*.whl"))


@pytest.mark.parametrize("value, message", [
    ("manylinux_9_99", "is not a known platform policy"),
    ("musllinux_1_2", "does not apply to these glibc binaries"),
])
def test_bad_compatibility(value: str, message: str, tmp_path: Path, target_dir: Path) -> None:
    proc = run_rustwheel(["build", "-m", str(CRATES / "pyo3-pure-abi3" / "Cargo.toml"), "-o",
                          str(tmp_path / "dist"), "--target-dir", str(target_dir),
                          "-i", sys.executable, "--compatibility", value], check=False)
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert message in proc.stderr and proc.stderr.count("error:") == 1, proc.stderr


def test_linux_and_skip_keep_the_plain_tag(tmp_path: Path, target_dir: Path) -> None:
    manifest = CRATES / "pyo3-pure-abi3" / "Cargo.toml"
    plain = build_wheel(manifest, tmp_path / "a", target_dir, "--compatibility", "linux")
    assert _platform(plain) == "linux_x86_64"
    proc = run_rustwheel(["build", "-m", str(manifest), "-o", str(tmp_path / "b"),
                          "--target-dir", str(target_dir), "-i", sys.executable,
                          "--auditwheel", "skip"])
    assert "repair:" not in proc.stderr
    assert Path(proc.stdout.split()[-1]).name == plain.name


def test_zig_builds_manylinux2014(tmp_path: Path, target_dir: Path,
                                  make_venv: Callable[[str], Venv]) -> None:
    crate = copy_crate("pyo3-pure-abi3", tmp_path)
    proc = run_rustwheel(["build", "-m", str(crate / "Cargo.toml"), "-o", str(tmp_path / "dist"),
                          "--target-dir", str(target_dir), "-i", sys.executable, "--zig"])
    wheel = Path(proc.stdout.split()[-1])
    assert _platform(wheel) == "manylinux_2_17_x86_64.manylinux2014_x86_64"
    with zipfile.ZipFile(wheel) as zf:
        wheel_file = zf.read("pyo3_pure_abi3-0.3.0a1.dist-info/WHEEL").decode()
    assert "Tag: cp39-abi3-manylinux_2_17_x86_64\nTag: cp39-abi3-manylinux2014_x86_64\n" \
        in wheel_file
    venv = make_venv("venv")
    venv.install(wheel)
    assert venv.run_python("import pyo3_pure_abi3 as m; print(m.add(2, 3))").strip() == "5"
    again = run_rustwheel(["build", "-m", str(crate / "Cargo.toml"), "-o",
                           str(tmp_path / "dist"), "--target-dir", str(target_dir),
                           "-i", sys.executable, "--zig"])
    assert set(stage_statuses(again.stderr).values()) == {"up to date"}
