"""End to end: build the test crates with `rustwheel build`, install the wheels into fresh
virtual environments and run them; wheel reproducibility; incremental (no-op) rebuilds; the
root dodo.py driving the same task graph through plain `doit`."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import (
    CRATES,
    HOST_PLATFORM,
    Venv,
    build_wheel,
    check_record,
    copy_crate,
    run_rustwheel,
    stage_statuses,
)

pytestmark = pytest.mark.slow

PY_TAG = f"cp{sys.version_info[0]}{sys.version_info[1]}"
PLATFORM_TAG = HOST_PLATFORM
EXT_SUFFIX = sysconfig.get_config_var("EXT_SUFFIX")
SDE = 1700000000
SDE_DATE_TIME = time.gmtime(SDE)[:6]  # (2023, 11, 14, 22, 13, 20)

# crate -> (wheel file name, archive members that must be present)
CRATE_WHEELS: dict[str, tuple[str, set[str]]] = {
    "pyo3-pure-abi3": (
        f"pyo3_pure_abi3-0.3.0a1-cp39-abi3-{PLATFORM_TAG}.whl",
        {"pyo3_pure_abi3/__init__.py", "pyo3_pure_abi3/__init__.pyi",
         "pyo3_pure_abi3/py.typed", "pyo3_pure_abi3/pyo3_pure_abi3.abi3.so",
         "pyo3_pure_abi3-0.3.0a1.dist-info/METADATA",
         "pyo3_pure_abi3-0.3.0a1.dist-info/licenses/LICENSE"}),
    "pyo3-mixed": (
        f"pyo3_mixed-1.2.0-{PY_TAG}-{PY_TAG}-{PLATFORM_TAG}.whl",
        {"mixed_pkg/__init__.py", "mixed_pkg/cli.py", f"mixed_pkg/_native{EXT_SUFFIX}",
         "pyo3_mixed-1.2.0.dist-info/entry_points.txt"}),
    "pyo3-ffi-raw": (
        f"pyo3_ffi_raw-0.1.0-{PY_TAG}-{PY_TAG}-{PLATFORM_TAG}.whl",
        {f"pyo3_ffi_raw/pyo3_ffi_raw{EXT_SUFFIX}"}),
    "bin-only": (
        f"bin_only-0.2.0-py3-none-{PLATFORM_TAG}.whl",
        {"bin_only-0.2.0.data/scripts/bin-only-hello"}),
    "workspace/member-ext": (
        f"member_ext-0.4.0-{PY_TAG}-{PY_TAG}-{PLATFORM_TAG}.whl",
        {f"member_ext/member_ext{EXT_SUFFIX}"}),
    "pyo3-src-layout/rust": (
        f"pyo3_src_layout-0.5.0-{PY_TAG}-{PY_TAG}-{PLATFORM_TAG}.whl",
        {"src_pkg/__init__.py", f"src_pkg/_core{EXT_SUFFIX}", "extra_pkg/__init__.py"}),
}

# crate -> python code whose stdout must be exactly "OK\n" in the venv
IMPORT_CHECKS = {
    "pyo3-pure-abi3": "import pyo3_pure_abi3 as m\n"
                      "assert m.add(2, 3) == 5, m.add(2, 3)\n"
                      "assert m.greet('world') == 'Hello, world!', m.greet('world')\n",
    "pyo3-mixed": "import mixed_pkg, mixed_pkg._native as n\n"
                  "assert mixed_pkg.sum_as_string(1, 2) == '3'\n"
                  "assert n.sum_as_string(1, 2) == '3'\n"
                  "assert mixed_pkg.double(21) == 42\n",
    "pyo3-ffi-raw": "import pyo3_ffi_raw as m\nassert m.triple(14) == 42, m.triple(14)\n",
    "workspace/member-ext": "import member_ext as m\nassert m.answer() == 42, m.answer()\n",
    "pyo3-src-layout/rust": "import src_pkg, extra_pkg\n"
                            "assert src_pkg.square_plus_one(6) == 37\n"
                            "assert extra_pkg.GREETING == 'extra says hi'\n",
}

def stages(stderr: str) -> dict[str, str]:
    """Task name -> "ran" / "restored" / "up to date" / "failed", from the reporter's lines."""
    return stage_statuses(stderr)


def build(manifest: Path, out: Path, target: Path,
          env: dict[str, str] | None = None) -> tuple[Path, dict[str, str]]:
    """Like conftest.build_wheel, but also return the stage statuses."""
    proc = run_rustwheel(["build", "-m", str(manifest), "-o", str(out), "--target-dir",
                          str(target), "-i", sys.executable], env=env)
    wheels = [Path(line) for line in proc.stdout.splitlines() if line.endswith(".whl")]
    assert len(wheels) == 1 and wheels[0].is_file(), proc.stdout + proc.stderr
    st = stages(proc.stderr)
    assert "detect" in st and any(k.startswith("compile:") for k in st) \
        and any(k.startswith("wheel:") for k in st), proc.stderr
    return wheels[0], st


def ran(st: dict[str, str]) -> set[str]:
    """Stages that were not up to date (run, or restored from the store)."""
    return {name.split(":")[0] for name, status in st.items() if status in ("ran", "restored")}


def check_archive(wheel: Path) -> zipfile.ZipFile:
    """Entry order (sorted, dist-info last, RECORD final) and RECORD hashes/sizes."""
    zf = zipfile.ZipFile(wheel)
    names = zf.namelist()
    assert len(names) == len(set(names)), names
    dist_info = next(n.split("/")[0] for n in names if n.split("/")[0].endswith(".dist-info"))
    record = f"{dist_info}/RECORD"
    assert names[-1] == record, names
    body = [n for n in names if not n.startswith(dist_info + "/")]
    meta = [n for n in names[:-1] if n.startswith(dist_info + "/")]
    assert names == sorted(body) + sorted(meta) + [record], names
    rows = check_record(zf)
    assert [r[0] for r in rows] == names, (rows, names)
    return zf


# --------------------------------------------------------------------------------------------
# 1. build, inspect, install, run


@pytest.mark.parametrize("crate", list(CRATE_WHEELS))
def test_build_install_run(crate: str, tmp_path: Path, target_dir: Path,
                           make_venv: Callable[..., Venv]) -> None:
    wheel = build_wheel(CRATES / crate / "Cargo.toml", tmp_path / "dist", target_dir)
    name, members = CRATE_WHEELS[crate]
    assert wheel.name == name
    zf = check_archive(wheel)
    names = set(zf.namelist())
    assert members <= names, sorted(members - names)
    for info in zf.infolist():
        assert info.date_time == (1980, 1, 1, 0, 0, 0), info
    if crate == "pyo3-mixed":
        assert zf.read("pyo3_mixed-1.2.0.dist-info/entry_points.txt").decode() == \
            "[console_scripts]\nmixed-cli=mixed_pkg.cli:main\n"
    if crate == "bin-only":
        info = zf.getinfo("bin_only-0.2.0.data/scripts/bin-only-hello")
        assert (info.external_attr >> 16) & 0o7777 == 0o755
        # no python package: only the script and dist-info
        assert all(n.startswith(("bin_only-0.2.0.data/", "bin_only-0.2.0.dist-info/"))
                   for n in names), names
    for info in zf.infolist():
        if info.filename.endswith((".py", ".pyi", "py.typed", "METADATA", "RECORD", "WHEEL")):
            assert (info.external_attr >> 16) & 0o7777 == 0o644, info

    env = make_venv()
    env.install(wheel)
    if crate in IMPORT_CHECKS:
        assert env.run_python(IMPORT_CHECKS[crate] + "print('OK')\n") == "OK\n"
    if crate == "pyo3-mixed":
        proc = subprocess.run([str(env.bin("mixed-cli"))], text=True, capture_output=True,
                              check=False)
        assert (proc.returncode, proc.stdout) == (0, "mixed-cli: 42\n"), proc.stderr
    if crate == "bin-only":
        exe = env.bin("bin-only-hello")
        assert os.access(exe, os.X_OK)
        proc = subprocess.run([str(exe)], text=True, capture_output=True,
                              check=False)
        assert (proc.returncode, proc.stdout) == (0, "hello from bin-only\n"), proc.stderr


# --------------------------------------------------------------------------------------------
# 2. reproducibility


def test_rewrite_wheel_same_bytes(tmp_path: Path, target_dir: Path,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Delete the wheel and build again: only the wheel stage reruns, same bytes."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    crate = copy_crate("pyo3-pure-abi3", tmp_path)
    # A store of its own: the library is this copy's build (one restored from the session's
    # store would carry another copy's debug-info paths, unlike the no-store rebuild below).
    own_store = {"RUSTWHEEL_CACHE_DIR": str(tmp_path / "store")}
    wheel, _ = build(crate / "Cargo.toml", tmp_path / "dist", target_dir, own_store)
    first = wheel.read_bytes()
    check_archive(wheel)
    wheel.unlink()
    wheel2, st = build(crate / "Cargo.toml", tmp_path / "dist", target_dir, own_store)
    assert wheel2 == wheel
    assert st[next(k for k in st if k.startswith("wheel:"))] == "restored", st
    assert ran(st) == {"wheel"}, st
    assert wheel.read_bytes() == first
    wheel.unlink()  # and written anew without the store: still the same bytes
    _, st = build(crate / "Cargo.toml", tmp_path / "dist", target_dir, {"RUSTWHEEL_NO_CACHE": "1"})
    assert st[next(k for k in st if k.startswith("wheel:"))] == "ran", st
    assert wheel.read_bytes() == first


def test_fresh_target_dirs_same_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two full cargo builds of the same sources in separate target dirs: same wheel bytes."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    crate = copy_crate("bin-only", tmp_path)
    no_store = {"RUSTWHEEL_NO_CACHE": "1"}  # two real cargo builds, not a restore
    w1, st1 = build(crate / "Cargo.toml", tmp_path / "dist1", tmp_path / "target1", no_store)
    w2, st2 = build(crate / "Cargo.toml", tmp_path / "dist2", tmp_path / "target2", no_store)
    assert ran(st1) == ran(st2) == {"detect", "compile", "repair", "wheel"}, (st1, st2)
    assert w1.name == w2.name
    assert w1.read_bytes() == w2.read_bytes()


def test_source_date_epoch(tmp_path: Path, target_dir: Path,
                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    crate = copy_crate("pyo3-pure-abi3", tmp_path)
    manifest = crate / "Cargo.toml"
    plain, _ = build(manifest, tmp_path / "plain", target_dir)
    for info in check_archive(plain).infolist():
        assert info.date_time == (1980, 1, 1, 0, 0, 0), info

    env = {"SOURCE_DATE_EPOCH": str(SDE)}
    w1, st = build(manifest, tmp_path / "sde1", target_dir, env=env)
    assert "compile" not in ran(st), st  # the timestamp only concerns the wheel
    w2, _ = build(manifest, tmp_path / "sde2", target_dir, env=env)
    for info in check_archive(w1).infolist():
        assert info.date_time == SDE_DATE_TIME, info
    assert w1.read_bytes() == w2.read_bytes()
    assert w1.read_bytes() != plain.read_bytes()
    # same contents apart from the timestamps (the SBOM's included, so RECORD too)
    z1, zp = zipfile.ZipFile(w1), zipfile.ZipFile(plain)
    assert z1.namelist() == zp.namelist()
    stamped = [n for n in z1.namelist() if n.endswith((".cyclonedx.json", "/RECORD"))]
    assert len(stamped) == 2
    assert all(z1.read(n) == zp.read(n) for n in z1.namelist() if n not in stamped)


# --------------------------------------------------------------------------------------------
# 3. incremental rebuilds


def test_noop_and_incremental_rebuilds(tmp_path: Path, target_dir: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    crate = copy_crate("pyo3-mixed", tmp_path)
    manifest, dist = crate / "Cargo.toml", tmp_path / "dist"
    wheel, st = build(manifest, dist, target_dir)
    assert ran(st) == {"detect", "compile", "repair", "wheel"}, st
    original = wheel.read_bytes()

    # same arguments again: every stage up to date
    _, st = build(manifest, dist, target_dir)
    assert set(st.values()) == {"up to date"}, st

    # touch the Rust source without changing it: content unchanged, nothing runs
    lib = crate / "src" / "lib.rs"
    later = lib.stat().st_mtime_ns + 10_000_000_000
    os.utime(lib, ns=(later, later))
    _, st = build(manifest, dist, target_dir)
    assert set(st.values()) == {"up to date"}, st
    assert wheel.read_bytes() == original

    # change a python file: only the wheel is rewritten (the plan, which lists the python
    # files but not their content, is unchanged, so detect is up to date too)
    cli = crate / "python" / "mixed_pkg" / "cli.py"
    cli.write_text(cli.read_text() + "\n# changed\n")
    _, st = build(manifest, dist, target_dir)
    assert ran(st) == {"wheel"}, st
    assert st["detect"] == "up to date", st
    new = zipfile.ZipFile(wheel).read("mixed_pkg/cli.py").decode()
    assert new.endswith("# changed\n")
    _, st = build(manifest, dist, target_dir)
    assert set(st.values()) == {"up to date"}, st

    # change the Rust source: compile runs
    lib.write_text(lib.read_text() + "\n// changed\n")
    _, st = build(manifest, dist, target_dir)
    assert "compile" in ran(st), st
    assert st["detect"] == "up to date", st
    _, st = build(manifest, dist, target_dir)
    assert set(st.values()) == {"up to date"}, st


# --------------------------------------------------------------------------------------------
# 4. the root dodo.py
