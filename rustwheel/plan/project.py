"""The project's shared facts, resolved once per build by the detect stage.

Everything a stage's `plan()` needs to know about the project and the host is here: the
configuration, cargo's view of the crate, rustc, the bindings, the layout and metadata, the
files found for the wheel, where things go. Reading files, running tools and looking at the
environment all happen while a `Project` is made (`rustwheel.stages.detect`); planning a cell
from it is pure.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:
    from rustwheel.cargo.metadata import CargoMetadata, Package, Target
    from rustwheel.config.layout import ProjectLayout
    from rustwheel.config.options import BuildConfig
    from rustwheel.host.interpreter import Interpreter
    from rustwheel.host.toolchain import Rustc
    from rustwheel.plan.members import FileItem, GeneratedItem, OutDirInclude
    from rustwheel.spec.metadata import ProjectMetadata
    from rustwheel.stages.bindgen.settings import UniffiSettings
    from rustwheel.stages.detect.bindings import Bindings


@dataclass(frozen=True)
class WheelSources:
    """The project's own files for the wheel, found by listing directories; `exclude` applied
    and repeats of one file dropped."""

    python: tuple[FileItem, ...] = ()
    """The mixed layout's python package and the python-packages entries."""
    stub: Optional[FileItem] = None
    """``<module>.pyi`` of a pure pyo3 layout, shipped as ``<module>/__init__.pyi``."""
    typed: bool = False
    """A stub file exists (even if excluded): the package gets ``py.typed``."""
    included: tuple[FileItem, ...] = ()
    """`include` glob matches."""
    data: tuple[FileItem, ...] = ()
    """The ``.data`` directory's files."""
    sbom: tuple[FileItem, ...] = ()
    """``sbom.include`` files."""
    sbom_generated: tuple[GeneratedItem, ...] = ()
    """The Rust SBOM."""
    listed_dirs: tuple[str, ...] = ()
    """Directories whose listing chose include and data files."""
    out_dir_includes: tuple[OutDirInclude, ...] = ()
    """``include = [{from = "out-dir"}]`` globs, expanded by the compile stage."""


@dataclass(frozen=True)
class Project:
    config: BuildConfig
    meta: CargoMetadata
    """`cargo metadata` for the host platform, with the configured features."""
    rustc: Rustc
    bindings: Bindings
    interpreters: tuple[Interpreter, ...]
    """The probed interpreters (none when the bindings need none and none was given)."""
    lib: Optional[Target]
    """The library target to compile (every binding but bin)."""
    bins: tuple[Target, ...]
    """bin bindings: the binaries whose required features are enabled."""
    local_packages: tuple[Package, ...]
    """The root package and its path dependencies (the packages without a source)."""
    layout: ProjectLayout
    metadata: ProjectMetadata
    target_dir: Path
    state_dir: Path
    """rustwheel's state for this crate: plan files, doit's database, one directory per cell."""
    out_dir: Path
    env_fingerprint: dict[str, str]
    """Digests of the environment variables that change what cargo builds."""
    cargo_inputs: tuple[str, ...]
    """Manifests, Cargo.lock, build scripts and cargo config files that exist."""
    lockfile: Optional[str]
    sources: WheelSources
    uniffi: Optional[UniffiSettings] = None
    """uniffi bindings: the crate's uniffi.toml settings."""
    source_date_epoch: Optional[str] = None
    ld_library_path: str = ""
    autorebuild_hook: Optional[str] = None
    """Editable wheels with auto-rebuild: the import hook module's source."""
    detect_inputs: tuple[str, ...] = ()
    """The configuration files (the detect task's file_dep)."""
    resolution_inputs: Optional[tuple[str, ...]] = None
    """Every file and directory resolving read or listed (None: not knowable from files)."""

    def cell_dir(self, cell: str) -> Path:
        return self.state_dir / cell

    @property
    def module_name(self) -> str:
        """The compiled module's dotted import name."""
        return self.layout.module_name

    @property
    def cache_dir(self) -> Optional[Path]:
        return self.config.cache_dir
