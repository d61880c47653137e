"""A zip archive (a wheel) stored as a recipe: its large members' compressed streams as blobs of
their own, shared by every wheel that has the same member, and the rest (local headers, small
members, the central directory) inline in a small recipe blob.

A python-only edit of a project with a 400 MB member then stores a recipe of a few kilobytes,
not a second 400 MB wheel. The recipe lists segments in file order: literal bytes, or a part
(sha256 and length); restoring writes them back in order, each part verified by its digest.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import BinaryIO, Optional, Union

from rustwheel.cache.layout import CorruptEntry

PART_MIN = 64 * 1024
"""Members whose stream is at least this long are parts; smaller ones stay in the recipe."""
MAGIC = b"RWZR"
_END = struct.Struct("<4s4H2LH")
_CENTRAL = struct.Struct("<4s4B4HL2L5HLL")
_LOCAL = struct.Struct("<4s2B4HL2L2H")
_LEN = struct.Struct("<Q")


@dataclass(frozen=True)
class Part:
    digest: str
    length: int


Segment = Union[bytes, Part]


def part_spans(fh: BinaryIO, size: int) -> Optional[list[tuple[int, int]]]:
    """(offset, length) of each member's stream of at least `PART_MIN` bytes, in file order;
    None when the file is not a plain zip this can split (zip64, a comment, odd headers)."""
    if size < _END.size:
        return None
    fh.seek(size - _END.size)
    end = fh.read(_END.size)
    magic, _, _, _, count, dir_size, dir_offset, comment = _END.unpack(end)
    if magic != b"PK\x05\x06" or comment or dir_offset + dir_size != size - _END.size:
        return None
    fh.seek(dir_offset)
    directory = fh.read(dir_size)
    spans: list[tuple[int, int]] = []
    pos = 0
    for _ in range(count):
        if directory[pos:pos + 4] != b"PK\x01\x02":
            return None
        fields = _CENTRAL.unpack_from(directory, pos)
        csize, name_len, extra_len, comment_len, offset = (fields[10], fields[12], fields[13],
                                                           fields[14], fields[18])
        pos += _CENTRAL.size + name_len + extra_len + comment_len
        if csize >= PART_MIN:
            fh.seek(offset)
            local = fh.read(_LOCAL.size)
            if len(local) < _LOCAL.size or local[:4] != b"PK\x03\x04":
                return None
            start = offset + _LOCAL.size + local[26] + (local[27] << 8) + local[28] + \
                (local[29] << 8)
            spans.append((start, csize))
    spans.sort()
    last = 0
    for start, length in spans:
        if start < last or start + length > dir_offset:
            return None
        last = start + length
    return spans


def encode(segments: list[Segment]) -> bytes:
    out = [MAGIC]
    for seg in segments:
        if isinstance(seg, Part):
            out += [b"P", bytes.fromhex(seg.digest), _LEN.pack(seg.length)]
        else:
            out += [b"L", _LEN.pack(len(seg)), seg]
    return b"".join(out)


def decode(data: bytes) -> list[Segment]:
    if data[:4] != MAGIC:
        raise CorruptEntry("not a recipe")
    segments: list[Segment] = []
    pos = 4
    while pos < len(data):
        kind = data[pos:pos + 1]
        if kind == b"P" and pos + 41 <= len(data):
            digest = data[pos + 1:pos + 33].hex()
            segments.append(Part(digest, _LEN.unpack_from(data, pos + 33)[0]))
            pos += 41
        elif kind == b"L" and pos + 9 <= len(data):
            length = _LEN.unpack_from(data, pos + 1)[0]
            if pos + 9 + length > len(data):
                raise CorruptEntry("truncated recipe")
            segments.append(data[pos + 9:pos + 9 + length])
            pos += 9 + length
        else:
            raise CorruptEntry("malformed recipe")
    return segments
