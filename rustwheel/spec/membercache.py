"""What a rebuilt wheel can take from the last one: the deflate streams of its large members.

- `MemberCache` keeps the raw deflate stream of each large member by content (sha256), so an
  unchanged extension module is not compressed again;
- `load_member` gives a large file as a `FileEntry` whose sha256 (for RECORD and the stream's
  name) is the freshness digest of its version, so an unchanged 26 MB library is not even
  read: the wheel writer copies its cached stream, with the CRC-32 recorded in it.

The streams live in one directory per wheel and are only a cache: every stream is checked as it
is copied (its length and CRC-32), a damaged one is replaced, and files are written atomically.
Large members are only ever read, hashed, compressed and copied in chunks, so memory does not
grow with their size.
"""

from __future__ import annotations

import hashlib
import io
import os
import struct
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, NamedTuple, Optional, Union

from rustwheel.freshness.facts import DigestCache, of_stat
from rustwheel.spec import lastwheel
from rustwheel.spec.compression import DEFAULT, Compression
from rustwheel.spec.lastwheel import KeptEntry, LastWheel
from rustwheel.spec.zipwriter import CHUNK, ZipWriter, crc32

if TYPE_CHECKING:
    from rustwheel.freshness.facts import Facts

_STREAM = struct.Struct("<4sLLQ32s")  # magic, the data's CRC-32, the stream's CRC-32, length
_MAGIC = b"RWD2"                       # and sha256 (`rustwheel.cache.hints`)


class Entry(NamedTuple):
    """One file of the wheel: its archive path, its bytes and whether it is executable."""

    path: str
    data: bytes
    executable: bool = False
    origin: Optional[tuple[str, Facts]] = None
    """The file it was read from, and that file's facts when read (None: generated)."""


class FileEntry(NamedTuple):
    """A large member taken from a file whose digests are known: its bytes are streamed into
    the wheel when its deflate stream is not cached, never held in memory whole."""

    path: str
    source: str
    executable: bool
    size: int
    sha256: bytes
    crc: Optional[int]
    """None: computed as the member is written (or taken from its cached stream)."""
    facts: tuple[int, int, int] = (0, 0, 0)
    """The file's (inode, size, mtime) its sha256 is of: it is not hashed again when written,
    only checked to be that file still (and its CRC-32 the same, when known)."""


WheelEntry = Union[Entry, FileEntry, KeptEntry]


def source_of(entry: WheelEntry) -> BinaryIO:
    return io.BytesIO(entry.data) if isinstance(entry, Entry) else open(entry.source, "rb")


def changed(entry: WheelEntry) -> Exception:
    """The error of a member whose file changed while the wheel was being written."""
    from rustwheel.errors import ConfigError

    source = entry.path if isinstance(entry, Entry) else entry.source
    return ConfigError(f"{source} changed while the wheel was being written; build again")


class _Crc:
    def __init__(self) -> None:
        self.crc = 0

    def __call__(self, piece: bytes) -> None:
        self.crc = crc32(piece, self.crc)


def stream_member(z: ZipWriter, entry: WheelEntry, size: int, mode: int,
                  tee: Optional[BinaryIO] = None) -> int:
    """Compress ``entry`` into ``z`` in chunks; its CRC-32. A `FileEntry`'s file must still be
    the one its digests were taken from: the same facts before and after, the same CRC-32."""
    with source_of(entry) as fh:
        before = of_stat(os.fstat(fh.fileno())) if isinstance(entry, FileEntry) else None
        seen = _Crc()
        offset = z.add_file(entry.path, mode, fh, size, seen, tee)
        if isinstance(entry, FileEntry) and (
                before != entry.facts or of_stat(os.fstat(fh.fileno())) != entry.facts
                or entry.crc not in (None, seen.crc)):
            raise changed(entry)
    z.patch_crc(offset, seen.crc)
    return seen.crc


class _Tee:
    """The CRC-32 and length of a stream, and a copy of it into ``fh`` (a cache file) while
    that works: a cache that cannot be written never fails the wheel."""

    def __init__(self, fh: Optional[BinaryIO] = None) -> None:
        self.fh = fh
        self.crc = 0
        self.length = 0
        self.sha = hashlib.sha256() if fh is not None else None

    def write(self, piece: bytes) -> int:
        self.crc = crc32(piece, self.crc)
        self.length += len(piece)
        if self.sha is not None:
            self.sha.update(piece)
        if self.fh is not None:
            try:
                self.fh.write(piece)
            except OSError:
                self.fh = None
        return len(piece)


class MemberCache:
    """Raw deflate streams of large members, by content digest and compression, in one
    directory.

    Only what the last wheel used is kept, so the directory holds at most one wheel's worth.
    """

    MIN_SIZE = 256 * 1024

    def __init__(self, directory: Path, compression: Compression = DEFAULT) -> None:
        self.directory = directory
        self.compression = compression
        self.used: set[str] = set()
        self.spans: dict[tuple[int, int], str] = {}
        """The streams written, for the store: (offset in the zip, length) -> sha256."""

    def _stream_path(self, sha256: bytes) -> Path:
        key = f"{sha256.hex()}.{self.compression.tag}.deflate"
        self.used.add(key)
        return self.directory / key

    def _copy(self, z: ZipWriter, path: Path, entry: WheelEntry, size: int,
              crc: Optional[int], mode: int) -> bool:
        """Copy the cached stream in ``path`` into ``z`` if it is whole and made from data
        with CRC-32 ``crc`` (None: the one its header names, the stream being named by the
        data's sha256); False (nothing written) otherwise."""
        try:
            f = open(path, "rb")  # noqa: SIM115 (closed below; a missing file is a miss)
        except OSError:
            return False
        with f:
            header = f.read(_STREAM.size)
            if len(header) < _STREAM.size:
                return False
            magic, data_crc, stream_crc, length, sha = _STREAM.unpack_from(header)
            if magic != _MAGIC or crc not in (None, data_crc):
                return False
            check = _Tee()
            offset = z.add(entry.path, mode, size, _pieces(f, check), data_crc)
        if check.crc != stream_crc or check.length != length:
            z.rewind(offset)
            return False
        self.spans[z.last] = sha.hex()
        return True

    def add(self, z: ZipWriter, entry: WheelEntry, size: int, sha256: bytes,
            crc: Optional[int], mode: int) -> None:
        """Write ``entry`` into ``z``: its cached stream, else compressed now (and cached)."""
        path = self._stream_path(sha256)
        if self._copy(z, path, entry, size, crc, mode):
            return
        import tempfile

        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".stream.")
        except OSError:  # a cache only
            stream_member(z, entry, size, mode)
            return
        try:
            with os.fdopen(fd, "wb") as out:
                tee = _Tee(out)
                with suppress(OSError):
                    out.write(bytes(_STREAM.size))
                crc = stream_member(z, entry, size, mode, tee)  # type: ignore[arg-type]
                assert tee.sha is not None
                self.spans[z.last] = tee.sha.hexdigest()
                if tee.fh is not None:
                    with suppress(OSError):
                        out.seek(0)
                        out.write(_STREAM.pack(_MAGIC, crc, tee.crc, tee.length,
                                               tee.sha.digest()))
                        out.flush()
                        os.replace(tmp, path)
        finally:
            with suppress(OSError):
                os.unlink(tmp)

    def prune(self) -> None:
        try:
            names = os.listdir(self.directory)
        except OSError:
            return
        for name in names:
            if name not in self.used and name not in (lastwheel.INDEX, lastwheel.WHEEL):
                with suppress(OSError):
                    os.unlink(self.directory / name)


def _pieces(f: BinaryIO, check: _Tee) -> Iterator[bytes]:
    while piece := f.read(CHUNK):
        check.write(piece)
        yield piece


def load_member(archive_path: str, source: str, executable: Optional[bool],
                last: Optional[LastWheel] = None, st: Optional[os.stat_result] = None,
                ) -> WheelEntry:
    """The entry for ``source``; ``executable`` None: from its mode on disk; ``st``: its stat
    taken a moment ago (else it is stat'ed here).

    A small file is read, unless ``last`` (the last wheel) holds it as it is now.
    A large file becomes a `FileEntry` without being read here: its sha256 is the freshness
    digest of its version (`rustwheel.freshness.facts.DigestCache`, usually taken already when
    the stage's inputs were checked), and its CRC-32 is computed as it is written or taken
    from its cached stream.
    """
    st = os.stat(source) if st is None else st
    mode = bool(st.st_mode & 0o100) if executable is None else executable
    if st.st_size < MemberCache.MIN_SIZE:
        kept = last.kept(archive_path, source, st, mode) if last is not None else None
        if kept is not None:
            return kept
        return Entry(archive_path, Path(source).read_bytes(), mode, (source, of_stat(st)))
    sha256 = DigestCache.shared().digest(source, st)
    return FileEntry(archive_path, source, mode, st.st_size, bytes.fromhex(sha256), None,
                     of_stat(st))
