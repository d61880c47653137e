"""Where the dynamic loader would find a ``DT_NEEDED`` library (an ``lddtree``-like search).

Order, as ``ld.so(8)`` documents it: ``DT_RPATH`` of the file (and of the files that loaded it)
when it has no ``DT_RUNPATH``; ``LD_LIBRARY_PATH``; ``DT_RUNPATH``; the directories of
``/etc/ld.so.conf`` (with its ``include`` globs; Debian's multiarch directories such as
``/usr/lib/x86_64-linux-gnu`` come from there); then ``/lib``, ``/lib64``, ``/usr/lib``,
``/usr/lib64``. A candidate for another ELF class or machine is skipped, as the loader does.
"""

from __future__ import annotations

import glob
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from rustwheel.audit import AuditError
from rustwheel.audit.elf import ElfInfo, is_elf, read_elf

DEFAULT_DIRS = ("/lib", "/lib64", "/usr/lib", "/usr/lib64")
_ORIGIN = re.compile(r"\$(ORIGIN\b|\{ORIGIN\})")


@dataclass(frozen=True)
class SearchPaths:
    """The host's library directories, apart from each file's own RPATH/RUNPATH."""

    env: tuple[str, ...] = ()
    """``LD_LIBRARY_PATH``."""
    conf: tuple[str, ...] = ()
    """``/etc/ld.so.conf`` and the files it includes."""
    default: tuple[str, ...] = DEFAULT_DIRS
    """The loader's built-in directories."""


def _dedupe(items: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    for item in items:
        norm = os.path.normpath(item)
        if norm not in seen:
            seen.add(norm)
            out.append(norm)
    return out


def parse_ld_so_conf(path: Path, *, _seen: Optional[set[Path]] = None) -> list[str]:
    """The directories listed by an ``ld.so.conf`` file, following ``include GLOB`` lines.

    A missing or unreadable file lists nothing; ``hwcap`` lines are ignored.
    """
    seen = set() if _seen is None else _seen
    real = path.resolve()
    if real in seen:
        return []
    seen.add(real)
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    dirs: list[str] = []
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        words = line.split()
        if words[0] == "include":
            for pattern in words[1:]:
                if not os.path.isabs(pattern):
                    pattern = str(path.parent / pattern)
                for included in sorted(glob.glob(pattern)):
                    dirs += parse_ld_so_conf(Path(included), _seen=seen)
        elif words[0] != "hwcap":
            dirs += [d for d in re.split(r"[\s,:]+", line) if d.startswith("/")]
    return _dedupe(dirs)


def system_search_paths(environ: Optional[Mapping[str, str]] = None,
                        ld_so_conf: Path = Path("/etc/ld.so.conf"),
                        ) -> SearchPaths:
    """This host's search path: ``LD_LIBRARY_PATH`` from ``environ`` (default: ``os.environ``),
    the ``ld_so_conf`` directories, the loader's defaults."""
    env = os.environ if environ is None else environ
    ld_library_path = [p for p in re.split(r"[:;]", env.get("LD_LIBRARY_PATH", "")) if p]
    return SearchPaths(env=tuple(_dedupe(ld_library_path)),
                       conf=tuple(parse_ld_so_conf(ld_so_conf)))


def expand_origin(entry: str, origin: Path) -> str:
    """``$ORIGIN`` / ``${ORIGIN}`` -> the directory of the file holding the entry."""
    return os.path.normpath(_ORIGIN.sub(lambda _: str(origin), entry))


def library_dirs(elf: ElfInfo, paths: SearchPaths,
                 inherited_rpath: Sequence[str] = ()) -> list[str]:
    """The directories searched for ``elf``'s ``DT_NEEDED`` entries, in order.

    ``inherited_rpath`` holds the (expanded) ``DT_RPATH`` of the files that loaded ``elf``.
    """
    origin = elf.path.parent
    dirs: list[str] = []
    if not elf.runpath:
        dirs += [expand_origin(p, origin) for p in elf.rpath]
        dirs += inherited_rpath
    dirs += paths.env
    dirs += [expand_origin(p, origin) for p in elf.runpath]
    dirs += paths.conf
    dirs += paths.default
    return _dedupe(dirs)


class Resolver:
    """Finds libraries for ELF files; remembers what it read about each candidate."""

    def __init__(self, paths: SearchPaths) -> None:
        self.paths = paths
        self._infos: dict[Path, Optional[ElfInfo]] = {}

    def info(self, path: Path) -> Optional[ElfInfo]:
        """The facts of a candidate library, or None when it is not a readable ELF file."""
        if path not in self._infos:
            info: Optional[ElfInfo] = None
            if path.is_file() and is_elf(path):
                try:
                    info = read_elf(path)
                except AuditError:
                    info = None
            self._infos[path] = info
        return self._infos[path]

    def find(self, soname: str, requester: ElfInfo,
             inherited_rpath: Sequence[str] = ()) -> Optional[Path]:
        """The path the loader would open for ``soname`` needed by ``requester``, or None."""
        if "/" in soname:  # used as a path by the loader, no search
            candidate = Path(soname)
            found = self.info(candidate)
            return candidate if found is not None and requester.loads_alongside(found) else None
        for directory in library_dirs(requester, self.paths, inherited_rpath):
            candidate = Path(directory) / soname
            found = self.info(candidate)
            if found is not None and requester.loads_alongside(found):
                return candidate
        return None


class OverlayResolver(Resolver):
    """A resolver that sees ``files`` (facts read from a wheel, never unpacked) at their paths
    under ``root``, and the host through ``base`` everywhere else.

    Under ``root`` only the given files exist, as they would in a directory the wheel's ELF
    files were unpacked to; ``base`` keeps what it learns about host libraries for later wheels.
    """

    def __init__(self, base: Resolver, root: Path, files: Iterable[ElfInfo]) -> None:
        super().__init__(base.paths)
        self.base = base
        self.root = root
        self._files = {info.path: info for info in files}

    def info(self, path: Path) -> Optional[ElfInfo]:
        norm = Path(os.path.normpath(path))
        if norm.is_relative_to(self.root):
            return self._files.get(norm)
        return self.base.info(path)
