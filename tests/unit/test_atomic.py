"""Files that appear whole or not at all (`rustwheel.atomic`): replacing a large file, and the
temporary files a killed writer leaves."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

from rustwheel import atomic

LARGE = 2 << 20  # above the size from which the old file is moved aside first


def _dead_pid() -> int:
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    return int(proc.stdout)


def _wait_for_removers() -> None:
    for thread in threading.enumerate():
        if thread is not threading.current_thread() and thread.daemon:
            thread.join(5)


def test_link_replacing_a_large_file_leaves_only_the_new_link(tmp_path: Path) -> None:
    old, new = tmp_path / "old.so", tmp_path / "new.so"
    old.write_bytes(b"o" * LARGE)
    new.write_bytes(b"n" * LARGE)
    dest = tmp_path / "stage" / "ext.so"
    atomic.link_or_copy(old, dest, 0o755, always_there=False)
    old.unlink()  # cargo replaced its file: the staged link is the old version's last name
    atomic.link_or_copy(new, dest, 0o755, always_there=False)
    assert os.stat(dest).st_ino == os.stat(new).st_ino
    _wait_for_removers()
    assert sorted(p.name for p in dest.parent.iterdir()) == ["ext.so"]  # nothing set aside


def test_stale_temporary_files_of_a_dead_writer_are_removed(tmp_path: Path) -> None:
    """Both names a killed writer can leave: its temporary file and the old file it moved
    aside; a live writer's files stay."""
    dest = tmp_path / "x-1.0-py3-none-any.whl"
    dead, alive = _dead_pid(), os.getpid()
    stale = [f".{dest.name}.rw{dead}.abcd.tmp", f".{dest.name}.rw{dead}.abcd.old.tmp",
             f".{dest.name}.rw{dead}.link.old.tmp"]
    kept = [f".{dest.name}.rw{alive}.efgh.old.tmp", ".other.whl.rw1.abcd.tmp"]
    for name in (*stale, *kept):
        (tmp_path / name).write_bytes(b"")
    atomic.write_bytes(dest, b"wheel")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([dest.name, *kept])
    atomic.write_bytes(dest, b"wheel 2")  # the old file is set aside, then removed
    assert dest.read_bytes() == b"wheel 2"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([dest.name, *kept])


def test_a_file_that_must_always_be_there_never_goes_missing(tmp_path: Path) -> None:
    """A module a running python may import (develop's generated files, the files it adds to
    site-packages) is replaced in one rename: a reader looking all the while never misses it."""
    dest = tmp_path / "ffi.py"
    atomic.write_bytes(dest, b"x = 0\n")
    misses: list[int] = []
    done = threading.Event()

    def look() -> None:
        while not done.is_set():
            if not dest.exists():
                misses.append(1)

    reader = threading.Thread(target=look)
    reader.start()
    try:
        for i in range(300):
            atomic.write_if_changed(dest, f"x = {i + 1}\n", always_there=True)
    finally:
        done.set()
        reader.join()
    assert misses == [] and dest.read_text() == "x = 300\n"
