"""The last wheel written, as the source of its small members that did not change.

A python edit in a package of 3,000 modules changes one member; reading, hashing and
compressing the other 2,999 again took most of the rebuild. After each wheel is written, a hard
link to it (``last.whl``) and an index of its members are kept in the wheel's member cache
directory: for each small member, the facts ``(inode, size, mtime_ns)`` and mode of the file it
came from, where its local header and stream lie in ``last.whl``, its CRC-32 and its RECORD hash.
The next wheel copies those bytes for every file whose facts and mode are unchanged, and
neither reads nor compresses the file.

The index is used only while ``last.whl`` is the file it describes (its facts) and the
compression and entry timestamp are the same; each copied span must begin with a local header
naming its member. A file whose mtime is within the last second when it is read is not
indexed: a write in the same clock tick could leave its facts unchanged. It is only a cache:
anything that does not match is read and compressed as usual.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, Optional

from rustwheel.freshness import statefile
from rustwheel.freshness.facts import of_stat

if TYPE_CHECKING:
    from rustwheel.freshness.facts import Facts

INDEX = f"last-wheel{statefile.SUFFIX}"
WHEEL = "last.whl"
FORMAT = 3
"""Of the index and of the zip writer's local headers: part of every stamp."""
_RUN_MAX = 8 << 20
"""The most bytes of consecutive kept members copied in one read."""
_RECENT_NS = 1_000_000_000
"""A file modified this recently (against the system clock) is not indexed."""


class KeptEntry(NamedTuple):
    """A small member as a wheel holds it: its local header and stream are ``span`` (offset,
    length) of that wheel, made from ``source`` as its ``facts`` were; ``hash``: its RECORD
    hash. Read from the last wheel's index, it is copied from there. (A named tuple: one is
    made per member of every rebuilt wheel.)"""

    path: str
    source: str
    facts: Facts
    executable: bool
    span: tuple[int, int]
    crc: int
    hash: str

    @property
    def size(self) -> int:
        return self.facts[1]


class LastWheel:
    """The index of the last wheel in ``directory`` for wheels written with ``stamp`` (the
    compression and entry timestamp), and the spans of the wheel being written."""

    def __init__(self, directory: Path, stamp: str) -> None:
        self.directory = directory
        self.stamp = f"{FORMAT}:{stamp}"
        self.started = time.time_ns()
        """Files modified less than a second before this are not indexed."""
        self.members: dict[str, list[Any]] = {}
        self.written: dict[str, list[Any]] = {}
        """The next index's members: ``path -> [source, *facts, executable, *span, crc,
        RECORD hash]``."""
        self._fd: Optional[int] = None
        index = _read_index(directory / INDEX)
        if index is None or index.get("stamp") != self.stamp:
            return
        try:
            fd = os.open(directory / WHEEL, os.O_RDONLY | os.O_CLOEXEC)
        except OSError:
            return
        if list(of_stat(os.fstat(fd))) != index.get("wheel"):
            os.close(fd)
            return
        self._fd = fd
        self.members = index["members"]

    def kept(self, path: str, source: str, st: os.stat_result,
             executable: bool) -> Optional[KeptEntry]:
        """The member as the last wheel has it, when ``source`` is the same file version."""
        return self.kept_all([(path, source, executable)], {source: st}).get(path)

    def kept_all(self, items: Iterable[tuple[str, str, Optional[bool]]],
                 seen: Mapping[str, os.stat_result]) -> dict[str, KeptEntry]:
        """The members the last wheel holds as they are now, by path: of ``items`` (path,
        source, executable; None: the source's mode says), those whose source has the facts
        (in ``seen``, its stat) and mode indexed."""
        members, out = self.members, {}
        # One loop, field by field: this runs for every member of every rebuilt wheel.
        for path, source, executable in items:
            known, st = members.get(path), seen.get(source)
            if known is None or st is None:
                continue
            mode = bool(st.st_mode & 0o100) if executable is None else executable
            if isinstance(known, list) and len(known) == 9 and known[0] == source \
                    and known[1] == st.st_ino and known[2] == st.st_size \
                    and known[3] == st.st_mtime_ns and known[4] == mode:
                out[path] = KeptEntry(path, source, (st.st_ino, st.st_size, st.st_mtime_ns),
                                      mode, (known[5], known[6]), known[7], known[8])
        return out

    def read_run(self, run: Sequence[KeptEntry]) -> Optional[bytes]:
        """The local headers and streams of ``run``, members whose spans follow one another
        (`runs`), in one read; None when a span is not its member's."""
        if self._fd is None:
            return None
        start = run[0].span[0]
        length = run[-1].span[0] + run[-1].span[1] - start
        data = os.pread(self._fd, length, start)
        if len(data) != length:
            return None
        for e in run:
            at = e.span[0] - start
            if not (data.startswith(b"PK\x03\x04", at)
                    and data.startswith(e.path.encode("utf-8"), at + 30)):
                return None
        return data

    def note(self, path: str, origin: tuple[str, Facts], executable: bool,
             span: tuple[int, int], crc: int, record_hash: str) -> None:
        """The member ``path``, made from ``origin`` (its source and their facts), was written
        to the new wheel as ``span`` of it."""
        source, facts = origin
        if facts[2] < self.started - _RECENT_NS:
            self.written[path] = [source, *facts, executable, *span, crc, record_hash]

    def note_run(self, run: Iterable[KeptEntry], moved: int) -> None:
        """Kept members were copied to the new wheel ``moved`` bytes from where they were."""
        written = self.written
        for e in run:  # indexed before, so not recent
            written[e.path] = [e.source, *e.facts, e.executable, e.span[0] + moved, e.span[1],
                               e.crc, e.hash]

    def keep(self, wheel: Path,
             later: Optional[Callable[[Callable[[], None]], None]] = None) -> None:
        """``wheel`` (just written) becomes the last wheel: a hard link to it and the index of
        the members noted, written by ``later`` when given (only the next wheel reads it:
        `rustwheel.cache.pending`). Nothing is kept when linking fails (a cache only; a copy
        would cost more than it saves). The old link is removed first, never renamed over: on
        ext4 a rename over a file writes the new one's data out at once (``auto_da_alloc``)."""
        self.close()
        index, link = self.directory / INDEX, self.directory / WHEEL
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            for stale in (index, link):  # the index first: never one of another wheel
                with suppress(FileNotFoundError):
                    stale.unlink()
            os.link(wheel, link)
            facts = list(of_stat(os.stat(link)))
        except OSError:
            return
        data = {"stamp": self.stamp, "wheel": facts, "members": self.written}

        def write() -> None:
            with suppress(OSError):
                statefile.write(index, data)

        (later or _now)(write)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def _now(write: Callable[[], None]) -> None:
    write()


def runs(entries: Sequence[object]) -> Iterator[tuple[int, int]]:
    """The ``(start, end)`` index ranges of ``entries`` that are `KeptEntry` members lying one
    after another in the last wheel (each at most `_RUN_MAX` bytes): copied as one block."""
    i, count = 0, len(entries)
    while i < count:
        e = entries[i]
        if not isinstance(e, KeptEntry):
            i += 1
            continue
        j, end = i + 1, e.span[0] + e.span[1]
        while j < count:
            n = entries[j]
            if not isinstance(n, KeptEntry) or n.span[0] != end \
                    or end + n.span[1] - e.span[0] > _RUN_MAX:
                break
            end += n.span[1]
            j += 1
        yield i, j
        i = j


def _read_index(path: Path) -> Optional[dict[str, Any]]:
    data = statefile.read(path)
    if not isinstance(data, dict) or not isinstance(data.get("members"), dict):
        return None
    return data
