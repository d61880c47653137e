"""The cells of a build: the target platform resolved, then one cell per interpreter (see
`rustwheel.plan.matrix`), each with its zig linker wrapper when linking through zig."""

from __future__ import annotations

import dataclasses

from rustwheel import ui
from rustwheel.config.compat import Compatibility, zig_glibc
from rustwheel.config.options import BuildConfig
from rustwheel.errors import ConfigError
from rustwheel.host.toolchain import has_std
from rustwheel.plan.matrix import CellSpec, Platform, abi3_warnings, cells_for
from rustwheel.plan.project import Project
from rustwheel.spec import tags
from rustwheel.stages.compile import zig


def target_platform(cfg: BuildConfig, triple: str, compat: Compatibility,
                    explicit: bool = False) -> Platform:
    """``triple`` with ``compat``: the platform tag known before the audit, zig's glibc
    (``explicit``: the target was asked for, so cargo is told)."""
    platform = tags.linux_platform(triple)
    arch = platform[len("linux_"):]
    glibc = None
    if cfg.zig:
        compat, glibc = zig_glibc(compat, arch)
    if cfg.auditwheel == "skip" and compat.policy is not None:
        from rustwheel.audit.policies import find_policy

        policy = find_policy(compat.policy)
        platform = ".".join([policy.tag(arch), *policy.alias_tags(arch)])
    return Platform(triple, arch, platform, compat, glibc, explicit)


def _check_target(triple: str, project: Project) -> None:
    """A target other than the host needs its standard library, and must be Linux."""
    tags.linux_platform(triple)  # a ConfigError for other systems
    if triple != project.rustc.host and not has_std(triple, project.config.env):
        raise ConfigError(f"--target {triple}: the Rust standard library for {triple} is not "
                          f"installed; run `rustup target add {triple}`")


def platforms(project: Project) -> list[Platform]:
    """The target platforms: those asked for (``--target``, ``CARGO_BUILD_TARGET``), else the
    host, each with the configured compatibility."""
    cfg = project.config
    triples = list(dict.fromkeys(cfg.targets)) or [project.rustc.host]
    for triple in triples:
        _check_target(triple, project)
    return [target_platform(cfg, t, cfg.compatibility, bool(cfg.targets)) for t in triples]


def resolve_cells(project: Project) -> list[CellSpec]:
    """The cells to build: one per interpreter and target platform (an abi3 build's
    interpreters that cannot load abi3 modules are warned about)."""
    for warning in abi3_warnings(project.bindings, project.interpreters):
        ui.warn(warning)
    cells = cells_for(project.bindings, project.interpreters, platforms(project))
    return [cell if cell.platform.zig_glibc is None else dataclasses.replace(
        cell, zig=zig.zig_link(cell.platform.triple, cell.platform.zig_glibc,
                               project.cell_dir(cell.name) / "zig-linker"))
            for cell in cells]
