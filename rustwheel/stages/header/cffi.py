"""cffi bindings: the wheel's package files (pure, like maturin).

The compiled cdylib ships as ``lib<ext>.so`` next to cffi's ``ffi.py`` (made by the header stage)
and a generated ``__init__.py`` that opens the library with ``ffi.dlopen``. The package is
``<ext>/`` in a pure layout and one level below the module's parent package in a mixed layout
(``module-name = "a.b.c"`` → ``a/b/c/``).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Optional

from rustwheel.config.layout import ProjectLayout
from rustwheel.plan.members import FileItem, GeneratedItem


def lib_filename(ext_name: str) -> str:
    return f"lib{ext_name}.so"


def package_dir(layout: ProjectLayout) -> str:
    """Archive directory of the cffi package (forward slashes)."""
    if not layout.mixed:
        return layout.extension_name
    return f"{layout.extension_dir}/{layout.extension_name}"


def init_py(lib_name: str) -> str:
    """The package's `__init__.py`: load the library beside it through cffi's ``ffi``."""
    return ('__all__ = ["lib", "ffi"]\n\n'
            "import os\n"
            "from .ffi import ffi\n\n"
            f"lib = ffi.dlopen(os.path.join(os.path.dirname(__file__), '{lib_name}'))\n"
            "del os\n")


def cffi_items(layout: ProjectLayout, staged_lib: str,
               staged_ffi: str) -> tuple[list[FileItem], list[GeneratedItem]]:
    pkg = package_dir(layout)
    lib_name = lib_filename(layout.extension_name)
    files = [FileItem(f"{pkg}/ffi.py", staged_ffi, False),
             FileItem(f"{pkg}/{lib_name}", staged_lib, True)]
    return files, [GeneratedItem(f"{pkg}/__init__.py", init_py(lib_name))]


def has_cffi_dependency(project: Optional[Mapping[str, Any]]) -> bool:
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.utils import canonicalize_name

    for item in (project or {}).get("dependencies") or ():
        try:
            if canonicalize_name(Requirement(str(item)).name) == "cffi":
                return True
        except InvalidRequirement:
            continue
    return False


def missing_dependency_warning(pyproject_file: Path,
                               project: Optional[Mapping[str, Any]]) -> Optional[str]:
    if has_cffi_dependency(project):
        return None
    return (f"{pyproject_file}: cffi is not in [project] dependencies, but the cffi bindings "
            'import it at run time; add it, e.g. dependencies = ["cffi"]')
