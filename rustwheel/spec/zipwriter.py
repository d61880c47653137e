"""A minimal, streaming zip writer for wheels that can reuse the compressed bytes of unchanged
members.

The archive is what `zipfile` writes for the same entries (no data descriptors, no extra fields,
Unix "version made by"), deflated by zlib-ng (the pinned ``zlib-ng`` package, never the system
zlib, so the bytes depend on rustwheel's dependencies, not on the machine). Members are written
one at a time in bounded chunks: a member's local header is written first and its CRC-32 and
compressed size patched in after its data, so memory does not grow with member size. A member's
raw deflate stream can come from a cache keyed by its content digest (`membercache`).
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterable, Iterator, Sequence
from typing import BinaryIO, Callable, Optional

from zlib_ng import zlib_ng

from rustwheel.spec.compression import DEFAULT, DEFLATED, STORED, Compression

_LOCAL = struct.Struct("<4s2B4HL2L2H")
_CENTRAL = struct.Struct("<4s4B4HL2L5HLL")
_END = struct.Struct("<4s4H2LH")
_CENTRAL_TAIL = struct.Struct("<3H2L")
"""A central directory entry after the fields it shares with the local header: comment
length, disk, internal and external attributes, local header offset."""
_UNIX = 3
_VERSION = 20  # what zipfile writes, for deflated and stored members alike
_CENTRAL_HEAD = b"PK\x01\x02" + bytes((_VERSION, _UNIX))
_LIMIT = 0xFFFFFFFF
ZLIB_NG_VERSION = str(zlib_ng.ZLIBNG_VERSION)


def crc32(data: bytes, value: int = 0) -> int:
    return zlib_ng.crc32(data, value) & 0xFFFFFFFF


CHUNK = 1 << 20
PARALLEL_MIN = 4 * CHUNK
_WINDOW = 32768


def _deflate_chunk(data: bytes, zdict: bytes, last: bool, level: int) -> bytes:
    # Each chunk is primed with the 32 KiB before it, so matches reach across chunk borders.
    comp = (zlib_ng.compressobj(level, DEFLATED, -15, zdict=zdict) if zdict
            else zlib_ng.compressobj(level, DEFLATED, -15))
    return comp.compress(data) + comp.flush(zlib_ng.Z_FINISH if last else zlib_ng.Z_SYNC_FLUSH)


def _workers() -> int:
    return min(8, os.cpu_count() or 1)


def deflate_chunks(read: Callable[[int], bytes], size: int, level: int = 6,
                   seen: Optional[Callable[[bytes], None]] = None) -> Iterator[bytes]:
    """The raw deflate stream of ``size`` bytes given by ``read`` (a file's ``read``), in
    pieces; ``seen`` gets every piece of data read.

    Under 4 MiB: one zlib stream, what zipfile produces. From 4 MiB on: 1 MiB chunks compressed
    on all cores (zlib-ng releases the GIL), two per core at a time, and their streams joined,
    like pigz: a valid deflate stream whose bytes depend only on the data, never on the number
    of cores, so wheels stay reproducible; memory stays bounded by the workers' chunks."""
    if size < PARALLEL_MIN:
        data = read(size)
        if seen is not None:
            seen(data)
        comp = zlib_ng.compressobj(level, DEFLATED, -15)
        yield comp.compress(data) + comp.flush()
        return
    from collections import deque
    from concurrent.futures import Future, ThreadPoolExecutor

    workers = _workers()
    done, tail = 0, b""
    pending: deque[Future[bytes]] = deque()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        # Two chunks per worker in flight: while the workers compress, this thread reads the
        # next chunks and hands on the streams already made.
        while done < size or pending:
            while done < size and len(pending) < 2 * workers:
                chunk = read(min(CHUNK, size - done))
                if not chunk:
                    raise OSError(f"file shrank while being compressed ({done} of {size} bytes)")
                if seen is not None:
                    seen(chunk)
                done += len(chunk)
                pending.append(pool.submit(_deflate_chunk, chunk, tail, done >= size, level))
                tail = chunk[-_WINDOW:]
            yield pending.popleft().result()


def deflate(data: bytes, crc: Optional[int] = None, level: int = 6) -> tuple[int, bytes]:
    """(CRC-32, raw deflate stream) of ``data`` (see `deflate_chunks`)."""
    import io

    stream = b"".join(deflate_chunks(io.BytesIO(data).read, len(data), level))
    return (crc32(data) if crc is None else crc), stream


def _dos(date_time: tuple[int, int, int, int, int, int]) -> tuple[int, int]:
    y, mo, d, h, mi, s = date_time
    return (h << 11) | (mi << 5) | (s // 2), ((y - 1980) << 9) | (mo << 5) | d


def max_stream(size: int) -> int:
    """An upper bound of a member's compressed size (deflate's worst case, with sync flushes)."""
    return size + (size >> 8) + 4096


def fits(paths: Sequence[str], sizes: Sequence[int]) -> bool:
    """True when members of these paths and sizes need no zip64 record (otherwise use
    zipfile)."""
    if len(paths) >= 0xFFFF:
        return False
    data = sum(sizes)
    # Each member's local header, name (at most 64 KiB) and worst-case stream overhead: most
    # wheels are far below the limit, and their names need not be measured one by one.
    if data + (data >> 8) + len(paths) * (4096 + 30 + 0xFFFF) < _LIMIT:
        return True
    return sum(max_stream(size) + 30 + len(path.encode())
               for path, size in zip(paths, sizes)) < _LIMIT


class ZipWriter:
    """Writes a zip to a seekable file, one member at a time (see the module docstring)."""

    def __init__(self, fh: BinaryIO, date_time: tuple[int, int, int, int, int, int],
                 method: Compression = DEFAULT) -> None:
        self.fh = fh
        self.dostime, self.dosdate = _dos(date_time)
        self.method = method
        self.central: list[bytes] = []
        self.start = fh.tell()
        self.last = (0, 0)
        """Where the last member's stream is: (offset, length)."""

    def _header(self, path: str, method: int, crc: int, csize: int, size: int) -> bytes:
        name = path.encode("utf-8")
        flags = 0 if path.isascii() else 0x800
        return _LOCAL.pack(b"PK\x03\x04", _VERSION, 0, flags, method, self.dostime,
                           self.dosdate, crc, csize, size, len(name), 0) + name

    def add(self, path: str, mode: int, size: int, pieces: Iterable[bytes],
            crc: Optional[int] = None, method: Optional[int] = None) -> int:
        """Write a member of ``size`` bytes whose stream in the zip is ``pieces`` (compressed
        by ``method``, default: this writer's); ``crc``: the data's CRC-32, None when it is
        known only afterwards (then given to `patch_crc`). Returns the local header offset."""
        code = self.method.code if method is None else method
        offset = self.fh.tell()
        header = self._header(path, code, crc or 0, 0, size)
        self.fh.write(header)
        csize = 0
        for piece in pieces:
            self.fh.write(piece)
            csize += len(piece)
        self._finish(path, mode, offset, code, crc or 0, csize, size)
        self.last = (offset + len(header), csize)
        return offset

    def _finish(self, path: str, mode: int, offset: int, code: int, crc: int, csize: int,
                size: int) -> None:
        end = self.fh.tell()
        self.fh.seek(offset + 14)
        self.fh.write(struct.pack("<3L", crc, csize, size))
        self.fh.seek(end)
        self._central(path, mode, offset, code, crc, csize, size)

    def _central(self, path: str, mode: int, offset: int, code: int, crc: int, csize: int,
                 size: int) -> None:
        name = path.encode("utf-8")
        flags = 0 if path.isascii() else 0x800
        attrs = ((0o100000 | mode) & 0xFFFF) << 16
        self.central.append(_CENTRAL.pack(b"PK\x01\x02", _VERSION, _UNIX, _VERSION, 0, flags,
                                          code, self.dostime, self.dosdate, crc, csize, size,
                                          len(name), 0, 0, 0, 0, attrs, offset - self.start)
                            + name)

    def add_run(self, data: bytes, members: Iterable[tuple[int, int, int]]) -> None:
        """Members as a writer with the same timestamp and compression wrote them before, one
        after another: ``data``, their local headers and streams, copied as they are;
        ``members``: each one's (offset in ``data``, length, mode). Their central directory
        entries repeat their local headers' fields, so they are taken from there."""
        start = self.fh.tell()
        self.fh.write(data)
        add, tail = self.central.append, _CENTRAL_TAIL.pack
        for at, length, mode in members:
            name_end = at + 30 + int.from_bytes(data[at + 26:at + 28], "little")
            add(_CENTRAL_HEAD + data[at + 4:at + 30]
                + tail(0, 0, 0, ((0o100000 | mode) & 0xFFFF) << 16, start + at - self.start)
                + data[at + 30:name_end])
            self.last = (start + name_end, at + length - name_end)

    def patch_crc(self, offset: int, crc: int) -> None:
        """Set the CRC-32 of the member at ``offset`` (the last one written) once known."""
        end = self.fh.tell()
        self.fh.seek(offset + 14)
        self.fh.write(struct.pack("<L", crc))
        self.fh.seek(end)
        last = bytearray(self.central[-1])
        struct.pack_into("<L", last, 16, crc)
        self.central[-1] = bytes(last)

    def rewind(self, offset: int) -> None:
        """Drop the last member written (at ``offset``): a cached stream turned out bad."""
        self.fh.seek(offset)
        self.fh.truncate()
        self.central.pop()

    def add_bytes(self, path: str, data: bytes, mode: int) -> int:
        """Write a member held in memory; its CRC-32."""
        if self.method.code == STORED:
            crc = crc32(data)
            self.add(path, mode, len(data), [data], crc)
        else:
            crc, stream = deflate(data, level=self.method.level)
            self.add(path, mode, len(data), [stream], crc)
        return crc

    def add_file(self, path: str, mode: int, fh: BinaryIO, size: int,
                 seen: Callable[[bytes], None], tee: Optional[BinaryIO] = None) -> int:
        """Stream ``size`` bytes of ``fh`` in, compressed; ``seen`` gets the data read, ``tee``
        a copy of the compressed stream. Returns the local header offset (see `patch_crc`)."""
        if self.method.code == STORED:
            pieces: Iterable[bytes] = _stored(fh, size, seen)
        else:
            pieces = deflate_chunks(fh.read, size, self.method.level, seen)
        if tee is not None:
            pieces = _teed(pieces, tee)
        return self.add(path, mode, size, pieces)

    def close(self) -> None:
        directory = b"".join(self.central)
        offset = self.fh.tell() - self.start
        self.fh.write(directory)
        count = len(self.central)
        self.fh.write(_END.pack(b"PK\x05\x06", 0, 0, count, count, len(directory), offset, 0))


def _stored(fh: BinaryIO, size: int, seen: Callable[[bytes], None]) -> Iterator[bytes]:
    left = size
    while left > 0:
        chunk = fh.read(min(CHUNK, left))
        if not chunk:
            raise OSError(f"file shrank while being stored ({size - left} of {size} bytes)")
        seen(chunk)
        left -= len(chunk)
        yield chunk


def _teed(pieces: Iterable[bytes], tee: BinaryIO) -> Iterator[bytes]:
    for piece in pieces:
        tee.write(piece)
        yield piece
