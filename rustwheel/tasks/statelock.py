"""One build at a time per state directory.

Two builds of the same crate share plan files, staged artifacts and the dependency database;
an exclusive lock held for the whole run serialises them so that neither packs the other's
artifact. Builds of different crates (different state dirs) run in parallel.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from rustwheel import ui


def acquire(state_dir: Path, quiet: bool = False) -> IO[str]:
    """Take the lock and return the open lock file (the lock lasts as long as it stays open)."""
    state_dir.mkdir(parents=True, exist_ok=True)
    handle = open(state_dir / "build.lock", "a+", encoding="utf-8")  # noqa: SIM115
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        if not quiet:
            ui.note(f"waiting for another build of this crate to finish ({state_dir})")
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
    handle.seek(0)
    handle.truncate()
    handle.write(f"{os.getpid()}\n")
    handle.flush()
    return handle


@contextmanager
def locked(state_dir: Path, quiet: bool = False) -> Iterator[None]:
    handle = acquire(state_dir, quiet)
    try:
        yield
    finally:
        handle.close()
