"""The facts an audit needs from one ELF file, read once into `ElfInfo`.

Two readers give the same facts: `rustwheel.audit.elfdynamic` reads only the headers and what
the dynamic segment points to, with `struct` (fast, and a wheel member is inflated only that
far); `rustwheel.audit.elfsections` reads the whole file with pyelftools and takes over whenever
the fast one declines (static or unusual files) and for broken files, whose errors it words.
This module chooses between them; `ElfInfo` itself lives in `rustwheel.audit.elfinfo`, which
both readers import, and is re-exported here as the result type of `read_elf`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Optional

from rustwheel.audit import AuditError
from rustwheel.audit.elfdynamic import read_dynamic
from rustwheel.audit.elfinfo import ELF_MAGIC, ElfInfo
from rustwheel.audit.elfsource import ElfBytes, FileBytes, Reader, ShortRead, StreamBytes

__all__ = ["ELF_MAGIC", "ElfInfo", "is_elf", "read_elf", "read_elf_stream"]


def is_elf(path: Path) -> bool:
    """True when ``path`` is a regular file starting with the ELF magic number."""
    try:
        with open(path, "rb") as f:
            return f.read(4) == ELF_MAGIC
    except OSError:
        return False


def read_elf(path: Path, *, expect_arch: Optional[str] = None,
             label: Optional[str] = None) -> ElfInfo:
    """Read ``path``; ``label`` is how errors name it (e.g. its path inside a wheel).

    Raises `AuditError` for an unreadable, non-ELF or truncated file, and for a file built for
    another architecture than ``expect_arch``.
    """
    shown = label or str(path)
    try:
        with open(path, "rb") as f:
            info = _read(FileBytes(f), path, shown)
    except OSError as exc:
        raise AuditError(f"{shown} cannot be read ({exc.strerror or exc}); check the path and "
                         "its permissions") from None
    return _expect(info, shown, expect_arch)


def read_elf_stream(stream: Reader, size: int, path: Path, *, label: str,
                    expect_arch: Optional[str] = None,
                    verify: Optional[Callable[[bytes], None]] = None) -> ElfInfo:
    """Read an ELF file from a stream that reads front to back, such as a wheel member opened
    with `zipfile.ZipFile.open`; ``size`` is its size as the archive records it.

    Only as much of the stream is read as the facts need (usually up to the dynamic segment).
    ``path`` is the `ElfInfo.path` to give it (where it would be unpacked); ``label`` names it
    in errors; ``verify`` is called with the whole file when it had to be read to the end.
    Raises `AuditError` like `read_elf`; errors of the stream itself (a corrupt zip member)
    propagate.
    """
    source = StreamBytes(stream, size, verify)
    return _expect(_read(source, path, label), label, expect_arch)


def _read(data: ElfBytes, path: Path, shown: str) -> ElfInfo:
    try:
        magic = data.read(0, 4)
    except ShortRead:
        magic = b""
    if magic != ELF_MAGIC:
        raise AuditError(f"{shown} is not an ELF file; pass a wheel, a shared library "
                         "or an executable built for Linux")
    info = read_dynamic(data, path)
    if info is None:
        # pyelftools is imported only for the files the fast reader declines
        from rustwheel.audit.elfsections import read_sections

        f, size = data.whole()
        info = read_sections(path, f, size, shown)
    return info


def _expect(info: ElfInfo, shown: str, expect_arch: Optional[str]) -> ElfInfo:
    if expect_arch is not None and info.arch != expect_arch:
        raise AuditError(f"{shown} is built for {info.arch or info.machine}, not {expect_arch}; "
                         f"rebuild it for {expect_arch} or audit it on its own")
    return info
