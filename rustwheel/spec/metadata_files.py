"""Files named by metadata keys (readme, license files): where they may live, how they are read."""

from __future__ import annotations

import os
from pathlib import Path

from rustwheel.errors import ConfigError


def normalised_abspath(path: Path) -> str:
    """Absolute, normalised string form of *path* (symlinks kept), as used in task ``file_dep``."""
    return os.path.normpath(os.path.abspath(path))


def is_within(path: Path, root: Path) -> bool:
    """Whether *path* lies inside *root* once both are made absolute and normalised."""
    child = normalised_abspath(path)
    parent = normalised_abspath(root)
    return child == parent or child.startswith(parent.rstrip(os.sep) + os.sep)


def referenced_file(base_dir: Path, value: str, allowed_root: Path, where: str) -> Path:
    """Resolve the relative path *value* (from the key *where*) against *base_dir*.

    Absolute paths are rejected; ``..`` is accepted as long as the result stays inside
    *allowed_root* (the Cargo workspace root, as maturin does). The file must exist.
    """
    if os.path.isabs(value) or Path(value).is_absolute():
        raise ConfigError(f"{where} path {value!r} is absolute; write it relative to {base_dir}")
    path = Path(normalised_abspath(base_dir / value))
    if not is_within(path, allowed_root):
        raise ConfigError(
            f"{where} path {value!r} points outside {allowed_root}; move the file inside the "
            "project or workspace"
        )
    if not path.is_file():
        raise ConfigError(f"{where} file {path} does not exist; create it or fix the path")
    return path


def read_text(path: Path, where: str) -> str:
    """Read the UTF-8 text file *path* named by *where*."""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{where} file {path} is not valid UTF-8; re-save it as UTF-8") from None
    except OSError as exc:
        raise ConfigError(
            f"{where} file {path} cannot be read ({exc.strerror}); check the path and permissions"
        ) from None
