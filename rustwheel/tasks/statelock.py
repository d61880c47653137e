"""One build at a time per state directory.

Two builds of the same crate share plan files, staged artifacts and the dependency database;
an exclusive lock held for the whole run serialises them so that neither packs the other's
artifact. Builds of different crates (different state dirs) run in parallel.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from rustwheel import filelock


def _waiting(state_dir: Path) -> str:
    return f"waiting for another build of this crate to finish ({state_dir})"


def acquire(state_dir: Path, quiet: bool = False) -> IO[str]:
    """Take the lock and return the open lock file (the lock lasts as long as it stays open)."""
    return filelock.acquire(state_dir / "build.lock", _waiting(state_dir), quiet)


@contextmanager
def locked(state_dir: Path, quiet: bool = False) -> Iterator[None]:
    with filelock.held(state_dir / "build.lock", _waiting(state_dir), quiet):
        yield
