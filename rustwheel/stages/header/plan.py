"""The header stage's plan (cffi bindings): where the header and ffi.py are staged, what is read."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Optional

from rustwheel.cache.keys import CacheSpec
from rustwheel.plan.statedir import stage_record

if TYPE_CHECKING:
    from rustwheel.plan.matrix import CellSpec
    from rustwheel.plan.project import Project

_SKIP_DIRS = {"target", "__pycache__", "node_modules"}


CONFIG_NAME = "cbindgen.toml"
"""cbindgen's configuration file, beside Cargo.toml."""


@dataclass(frozen=True)
class HeaderPlan:
    cell: str
    crate_dir: str
    lockfile: Optional[str]
    existing_header: str
    """``<cargo target dir>/header.h``: used instead of cbindgen when it exists."""
    after_compile: bool
    """The crate has a build script (which may write the header): run after compile."""
    interpreter: str
    """The target interpreter, which must be able to import cffi."""
    stage_dir: str
    inputs_record: str
    known_inputs: tuple[str, ...]
    """Manifests and Cargo.lock: inputs known before running."""
    source_dirs: tuple[str, ...]
    """Directories whose ``.rs`` files cbindgen reads (walked when the stage runs)."""
    cache: Optional[CacheSpec] = None

    @property
    def header_path(self) -> str:
        return os.path.join(self.stage_dir, "header.h")

    @property
    def ffi_path(self) -> str:
        return os.path.join(self.stage_dir, "ffi.py")

    @property
    def config_path(self) -> str:
        return os.path.join(self.crate_dir, CONFIG_NAME)

    def watched(self) -> tuple[str, str]:
        """Files whose appearance or removal changes how the header is made."""
        return (self.config_path, self.existing_header)


def rust_sources(dirs: tuple[str, ...]) -> list[str]:
    found: list[str] = []
    for top in dirs:
        for dirpath, dirnames, filenames in os.walk(top):
            dirnames[:] = sorted(d for d in dirnames
                                 if d not in _SKIP_DIRS and not d.startswith("."))
            found += [os.path.join(dirpath, f) for f in filenames if f.endswith(".rs")]
    return sorted(found)


def plan(project: Project, cell: CellSpec) -> Optional[HeaderPlan]:
    """cffi bindings: the header stage of ``cell``, cbindgen over the crate (or the build
    script's header); None for other bindings."""
    if project.bindings.kind != "cffi":
        return None
    assert cell.interpreter is not None
    meta, manifest, lock = project.meta, project.config.manifest_path, project.lockfile
    local = project.local_packages
    source_dirs = sorted({str(Path(t.src_path).parent) for p in local for t in p.targets
                          if t.is_lib})
    known = sorted({str(manifest), str(meta.workspace_root / "Cargo.toml"),
                    *(str(p.manifest_path) for p in local), *([lock] if lock else [])})
    cell_dir = project.cell_dir(cell.name)
    return HeaderPlan(
        cell=cell.name, crate_dir=str(manifest.parent), lockfile=lock,
        existing_header=str(project.target_dir / "header.h"),
        after_compile=any("custom-build" in t.kind for t in meta.root.targets),
        interpreter=cell.interpreter.executable, stage_dir=str(cell_dir / "header"),
        inputs_record=stage_record(cell_dir, "header"),
        known_inputs=tuple(p for p in known if p in project.cargo_inputs),
        source_dirs=tuple(source_dirs))
