"""Unpack an sdist to build from it, and find the crate it builds."""

from __future__ import annotations

import tarfile
from pathlib import Path

from rustwheel.atomic import write_bytes
from rustwheel.config.pyproject import load_pyproject
from rustwheel.errors import ConfigError


def _check(archive: Path, members: list[tarfile.TarInfo]) -> str:
    """The archive's one top directory; an error for anything but plain files below it."""
    tops = {m.name.split("/", 1)[0] for m in members}
    for m in members:
        parts = m.name.split("/")
        if not m.isfile() or m.name.startswith("/") or ".." in parts or len(tops) != 1:
            raise ConfigError(f"{archive}: member {m.name!r} is not a plain file below one "
                              "top directory; rebuild the sdist with rustwheel sdist")
    return tops.pop()


def _sync(target: Path, data: bytes, mode: int) -> None:
    """Write ``target`` only when its content differs (an unchanged file keeps its mtime, so
    cargo and rustwheel see nothing to rebuild)."""
    try:
        same = target.read_bytes() == data
    except OSError:
        same = False
    if not same:
        write_bytes(target, data, mode)
    elif target.stat().st_mode & 0o777 != mode:
        target.chmod(mode)


def unpack(archive: Path, destination: Path) -> Path:
    """Extract ``archive`` (regular files only, nothing outside ``destination``) and return its
    one top directory. Unpacking over an earlier unpacking rewrites only the files that
    changed and removes those the archive no longer has."""
    with tarfile.open(archive, "r:gz") as tar:
        members = tar.getmembers()
        top = destination / _check(archive, members)
        for m in members:
            source = tar.extractfile(m)
            assert source is not None
            _sync(destination / m.name, source.read(), 0o755 if m.mode & 0o100 else 0o644)
    names = {str(destination / m.name) for m in members}
    for path in sorted(top.rglob("*"), reverse=True):  # files first, then emptied dirs
        if path.is_file() and str(path) not in names:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    return top


def manifest_in(top: Path) -> Path:
    """The Cargo.toml an unpacked sdist builds: its pyproject's manifest-path, else the top
    directory's (or ``rust/``'s) Cargo.toml."""
    pyproject = top / "pyproject.toml"
    if pyproject.is_file():
        declared = load_pyproject(pyproject).tool.get("manifest-path")
        if isinstance(declared, str):
            return (top / declared).resolve()
    for candidate in (top / "Cargo.toml", top / "rust" / "Cargo.toml"):
        if candidate.is_file():
            return candidate
    raise ConfigError(f"{top}: the unpacked sdist has no Cargo.toml; it is incomplete")
