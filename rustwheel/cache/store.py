"""The content-addressed store: the `Store` interface and the local, on-disk implementation.

Blobs hold file contents once per sha256; action entries map a cache key (see `keys.action_key`)
to the output files of a stage run. Every read is verified; a corrupt or truncated file is
reported through `warn`, deleted, and treated as a miss, so a bad entry is rebuilt, never served.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Callable, Optional, Protocol, TypeVar

from rustwheel import ui
from rustwheel.atomic import write_bytes
from rustwheel.cache.entries import (
    ActionEntry,
    OutputFile,
    check_output_name,
    decode_action,
    encode_action,
)
from rustwheel.cache.keys import digest_bytes
from rustwheel.cache.layout import (
    CorruptEntry,
    StorePaths,
    check_digest,
    decode_blob,
    encode_blob,
    is_raw,
    link_atomic,
    remove,
    store_lock,
    touch,
    write_atomic,
)
from rustwheel.cache.location import default_cache_dir
from rustwheel.errors import FileSystemError

__all__ = [
    "ActionEntry",
    "LocalStore",
    "OutputFile",
    "Store",
    "default_cache_dir",
    "restore_files",
    "store_files",
]

_T = TypeVar("_T")


class Store(Protocol):
    """The small interface every store (local now, remote later) implements."""

    def contains_blob(self, digest: str) -> bool: ...

    def get_blob(self, digest: str) -> Optional[bytes]:
        """The verified contents, or None on a miss (corrupt entries are a miss)."""

    def put_blob(self, data: bytes) -> str:
        """Store `data` once per content hash; returns its sha256 digest."""

    def put_file(self, path: Path) -> tuple[str, int]:
        """Store the content of the file at `path` as a blob; (its sha256 digest, its size)."""

    def contains_action(self, key: str) -> bool: ...

    def get_action(self, key: str) -> Optional[ActionEntry]:
        """The verified entry, or None on a miss (corrupt entries are a miss)."""

    def put_action(self, key: str, entry: ActionEntry) -> None: ...


class LocalStore:
    """A store in a local directory, safe to share between concurrent builds (see `layout`).

    With `max_size`, each `put_action` that may have pushed the store past the bound evicts the
    least recently used entries, if no other process holds the store at that moment (otherwise a
    later put, or `rustwheel cache gc`, does it). The size is tracked as an estimate between
    eviction scans, so the bound is approximate while several builds write at once.
    """

    def __init__(self, root: Path, *, max_size: Optional[int] = None,
                 warn: Callable[[str], None] = ui.warn) -> None:
        self.root = Path(root)
        self.paths = StorePaths(self.root)
        self.max_size = max_size
        self._warn = warn
        self._size_estimate: Optional[int] = None

    def __repr__(self) -> str:
        return f"LocalStore({str(self.root)!r}, max_size={self.max_size!r})"

    # -- blobs ---------------------------------------------------------------------------------

    def contains_blob(self, digest: str) -> bool:
        return self.paths.blob_path(digest).is_file()

    def get_blob(self, digest: str) -> Optional[bytes]:
        path = self.paths.blob_path(digest)
        with store_lock(self.paths, exclusive=False):
            return self._verified(path, "blob", lambda raw: decode_blob(raw, digest))

    def put_blob(self, data: bytes) -> str:
        digest = digest_bytes(data)
        path = self.paths.blob_path(digest)
        with store_lock(self.paths, exclusive=False):
            # Stored once per content, and a put counts as a use; a damaged copy is replaced.
            if path.is_file() and self._verified(
                    path, "blob", lambda raw: decode_blob(raw, digest)) is not None:
                return digest
            encoded = encode_blob(data)
            write_atomic(self.paths, path, encoded)
        self._grew(len(encoded))
        return digest

    def put_file(self, path: Path) -> tuple[str, int]:
        """`put_blob` of the file's content; a zip archive (a wheel), stored as it is, becomes
        a hard link to the file when both are on one file system: a new 7 MB wheel costs
        its hash and a link instead of a second write. The file must not be changed in place
        afterwards (rustwheel replaces files by renaming); a blob whose content no longer
        matches its digest is a corrupt entry, dropped when read."""
        data = path.read_bytes()
        if not is_raw(data):
            return self.put_blob(data), len(data)
        digest = digest_bytes(data)
        blob = self.paths.blob_path(digest)
        with store_lock(self.paths, exclusive=False):
            if blob.is_file() and self._verified(
                    blob, "blob", lambda raw: decode_blob(raw, digest)) is not None:
                return digest, len(data)
            if not link_atomic(self.paths, path, blob):
                write_atomic(self.paths, blob, data)
        self._grew(len(data))
        return digest, len(data)

    # -- actions -------------------------------------------------------------------------------

    def contains_action(self, key: str) -> bool:
        return self.paths.action_path(key).is_file()

    def get_action(self, key: str) -> Optional[ActionEntry]:
        path = self.paths.action_path(key)
        with store_lock(self.paths, exclusive=False):
            return self._verified(path, "entry", lambda raw: decode_action(raw, key))

    def put_action(self, key: str, entry: ActionEntry) -> None:
        path = self.paths.action_path(key)
        encoded = encode_action(key, entry)
        with store_lock(self.paths, exclusive=False):
            write_atomic(self.paths, path, encoded)
        self._grew(len(encoded))
        self._maybe_evict()

    # -- helpers -------------------------------------------------------------------------------

    def _verified(self, path: Path, what: str, decode: Callable[[bytes], _T]) -> Optional[_T]:
        """The decoded content of ``path`` (its use recorded for LRU eviction), or None when it
        is missing or damaged; a damaged file is dropped, never served. The caller holds the
        shared lock."""
        raw = self._read(path)
        if raw is None:
            return None
        try:
            value = decode(raw)
        except CorruptEntry as exc:
            self._drop(path, what, str(exc))
            return None
        touch(path)
        return value

    def _read(self, path: Path) -> Optional[bytes]:
        try:
            return path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            self._warn(f"cannot read cache file {path} ({exc.strerror or exc}); "
                       "treating it as a miss")
            return None

    def _drop(self, path: Path, what: str, reason: str) -> None:
        remove(path)
        self._warn(f"cache {what} {path} is corrupt ({reason}); removed it, "
                   "it will be rebuilt")

    def _grew(self, nbytes: int) -> None:
        if self.max_size is not None and self._size_estimate is not None:
            self._size_estimate += nbytes

    def _maybe_evict(self) -> None:
        if self.max_size is None:
            return
        from rustwheel.cache.maintenance import disk_usage, evict  # only with a size bound

        if self._size_estimate is None:
            self._size_estimate = disk_usage(self.paths)
        if self._size_estimate <= self.max_size:
            return
        with store_lock(self.paths, exclusive=True, blocking=False) as acquired:
            if acquired:
                self._size_estimate = evict(self.paths, self.max_size)["bytes_after"]


def store_files(store: Store, stage: str, files: Mapping[str, Path],
                meta: Mapping[str, Any]) -> ActionEntry:
    """Put each output file as a blob and return the entry (the caller then calls put_action).

    `files` maps the output name (relative, forward slashes) to the file on disk; a file is
    executable in the entry if any execute bit is set.
    """
    outputs = []
    for name in sorted(files):
        check_output_name(name)
        executable = bool(os.stat(files[name]).st_mode & 0o111)
        digest, size = store.put_file(files[name])
        outputs.append(OutputFile(name, digest, size, executable))
    return ActionEntry(stage, tuple(outputs), dict(meta))


def restore_files(store: Store, entry: ActionEntry, dest_dir: Path) -> bool:
    """Write the entry's outputs under `dest_dir`; False, writing nothing, if a blob is bad.

    Every blob is fetched and verified before the first file is written; each file is then
    written to a temp file beside its destination and renamed into place (mode 0755 or 0644).
    """
    contents: list[tuple[OutputFile, bytes]] = []
    for out in entry.outputs:
        check_output_name(out.name)
        check_digest(out.digest, "blob digest")
        data = store.get_blob(out.digest)
        if data is None or len(data) != out.size:
            return False
        contents.append((out, data))
    for out, data in contents:
        _write_output(Path(dest_dir).joinpath(*out.name.split("/")), data, out.executable)
    return True


def _write_output(dest: Path, data: bytes, executable: bool) -> None:
    try:
        write_bytes(dest, data, 0o755 if executable else 0o644)
    except OSError as exc:
        # the destination is at fault (the output directory), not the store it came from
        raise FileSystemError(exc, dest) from exc
