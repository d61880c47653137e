"""What goes into a wheel besides metadata: python sources, the extension and generated files."""

from __future__ import annotations

import os
from pathlib import Path

from rustwheel.config.layout import ProjectLayout
from rustwheel.plan.members import FileItem, GeneratedItem

_SKIP_DIRS = {"__pycache__", ".git", ".hg", ".svn", ".mypy_cache", ".pytest_cache", ".ruff_cache",
              ".tox", ".venv", "target", ".nox", ".eggs"}
_SKIP_SUFFIXES = (".pyc", ".pyo")
_NATIVE_SUFFIXES = (".so", ".pyd", ".dll", ".dylib", ".pdb", ".dwp")


def _is_leftover(name: str, ext_name: str) -> bool:
    """A compiled module left in the source tree by an editable build (not shipped)."""
    return name.endswith(_NATIVE_SUFFIXES) and (
        name.startswith((ext_name + ".", f"lib{ext_name}.")))


def walk_package(root: Path, base: Path, ext_name: str) -> list[FileItem]:
    """Every file below ``root`` as archive paths relative to ``base``, sorted."""
    items: list[FileItem] = []
    if root.is_file():
        return [FileItem(root.relative_to(base).as_posix(), str(root))]
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_DIRS)
        for name in sorted(filenames):
            if name.endswith(_SKIP_SUFFIXES) or _is_leftover(name, ext_name):
                continue
            path = Path(dirpath) / name
            if path.is_file():
                items.append(FileItem(path.relative_to(base).as_posix(), str(path)))
    return items


def python_files(layout: ProjectLayout) -> list[FileItem]:
    """The mixed project's python package plus every python-packages entry."""
    items: list[FileItem] = []
    roots = []
    if layout.mixed:
        roots.append(layout.python_dir / layout.top_package)
    for package in layout.python_packages:
        d = layout.python_dir / package
        roots.append(d if d.is_dir() else layout.python_dir / f"{package}.py")
    for root in roots:
        items += walk_package(root, layout.python_dir, layout.extension_name)
    return items


def init_py(ext_name: str) -> str:
    """The `__init__.py` of a pure layout: re-export the compiled module."""
    return (f"from .{ext_name} import *\n\n"
            f"__doc__ = {ext_name}.__doc__\n"
            f'if hasattr({ext_name}, "__all__"):\n'
            f"    __all__ = {ext_name}.__all__")


def extension_items(layout: ProjectLayout, staged_artifact: str,
                    ext_filename: str) -> tuple[list[FileItem], list[GeneratedItem]]:
    """The compiled module at its dotted path, plus the pure layout's package files."""
    files = [FileItem(f"{layout.extension_dir}/{ext_filename}", staged_artifact, True)]
    generated: list[GeneratedItem] = []
    if not layout.mixed:
        ext = layout.extension_name
        generated.append(GeneratedItem(f"{ext}/__init__.py", init_py(ext)))
        stub = layout.project_root / f"{ext}.pyi"
        if stub.is_file():
            files.append(FileItem(f"{ext}/__init__.pyi", str(stub), False))
            generated.append(GeneratedItem(f"{ext}/py.typed", ""))
    return files, generated
