"""What a rebuilt wheel can take from the last one: the deflate streams of its large members,
and the digests of the files they came from.

- `MemberCache` keeps the raw deflate stream of each large member by content (sha256), so an
  unchanged extension module is not compressed again;
- `MemberLoader` remembers, per file version (a `rustwheel.freshness.facts.FactsIndex`), a
  large file's sha256 (for RECORD) and CRC-32 (for the zip), so an unchanged 26 MB library is
  not even read: it gives a `FileEntry` and the wheel writer copies the cached stream.

Both live in one directory per wheel and are only caches: every stream is checked before use
(its length and CRC-32, and the CRC-32 of the data it must inflate to), a damaged or stale one
is replaced, and files are written atomically.
"""

from __future__ import annotations

import hashlib
import os
import struct
import zlib
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional, Union

from rustwheel.atomic import write_bytes
from rustwheel.freshness.facts import FactsIndex, of_stat
from rustwheel.spec.zipwriter import deflate

INDEX = ".file-digests.json"
_STREAM = struct.Struct("<4sLLQ")  # magic, CRC-32 of the data, CRC-32 of the stream, length
_MAGIC = b"RWD1"


@dataclass(frozen=True)
class Entry:
    """One file of the wheel: its archive path, its bytes and whether it is executable."""

    path: str
    data: bytes
    executable: bool = False


@dataclass(frozen=True)
class FileEntry:
    """A large member taken from a file whose digests are known; its bytes are read only when
    its deflate stream is not cached (``loaded``: already read)."""

    path: str
    source: str
    executable: bool
    size: int
    sha256: bytes
    crc: int
    loaded: Optional[bytes] = field(default=None, repr=False, compare=False)

    @property
    def data(self) -> bytes:
        """The file's bytes, checked against the digest RECORD will list."""
        if self.loaded is not None:
            return self.loaded
        data = Path(self.source).read_bytes()
        if hashlib.sha256(data).digest() != self.sha256:
            from rustwheel.errors import ConfigError

            raise ConfigError(f"{self.source} changed while the wheel was being written; "
                              "build again")
        return data


WheelEntry = Union[Entry, FileEntry]


class MemberCache:
    """Raw deflate streams of large members, by content digest, in one directory.

    Only what the last wheel used is kept, so the directory holds at most one wheel's worth.
    """

    MIN_SIZE = 256 * 1024

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.used: set[str] = set()

    def _stream_path(self, sha256: bytes) -> Path:
        key = f"{sha256.hex()}.deflate"
        self.used.add(key)
        return self.directory / key

    def _cached(self, path: Path, crc: int) -> Optional[bytes]:
        """The stream in ``path`` if it is whole and inflates to data with CRC-32 ``crc``."""
        try:
            with open(path, "rb") as f:  # header and stream apart: no 7 MB slice copy
                header = f.read(_STREAM.size)
                stream = f.read()
        except OSError:
            return None
        if len(header) < _STREAM.size:
            return None
        magic, data_crc, stream_crc, length = _STREAM.unpack_from(header)
        if magic != _MAGIC or data_crc != crc or length != len(stream) or \
                zlib.crc32(stream) & 0xFFFFFFFF != stream_crc:
            return None
        return stream

    def _keep(self, path: Path, crc: int, stream: bytes) -> None:
        header = _STREAM.pack(_MAGIC, crc, zlib.crc32(stream) & 0xFFFFFFFF, len(stream))
        with suppress(OSError):  # a cache only
            write_bytes(path, header + stream)

    def compress(self, data: bytes, sha256: bytes) -> tuple[int, bytes]:
        """``data``'s deflate stream; ``sha256`` is its digest (computed once, for RECORD)."""
        if len(data) < self.MIN_SIZE:
            return deflate(data)
        path = self._stream_path(sha256)
        crc = zlib.crc32(data) & 0xFFFFFFFF
        cached = self._cached(path, crc)
        if cached is not None:
            return crc, cached
        crc, stream = deflate(data)
        self._keep(path, crc, stream)
        return crc, stream

    def file_stream(self, entry: FileEntry) -> tuple[int, bytes]:
        """The deflate stream of a `FileEntry`: the cached one, else compressed now."""
        path = self._stream_path(entry.sha256)
        cached = self._cached(path, entry.crc)
        if cached is not None:
            return entry.crc, cached
        crc, stream = deflate(entry.data, entry.crc)
        self._keep(path, crc, stream)
        return crc, stream

    def prune(self) -> None:
        try:
            names = os.listdir(self.directory)
        except OSError:
            return
        for name in names:
            if name not in self.used and not name.startswith("."):
                with suppress(OSError):
                    os.unlink(self.directory / name)


class MemberLoader:
    """Reads the wheel's files, large ones through an index of their digests (see `load`)."""

    def __init__(self, directory: Optional[Path]) -> None:
        self.digests = FactsIndex(directory / INDEX) if directory is not None else None

    def load(self, archive_path: str, source: str, executable: Optional[bool]) -> WheelEntry:
        """The entry for ``source``; ``executable`` None: from its mode on disk.

        A large file whose version is in the index becomes a `FileEntry` without being read;
        another large one is read and hashed here, once, and entered in the index.
        """
        st = os.stat(source)
        mode = bool(st.st_mode & 0o100) if executable is None else executable
        if self.digests is None or st.st_size < MemberCache.MIN_SIZE:
            return Entry(archive_path, Path(source).read_bytes(), mode)
        known = self.digests.get(source, st)
        if known is not None and len(known) == 2:
            sha256, crc = bytes.fromhex(str(known[0])), int(str(known[1]))
            return FileEntry(archive_path, source, mode, st.st_size, sha256, crc)
        with open(source, "rb") as f:
            data = f.read()
            after = os.fstat(f.fileno())
        sha256, crc = hashlib.sha256(data).digest(), zlib.crc32(data) & 0xFFFFFFFF
        if of_stat(after) == of_stat(st) and len(data) == st.st_size:
            self.digests.put(source, st, sha256.hex(), crc)  # not while it was being rewritten
        return FileEntry(archive_path, source, mode, len(data), sha256, crc, data)

    def save(self) -> None:
        if self.digests is not None:
            self.digests.save()
