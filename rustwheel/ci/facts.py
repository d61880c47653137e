"""The facts of the project the workflow builds, probed once: the configuration, `cargo
metadata` and the detected bindings, as `rustwheel build` sees them."""

from __future__ import annotations

from typing import Any, Optional

from rustwheel.ci.matrix import CrateFacts
from rustwheel.config.options import BuildConfig, resolve_config
from rustwheel.options import BuildOptions


def _table(cfg: BuildConfig) -> tuple[dict[str, Any], str]:
    """``[<tool table>.generate-ci.github]`` and how errors name it."""
    from rustwheel.stages.detect.names import where

    place = where(cfg)
    table = cfg.tool.generate_ci.get("github", {})
    if cfg.pyproject is None:
        return table, f"{place}: [tool.rustwheel.generate-ci.github]"
    return table, f"{place[:-1]}.generate-ci.github]"


def probe(manifest: Optional[str]) -> tuple[CrateFacts, dict[str, Any], str]:
    """The crate's facts, the generate-ci table and its name in errors."""
    from rustwheel.host.toolchain import rustc_info
    from rustwheel.stages.detect.bindings import detect
    from rustwheel.stages.detect.interpreters import pyo3_support
    from rustwheel.stages.detect.names import where
    from rustwheel.stages.detect.resolve import crate_metadata

    cfg = resolve_config(BuildOptions(manifest_path=manifest))
    meta, own = crate_metadata(cfg, rustc_info(cfg.env))
    bindings = detect(own, cfg.bindings, where(cfg))
    project = (cfg.pyproject.project if cfg.pyproject is not None else None) or {}
    uniffi = own.find_dependency("uniffi") if bindings.kind == "uniffi" else []
    support = pyo3_support(own, bindings) if bindings.pyo3_crate is not None else None
    facts = CrateFacts(
        name=str(project.get("name") or meta.root.name), bindings=bindings.kind,
        per_interpreter=bindings.pyo3_crate is not None and (
            bindings.kind == "bin" or bindings.abi3 is None),
        abi3=bindings.abi3 if bindings.is_pyo3_extension else None,
        cpython=support.cpython if support is not None else CrateFacts.cpython,
        requires_python=str(project.get("requires-python", "")),
        uniffi_version=uniffi[0].version if uniffi else None, manifest=manifest)
    table, name = _table(cfg)
    return facts, table, name
