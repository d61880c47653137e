"""Audit a ``.whl`` file: unpack its ELF files, read them, analyze them."""

from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from pathlib import Path, PurePosixPath
from typing import Optional

from packaging.utils import InvalidWheelFilename, parse_wheel_filename

from rustwheel.audit import AuditError
from rustwheel.audit.analyze import analyze
from rustwheel.audit.elf import ELF_MAGIC, ElfInfo, read_elf
from rustwheel.audit.resolve import Resolver
from rustwheel.audit.result import AuditResult

_PLATFORM = re.compile(r"^(?:linux|manylinux\d+|manylinux_\d+_\d+|musllinux_\d+_\d+)_(.+)$")


def platform_arch(platform: str) -> Optional[str]:
    """``manylinux_2_17_x86_64`` -> ``x86_64``; None for a non-Linux platform like ``any``."""
    m = _PLATFORM.match(platform)
    return m.group(1) if m else None


def _tag_facts(wheel: Path) -> tuple[Optional[str], Optional[str], Optional[str]]:
    """(architecture, libc, platform tag) told by the wheel's file name, when it tells."""
    try:
        _, _, _, tags = parse_wheel_filename(wheel.name)
    except InvalidWheelFilename:
        return None, None, None
    for tag in sorted(tags, key=str):
        arch = platform_arch(tag.platform)
        if arch is not None:
            libc = "musl" if tag.platform.startswith("musllinux") else \
                "glibc" if tag.platform.startswith("manylinux") else None
            return arch, libc, tag.platform
    return None, None, None


def _member_path(root: Path, name: str, wheel: Path) -> Path:
    parts = PurePosixPath(name).parts
    if not parts or PurePosixPath(name).is_absolute() or ".." in parts:
        raise AuditError(f"{wheel} holds an unsafe entry name '{name}'; rebuild the wheel")
    return root.joinpath(*parts)


def _unpack_elves(wheel: Path, dest: Path) -> dict[str, Path]:
    """Extract the ELF members of ``wheel`` under ``dest``; entry name -> extracted path."""
    out: dict[str, Path] = {}
    try:
        with zipfile.ZipFile(wheel) as zf:
            for info in zf.infolist():
                if info.is_dir():
                    continue
                with zf.open(info) as src:
                    if src.read(4) != ELF_MAGIC:
                        continue
                target = _member_path(dest, info.filename, wheel)
                target.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(info) as src, open(target, "wb") as dst:
                    shutil.copyfileobj(src, dst)
                out[info.filename] = target
    except zipfile.BadZipFile:
        raise AuditError(f"{wheel} is not a wheel (not a valid zip archive); pass a .whl file "
                         "such as rustwheel build writes") from None
    except OSError as exc:
        raise AuditError(f"{wheel} cannot be read ({exc.strerror or exc}); check the path and "
                         "its permissions") from None
    return out


def audit_wheel(wheel: Path, *, resolver: Optional[Resolver] = None,
                libc: Optional[str] = None, musl_policy: Optional[str] = None) -> AuditResult:
    """The platform tag ``wheel``'s binaries are consistent with, and why not stricter ones.

    Every ELF file in the wheel is audited; libraries they find inside the wheel (through
    RPATH/RUNPATH) are part of it. Raises `AuditError` for a missing or broken wheel, a
    truncated binary, or a binary for another architecture than the wheel's tag.
    """
    if not wheel.is_file():
        raise AuditError(f"{wheel} does not exist; pass the path of a .whl file")
    tag_arch, tag_libc, platform = _tag_facts(wheel)
    with tempfile.TemporaryDirectory(prefix="rustwheel-audit-") as tmp:
        root = Path(tmp)
        files: dict[str, ElfInfo] = {}
        for name, path in sorted(_unpack_elves(wheel, root).items()):
            info = read_elf(path, label=f"{name} in {wheel.name}")
            if tag_arch is not None and info.arch != tag_arch:
                raise AuditError(f"{name} in {wheel.name} is built for "
                                 f"{info.arch or info.machine} but the wheel is tagged "
                                 f"{platform}; rebuild it for {tag_arch} or fix the tag")
            files[name] = info
        if libc is None and not any(i.libc for i in files.values()):
            libc = tag_libc
        return analyze(files, name=wheel.name, root=root, resolver=resolver, libc=libc,
                       musl_policy=musl_policy)
