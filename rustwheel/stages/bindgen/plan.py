"""The bindgen stage's plan (uniffi bindings): uniffi-bindgen's command and where its modules go."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

from rustwheel.cache.keys import CacheSpec
from rustwheel.plan.statedir import stage_record

if TYPE_CHECKING:
    from rustwheel.plan.matrix import CellSpec
    from rustwheel.plan.project import Project
    from rustwheel.stages.compile.plan import CompilePlan

MANIFEST = "uniffi-files.json"


STAGED = "files"


@dataclass(frozen=True)
class UniffiPlan:
    cell: str
    crate_dir: str
    library: str
    """The staged cdylib (compile output)."""
    library_cargo_name: str
    """The cdylib's file name as cargo wrote it (``lib<lib name>.so``)."""
    config: Optional[str]
    """``uniffi.toml`` beside Cargo.toml, when there is one."""
    bindgen: tuple[str, ...]
    """The uniffi-bindgen command (without the ``generate`` arguments)."""
    bindgen_cwd: str
    package_dir: str
    """Archive directory of the generated package (forward slashes)."""
    external: tuple[str, ...]
    """Generated modules not to ship (``[bindings.python] external_packages`` keys)."""
    stage_dir: str
    inputs_record: str
    """``<cell dir>/bindgen-inputs.state``: the stage's freshness record."""
    cache: Optional[CacheSpec] = None

    @property
    def manifest(self) -> str:
        return os.path.join(self.stage_dir, MANIFEST)

    def inputs(self) -> list[str]:
        return [self.library, *([self.config] if self.config else [])]


def bindgen_command(meta: Any, manifest_path: Path) -> tuple[tuple[str, ...], str]:
    """(argv prefix, working directory): the crate's own uniffi-bindgen bin, else PATH's."""
    for pkg in [meta.root, *(meta.packages[p] for p in meta.workspace_members
                             if p in meta.packages and p != meta.root.id)]:
        for target in pkg.bins:
            if target.name == "uniffi-bindgen":
                argv = ["cargo", "run", "--quiet", "--bin", "uniffi-bindgen", "--manifest-path",
                        str(pkg.manifest_path)]
                if target.required_features:
                    argv += ["--features", ",".join(target.required_features)]
                return (*argv, "--"), str(manifest_path.parent)
    return ("uniffi-bindgen",), str(manifest_path.parent)


def plan(project: Project, cell: CellSpec, compile_plan: CompilePlan) -> Optional[UniffiPlan]:
    """uniffi bindings: the bindgen stage of ``cell``, over the library ``compile_plan`` stages;
    None for other bindings."""
    from rustwheel.stages.header import cffi  # planning only: decoding needs none of it

    settings = project.uniffi
    if project.bindings.kind != "uniffi" or settings is None:
        return None
    meta, manifest = project.meta, project.config.manifest_path
    lib = next((t for t in meta.root.targets if t.is_lib), None)
    lib_name = lib.name if lib is not None else meta.root.name.replace("-", "_")
    bindgen, cwd = bindgen_command(meta, manifest)
    cell_dir = project.cell_dir(cell.name)
    return UniffiPlan(
        cell=cell.name, crate_dir=str(manifest.parent), library=compile_plan.staged_paths()[0],
        library_cargo_name=f"lib{lib_name}.so", config=settings.config, bindgen=bindgen,
        bindgen_cwd=cwd, package_dir=cffi.package_dir(project.layout), external=settings.external,
        stage_dir=str(cell_dir / "uniffi"), inputs_record=stage_record(cell_dir, "bindgen"))


def init_py(modules: list[str]) -> str:
    return "".join(f"from .{m} import *  # NOQA\n" for m in modules)
