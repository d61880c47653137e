"""The compile stage's plan: cargo's command line per unit, where the artifacts are staged."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from typing import Optional

from rustwheel.cache.keys import CacheSpec
from rustwheel.stages.compile import outdir
from rustwheel.stages.compile.outdir import OutDirInclude
from rustwheel.stages.compile.zig import ZigLink


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
            paths.append(os.path.join(self.stage_dir, outdir.MANIFEST))
        return paths


def plan_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
