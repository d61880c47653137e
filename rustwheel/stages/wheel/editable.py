"""Editable wheels (PEP 660), as `pip install -e .` and `rustwheel develop` install them.

A mixed layout's wheel holds no python files: a ``<dist>.pth`` puts the python source directory
on ``sys.path`` instead, and the compiled files (extension, cffi/uniffi glue) are placed into
that source tree after the build (`rustwheel.develop.placement`), where the user should
git-ignore them. A pure-Rust layout has no source tree to point at: its editable wheel is the
normal one. With ``--auto-rebuild`` the wheel also carries a small import hook module, loaded by
a ``.pth`` line, that rebuilds before the package's first import when anything changed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from rustwheel.config.layout import ProjectLayout
from rustwheel.plan.members import FileItem, GeneratedItem
from rustwheel.spec import tags

HOOK_PREFIX = "_rustwheel_autorebuild_"
_TEMPLATE_MARK = 'TOP_PACKAGE = "__top_package__"'


@dataclass(frozen=True)
class EditableContents:
    files: list[FileItem]
    generated: list[GeneratedItem]
    in_tree: list[FileItem]
    in_tree_generated: list[GeneratedItem]


def ships_python_tree(layout: ProjectLayout, editable: bool) -> bool:
    """Whether the wheel carries the python sources (an editable wheel of a mixed layout
    points at them instead)."""
    return not (editable and layout.mixed)


def hook_module_name(dist: str) -> str:
    return HOOK_PREFIX + tags.dist_name(dist)


def hook_source(top_package: str) -> str:
    """The import hook module for ``top_package`` (`rustwheel.develop.importhook`, filled in)."""
    template = (Path(__file__).resolve().parents[2] / "develop" / "importhook.py").read_text(
        encoding="utf-8")
    assert _TEMPLATE_MARK in template
    return template.replace(_TEMPLATE_MARK, f"TOP_PACKAGE = {top_package!r}")


def _hook_items(dist: str, hook: Optional[str]) -> tuple[list[GeneratedItem], list[str]]:
    """The auto-rebuild hook module and the ``.pth`` line that loads it."""
    if hook is None:
        return [], []
    module = hook_module_name(dist)
    return [GeneratedItem(f"{module}.py", hook)], [f"import {module}"]


def editable_contents(layout: ProjectLayout, files: list[FileItem],
                      generated: list[GeneratedItem], *, dist: str, version: str,
                      compiled_dir: Path, hook: Optional[str]) -> EditableContents:
    """Split the normal wheel's ``files`` / ``generated`` (dist-info excluded) for an editable
    install; ``compiled_dir`` holds everything the build produced (artifacts, cffi glue) and
    ``hook`` is the auto-rebuild hook's source (`hook_source`), if wanted."""
    extra, pth_lines = _hook_items(dist, hook)
    if not layout.mixed:
        if pth_lines:
            pth = GeneratedItem(f"{hook_module_name(dist)}.pth", "\n".join(pth_lines) + "\n")
            extra.append(pth)
        return EditableContents(files, generated + extra, [], [])
    keep = (f"{tags.data_dir(dist, version)}/", f"{tags.dist_info_dir(dist, version)}/")
    compiled = str(compiled_dir) + os.sep
    in_tree = [f for f in files if f.source.startswith(compiled)]
    wheel_files = [f for f in files if f.archive_path.startswith(keep)]
    wheel_generated = [g for g in generated if g.archive_path.startswith(keep)]
    in_tree_generated = [g for g in generated if not g.archive_path.startswith(keep)]
    pth = GeneratedItem(f"{tags.dist_name(dist)}.pth",
                        "\n".join([str(layout.python_dir), *pth_lines]) + "\n")
    return EditableContents(wheel_files, wheel_generated + extra + [pth], in_tree,
                            in_tree_generated)
