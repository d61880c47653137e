"""The content-addressed store end to end: a fresh clone builds from a warm store without the
compiler; damaged entries are reported and rebuilt, never served; concurrent builds share one
store; builds killed with SIGKILL leave neither partial wheels nor bad entries; `rustwheel cache`
stats / gc / clear / verify; `--report`.

Every test uses its own store (`--cache-dir` under tmp_path), never the session store."""

from __future__ import annotations

import contextlib
import json
import os
import random
import re
import shlex
import shutil
import signal
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import HOST_PLATFORM, Venv, copy_crate
from storetools import (
    action_files,
    actions_of_stage,
    blob_files,
    blob_path,
    build,
    build_args,
    cache,
    check_archive,
    damage,
    import_from_wheel,
    leftovers,
    run_bin_from_wheel,
    rustwheel_env,
    stats,
    verify_bad_count,
)

pytestmark = pytest.mark.slow

ABI3_SO = "pyo3_pure_abi3/pyo3_pure_abi3.abi3.so"
ABI3_CHECK = ("import pyo3_pure_abi3 as m\n"
              "assert m.add(2, 3) == 5, m.add(2, 3)\n"
              "assert m.greet('world') == 'Hello, world!', m.greet('world')\n"
              "print('OK')\n")
BIN_WHEEL = f"bin_only-0.2.0-py3-none-{HOST_PLATFORM}.whl"
HELLO = "hello from bin-only\n"


def _subcommand(argv: list[str]) -> str | None:
    """cargo's subcommand in an argv (the first word that is not an option or +toolchain)."""
    return next((a for a in argv if not a.startswith(("-", "+"))), None)


# --------------------------------------------------------------------------------------------
# 1. a fresh clone with a warm store never runs the compiler


def test_fresh_clone_with_warm_store_does_not_compile(
        tmp_path: Path, target_dir: Path, make_venv: Callable[..., Venv]) -> None:
    store = tmp_path / "store"
    a = copy_crate("pyo3-pure-abi3", tmp_path / "a")
    first, st, _ = build(a / "Cargo.toml", tmp_path / "dist-a", target_dir,
                         "--cache-dir", str(store))
    assert st["compile"] in ("ran", "restored"), st
    first_bytes = first.read_bytes()

    real_cargo = shutil.which("cargo")
    assert real_cargo, "cargo is not on PATH"
    log = tmp_path / "cargo-calls.log"
    wrap = tmp_path / "wrap-bin"
    wrap.mkdir()
    (wrap / "cargo").write_text(
        "#!/bin/sh\n"
        f"printf '%s\\0' \"$@\" >> {shlex.quote(str(log))}\n"
        f"printf '\\n' >> {shlex.quote(str(log))}\n"
        f"exec {shlex.quote(real_cargo)} \"$@\"\n", encoding="utf-8")
    (wrap / "cargo").chmod(0o755)

    b = copy_crate("pyo3-pure-abi3", tmp_path / "b")
    b_target = tmp_path / "b-target"
    env = {"PATH": str(wrap) + os.pathsep + os.environ["PATH"]}
    second, st, proc = build(b / "Cargo.toml", tmp_path / "dist-b", b_target,
                             "--cache-dir", str(store), env=env)

    calls = [line.split("\0")[:-1] for line in log.read_text(encoding="utf-8").splitlines()]
    subcommands = [_subcommand(argv) for argv in calls]
    assert "metadata" in subcommands, calls  # the wrapper really was the cargo that ran
    assert set(subcommands) <= {"metadata", None}, calls  # no `cargo rustc` / `cargo build`
    assert st["compile"] == "restored", proc.stderr
    assert not (b_target / "debug").exists(), sorted(os.listdir(b_target))
    assert second.name == first.name
    assert second.read_bytes() == first_bytes

    env_b = make_venv()
    env_b.install(second)
    assert env_b.run_python(ABI3_CHECK) == "OK\n"


def fresh_sources(crate: Path) -> Path:
    """Give the copy's files a new mtime (copytree keeps the old ones): cargo, which hashes path
    packages relative to their workspace, would otherwise reuse the artifact of another copy
    from the shared target dir instead of compiling this one."""
    for p in crate.rglob("*"):
        if p.is_file():
            os.utime(p)
    return crate


# --------------------------------------------------------------------------------------------
# 2. corrupt, truncated and deleted entries are reported and rebuilt, never served


@pytest.fixture(scope="module")
def warm_abi3_store(tmp_path_factory: pytest.TempPathFactory,
                    target_dir: Path) -> tuple[Path, bytes]:
    """A store holding one build of pyo3-pure-abi3 (copy it before use), and the built .so."""
    root = tmp_path_factory.mktemp("warm-abi3")
    crate = copy_crate("pyo3-pure-abi3", root / "src")
    wheel, _, _ = build(crate / "Cargo.toml", root / "dist", target_dir,
                        "--cache-dir", str(root / "store"))
    return root / "store", zipfile.ZipFile(wheel).read(ABI3_SO)


DAMAGE_CASES = [(what, how) for what in ("blob", "compile", "compile-manifest")
                for how in ("corrupt", "truncate", "delete")] + [("everything", "corrupt")]


@pytest.mark.parametrize(("what", "how"), DAMAGE_CASES, ids=[f"{w}-{h}" for w, h in DAMAGE_CASES])
def test_damaged_store_entries_are_rebuilt(what: str, how: str, tmp_path: Path, target_dir: Path,
                                           warm_abi3_store: tuple[Path, bytes]) -> None:
    template, so_bytes = warm_abi3_store
    store = tmp_path / "store"
    shutil.copytree(template, store)
    if what == "blob":  # the compile stage's artifact
        victims = [blob_path(store, so_bytes)]
    elif what == "everything":
        victims = blob_files(store) + action_files(store)
    else:  # the compile result entry, or the manifest entry that leads to it
        victims = actions_of_stage(store, what)
    assert victims and all(v.is_file() for v in victims), victims
    for v in victims:
        damage(v, how)

    crate = fresh_sources(copy_crate("pyo3-pure-abi3", tmp_path / "c"))
    wheel, st, proc = build(crate / "Cargo.toml", tmp_path / "dist", target_dir,
                            "--cache-dir", str(store))
    assert st["compile"] == "ran", proc.stderr
    warnings = [line for line in proc.stderr.splitlines() if line.startswith("warning:")]
    if how != "delete":
        named = [str(v.resolve()) for v in victims]
        assert any(n in line for line in warnings for n in named), proc.stderr

    # The same copy built without the store: the same bytes (nothing stale was packed; dev
    # builds embed the checkout path, so an artifact from the template's copy would differ).
    ref, st_ref, _ = build(crate / "Cargo.toml", tmp_path / "ref", target_dir, "--no-cache")
    assert st_ref["compile"] == "ran"
    assert zipfile.ZipFile(wheel).namelist() == check_archive(ref).namelist()
    assert wheel.read_bytes() == ref.read_bytes()
    assert import_from_wheel(wheel, tmp_path / "unpacked", ABI3_CHECK) == "OK\n"
    bad, out = verify_bad_count(store)
    if what == "everything":  # the template's wheel entry was never read: still bad, rightly
        dropped = {Path(line.split(" ", 3)[3].split(": ")[0])
                   for line in out.splitlines() if line.startswith("dropped: ")}
        assert dropped <= set(victims), out
        bad, out = verify_bad_count(store)
    assert bad == 0, out


def test_rebuilt_output_replaces_corrupt_blob_of_same_content(tmp_path: Path) -> None:
    """A corrupt blob that no lookup read (its manifest entry was bad too) must not be trusted
    when a rebuild stores the very same bytes again: the store is healthy after the rebuild."""
    store, target, out = tmp_path / "store", tmp_path / "target", tmp_path / "out"
    crate = copy_crate("bin-only", tmp_path / "a")
    wheel, st, _ = build(crate / "Cargo.toml", out, target, "--cache-dir", str(store))
    assert st["compile"] == "ran"
    binary = zipfile.ZipFile(wheel).read("bin_only-0.2.0.data/scripts/bin-only-hello")
    victims = [blob_path(store, binary), *actions_of_stage(store, "compile-manifest")]
    assert len(victims) == 2 and all(v.is_file() for v in victims), victims
    for v in victims:
        damage(v, "corrupt")
    shutil.rmtree(target / "rustwheel")  # rustwheel's state only: cargo is fresh, same bytes
    wheel, st, proc = build(crate / "Cargo.toml", out, target, "--cache-dir", str(store))
    assert st["compile"] == "ran", proc.stderr
    assert str(victims[1].resolve()) in proc.stderr, proc.stderr
    assert run_bin_from_wheel(wheel, tmp_path / "bin") == HELLO
    bad, text = verify_bad_count(store)
    assert bad == 0, text


# --------------------------------------------------------------------------------------------
# 3. four builds share one store at once


def _start_build(args: list[str], log: Path) -> subprocess.Popen[bytes]:
    with open(log, "wb") as f:
        return subprocess.Popen([sys.executable, "-m", "rustwheel", *args], env=rustwheel_env(),
                                stdout=f, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)


def test_concurrent_builds_share_one_store(tmp_path: Path) -> None:
    store = tmp_path / "store"
    for round_ in ("cold", "warm"):  # all miss and store at once; then all restore at once
        jobs = []
        for i in range(4):
            d = tmp_path / f"{round_}{i}"
            crate = copy_crate("bin-only", d)
            args = build_args(crate / "Cargo.toml", d / "out", d / "target",
                              "--cache-dir", str(store))
            jobs.append((d, _start_build(args, d / "log.txt")))
        for d, job in jobs:
            assert job.wait(timeout=300) == 0, (d / "log.txt").read_text(errors="replace")
        for d, _ in jobs:
            log = (d / "log.txt").read_text(errors="replace")
            assert "warning:" not in log, log
            wheel = d / "out" / BIN_WHEEL
            assert leftovers(d / "out", [BIN_WHEEL]) == [], log
            assert run_bin_from_wheel(wheel, d / "bin") == HELLO
        bad, out = verify_bad_count(store)
        assert bad == 0, out


# --------------------------------------------------------------------------------------------
# 4. SIGKILL at random moments


STALE_TEMP = re.compile(r"^\.bin_only-.*\.whl\.rw\d+\.[^.]+\.tmp$")


def test_sigkill_at_random_moments(tmp_path: Path) -> None:
    rng = random.Random(20240611)
    store = tmp_path / "store"
    target = tmp_path / "target"  # shared: later copies restore from the store or rebuild
    killed = 0
    for i in range(10):
        delay = rng.uniform(0.02, 0.45)  # builds restored from the store take ~0.4 s
        d = tmp_path / f"it{i}"
        crate = copy_crate("bin-only", d)
        out = d / "out"
        args = build_args(crate / "Cargo.toml", out, target, "--cache-dir", str(store))
        job = _start_build(args, d / "killed.log")
        try:
            job.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(job.pid, signal.SIGKILL)  # rustwheel, cargo and rustc alike
            job.wait()
            killed += 1
        where = f"iteration {i}, delay {delay:.2f}s, exit {job.returncode}"

        # A kill can land while the wheel is being written: its hidden temp file (named after
        # the dead writer's pid) may stay until the next build removes it; no *.whl may be
        # partial, and nothing else may be left.
        left = [n for n in leftovers(out, [BIN_WHEEL]) if not STALE_TEMP.match(n)]
        assert left == [], f"{where}: partial files in the out dir: {left}"
        if (out / BIN_WHEEL).exists():
            check_archive(out / BIN_WHEEL)
        bad, text = verify_bad_count(store)
        assert bad == 0, f"{where}: {text}"

        wheel, _, proc = build(crate / "Cargo.toml", out, target, "--cache-dir", str(store))
        assert wheel == out / BIN_WHEEL
        assert leftovers(out, [BIN_WHEEL]) == [], proc.stderr
        assert run_bin_from_wheel(wheel, d / "bin") == HELLO, where
    assert killed >= 3, f"only {killed} builds were still running when killed"


# Runs rustwheel with os.replace patched so that the process SIGKILLs itself at the moment a
# finished wheel (written or restored) would be renamed into the out dir.
_KILL_AT_WHEEL_RENAME = """
import os, runpy, signal, sys
_replace = os.replace
def replace(src, dst, *args, **kwargs):
    if str(dst).endswith(".whl"):
        os.kill(os.getpid(), signal.SIGKILL)
    return _replace(src, dst, *args, **kwargs)
os.replace = replace
sys.argv[0] = "rustwheel"
runpy.run_module("rustwheel", run_name="__main__", alter_sys=True)
"""


@pytest.mark.parametrize("warm", [False, True], ids=["written", "restored"])
def test_killed_at_wheel_rename_leaves_no_temp_file(warm: bool, tmp_path: Path) -> None:
    """The deterministic version of the worst moment for a kill: the wheel is complete in its
    temp file. No partial wheel may appear, and the temp file must be gone at the latest once
    the next build of the same out dir has finished."""
    store, target = tmp_path / "store", tmp_path / "target"
    if warm:  # the wheel stage then restores from the store (the other writer of the out dir)
        seed = copy_crate("bin-only", tmp_path / "seed")
        build(seed / "Cargo.toml", tmp_path / "seed-out", target, "--cache-dir", str(store))
    crate = copy_crate("bin-only", tmp_path / "a")
    out = tmp_path / "out"
    args = build_args(crate / "Cargo.toml", out, target, "--cache-dir", str(store))
    job = subprocess.run([sys.executable, "-c", _KILL_AT_WHEEL_RENAME, *args], env=rustwheel_env(),
                         capture_output=True, text=True, check=False)
    assert job.returncode == -signal.SIGKILL, job.stderr
    assert not (out / BIN_WHEEL).exists()
    assert [n for n in leftovers(out) if n.endswith(".whl")] == []
    after_kill = leftovers(out)
    bad, text = verify_bad_count(store)
    assert bad == 0, text

    wheel, _, _ = build(crate / "Cargo.toml", out, target, "--cache-dir", str(store))
    assert run_bin_from_wheel(wheel, tmp_path / "bin") == HELLO
    assert leftovers(out, [BIN_WHEEL]) == [], (
        f"left in {out} by the killed build: {after_kill}; still there after the next build")


# --------------------------------------------------------------------------------------------
# 5. rustwheel cache stats / gc / clear


def test_cache_stats_gc_clear(tmp_path: Path) -> None:
    store = tmp_path / "store"
    target = tmp_path / "target"
    crate = copy_crate("bin-only", tmp_path / "a")
    build(crate / "Cargo.toml", tmp_path / "out-a", target, "--cache-dir", str(store))

    before = stats(store)
    assert {"entries", "blobs", "bytes_on_disk"} <= set(before), before
    assert before["entries"] > 0 and before["blobs"] > 0 and before["bytes_on_disk"] > 0, before

    gc = cache("gc", store, "--max-size", "1")
    assert "bytes_after" in gc.stdout, gc.stdout
    after = stats(store)
    assert after["bytes_on_disk"] < before["bytes_on_disk"], (before, after)
    assert after["entries"] < before["entries"], (before, after)

    fresh = copy_crate("bin-only", tmp_path / "b")  # would be restored if gc had kept it
    wheel, st, proc = build(fresh / "Cargo.toml", tmp_path / "out-b", target,
                            "--cache-dir", str(store))
    assert st["compile"] == "ran", proc.stderr
    assert run_bin_from_wheel(wheel, tmp_path / "bin") == HELLO
    assert stats(store)["entries"] > 0

    mine = store / "notes.txt"
    mine.write_text("not the store's\n", encoding="utf-8")
    (store / "mine").mkdir()
    (store / "mine" / "data.bin").write_bytes(b"\x00\x01")
    cache("clear", store)
    cleared = stats(store)
    assert (cleared["entries"], cleared["blobs"], cleared["bytes_on_disk"]) == (0, 0, 0), cleared
    assert blob_files(store) == [] and action_files(store) == []
    assert mine.read_text(encoding="utf-8") == "not the store's\n"
    assert (store / "mine" / "data.bin").read_bytes() == b"\x00\x01"

    proc = cache("gc", store, check=False)
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and "--max-size" in lines[0], \
        proc.stderr
    assert proc.stdout == ""


# --------------------------------------------------------------------------------------------
# 6. --report


def _report_statuses(path: Path) -> tuple[dict[str, str], dict[str, Any]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return {s["task"].split(":")[0]: s["status"] for s in data["stages"]}, data


def test_report_json(tmp_path: Path) -> None:
    store = tmp_path / "store"
    target = tmp_path / "target"
    crate = copy_crate("bin-only", tmp_path / "a")
    out = tmp_path / "out"
    cache_args = ("--cache-dir", str(store))

    wheel, _, _ = build(crate / "Cargo.toml", out, target, *cache_args,
                        "--report", str(tmp_path / "cold.json"))
    st, data = _report_statuses(tmp_path / "cold.json")
    assert st == {"detect": "ran", "compile": "ran", "repair": "ran", "wheel": "ran"}, data
    assert data["success"] is True and data["errors"] == [], data
    assert data["wheels"] == [str(wheel)], data
    assert all(s["task"].split(":")[0] in st for s in data["stages"]), data

    build(crate / "Cargo.toml", out, target, *cache_args, "--report", str(tmp_path / "noop.json"))
    st, data = _report_statuses(tmp_path / "noop.json")
    assert st == {"detect": "up to date", "compile": "up to date", "repair": "up to date",
                  "wheel": "up to date"}, data
    assert data["wheels"] == [str(wheel)], data

    fresh = copy_crate("bin-only", tmp_path / "b")
    wheel_b, _, _ = build(fresh / "Cargo.toml", tmp_path / "out-b", target, *cache_args,
                          "--report", str(tmp_path / "fresh.json"))
    st, data = _report_statuses(tmp_path / "fresh.json")
    assert st == {"detect": "ran", "compile": "restored", "repair": "restored",
                  "wheel": "restored"}, data
    assert data["success"] is True and data["wheels"] == [str(wheel_b)], data
    assert run_bin_from_wheel(wheel_b, tmp_path / "bin") == HELLO


def test_another_copys_artifact_is_rebuilt(tmp_path: Path) -> None:
    """cargo names binaries and cdylibs without a per-copy hash and gives two copies of one
    crate one fingerprint: after copy B (edited) built into the shared target dir, cargo calls
    copy A fresh and hands back B's file. The compile stage notices (it records which manifest
    produced each artifact it took) and makes cargo build A again."""
    target, store = tmp_path / "target", tmp_path / "store"
    a = copy_crate("bin-only", tmp_path / "a")
    b = copy_crate("bin-only", tmp_path / "b")
    build(a / "Cargo.toml", tmp_path / "out-a", target, "--cache-dir", str(store))
    main_rs = b / "src" / "main.rs"
    main_rs.write_text(main_rs.read_text().replace("hello from bin-only", "hello from copy b"))
    wheel_b, _, _ = build(b / "Cargo.toml", tmp_path / "out-b", target, "--no-cache")
    assert run_bin_from_wheel(wheel_b, tmp_path / "bin-b") == "hello from copy b\n"
    # A's state forgotten (a fresh clone reusing the target dir): its compile stage runs again.
    for state in (target / "rustwheel").iterdir():
        if any(str(a) in p.read_text() for p in state.glob("*/compile-plan.json")):
            shutil.rmtree(state)
    wheel_a, st, proc = build(a / "Cargo.toml", tmp_path / "out-a2", target, "--no-cache")
    assert st["compile"] == "ran", proc.stderr
    assert "was built from another copy of bin-only; rebuilding it" in proc.stderr, proc.stderr
    assert run_bin_from_wheel(wheel_a, tmp_path / "bin-a") == HELLO


# --------------------------------------------------------------------------------------------
# the wheel stage looks the store up only when the last wheel cannot supply the package

def test_a_small_change_is_written_from_the_last_wheel_a_large_one_restored(
        tmp_path: Path, target_dir: Path) -> None:
    """A package of 40 python files. After an edit of one of them (and after undoing it) the
    wheel is written from the last wheel, without looking it up in the store, whose key takes
    the digest of every input; after most of them changed (a branch switch back), the last
    wheel holds few of them and the store restores the wheel. Every wheel is the one a build
    of the same files writes."""
    crate = copy_crate("pyo3-mixed", tmp_path)
    modules = [crate / "python" / "mixed_pkg" / f"gen{i:02d}.py" for i in range(40)]
    args = ("--cache-dir", str(tmp_path / "store"))

    def checkout(which: range | list[int], branch: str, moment: int) -> None:
        for i in which:
            modules[i].write_text(f"BRANCH = {branch!r}\nINDEX = {i}\n")
            # an mtime in the past: the last wheel indexes only files older than a second
            os.utime(modules[i], (1_600_000_000 + moment, 1_600_000_000 + moment))

    checkout(range(40), "a", 1)
    first, st, _ = build(crate / "Cargo.toml", tmp_path / "out", target_dir, *args)
    wheel_a = first.read_bytes()
    checkout([3], "b", 2)
    _, st, _ = build(crate / "Cargo.toml", tmp_path / "out", target_dir, *args)
    assert st["wheel"] == "ran", st
    checkout([3], "a", 3)  # undone: wheel a is in the store, but the last wheel serves
    wheel, st, _ = build(crate / "Cargo.toml", tmp_path / "out", target_dir, *args)
    assert st["wheel"] == "ran" and wheel.read_bytes() == wheel_a, st
    checkout(range(40), "b", 4)
    _, st, _ = build(crate / "Cargo.toml", tmp_path / "out", target_dir, *args)
    assert st["wheel"] == "ran", st
    checkout(range(40), "a", 5)  # most files differ from the last wheel's: the store serves
    wheel, st, _ = build(crate / "Cargo.toml", tmp_path / "out", target_dir, *args)
    assert st["wheel"] == "restored" and wheel.read_bytes() == wheel_a, st
    with zipfile.ZipFile(wheel) as zf:
        assert zf.read("mixed_pkg/gen03.py") == b"BRANCH = 'a'\nINDEX = 3\n"
