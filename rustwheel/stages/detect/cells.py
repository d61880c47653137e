"""The cells of a build: the target platform resolved, then one cell per interpreter (see
`rustwheel.plan.matrix`), each with its zig linker wrapper when linking through zig."""

from __future__ import annotations

import dataclasses

from rustwheel.config.compat import Compatibility, zig_glibc
from rustwheel.config.options import BuildConfig
from rustwheel.plan.matrix import CellSpec, Platform, cells_for
from rustwheel.plan.project import Project
from rustwheel.spec import tags
from rustwheel.stages.compile import zig


def target_platform(cfg: BuildConfig, triple: str, compat: Compatibility) -> Platform:
    """``triple`` with ``compat``: the platform tag known before the audit, zig's glibc."""
    platform = tags.linux_platform(triple)
    arch = platform[len("linux_"):]
    glibc = None
    if cfg.zig:
        compat, glibc = zig_glibc(compat, arch)
    if cfg.auditwheel == "skip" and compat.policy is not None:
        from rustwheel.audit.policies import find_policy

        policy = find_policy(compat.policy)
        platform = ".".join([policy.tag(arch), *policy.alias_tags(arch)])
    return Platform(triple, arch, platform, compat, glibc)


def resolve_cells(project: Project) -> list[CellSpec]:
    """The cells to build: the host target with the configured compatibility, for each of the
    project's interpreters."""
    cfg = project.config
    platform = target_platform(cfg, project.rustc.host, cfg.compatibility)
    cells = cells_for(project.bindings, project.interpreters, [platform])
    return [cell if cell.platform.zig_glibc is None else dataclasses.replace(
        cell, zig=zig.zig_link(cell.platform.triple, cell.platform.zig_glibc,
                               project.cell_dir(cell.name) / "zig-linker"))
            for cell in cells]
