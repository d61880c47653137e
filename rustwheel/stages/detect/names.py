"""The compiled module's name, and where the configuration is (for messages)."""

from __future__ import annotations

from rustwheel.cargo.metadata import CargoMetadata
from rustwheel.config.layout import validate_module_name
from rustwheel.config.options import BuildConfig
from rustwheel.stages.detect.bindings import compile_lib


def where(cfg: BuildConfig) -> str:
    """``pyproject.toml: [tool.rustwheel]``, or Cargo.toml when there is no pyproject.toml."""
    if cfg.pyproject is not None:
        return f"{cfg.pyproject.path}: [{cfg.pyproject.tool_table}]"
    return str(cfg.manifest_path)


def module_name(cfg: BuildConfig, meta: CargoMetadata) -> str:
    if cfg.tool.module_name is not None:
        return validate_module_name(cfg.tool.module_name, f"{where(cfg)} module-name")
    lib = compile_lib(meta)
    if lib is not None:
        return lib.name.replace("-", "_")
    project = cfg.pyproject.project if cfg.pyproject is not None else None
    # Only bin crates get here (no lib target): like maturin, the name is used as it is, so a
    # python package next to a bin crate needs module-name to make the layout mixed.
    return str((project or {}).get("name") or meta.root.name)
