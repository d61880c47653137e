"""Writing a new project's files without overwriting anything: every path is checked before
the first file is written, and each file is written to a temporary name and then hard-linked
to its own (which fails if something appeared there meanwhile; what was written is then
removed again)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from contextlib import suppress
from pathlib import Path

from rustwheel.atomic import default_mode
from rustwheel.errors import ConfigError


def _in_the_way(root: Path, relative: str) -> bool:
    """Whether the file, or a parent directory that is not a directory, is already there."""
    path = root / relative
    if os.path.lexists(path):
        return True
    parent = path.parent
    while parent != root:
        if os.path.lexists(parent) and not parent.is_dir():
            return True
        parent = parent.parent
    return False


def existing(root: Path, files: Mapping[str, str]) -> list[str]:
    """The paths of ``files`` (relative to ``root``) that something already occupies."""
    return [relative for relative in files if _in_the_way(root, relative)]


def check_free(root: Path, files: Mapping[str, str], command: str) -> None:
    taken = existing(root, files)
    if taken:
        raise ConfigError(f"{command}: {root} already has {', '.join(taken)}; nothing was "
                          "written (rustwheel never overwrites a file); move them away or "
                          "choose another directory")


def _write_new(path: Path, text: str) -> None:
    """Write ``path``, which must not exist, all at once (FileExistsError if it appeared)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, default_mode())
        os.link(tmp, path)
    finally:
        os.unlink(tmp)


def write_files(root: Path, files: Mapping[str, str], command: str) -> list[Path]:
    """Write every file of ``files`` under ``root``, or none of them; return their paths."""
    check_free(root, files, command)
    written: list[Path] = []
    try:
        for relative, text in files.items():
            _write_new(root / relative, text)
            written.append(root / relative)
    except FileExistsError as exc:
        _remove(written)
        raise ConfigError(f"{command}: {exc.filename} appeared while the project was being "
                          "written; nothing was kept, run the command again") from None
    except BaseException:
        _remove(written)
        raise
    return written


def _remove(paths: list[Path]) -> None:
    for path in reversed(paths):
        with suppress(OSError):
            path.unlink()
