"""Positioned reads from an ELF file, whether it sits on disk or inside a wheel.

A file on disk is read with ``os.pread`` (`FileBytes`): only the pieces asked for. A wheel
member can only be inflated front to back, so `StreamBytes` inflates it as far as the furthest
byte asked for and keeps what it inflated: an audit that needs the first 5 MB of a 26 MB
library never inflates the rest.
"""

from __future__ import annotations

import io
import os
from typing import IO, Protocol


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

    def __init__(self, stream: IO[bytes], size: int) -> None:
        self._stream = stream
        self._size = size
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
        return io.BytesIO(self._buf), len(self._buf)
