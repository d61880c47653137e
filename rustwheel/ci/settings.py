"""The options of `rustwheel generate-ci github`: the command line merged with
``[tool.rustwheel.generate-ci.github]`` (or maturin's table), validated into frozen
dataclasses. maturin's keys keep their meaning; keys about containers, and platforms other
than Linux, are errors, because rustwheel builds on a Linux runner itself."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Optional

from rustwheel.errors import ConfigError

PLATFORMS = ("manylinux", "musllinux")
_ALIASES = {"linux": "manylinux", "manylinux": "manylinux", "musllinux": "musllinux"}
NOT_LINUX = ("windows", "macos", "emscripten", "android")
DEFAULT_ARCHES = {"manylinux": ("x86_64", "aarch64"), "musllinux": ("x86_64",)}
ARCHES = ("x86_64", "aarch64")

_OVERRIDES = ("runner", "manylinux", "rust-toolchain", "rustup-components",
              "before-script-linux", "args")
_CONTAINER_KEYS = ("container", "docker-options")
_TOP_FLAGS = ("pytest", "zig", "skip-attestation", "trusted-publishing")
_TOP_STRINGS = ("publishing-environment", "args")


@dataclass(frozen=True)
class TargetSettings:
    """One architecture of a platform, with maturin's per-target overrides resolved (the
    target's own, else the platform's, else the table's ``args``)."""

    arch: str
    runner: Optional[str] = None
    manylinux: Optional[str] = None
    """The platform policy: ``auto`` (default), ``2_28``, ``manylinux2014``, ``musllinux_1_1``."""
    rust_toolchain: Optional[str] = None
    rustup_components: Optional[str] = None
    before_script_linux: Optional[str] = None
    args: Optional[str] = None
    """More `rustwheel build` arguments."""


@dataclass(frozen=True)
class PlatformSettings:
    name: str
    """``manylinux`` or ``musllinux``."""
    targets: tuple[TargetSettings, ...]


@dataclass(frozen=True)
class CiSettings:
    platforms: tuple[PlatformSettings, ...]
    pytest: bool = False
    """Install the native wheels and run pytest against them."""
    zig: bool = False
    """Link every manylinux wheel with zig (manylinux2014), not only the cross-compiled ones."""
    skip_attestation: bool = False
    """No build provenance attestation of the published files."""
    trusted_publishing: bool = True
    """Publish with PyPI's trusted publishing (OIDC); false: with the ``PYPI_API_TOKEN``
    secret."""
    publishing_environment: Optional[str] = None
    """The GitHub environment of the release job (``pypi``)."""


@dataclass(frozen=True)
class CliChoices:
    """What the command line said (``--platform``, ``--pytest``, ``--zig``,
    ``--skip-attestation``); each flag only turns its option on, as in maturin."""

    platforms: tuple[str, ...] = ()
    pytest: bool = False
    zig: bool = False
    skip_attestation: bool = False


def check_cli(cli: CliChoices) -> CliChoices:
    """The command line's platforms checked before the project is probed."""
    _platform_names(cli.platforms, "--platform")
    return cli


def linux_only(platform: str, where: str) -> ConfigError:
    return ConfigError(
        f"{where}: {platform} is not covered: rustwheel builds on Linux only, so its workflow "
        "has manylinux and musllinux jobs (x86_64, aarch64) and the sdist; build "
        f"{platform} wheels with another tool (e.g. maturin generate-ci) and leave {platform} "
        "out here")


def _platform_names(values: Sequence[str], where: str) -> tuple[str, ...]:
    names: list[str] = []
    for value in values:
        if value in NOT_LINUX:
            raise linux_only(value, where)
        if value == "all":
            names += PLATFORMS
        elif value in _ALIASES:
            names.append(_ALIASES[value])
        else:
            raise ConfigError(f"{where}: platform '{value}' is unknown; use manylinux (or "
                              "linux), musllinux or all")
    return tuple(dict.fromkeys(names))


def _flag(table: Mapping[str, Any], key: str, where: str) -> Optional[bool]:
    value = table.get(key)
    if value is not None and not isinstance(value, bool):
        raise ConfigError(f"{where} {key} must be true or false; got {value!r}")
    return value


def _text(table: Mapping[str, Any], key: str, where: str) -> Optional[str]:
    value = table.get(key)
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise ConfigError(f"{where} {key} must be a non-empty string; got {value!r}")
    return value


def _check_keys(table: Mapping[str, Any], known: Sequence[str], where: str) -> None:
    for key in table:
        if key in _CONTAINER_KEYS:
            raise ConfigError(f"{where} {key}: rustwheel's workflow builds on the runner "
                              "itself (zig links other architectures), not in a container; "
                              "remove the key")
        if key not in known:
            raise ConfigError(f"{where} has unknown key '{key}'; known keys: "
                              f"{', '.join(sorted(known))}")


def _overrides(table: Mapping[str, Any], where: str) -> dict[str, Optional[str]]:
    return {key: _text(table, key, where) for key in _OVERRIDES}


def _arch(value: Any, where: str) -> str:
    if value not in ARCHES:
        raise ConfigError(f"{where}: architecture {value!r} is not covered; use "
                          f"{' or '.join(ARCHES)} (rustwheel links other architectures with "
                          "zig, which its workflow uses for these two only)")
    return str(value)


def _target_tables(value: Any, where: str) -> list[tuple[str, dict[str, Optional[str]]]]:
    """``[[target]]``: ``{ arch = "...", <override> = "..." }`` tables."""
    if not isinstance(value, list) or not value or not all(isinstance(t, dict) for t in value):
        raise ConfigError(f"{where} target must be a non-empty list of tables "
                          '([[...target]] with arch = "x86_64")')
    found = []
    for table in value:
        _check_keys(table, ("arch", *_OVERRIDES), f"{where} target")
        found.append((_arch(table.get("arch"), f"{where} target"),
                      _overrides(table, f"{where} target")))
    return found


def _arch_list(table: Mapping[str, Any], name: str,
               where: str) -> list[tuple[str, dict[str, Optional[str]]]]:
    if "targets" in table and "target" in table:
        raise ConfigError(f"{where}: targets and [[target]] cannot both be given; keep one")
    if "target" in table:
        return _target_tables(table["target"], where)
    arches = table.get("targets", list(DEFAULT_ARCHES[name]))
    if not isinstance(arches, list) or not arches:
        raise ConfigError(f"{where} targets must be a non-empty list like [\"x86_64\"]")
    return [(_arch(a, where), {}) for a in arches]


def _platform(name: str, table: Mapping[str, Any], args: Optional[str],
              where: str) -> PlatformSettings:
    _check_keys(table, ("targets", "target", *_OVERRIDES), where)
    level = _overrides(table, where)
    level["args"] = level["args"] or args
    targets = [TargetSettings(arch, **{k.replace("-", "_"): own.get(k) or level[k]
                                      for k in _OVERRIDES})
               for arch, own in _arch_list(table, name, where)]
    return PlatformSettings(name, tuple(targets))


def _chosen_platforms(table: Mapping[str, Any], cli: CliChoices, where: str) -> tuple[str, ...]:
    """``--platform``, else rustwheel's ``platforms`` list, else maturin's platform tables
    present, else manylinux and musllinux."""
    if cli.platforms:
        return _platform_names(cli.platforms, "--platform")
    listed = table.get("platforms")
    if listed is not None:
        if not isinstance(listed, list) or not listed or \
                not all(isinstance(p, str) for p in listed):
            raise ConfigError(f"{where} platforms must be a non-empty list of strings")
        return _platform_names(listed, f"{where} platforms")
    tables = _platform_names([k for k in ("linux", "musllinux") if k in table], where)
    return tables or PLATFORMS


def parse_settings(table: Mapping[str, Any], cli: CliChoices,
                   where: str = "[tool.rustwheel.generate-ci.github]") -> CiSettings:
    """The validated settings; ``where`` names the table in errors."""
    if not isinstance(table, Mapping):
        raise ConfigError(f"{where} must be a table")
    for name in NOT_LINUX:
        if name in table:
            raise linux_only(name, f"{where[:-1]}.{name}]")
    _check_keys(table, (*_TOP_FLAGS, *_TOP_STRINGS, "platforms", "linux", "musllinux"), where)
    args = _text(table, "args", where)
    platforms = []
    for name in _chosen_platforms(table, cli, where):
        key = "linux" if name == "manylinux" else name
        sub = table.get(key, {})
        if not isinstance(sub, Mapping):
            raise ConfigError(f"{where} {key} must be a table")
        platforms.append(_platform(name, sub, args, f"{where[:-1]}.{key}]"))
    flags = {k: _flag(table, k, where) for k in _TOP_FLAGS}
    return CiSettings(
        platforms=tuple(platforms), pytest=cli.pytest or bool(flags["pytest"]),
        zig=cli.zig or bool(flags["zig"]),
        skip_attestation=cli.skip_attestation or bool(flags["skip-attestation"]),
        trusted_publishing=flags["trusted-publishing"] is not False,
        publishing_environment=_text(table, "publishing-environment", where))
