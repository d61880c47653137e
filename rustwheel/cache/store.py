"""The content-addressed store: the `Store` interface and the local, on-disk implementation.

Blobs hold file contents once per sha256; action entries map a cache key (see `keys.action_key`)
to the output files of a stage run. Every read is verified; a corrupt or truncated file is
reported through `warn`, deleted, and treated as a miss, so a bad entry is rebuilt, never served.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from contextlib import suppress
from pathlib import Path
from typing import Any, BinaryIO, Callable, Optional, Protocol, TypeVar

from rustwheel import ui
from rustwheel.atomic import clean_stale
from rustwheel.cache import pending
from rustwheel.cache.entries import (
    ActionEntry,
    OutputFile,
    check_output_name,
    decode_action,
    encode_action,
)
from rustwheel.cache.keys import digest_bytes
from rustwheel.cache.layout import (
    CHUNK,
    HEADER_SIZE,
    ZIP_MAGIC,
    CorruptEntry,
    StorePaths,
    blob_frame_size,
    check_digest,
    decode_blob,
    decode_stream,
    encode_blob,
    encode_stream,
    remove,
    rename_into,
    store_lock,
    temp_file,
    touch,
    write_atomic,
)
from rustwheel.cache.location import default_cache_dir
from rustwheel.errors import CacheError, FileSystemError

__all__ = [
    "ActionEntry",
    "LocalStore",
    "OutputFile",
    "Store",
    "default_cache_dir",
    "restore_files",
    "store_files",
]

_T = TypeVar("_T")


class Store(Protocol):
    """The small interface every store (`LocalStore`, `rustwheel.cache.remote.LayeredStore`)
    implements."""

    def contains_blob(self, digest: str) -> bool: ...

    def get_blob(self, digest: str) -> Optional[bytes]:
        """The verified contents, or None on a miss (corrupt entries are a miss)."""

    def put_blob(self, data: bytes) -> str:
        """Store `data` once per content hash; returns its sha256 digest."""

    def put_file(self, path: Path) -> tuple[str, int]:
        """Store the content of the file at `path` as a blob; (its sha256 digest, its size)."""

    def put_output(self, path: Path, name: str, executable: bool) -> OutputFile:
        """Store the file at `path` (a zip as a recipe of shared parts); its output record."""

    def restore_output(self, out: OutputFile, fh: BinaryIO) -> bool:
        """Write the verified content of `out` to `fh`; False on a miss (a bad blob)."""

    def contains_action(self, key: str) -> bool: ...

    def get_action(self, key: str) -> Optional[ActionEntry]:
        """The verified entry, or None on a miss (corrupt entries are a miss)."""

    def put_action(self, key: str, entry: ActionEntry) -> None: ...


class LocalStore:
    """A store in a local directory, safe to share between concurrent builds (see `layout`).

    With `max_size`, each `put_action` that pushed the store past the bound evicts the least
    recently used entries down to 90% of it, if no other process holds the store at that moment
    (otherwise a later put, or `rustwheel cache gc`, does it). The size is a running total in
    ``v1/size`` that every write adds to, so checking it costs no scan; files removed by hand
    are counted again after `rustwheel cache stats`, `gc` or `verify`.
    """

    def __init__(self, root: Path, *, max_size: Optional[int] = None,
                 warn: Callable[[str], None] = ui.warn) -> None:
        self.root = Path(root)
        self.paths = StorePaths(self.root)
        self.max_size = max_size
        self._warn = warn
        self._size_estimate: Optional[int] = None
        pending.settle(self.paths)  # what an earlier command is still storing is waited for

    def __repr__(self) -> str:
        return f"LocalStore({str(self.root)!r}, max_size={self.max_size!r})"

    # -- blobs ---------------------------------------------------------------------------------

    def contains_blob(self, digest: str) -> bool:
        return self.paths.blob_path(digest).is_file()

    def get_blob(self, digest: str) -> Optional[bytes]:
        path = self.paths.blob_path(digest)
        with store_lock(self.paths, exclusive=False):
            return self._verified(path, "blob", lambda raw: decode_blob(raw, digest))

    def put_blob(self, data: bytes) -> str:
        digest = digest_bytes(data)
        path = self.paths.blob_path(digest)
        with store_lock(self.paths, exclusive=False):
            # Stored once per content, and a put counts as a use; a damaged copy is replaced.
            if path.is_file() and self._verified(
                    path, "blob", lambda raw: decode_blob(raw, digest)) is not None:
                return digest
            encoded = encode_blob(data)
            write_atomic(self.paths, path, encoded)
        self._grew(len(encoded))
        return digest

    def put_file(self, path: Path) -> tuple[str, int]:
        """`put_blob` of the file's content, read and compressed in chunks (memory does not
        grow with the file's size)."""
        with open(path, "rb") as src:
            size = os.fstat(src.fileno()).st_size
            return self._put_stream(src, size, raw=False), size

    def put_stream(self, src: BinaryIO, size: int, digest: str, *, raw: bool = False) -> None:
        """A blob of the next ``size`` bytes of ``src``, whose sha256 must be ``digest`` (a
        copy fetched from elsewhere, e.g. the remote store); ``raw``: stored uncompressed."""
        self._put_stream(src, size, raw=raw, expect=digest)

    def copy_blob(self, digest: str, fh: BinaryIO) -> int:
        """The blob's verified content written to ``fh``: its size, -1 on a miss."""
        return self._copy_blob(digest, fh)

    def _put_stream(self, src: BinaryIO, size: int, *, raw: bool,
                    expect: Optional[str] = None) -> str:
        """A blob of ``size`` bytes of ``src`` (``raw``: stored as they are); its digest, which
        must be ``expect`` if given. A new copy replaces an existing (maybe damaged) one."""
        with store_lock(self.paths, exclusive=False), temp_file(self.paths) as (fh, tmp):
            digest = encode_stream(src, size, fh, raw=raw)
            if expect is not None and digest != expect:
                raise CacheError(f"{getattr(src, 'name', 'a file')} changed while it was being "
                                 "stored; build again")
            fh.flush()
            encoded = fh.tell()
            dest = self.paths.blob_path(digest)
            new = not dest.exists()
            rename_into(tmp, dest)
        if new:
            self._grew(encoded)
        return digest

    def put_output(self, path: Path, name: str, executable: bool) -> OutputFile:
        """The file as a blob, or a wheel as a recipe (`rustwheel.cache.recipe`): the streams
        of its large members are blobs the store keeps once, whichever wheels hold them."""
        with open(path, "rb") as src:
            size = os.fstat(src.fileno()).st_size
            if src.read(4) == ZIP_MAGIC:
                from rustwheel.cache.recipe import part_spans

                spans = part_spans(src, size)
                if spans:
                    from rustwheel.cache.hints import recall

                    known = recall(str(path), os.fstat(src.fileno()))
                    return self._put_recipe(src, size, spans, known, name, executable)
            src.seek(0)
            return OutputFile(name, self._put_stream(src, size, raw=False), size, executable)

    def _put_recipe(self, src: BinaryIO, size: int, spans: list[tuple[int, int]],
                    known: Mapping[tuple[int, int], str], name: str,
                    executable: bool) -> OutputFile:
        """``known``: the digests of some spans, from the wheel's writer (`cache.hints`): a
        span whose blob the store holds is then not read."""
        from rustwheel.cache import recipe

        segments: list[recipe.Segment] = []
        pos = 0
        for start, length in spans:
            src.seek(pos)
            segments.append(src.read(start - pos))
            digest = known.get((start, length))
            if digest is None:
                digest = _span_digest(src, length)
                src.seek(start)
            if not self._has_blob(digest):  # stored in one pass, checked against the digest
                self._put_stream(src, length, raw=True, expect=digest)
            segments.append(recipe.Part(digest, length))
            pos = start + length
        src.seek(pos)
        segments.append(src.read(size - pos))
        parts = tuple(sorted({s.digest for s in segments if isinstance(s, recipe.Part)}))
        return OutputFile(name, self.put_blob(recipe.encode(segments)), size, executable, parts)

    def _has_blob(self, digest: str) -> bool:
        """Whether a whole blob is there (its header and length; it is verified when read),
        marking it used."""
        path = self.paths.blob_path(digest)
        try:
            with open(path, "rb") as f:
                header = f.read(HEADER_SIZE)
                total = os.fstat(f.fileno()).st_size
        except OSError:
            return False
        if blob_frame_size(header) != total - HEADER_SIZE:
            return False
        touch(path)
        return True

    def restore_output(self, out: OutputFile, fh: BinaryIO) -> bool:
        """Write ``out``'s content to ``fh`` in chunks, each blob verified as it is read; False
        (a bad blob is dropped) on a miss."""
        if not out.parts:
            return self._copy_blob(out.digest, fh) == out.size
        from rustwheel.cache import recipe

        data = self.get_blob(out.digest)
        if data is None:
            return False
        try:
            segments = recipe.decode(data)
        except CorruptEntry as exc:
            self._drop(self.paths.blob_path(out.digest), "blob", str(exc))
            return False
        written = 0
        for seg in segments:
            if isinstance(seg, recipe.Part):
                if self._copy_blob(seg.digest, fh) != seg.length:
                    return False
                written += seg.length
            else:
                fh.write(seg)
                written += len(seg)
        return written == out.size

    def _copy_blob(self, digest: str, fh: BinaryIO) -> int:
        """The blob's verified content written to ``fh``: its size, -1 on a miss."""
        path = self.paths.blob_path(digest)
        with store_lock(self.paths, exclusive=False):
            try:
                src = open(path, "rb")  # noqa: SIM115 (closed below; missing: a miss)
            except FileNotFoundError:
                return -1
            except OSError as exc:
                self._warn(f"cannot read cache file {path} ({exc.strerror or exc}); "
                           "treating it as a miss")
                return -1
            with src:
                try:
                    size = decode_stream(src, digest, fh)
                except CorruptEntry as exc:
                    self._drop(path, "blob", str(exc))
                    return -1
            touch(path)
            return size

    # -- actions -------------------------------------------------------------------------------

    def contains_action(self, key: str) -> bool:
        return self.paths.action_path(key).is_file()

    def get_action(self, key: str) -> Optional[ActionEntry]:
        path = self.paths.action_path(key)
        with store_lock(self.paths, exclusive=False):
            return self._verified(path, "entry", lambda raw: decode_action(raw, key))

    def put_action(self, key: str, entry: ActionEntry) -> None:
        path = self.paths.action_path(key)
        encoded = encode_action(key, entry)
        with store_lock(self.paths, exclusive=False):
            try:
                replaced = path.stat().st_size  # a rewritten entry: the total grows by the change
            except OSError:
                replaced = 0
            write_atomic(self.paths, path, encoded)
        self._grew(len(encoded) - replaced)
        self._maybe_evict()

    # -- helpers -------------------------------------------------------------------------------

    def _verified(self, path: Path, what: str, decode: Callable[[bytes], _T]) -> Optional[_T]:
        """The decoded content of ``path`` (its use recorded for LRU eviction), or None when it
        is missing or damaged; a damaged file is dropped, never served. The caller holds the
        shared lock."""
        raw = self._read(path)
        if raw is None:
            return None
        try:
            value = decode(raw)
        except CorruptEntry as exc:
            self._drop(path, what, str(exc))
            return None
        touch(path)
        return value

    def _read(self, path: Path) -> Optional[bytes]:
        try:
            return path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            self._warn(f"cannot read cache file {path} ({exc.strerror or exc}); "
                       "treating it as a miss")
            return None

    def _drop(self, path: Path, what: str, reason: str) -> None:
        remove(path)
        self._warn(f"cache {what} {path} is corrupt ({reason}); removed it, "
                   "it will be rebuilt")

    def _grew(self, nbytes: int) -> None:
        if self.max_size is not None:
            from rustwheel.cache.maintenance import add_to_total

            self._size_estimate = add_to_total(self.paths, nbytes)

    def _maybe_evict(self) -> None:
        """Evict down to 90% of the bound once the running total (`maintenance.add_to_total`,
        no scan) passes it; a full scan happens only then."""
        if self.max_size is None:
            return
        from rustwheel.cache.maintenance import add_to_total, evict  # only with a size bound

        if self._size_estimate is None:
            self._size_estimate = add_to_total(self.paths, 0)
        if self._size_estimate <= self.max_size:
            return
        with store_lock(self.paths, exclusive=True, blocking=False) as acquired:
            if acquired:
                after = evict(self.paths, self.max_size * 9 // 10)["bytes_after"]
                self._size_estimate = add_to_total(self.paths, 0, reset=after)


def _span_digest(src: BinaryIO, length: int) -> str:
    """The sha256 of the next ``length`` bytes of ``src``."""
    import hashlib

    sha, left = hashlib.sha256(), length
    while left > 0:
        chunk = src.read(min(CHUNK, left))
        if not chunk:
            raise CacheError(f"{getattr(src, 'name', 'a file')} changed while it was being stored")
        sha.update(chunk)
        left -= len(chunk)
    return sha.hexdigest()


def store_files(store: Store, stage: str, files: Mapping[str, Path],
                meta: Mapping[str, Any]) -> ActionEntry:
    """Put each output file in the store and return the entry (the caller then calls
    put_action).

    `files` maps the output name (relative, forward slashes) to the file on disk; a file is
    executable in the entry if any execute bit is set.
    """
    outputs = []
    for name in sorted(files):
        check_output_name(name)
        executable = bool(os.stat(files[name]).st_mode & 0o111)
        outputs.append(store.put_output(files[name], name, executable))
    return ActionEntry(stage, tuple(outputs), dict(meta))


def restore_files(store: Store, entry: ActionEntry, dest_dir: Path) -> bool:
    """Write the entry's outputs under `dest_dir`; False, writing nothing, if a blob is bad.

    Each output is written, in chunks and verified as it is read, to a temp file beside its
    destination; when all are whole they are renamed into place (mode 0755 or 0644).
    """
    temps: list[tuple[str, Path, OutputFile]] = []
    made: list[Path] = []  # directories this made, removed again when a blob is bad
    done = False
    try:
        for out in entry.outputs:
            check_output_name(out.name)
            check_digest(out.digest, "blob digest")
            if not _restore_temp(store, out, Path(dest_dir), temps, made):
                return False
        for tmp, dest, out in temps:
            try:
                os.chmod(tmp, 0o755 if out.executable else 0o644)
                os.replace(tmp, dest)
            except OSError as exc:
                raise FileSystemError(exc, dest) from exc
        done = True
        return True
    finally:
        for tmp, _, _ in temps:
            with suppress(OSError):
                os.unlink(tmp)
        if not done:
            import shutil

            for top in reversed(made):
                shutil.rmtree(top, ignore_errors=True)


def _restore_temp(store: Store, out: OutputFile, dest_dir: Path,
                  temps: list[tuple[str, Path, OutputFile]], made: list[Path]) -> bool:
    """Restore ``out`` into a temp file beside its destination (added to ``temps``; the
    directories made for it to ``made``); False on a miss."""
    import tempfile

    dest = dest_dir.joinpath(*out.name.split("/"))
    try:
        top = dest.parent
        while not top.parent.exists():
            top = top.parent
        if not top.exists():
            made.append(top)
        dest.parent.mkdir(parents=True, exist_ok=True)
        clean_stale(dest)  # named as `rustwheel.atomic` names them: a killed restore's are removed
        fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.rw{os.getpid()}.", suffix=".tmp",
                                   dir=dest.parent)
        temps.append((tmp, dest, out))
        with os.fdopen(fd, "wb") as fh:
            return store.restore_output(out, fh)
    except OSError as exc:
        # the destination is at fault (the output directory), not the store it came from
        raise FileSystemError(exc, dest) from exc
