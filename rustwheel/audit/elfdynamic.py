"""The audit's facts read the way the dynamic loader finds them: from the ELF header, the
program headers and the tables the dynamic segment points to, with `struct`.

Everything the audit needs (``DT_NEEDED``, ``DT_SONAME``, RPATH/RUNPATH, the dynamic symbols and
their version tables, the GNU property note) lies in the first loaded pages of a file, before
the code's end, while the section headers pyelftools starts from are at the very end, after the
debug info. So a wheel member is inflated only up to its dynamic segment.

`read_dynamic` gives up (returns None) on anything but an ordinary, intact, dynamically linked
file: no dynamic segment or symbol hash table, a header or segment reaching past the end, a
machine it has no name for, a string without its terminator, ... The caller then reads the file
the complete way (`rustwheel.audit.elfsections`), which gives the same facts for ordinary files
and words the error for broken ones.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import NamedTuple, Optional

from rustwheel.audit.elfinfo import ElfInfo, isa_level_name, policy_arch
from rustwheel.audit.elfsource import ElfBytes, ShortRead

# e_machine -> the name pyelftools gives it (`ElfInfo.machine`); other machines: read completely.
MACHINES: Mapping[int, str] = {
    3: "EM_386", 8: "EM_MIPS", 20: "EM_PPC", 21: "EM_PPC64", 22: "EM_S390", 40: "EM_ARM",
    43: "EM_SPARCV9", 62: "EM_X86_64", 183: "EM_AARCH64", 243: "EM_RISCV",
    258: "EM_LOONGARCH",
}
_ET_EXEC, _ET_DYN = 2, 3
_PT_LOAD, _PT_DYNAMIC, _PT_INTERP, _PT_NOTE = 1, 2, 3, 4
_PT_GNU_PROPERTY = 0x6474E553
_DT_NEEDED, _DT_HASH, _DT_STRTAB, _DT_SYMTAB, _DT_STRSZ, _DT_SYMENT = 1, 4, 5, 6, 10, 11
_DT_SONAME, _DT_RPATH, _DT_RUNPATH = 14, 15, 29
_DT_GNU_HASH, _DT_VERSYM, _DT_VERNEED, _DT_VERNEEDNUM = 0x6FFFFEF5, 0x6FFFFFF0, 0x6FFFFFFE, \
    0x6FFFFFFF
_STB_GLOBAL, _STB_WEAK, _STT_FUNC = 1, 2, 2
_NT_GNU_PROPERTY_TYPE_0 = 5
_GNU_PROPERTY_X86_ISA_1_NEEDED = 0xC0008002
_VERSYM_SPECIAL = frozenset({0, 1, 0xFF00, 0xFF01})  # LOCAL, GLOBAL, LORESERVE, ELIMINATE


class _Unusual(Exception):
    """Not an ordinary intact file: leave it to the complete reader."""


class _Layout:
    """The struct formats of one ELF class and byte order."""

    def __init__(self, elf_class: int, order: str) -> None:
        self.elf_class = elf_class
        self.order = order
        self.wide = elf_class == 64

    def fmt(self, wide: str, narrow: str) -> struct.Struct:
        return struct.Struct(self.order + (wide if self.wide else narrow))


class _Segment(NamedTuple):
    kind: int
    offset: int
    vaddr: int
    filesz: int


class _Reader:
    def __init__(self, data: ElfBytes, layout: _Layout, segments: list[_Segment]) -> None:
        self.data = data
        self.layout = layout
        self.segments = segments
        self.u32 = struct.Struct(layout.order + "I")

    def offset_of(self, address: int) -> int:
        """The file offset of a virtual address, through the loaded segments."""
        for seg in self.segments:
            if seg.kind == _PT_LOAD and seg.vaddr <= address < seg.vaddr + seg.filesz:
                return address - seg.vaddr + seg.offset
        raise _Unusual(f"address {address:#x} is in no loaded segment")

    def word(self, offset: int) -> int:
        value: int = self.u32.unpack(self.data.read(offset, 4))[0]
        return value


def _cstring(table: bytes, offset: int, errors: str = "replace") -> str:
    end = table.find(b"\0", offset)
    if offset >= len(table) or end < 0:
        raise _Unusual("unterminated string")
    return table[offset:end].decode("utf-8", errors)


def read_dynamic(data: ElfBytes, path: Path) -> Optional[ElfInfo]:
    """The facts of the ELF file ``data`` (its magic number already checked), or None when it
    is not an ordinary dynamically linked file and must be read completely."""
    try:
        return _read(data, path)
    except (_Unusual, ShortRead, struct.error, UnicodeDecodeError):
        return None


def _read(data: ElfBytes, path: Path) -> ElfInfo:
    ident = data.read(0, 16)
    if ident[4] not in (1, 2) or ident[5] not in (1, 2):
        raise _Unusual("unknown ELF class or byte order")
    layout = _Layout(32 * ident[4], "<" if ident[5] == 1 else ">")
    ehdr = layout.fmt("HHIQQQIHHHHHH", "HHIIIIIHHHHHH")
    (e_type, e_machine, _, _, phoff, shoff, flags, _, phentsize, phnum, shentsize, shnum,
     _) = ehdr.unpack(data.read(16, ehdr.size))
    machine = MACHINES.get(e_machine)
    phdr = layout.fmt("IIQQQQQQ", "IIIIIIII")
    if machine is None or e_type not in (_ET_EXEC, _ET_DYN) or phentsize != phdr.size:
        raise _Unusual("not an ordinary executable or shared library")
    if (shnum == 0 and shoff != 0) or max(phoff + phnum * phentsize,
                                          shoff + shnum * shentsize) > data.size:
        raise _Unusual("headers past the end")
    reader = _Reader(data, layout, _segments(data, layout, phdr, phoff, phnum))
    dynamic = next((s for s in reader.segments if s.kind == _PT_DYNAMIC), None)
    if dynamic is None or dynamic.filesz == 0:
        raise _Unusual("no dynamic segment")
    tags = _tags(reader, dynamic)
    strtab = reader.data.read(reader.offset_of(_one(tags, _DT_STRTAB)), _one(tags, _DT_STRSZ))
    strings = {kind: [_cstring(strtab, v) for k, v in tags if k == kind]
               for kind in (_DT_NEEDED, _DT_SONAME, _DT_RPATH, _DT_RUNPATH)}
    requirements, by_index = _verneed(reader, tags, strtab)
    versioned, undefined, inits = _symbols(reader, tags, strtab, by_index)
    arch = policy_arch(machine, layout.elf_class, layout.order == "<", flags)
    return ElfInfo(
        path=path, machine=machine, elf_class=layout.elf_class,
        little_endian=layout.order == "<", arch=arch,
        isa_level=_isa_level(reader) if arch == "x86_64" else None,
        interpreter=_interpreter(reader),
        soname=strings[_DT_SONAME][-1] if strings[_DT_SONAME] else None,
        needed=tuple(strings[_DT_NEEDED]),
        rpath=tuple(p for s in strings[_DT_RPATH] for p in s.split(":") if p),
        runpath=tuple(p for s in strings[_DT_RUNPATH] for p in s.split(":") if p),
        version_requirements=requirements, versioned_symbols=versioned,
        undefined_symbols=undefined, python_inits=inits)


def _segments(data: ElfBytes, layout: _Layout, phdr: struct.Struct, phoff: int,
              phnum: int) -> list[_Segment]:
    out = []
    table = data.read(phoff, phnum * phdr.size)
    for fields in phdr.iter_unpack(table):
        if layout.wide:
            kind, _, offset, vaddr, _, filesz, _, _ = fields
        else:
            kind, offset, vaddr, _, filesz, _, _, _ = fields
        if offset + filesz > data.size:
            raise _Unusual("segment past the end")
        out.append(_Segment(kind, offset, vaddr, filesz))
    return out


def _tags(reader: _Reader, dynamic: _Segment) -> list[tuple[int, int]]:
    """The dynamic segment's (tag, value) pairs up to ``DT_NULL``."""
    dyn = reader.layout.fmt("qQ", "iI")
    table = reader.data.read(dynamic.offset, dynamic.filesz - dynamic.filesz % dyn.size)
    out: list[tuple[int, int]] = []
    for kind, value in dyn.iter_unpack(table):
        if kind == 0:
            return out
        out.append((kind, value))
    raise _Unusual("no DT_NULL in the dynamic segment")


def _one(tags: list[tuple[int, int]], kind: int) -> int:
    """The value of the first ``kind`` tag."""
    for k, value in tags:
        if k == kind:
            return value
    raise _Unusual(f"no dynamic tag {kind:#x}")


def _interpreter(reader: _Reader) -> Optional[str]:
    for seg in reader.segments:
        if seg.kind == _PT_INTERP:
            return _cstring(reader.data.read(seg.offset, seg.filesz), 0, errors="strict")
    return None


def _verneed(reader: _Reader, tags: list[tuple[int, int]], strtab: bytes,
             ) -> tuple[dict[str, frozenset[str]], dict[int, tuple[str, str]]]:
    """``.gnu.version_r``: library -> version names, and version index -> (library, name)."""
    requirements: dict[str, set[str]] = {}
    by_index: dict[int, tuple[str, str]] = {}
    if not any(k == _DT_VERNEED for k, _ in tags):
        return {}, by_index
    entry = struct.Struct(reader.layout.order + "HHIII")
    aux = struct.Struct(reader.layout.order + "IHHII")
    offset = reader.offset_of(_one(tags, _DT_VERNEED))
    for _ in range(_one(tags, _DT_VERNEEDNUM)):
        _, count, file, aux_offset, next_offset = entry.unpack(reader.data.read(offset, 16))
        if count == 0:
            raise _Unusual("version entry without auxiliaries")
        library = _cstring(strtab, file)
        at = offset + aux_offset
        for _ in range(count):
            _, _, other, name, next_aux = aux.unpack(reader.data.read(at, 16))
            version = _cstring(strtab, name)
            requirements.setdefault(library, set()).add(version)
            by_index[other] = (library, version)
            at += next_aux
        offset += next_offset
    return {lib: frozenset(v) for lib, v in requirements.items()}, by_index


def _symbol_count(reader: _Reader, tags: list[tuple[int, int]]) -> int:
    """The number of dynamic symbols, from the GNU hash table, else the SysV one."""
    gnu = next((v for k, v in tags if k == _DT_GNU_HASH), None)
    if gnu is None:
        nchain: int = reader.word(reader.offset_of(_one(tags, _DT_HASH)) + 4)
        return nchain
    at = reader.offset_of(gnu)
    nbuckets: int
    symoffset: int
    nbuckets, symoffset, bloom_size, _ = struct.unpack(reader.layout.order + "IIII",
                                                       reader.data.read(at, 16))
    buckets_at = at + 16 + bloom_size * (8 if reader.layout.wide else 4)
    buckets = struct.unpack(f"{reader.layout.order}{nbuckets}I",
                            reader.data.read(buckets_at, 4 * nbuckets))
    last: int = max(buckets, default=0)
    if last < symoffset:
        return symoffset
    chain_at = buckets_at + 4 * nbuckets + 4 * (last - symoffset)
    while not reader.word(chain_at) & 1:  # the end of a chain has its lowest bit set
        last += 1
        chain_at += 4
    return last + 1


def _symbols(reader: _Reader, tags: list[tuple[int, int]], strtab: bytes,
             by_index: dict[int, tuple[str, str]],
             ) -> tuple[dict[str, dict[str, frozenset[str]]], frozenset[str], tuple[str, ...]]:
    sym = reader.layout.fmt("IBBHQQ", "IIIBBH")
    if next((v for k, v in tags if k == _DT_SYMENT), sym.size) != sym.size:
        raise _Unusual("unexpected symbol size")
    count = _symbol_count(reader, tags)
    table = reader.data.read(reader.offset_of(_one(tags, _DT_SYMTAB)), count * sym.size)
    versym_at = next((v for k, v in tags if k == _DT_VERSYM), None)
    versions: tuple[int, ...] = ()
    if versym_at is not None:
        versions = struct.unpack(f"{reader.layout.order}{count}H",
                                 reader.data.read(reader.offset_of(versym_at), 2 * count))
    versioned: dict[str, dict[str, set[str]]] = {}
    undefined: set[str] = set()
    inits: list[str] = []
    for i, fields in enumerate(sym.iter_unpack(table)):
        if reader.layout.wide:
            name_at, info, _, shndx, _, _ = fields
        else:
            name_at, _, _, info, _, shndx = fields
        name = _cstring(strtab, name_at)
        if not name:
            continue
        bind = info >> 4
        if shndx != 0:  # defined here
            if name.startswith("PyInit_") and info & 0xF == _STT_FUNC \
                    and bind in (_STB_GLOBAL, _STB_WEAK):
                inits.append(name)
            continue
        if bind != _STB_WEAK:
            undefined.add(name)
        if versions and versions[i] not in _VERSYM_SPECIAL and versions[i] & 0x7FFF in by_index:
            lib, version = by_index[versions[i] & 0x7FFF]
            versioned.setdefault(lib, {}).setdefault(version, set()).add(name)
    return ({lib: {ver: frozenset(s) for ver, s in per.items()} for lib, per in versioned.items()},
            frozenset(undefined), tuple(sorted(inits)))


def _notes(reader: _Reader, seg: _Segment) -> Iterator[tuple[str, int, bytes]]:
    """(name, type, descriptor) of each note in a segment, 4-byte aligned as pyelftools reads
    them."""
    offset, end = seg.offset, seg.offset + seg.filesz
    while offset + 12 < end:
        namesz, descsz, kind = struct.unpack(reader.layout.order + "III",
                                             reader.data.read(offset, 12))
        offset += 12
        name = ""
        if namesz:
            raw = reader.data.read(offset, (namesz + 3) & ~3)
            name = raw.split(b"\0", 1)[0].decode("latin-1")
            offset += (namesz + 3) & ~3
        yield name, kind, reader.data.read(offset, descsz)
        offset += (descsz + 3) & ~3


def _isa_level(reader: _Reader) -> Optional[str]:
    """The x86-64 level from ``GNU_PROPERTY_X86_ISA_1_NEEDED``, from the GNU property segment
    (or, without one, the note segments)."""
    kinds = (_PT_GNU_PROPERTY,) if any(s.kind == _PT_GNU_PROPERTY for s in reader.segments) \
        else (_PT_NOTE,)
    align = 8 if reader.layout.wide else 4
    prop = struct.Struct(reader.layout.order + "II")
    for seg in reader.segments:
        if seg.kind not in kinds:
            continue
        for name, kind, desc in _notes(reader, seg):
            if kind != _NT_GNU_PROPERTY_TYPE_0 or name != "GNU":
                continue
            at = 0
            while at < len(desc):
                pr_type, size = prop.unpack_from(desc, at)
                if pr_type == _GNU_PROPERTY_X86_ISA_1_NEEDED and size == 4:
                    level = isa_level_name(reader.u32.unpack_from(desc, at + 8)[0])
                    if level is not None:
                        return level
                at += (size + 8 + align - 1) & ~(align - 1)
    return None
