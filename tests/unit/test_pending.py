"""Store writes finished by a detached writer after the command returned
(`rustwheel.cache.pending`, `rustwheel.tasks.storage`): the next user of the store waits for
them, a result replaced in the meantime is not stored under the old key, warnings reach the
next command, and a killed writer leaves nothing half-written."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rustwheel import ui
from rustwheel.cache import pending
from rustwheel.cache.keys import CacheSpec, fingerprint, make_roots
from rustwheel.cache.layout import StorePaths
from rustwheel.errors import ConfigError
from rustwheel.freshness import records
from rustwheel.freshness.facts import DigestCache, clock
from rustwheel.tasks import storage
from rustwheel.tasks.storage import Storage

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def fresh_state() -> None:
    DigestCache._shared = None
    storage.reset_warnings()
    pending._SETTLED.clear()


def _storage(store: Path, root: Path) -> Storage:
    roots = make_roots([(root, "<ws>")])
    spec = CacheSpec(str(store), fingerprint("plan", roots), roots, {"rustc": "1"})
    return Storage(spec, "compile", {})


def _built(root: Path, content: bytes) -> tuple[Path, Path]:
    src = root / "lib.rs"
    src.parent.mkdir(parents=True, exist_ok=True)
    src.write_bytes(b"fn f() {}")
    out = root / "out" / "lib.so"
    out.parent.mkdir(exist_ok=True)
    out.write_bytes(content)
    return src, out


def _save_deferred(store: Path, root: Path, content: bytes) -> tuple[Storage, Path]:
    src, out = _built(root, content)
    st = _storage(store, root)
    st.save([], records.observe([str(src)], since=clock(root)), {"lib.so": out})
    return st, out


def test_writes_are_kept_until_finish_then_done_by_a_detached_writer(tmp_path: Path) -> None:
    store = tmp_path / "store"
    pending.WRITES.defer({"RUSTWHEEL_CACHE_WRITE": "background"})
    try:
        _save_deferred(store, tmp_path / "a", b"\x7fELF " + os.urandom(4 << 20))
        assert not (store / "v1" / "actions").exists()  # nothing written yet
    finally:
        pending.WRITES.finish()
    locks = list((store / "v1" / "pending").glob("*.lock"))
    pending.wait_all(StorePaths(store))
    assert not list((store / "v1" / "pending").iterdir())
    assert len(locks) <= 1
    hit = _storage(store, tmp_path / "a").lookup([])
    assert hit is not None  # the next user of the store finds it


def test_an_output_replaced_before_the_writer_ran_is_not_stored(tmp_path: Path) -> None:
    store = tmp_path / "store"
    pending.WRITES.defer({"RUSTWHEEL_CACHE_WRITE": "background"})
    try:
        _, out = _save_deferred(store, tmp_path / "a", b"first build")
        tmp = out.with_name("new")
        tmp.write_bytes(b"a later build's output")
        os.replace(tmp, out)  # as every stage writes its outputs
    finally:
        pending.WRITES.finish()
    pending.wait_all(StorePaths(store))
    assert _storage(store, tmp_path / "a").lookup([]) is None
    assert not list((store / "v1" / "actions").glob("*/*.json"))


def test_outside_a_deferring_command_writes_happen_at_once(tmp_path: Path) -> None:
    store = tmp_path / "store"
    _save_deferred(store, tmp_path / "a", b"content")
    assert not (store / "v1" / "pending").exists()
    assert _storage(store, tmp_path / "a").lookup([]) is not None


def test_the_choice_of_write_mode() -> None:
    assert pending.background_writes({}) is True
    assert pending.background_writes({"CI": "true"}) is False
    assert pending.background_writes({"CI": "true", "RUSTWHEEL_CACHE_WRITE": "background"})
    assert not pending.background_writes({"RUSTWHEEL_CACHE_WRITE": "inline"})
    with pytest.raises(ConfigError, match="RUSTWHEEL_CACHE_WRITE is 'later'"):
        pending.background_writes({"RUSTWHEEL_CACHE_WRITE": "later"})


def test_a_writers_warnings_reach_the_next_user(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    paths = StorePaths(tmp_path / "store")
    assert pending.detach(paths, lambda: ui.warn("cannot write the build cache (disk full)"))
    pending.wait_all(paths)
    assert "(while storing the last build's results) cannot write the build cache (disk full)" \
        in capsys.readouterr().err
    assert not list((paths.base / "pending").iterdir())


def test_the_next_user_waits_for_a_slow_writer(tmp_path: Path) -> None:
    paths = StorePaths(tmp_path / "store")
    marker = tmp_path / "written"
    assert pending.detach(paths, lambda: (time.sleep(0.5), marker.write_text("done")))
    start = time.monotonic()
    pending.wait_all(paths)
    assert marker.read_text() == "done"
    assert time.monotonic() - start > 0.2


def test_the_no_op_check_reads_the_stamp_a_writer_is_still_writing(tmp_path: Path) -> None:
    """The no-op stamp is written by the detached writer; the next build's no-op check settles
    the store by its root (without loading the store's modules) and then finds it whole."""
    from rustwheel.freshness import stamp

    root = tmp_path / "store"
    build_stamp = stamp.stamp_path(root, "ab" * 32)
    assert stamp.store_root(build_stamp) == root
    assert pending.detach(StorePaths(root), lambda: (
        time.sleep(0.5), stamp.write(build_stamp, {str(tmp_path): None}, tasks=["detect"])))
    pending.settle_root(root)
    assert stamp.read_any(build_stamp) == {"files": {str(tmp_path): None}, "tasks": ["detect"],
                                           "format": stamp.FORMAT}


def test_a_killed_writer_leaves_a_stale_lock_only(tmp_path: Path) -> None:
    """A writer killed halfway: the next user does not wait for it, removes its lock, and the
    store has no entry, half-written or whole."""
    store = tmp_path / "store"
    script = f"""
import os, sys, time
from pathlib import Path
sys.path.insert(0, {str(REPO)!r})
from rustwheel.cache import pending
from rustwheel.cache.layout import StorePaths
def work():
    Path({str(tmp_path / 'pid')!r}).write_text(str(os.getpid()))
    time.sleep(60)
pending.detach(StorePaths(Path({str(store)!r})), work)
"""
    subprocess.run([sys.executable, "-c", script], check=True, timeout=30)
    deadline = time.monotonic() + 10
    while not (tmp_path / "pid").exists() or not (tmp_path / "pid").read_text().strip():
        assert time.monotonic() < deadline
        time.sleep(0.01)
    os.kill(int((tmp_path / "pid").read_text()), signal.SIGKILL)
    time.sleep(0.1)
    start = time.monotonic()
    pending.wait_all(StorePaths(store))
    assert time.monotonic() - start < 5
    assert not list((store / "v1" / "pending").iterdir())
    assert not (store / "v1" / "actions").exists()
