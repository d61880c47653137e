"""Large wheel members end to end: memory does not grow with member size, the store keeps an
unchanged member once whatever the number of wheels holding it, the store's size bound evicts,
and the compression options (`--compression-method`, `--compression-level`) are part of the
wheel stage's key and keep wheels reproducible."""

from __future__ import annotations

import hashlib
import os
import random
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import REPO, copy_crate, settle_store
from storetools import build, stages

pytestmark = pytest.mark.slow

MIB = 1 << 20
BIG = 300 * MIB
PEAK_RSS_BOUND = 200 * MIB
_PEAK = ("import resource, subprocess, sys\n"
         "proc = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
         "sys.stderr.write(proc.stderr)\n"
         "sys.stdout.write(proc.stdout)\n"
         "print('PEAK', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
         "sys.exit(proc.returncode)\n")


def _measured_build(crate: Path, out: Path, target: Path, store: Path) -> tuple[Path, int, str]:
    """A build in a fresh process tree: (its wheel, the peak RSS in bytes of the largest
    process in that tree, its stderr)."""
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    argv = [sys.executable, "-c", _PEAK, sys.executable, "-m", "rustwheel", "build",
            "-m", str(crate / "Cargo.toml"), "-o", str(out), "--target-dir", str(target),
            "-i", sys.executable, "--cache-dir", str(store)]
    proc = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    wheel = Path(next(line for line in lines if line.endswith(".whl")))
    peak = int(next(line for line in lines if line.startswith("PEAK")).split()[1]) * 1024
    return wheel, peak, proc.stderr


def _store_bytes(store: Path) -> int:
    settle_store(store.parent.parent if store.parent.name == "v1" else store)
    return sum(p.stat().st_size for p in store.rglob("*") if p.is_file())


def _member_sha256(wheel: Path, name: str) -> str:
    sha = hashlib.sha256()
    with zipfile.ZipFile(wheel) as zf, zf.open(name) as f:
        while chunk := f.read(MIB):
            sha.update(chunk)
    return sha.hexdigest()


def test_a_large_member_streams_and_is_stored_once(tmp_path: Path, target_dir: Path) -> None:
    """A 300 MB incompressible data member: a python edit rebuilds the wheel with a peak RSS
    under 200 MiB (rustc is not run: the library is up to date) and adds kilobytes to the store;
    undoing the edit restores the first wheel byte for byte from the store's recipe."""
    crate = copy_crate("pyo3-mixed", tmp_path / "src")
    with open(crate / "pyproject.toml", "a", encoding="utf-8") as f:
        f.write('data = "data"\n')
    (crate / "data" / "data").mkdir(parents=True)
    weights = crate / "data" / "data" / "weights.bin"
    rng, sha = random.Random(20261126), hashlib.sha256()
    with open(weights, "wb") as f:
        for _ in range(BIG // (16 * MIB)):
            chunk = rng.randbytes(16 * MIB)
            sha.update(chunk)
            f.write(chunk)
    store, out = tmp_path / "store", tmp_path / "dist"
    first, _, _ = _measured_build(crate, out, target_dir, store)  # may compile: not measured
    first_bytes = hashlib.sha256(first.read_bytes()).hexdigest()
    init = crate / "python" / "mixed_pkg" / "__init__.py"
    original = init.read_text(encoding="utf-8")
    before = _store_bytes(store)
    init.write_text(original + "EDITED = 1\n", encoding="utf-8")
    edited, peak, stderr = _measured_build(crate, out, target_dir, store)
    assert stages(stderr).get("compile") == "up to date", stderr
    assert stages(stderr).get("wheel") == "ran", stderr
    assert peak < PEAK_RSS_BOUND, f"peak RSS {peak / MIB:.0f} MiB"
    grown = _store_bytes(store) - before
    assert grown < 256 * 1024, f"the store grew by {grown} bytes"
    member = "pyo3_mixed-1.2.0.data/data/weights.bin"
    assert _member_sha256(edited, member) == sha.hexdigest()
    with zipfile.ZipFile(edited) as zf:
        assert b"EDITED = 1" in zf.read("mixed_pkg/__init__.py")
    init.write_text(original, encoding="utf-8")  # back: the first wheel, from the store
    again, peak, stderr = _measured_build(crate, out, target_dir, store)
    assert stages(stderr).get("wheel") == "restored", stderr
    assert peak < PEAK_RSS_BOUND, f"peak RSS {peak / MIB:.0f} MiB on restore"
    assert hashlib.sha256(again.read_bytes()).hexdigest() == first_bytes


def _stats(store: Path, env: dict[str, str]) -> dict[str, str]:
    proc = subprocess.run([sys.executable, "-m", "rustwheel", "cache", "stats", "--cache-dir",
                           str(store)], env=env, capture_output=True, text=True, check=True)
    return dict(line.split(None, 1) for line in proc.stdout.splitlines())


def test_store_size_bound(tmp_path: Path, target_dir: Path) -> None:
    """RUSTWHEEL_CACHE_MAX_SIZE bounds the store (least recently used entries go, checked after
    each stored entry), `cache stats` shows the bound; a bad value is one clear error."""
    crate = copy_crate("bin-only", tmp_path / "src")
    store = tmp_path / "store"
    main = crate / "src" / "main.rs"
    source = main.read_text(encoding="utf-8")
    build(crate / "Cargo.toml", tmp_path / "dist", target_dir, "--cache-dir", str(store))
    one = _store_bytes(store / "v1" / "blobs") + _store_bytes(store / "v1" / "actions")
    bound = one * 3 // 2  # room for one build's entries, not two
    env = {"RUSTWHEEL_CACHE_MAX_SIZE": str(bound)}
    for n in range(3):
        main.write_text(source + f"// edit {n}\n", encoding="utf-8")
        build(crate / "Cargo.toml", tmp_path / "dist", target_dir, "--cache-dir", str(store),
              env=env)
        kept = _store_bytes(store / "v1" / "blobs") + _store_bytes(store / "v1" / "actions")
        assert 0 < kept <= bound, (kept, bound)
    full_env = {**os.environ, **env,
                "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    shown = _stats(store, full_env)
    assert shown["bytes_max_size"] == f"{bound / MIB:.1f} MiB", shown
    proc = subprocess.run([sys.executable, "-m", "rustwheel", "build", "-m",
                           str(crate / "Cargo.toml"), "--target-dir", str(target_dir)],
                          env={**full_env, "RUSTWHEEL_CACHE_MAX_SIZE": "lots"},
                          capture_output=True, text=True, check=False)
    assert proc.returncode != 0
    errors = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(errors) == 1 and "RUSTWHEEL_CACHE_MAX_SIZE" in errors[0] and "500M" in errors[0], \
        proc.stderr


def test_compression_options(tmp_path: Path) -> None:
    """--compression-method/--compression-level are in the wheel stage's key (a changed level
    rebuilds the wheel, not the binary), stored members are stored, unsupported methods and
    levels are one-line errors, and the same options give the same bytes from another cargo
    build in another target dir, without the store."""
    crate = copy_crate("bin-only", tmp_path / "src")
    no_store = {"RUSTWHEEL_NO_CACHE": "1"}

    def wheel_of(target: str, *extra: str) -> tuple[bytes, dict[str, str], list[int]]:
        wheel, statuses, _ = build(crate / "Cargo.toml", tmp_path / f"dist-{target}",
                                   tmp_path / target, *extra, env=no_store)
        with zipfile.ZipFile(wheel) as zf:
            methods = sorted({i.compress_type for i in zf.infolist()})
        return wheel.read_bytes(), statuses, methods

    default, _, methods = wheel_of("t1")
    assert methods == [zipfile.ZIP_DEFLATED]
    level9, statuses, _ = wheel_of("t1", "--compression-level", "9")
    assert statuses["wheel"] == "ran" and statuses["compile"] == "up to date", statuses
    stored, _, methods = wheel_of("t1", "--compression-method", "stored")
    assert methods == [zipfile.ZIP_STORED] and len(stored) > len(default) and level9 != default
    assert wheel_of("t1", "--compression-level", "6")[0] == default
    assert wheel_of("t2", "--compression-method", "stored")[0] == stored
    assert wheel_of("t2", "--compression-level", "9")[0] == level9
    assert wheel_of("t2")[0] == default
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    for args, words in ((["--compression-method", "zstd"], ["zstd", "deflated or stored"]),
                        (["--compression-level", "12"], ["0-9"]),
                        (["--compression-method", "stored", "--compression-level", "3"],
                         ["stored"])):
        proc = subprocess.run([sys.executable, "-m", "rustwheel", "build", "-m",
                               str(crate / "Cargo.toml"), *args], env=env, capture_output=True,
                              text=True, check=False)
        assert proc.returncode != 0, proc.stderr
        lines = [line for line in proc.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and all(w in lines[0] for w in words), proc.stderr
