"""The audit's facts read completely with pyelftools, through the section headers.

The slower, thorough reader: every header, segment and section must lie inside the file, and
pyelftools parses the whole structure. `rustwheel.audit.elf` uses it for whatever the fast
reader (`rustwheel.audit.elfdynamic`) leaves to it: static or relocatable files, unusual
machines, and broken files, whose errors it words.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Optional

from elftools.common.exceptions import ELFError
from elftools.elf.dynamic import DynamicSegment, DynamicTag
from elftools.elf.elffile import ELFFile
from elftools.elf.gnuversions import GNUVerNeedSection, GNUVerSymSection
from elftools.elf.sections import NoteSection, Symbol, SymbolTableSection
from elftools.elf.segments import InterpSegment

from rustwheel.audit.elfinfo import ElfInfo, corrupt_error, isa_level_name, policy_arch

# Exceptions pyelftools lets through on malformed input.
_PARSE_ERRORS = (ELFError, struct.error, ValueError, IndexError, EOFError, UnicodeDecodeError)


def read_sections(path: Path, f: IO[bytes], size: int, shown: str) -> ElfInfo:
    """The facts of the ELF file ``f`` (``size`` bytes); `AuditError` when it is broken."""
    try:
        elf = ELFFile(f)
        _check_extent(elf, size, shown)
        return _facts(path, elf)
    except _PARSE_ERRORS:
        raise corrupt_error(shown, f"{size} bytes, headers unreadable") from None


def _check_extent(elf: ELFFile, size: int, shown: str) -> None:
    """Every header, segment and section the file declares lies inside it."""
    h = elf.header
    ends = [h["e_phoff"] + h["e_phnum"] * h["e_phentsize"],
            h["e_shoff"] + elf.num_sections() * h["e_shentsize"]]
    if max(ends) > size:
        raise corrupt_error(shown, f"{size} bytes, its headers describe {max(ends)}")
    ends += [seg["p_offset"] + seg["p_filesz"] for seg in elf.iter_segments()]
    ends += [sec["sh_offset"] + sec["sh_size"] for sec in elf.iter_sections()
             if sec["sh_type"] != "SHT_NOBITS"]
    if max(ends) > size:
        raise corrupt_error(shown, f"{size} bytes, its headers describe {max(ends)}")


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
                level = isa_level_name(int(prop.pr_data))
                if level is not None:
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
    verneed, versym, dynsym = _symbol_sections(elf)
    requirements, by_index = _version_needs(verneed)
    versioned: dict[str, dict[str, set[str]]] = {}
    undefined: set[str] = set()
    inits: list[str] = []
    symbols = dynsym.iter_symbols() if dynsym is not None else ()
    for i, sym in enumerate(symbols):
        if not sym.name:
            continue
        if sym["st_shndx"] != "SHN_UNDEF":
            if _is_python_init(sym):
                inits.append(sym.name)
            continue
        if sym["st_info"]["bind"] != "STB_WEAK":
            undefined.add(sym.name)
        needed = _needed_version(versym, i, by_index)
        if needed is not None:
            lib, version = needed
            versioned.setdefault(lib, {}).setdefault(version, set()).add(sym.name)
    return (requirements,
            {lib: {ver: frozenset(s) for ver, s in per.items()} for lib, per in versioned.items()},
            frozenset(undefined), tuple(sorted(inits)))


def _symbol_sections(elf: ELFFile) -> tuple[Optional[GNUVerNeedSection],
                                            Optional[GNUVerSymSection],
                                            Optional[SymbolTableSection]]:
    """``.gnu.version_r``, ``.gnu.version`` and ``.dynsym``, those the file has."""
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
    return verneed, versym, dynsym


def _version_needs(verneed: Optional[GNUVerNeedSection],
                   ) -> tuple[dict[str, frozenset[str]], dict[int, tuple[str, str]]]:
    """Library -> version names, and version index -> (library, name)."""
    requirements: dict[str, set[str]] = {}
    by_index: dict[int, tuple[str, str]] = {}
    if verneed is not None:
        for need, auxes in verneed.iter_versions():
            for aux in auxes:
                requirements.setdefault(str(need.name), set()).add(str(aux.name))
                by_index[int(aux["vna_other"])] = (str(need.name), str(aux.name))
    return {lib: frozenset(v) for lib, v in requirements.items()}, by_index


def _is_python_init(sym: Symbol) -> bool:
    """A defined symbol that is an exported ``PyInit_*`` function."""
    return bool(sym.name.startswith("PyInit_") and sym["st_info"]["type"] == "STT_FUNC"
                and sym["st_info"]["bind"] in ("STB_GLOBAL", "STB_WEAK"))


def _needed_version(versym: Optional[GNUVerSymSection], i: int,
                    by_index: Mapping[int, tuple[str, str]]) -> Optional[tuple[str, str]]:
    """(library, version) that undefined symbol ``i`` requires, or None when unversioned."""
    if versym is None:
        return None
    ndx = versym.get_symbol(i)["ndx"]
    if isinstance(ndx, int):
        return by_index.get(ndx & 0x7FFF)
    return None


def _facts(path: Path, elf: ELFFile) -> ElfInfo:
    interpreter: Optional[str] = None
    for segment in elf.iter_segments():
        if isinstance(segment, InterpSegment):
            interpreter = segment.get_interp_name()
            break
    soname, needed, rpath, runpath = _dynamic(elf)
    requirements, versioned, undefined, inits = _symbols(elf)
    arch = policy_arch(str(elf["e_machine"]), elf.elfclass, elf.little_endian, elf["e_flags"])
    return ElfInfo(
        path=path, machine=str(elf["e_machine"]), elf_class=elf.elfclass,
        little_endian=elf.little_endian, arch=arch,
        isa_level=_isa_level(elf) if arch == "x86_64" else None,
        interpreter=interpreter, soname=soname, needed=needed, rpath=rpath, runpath=runpath,
        version_requirements=requirements, versioned_symbols=versioned,
        undefined_symbols=undefined, python_inits=inits)
