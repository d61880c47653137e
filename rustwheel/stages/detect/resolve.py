"""Resolve the project's shared facts once per build: every probe, file read and environment
lookup planning needs, gathered into a `Project` (the stage plans are pure over it)."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Optional

from rustwheel import ui
from rustwheel.cargo.metadata import (
    CargoMetadata,
    Target,
    cargo_metadata_argv,
    load_metadata,
    resolution_args,
)
from rustwheel.cargo.tree import cargo_tree_argv, root_resolution
from rustwheel.config.layout import ProjectLayout, determine_layout
from rustwheel.config.options import BuildConfig
from rustwheel.config.toolkeys import CargoTargetSpec
from rustwheel.errors import ConfigError, check_writable_dir
from rustwheel.host.toolchain import Rustc, rustc_info
from rustwheel.plan.project import Project
from rustwheel.plan.statedir import state_dir
from rustwheel.spec.metadata import ProjectMetadata, resolve_metadata
from rustwheel.spec.wheelfile import zip_timestamp
from rustwheel.stages.bindgen.settings import UniffiSettings, settings_from
from rustwheel.stages.detect import cargofiles, observed
from rustwheel.stages.detect.bindings import Bindings, bin_targets, detect
from rustwheel.stages.detect.interpreters import resolve_interpreters
from rustwheel.stages.detect.names import module_name, where
from rustwheel.stages.detect.sources import SourceContext, wheel_sources

# Environment variables that change what cargo/rustc/pyo3 produce. Only digests of their values
# enter plan files, so secrets never land on disk.
_ENV_PREFIXES = ("CARGO_", "RUST", "PYO3_", "CC", "CXX", "CFLAGS", "CXXFLAGS", "LDFLAGS", "AR",
                 "PKG_CONFIG", "MACOSX_DEPLOYMENT_TARGET")
_ENV_IGNORED_PREFIXES = ("CARGO_TERM_", "CARGO_MAKEFLAGS", "RUST_LOG", "RUST_BACKTRACE",
                         # where outputs go, not what they are (the target dir is a key root)
                         "CARGO_TARGET_DIR", "CARGO_BUILD_TARGET_DIR", "CARGO_HOME", "RUSTUP_HOME",
                         # rustwheel's own: what they choose is in the plan (a store at another
                         # path, a remote store read-only on pull requests: the same keys)
                         "RUSTWHEEL_")


def env_fingerprint(env: Mapping[str, str]) -> dict[str, str]:
    out = {}
    for key in sorted(env):
        if key.startswith(_ENV_PREFIXES) and not key.startswith(_ENV_IGNORED_PREFIXES):
            out[key] = hashlib.sha256(env[key].encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return out


def crate_metadata(cfg: BuildConfig, rustc: Rustc) -> tuple[CargoMetadata, CargoMetadata]:
    """The workspace's resolution, and the root package's own (`rustwheel.cargo.tree`)."""
    resolution = resolution_args(
        features=cfg.features, all_features=cfg.all_features,
        no_default_features=cfg.no_default_features, locked=cfg.locked, frozen=cfg.frozen,
        offline=cfg.offline, config=cfg.cargo_config)
    meta = load_metadata(cargo_metadata_argv(cfg.manifest_path, rustc.host, resolution),
                         cfg.manifest_path, cfg.env)
    tree_argv = cargo_tree_argv(cfg.manifest_path, rustc.host, resolution)
    return meta, root_resolution(meta, tree_argv, cfg.env)


def _layout(cfg: BuildConfig, meta: CargoMetadata) -> ProjectLayout:
    project = cfg.pyproject.project if cfg.pyproject is not None else None
    return determine_layout(
        project_root=cfg.project_root, module_name=module_name(cfg, meta),
        python_source=cfg.tool.python_source,
        python_packages=cfg.tool.python_packages,
        project_name=(project or {}).get("name"), pyproject_file=_pyproject_file(cfg),
        table=cfg.pyproject.tool_table if cfg.pyproject is not None else "tool.rustwheel")


def _pyproject_file(cfg: BuildConfig) -> str:
    return str(cfg.pyproject.path) if cfg.pyproject is not None else "pyproject.toml"


def _metadata(cfg: BuildConfig, meta: CargoMetadata, bindings: Bindings) -> ProjectMetadata:
    project = cfg.pyproject.project if cfg.pyproject is not None else None
    metadata = resolve_metadata(project, meta.root.raw,
                                cfg.pyproject.directory if cfg.pyproject else None,
                                _pyproject_file(cfg), workspace_root=meta.workspace_root,
                                warn=ui.warn)
    if bindings.kind == "bin" and project and project.get("scripts"):
        raise ConfigError(f"{_pyproject_file(cfg)}: [project.scripts] cannot be combined with "
                          "bin bindings (the binaries are the scripts); remove [project.scripts]")
    return metadata


def _targets(cfg: BuildConfig, meta: CargoMetadata,
             bindings: Bindings) -> tuple[Optional[Target], tuple[Target, ...]]:
    """(the library to compile, the binaries to compile), limited to the tool table's
    ``targets`` when it has them; a crate-type that cannot serve the bindings is an error."""
    specs = cfg.tool.targets
    if bindings.kind == "bin":
        bins = bin_targets(meta, tuple(meta.features.get(meta.root.id, ())))
        bins = tuple(t for t in bins if _selected(t, specs, ("bin",)))
        if not bins:
            _no_target(cfg, meta, "bin bindings need a [[bin]] target (check its "
                       "required-features); add one to Cargo.toml or choose -b/--bindings for "
                       "the library")
        return None, bins
    libs = [t for t in meta.root.targets if t.is_lib and _selected(t, specs, t.crate_types)]
    lib = next((t for t in libs if "cdylib" in t.crate_types), libs[0] if libs else None)
    if lib is None:
        _no_target(cfg, meta, f"{bindings.kind} bindings need a library: add [lib] with "
                   'crate-type = ["cdylib"] to Cargo.toml')
    assert lib is not None
    if "cdylib" not in lib.crate_types:
        ui.warn(f"{cfg.manifest_path}: [lib] crate-type = {list(lib.crate_types)} has no "
                f"\"cdylib\", which {bindings.kind} bindings load; built with --crate-type cdylib "
                'as maturin does; add "cdylib" to [lib] crate-type')
    return lib, ()


def _selected(target: Target, specs: tuple[CargoTargetSpec, ...],
              kinds: tuple[str, ...]) -> bool:
    """Whether ``targets`` (none: everything) names *target* (and one of its *kinds*)."""
    return not specs or any(s.name == target.name and (s.kind is None or s.kind in kinds)
                            for s in specs)


def _no_target(cfg: BuildConfig, meta: CargoMetadata, fix: str) -> None:
    if cfg.tool.targets and cfg.pyproject is not None:
        names = ", ".join(s.name for s in cfg.tool.targets)
        built = ", ".join(f"{t.name} ({'/'.join(t.crate_types)})" for t in meta.root.targets
                          if t.is_lib or t.is_bin)
        raise ConfigError(f"{cfg.pyproject.path}: [{cfg.pyproject.tool_table}] targets ({names}) "
                          f"matches no Cargo target the bindings can use (the crate has {built}); "
                          "fix the names and kinds")
    raise ConfigError(f"{cfg.manifest_path}: no target can be built; {fix}")


def _locations(cfg: BuildConfig, meta: CargoMetadata) -> tuple[Path, Path, Path]:
    """(cargo's target dir, rustwheel's state dir for this crate, the wheels' directory)."""
    target_dir = cfg.target_dir or meta.target_directory
    out_dir = cfg.out_dir or (target_dir / "wheels" / ("editable" if cfg.editable else ""))
    return target_dir, state_dir(target_dir, meta.root.name, cfg.manifest_path), out_dir


def read_uniffi_settings(crate_dir: Path) -> UniffiSettings:
    """The settings of ``crate_dir``'s uniffi.toml (the defaults when it has none)."""
    path = crate_dir / "uniffi.toml"
    if not path.is_file():
        return UniffiSettings()
    from rustwheel.config.pyproject import load_toml

    return settings_from(str(path), load_toml(path))


def _uniffi_settings(cfg: BuildConfig, bindings: Bindings) -> Optional[UniffiSettings]:
    return read_uniffi_settings(cfg.manifest_path.parent) if bindings.kind == "uniffi" else None


def _autorebuild_hook(cfg: BuildConfig, layout: ProjectLayout) -> Optional[str]:
    if not (cfg.editable and cfg.auto_rebuild):
        return None
    from rustwheel.stages.wheel.editable import hook_source

    return hook_source(layout.top_package)


def _warn_missing_cffi(cfg: BuildConfig, bindings: Bindings) -> None:
    if bindings.kind != "cffi" or cfg.pyproject is None:
        return
    from rustwheel import ui
    from rustwheel.stages.header import cffi

    warning = cffi.missing_dependency_warning(cfg.pyproject.path, cfg.pyproject.project)
    if warning:
        ui.warn(warning)


def _detect_inputs(cfg: BuildConfig) -> tuple[str, ...]:
    return (str(cfg.manifest_path), *([str(cfg.pyproject.path)] if cfg.pyproject else []))


def _resolution_inputs(project: Project, requested: Optional[list[str]],
                       listed: list[Path]) -> Optional[tuple[str, ...]]:
    """Every file and directory resolving ``project`` read or listed (``requested``: the
    interpreters asked for, None when searched for; ``listed``: to find the wheel's files;
    the project root and the crate's directory for the layout, the stub, rust-toolchain and
    uniffi.toml files)."""
    cfg, metadata, uniffi = project.config, project.metadata, project.uniffi
    return observed.resolution_inputs(
        observed.toolchain_files(cfg.env, cfg.manifest_path),
        observed.interpreter_files(requested, project.interpreters, cfg.env, Path.cwd()),
        project.detect_inputs, project.cargo_inputs, metadata.input_files,
        [Path(f).parent for f in metadata.input_files],
        [cfg.project_root, cfg.manifest_path.parent, *listed],
        [uniffi.config] if uniffi is not None and uniffi.config else [])


def resolve_project(cfg: BuildConfig) -> Project:
    """Probe the toolchain, cargo and the interpreters, and find the project's files."""
    rustc = rustc_info(cfg.env)
    meta, own = crate_metadata(cfg, rustc)
    by_cli = cfg.bindings is not None and cfg.bindings != cfg.tool.bindings
    bindings = detect(own, cfg.bindings, where(cfg), "-b/--bindings" if by_cli else "")
    names, interpreters = resolve_interpreters(cfg, own, bindings)
    layout = _layout(cfg, meta)
    metadata = _metadata(cfg, meta, bindings)
    target_dir, state_dir, out_dir = _locations(cfg, meta)
    zip_timestamp(cfg.env.get("SOURCE_DATE_EPOCH"))  # reject a bad value before compiling
    lib, bins = _targets(cfg, own, bindings)
    check_writable_dir(out_dir, "-o/--out")  # before anything compiles
    check_writable_dir(target_dir, "--target-dir")
    sources, listed = wheel_sources(cfg, SourceContext(meta, layout, bindings, metadata,
                                                       state_dir, target_dir, where(cfg)))
    _warn_missing_cffi(cfg, bindings)
    project = Project(
        config=cfg, meta=meta, rustc=rustc, bindings=bindings, interpreters=interpreters,
        lib=lib, bins=bins, local_packages=cargofiles.local_packages(meta), layout=layout,
        metadata=metadata, target_dir=target_dir, state_dir=state_dir, out_dir=out_dir,
        env_fingerprint=env_fingerprint(cfg.env),
        cargo_inputs=cargofiles.cargo_inputs(cfg.manifest_path, meta, cfg.env),
        lockfile=cargofiles.lockfile(meta), sources=sources,
        uniffi=_uniffi_settings(cfg, bindings),
        source_date_epoch=cfg.env.get("SOURCE_DATE_EPOCH") or None,
        ld_library_path=cfg.env.get("LD_LIBRARY_PATH", ""),
        autorebuild_hook=_autorebuild_hook(cfg, layout), detect_inputs=_detect_inputs(cfg))
    return dataclasses.replace(project,
                               resolution_inputs=_resolution_inputs(project, names, listed))
