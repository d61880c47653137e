"""Exclusive file locks (``flock``) that say when they make a build wait.

The lock file holds the holder's pid. A build waiting for a lock held by another build (another
process group) says so once; cells of one build waiting for each other (doit's workers share
the build's process group) wait silently, as the live display shows them running.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from rustwheel import ui


def _held_by_another_build(handle: IO[str]) -> bool:
    handle.seek(0)
    text = handle.read().strip()
    try:
        return os.getpgid(int(text)) != os.getpgid(0)
    except (ValueError, ProcessLookupError, PermissionError):
        return True  # no pid yet, or the holder is gone: say it


def acquire(path: Path, waiting: str, quiet: bool = False) -> IO[str]:
    """Take the lock ``path`` and return its open file (the lock lasts while it stays open);
    ``waiting`` is the note printed when another build holds it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        if not quiet and _held_by_another_build(handle):
            ui.note(waiting)
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
    handle.seek(0)
    handle.truncate()
    handle.write(f"{os.getpid()}\n")
    handle.flush()
    return handle


@contextmanager
def held(path: Path, waiting: str, quiet: bool = False) -> Iterator[None]:
    """`acquire` for a ``with`` block."""
    handle = acquire(path, waiting, quiet)
    try:
        yield
    finally:
        handle.close()
