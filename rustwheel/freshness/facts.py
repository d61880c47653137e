"""What rustwheel knows about a file without reading it, and its digest when it must read it.

A file version is identified by its *facts* ``(inode, size, mtime_ns)``: while they are equal,
the content is taken to be equal (as make, cargo and git do). When they differ, the content is
hashed (sha256) and compared, so a file touched without a change costs a ``stat`` and, once, a
hash. `DigestCache` remembers digests per file version in the build's state directory.

`clock` reads the filesystem's own clock: every file written after it returns has an mtime at
least as large. A stage compares its inputs' mtimes with its start on that clock to notice an
input edited while it ran (see `rustwheel.freshness.records`).

Standard library only: the no-op check and the auto-rebuild import hook use this module.
"""

from __future__ import annotations

import os
from pathlib import Path

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing is not imported at run time (the auto-rebuild hook's first import)
    from typing import ClassVar, Optional

    Facts = tuple[int, int, int]
    """(inode, size, mtime_ns)"""


def of_stat(st: os.stat_result) -> Facts:
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def facts(path: str) -> Optional[Facts]:
    """The file's facts, or None when it does not exist."""
    try:
        return of_stat(os.stat(path))
    except OSError:
        return None


def digest_file(path: str) -> str:
    """The sha256 of the file's content (hex)."""
    return _hash_file(path)[0]


def _hash_file(path: str) -> tuple[str, Facts]:
    """(sha256, the facts of the version read: the open file's, after reading it)."""
    import hashlib  # here: the no-op check never hashes

    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
        return h.hexdigest(), of_stat(os.fstat(fh.fileno()))


def digest_listing(directory: str) -> str:
    """A directory's "content": its sorted entry names, each marked as a directory or not."""
    import hashlib

    entries = sorted(f"{e.name}/" if e.is_dir() else e.name for e in os.scandir(directory))
    return hashlib.sha256("\0".join(entries).encode("utf-8", "surrogateescape")).hexdigest()


def clock(directory: Path) -> int:
    """The filesystem's current time in ns: the mtime of a marker file written now."""
    directory.mkdir(parents=True, exist_ok=True)
    marker = directory / ".clock"
    with open(marker, "w", encoding="utf-8") as fh:
        fh.write(str(os.getpid()))
    return os.stat(marker).st_mtime_ns


class FactsIndex:
    """Values remembered per file version, ``path -> [inode, size, mtime_ns, *values]``, in
    one state file (`rustwheel.freshness.statefile`): what is known about a file while its
    facts stay the same."""

    def __init__(self, path: Optional[Path]) -> None:
        self.path = path
        self.entries: dict[str, list[object]] = {}
        self.dirty = False
        self.new_paths = False
        """A path not in the index was added: the next save drops the paths gone meanwhile."""
        if path is not None:
            from rustwheel.freshness import statefile

            data = statefile.read(path)
            if isinstance(data, dict):
                self.entries = data

    def get(self, file_path: str, st: os.stat_result) -> Optional[list[object]]:
        """The values recorded for this version of the file, or None."""
        return self.of_version(file_path, of_stat(st))

    def of_version(self, file_path: str, version: Facts) -> Optional[list[object]]:
        """The values recorded for the file version with these facts, or None. (Compared
        field by field: this runs for every input of a stage.)"""
        known = self.entries.get(file_path)
        if isinstance(known, list) and len(known) > 3 and known[2] == version[2] \
                and known[0] == version[0] and known[1] == version[1]:
            return known[3:]
        return None

    def put(self, file_path: str, st: os.stat_result, *values: object) -> None:
        self.new_paths = self.new_paths or file_path not in self.entries
        self.entries[file_path] = [*of_stat(st), *values]
        self.dirty = True

    def save(self) -> None:
        """Write the index; a cache only, so a write that fails is not an error. Entries of
        files that no longer exist are dropped when new paths came in (an edit of a known file
        does not cost a check of every other one)."""
        if self.path is None or not self.dirty:
            return
        from rustwheel.freshness import statefile

        live = self.entries
        if self.new_paths:
            live = self.entries = {p: v for p, v in self.entries.items() if os.path.exists(p)}
        try:
            statefile.write(self.path, live)
        except OSError:
            return
        self.dirty = self.new_paths = False


class _Hashing:
    """A file version being hashed by a thread (`DigestCache.prefetch`)."""

    def __init__(self, path: str) -> None:
        import threading

        self.result: Optional[tuple[str, Facts]] = None
        self.thread = threading.Thread(target=self._run, args=(path,), daemon=True)
        self.thread.start()

    def _run(self, path: str) -> None:
        try:
            self.result = _hash_file(path)
        except OSError:
            return

    def take(self) -> Optional[tuple[str, Facts]]:
        """(digest, facts of the version read), once the thread is done; None if it failed."""
        self.thread.join()
        return self.result


class DigestCache(FactsIndex):
    """The content digest (sha256, also a large wheel member's RECORD hash) of each file
    version, hashed once."""

    _shared: ClassVar[Optional[DigestCache]] = None
    _hashing: ClassVar[dict[Facts, _Hashing]] = {}
    """File versions being hashed ahead (`prefetch`), by their facts: any name of the same
    file (a hard link) finds them."""

    @classmethod
    def shared(cls, path: Optional[Path] = None) -> DigestCache:
        """The process-wide cache; naming a file (re)loads it from there."""
        if cls._shared is None or (path is not None and cls._shared.path != path):
            cls._shared = DigestCache(path)
        return cls._shared

    def known(self, file_path: str, version: Facts) -> Optional[str]:
        """The digest of the file version with these facts, if it was hashed."""
        values = self.of_version(file_path, version)
        return str(values[0]) if values else None

    @classmethod
    def prefetch(cls, file_path: str) -> None:
        """Start hashing ``file_path`` in a thread: a large file just written (cargo's
        library), whose digest the next stage's check asks for, by this name or another of
        the same file (a hard link)."""
        version = facts(file_path)
        if version is not None and version not in cls._hashing:
            cls._hashing[version] = _Hashing(file_path)

    def digest(self, file_path: str, st: Optional[os.stat_result] = None) -> str:
        """The content digest of ``file_path`` (stat it first when ``st`` is not given)."""
        st = os.stat(file_path) if st is None else st
        version = of_stat(st)
        known = self.known(file_path, version)
        if known is not None:
            return known
        hashing = self._hashing.pop(version, None)
        ahead = hashing.take() if hashing is not None else None
        if ahead is not None and ahead[1] == version:
            value, read = ahead
        elif os.path.isdir(file_path):
            value, read = digest_listing(file_path), version
        else:
            value, read = _hash_file(file_path)
        if read == version:  # not a version written while it was read
            self.put(file_path, st, value)
        return value
