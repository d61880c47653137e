"""Files that appear whole or not at all.

Every output is written to a temporary file beside its destination and renamed into place;
the old file is moved aside first (ext4's flush on a rename over a file, `_rename`), unless
the destination must never be missing, not even for a moment (a module a running python may
import). Temporary names carry the writer's process id (``.<name>.rw<pid>.<random>.tmp``, and
``.old.tmp`` for an old file set aside), so a later writer can remove what a killed process
(SIGKILL leaves no chance to clean up) left behind, without touching the temporary file of a
writer that is still running.

Standard library only: used on the no-op fast path.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import BinaryIO, Union

_PID = re.compile(r"(\d+)\.[^/]*\.tmp$")
"""After ``.<name>.rw``: the writer's pid, then ``.<random>.tmp`` or ``.<random>.old.tmp``."""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_stale(dest: Path) -> None:
    """Remove temporary files for ``dest`` whose writer process no longer exists."""
    prefix = f".{dest.name}.rw"
    try:
        names = os.listdir(dest.parent)
    except OSError:
        return
    for name in names:
        if not name.startswith(prefix):
            continue
        m = _PID.match(name, len(prefix))
        if m and not _alive(int(m.group(1))):
            with suppress(OSError):
                os.unlink(dest.parent / name)


def default_mode() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


@contextmanager
def replacing(dest: Path, mode: int, always_there: bool = False) -> Iterator[BinaryIO]:
    """Yield a file to write ``dest``'s new content into; it replaces ``dest`` on success.
    ``always_there``: ``dest`` is never missing, not even for a moment (a module a running
    python may import), at the cost of ext4's flush on rename (see `_rename`)."""
    import tempfile

    dest.parent.mkdir(parents=True, exist_ok=True)
    clean_stale(dest)
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.rw{os.getpid()}.", suffix=".tmp",
                               dir=dest.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
        os.chmod(tmp, mode)
        _rename(tmp, dest, aside=not always_there)
    except BaseException:
        with suppress(OSError):
            os.unlink(tmp)
        raise


_LARGE = 1 << 20
"""From this size on, an old file set aside is removed by a thread (`_rename`)."""


def _rename(tmp: str, dest: Path, aside: bool, later: bool = False) -> None:
    """Rename ``tmp`` to ``dest``. With ``aside``, the old file is first moved aside (to a
    temporary name of this writer, removed after, or by the next writer if this one is killed
    in between), so that ``dest`` is missing for a moment: on ext4 (``auto_da_alloc``) a rename
    over an existing file first writes the new file's data out, and after a large write
    (cargo's library, a wheel) even a small file's rename then waits for that data: ~3.5 ms
    each, against 0.2 ms. Freeing a large file's blocks takes milliseconds too: ``later``
    removes it in a thread (for rustwheel's own directories, where a moment's temporary file
    is no one's concern)."""
    if aside and dest.exists():
        old = f"{tmp[:-len('.tmp')]}.old.tmp"
        os.replace(dest, old)
        os.replace(tmp, dest)
        if later:
            _remove_later(old)
        else:
            os.unlink(old)
        return
    os.replace(tmp, dest)


def _remove_later(path: str) -> None:
    """Unlink ``path`` in a daemon thread: the command does not wait for it; if the process
    ends first, the file is a stale temporary one that the next writer removes."""
    import threading

    threading.Thread(target=_unlink_quietly, args=(path,), daemon=True).start()


def _unlink_quietly(path: str) -> None:
    with suppress(OSError):
        os.unlink(path)


def link_or_copy(source: Path, dest: Path, mode: int, always_there: bool = True) -> None:
    """Make ``dest`` a hard link to ``source`` (a copy when linking is refused, e.g. across
    file systems), never half written; ``always_there`` as for `replacing`, else the old file
    is removed by a thread (`_rename`). ``source`` must only ever be replaced, never written in
    place."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    clean_stale(dest)
    tmp = dest.parent / f".{dest.name}.rw{os.getpid()}.link.tmp"
    try:
        with suppress(FileNotFoundError):
            os.unlink(tmp)
        os.link(source, tmp)
    except OSError:
        import shutil

        with open(source, "rb") as src, replacing(dest, mode, always_there) as fh:
            shutil.copyfileobj(src, fh, 1 << 20)
        return
    try:
        large = os.stat(tmp).st_size >= _LARGE
        _rename(str(tmp), dest, aside=not always_there, later=large)
    except BaseException:
        with suppress(OSError):
            os.unlink(tmp)
        raise


def write_bytes(dest: Path, data: bytes, mode: int = -1, always_there: bool = False) -> None:
    """Write ``dest`` atomically; ``always_there`` as for `replacing`."""
    with replacing(dest, default_mode() if mode < 0 else mode, always_there) as fh:
        fh.write(data)


def write_if_changed(path: Path, content: Union[str, bytes], always_there: bool = False) -> bool:
    """Write ``content`` (text is written as UTF-8) atomically unless the file already holds
    exactly it; True if written (an unchanged file keeps its mtime, so nothing that depends
    on it is rerun). ``always_there`` as for `replacing`."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    write_bytes(path, data, always_there=always_there)
    return True
