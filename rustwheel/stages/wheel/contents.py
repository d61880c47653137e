"""What goes into a wheel besides metadata: the project's files, the compiled artifacts at their
archive paths and the generated glue (pure: the project's files were found by the detect stage).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Optional

from rustwheel.config.layout import ProjectLayout
from rustwheel.plan.members import FileItem, GeneratedItem
from rustwheel.spec import tags
from rustwheel.stages.header import cffi

if TYPE_CHECKING:
    from rustwheel.plan.project import Project
    from rustwheel.stages.compile.plan import CompilePlan, CompileUnit

Members = tuple[list[FileItem], list[GeneratedItem]]


def init_py(ext_name: str) -> str:
    """The `__init__.py` of a pure layout: re-export the compiled module."""
    return (f"from .{ext_name} import *\n\n"
            f"__doc__ = {ext_name}.__doc__\n"
            f'if hasattr({ext_name}, "__all__"):\n'
            f"    __all__ = {ext_name}.__all__")


def extension_items(layout: ProjectLayout, staged_artifact: str, ext_filename: str) -> Members:
    """The compiled module at its dotted path, plus the pure layout's ``__init__.py``."""
    files = [FileItem(f"{layout.extension_dir}/{ext_filename}", staged_artifact, True)]
    generated: list[GeneratedItem] = []
    if not layout.mixed:
        ext = layout.extension_name
        generated.append(GeneratedItem(f"{ext}/__init__.py", init_py(ext)))
    return files, generated


def _archive_path(project: Project, unit: CompileUnit) -> str:
    kind, layout, meta = project.bindings.kind, project.layout, project.metadata
    if kind == "bin":
        return f"{tags.data_dir(meta.name, meta.version)}/scripts/{unit.target_name}"
    if kind in ("cffi", "uniffi"):
        return f"{cffi.package_dir(layout)}/{unit.staged_name}"
    return f"{layout.extension_dir}/{unit.staged_name}"


def artifacts(project: Project, compile_plan: CompilePlan) -> list[tuple[CompileUnit, FileItem]]:
    """Each compile unit with its staged artifact at its place in the wheel."""
    return [(unit, FileItem(_archive_path(project, unit),
                            os.path.join(compile_plan.stage_dir, unit.staged_name), True))
            for unit in compile_plan.units]


def compiled_items(project: Project, compile_plan: CompilePlan, ffi: Optional[str]) -> Members:
    """The artifacts and their glue: cffi's ``ffi.py`` (at ``ffi``) and ``__init__.py``, or the
    pure layout's ``__init__.py``, stub and ``py.typed``."""
    staged = [item for _, item in artifacts(project, compile_plan)]
    kind, layout = project.bindings.kind, project.layout
    if kind in ("bin", "uniffi"):
        return staged, []
    if kind == "cffi":
        assert ffi is not None
        return cffi.cffi_items(layout, staged[0].source, ffi)
    files, generated = extension_items(layout, staged[0].source, compile_plan.units[0].staged_name)
    sources = project.sources
    if sources.stub is not None:
        files.append(sources.stub)
    if sources.typed:
        generated.append(GeneratedItem(f"{layout.extension_name}/py.typed", ""))
    return files, generated


def wheel_members(project: Project, compile_plan: CompilePlan, ffi: Optional[str]) -> Members:
    """Every file of the wheel but its .dist-info's, in a stable order."""
    sources = project.sources
    compiled, generated = compiled_items(project, compile_plan, ffi)
    files = [*sources.python, *compiled, *sources.included, *sources.data, *sources.sbom]
    return files, generated + list(sources.sbom_generated)
