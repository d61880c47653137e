"""The facts an audit needs from one ELF file, read once with pyelftools into `ElfInfo`."""

from __future__ import annotations

import os
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Optional

from elftools.common.exceptions import ELFError
from elftools.elf.dynamic import DynamicSegment, DynamicTag
from elftools.elf.elffile import ELFFile
from elftools.elf.gnuversions import GNUVerNeedSection, GNUVerSymSection
from elftools.elf.sections import NoteSection, SymbolTableSection
from elftools.elf.segments import InterpSegment

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
# Exceptions pyelftools lets through on malformed input.
_PARSE_ERRORS = (ELFError, struct.error, ValueError, IndexError, EOFError, UnicodeDecodeError)


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
    shown = label or str(path)
    try:
        with open(path, "rb") as f:
            if f.read(4) != ELF_MAGIC:
                raise AuditError(f"{shown} is not an ELF file; pass a wheel, a shared library "
                                 "or an executable built for Linux")
            f.seek(0)
            info = _parse(path, f, shown)
    except OSError as exc:
        raise AuditError(f"{shown} cannot be read ({exc.strerror or exc}); check the path and "
                         "its permissions") from None
    if expect_arch is not None and info.arch != expect_arch:
        raise AuditError(f"{shown} is built for {info.arch or info.machine}, not {expect_arch}; "
                         f"rebuild it for {expect_arch} or audit it on its own")
    return info


def _truncated(shown: str, detail: str) -> AuditError:
    return AuditError(f"{shown} is a truncated or corrupt ELF file ({detail}); rebuild it or "
                      "copy it again")


def _parse(path: Path, f: IO[bytes], shown: str) -> ElfInfo:
    size = os.fstat(f.fileno()).st_size
    try:
        elf = ELFFile(f)
        _check_extent(elf, size, shown)
        return _facts(path, elf)
    except _PARSE_ERRORS:
        raise _truncated(shown, f"{size} bytes, headers unreadable") from None


def _check_extent(elf: ELFFile, size: int, shown: str) -> None:
    """Every header, segment and section the file declares lies inside it."""
    h = elf.header
    ends = [h["e_phoff"] + h["e_phnum"] * h["e_phentsize"],
            h["e_shoff"] + elf.num_sections() * h["e_shentsize"]]
    if max(ends) > size:
        raise _truncated(shown, f"{size} bytes, its headers describe {max(ends)}")
    ends += [seg["p_offset"] + seg["p_filesz"] for seg in elf.iter_segments()]
    ends += [sec["sh_offset"] + sec["sh_size"] for sec in elf.iter_sections()
             if sec["sh_type"] != "SHT_NOBITS"]
    if max(ends) > size:
        raise _truncated(shown, f"{size} bytes, its headers describe {max(ends)}")


def _arch(elf: ELFFile) -> Optional[str]:
    arch = _ARCHES.get((str(elf["e_machine"]), elf.elfclass, elf.little_endian))
    if arch == "armv7l":
        flags = elf["e_flags"]
        if (flags & _EF_ARM_EABIMASK) != _EF_ARM_EABI_VER5 or not flags & _EF_ARM_ABI_FLOAT_HARD:
            return None  # only EABI5 hard-float is armv7l
    return arch


def _isa_level(elf: ELFFile) -> Optional[str]:
    """The x86-64 micro-architecture level from ``GNU_PROPERTY_X86_ISA_1_NEEDED``, above v1."""
    for section in elf.iter_sections():
        if not isinstance(section, NoteSection):
            continue
        for note in section.iter_notes():
            if note["n_type"] != "NT_GNU_PROPERTY_TYPE_0" or note["n_name"] != "GNU":
                continue
            for prop in note["n_desc"]:
                if prop.pr_type != "GNU_PROPERTY_X86_ISA_1_NEEDED" or prop.pr_datasz != 4:
                    continue
                data = int(prop.pr_data) & ~1
                for bit, level in ((8, "x86_64_v4"), (4, "x86_64_v3"), (2, "x86_64_v2")):
                    if data & bit:
                        return level
    return None


def _text(tag: DynamicTag, attr: str) -> str:
    """The string pyelftools resolved for a string-valued tag (set per instance, untyped)."""
    return str(vars(tag)[attr])


def _dynamic(elf: ELFFile) -> tuple[Optional[str], tuple[str, ...], tuple[str, ...],
                                    tuple[str, ...]]:
    soname: Optional[str] = None
    needed: list[str] = []
    rpath: list[str] = []
    runpath: list[str] = []
    for segment in elf.iter_segments():
        if not isinstance(segment, DynamicSegment):
            continue
        for tag in segment.iter_tags():
            kind = tag.entry.d_tag
            if kind == "DT_NEEDED":
                needed.append(_text(tag, "needed"))
            elif kind == "DT_SONAME":
                soname = _text(tag, "soname")
            elif kind == "DT_RPATH":
                rpath += [p for p in _text(tag, "rpath").split(":") if p]
            elif kind == "DT_RUNPATH":
                runpath += [p for p in _text(tag, "runpath").split(":") if p]
        break  # the loader uses the first PT_DYNAMIC only
    return soname, tuple(needed), tuple(rpath), tuple(runpath)


def _symbols(elf: ELFFile) -> tuple[Mapping[str, frozenset[str]],
                                    Mapping[str, Mapping[str, frozenset[str]]],
                                    frozenset[str], tuple[str, ...]]:
    verneed: Optional[GNUVerNeedSection] = None
    versym: Optional[GNUVerSymSection] = None
    dynsym: Optional[SymbolTableSection] = None
    for section in elf.iter_sections():
        if isinstance(section, GNUVerNeedSection):
            verneed = section
        elif isinstance(section, GNUVerSymSection):
            versym = section
        elif isinstance(section, SymbolTableSection) and section["sh_type"] == "SHT_DYNSYM":
            dynsym = section
    requirements: dict[str, set[str]] = {}
    by_index: dict[int, tuple[str, str]] = {}
    if verneed is not None:
        for need, auxes in verneed.iter_versions():
            for aux in auxes:
                requirements.setdefault(str(need.name), set()).add(str(aux.name))
                by_index[int(aux["vna_other"])] = (str(need.name), str(aux.name))
    versioned: dict[str, dict[str, set[str]]] = {}
    undefined: set[str] = set()
    inits: list[str] = []
    if dynsym is not None:
        for i, sym in enumerate(dynsym.iter_symbols()):
            if not sym.name:
                continue
            if sym["st_shndx"] != "SHN_UNDEF":
                if sym.name.startswith("PyInit_") and sym["st_info"]["type"] == "STT_FUNC" \
                        and sym["st_info"]["bind"] in ("STB_GLOBAL", "STB_WEAK"):
                    inits.append(sym.name)
                continue
            if sym["st_info"]["bind"] != "STB_WEAK":
                undefined.add(sym.name)
            if versym is not None:
                ndx = versym.get_symbol(i)["ndx"]
                if isinstance(ndx, int) and (ndx & 0x7FFF) in by_index:
                    lib, version = by_index[ndx & 0x7FFF]
                    versioned.setdefault(lib, {}).setdefault(version, set()).add(sym.name)
    return ({lib: frozenset(v) for lib, v in requirements.items()},
            {lib: {ver: frozenset(s) for ver, s in per.items()} for lib, per in versioned.items()},
            frozenset(undefined), tuple(sorted(inits)))


def _facts(path: Path, elf: ELFFile) -> ElfInfo:
    interpreter: Optional[str] = None
    for segment in elf.iter_segments():
        if isinstance(segment, InterpSegment):
            interpreter = segment.get_interp_name()
            break
    soname, needed, rpath, runpath = _dynamic(elf)
    requirements, versioned, undefined, inits = _symbols(elf)
    arch = _arch(elf)
    return ElfInfo(
        path=path, machine=str(elf["e_machine"]), elf_class=elf.elfclass,
        little_endian=elf.little_endian, arch=arch,
        isa_level=_isa_level(elf) if arch == "x86_64" else None,
        interpreter=interpreter, soname=soname, needed=needed, rpath=rpath, runpath=runpath,
        version_requirements=requirements, versioned_symbols=versioned,
        undefined_symbols=undefined, python_inits=inits)
