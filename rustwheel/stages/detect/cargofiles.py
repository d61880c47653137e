"""The files cargo reads besides the sources dep-info lists: manifests, Cargo.lock, build
scripts and cargo's config files (found once, for the compile and header plans)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Optional

from rustwheel.cargo.metadata import CargoMetadata, Package


def local_packages(meta: CargoMetadata) -> tuple[Package, ...]:
    """The root package and its path dependencies (the packages without a source)."""
    return tuple(p for p in [meta.root, *meta.dependency_closure()] if p.raw.get("source") is None)


def lockfile(meta: CargoMetadata) -> Optional[str]:
    lock = meta.workspace_root / "Cargo.lock"
    return str(lock) if lock.is_file() else None


def cargo_config_files(start: Path, env: Mapping[str, str]) -> list[str]:
    """``.cargo/config.toml`` (or ``config``) in ``start`` and above, and in CARGO_HOME."""
    found = []
    for d in [start, *start.parents]:
        for name in ("config.toml", "config"):
            p = d / ".cargo" / name
            if p.is_file():
                found.append(str(p))
    home = Path(env.get("CARGO_HOME", str(Path.home() / ".cargo")))
    for name in ("config.toml", "config"):
        p = home / name
        if p.is_file() and str(p) not in found:
            found.append(str(p))
    return found


def cargo_inputs(manifest_path: Path, meta: CargoMetadata,
                 env: Mapping[str, str]) -> tuple[str, ...]:
    """The existing manifests, Cargo.lock, local build scripts and cargo config files."""
    files = {str(manifest_path), str(meta.workspace_root / "Cargo.toml")}
    lock = lockfile(meta)
    if lock is not None:
        files.add(lock)
    local = local_packages(meta)
    files.update(str(pkg.manifest_path) for pkg in local)
    # Build scripts are not listed in dep-info but change the output.
    files.update(t.src_path for pkg in local for t in pkg.targets if "custom-build" in t.kind)
    files.update(cargo_config_files(manifest_path.parent, env))
    return tuple(sorted(f for f in files if os.path.isfile(f)))
