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
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import BinaryIO, Optional, Union

from rustwheel.atomic import default_mode, replacing
from rustwheel.errors import ConfigError
from rustwheel.spec.compression import DEFAULT, DEFLATED, Compression
from rustwheel.spec.lastwheel import KeptEntry, LastWheel, runs
from rustwheel.spec.membercache import (
    Entry,
    FileEntry,
    MemberCache,
    WheelEntry,
    changed,
    source_of,
    stream_member,
)
from rustwheel.spec.zipwriter import CHUNK, ZipWriter, crc32, deflate, fits

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


def _hash(e: WheelEntry) -> str:
    """The member's RECORD hash."""
    if isinstance(e, KeptEntry):
        return e.hash
    return record_hash(e.data) if isinstance(e, Entry) else _record_digest(e.sha256)


def _size(e: WheelEntry) -> int:
    return len(e.data) if isinstance(e, Entry) else e.size


def record_text(entries: Sequence[WheelEntry], record_path: str,
                hashes: Optional[Sequence[str]] = None,
                sizes: Optional[Sequence[int]] = None) -> str:
    """RECORD for ``entries``; their RECORD hashes and sizes when already computed."""
    sums = hashes if hashes is not None else [_hash(e) for e in entries]
    lengths = sizes if sizes is not None else [_size(e) for e in entries]
    lines = [f"{e.path},{h},{n}" for e, h, n in zip(entries, sums, lengths)]
    lines.append(f"{record_path},,")
    return "\n".join(lines) + "\n"


def _same(a: WheelEntry, b: WheelEntry) -> bool:
    if isinstance(a, Entry) and isinstance(b, Entry):
        return a.data == b.data
    return _hash(a) == _hash(b)


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

    def key(e: WheelEntry) -> tuple[bool, str]:
        # By path component: "/" made the lowest character ("a/b" before "a-b" and "a.b").
        return (e.path.startswith(prefix), e.path.replace("/", "\0"))

    return sorted(by_path.values(), key=key)


def _add(z: ZipWriter, e: Union[Entry, FileEntry], hash_: str,
         member_cache: Optional[MemberCache], last: Optional[LastWheel]) -> None:
    mode = 0o755 if e.executable else 0o644
    size = _size(e)
    if isinstance(e, Entry) and size < MemberCache.MIN_SIZE:
        offset = z.fh.tell()
        crc = z.add_bytes(e.path, e.data, mode)
        if last is not None and e.origin is not None:
            last.note(e.path, e.origin, e.executable, (offset, z.fh.tell() - offset), crc,
                      hash_)
    elif member_cache is not None and z.method.code == DEFLATED:
        known = e.crc if isinstance(e, FileEntry) else crc32(e.data)
        sha256 = e.sha256 if isinstance(e, FileEntry) else hashlib.sha256(e.data).digest()
        member_cache.add(z, e, size, sha256, known, mode)
    else:
        stream_member(z, e, size, mode)


def _add_kept(z: ZipWriter, e: KeptEntry, mode: int, last: LastWheel) -> None:
    """Copy the member from the last wheel; when its span there is not that member after all,
    read the file, which must still be the version indexed (its hash is in RECORD)."""
    offset = z.fh.tell()
    local = last.read_run([e])
    if local is not None:
        z.add_run(local, [(0, len(local), mode)])
        crc = e.crc
    else:
        data = Path(e.source).read_bytes()
        if record_hash(data) != e.hash:
            raise changed(e)
        crc = z.add_bytes(e.path, data, mode)
    last.note(e.path, (e.source, e.facts), e.executable, (offset, z.fh.tell() - offset), crc,
              e.hash)


def _add_run(z: ZipWriter, run: Sequence[KeptEntry], last: LastWheel) -> None:
    """Copy members lying one after another in the last wheel in one block; member by member
    (`_add_kept`) when a span there is not its member after all."""
    data = last.read_run(run)
    if data is None:
        for e in run:
            _add_kept(z, e, 0o755 if e.executable else 0o644, last)
        return
    base, offset = run[0].span[0], z.fh.tell()
    z.add_run(data, [(e.span[0] - base, e.span[1], 0o755 if e.executable else 0o644)
                     for e in run])
    last.note_run(run, offset - base)


def _add_all(z: ZipWriter, files: Sequence[WheelEntry], hashes: Sequence[str],
             member_cache: Optional[MemberCache], last: Optional[LastWheel]) -> None:
    done = 0
    for start, end in [*runs(files), (len(files), len(files))]:
        for e, hash_ in zip(files[done:start], hashes[done:start]):
            assert not isinstance(e, KeptEntry)  # every kept member is in a run
            _add(z, e, hash_, member_cache, last)
        if start < end:
            assert last is not None  # a kept entry comes from the last wheel
            _add_run(z, files[start:end], last)  # type: ignore[arg-type]
        done = end


_AHEAD_MIN = 64 * 1024
"""RECORD from this size on (~600 members) is deflated in a thread (`_compressed_ahead`)."""


def _compressed_ahead(data: bytes, method: Compression) -> Callable[[], tuple[int, bytes]]:
    """(CRC-32, stream) of ``data`` as ``method`` compresses it; a large RECORD is deflated in
    a thread while the members are written (zlib-ng releases the GIL), the same bytes."""
    if method.code != DEFLATED:
        return lambda: (crc32(data), data)
    if len(data) < _AHEAD_MIN:
        return lambda: deflate(data, level=method.level)
    from concurrent.futures import ThreadPoolExecutor

    pool = ThreadPoolExecutor(max_workers=1)
    future = pool.submit(deflate, data, None, method.level)
    pool.shutdown(wait=False)  # the work handed over is still done
    return future.result


def _write_zip64(fh: BinaryIO, files: Sequence[WheelEntry], date_time: tuple[int, ...],
                 compression: Compression) -> None:
    """Wheels too large for a plain zip (4 GiB): zipfile writes the zip64 records (with
    Python's zlib, so such wheels depend on the machine's zlib)."""
    import shutil
    import zipfile
    deflated = compression.code == DEFLATED
    method = zipfile.ZIP_DEFLATED if deflated else zipfile.ZIP_STORED
    with zipfile.ZipFile(fh, "w", allowZip64=True) as zf:
        for e in files:
            info = zipfile.ZipInfo(e.path, date_time=date_time)  # type: ignore[arg-type]
            info.create_system = 3
            info.external_attr = ((0o100755 if e.executable else 0o100644) & 0xFFFF) << 16
            info.compress_type = method
            for name in ("_compresslevel", "compress_level"):  # before / from Python 3.13
                if hasattr(info, name):
                    setattr(info, name, compression.level if deflated else None)
            info.file_size = _size(e)
            with zf.open(info, "w", force_zip64=True) as out, source_of(e) as src:
                shutil.copyfileobj(src, out, CHUNK)


def write_wheel(destination: Path, entries: Iterable[WheelEntry], dist_info: str,
                source_date_epoch: Optional[str], member_cache: Optional[MemberCache] = None,
                compression: Optional[Compression] = None,
                last: Optional[LastWheel] = None,
                later: Optional[Callable[[Callable[[], None]], None]] = None) -> None:
    """Write the wheel atomically, member by member in bounded chunks; RECORD comes last.

    A `FileEntry` (a large file whose digests are known) is neither read nor hashed when
    ``member_cache`` holds its deflate stream; a `KeptEntry` is copied from ``last`` (the
    last wheel), which then keeps this one (its index written by ``later``, when given).
    ``compression``: the member cache's, else deflate at level 6."""
    method = compression or (member_cache.compression if member_cache is not None else DEFAULT)
    date_time = zip_timestamp(source_date_epoch)
    files = ordered(entries, dist_info)
    record_path = f"{dist_info}/RECORD"
    files = [e for e in files if e.path != record_path]
    hashes, sizes = [_hash(e) for e in files], [_size(e) for e in files]
    record = Entry(record_path, record_text(files, record_path, hashes, sizes).encode("utf-8"))
    try:
        with replacing(destination, default_mode()) as raw:
            if fits([*(e.path for e in files), record_path], [*sizes, len(record.data)]):
                z = ZipWriter(raw, date_time, method)
                record_stream = _compressed_ahead(record.data, method)
                _add_all(z, files, hashes, member_cache, last)
                crc, stream = record_stream()
                z.add(record_path, 0o644, len(record.data), [stream], crc)
                z.close()
            else:
                _write_zip64(raw, [*files, record], date_time, method)
    finally:
        if last is not None:
            last.close()
    if last is not None:
        last.keep(destination, later)
    if member_cache is not None:
        member_cache.prune()
        if member_cache.spans:  # the store need not hash these streams again
            from rustwheel.cache.hints import remember

            remember(str(destination), member_cache.spans)
