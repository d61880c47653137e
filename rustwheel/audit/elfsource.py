"""Positioned reads from an ELF file, whether it sits on disk or inside a wheel.

A file on disk is read with ``os.pread`` (`FileBytes`): only the pieces asked for. A wheel
member can only be inflated front to back, so `StreamBytes` inflates it as far as the furthest
byte asked for and keeps what it inflated: an audit that needs the first 5 MB of a 26 MB
library never inflates the rest.
"""

from __future__ import annotations

import io
import os
import struct
import zipfile
import zlib
from typing import IO, Callable, Optional, Protocol


class Reader(Protocol):
    def read(self, n: int = -1, /) -> bytes: ...


class ShortRead(Exception):
    """The file ends before the bytes asked for."""


class ElfBytes(Protocol):
    """Random access to the bytes of one file of known size."""

    @property
    def size(self) -> int:
        """The file's size in bytes (for a wheel member: as the archive records it)."""

    def read(self, offset: int, length: int) -> bytes:
        """``length`` bytes at ``offset``; `ShortRead` when the file is shorter."""

    def whole(self) -> tuple[IO[bytes], int]:
        """A seekable stream over the complete file, and its real size."""


class FileBytes:
    """An open file on disk, read with positioned reads."""

    def __init__(self, f: IO[bytes]) -> None:
        self._f = f
        self._fd = f.fileno()
        self._size = os.fstat(self._fd).st_size

    @property
    def size(self) -> int:
        return self._size

    def read(self, offset: int, length: int) -> bytes:
        data = os.pread(self._fd, length, offset) if length else b""
        if len(data) < length:
            raise ShortRead(offset + length)
        return data

    def whole(self) -> tuple[IO[bytes], int]:
        self._f.seek(0)
        return self._f, self._size


class StreamBytes:
    """A stream readable front to back (a zip member), inflated only as far as needed."""

    CHUNK = 1 << 16

    def __init__(self, stream: Reader, size: int,
                 verify: Optional[Callable[[bytes], None]] = None) -> None:
        self._stream = stream
        self._size = size
        self._verify = verify
        self._buf = bytearray()
        self._eof = False

    @property
    def size(self) -> int:
        return self._size

    @property
    def inflated(self) -> int:
        """How many bytes of the stream were read so far."""
        return len(self._buf)

    def read(self, offset: int, length: int) -> bytes:
        end = offset + length
        if end > len(self._buf):
            self._fill(end)
            if end > len(self._buf):
                raise ShortRead(end)
        return bytes(self._buf[offset:end])

    def _fill(self, end: int) -> None:
        while len(self._buf) < end and not self._eof:
            data = self._stream.read(max(end - len(self._buf), self.CHUNK))
            if data:
                self._buf += data
            else:
                self._eof = True

    def whole(self) -> tuple[IO[bytes], int]:
        if not self._eof:
            self._buf += self._stream.read()
            self._eof = True
            if self._verify is not None:
                self._verify(bytes(self._buf))
        return io.BytesIO(self._buf), len(self._buf)


class ZipMember:
    """A stored or deflated zip member read straight from the archive file with zlib, in
    64 KiB steps of compressed data (which stay in the CPU cache: a quarter faster than
    `zipfile.ZipExtFile`, which also computes the CRC of every byte; `check` does that once,
    when everything was read). `read` may return up to one step more than asked for."""

    STEP = 1 << 16
    _LOCAL = struct.Struct("<4s22xHH")

    @staticmethod
    def supports(info: zipfile.ZipInfo) -> bool:
        return info.compress_type in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) \
            and not info.flag_bits & 1  # not encrypted

    def __init__(self, archive: IO[bytes], info: zipfile.ZipInfo) -> None:
        self._fd = archive.fileno()
        self._info = info
        header = os.pread(self._fd, self._LOCAL.size, info.header_offset)
        if len(header) < self._LOCAL.size or header[:4] != b"PK\x03\x04":
            raise zipfile.BadZipFile(f"bad local header for {info.filename}")
        _, name_len, extra_len = self._LOCAL.unpack(header)
        self._at = info.header_offset + self._LOCAL.size + name_len + extra_len
        self._left = info.compress_size
        self._inflate = zlib.decompressobj(-15) \
            if info.compress_type == zipfile.ZIP_DEFLATED else None

    def read(self, n: int = -1) -> bytes:
        parts: list[bytes] = []
        got = 0
        while (n < 0 or got < n) and self._left > 0:
            chunk = os.pread(self._fd, min(self.STEP, self._left), self._at)
            if not chunk:
                raise zipfile.BadZipFile(f"{self._info.filename} is cut short")
            self._at += len(chunk)
            self._left -= len(chunk)
            data = self._inflate.decompress(chunk) if self._inflate is not None else chunk
            parts.append(data)
            got += len(data)
        if self._left == 0 and self._inflate is not None:
            parts.append(self._inflate.flush())
        return b"".join(parts)

    def check(self, data: bytes) -> None:
        """Raise `zipfile.BadZipFile` unless ``data`` (all of it) has the recorded size and CRC."""
        if len(data) != self._info.file_size or \
                zlib.crc32(data) & 0xFFFFFFFF != self._info.CRC:
            raise zipfile.BadZipFile(f"bad CRC-32 or size for {self._info.filename}")
