"""The bindgen stage's plan (uniffi bindings): uniffi-bindgen's command and where its modules go."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from rustwheel.cache.keys import CacheSpec
from rustwheel.config.pyproject import load_toml

MANIFEST = "uniffi-files.json"


STAGED = "files"


@dataclass(frozen=True)
class UniffiPlan:
    cell: str
    inputs_record: str
    """This stage's record (`rustwheel.freshness.records`): ``<cell dir>/bindgen-inputs.json``."""
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
    cache: Optional[CacheSpec] = None

    @property
    def manifest(self) -> str:
        return os.path.join(self.stage_dir, MANIFEST)

    def inputs(self) -> list[str]:
        return [self.library, *([self.config] if self.config else [])]


def python_settings(crate_dir: Path) -> Mapping[str, Any]:
    """``[bindings.python]`` of the crate's ``uniffi.toml`` (empty when there is none)."""
    path = crate_dir / "uniffi.toml"
    if not path.is_file():
        return {}
    section = load_toml(path).get("bindings", {}).get("python", {})
    return section if isinstance(section, dict) else {}


def library_filename(lib_name: str, crate_dir: Path) -> str:
    """The library's name in the wheel: ``cdylib_name`` from uniffi.toml, else cargo's."""
    name = python_settings(crate_dir).get("cdylib_name")
    return f"lib{name}.so" if isinstance(name, str) and name else f"lib{lib_name}.so"


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


def plan(*, cell: str, meta: Any, manifest_path: Path, staged_library: str, package_dir: str,
         cell_dir: Path) -> UniffiPlan:
    crate_dir = manifest_path.parent
    lib = next((t for t in meta.root.targets if t.is_lib), None)
    lib_name = lib.name if lib is not None else meta.root.name.replace("-", "_")
    settings = python_settings(crate_dir)
    external = settings.get("external_packages") or {}
    bindgen, cwd = bindgen_command(meta, manifest_path)
    config = crate_dir / "uniffi.toml"
    return UniffiPlan(
        cell=cell, inputs_record=str(cell_dir / "bindgen-inputs.json"), crate_dir=str(crate_dir), library=staged_library,
        library_cargo_name=f"lib{lib_name}.so",
        config=str(config) if config.is_file() else None, bindgen=bindgen, bindgen_cwd=cwd,
        package_dir=package_dir,
        external=tuple(sorted(external)) if isinstance(external, dict) else (),
        stage_dir=str(cell_dir / "uniffi"))


def init_py(modules: list[str]) -> str:
    return "".join(f"from .{m} import *  # NOQA\n" for m in modules)
