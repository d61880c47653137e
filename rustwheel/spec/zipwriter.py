"""A minimal zip writer for wheels that can reuse the compressed bytes of unchanged members.

The archive it writes is byte-for-byte what `zipfile` writes for the same entries (deflate at
level 6, no data descriptors, no extra fields, Unix "version made by"), but a member's raw
deflate stream can come from a cache keyed by the member's content digest: rebuilding a wheel
after a python-only edit then does not compress a large extension module again.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import BinaryIO, Callable, Optional

_LOCAL = struct.Struct("<4s2B4HL2L2H")
_CENTRAL = struct.Struct("<4s4B4HL2L5HLL")
_END = struct.Struct("<4s4H2LH")
_VERSION = 20  # deflate
_UNIX = 3
_LIMIT = 0xFFFFFFFF


@dataclass(frozen=True)
class Member:
    path: str
    mode: int
    """Unix permission bits (0o644 / 0o755)."""
    crc: int
    size: int
    compressed: bytes


CHUNK = 1 << 20
PARALLEL_MIN = 4 * CHUNK


def _deflate_chunk(data: bytes, start: int, last: bool) -> bytes:
    # Each chunk is primed with the 32 KiB before it, so matches reach across chunk borders.
    zdict = data[max(0, start - 32768):start]
    comp = (zlib.compressobj(6, zlib.DEFLATED, -15, zdict=zdict) if zdict
            else zlib.compressobj(6, zlib.DEFLATED, -15))
    out = comp.compress(data[start:start + CHUNK])
    return out + comp.flush(zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH)


def deflate(data: bytes, crc: Optional[int] = None) -> tuple[int, bytes]:
    """(CRC-32, raw deflate stream at level 6); ``crc``: the CRC-32 when already known.

    Small members: exactly what zipfile produces. Members of 4 MiB and more are compressed in
    1 MiB chunks on all cores (zlib releases the GIL) and the chunks' streams concatenated,
    like pigz: a valid deflate stream whose bytes depend only on the data, never on the
    number of cores, so wheels stay reproducible."""
    if crc is None:
        crc = zlib.crc32(data) & 0xFFFFFFFF
    if len(data) < PARALLEL_MIN:
        comp = zlib.compressobj(6, zlib.DEFLATED, -15)
        return crc, comp.compress(data) + comp.flush()
    import os
    from concurrent.futures import ThreadPoolExecutor

    starts = range(0, len(data), CHUNK)
    last = starts[-1]
    with ThreadPoolExecutor(max_workers=min(8, os.cpu_count() or 1)) as pool:
        parts = list(pool.map(lambda st: _deflate_chunk(data, st, st == last), starts))
    return crc, b"".join(parts)


def member(path: str, data: bytes, mode: int,
           compress: Optional[Callable[[bytes], tuple[int, bytes]]] = None) -> Member:
    crc, compressed = (compress or deflate)(data)
    return Member(path, mode, crc, len(data), compressed)


def fits(members: Sequence[Member]) -> bool:
    """True when no zip64 record is needed (otherwise use zipfile)."""
    total = sum(len(m.compressed) + 30 + len(m.path.encode()) for m in members)
    return len(members) < 0xFFFF and total < _LIMIT and all(m.size < _LIMIT for m in members)


def _dos(date_time: tuple[int, int, int, int, int, int]) -> tuple[int, int]:
    y, mo, d, h, mi, s = date_time
    return (h << 11) | (mi << 5) | (s // 2), ((y - 1980) << 9) | (mo << 5) | d


def write_zip(fh: BinaryIO, members: Sequence[Member],
              date_time: tuple[int, int, int, int, int, int]) -> None:
    dostime, dosdate = _dos(date_time)
    central: list[bytes] = []
    offset = 0
    for m in members:
        name = m.path.encode("utf-8")
        flags = 0 if m.path.isascii() else 0x800
        header = _LOCAL.pack(b"PK\x03\x04", _VERSION, 0, flags, zlib.DEFLATED, dostime, dosdate,
                             m.crc, len(m.compressed), m.size, len(name), 0)
        fh.write(header + name)
        fh.write(m.compressed)
        attrs = ((0o100000 | m.mode) & 0xFFFF) << 16
        central.append(_CENTRAL.pack(b"PK\x01\x02", _VERSION, _UNIX, _VERSION, 0, flags,
                                     zlib.DEFLATED, dostime, dosdate, m.crc, len(m.compressed),
                                     m.size, len(name), 0, 0, 0, 0, attrs, offset) + name)
        offset += len(header) + len(name) + len(m.compressed)
    directory = b"".join(central)
    fh.write(directory)
    fh.write(_END.pack(b"PK\x05\x06", 0, 0, len(members), len(members), len(directory),
                       offset, 0))
