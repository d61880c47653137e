"""The facts an audit needs from one ELF file, read once into `ElfInfo`.

Two readers give the same facts: `rustwheel.audit.elfdynamic` reads only the headers and what
the dynamic segment points to, with `struct` (fast, and a wheel member is inflated only that
far); `rustwheel.audit.elfsections` reads the whole file with pyelftools and takes over whenever
the fast one declines (static or unusual files) and for broken files, whose errors it words.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Optional

from rustwheel.audit import AuditError

if TYPE_CHECKING:
    from rustwheel.audit.elfsource import ElfBytes, Reader

ELF_MAGIC = b"\x7fELF"

# (e_machine, ELF class, little endian) -> the architecture name the policies use.
_ARCHES: Mapping[tuple[str, int, bool], str] = {
    ("EM_386", 32, True): "i686",
    ("EM_X86_64", 64, True): "x86_64",
    ("EM_PPC64", 64, True): "ppc64le",
    ("EM_PPC64", 64, False): "ppc64",
    ("EM_RISCV", 64, True): "riscv64",
    ("EM_AARCH64", 64, True): "aarch64",
    ("EM_S390", 64, False): "s390x",
    ("EM_ARM", 32, True): "armv7l",
    ("EM_LOONGARCH", 64, True): "loongarch64",
}
_EF_ARM_EABIMASK = 0xFF000000
_EF_ARM_EABI_VER5 = 0x05000000
_EF_ARM_ABI_FLOAT_HARD = 0x00000400


@dataclass(frozen=True)
class ElfInfo:
    """What the dynamic loader and the platform policies care about in one ELF file."""

    path: Path
    machine: str
    """``e_machine`` as pyelftools names it (``EM_X86_64``), or its number when unknown."""
    elf_class: int
    little_endian: bool
    arch: Optional[str]
    """The policies' architecture name (``x86_64``, ``aarch64``, ...); None when none covers it."""
    isa_level: Optional[str]
    """``x86_64_v2`` / ``_v3`` / ``_v4`` when an x86-64 file requires more than the baseline."""
    interpreter: Optional[str]
    """``PT_INTERP`` (executables): ``/lib64/ld-linux-x86-64.so.2``, ``/lib/ld-musl-*.so.1``."""
    soname: Optional[str]
    needed: tuple[str, ...]
    """``DT_NEEDED`` in order."""
    rpath: tuple[str, ...]
    """``DT_RPATH`` entries, unexpanded (``$ORIGIN/../lib``)."""
    runpath: tuple[str, ...]
    """``DT_RUNPATH`` entries, unexpanded."""
    version_requirements: Mapping[str, frozenset[str]]
    """From ``.gnu.version_r``: library -> version names (``{"libc.so.6": {"GLIBC_2.17"}}``)."""
    versioned_symbols: Mapping[str, Mapping[str, frozenset[str]]]
    """Undefined dynamic symbols by library and version: ``libc.so.6 -> GLIBC_2.14 -> {memcpy}``."""
    undefined_symbols: frozenset[str]
    """Undefined, non-weak dynamic symbols."""
    python_inits: tuple[str, ...]
    """Exported ``PyInit_*`` functions."""

    @property
    def exports_pyinit(self) -> bool:
        return bool(self.python_inits)

    @property
    def is_python_extension(self) -> bool:
        """Exports ``PyInit_<module>``, the module being the file name up to its first dot."""
        return f"PyInit_{self.path.name.split('.', 1)[0]}" in self.python_inits

    @property
    def libc(self) -> Optional[str]:
        """``glibc`` or ``musl`` when the loader or the dependencies tell, else None."""
        names = list(self.needed)
        if self.interpreter:
            names.append(os.path.basename(self.interpreter))
        if any(n.startswith(("libc.musl-", "ld-musl-")) for n in names):
            return "musl"
        if any(n == "libc.so.6" or n.startswith(("ld-linux", "ld64.so.")) for n in names):
            return "glibc"
        return None

    def loads_alongside(self, other: ElfInfo) -> bool:
        """Whether the loader would accept ``other`` as a dependency of this file."""
        return (self.machine, self.elf_class, self.little_endian) == \
            (other.machine, other.elf_class, other.little_endian)


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
    from rustwheel.audit.elfsource import FileBytes

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
    from rustwheel.audit.elfsource import StreamBytes

    source = StreamBytes(stream, size, verify)
    return _expect(_read(source, path, label), label, expect_arch)


def _read(data: ElfBytes, path: Path, shown: str) -> ElfInfo:
    from rustwheel.audit.elfdynamic import read_dynamic
    from rustwheel.audit.elfsource import ShortRead

    try:
        magic = data.read(0, 4)
    except ShortRead:
        magic = b""
    if magic != ELF_MAGIC:
        raise AuditError(f"{shown} is not an ELF file; pass a wheel, a shared library "
                         "or an executable built for Linux")
    info = read_dynamic(data, path)
    if info is None:
        from rustwheel.audit.elfsections import read_sections

        f, size = data.whole()
        info = read_sections(path, f, size, shown)
    return info


def _expect(info: ElfInfo, shown: str, expect_arch: Optional[str]) -> ElfInfo:
    if expect_arch is not None and info.arch != expect_arch:
        raise AuditError(f"{shown} is built for {info.arch or info.machine}, not {expect_arch}; "
                         f"rebuild it for {expect_arch} or audit it on its own")
    return info


def corrupt_error(shown: str, detail: str) -> AuditError:
    """The error for a truncated or otherwise broken ELF file."""
    return AuditError(f"{shown} is a truncated or corrupt ELF file ({detail}); rebuild it or "
                      "copy it again")


def policy_arch(machine: str, elf_class: int, little_endian: bool, flags: int) -> Optional[str]:
    """The policies' architecture name for ``e_machine`` (as pyelftools names it), the ELF
    class, the byte order and ``e_flags``; None when no policy covers it."""
    arch = _ARCHES.get((machine, elf_class, little_endian))
    if arch == "armv7l" and ((flags & _EF_ARM_EABIMASK) != _EF_ARM_EABI_VER5
                             or not flags & _EF_ARM_ABI_FLOAT_HARD):
        return None  # only EABI5 hard-float is armv7l
    return arch


def isa_level_name(isa_1_needed: int) -> Optional[str]:
    """``x86_64_v2`` / ``_v3`` / ``_v4`` from ``GNU_PROPERTY_X86_ISA_1_NEEDED``; None for the
    baseline."""
    data = isa_1_needed & ~1
    for bit, level in ((8, "x86_64_v4"), (4, "x86_64_v3"), (2, "x86_64_v2")):
        if data & bit:
            return level
    return None
