"""Unpack an sdist to build from it, and find the crate it builds."""

from __future__ import annotations

import tarfile
from pathlib import Path

from rustwheel.config.pyproject import load_pyproject
from rustwheel.errors import ConfigError


def unpack(archive: Path, destination: Path) -> Path:
    """Extract ``archive`` (regular files only, nothing outside ``destination``); returns its
    one top directory."""
    with tarfile.open(archive, "r:gz") as tar:
        members = tar.getmembers()
        tops = {m.name.split("/", 1)[0] for m in members}
        for m in members:
            parts = m.name.split("/")
            if not m.isfile() or m.name.startswith("/") or ".." in parts or len(tops) != 1:
                raise ConfigError(f"{archive}: member {m.name!r} is not a plain file below one "
                                  "top directory; rebuild the sdist with rustwheel sdist")
        for m in members:
            target = destination / m.name
            target.parent.mkdir(parents=True, exist_ok=True)
            source = tar.extractfile(m)
            assert source is not None
            target.write_bytes(source.read())
            target.chmod(0o755 if m.mode & 0o100 else 0o644)
    return destination / tops.pop()


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
