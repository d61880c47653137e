"""Where a crate's cargo workspace root is, read from the manifests as cargo finds it, before
`cargo metadata` runs (it bounds the search for the crate's pyproject.toml)."""

from __future__ import annotations

from pathlib import Path

from rustwheel.config.pyproject import load_toml


def workspace_root(manifest: Path) -> Path:
    """The directory of the workspace's root manifest: the crate's own when it has a
    ``[workspace]`` table or none encloses it, the one ``package.workspace`` names, else the
    nearest ancestor's Cargo.toml with a ``[workspace]`` table that does not exclude the crate."""
    data = load_toml(manifest)
    if "workspace" in data:
        return manifest.parent
    declared = data.get("package", {}).get("workspace")
    if isinstance(declared, str):
        return (manifest.parent / declared).resolve()
    for directory in manifest.parent.parents:
        candidate = directory / "Cargo.toml"
        table = load_toml(candidate).get("workspace") if candidate.is_file() else None
        if isinstance(table, dict):
            excluded = (directory / str(e) for e in table.get("exclude", ()))
            if any(manifest.parent.is_relative_to(e) for e in excluded):
                break
            return directory
    return manifest.parent
