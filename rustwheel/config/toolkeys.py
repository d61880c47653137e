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
    targets: tuple[CargoTargetSpec, ...] = ()
    """``[{ name = "...", kind = "..." }]``: only these Cargo targets are built (``kind`` one of
    bin, cdylib, dylib, lib, rlib, staticlib); a list that matches none is an error, as in
    maturin."""
    use_base_python: bool = False
    """The build backend builds for the base interpreter of the virtual env running it
    (``realpath(sys._base_executable)``) instead of the env's python, so pip's throwaway build
    envs do not rebuild pyo3; also ``MATURIN_PEP517_USE_BASE_PYTHON`` /
    ``RUSTWHEEL_PEP517_USE_BASE_PYTHON`` = 1/true. As in maturin, only the backend reads it."""
    include_import_lib: bool = False
    """maturin puts the Windows import library (``.dll.lib``) next to the module; Linux has
    none, so it has no effect here, as it has none in maturin's Linux builds."""
    pgo_command: Optional[str] = None
    """The training command of maturin's ``--pgo`` builds. rustwheel has no ``--pgo`` (the flag
    is refused), and maturin ignores the key without it: validated, no effect."""
    generate_ci: dict[str, Any] = field(default_factory=dict)
    """``[generate-ci.github]``: settings of ``maturin generate-ci github``, which writes a CI
    workflow; maturin's builds ignore it and so do rustwheel's (validated: a ``github`` table)."""
    target: dict[str, dict[str, str]] = field(default_factory=dict)
    """``[target."<triple>"]`` tables: per-target settings. maturin's only key is
    ``macos-deployment-target`` (alias ``macosx-deployment-target``), which applies to macOS
    targets; rustwheel builds Linux targets, so it is validated and kept for such a project's
    other builds."""


@dataclass(frozen=True)
class CargoTargetSpec:
    """One entry of ``targets``: a Cargo target name and, optionally, its kind."""

    name: str
    kind: Optional[str] = None


_TARGET_KINDS = ("bin", "cdylib", "dylib", "lib", "rlib", "staticlib")


def _string(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{where} must be a string; got {value!r}")
    return value


def _name(value: Any, where: str) -> str:
    """A non-empty string without surrounding space (a profile, a path, a module name)."""
    if not isinstance(value, str) or not value.strip() or value != value.strip():
        raise ConfigError(f"{where} must be a non-empty string without surrounding spaces; "
                          f"got {value!r}")
    return value


def _cargo_targets(value: Any, where: str) -> tuple[CargoTargetSpec, ...]:
    fix = 'write it like [{ name = "mylib" }, { name = "mytool", kind = "bin" }]'
    if not isinstance(value, list):
        raise ConfigError(f"{where} must be a list of tables; {fix}")
    specs = []
    for entry in value:
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) \
                or not entry["name"] or set(entry) - {"name", "kind"}:
            raise ConfigError(f"{where} entry {entry!r} is not {{ name, kind }}; {fix}")
        kind = entry.get("kind")
        if kind is not None and kind not in _TARGET_KINDS:
            raise ConfigError(f"{where} entry {entry['name']!r} has kind {kind!r}; use one of "
                              f"{', '.join(_TARGET_KINDS)}")
        specs.append(CargoTargetSpec(entry["name"], kind))
    return tuple(specs)


def _generate_ci(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()) \
            or set(value) - {"github"}:
        raise ConfigError(f"{where} must be a table with only a [github] table (maturin's "
                          "generate-ci supports github only); fix or remove it")
    return dict(value)


def _flag(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{where} must be true or false; got {value!r}")
    return value


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where} must be a list of strings; got {value!r}")
    return tuple(value)


def _names(value: Any, where: str) -> tuple[str, ...]:
    return tuple(_name(v, where) for v in _strings(value, where))


def _cargo_config(value: Any, where: str) -> tuple[str, ...]:
    """cargo ``--config`` values: ``KEY=VALUE`` or a path to a TOML file."""
    for item in _strings(value, where):
        if not item.strip():
            raise ConfigError(f"{where} has an empty entry; write 'KEY=VALUE' or a file path")
    return tuple(value)


def _features(value: Any, where: str) -> tuple[str, ...]:
    """Feature names; maturin's conditional features (``{feature, python-version, ...}``) are
    kept as plain features."""
    if not isinstance(value, list):
        raise ConfigError(f"{where} must be a list of strings")
    return tuple(_feature(entry, where) for entry in value)


def _feature(entry: Any, where: str) -> str:
    if isinstance(entry, str) and entry.strip():
        return entry
    if isinstance(entry, dict) and isinstance(entry.get("feature"), str) and entry["feature"] \
            and not set(entry) - {"feature", "python-version", "python-implementation"}:
        _check_condition(entry, where)
        return str(entry["feature"])
    raise ConfigError(f"{where} entry {entry!r} must be a feature name or a table "
                      '{ feature = "...", python-version = ">=3.12", python-implementation = '
                      '"cpython" }')


def _check_condition(entry: dict[str, Any], where: str) -> None:
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    version = entry.get("python-version")
    if version is not None:
        try:
            SpecifierSet(version)
        except (InvalidSpecifier, TypeError):
            raise ConfigError(f"{where} entry {entry['feature']!r}: python-version {version!r} "
                              "is not a version specifier; write it like '>=3.12'") from None
    impl = entry.get("python-implementation")
    if impl is not None and impl not in ("cpython", "pypy", "graalpy"):
        raise ConfigError(f"{where} entry {entry['feature']!r}: python-implementation "
                          f"{impl!r} is unknown; use cpython, pypy or graalpy")


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
    "module-name": _name, "bindings": _string, "python-source": _name,
    "python-packages": _names, "profile": _name, "features": _features,
    "all-features": _flag, "no-default-features": _flag, "locked": _flag, "frozen": _flag,
    "config": _cargo_config, "unstable-flags": _names, "rustc-args": _strings, "strip": _flag,
    "manifest-path": _name, "compatibility": _string, "auditwheel": _string,
    "skip-auditwheel": _flag, "manylinux": _string, "include": parse_include,
    "exclude": parse_exclude, "data": _name, "sbom": parse_sbom,
    "sdist-generator": _string, "editable-profile": _name, "target": _target_tables,
    "targets": _cargo_targets, "use-base-python": _flag, "include-import-lib": _flag,
    "pgo-command": _name, "generate-ci": _generate_ci,
}


def parse_tool_config(values: dict[str, Any], table: str = "tool.rustwheel",
                      path: str = "pyproject.toml") -> ToolConfig:
    """Validate the tool table; unknown keys are an error that names the key."""
    kwargs: dict[str, Any] = {}
    for key, value in values.items():
        parser = _PARSERS.get(key)
        if parser is None:
            known = ", ".join(sorted(_PARSERS))
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
