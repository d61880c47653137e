"""The compile stage's plan: cargo's command line per unit, where the artifacts are staged."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Optional

from rustwheel.cache.keys import CacheSpec
from rustwheel.plan.matrix import ZigLink
from rustwheel.plan.members import OutDirInclude
from rustwheel.plan.statedir import stage_record
from rustwheel.stages.compile import pyo3config
from rustwheel.stages.compile.pyo3config import Pyo3Config

if TYPE_CHECKING:
    from rustwheel.config.options import BuildConfig
    from rustwheel.plan.matrix import CellSpec
    from rustwheel.plan.project import Project


MANIFEST = "out-dir.json"
STAGED = "out-dir"


@dataclass(frozen=True)
class CompileUnit:
    """One cargo invocation producing one artifact."""

    selector: tuple[str, ...]
    """``("--lib",)`` or ``("--bin", name)``."""
    target_name: str
    lib: bool
    staged_name: str
    """File name of the staged artifact, e.g. ``mod.abi3.so`` or the binary's name."""
    crate_type_cdylib: bool = False


@dataclass(frozen=True)
class CompilePlan:
    cell: str
    package_id: str
    package_name: str
    manifest_path: str
    cargo_args: tuple[str, ...]
    """Everything after ``cargo rustc <selector>`` up to (not including) ``--``."""
    rustc_args: tuple[str, ...]
    env: dict[str, str]
    """Variables set for cargo on top of the caller's environment (kept identical run to run)."""
    env_fingerprint: dict[str, str]
    """Digests of the environment variables that change cargo's output (never their values)."""
    rustc_version: str
    units: tuple[CompileUnit, ...]
    stage_dir: str
    inputs_record: str
    extra_inputs: tuple[str, ...]
    """Manifests, Cargo.lock and cargo config files: inputs that dep-info does not list."""
    cache: Optional[CacheSpec] = None
    """The content-addressed store to consult, or None when caching is off."""
    out_dir_includes: tuple[OutDirInclude, ...] = ()
    """``include = [{from = "out-dir"}]`` globs, copied from build scripts' OUT_DIR after cargo."""
    zig: Optional[ZigLink] = None
    """``--zig``: the linker wrapper to write before cargo runs."""
    pyo3_config: Optional[Pyo3Config] = None
    """The pyo3 config file to write (if its content changed) before cargo runs."""
    lock: str = ""
    """A file locked while cargo runs and its artifacts are copied: cells sharing the target
    dir's profile directory share the artifact's file (a cdylib's name has no hash)."""

    def argv(self, unit: CompileUnit) -> list[str]:
        argv = ["cargo", "rustc", *unit.selector, *self.cargo_args]
        if unit.crate_type_cdylib:
            argv += ["--crate-type", "cdylib"]
        if self.rustc_args:
            argv += ["--", *self.rustc_args]
        return argv

    def staged_paths(self) -> list[str]:
        paths = [os.path.join(self.stage_dir, u.staged_name) for u in self.units]
        if self.out_dir_includes:
            paths.append(os.path.join(self.stage_dir, MANIFEST))
        return paths


def plan_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def cargo_args(cfg: BuildConfig, target_dir: Path) -> list[str]:
    """cargo's options from the configuration (the same for every cell)."""
    args = ["--message-format=json-render-diagnostics", "--manifest-path", str(cfg.manifest_path)]
    if cfg.profile != "dev":
        args += ["--profile", cfg.profile]
    if cfg.features:
        args += ["--features", ",".join(cfg.features)]
    args += [flag for flag, on in (("--all-features", cfg.all_features),
                                   ("--no-default-features", cfg.no_default_features)) if on]
    args += ["--target-dir", str(target_dir)]
    args += [flag for flag, on in (("--locked", cfg.locked), ("--frozen", cfg.frozen),
                                   ("--offline", cfg.offline),
                                   ("--ignore-rust-version", cfg.ignore_rust_version),
                                   ("--future-incompat-report", cfg.future_incompat_report))
             if on]
    if cfg.color is not None:
        args += ["--color", cfg.color]
    for item in cfg.cargo_config:
        args += ["--config", item]
    for flag in cfg.unstable_flags:
        args += ["-Z", flag]
    if cfg.quiet:
        args.append("-q")
    args += ["-v"] * min(cfg.verbose, 2)
    return args


def _lib_filename(project: Project, cell: CellSpec, lib_name: str) -> str:
    kind = project.bindings.kind
    if kind == "uniffi":
        assert project.uniffi is not None
        return project.uniffi.library_filename(lib_name)
    if kind == "cffi":
        from rustwheel.stages.header import cffi

        return cffi.lib_filename(project.layout.extension_name)
    assert cell.ext_suffix is not None
    return project.layout.extension_name + cell.ext_suffix


def units(project: Project, cell: CellSpec) -> tuple[CompileUnit, ...]:
    """One unit per binary (bin bindings), else the library as a cdylib."""
    if project.bindings.kind == "bin":
        return tuple(CompileUnit(("--bin", t.name), t.name, lib=False, staged_name=t.name)
                     for t in project.bins)
    lib = project.lib
    assert lib is not None
    return (CompileUnit(("--lib",), lib.name, lib=True,
                        staged_name=_lib_filename(project, cell, lib.name),
                        crate_type_cdylib=True),)


def plan(project: Project, cell: CellSpec) -> CompilePlan:
    """The compile stage of ``cell``: cargo's command line and environment, where artifacts go."""
    cfg, root = project.config, project.meta.root
    cell_dir = project.cell_dir(cell.name)
    args = cargo_args(cfg, project.target_dir)
    pyo3 = pyo3config.setup(project, cell)
    args += pyo3.cargo_args
    env = dict(pyo3.env)
    if cell.zig is not None or cell.platform.explicit:
        args += ["--target", cell.platform.triple]
    if cell.zig is not None:
        from rustwheel.stages.compile import zig

        env.update(zig.cargo_env(cell.platform.triple, cell.zig))
    rustc_args = [*cfg.rustc_args, *(["-C", "strip=symbols"] if cfg.strip else [])]
    return CompilePlan(
        cell=cell.name, package_id=root.id, package_name=root.name,
        manifest_path=str(cfg.manifest_path), cargo_args=tuple(args), rustc_args=tuple(rustc_args),
        env=env, zig=cell.zig, env_fingerprint=project.env_fingerprint,
        rustc_version=project.rustc.verbose_version, units=units(project, cell),
        stage_dir=str(cell_dir / "artifacts"), inputs_record=stage_record(cell_dir, "compile"),
        extra_inputs=project.cargo_inputs, out_dir_includes=project.sources.out_dir_includes,
        pyo3_config=pyo3.config, lock=str(lock_path(project.target_dir, cfg.profile)))


def lock_path(target_dir: Path, profile: str) -> Path:
    """The lock of one profile's directories in the target dir (cargo's lock is per profile
    directory too)."""
    return target_dir / "rustwheel" / "locks" / f"{profile}.lock"
