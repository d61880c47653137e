"""Helpers for the content-addressed store tests (test_store.py): builds with their stage
statuses, wheel checks that need no virtual env, and direct access to store files."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Optional

from conftest import REPO, check_record, run_rustwheel, settle_store, stage_statuses


def stages(stderr: str) -> dict[str, str]:
    """Stage kind ("detect", "compile", "wheel") -> status, from the reporter's stderr lines."""
    return {name.split(":")[0]: status for name, status in stage_statuses(stderr).items()}


def build_args(manifest: Path, out: Path, target: Path, *extra: str) -> list[str]:
    return ["build", "-m", str(manifest), "-o", str(out), "--target-dir", str(target),
            "-i", sys.executable, *extra]


def build(manifest: Path, out: Path, target: Path, *extra: str,
          env: Optional[dict[str, str]] = None,
          ) -> tuple[Path, dict[str, str], subprocess.CompletedProcess[str]]:
    """A successful build: (the one wheel, stage statuses, the process)."""
    proc = run_rustwheel(build_args(manifest, out, target, *extra), env=env)
    wheels = [Path(line) for line in proc.stdout.splitlines() if line.endswith(".whl")]
    assert len(wheels) == 1 and wheels[0].is_file(), proc.stdout + proc.stderr
    return wheels[0], stages(proc.stderr), proc


def rustwheel_env() -> dict[str, str]:
    """The environment for a `python -m rustwheel` started with Popen."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def check_archive(wheel: Path) -> zipfile.ZipFile:
    """A readable zip (CRC test), RECORD listing every member with the right hash and size."""
    zf = zipfile.ZipFile(wheel)
    assert zf.testzip() is None, wheel
    names = zf.namelist()
    assert len(names) == len(set(names)), names
    record = next(n for n in names if n.endswith(".dist-info/RECORD"))
    assert names[-1] == record, names
    check_record(zf)
    return zf


def run_bin_from_wheel(wheel: Path, dest: Path, script: str = "bin-only-hello") -> str:
    """Extract the wheel's script (keeping its mode) and run it; returns its stdout."""
    zf = check_archive(wheel)
    member = next(n for n in zf.namelist() if n.endswith(f".data/scripts/{script}"))
    info = zf.getinfo(member)
    assert (info.external_attr >> 16) & 0o777 == 0o755, oct(info.external_attr >> 16)
    dest.mkdir(parents=True, exist_ok=True)
    exe = dest / script
    exe.write_bytes(zf.read(member))
    exe.chmod(0o755)
    proc = subprocess.run([str(exe)], text=True, capture_output=True, check=False)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def import_from_wheel(wheel: Path, dest: Path, code: str) -> str:
    """Unpack the wheel into `dest` and run `code` with it first on sys.path."""
    check_archive(wheel).extractall(dest)
    env = dict(os.environ, PYTHONPATH=str(dest))
    proc = subprocess.run([sys.executable, "-c", code], text=True,
                          capture_output=True, check=False, env=env, cwd=dest)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


# -- the store ---------------------------------------------------------------------------------


def cache(action: str, store: Path, *extra: str, check: bool = True,
          ) -> subprocess.CompletedProcess[str]:
    return run_rustwheel(["cache", action, "--cache-dir", str(store), *extra], check=check)


def verify_bad_count(store: Path) -> tuple[int, str]:
    """`rustwheel cache verify`: (the number of bad entries it reports, its output)."""
    proc = cache("verify", store)
    m = re.search(r"^(\d+) bad entr(?:y|ies) dropped", proc.stdout, re.MULTILINE)
    assert m, proc.stdout + proc.stderr
    return int(m.group(1)), proc.stdout + proc.stderr


_UNITS = {"B": 1, "KiB": 1024, "MiB": 1024**2, "GiB": 1024**3}


def stats(store: Path) -> dict[str, float]:
    """`rustwheel cache stats` as numbers (human byte sizes converted back to bytes)."""
    proc = cache("stats", store)
    out: dict[str, float] = {}
    for line in proc.stdout.splitlines():
        parts = line.split()
        if len(parts) == 2:
            out[parts[0]] = float(parts[1])
        elif len(parts) == 3 and parts[2] in _UNITS:
            out[parts[0]] = float(parts[1]) * _UNITS[parts[2]]
    return out


def blob_files(store: Path) -> list[Path]:
    settle_store(store)
    return sorted(p for p in (store / "v1" / "blobs").glob("*/*") if p.is_file())


def action_files(store: Path) -> list[Path]:
    settle_store(store)
    return sorted(p for p in (store / "v1" / "actions").glob("*/*.json") if p.is_file())


def blob_path(store: Path, data: bytes) -> Path:
    settle_store(store)
    digest = hashlib.sha256(data).hexdigest()
    return store / "v1" / "blobs" / digest[:2] / digest


def actions_of_stage(store: Path, stage: str) -> list[Path]:
    """The action entries whose body names `stage` ("compile", "compile-manifest", ...)."""
    return [p for p in action_files(store)
            if json.loads(p.read_text(encoding="utf-8"))["body"]["stage"] == stage]


def damage(path: Path, how: str) -> None:
    """corrupt: flip one byte in the middle; truncate: keep the first half; delete."""
    if how == "delete":
        path.unlink()
        return
    data = bytearray(path.read_bytes())
    if how == "corrupt":
        data[len(data) // 2] ^= 0xFF
    elif how == "truncate":
        del data[len(data) // 2:]
    else:
        raise ValueError(how)
    path.write_bytes(bytes(data))


def leftovers(directory: Path, allowed: Sequence[str] = ()) -> list[str]:
    """Names in `directory` other than `allowed` (temp files, partial wheels, ...)."""
    if not directory.exists():
        return []
    return sorted(p.name for p in directory.iterdir() if p.name not in allowed)
