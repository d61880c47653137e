"""Bundle external shared libraries into a wheel: copies under hashed names, patched with patchelf.

Given the wheel's binaries (path inside the wheel -> file) and the libraries to bundle
(soname -> file), `graft` writes into a work directory:

- ``libs/<libname>-<8 hex>.so.N``: each library, its soname set to that hashed name (so two
  wheels bundling different builds of one library never clash in a process), its RPATH set to
  ``$ORIGIN`` when it had one (its bundled dependencies sit beside it);
- ``files/<path in wheel>``: each binary with its ``DT_NEEDED`` entries renamed to the hashed
  names and ``$ORIGIN/<relative path to the libs dir>`` added to its RPATH.

The inputs are never modified: they are the compile stage's (cached) outputs and system files.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Union

from rustwheel import _run
from rustwheel.audit.elf import ElfInfo, read_elf
from rustwheel.errors import ToolError


def find_patchelf(needed_for: str) -> Path:
    """patchelf from PATH, else from the running interpreter's scripts dir (``pip install
    patchelf`` puts it there)."""
    found = _run.which("patchelf")
    if found is None:
        local = Path(sys.executable).parent / "patchelf"
        if local.is_file() and os.access(local, os.X_OK):
            found = local
    if found is None:
        raise ToolError(f"patchelf is needed to bundle {needed_for} into the wheel but is not "
                        "installed; run `pip install patchelf` (or pass --auditwheel=check / "
                        "--auditwheel=skip)")
    return found


def hashed_name(soname: str, data: Union[bytes, str]) -> str:
    """``libsqlite3.so.0`` -> ``libsqlite3-1a2b3c4d.so.0`` (first 8 hex digits of the sha256 of
    ``data``: the library's bytes, or that sha256 in hex)."""
    digest = (data if isinstance(data, str) else hashlib.sha256(data).hexdigest())[:8]
    base, dot, rest = soname.partition(".")
    return f"{base}-{digest}{dot}{rest}"


def _file_sha256(path: str) -> str:
    """A file's sha256 (hex), read in chunks: a large library is never held in memory whole."""
    sha = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            sha.update(chunk)
    return sha.hexdigest()


def _patch(patchelf: Path, target: Path, *args: str) -> None:
    if args:
        _run.run([patchelf, *args, target],
                 hint="patchelf could not rewrite the copy; check the patchelf install")


def _needed_args(info: ElfInfo, renamed: Mapping[str, str]) -> list[str]:
    args: list[str] = []
    for soname in info.needed:
        if soname in renamed:
            args += ["--replace-needed", soname, renamed[soname]]
    return args


def graft(binaries: Mapping[str, Path], libs: Mapping[str, Path], libs_dir: str, work: Path,
          patchelf: Path) -> tuple[dict[str, Path], dict[str, Path]]:
    """Write the patched binaries and bundled libraries under ``work`` (which must be empty).

    Returns (path inside the wheel -> patched binary, path inside the wheel -> bundled library).
    """
    renamed: dict[str, str] = {}
    copies: dict[str, Path] = {}
    seen: dict[str, str] = {}  # real path -> hashed name: one copy per file
    for soname, source in sorted(libs.items()):
        real = os.path.realpath(source)
        if real in seen:
            renamed[soname] = seen[real]
            continue
        new = hashed_name(soname, _file_sha256(real))
        dest = work / "libs" / new
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(real, dest)
        os.chmod(dest, 0o755)  # shared libraries are executable files, as in maturin's wheels
        renamed[soname] = seen[real] = new
        copies[new] = dest
    bundled: dict[str, Path] = {}
    for new, dest in sorted(copies.items()):
        info = read_elf(dest, label=new)
        args = ["--set-soname", new, *_needed_args(info, renamed)]
        if info.rpath or info.runpath:
            args += ["--force-rpath", "--set-rpath", "$ORIGIN"]
        _patch(patchelf, dest, *args)
        bundled[f"{libs_dir}/{new}"] = dest
    patched: dict[str, Path] = {}
    for archive_path, source in sorted(binaries.items()):
        dest = work / "files" / archive_path
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, dest)
        os.chmod(dest, 0o755)
        info = read_elf(dest, label=archive_path)
        args = _needed_args(info, renamed)
        if args:
            here = posixpath.dirname(archive_path) or "."
            origin = "$ORIGIN/" + posixpath.relpath(libs_dir, here)
            keep = [p for p in (*info.rpath, *info.runpath) if p != origin]
            args += ["--force-rpath", "--set-rpath", ":".join([*keep, origin])]
        _patch(patchelf, dest, *args)
        patched[archive_path] = dest
    return patched, bundled
