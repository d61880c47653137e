"""Audit a ``.whl`` file: read its ELF files straight from the archive, analyze them."""

from __future__ import annotations

import os
import re
import zipfile
import zlib
from pathlib import Path, PurePosixPath
from typing import Optional
from zipfile import ZipInfo

from rustwheel.audit import AuditError
from rustwheel.audit.analyze import analyze
from rustwheel.audit.elf import ELF_MAGIC, ElfInfo, read_elf_stream
from rustwheel.audit.elfsource import ZipMember
from rustwheel.audit.resolve import OverlayResolver, Resolver, system_search_paths
from rustwheel.audit.result import AuditResult

_PLATFORM = re.compile(r"^(?:linux|manylinux\d+|manylinux_\d+_\d+|musllinux_\d+_\d+)_(.+)$")


def platform_arch(platform: str) -> Optional[str]:
    """``manylinux_2_17_x86_64`` -> ``x86_64``; None for a non-Linux platform like ``any``."""
    m = _PLATFORM.match(platform)
    return m.group(1) if m else None


# A wheel file name packaging surely accepts (PEP 427 name, a plain PEP 440 version, optional
# build number, identifier-like tags): read without importing packaging.utils (~10 ms).
_PLAIN_WHEEL_NAME = re.compile(
    r"[A-Za-z0-9._]+-\d+(?:\.\d+)*(?:(?:a|b|rc)\d+)?(?:\.post\d+)?(?:\.dev\d+)?"
    r"(?:\+[a-z0-9]+(?:\.[a-z0-9]+)*)?(?:-\d[A-Za-z0-9_.]*)?"
    r"-[a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)*-[a-z0-9_]+(?:\.[a-z0-9_]+)*"
    r"-(?P<platforms>[a-z0-9_]+(?:\.[a-z0-9_]+)*)\.whl", re.ASCII)


def _platforms(filename: str) -> Optional[list[str]]:
    """The platform tags of a wheel file name; None when it is not a valid one."""
    plain = _PLAIN_WHEEL_NAME.fullmatch(filename)
    if plain is not None and "__" not in filename.split("-", 1)[0]:
        return plain.group("platforms").split(".")
    from packaging.utils import InvalidWheelFilename, parse_wheel_filename

    try:
        _, _, _, tags = parse_wheel_filename(filename)
    except InvalidWheelFilename:
        return None
    return [tag.platform for tag in tags]


def _tag_facts(wheel: Path) -> tuple[Optional[str], Optional[str], Optional[str]]:
    """(architecture, libc, platform tag) told by the wheel's file name, when it tells."""
    linux = sorted(p for p in _platforms(wheel.name) or () if platform_arch(p) is not None)
    if not linux:
        return None, None, None
    platform = linux[0]
    libc = "musl" if platform.startswith("musllinux") else \
        "glibc" if platform.startswith("manylinux") else None
    return platform_arch(platform), libc, platform


def _member_path(root: Path, name: str, wheel: Path) -> Path:
    parts = PurePosixPath(name).parts
    if not parts or PurePosixPath(name).is_absolute() or ".." in parts:
        raise AuditError(f"{wheel} holds an unsafe entry name '{name}'; rebuild the wheel")
    return root.joinpath(*parts)


def _elf_members(zf: zipfile.ZipFile, root: Path, wheel: Path) -> dict[str, tuple[ZipInfo, Path]]:
    """The ELF members of ``wheel``: entry name -> (its zip entry, the path it would be
    unpacked to under ``root``)."""
    out: dict[str, tuple[ZipInfo, Path]] = {}
    for info in zf.infolist():
        if info.is_dir():
            continue
        with zf.open(info) as src:
            if src.read(4) != ELF_MAGIC:
                continue
        out[info.filename] = (info, _member_path(root, info.filename, wheel))
    return out


def _read_elves(wheel: Path, root: Path, tag_arch: Optional[str], platform: Optional[str],
                ) -> dict[str, ElfInfo]:
    """The facts of every ELF member, read in name order straight from the archive, each
    inflated only as far as its facts need."""
    files: dict[str, ElfInfo] = {}
    try:
        with zipfile.ZipFile(wheel) as zf, open(wheel, "rb") as archive:
            members = _elf_members(zf, root, wheel)
            for name, (entry, path) in sorted(members.items()):
                label = f"{name} in {wheel.name}"
                if ZipMember.supports(entry):
                    src = ZipMember(archive, entry)
                    info = read_elf_stream(src, entry.file_size, path, label=label,
                                           verify=src.check)
                else:
                    with zf.open(entry) as stream:
                        info = read_elf_stream(stream, entry.file_size, path, label=label)
                if tag_arch is not None and info.arch != tag_arch:
                    raise AuditError(f"{name} in {wheel.name} is built for "
                                     f"{info.arch or info.machine} but the wheel is tagged "
                                     f"{platform}; rebuild it for {tag_arch} or fix the tag")
                files[name] = info
    except (zipfile.BadZipFile, zlib.error):
        raise AuditError(f"{wheel} is not a wheel (not a valid zip archive); pass a .whl file "
                         "such as rustwheel build writes") from None
    except OSError as exc:
        raise AuditError(f"{wheel} cannot be read ({exc.strerror or exc}); check the path and "
                         "its permissions") from None
    return files


def _virtual_root() -> Path:
    """A directory that does not exist, where the ELF files would be unpacked (the temporary
    directory, like the unpacking of earlier versions, so ``$ORIGIN/..`` paths lead to the same
    places)."""
    tmp = os.environ.get("TMPDIR") or os.environ.get("TEMP") or os.environ.get("TMP") or "/tmp"
    return Path(os.path.abspath(tmp)) / f"rustwheel-audit-{os.urandom(6).hex()}"


def audit_wheel(wheel: Path, *, resolver: Optional[Resolver] = None,
                libc: Optional[str] = None, musl_policy: Optional[str] = None) -> AuditResult:
    """The platform tag ``wheel``'s binaries are consistent with, and why not stricter ones.

    Every ELF file in the wheel is audited; libraries they find inside the wheel (through
    RPATH/RUNPATH) are part of it. Nothing is unpacked to disk: the ELF files are read from
    the archive, and their `ElfInfo.path` is where they would be unpacked (under a directory
    that does not exist). Raises `AuditError` for a missing or broken wheel, a truncated
    binary, or a binary for another architecture than the wheel's tag.
    """
    if not wheel.is_file():
        raise AuditError(f"{wheel} does not exist; pass the path of a .whl file")
    tag_arch, tag_libc, platform = _tag_facts(wheel)
    root = _virtual_root()
    files = _read_elves(wheel, root, tag_arch, platform)
    if libc is None and not any(i.libc for i in files.values()):
        libc = tag_libc
    base = resolver or Resolver(system_search_paths())
    return analyze(files, name=wheel.name, root=root,
                   resolver=OverlayResolver(base, root, files.values()), libc=libc,
                   musl_policy=musl_policy)
