"""The `[tool.rustwheel]` (or `[tool.maturin]`) keys, validated into a frozen dataclass.

Field docstrings are the user documentation of each key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from rustwheel.config.includes import (
    GlobSpec,
    SbomConfig,
    parse_exclude,
    parse_include,
    parse_sbom,
)
from rustwheel.errors import ConfigError

BINDINGS = ("pyo3", "pyo3-ffi", "cffi", "uniffi", "bin")


@dataclass(frozen=True)
class ToolConfig:
    module_name: Optional[str] = None
    """Import name of the extension, dots allowed (``pkg._lib``); default: Cargo's lib name."""
    bindings: Optional[str] = None
    """One of pyo3, pyo3-ffi, cffi, uniffi, bin; default: detected from the dependency graph."""
    python_source: Optional[str] = None
    """Directory (relative to pyproject.toml) holding the python package of a mixed project."""
    python_packages: tuple[str, ...] = ()
    """Extra top-level python packages (under python-source) copied into the wheel."""
    profile: Optional[str] = None
    """Cargo profile used when no -r/--release or --profile is given."""
    features: tuple[str, ...] = ()
    """Cargo features used when no -F/--features is given."""
    all_features: bool = False
    """Pass --all-features to cargo."""
    no_default_features: bool = False
    """Pass --no-default-features to cargo."""
    locked: bool = False
    """Pass --locked to cargo."""
    frozen: bool = False
    """Pass --frozen to cargo."""
    config: tuple[str, ...] = ()
    """Cargo --config KEY=VALUE options used when none are given on the command line."""
    unstable_flags: tuple[str, ...] = ()
    """Cargo -Z flags used when none are given on the command line."""
    rustc_args: tuple[str, ...] = ()
    """Arguments passed to rustc after `--` when none are given on the command line."""
    strip: Optional[bool] = None
    """Strip symbols from the compiled library (rustc -C strip=symbols)."""
    manifest_path: Optional[str] = None
    """Path of Cargo.toml relative to pyproject.toml."""
    compatibility: Optional[str] = None
    """Platform tag policy (`rustwheel.config.compat`): linux/off, pypi, manylinux_2_17, ..."""
    auditwheel: Optional[str] = None
    """``repair`` (default), ``check``, ``warn`` or ``skip``."""
    skip_auditwheel: Optional[bool] = None
    """maturin's deprecated spelling of ``auditwheel = "skip"``."""
    include: tuple[GlobSpec, ...] = ()
    """More files: globs, ``{path, format}`` or ``{path, from = "out-dir", to, crate-name}``."""
    exclude: tuple[GlobSpec, ...] = ()
    """Globs of source files (relative to pyproject.toml) to leave out; never the artifacts."""
    data: Optional[str] = None
    """The wheel's ``.data`` directory; default ``<module-name>.data`` next to pyproject.toml."""
    sbom: SbomConfig = field(default_factory=SbomConfig)
    """``[sbom]``: ``rust = false`` turns the CycloneDX SBOM off; ``include`` adds SBOM files."""
    sdist_generator: str = "cargo"
    """``cargo``: the sdist holds `cargo package --list` of the crate and its path dependencies;
    ``git``: every file `git ls-files` lists below pyproject.toml."""
    editable_profile: Optional[str] = None
    """Cargo profile of editable builds (`pip install -e`, `rustwheel develop`) when no
    -r/--release or --profile is given; default: `profile`, else release for the build backend
    and dev for `rustwheel develop`."""


_KINDS: dict[str, str] = {
    "module-name": "str", "bindings": "str", "python-source": "str", "python-packages": "list",
    "profile": "str", "features": "list", "all-features": "bool", "no-default-features": "bool",
    "locked": "bool", "frozen": "bool", "config": "list", "unstable-flags": "list",
    "rustc-args": "list", "strip": "bool", "manifest-path": "str", "compatibility": "str",
    "auditwheel": "str", "skip-auditwheel": "bool",
    "manylinux": "str", "include": "include", "exclude": "exclude", "data": "str", "sbom": "sbom",
    "sdist-generator": "str", "editable-profile": "str",
}
_PARSERS = {"include": parse_include, "exclude": parse_exclude, "sbom": parse_sbom}
# Keys maturin knows that later stages (sdist, audit, include/exclude, ...) will read; accepted
# now so that existing projects keep building.
_KNOWN_LATER = {
    "targets", "target", "include-import-lib", "pgo-command", "generate-ci",
    "use-base-python",
}


def _check(where: str, key: str, value: Any, kind: str) -> Any:
    if kind in _PARSERS:
        return _PARSERS[kind](value, where)
    if kind == "str":
        if not isinstance(value, str):
            raise ConfigError(f"{where} must be a string")
        return value
    if kind == "bool":
        if not isinstance(value, bool):
            raise ConfigError(f"{where} must be true or false")
        return value
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        if key == "features" and isinstance(value, list):
            # Conditional features ({feature, python-version, ...}) are kept as plain features
            # when they have no condition.
            out = []
            for v in value:
                if isinstance(v, str):
                    out.append(v)
                elif isinstance(v, dict) and isinstance(v.get("feature"), str):
                    out.append(v["feature"])
                else:
                    raise ConfigError(f"{where} entries must be strings or {{feature = ...}} tables")
            return tuple(out)
        raise ConfigError(f"{where} must be a list of strings")
    return tuple(value)


def parse_tool_config(values: dict[str, Any], table: str = "tool.rustwheel",
                      path: str = "pyproject.toml") -> ToolConfig:
    """Validate the tool table; unknown keys are an error that names the key."""
    kwargs: dict[str, Any] = {}
    for key, value in values.items():
        kind = _KINDS.get(key)
        if kind is None:
            if key in _KNOWN_LATER:
                continue
            known = ", ".join(sorted(set(_KINDS) | _KNOWN_LATER))
            raise ConfigError(f"{path}: [{table}] has unknown key '{key}'; known keys: {known}")
        attr = "compatibility" if key == "manylinux" else key.replace("-", "_")
        kwargs[attr] = _check(f"{path}: [{table}] {key}", key, value, kind)
    cfg = ToolConfig(**kwargs)
    if cfg.sdist_generator not in ("cargo", "git"):
        raise ConfigError(f"{path}: [{table}] sdist-generator = '{cfg.sdist_generator}' is "
                          "unknown; use \"cargo\" or \"git\"")
    if cfg.bindings is not None and cfg.bindings not in BINDINGS:
        raise ConfigError(
            f"{path}: [{table}] bindings = '{cfg.bindings}' is unknown; "
            f"use one of {', '.join(BINDINGS)}")
    return cfg
