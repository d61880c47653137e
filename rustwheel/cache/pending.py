"""Store writes that finish after the command returned.

Storing a stage's result (hashing and compressing a 26 MB debug library, say) is work the user
does not wait for: `rustwheel build` and `develop` hand it to a detached child process once the
wheel is written or the extension is in place, and exit. The child holds a lock file
``v1/pending/<name>.lock`` while it writes; every process that uses the store first waits for
such locks to be released (`settle`), so a build, ``cache stats`` or a test that reads the store
right afterwards sees everything the last build stored. Warnings the child gave (a full disk)
are left beside its lock and printed by the next command that settles.

The child writes the way every writer does (temp files renamed into place, under the store's
shared lock), so a child killed halfway leaves no partial entry: only a stale lock file, which
the next `settle` removes.
"""

from __future__ import annotations

import fcntl
import os
import sys
import time
from collections.abc import Callable, Mapping
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING, Optional

from rustwheel import ui
from rustwheel.cache.location import LAYOUT_VERSION
from rustwheel.errors import ConfigError

if TYPE_CHECKING:  # imported by the CLI before it knows whether the store is used
    from rustwheel.cache.layout import StorePaths

_LOCK = ".lock"
_WARN = ".warn"
_SETTLED: set[Path] = set()
SETTLE_TIMEOUT = 120.0
"""Seconds to wait for an earlier command's writes; then go on (they are only a cache)."""


def _dir(root: Path) -> Path:
    return root / LAYOUT_VERSION / "pending"


def settle(paths: StorePaths) -> None:
    """Wait (once per store and process) until no earlier command's writer is still writing,
    and print the warnings they left."""
    settle_root(paths.root)


def settle_root(root: Path) -> None:
    """`settle` for the store at ``root``, without loading the store's modules (the no-op
    check calls it: the last command may still be writing its stamp)."""
    if root not in _SETTLED:
        _SETTLED.add(root)
        _wait_all(_dir(root))


def wait_all(paths: StorePaths) -> None:
    """Wait until no detached writer is writing to the store; print the warnings they left."""
    _wait_all(_dir(paths.root))


def _wait_all(directory: Path) -> None:
    try:
        names = sorted(os.listdir(directory))
    except OSError:
        return
    for name in names:
        path = directory / name
        if name.endswith(_LOCK):
            _wait_for(path)
        elif name.endswith(_WARN):
            _relay(path)


def _wait_for(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return  # finished meanwhile
    try:
        deadline = time.monotonic() + SETTLE_TIMEOUT
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    return
                time.sleep(0.005)
        _unlink(path)  # its writer is gone: finished, or killed without removing it
    finally:
        os.close(fd)
    _relay(path.with_suffix(_WARN))


def _relay(path: Path) -> None:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return
    _unlink(path)
    for line in text.splitlines():
        if line:
            ui.warn(f"(while storing the last build's results) {line}")


def _unlink(path: Path) -> None:
    with suppress(OSError):
        os.unlink(path)


def _take_lock(paths: StorePaths) -> tuple[int, Path]:
    """A new lock file, locked before it gets its ``.lock`` name, so that nobody can see it
    unlocked."""
    import tempfile

    directory = _dir(paths.root)
    directory.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix="writer.", suffix=".tmp")
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        final = Path(tmp).with_suffix(_LOCK)
        os.rename(tmp, final)
    except OSError:
        os.close(fd)
        _unlink(Path(tmp))
        raise
    return fd, final


def detach(paths: StorePaths, work: Callable[[], None]) -> bool:
    """Run ``work`` in a detached child process that holds a pending lock of the store; False
    (nothing started) when that cannot be set up, and the caller does the work itself."""
    try:
        fd, lock = _take_lock(paths)
    except OSError:
        return False
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    try:
        pid = os.fork()
    except OSError:
        os.close(fd)
        _unlink(lock)
        return False
    if pid:
        os.close(fd)  # the child keeps the lock (one open file, shared across the fork)
        return True
    _child(work, lock, fd)  # never returns
    return True  # pragma: no cover


def _child(work: Callable[[], None], lock: Path, lock_fd: int) -> None:
    """The detached writer: no terminal, no inherited pipes or locks (a caller reading our
    output must not wait for it, another build must not wait for a lock the command held),
    then the work, its warnings left for the next command, and exit without running the
    parent's exit handlers."""
    code = 0
    try:
        os.setsid()
        null = os.open(os.devnull, os.O_RDWR)
        for target in (0, 1, 2):
            os.dup2(null, target)
        os.closerange(3, lock_fd)  # /dev/null's own descriptor too
        os.closerange(lock_fd + 1, 1 << 16)
        with ui.collecting() as warnings:
            work()
        if warnings:
            lock.with_suffix(_WARN).write_text("\n".join(warnings) + "\n", encoding="utf-8")
    except BaseException:  # noqa: BLE001 (a cache write; nobody is left to tell)
        code = 1
    finally:
        _unlink(lock)
        os._exit(code)


def background_writes(environ: Mapping[str, str]) -> bool:
    """Whether store writes may finish after the command: ``RUSTWHEEL_CACHE_WRITE=inline`` or
    ``background`` decides; by default not on CI, where the job's next step (saving a cache of
    the store) must see them."""
    choice = environ.get("RUSTWHEEL_CACHE_WRITE", "").strip().lower()
    if choice in ("inline", "background"):
        return choice == "background"
    if choice:
        raise ConfigError(f"RUSTWHEEL_CACHE_WRITE is {environ['RUSTWHEEL_CACHE_WRITE']!r}: use "
                          "'inline' or 'background' (or unset it)")
    return environ.get("CI", "").strip().lower() not in ("1", "true", "yes")


class Writes:
    """The store writes of this process's stage runs, and the files only the next build reads
    (its no-op stamp, the last wheel's index: every command settles the store before it reads
    them): done at once, or, after `defer` (the ``build`` and ``develop`` commands), kept until
    `finish` hands them to one detached writer, so that the command returns without waiting
    for them. Stage runs in doit's worker processes, and writes to a store that is not a local
    directory, are done at once."""

    def __init__(self) -> None:
        self.owner: Optional[int] = None
        self.queue: list[tuple[StorePaths, Callable[[], None]]] = []
        self.handed: list[list[tuple[StorePaths, Callable[[], None]]]] = []

    def defer(self, environ: Mapping[str, str]) -> None:
        if background_writes(environ):
            self.owner = os.getpid()

    def add(self, paths: Optional[StorePaths], write: Callable[[], None]) -> None:
        """Do ``write`` now, or with the writes kept for the store at ``paths``."""
        if paths is not None and self.owner == os.getpid():
            self.queue.append((paths, write))
        else:
            write()

    def finish(self) -> None:
        """Start the detached writer for the kept writes, or do them now when it cannot be
        started (or they go to more than one store)."""
        queue, self.queue, self.owner = self.queue, [], None
        if not queue:
            return
        # Kept, not freed: the writes hold what they write (thousands of objects with a
        # large package), and freeing them took milliseconds of a command about to exit.
        self.handed.append(queue)
        paths = queue[0][0]
        one_store = all(p.root == paths.root for p, _ in queue)
        if not (one_store and detach(paths, lambda: _run_all(queue))):
            _run_all(queue)


def _run_all(queue: list[tuple[StorePaths, Callable[[], None]]]) -> None:
    for _, write in queue:
        write()


WRITES = Writes()
"""This process's (see `Writes`)."""
