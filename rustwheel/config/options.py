"""Resolve command line, environment and pyproject into one frozen `BuildConfig`.

Precedence: command line > environment > `[tool.rustwheel]` (or `[tool.maturin]`) > defaults.
Nothing downstream reads TOML or the environment for these settings again.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Optional

from rustwheel.config.compat import Compatibility, parse_audit_mode, parse_compatibility
from rustwheel.config.pyproject import PyProject, check_regular_file, load_pyproject
from rustwheel.config.toolkeys import BINDINGS, ToolConfig, parse_tool_config
from rustwheel.config.workspace import workspace_root
from rustwheel.errors import ConfigError
from rustwheel.options import CARGO_COLORS, BuildOptions
from rustwheel.spec.compression import compression as zip_compression


@dataclass(frozen=True)
class BuildConfig:
    """Everything a build needs from the user, resolved once."""

    manifest_path: Path
    pyproject: Optional[PyProject]
    tool: ToolConfig
    project_root: Path
    out_dir: Optional[Path]
    target_dir: Optional[Path]
    profile: str
    features: tuple[str, ...]
    all_features: bool
    no_default_features: bool
    locked: bool
    frozen: bool
    offline: bool
    cargo_config: tuple[str, ...]
    unstable_flags: tuple[str, ...]
    rustc_args: tuple[str, ...]
    strip: bool
    bindings: Optional[str]
    interpreters: tuple[str, ...]
    """The ``-i`` values (none: the default interpreter, or ``find_interpreter``)."""
    find_interpreter: bool
    targets: tuple[str, ...]
    """Rust target triples asked for (``--target`` or ``CARGO_BUILD_TARGET``); none: the host."""
    compatibility: Compatibility
    auditwheel: str = "repair"
    """``repair``, ``check``, ``warn`` or ``skip`` (see `rustwheel.config.compat`)."""
    zig: bool = False
    """Link through zig against the compatibility's glibc."""
    cache_dir: Optional[Path] = None
    """The content-addressed store, or None when caching is off (--no-cache)."""
    quiet: bool = False
    verbose: int = 0
    env: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)
    editable: bool = False
    """An editable wheel (PEP 660): see `rustwheel.stages.wheel.editable`."""
    auto_rebuild: bool = False
    """With ``editable``: the wheel carries the import hook that rebuilds on import."""
    compression: str = "deflated"
    """The wheel's zip compression method (``--compression-method``), and its level."""
    compression_level: int = 6
    ignore_rust_version: bool = False
    future_incompat_report: bool = False
    color: Optional[str] = None
    """cargo's ``--color`` (None: cargo's default, colours when rustwheel's stderr is a
    terminal)."""


def find_project(manifest_arg: Optional[str], cwd: Path) -> tuple[Path, Optional[PyProject]]:
    """Locate Cargo.toml and the pyproject.toml that belongs to it."""
    if manifest_arg is not None:
        given = Path(os.path.abspath(cwd / manifest_arg))
        if given.is_symlink() and not given.exists():
            check_regular_file(given)  # a dangling symlink: named as such
        return _project_of_manifest(given.resolve())
    return _project_in(cwd)


def _project_of_manifest(manifest: Path) -> tuple[Path, Optional[PyProject]]:
    """-m/--manifest-path given: the pyproject.toml beside that Cargo.toml, else the nearest
    one above it up to the parent of its cargo workspace's root, as maturin looks (``rust/
    Cargo.toml`` layouts, a python project around a Rust workspace), unless it declares
    another manifest-path."""
    if manifest.is_dir() and manifest.name != "Cargo.toml":
        manifest = manifest / "Cargo.toml"
    if not _present(manifest):
        raise ConfigError(
            f"{manifest}: Cargo.toml not found; pass -m/--manifest-path pointing to the "
            "crate's Cargo.toml")
    check_regular_file(manifest)
    top = workspace_root(manifest).parent
    for directory in manifest.parents:
        if not directory.is_relative_to(top):
            break
        if _present(candidate := directory / "pyproject.toml"):
            found = load_pyproject(candidate)
            declared = _manifest_from(found)
            if candidate.parent == manifest.parent or declared in (None, manifest):
                return manifest, found
    return manifest, None


def _project_in(cwd: Path) -> tuple[Path, Optional[PyProject]]:
    """No -m/--manifest-path: the manifest-path of ``cwd``'s pyproject.toml, else
    ``Cargo.toml`` or ``rust/Cargo.toml`` in ``cwd``."""
    pyproject_path = cwd / "pyproject.toml"
    pyproject = load_pyproject(pyproject_path) if _present(pyproject_path) else None
    if pyproject is not None and (declared := _manifest_from(pyproject)) is not None:
        if not _present(declared):
            raise ConfigError(
                f"{pyproject_path}: [{pyproject.tool_table}] manifest-path points to "
                f"{declared}, which does not exist; fix the path")
        check_regular_file(declared)
        return declared, pyproject
    for candidate in (cwd / "Cargo.toml", cwd / "rust" / "Cargo.toml"):
        if _present(candidate):
            check_regular_file(candidate)
            return candidate.resolve(), pyproject
    raise ConfigError(
        f"{cwd}: no Cargo.toml found; run rustwheel in the crate directory or pass "
        "-m/--manifest-path path/to/Cargo.toml")


def _present(path: Path) -> bool:
    """Whether anything (a file, a directory, a FIFO, a dangling symlink) is at *path*: what
    is there but is no readable regular file is an error, never skipped."""
    return os.path.lexists(path)


def _manifest_from(pyproject: PyProject) -> Optional[Path]:
    value = pyproject.tool.get("manifest-path")
    if isinstance(value, str):
        return (pyproject.directory / value).resolve()
    return None


def _env_bool(env: Mapping[str, str], *names: str) -> Optional[bool]:
    for name in names:
        value = env.get(name)
        if value is None or value == "":
            continue
        lowered = value.strip().lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off"):
            return False
        raise ConfigError(f"environment variable {name}={value!r} is not a boolean; "
                          "use true or false")
    return None


def _cache_dir(cli: BuildOptions, env: Mapping[str, str], cwd: Path) -> Optional[Path]:
    from rustwheel.cache.location import max_size, store_root

    _env_bool(env, "RUSTWHEEL_NO_CACHE")  # reject a value that is not a boolean
    root = store_root(cli.cache_dir, cli.no_cache, env, cwd)
    if root is not None:
        max_size(env)  # reject a bad RUSTWHEEL_CACHE_MAX_SIZE before building
    return root


def _profile(cli: BuildOptions, tool: ToolConfig) -> str:
    if cli.release and cli.profile is not None:
        raise ConfigError("-r/--release and --profile cannot be used together; pass only one")
    editable_profile = tool.editable_profile if cli.editable else None
    return "release" if cli.release else (
        cli.profile or editable_profile or tool.profile or "dev")


def _bindings(cli: BuildOptions, tool: ToolConfig) -> Optional[str]:
    bindings = cli.bindings or tool.bindings
    if bindings is not None and bindings not in BINDINGS:
        raise ConfigError(f"-b/--bindings '{bindings}' is unknown; "
                          f"use one of {', '.join(BINDINGS)}")
    return bindings


def _platform_options(cli: BuildOptions, tool: ToolConfig, pyproject: Optional[PyProject],
                      ) -> tuple[Compatibility, str]:
    """(compatibility, audit mode): the command line first, then the tool table."""
    where = (f"{pyproject.path}: [{pyproject.tool_table}]" if pyproject is not None
             else "pyproject.toml")
    compatibility = parse_compatibility(
        cli.compatibility or tool.compatibility,
        "--compatibility" if cli.compatibility else f"{where} compatibility")
    auditwheel = parse_audit_mode(
        cli.auditwheel or tool.auditwheel, None if cli.auditwheel else tool.skip_auditwheel,
        "--auditwheel" if cli.auditwheel else f"{where} auditwheel")
    return compatibility, auditwheel


def _targets(cli: BuildOptions, env: Mapping[str, str]) -> tuple[str, ...]:
    if cli.targets:
        return cli.targets
    from_env = env.get("CARGO_BUILD_TARGET", "").strip()
    return (from_env,) if from_env else ()


def _strip(cli: BuildOptions, tool: ToolConfig, env: Mapping[str, str]) -> bool:
    strip = cli.strip
    if strip is None:
        strip = _env_bool(env, "RUSTWHEEL_STRIP", "MATURIN_STRIP")
    return bool(tool.strip) if strip is None else strip


def _color(cli: BuildOptions) -> Optional[str]:
    if cli.color is not None and cli.color not in CARGO_COLORS:
        raise ConfigError(f"color={cli.color!r} is not one of cargo's --color values: use "
                          f"{', '.join(CARGO_COLORS)}")
    return cli.color


def resolve_config(cli: BuildOptions, *, cwd: Optional[Path] = None,
                   env: Optional[Mapping[str, str]] = None) -> BuildConfig:
    cwd = Path.cwd() if cwd is None else cwd
    env = dict(os.environ) if env is None else dict(env)
    manifest, pyproject = find_project(cli.manifest_path, cwd)
    tool = (parse_tool_config(pyproject.tool, pyproject.tool_table, str(pyproject.path))
            if pyproject is not None else ToolConfig())
    if cli.sbom_include:
        tool = replace(tool, sbom=replace(tool.sbom, from_command_line=cli.sbom_include))
    compatibility, auditwheel = _platform_options(cli, tool, pyproject)
    compression = zip_compression(cli.compression_method, cli.compression_level)

    def _path(value: Optional[str]) -> Optional[Path]:
        return None if value is None else (cwd / value).resolve()

    return BuildConfig(
        manifest_path=manifest, pyproject=pyproject, tool=tool,
        project_root=pyproject.directory if pyproject is not None else manifest.parent,
        out_dir=_path(cli.out), target_dir=_path(cli.target_dir), profile=_profile(cli, tool),
        features=cli.features or tool.features,
        all_features=cli.all_features or tool.all_features,
        no_default_features=cli.no_default_features or tool.no_default_features,
        locked=cli.locked or tool.locked, frozen=cli.frozen or tool.frozen,
        offline=cli.offline, cargo_config=cli.config or tool.config,
        unstable_flags=cli.unstable_flags or tool.unstable_flags,
        rustc_args=cli.rustc_args or tool.rustc_args, strip=_strip(cli, tool, env),
        bindings=_bindings(cli, tool), interpreters=cli.interpreters,
        find_interpreter=cli.find_interpreter, targets=_targets(cli, env),
        compatibility=compatibility, auditwheel=auditwheel, zig=cli.zig,
        cache_dir=_cache_dir(cli, env, cwd), quiet=cli.quiet, verbose=cli.verbose, env=env,
        editable=cli.editable, auto_rebuild=cli.auto_rebuild, compression=compression.method,
        compression_level=compression.level, ignore_rust_version=cli.ignore_rust_version,
        future_incompat_report=cli.future_incompat_report, color=_color(cli))
