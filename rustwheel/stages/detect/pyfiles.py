"""The python sources a wheel carries: the mixed layout's package and the python-packages
entries, found by walking their directories."""

from __future__ import annotations

import os
from pathlib import Path

from rustwheel.config.layout import ProjectLayout
from rustwheel.plan.members import FileItem

_SKIP_DIRS = {"__pycache__", ".git", ".hg", ".svn", ".mypy_cache", ".pytest_cache", ".ruff_cache",
              ".tox", ".venv", "target", ".nox", ".eggs"}
_SKIP_SUFFIXES = (".pyc", ".pyo")
_NATIVE_SUFFIXES = (".so", ".pyd", ".dll", ".dylib", ".pdb", ".dwp")


def _is_leftover(name: str, ext_name: str) -> bool:
    """A compiled module left in the source tree by an editable build (not shipped)."""
    return name.endswith(_NATIVE_SUFFIXES) and (
        name.startswith((ext_name + ".", f"lib{ext_name}.")))


def walk_package(root: Path, base: Path, ext_name: str) -> tuple[list[FileItem], list[Path]]:
    """Every file below ``root`` as archive paths relative to ``base``, sorted, and the
    directories listed to find them."""
    items: list[FileItem] = []
    if root.is_file():
        return [FileItem(root.relative_to(base).as_posix(), str(root))], [root.parent]
    listed: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
        listed.append(Path(dirpath))
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_DIRS)
        for name in sorted(filenames):
            if name.endswith(_SKIP_SUFFIXES) or _is_leftover(name, ext_name):
                continue
            path = Path(dirpath) / name
            if path.is_file():
                items.append(FileItem(path.relative_to(base).as_posix(), str(path)))
    return items, listed


def python_sources(layout: ProjectLayout) -> tuple[list[FileItem], list[Path]]:
    """The mixed project's python package plus every python-packages entry, and the
    directories listed to find them."""
    items: list[FileItem] = []
    listed: list[Path] = []
    roots = []
    if layout.mixed:
        roots.append(layout.python_dir / layout.top_package)
    for package in layout.python_packages:
        d = layout.python_dir / package
        roots.append(d if d.is_dir() else layout.python_dir / f"{package}.py")
    for root in roots:
        files, dirs = walk_package(root, layout.python_dir, layout.extension_name)
        items += files
        listed += dirs
    return items, listed


def python_files(layout: ProjectLayout) -> list[FileItem]:
    """The mixed project's python package plus every python-packages entry."""
    return python_sources(layout)[0]
