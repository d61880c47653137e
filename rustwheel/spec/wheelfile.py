"""A reproducible wheel (zip) writer.

Entries are sorted (package files by path, then ``.dist-info`` files, RECORD last), every entry
has the same timestamp (``SOURCE_DATE_EPOCH`` or 1980-01-01), modes are 0644 or 0755, and the
file is written to a temporary name in the destination directory and renamed into place, so a
wheel appears whole or not at all.
"""

from __future__ import annotations

import base64
import hashlib
import time
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Callable, Optional

from rustwheel.atomic import default_mode, replacing
from rustwheel.errors import ConfigError
from rustwheel.spec.membercache import Entry, FileEntry, MemberCache, WheelEntry
from rustwheel.spec.zipwriter import Member, deflate, fits, member, write_zip

__all__ = ["Entry", "FileEntry", "MemberCache", "WheelEntry", "ordered", "record_hash",
           "record_text", "write_wheel", "zip_timestamp"]

EPOCH_1980 = 315532800  # 1980-01-01T00:00:00Z, the earliest time a zip entry can hold


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


def _sha256(e: WheelEntry) -> bytes:
    return e.sha256 if isinstance(e, FileEntry) else hashlib.sha256(e.data).digest()


def _size(e: WheelEntry) -> int:
    return e.size if isinstance(e, FileEntry) else len(e.data)


def record_text(entries: Iterable[WheelEntry], record_path: str,
                digests: Optional[Sequence[bytes]] = None) -> str:
    """RECORD for ``entries``; ``digests`` are their sha256 digests when already computed."""
    items = list(entries)
    sums = digests if digests is not None else [_sha256(e) for e in items]
    lines = [f"{e.path},{_record_digest(d)},{_size(e)}" for e, d in zip(items, sums)]
    lines.append(f"{record_path},,")
    return "\n".join(lines) + "\n"


def _same(a: WheelEntry, b: WheelEntry) -> bool:
    if isinstance(a, FileEntry) or isinstance(b, FileEntry):
        return _sha256(a) == _sha256(b)
    return a.data == b.data


def ordered(entries: Iterable[WheelEntry], dist_info: str) -> list[WheelEntry]:
    """Package files by path, then dist-info files; duplicate paths are an error."""
    by_path: dict[str, WheelEntry] = {}
    for e in entries:
        previous = by_path.get(e.path)
        if previous is not None and not _same(previous, e):
            raise ConfigError(f"two different files would be written to '{e.path}' in the wheel; "
                              "remove one of them")
        by_path[e.path] = e
    prefix = dist_info + "/"

    def key(e: WheelEntry) -> tuple[int, tuple[str, ...]]:
        return (1 if e.path.startswith(prefix) else 0, tuple(e.path.split("/")))

    return sorted(by_path.values(), key=key)


def _member(e: WheelEntry, digest: bytes, member_cache: Optional[MemberCache]) -> Member:
    mode = 0o755 if e.executable else 0o644
    if isinstance(e, FileEntry):
        crc, stream = member_cache.file_stream(e) if member_cache is not None else deflate(e.data)
        return Member(e.path, mode, crc, e.size, stream)
    compress: Optional[Callable[[bytes], tuple[int, bytes]]] = None
    if member_cache is not None:
        def compress(data: bytes) -> tuple[int, bytes]:
            return member_cache.compress(data, digest)
    return member(e.path, e.data, mode, compress)


def write_wheel(destination: Path, entries: Iterable[WheelEntry], dist_info: str,
                source_date_epoch: Optional[str],
                member_cache: Optional[MemberCache] = None) -> None:
    """Write the wheel atomically: RECORD is computed and written last.

    A `FileEntry` (a large file whose digests are known) is neither read nor hashed when
    ``member_cache`` holds its deflate stream."""
    date_time = zip_timestamp(source_date_epoch)
    files = ordered(entries, dist_info)
    record_path = f"{dist_info}/RECORD"
    files = [e for e in files if e.path != record_path]
    digests = [_sha256(e) for e in files]
    record = Entry(record_path, record_text(files, record_path, digests).encode("utf-8"))
    members = [_member(e, d, member_cache) for e, d in zip(files, digests)]
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
