"""A reproducible wheel (zip) writer.

Entries are sorted (package files by path, then ``.dist-info`` files, RECORD last), every entry
has the same timestamp (``SOURCE_DATE_EPOCH`` or 1980-01-01), modes are 0644 or 0755, and the
file is written to a temporary name in the destination directory and renamed into place, so a
wheel appears whole or not at all.
"""

from __future__ import annotations

import base64
import hashlib
import os
import time
import zipfile
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

from rustwheel.atomic import default_mode, replacing, write_bytes
from rustwheel.errors import ConfigError
from rustwheel.spec.zipwriter import deflate, fits, member, write_zip

EPOCH_1980 = 315532800  # 1980-01-01T00:00:00Z, the earliest time a zip entry can hold


@dataclass(frozen=True)
class Entry:
    """One file of the wheel: its archive path, its bytes and whether it is executable."""

    path: str
    data: bytes
    executable: bool = False


def zip_timestamp(source_date_epoch: Optional[str]) -> tuple[int, int, int, int, int, int]:
    """The zip date_time for every entry."""
    seconds = EPOCH_1980
    if source_date_epoch not in (None, ""):
        try:
            seconds = max(int(str(source_date_epoch)), EPOCH_1980)
        except ValueError:
            raise ConfigError(
                f"SOURCE_DATE_EPOCH={source_date_epoch!r} is not an integer number of seconds; "
                "unset it or give a Unix timestamp") from None
    t = time.gmtime(seconds)
    return (t.tm_year, t.tm_mon, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec)


def _record_digest(digest: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def record_hash(data: bytes) -> str:
    return _record_digest(hashlib.sha256(data).digest())


def record_text(entries: Iterable[Entry], record_path: str,
                digests: Optional[Sequence[bytes]] = None) -> str:
    """RECORD for ``entries``; ``digests`` are their sha256 digests when already computed."""
    items = list(entries)
    sums = digests if digests is not None else [hashlib.sha256(e.data).digest() for e in items]
    lines = [f"{e.path},{_record_digest(d)},{len(e.data)}" for e, d in zip(items, sums)]
    lines.append(f"{record_path},,")
    return "\n".join(lines) + "\n"


def ordered(entries: Iterable[Entry], dist_info: str) -> list[Entry]:
    """Package files by path, then dist-info files; duplicate paths are an error."""
    by_path: dict[str, Entry] = {}
    for e in entries:
        previous = by_path.get(e.path)
        if previous is not None and previous.data != e.data:
            raise ConfigError(f"two different files would be written to '{e.path}' in the wheel; "
                              "remove one of them")
        by_path[e.path] = e
    prefix = dist_info + "/"

    def key(e: Entry) -> tuple[int, tuple[str, ...]]:
        return (1 if e.path.startswith(prefix) else 0, tuple(e.path.split("/")))

    return sorted(by_path.values(), key=key)


class MemberCache:
    """Raw deflate streams of large members, by content digest, in one directory.

    Only what the last wheel used is kept, so the directory holds at most one wheel's worth.
    """

    MIN_SIZE = 256 * 1024

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.used: set[str] = set()

    def compress(self, data: bytes, sha256: bytes) -> tuple[int, bytes]:
        """``data``'s deflate stream; ``sha256`` is its digest (computed once, for RECORD)."""
        if len(data) < self.MIN_SIZE:
            return deflate(data)
        key = sha256.hex()
        self.used.add(key)
        path = self.directory / key
        try:
            cached = path.read_bytes()
            crc, check, compressed = int.from_bytes(cached[:4], "little"), cached[4:36], cached[36:]
            # Trust the stream only if it is byte for byte what was written for this content.
            if crc == zlib.crc32(data) & 0xFFFFFFFF and \
                    hashlib.sha256(compressed).digest() == check:
                return crc, compressed
        except OSError:
            pass
        crc, compressed = deflate(data)
        try:
            write_bytes(path, crc.to_bytes(4, "little") + hashlib.sha256(compressed).digest()
                        + compressed)
        except OSError:
            pass  # a cache only
        return crc, compressed

    def prune(self) -> None:
        try:
            names = os.listdir(self.directory)
        except OSError:
            return
        for name in names:
            if name not in self.used and not name.startswith("."):
                try:
                    os.unlink(self.directory / name)
                except OSError:
                    pass


def write_wheel(destination: Path, entries: Iterable[Entry], dist_info: str,
                source_date_epoch: Optional[str],
                member_cache: Optional[MemberCache] = None) -> None:
    """Write the wheel atomically: RECORD is computed and written last."""
    date_time = zip_timestamp(source_date_epoch)
    files = ordered(entries, dist_info)
    record_path = f"{dist_info}/RECORD"
    files = [e for e in files if e.path != record_path]
    digests = [hashlib.sha256(e.data).digest() for e in files]
    record = Entry(record_path, record_text(files, record_path, digests).encode("utf-8"))

    def compressor(digest: bytes) -> Optional[Callable[[bytes], tuple[int, bytes]]]:
        if member_cache is None:
            return None
        return lambda data: member_cache.compress(data, digest)

    members = [member(e.path, e.data, 0o755 if e.executable else 0o644, compressor(d))
               for e, d in zip(files, digests)]
    members.append(member(record_path, record.data, 0o644))
    with replacing(destination, default_mode()) as raw:
        if fits(members):
            write_zip(raw, members, date_time)
        else:  # very large wheels: zipfile writes the zip64 records
            with zipfile.ZipFile(raw, "w", allowZip64=True) as zf:
                for e in [*files, record]:
                    info = zipfile.ZipInfo(e.path, date_time=date_time)
                    info.create_system = 3
                    info.external_attr = ((0o100755 if e.executable else 0o100644) & 0xFFFF) << 16
                    zf.writestr(info, e.data, compress_type=zipfile.ZIP_DEFLATED,
                                compresslevel=6)
    if member_cache is not None:
        member_cache.prune()
