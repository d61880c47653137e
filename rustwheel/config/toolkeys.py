"""The `[tool.rustwheel]` (or `[tool.maturin]`) keys, validated into a frozen dataclass.

Field docstrings are the user documentation of each key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Optional

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
    target: dict[str, dict[str, str]] = field(default_factory=dict)
    """``[target."<triple>"]`` tables: per-target settings. maturin's only key is
    ``macos-deployment-target`` (alias ``macosx-deployment-target``), which applies to macOS
    targets; rustwheel builds Linux targets, so it is validated and kept for such a project's
    other builds."""


def _string(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{where} must be a string")
    return value


def _flag(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{where} must be true or false")
    return value


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where} must be a list of strings")
    return tuple(value)


def _features(value: Any, where: str) -> tuple[str, ...]:
    """Feature names; maturin's conditional features (``{feature, python-version, ...}``) are
    kept as plain features."""
    if not isinstance(value, list):
        raise ConfigError(f"{where} must be a list of strings")
    return tuple(_feature(entry, where) for entry in value)


def _feature(entry: Any, where: str) -> str:
    if isinstance(entry, str):
        return entry
    if isinstance(entry, dict) and isinstance(entry.get("feature"), str):
        return str(entry["feature"])
    raise ConfigError(f"{where} entries must be strings or {{feature = ...}} tables")


_TARGET_KEYS = ("macos-deployment-target", "macosx-deployment-target")


def _target_tables(value: Any, where: str) -> dict[str, dict[str, str]]:
    """``target."<triple>".<key> = "..."``: string values of maturin's keys only."""
    if not isinstance(value, dict):
        raise ConfigError(f"{where} must be a table of target triples")
    out: dict[str, dict[str, str]] = {}
    for triple, table in value.items():
        if not isinstance(table, dict):
            raise ConfigError(f"{where}.\"{triple}\" must be a table")
        for key, setting in table.items():
            if key not in _TARGET_KEYS or not isinstance(setting, str):
                raise ConfigError(f"{where}.\"{triple}\".{key} is not a target setting; the "
                                  f"only one is {_TARGET_KEYS[0]} = \"<version>\"")
        out[str(triple)] = {k: str(v) for k, v in table.items()}
    return out


# Each key's parser: (value, where) -> the ToolConfig field's value; `where` names the key in
# errors.
_PARSERS: dict[str, Callable[[Any, str], Any]] = {
    "module-name": _string, "bindings": _string, "python-source": _string,
    "python-packages": _strings, "profile": _string, "features": _features,
    "all-features": _flag, "no-default-features": _flag, "locked": _flag, "frozen": _flag,
    "config": _strings, "unstable-flags": _strings, "rustc-args": _strings, "strip": _flag,
    "manifest-path": _string, "compatibility": _string, "auditwheel": _string,
    "skip-auditwheel": _flag, "manylinux": _string, "include": parse_include,
    "exclude": parse_exclude, "data": _string, "sbom": parse_sbom,
    "sdist-generator": _string, "editable-profile": _string, "target": _target_tables,
}
# Keys maturin knows that later stages (sdist, audit, include/exclude, ...) will read; accepted
# now so that existing projects keep building.
_KNOWN_LATER = {
    "targets", "include-import-lib", "pgo-command", "generate-ci",
    "use-base-python",
}


def parse_tool_config(values: dict[str, Any], table: str = "tool.rustwheel",
                      path: str = "pyproject.toml") -> ToolConfig:
    """Validate the tool table; unknown keys are an error that names the key."""
    kwargs: dict[str, Any] = {}
    for key, value in values.items():
        parser = _PARSERS.get(key)
        if parser is None:
            if key in _KNOWN_LATER:
                continue
            known = ", ".join(sorted(set(_PARSERS) | _KNOWN_LATER))
            raise ConfigError(f"{path}: [{table}] has unknown key '{key}'; known keys: {known}")
        attr = "compatibility" if key == "manylinux" else key.replace("-", "_")
        kwargs[attr] = parser(value, f"{path}: [{table}] {key}")
    cfg = ToolConfig(**kwargs)
    if cfg.sdist_generator not in ("cargo", "git"):
        raise ConfigError(f"{path}: [{table}] sdist-generator = '{cfg.sdist_generator}' is "
                          "unknown; use \"cargo\" or \"git\"")
    if cfg.bindings is not None and cfg.bindings not in BINDINGS:
        raise ConfigError(
            f"{path}: [{table}] bindings = '{cfg.bindings}' is unknown; "
            f"use one of {', '.join(BINDINGS)}")
    return cfg
