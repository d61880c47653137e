"""Maintenance of a local store: `rustwheel cache stats | verify | gc | clear`, and LRU eviction.

Entries record their last use in their file's mtime (reads touch them), so least recently used
means oldest mtime. Evicting an action also drops the blobs no other action needs.
`verify`, `gc` and `clear` hold the store's exclusive lock, so they wait for running builds'
reads and writes and never see a half-written entry.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from rustwheel.cache import pending
from rustwheel.cache.entries import decode_action, referenced_digests
from rustwheel.cache.layout import (
    HEADER_SIZE,
    CorruptEntry,
    StorePaths,
    action_key_of,
    blob_digest_of,
    blob_size,
    decode_stream,
    is_raw,
    remove,
    store_lock,
)
from rustwheel.cache.location import parse_size

__all__ = ["parse_size", "add_to_total", "clear", "disk_usage", "evict", "gc", "stats",
           "verify"]

DEFAULT_UNREFERENCED_GRACE = 600.0
"""Seconds an unreferenced blob is kept by `gc`: a build stores blobs just before their entry."""

@dataclass
class _File:
    path: Path
    mtime: float
    size: int


@dataclass
class _Scan:
    """A snapshot of a store: its entries, what they reference, and files that do not belong."""

    actions: dict[str, _File] = field(default_factory=dict)
    refs: dict[str, set[str]] = field(default_factory=dict)
    blobs: dict[str, _File] = field(default_factory=dict)
    bad: list[_File] = field(default_factory=list)
    """Misnamed files and undecodable actions: garbage to evict first."""

    def total(self) -> int:
        return (sum(f.size for f in self.actions.values())
                + sum(f.size for f in self.blobs.values()) + sum(f.size for f in self.bad))


def _stat(path: Path) -> Optional[_File]:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return _File(path, st.st_mtime, st.st_size)


def _scan(paths: StorePaths) -> _Scan:
    scan = _Scan()
    for path in paths.blob_files():
        info = _stat(path)
        digest = blob_digest_of(paths, path)
        if info is None:
            continue
        if digest is None:
            scan.bad.append(info)
        else:
            scan.blobs[digest] = info
    for path in paths.action_files():
        info = _stat(path)
        key = action_key_of(paths, path)
        if info is None:
            continue
        try:
            if key is None:
                raise CorruptEntry("misnamed")
            entry = decode_action(path.read_bytes(), key)
        except (CorruptEntry, OSError):
            scan.bad.append(info)
            continue
        scan.actions[key] = info
        scan.refs[key] = referenced_digests(entry)
    return scan


def disk_usage(paths: StorePaths) -> int:
    """Bytes used by blob and action files (a lock-free estimate while builds run)."""
    total = 0
    for path in (*paths.blob_files(), *paths.action_files()):
        info = _stat(path)
        total += info.size if info else 0
    return total


def add_to_total(paths: StorePaths, nbytes: int, *, reset: Optional[int] = None) -> int:
    """Add ``nbytes`` to the store's running size total (``v1/size``), or set it to ``reset``;
    the new total. A missing or unreadable total is counted afresh (`disk_usage`), once."""
    paths.base.mkdir(parents=True, exist_ok=True)
    fd = os.open(paths.size_file, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        if sys.platform != "win32":
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX)
        with os.fdopen(os.dup(fd), "r+") as f:
            text = f.read().strip()
            if reset is not None:
                total = reset
            elif text.isdigit():
                total = int(text) + nbytes
            else:
                total = disk_usage(paths)
            f.seek(0)
            f.write(f"{max(total, 0):020d}\n")  # one width: rewritten in place, never truncated
    finally:
        os.close(fd)
    return total


def evict(paths: StorePaths, max_size: int, *,
          unreferenced_grace: Optional[float] = None) -> dict[str, int]:
    """Remove least recently used entries until the store fits in `max_size` bytes.

    The caller holds the exclusive lock. Garbage goes first, then (with `unreferenced_grace`)
    blobs no action references that are older than that many seconds, then actions and
    unreferenced blobs oldest first; an evicted action takes the blobs only it needed along.
    """
    eviction = _Eviction(_scan(paths))
    before = eviction.total
    eviction.drop_garbage()
    if unreferenced_grace is not None:
        eviction.drop_unreferenced(time.time() - unreferenced_grace)
    eviction.drop_least_recently_used(max_size)
    return {"bytes_before": before, "bytes_after": eviction.total,
            "actions_removed": eviction.actions_removed,
            "blobs_removed": eviction.blobs_removed}


class _Eviction:
    """One eviction pass over a scanned store: the bytes left, how many actions reference each
    blob, and what was removed so far."""

    def __init__(self, scan: _Scan) -> None:
        self.scan = scan
        self.total = scan.total()
        self.actions_removed = 0
        self.blobs_removed = 0
        self.refcount: dict[str, int] = {}
        for digests in scan.refs.values():
            for digest in digests:
                self.refcount[digest] = self.refcount.get(digest, 0) + 1

    def drop_garbage(self) -> None:
        for info in self.scan.bad:
            self.total -= remove(info.path)

    def drop_unreferenced(self, cutoff: float) -> None:
        """Blobs no action references whose last use was before ``cutoff`` (a timestamp)."""
        for digest, info in list(self.scan.blobs.items()):
            if digest not in self.refcount and info.mtime < cutoff:
                self._drop_blob(digest)

    def drop_least_recently_used(self, max_size: int) -> None:
        """Actions and unreferenced blobs, oldest first, until ``max_size`` bytes are left."""
        scan = self.scan
        candidates = sorted([(f.mtime, "action", k) for k, f in scan.actions.items()]
                            + [(f.mtime, "blob", d) for d, f in scan.blobs.items()
                               if d not in self.refcount])
        for _mtime, kind, name in candidates:
            if self.total <= max_size:
                break
            if kind == "action":
                self._drop_action(name)
            elif name in scan.blobs and self.refcount.get(name, 0) == 0:
                self._drop_blob(name)

    def _drop_action(self, key: str) -> None:
        """The action, and the blobs no remaining action references."""
        self.total -= remove(self.scan.actions.pop(key).path)
        self.actions_removed += 1
        for digest in self.scan.refs.pop(key):
            self.refcount[digest] -= 1
            if self.refcount[digest] == 0 and digest in self.scan.blobs:
                self._drop_blob(digest)

    def _drop_blob(self, digest: str) -> None:
        self.blobs_removed += 1
        self.total -= remove(self.scan.blobs.pop(digest).path)


def stats(root: Path) -> dict[str, int]:
    """Counts and sizes: entries, blobs, bytes_on_disk, bytes_uncompressed (of the blobs)."""
    paths = StorePaths(Path(root))
    pending.settle(paths)
    result = {"entries": 0, "blobs": 0, "bytes_on_disk": 0, "bytes_uncompressed": 0}
    if not paths.base.is_dir():
        return result
    with store_lock(paths, exclusive=False):
        for path in paths.action_files():
            info = _stat(path)
            if info is not None:
                result["entries"] += 1
                result["bytes_on_disk"] += info.size
        for path in paths.blob_files():
            try:
                with open(path, "rb") as f:
                    header = f.read(HEADER_SIZE)
                    size = f.seek(0, 2)
            except FileNotFoundError:
                continue
            result["blobs"] += 1
            result["bytes_on_disk"] += size
            result["bytes_uncompressed"] += blob_size(header) or (size if is_raw(header) else 0)
    return result


def verify(root: Path) -> list[str]:
    """Check every blob and entry, remove the bad ones; one message per problem found."""
    paths = StorePaths(Path(root))
    pending.settle(paths)
    problems: list[str] = []
    if not paths.base.is_dir():
        return problems
    with store_lock(paths, exclusive=True):
        good_blobs: set[str] = set()
        for path in paths.blob_files():
            digest = blob_digest_of(paths, path)
            try:
                if digest is None:
                    raise CorruptEntry("not a blob name")
                with open(path, "rb") as f:
                    decode_stream(f, digest, None)
            except (CorruptEntry, OSError) as exc:
                remove(path)
                problems.append(f"cache blob {path}: {exc}; removed it")
                continue
            good_blobs.add(digest)
        remove(paths.size_file)  # counted afresh when next needed
        for path in paths.action_files():
            key = action_key_of(paths, path)
            try:
                if key is None:
                    raise CorruptEntry("not an entry name")
                entry = decode_action(path.read_bytes(), key)
                missing = sorted(referenced_digests(entry) - good_blobs)
                if missing:
                    raise CorruptEntry(f"needs missing blob {missing[0]}")
            except (CorruptEntry, OSError) as exc:
                remove(path)
                problems.append(f"cache entry {path}: {exc}; removed it")
    return problems


def gc(root: Path, max_size: int, *,
       unreferenced_grace: float = DEFAULT_UNREFERENCED_GRACE) -> dict[str, int]:
    """Evict least recently used entries down to `max_size` bytes, delete blobs no entry
    references (older than `unreferenced_grace` seconds) and leftover temp files."""
    paths = StorePaths(Path(root))
    pending.settle(paths)
    if not paths.base.is_dir():
        return {"bytes_before": 0, "bytes_after": 0, "actions_removed": 0, "blobs_removed": 0,
                "tmp_removed": 0}
    with store_lock(paths, exclusive=True):
        tmp_removed = 0
        for path in paths.tmp_files():  # writers hold the shared lock: every temp file is stale
            remove(path)
            tmp_removed += 1
        result = evict(paths, max_size, unreferenced_grace=unreferenced_grace)
        add_to_total(paths, 0, reset=result["bytes_after"])
    result["tmp_removed"] = tmp_removed
    return result


def clear(root: Path) -> None:
    """Remove every entry and blob: the `v1` tree under `root`, nothing else in `root`.

    The lock file itself stays, so builds waiting on it keep using the same lock.
    """
    paths = StorePaths(Path(root))
    pending.settle(paths)
    if not paths.base.is_dir():
        return
    with store_lock(paths, exclusive=True):
        for sub in (paths.blobs, paths.actions, paths.tmp):
            shutil.rmtree(sub, ignore_errors=True)
        for stray in paths.base.iterdir():
            if stray != paths.lock:
                if stray.is_dir() and not stray.is_symlink():
                    shutil.rmtree(stray, ignore_errors=True)
                else:
                    remove(stray)
