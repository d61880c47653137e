"""The on-disk layout of a local store: paths, the lock, atomic writes and the blob format.

```
<root>/v1/blobs/<2 hex>/<sha256>      zstd-compressed file contents (header + zstd frame)
<root>/v1/actions/<2 hex>/<key>.json  action entries (JSON with a checksum over the body)
<root>/v1/tmp/                        temp files, renamed into place (never read half-written)
<root>/v1/lock                        flock: shared for entry reads and writes, exclusive for
                                      maintenance
<root>/v1/size                        a running total of the bytes stored (for the size bound)
```

A blob is a header (magic, size, frame size) and then a zstd frame (``RWZ1``) or, for bytes that
are compressed already (a wheel member's deflate stream), the bytes as they are (``RWR0``).
Large blobs are written and read in chunks (`encode_stream`, `decode_stream`).

Nothing outside `<root>/v1` is ever created, changed or removed.
"""

from __future__ import annotations

import hashlib
import os
import re
import struct
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import BinaryIO, NamedTuple

from rustwheel.cache.keys import digest_bytes
from rustwheel.cache.location import LAYOUT_VERSION
from rustwheel.errors import CacheError

if sys.platform != "win32":
    import fcntl

BLOB_MAGIC = b"RWZ1"
RAW_MAGIC = b"RWR0"
CHUNK = 1 << 20
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


class StorePaths(NamedTuple):
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

    @property
    def size_file(self) -> Path:
        return self.base / "size"

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


def _write_error(dest: Path, exc: OSError) -> CacheError:
    return CacheError(f"cannot write {dest} in the build cache ({exc.strerror or exc}); "
                      "free some space or run `rustwheel cache gc`")


def write_atomic(paths: StorePaths, dest: Path, data: bytes) -> None:
    """Write `data` to a temp file in `v1/tmp`, then rename it to `dest` (same file system)."""
    with temp_file(paths, dest.name[:16]) as (fh, tmp):
        try:
            fh.write(data)
            fh.flush()
        except OSError as exc:
            raise _write_error(dest, exc) from exc
        rename_into(tmp, dest)


@contextmanager
def temp_file(paths: StorePaths, prefix: str = "stream") -> Iterator[tuple[BinaryIO, Path]]:
    """A new temp file in `v1/tmp` (removed afterwards unless renamed away)."""
    try:
        paths.tmp.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=paths.tmp, prefix=prefix + ".")
    except OSError as exc:
        raise CacheError(f"cannot write to the build cache at {paths.root} "
                         f"({exc.strerror or exc}); set RUSTWHEEL_CACHE_DIR to a writable "
                         "directory") from exc
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh, Path(tmp)
    finally:
        Path(tmp).unlink(missing_ok=True)


def rename_into(tmp: Path, dest: Path) -> None:
    """Move a finished temp file to ``dest`` (mode 0644)."""
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(tmp, 0o644)
        os.replace(tmp, dest)
    except OSError as exc:
        raise _write_error(dest, exc) from exc


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
    wheel outside the store (by older rustwheels) is left alone: its mtime is the wheel's."""
    with suppress(OSError):  # removed meanwhile, or a read-only store: the entry is still valid
        if os.stat(path).st_nlink == 1:
            os.utime(path)


ZIP_MAGIC = b"PK\x03\x04"
"""A blob beginning so is a zip archive stored as it is (`put_blob`, and wheels stored whole by
older rustwheels); a wheel output is now a recipe (`rustwheel.cache.recipe`)."""


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
    import zstandard  # here: a build that stores nothing (or later) does not load it

    frame = zstandard.ZstdCompressor(level=blob_level(data), write_content_size=True,
                                     write_checksum=True).compress(data)
    return _HEADER.pack(BLOB_MAGIC, len(data), len(frame)) + frame


def blob_size(header: bytes) -> int | None:
    """The uncompressed size recorded in a blob header, or None if the header is not ours."""
    if len(header) < HEADER_SIZE:
        return None
    magic, size, _frame_size = _HEADER.unpack_from(header)
    return int(size) if magic in (BLOB_MAGIC, RAW_MAGIC) else None


def blob_frame_size(header: bytes) -> int | None:
    """The stored length after the header a blob header records (None: not our header)."""
    if len(header) < HEADER_SIZE or header[:4] not in (BLOB_MAGIC, RAW_MAGIC):
        return None
    return int(_HEADER.unpack_from(header)[2])


def encode_stream(src: BinaryIO, size: int, dest: BinaryIO, *, raw: bool = False) -> str:
    """Write ``size`` bytes of ``src`` to ``dest`` as a blob, in chunks (zstd, or as they are
    with ``raw``); their sha256 (hex). OSError if ``src`` ends early."""
    digest = hashlib.sha256()
    start = dest.tell()
    dest.write(bytes(HEADER_SIZE))
    left = size
    writer: BinaryIO = dest
    cctx = None
    if not raw:
        import zstandard

        cctx = zstandard.ZstdCompressor(level=2 if size >= LARGE_BLOB else ZSTD_LEVEL,
                                        write_content_size=True, write_checksum=True)
        writer = cctx.stream_writer(dest, size=size, closefd=False)
    while left > 0:
        chunk = src.read(min(CHUNK, left))
        if not chunk:
            raise OSError(f"file shrank while being stored ({size - left} of {size} bytes)")
        digest.update(chunk)
        writer.write(chunk)
        left -= len(chunk)
    if cctx is not None:
        writer.close()
    end = dest.tell()
    dest.seek(start)
    dest.write(_HEADER.pack(RAW_MAGIC if raw else BLOB_MAGIC, size, end - start - HEADER_SIZE))
    dest.seek(end)
    return digest.hexdigest()


def _blob_reader(src: BinaryIO) -> tuple[BinaryIO, int]:
    """What reads a blob file's contents, and their size (CorruptEntry: a bad header)."""
    header = src.read(HEADER_SIZE)
    total = os.fstat(src.fileno()).st_size
    if header[:4] == ZIP_MAGIC:  # a wheel stored whole by an older rustwheel
        src.seek(0)
        return src, total
    frame_size = blob_frame_size(header)
    if frame_size is None:
        raise CorruptEntry("missing or unknown header")
    if total - HEADER_SIZE != frame_size:
        raise CorruptEntry(f"truncated or padded: {total} bytes instead of "
                           f"{HEADER_SIZE + frame_size}")
    size = int(_HEADER.unpack_from(header)[1])
    if header[:4] == RAW_MAGIC:
        return src, size
    import zstandard

    return zstandard.ZstdDecompressor().stream_reader(src, read_size=CHUNK, closefd=False), size


def decode_stream(src: BinaryIO, digest: str, out: BinaryIO | None) -> int:
    """Copy the verified contents of the blob file ``src`` to ``out`` (None: only check it) in
    chunks; their size. CorruptEntry if anything is off (``out`` then holds part of it)."""
    import zstandard

    reader, size = _blob_reader(src)
    sha = hashlib.sha256()
    done = 0
    try:
        while (chunk := reader.read(CHUNK)) and done + len(chunk) <= size:
            done += len(chunk)
            sha.update(chunk)
            if out is not None:
                out.write(chunk)
    except zstandard.ZstdError as exc:
        raise CorruptEntry(f"cannot decompress: {exc}") from None
    if done != size or chunk:
        raise CorruptEntry(f"more or fewer bytes than the {size} recorded")
    if sha.hexdigest() != digest:
        raise CorruptEntry("content does not match its sha256")
    return done


def decode_blob(raw: bytes, digest: str) -> bytes:
    """The contents of a stored blob, verified against `digest`; CorruptEntry if anything is off."""
    if is_raw(raw):
        if digest_bytes(raw) != digest:
            raise CorruptEntry("content does not match its sha256")
        return raw
    size = blob_size(raw)
    if size is None:
        raise CorruptEntry("missing or unknown header")
    magic, _, frame_size = _HEADER.unpack_from(raw)
    if len(raw) - HEADER_SIZE != frame_size:
        raise CorruptEntry(f"truncated or padded: {len(raw)} bytes instead of "
                           f"{HEADER_SIZE + frame_size}")
    if magic == RAW_MAGIC:
        if digest_bytes(raw[HEADER_SIZE:]) != digest:
            raise CorruptEntry("content does not match its sha256")
        return raw[HEADER_SIZE:]
    import zstandard

    try:
        data = zstandard.ZstdDecompressor().decompress(raw[HEADER_SIZE:], max_output_size=size)
    except zstandard.ZstdError as exc:
        raise CorruptEntry(f"cannot decompress: {exc}") from None
    if len(data) != size:
        raise CorruptEntry(f"{len(data)} bytes instead of {size}")
    if digest_bytes(data) != digest:
        raise CorruptEntry("content does not match its sha256")
    return data
