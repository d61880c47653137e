"""The project's own files for the wheel (`WheelSources`), found once for every cell.

Python packages, the pure layout's stub, `include` matches, the `.data` dir and SBOM files are
listed here, `exclude` is applied and repeats of one file are dropped; the stage plans only
place them. Also returns the directories whose listing chose them: a new file there can change
the plan.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from rustwheel.cargo.metadata import CargoMetadata
from rustwheel.config.layout import ProjectLayout
from rustwheel.config.options import BuildConfig
from rustwheel.plan.members import FileItem
from rustwheel.plan.project import WheelSources
from rustwheel.spec import tags
from rustwheel.spec.metadata import ProjectMetadata
from rustwheel.stages.detect.bindings import Bindings
from rustwheel.stages.detect.includes import apply_excludes, data_files, wheel_includes
from rustwheel.stages.detect.pyfiles import python_sources
from rustwheel.stages.wheel.editable import ships_python_tree
from rustwheel.stages.wheel.plan import unique_files
from rustwheel.stages.wheel.sbom import sbom_items


@dataclass(frozen=True)
class SourceContext:
    """What finding the wheel's files depends on, besides the configuration."""

    meta: CargoMetadata
    layout: ProjectLayout
    bindings: Bindings
    metadata: ProjectMetadata
    state_dir: Path
    """Never entered by include globs, with the cargo target dir."""
    target_dir: Path
    where: str
    """The configuration's location, for messages."""


def _stub(layout: ProjectLayout, bindings: Bindings) -> Optional[FileItem]:
    """``<module>.pyi`` beside pyproject.toml, for a pure pyo3 layout."""
    if not bindings.is_pyo3_extension or layout.mixed:
        return None
    ext = layout.extension_name
    stub = layout.project_root / f"{ext}.pyi"
    return FileItem(f"{ext}/__init__.pyi", str(stub), False) if stub.is_file() else None


def _drop_repeats(groups: Sequence[list[FileItem]]) -> list[list[FileItem]]:
    """Each group without the files an earlier item (of any group) already put at the same
    archive path; two different files for one path are an error."""
    kept = {id(item) for item in unique_files([i for g in groups for i in g], [])}
    return [[item for item in group if id(item) in kept] for group in groups]


def _excluding(cfg: BuildConfig, ctx: SourceContext,
               groups: Sequence[list[FileItem]]) -> list[list[FileItem]]:
    """Each group without the files `exclude` globs match."""
    flat = [item for group in groups for item in group]
    kept = {id(item) for item in apply_excludes(flat, cfg.tool.exclude, cfg.project_root,
                                                ctx.state_dir)}
    return [[item for item in group if id(item) in kept] for group in groups]


def _parents(*groups: Sequence[FileItem]) -> list[Path]:
    return [Path(item.source).parent for group in groups for item in group]


def wheel_sources(cfg: BuildConfig, ctx: SourceContext) -> tuple[WheelSources, list[Path]]:
    """The project's files for the wheel, and every directory listed (or holding a file
    chosen) to find them."""
    layout, meta = ctx.layout, ctx.metadata
    python, walked = python_sources(layout) if ships_python_tree(layout, cfg.editable) \
        else ([], [])
    stub = _stub(layout, ctx.bindings)
    included, listed, out_dir = wheel_includes(cfg, ctx.meta, layout.python_dir,
                                               [ctx.target_dir, ctx.state_dir], ctx.where)
    data, data_dirs = data_files(cfg.tool.data, cfg.project_root, layout.module_name,
                                 tags.data_dir(meta.name, meta.version), ctx.where)
    groups = _excluding(cfg, ctx, [python, [stub] if stub else [], included, data])
    sbom, sbom_generated = sbom_items(
        cfg.tool.sbom, ctx.meta, project_root=cfg.project_root,
        dist_info=tags.dist_info_dir(meta.name, meta.version),
        binary=ctx.bindings.kind == "bin",
        source_date_epoch=cfg.env.get("SOURCE_DATE_EPOCH") or None, where=ctx.where)
    python, stubs, included, data, sbom = _drop_repeats([*groups, sbom])
    sources = WheelSources(
        python=tuple(python), stub=stubs[0] if stubs else None, typed=stub is not None,
        included=tuple(included), data=tuple(data), sbom=tuple(sbom),
        sbom_generated=tuple(sbom_generated),
        listed_dirs=tuple(sorted({str(d) for d in [*listed, *data_dirs]})),
        out_dir_includes=tuple(out_dir))
    return sources, [*walked, *listed, *data_dirs, *_parents(python, stubs, included, data, sbom)]
