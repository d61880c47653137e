"""The on-disk layout of a local store: paths, the lock, atomic writes and the blob format.

```
<root>/v1/blobs/<2 hex>/<sha256>      zstd-compressed file contents (header + zstd frame)
<root>/v1/actions/<2 hex>/<key>.json  action entries (JSON with a checksum over the body)
<root>/v1/tmp/                        temp files, renamed into place (never read half-written)
<root>/v1/lock                        flock: shared for entry reads and writes, exclusive for
                                      maintenance
```

Nothing outside `<root>/v1` is ever created, changed or removed.
"""

from __future__ import annotations

import os
import re
import struct
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import zstandard

from rustwheel.cache.keys import digest_bytes
from rustwheel.errors import CacheError

if sys.platform != "win32":
    import fcntl

LAYOUT_VERSION = "v1"
BLOB_MAGIC = b"RWZ1"
_HEADER = struct.Struct(">4sQQ")  # magic, uncompressed size, compressed frame size
HEADER_SIZE = _HEADER.size
_HEX64 = re.compile(r"[0-9a-f]{64}")
ZSTD_LEVEL = 3
LARGE_BLOB = 8 << 20


class CorruptEntry(Exception):
    """A blob or action file failed verification; the message says why (internal, always caught)."""


def is_digest(value: str) -> bool:
    """True if `value` is a lowercase sha256 hex digest (the only names used inside the store)."""
    return _HEX64.fullmatch(value) is not None


def check_digest(value: str, what: str) -> str:
    """`value` if it is a sha256 hex digest; ValueError otherwise (a bug in the caller)."""
    if not is_digest(value):
        raise ValueError(f"invalid cache {what} {value!r}: expected 64 lowercase hex digits")
    return value


@dataclass(frozen=True)
class StorePaths:
    """Where each part of a local store lives under `root`."""

    root: Path

    @property
    def base(self) -> Path:
        return self.root / LAYOUT_VERSION

    @property
    def blobs(self) -> Path:
        return self.base / "blobs"

    @property
    def actions(self) -> Path:
        return self.base / "actions"

    @property
    def tmp(self) -> Path:
        return self.base / "tmp"

    @property
    def lock(self) -> Path:
        return self.base / "lock"

    def blob_path(self, digest: str) -> Path:
        check_digest(digest, "blob digest")
        return self.blobs / digest[:2] / digest

    def action_path(self, key: str) -> Path:
        check_digest(key, "action key")
        return self.actions / key[:2] / f"{key}.json"

    def blob_files(self) -> Iterator[Path]:
        """Every regular file under `blobs/` (names are not checked)."""
        return _files_under(self.blobs)

    def action_files(self) -> Iterator[Path]:
        """Every regular file under `actions/` (names are not checked)."""
        return _files_under(self.actions)

    def tmp_files(self) -> Iterator[Path]:
        return _files_under(self.tmp)


def _files_under(top: Path) -> Iterator[Path]:
    for dirpath, _dirnames, filenames in os.walk(top):
        for name in filenames:
            yield Path(dirpath, name)


def blob_digest_of(paths: StorePaths, file: Path) -> str | None:
    """The digest a blob file is named after, or None if it is not where that digest belongs."""
    name = file.name
    if is_digest(name) and file == paths.blob_path(name):
        return name
    return None


def action_key_of(paths: StorePaths, file: Path) -> str | None:
    """The key an action file is named after, or None if it is not where that key belongs."""
    stem = file.name[:-5] if file.name.endswith(".json") else ""
    if is_digest(stem) and file == paths.action_path(stem):
        return stem
    return None


@contextmanager
def store_lock(paths: StorePaths, *, exclusive: bool, blocking: bool = True) -> Iterator[bool]:
    """Hold `v1/lock` shared or exclusive; yields False if `blocking` is off and it is busy."""
    try:
        paths.base.mkdir(parents=True, exist_ok=True)
        fd = os.open(paths.lock, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError as exc:
        raise CacheError(
            f"cannot use the build cache at {paths.root} ({exc.strerror or exc}); "
            "set RUSTWHEEL_CACHE_DIR to a writable directory") from exc
    try:
        if sys.platform != "win32":
            op = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
            try:
                fcntl.flock(fd, op if blocking else op | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
        yield True
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def write_atomic(paths: StorePaths, dest: Path, data: bytes) -> None:
    """Write `data` to a temp file in `v1/tmp`, then rename it to `dest` (same file system)."""
    try:
        paths.tmp.mkdir(parents=True, exist_ok=True)
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=paths.tmp, prefix=dest.name[:16] + ".")
    except OSError as exc:
        raise CacheError(f"cannot write to the build cache at {paths.root} "
                         f"({exc.strerror or exc}); set RUSTWHEEL_CACHE_DIR to a writable "
                         "directory") from exc
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, dest)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise CacheError(f"cannot write {dest} in the build cache ({exc.strerror or exc}); "
                         "free some space or run `rustwheel cache gc`") from exc


def link_atomic(paths: StorePaths, source: Path, dest: Path) -> bool:
    """Hard-link `source` as `dest` (through a temp name in `v1/tmp`); False when the two are
    on different file systems (or links are refused), and nothing was written."""
    try:
        paths.tmp.mkdir(parents=True, exist_ok=True)
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = paths.tmp / f"{dest.name[:16]}.{os.getpid()}.link"
        tmp.unlink(missing_ok=True)
        os.link(source, tmp)
    except OSError:
        return False
    try:
        os.replace(tmp, dest)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise CacheError(f"cannot write {dest} in the build cache ({exc.strerror or exc}); "
                         "free some space or run `rustwheel cache gc`") from exc
    return True


def remove(path: Path) -> int:
    """Delete `path` if it is there; returns the bytes freed (0 if it was already gone)."""
    try:
        size = path.stat().st_size
        path.unlink()
    except FileNotFoundError:
        return 0
    return size


def touch(path: Path) -> None:
    """Record an access for LRU eviction (the file's mtime is its last use). A blob linked to a
    wheel outside the store (`LocalStore.put_file`) is left alone: its mtime is the wheel's."""
    with suppress(OSError):  # removed meanwhile, or a read-only store: the entry is still valid
        if os.stat(path).st_nlink == 1:
            os.utime(path)


ZIP_MAGIC = b"PK\x03\x04"
"""A blob beginning so is a zip archive (a wheel) stored as it is: its members are deflated
already, so zstd would gain under 0.1% on it; stored raw, a new wheel can be linked into the
store instead of written again (`LocalStore.put_file`)."""


def blob_level(data: bytes) -> int:
    """The zstd level for ``data``: 2 for blobs of 8 MiB and more (a 26 MB debug library: 5%
    larger than at level 3, in half the time, which a cold build waits for); else
    `ZSTD_LEVEL`."""
    return 2 if len(data) >= LARGE_BLOB else ZSTD_LEVEL


def is_raw(data: bytes) -> bool:
    """Whether ``data`` is stored as it is (a zip archive) rather than as a zstd frame."""
    return data[:4] == ZIP_MAGIC


def encode_blob(data: bytes) -> bytes:
    """A header (magic, uncompressed size, frame size) then one zstd frame with a checksum;
    a zip archive as it is (`ZIP_MAGIC`)."""
    if is_raw(data):
        return data
    frame = zstandard.ZstdCompressor(level=blob_level(data), write_content_size=True,
                                     write_checksum=True).compress(data)
    return _HEADER.pack(BLOB_MAGIC, len(data), len(frame)) + frame


def blob_size(header: bytes) -> int | None:
    """The uncompressed size recorded in a blob header, or None if the header is not ours."""
    if len(header) < HEADER_SIZE:
        return None
    magic, size, _frame_size = _HEADER.unpack_from(header)
    return int(size) if magic == BLOB_MAGIC else None


def decode_blob(raw: bytes, digest: str) -> bytes:
    """The contents of a stored blob, verified against `digest`; CorruptEntry if anything is off."""
    if is_raw(raw):
        if digest_bytes(raw) != digest:
            raise CorruptEntry("content does not match its sha256")
        return raw
    size = blob_size(raw)
    if size is None:
        raise CorruptEntry("missing or unknown header")
    frame_size = _HEADER.unpack_from(raw)[2]
    if len(raw) - HEADER_SIZE != frame_size:
        raise CorruptEntry(f"truncated or padded: {len(raw)} bytes instead of "
                           f"{HEADER_SIZE + frame_size}")
    try:
        data = zstandard.ZstdDecompressor().decompress(raw[HEADER_SIZE:], max_output_size=size)
    except zstandard.ZstdError as exc:
        raise CorruptEntry(f"cannot decompress: {exc}") from None
    if len(data) != size:
        raise CorruptEntry(f"{len(data)} bytes instead of {size}")
    if digest_bytes(data) != digest:
        raise CorruptEntry("content does not match its sha256")
    return data
