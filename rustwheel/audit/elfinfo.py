"""`ElfInfo`, the facts an audit needs from one ELF file, and the rules both readers apply.

Both readers (`rustwheel.audit.elfdynamic`, `rustwheel.audit.elfsections`) build an `ElfInfo`
and `rustwheel.audit.elf` chooses between them, so what they share lives here: the readers
import this module and never `rustwheel.audit.elf`, which keeps the dependency one-way.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from rustwheel.audit import AuditError

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
