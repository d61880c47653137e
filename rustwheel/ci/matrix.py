"""The workflow's build matrix as rustwheel cells: for each platform and architecture, the
target triple, the runner, the interpreters, the cells `rustwheel build` makes and its
arguments (pure over the crate's facts and the settings)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from packaging.specifiers import SpecifierSet

from rustwheel.ci.settings import CiSettings, PlatformSettings, TargetSettings
from rustwheel.config.compat import parse_compatibility
from rustwheel.errors import ConfigError

Version = tuple[int, int]

CPYTHONS: tuple[Version, ...] = tuple((3, minor) for minor in range(9, 15))
"""The CPython versions a workflow may build for (3.9 to 3.14, those setup-python has)."""

_LIBC = {"manylinux": "gnu", "musllinux": "musl"}
_RUNNERS = {"x86_64": "ubuntu-22.04", "aarch64": "ubuntu-24.04-arm"}


@dataclass(frozen=True)
class CrateFacts:
    """What the workflow depends on, probed once from the project (`rustwheel.ci.facts`)."""

    name: str
    """The distribution name (``[project] name``, else the crate's)."""
    bindings: str
    """pyo3, pyo3-ffi, cffi, uniffi or bin."""
    per_interpreter: bool
    """One wheel per interpreter (pyo3 without abi3, or a binary linking pyo3)."""
    abi3: Optional[Version] = None
    """The abi3 minimum of an abi3 extension ((0, 0): the oldest interpreter's version)."""
    cpython: tuple[Version, Version] = ((3, 9), (3, 14))
    """The CPython versions the crate's pyo3 supports."""
    requires_python: str = ""
    uniffi_version: Optional[str] = None
    """The ``uniffi`` crate's version (its bindgen is installed from PyPI to match)."""
    manifest: Optional[str] = None
    """``-m`` as given to generate-ci, passed on to the build and sdist commands."""


@dataclass(frozen=True)
class MatrixEntry:
    platform: str
    arch: str
    triple: str
    runner: str
    cells: tuple[str, ...]
    interpreters: tuple[str, ...]
    """The ``-i`` values (and what setup-python installs); empty: the runner's python."""
    args: tuple[str, ...]
    """`rustwheel build --release --out dist` is followed by these."""
    zig: bool
    native: bool
    """The runner can run the wheels (pytest runs there)."""
    toolchain: str = "stable"
    components: Optional[str] = None
    before_script: Optional[str] = None


def interpreters(facts: CrateFacts) -> tuple[Version, ...]:
    """The CPython versions to build for: the supported ones requires-python allows, or for
    an abi3 extension the oldest of them (at least the abi3 minimum)."""
    allowed = SpecifierSet(facts.requires_python)
    low, high = facts.cpython
    versions = tuple(v for v in CPYTHONS
                     if low <= v <= high and allowed.contains(f"{v[0]}.{v[1]}"))
    if facts.abi3 is not None:
        versions = tuple(v for v in versions if v >= facts.abi3)[:1]
    if not versions:
        raise ConfigError(f"no CPython from {CPYTHONS[0][0]}.{CPYTHONS[0][1]} to "
                          f"{CPYTHONS[-1][0]}.{CPYTHONS[-1][1]} fits requires-python "
                          f"'{facts.requires_python}' and the crate's pyo3; widen "
                          "requires-python")
    return versions


def _needs_interpreters(facts: CrateFacts) -> bool:
    return facts.per_interpreter or facts.abi3 is not None


def cell_names(facts: CrateFacts, triple: str) -> tuple[str, ...]:
    """The cells `rustwheel build` makes for ``triple`` (named as its task names show)."""
    if facts.abi3 is not None:
        (major, minor), = interpreters(facts)
        return (f"cp{major}{minor}-abi3-{triple}",)
    if facts.per_interpreter:
        return tuple(f"cp{major}{minor}-{triple}" for major, minor in interpreters(facts))
    return (f"py3-{triple}",)


def _compatibility(platform: str, target: TargetSettings, zig: bool,
                   where: str) -> Optional[str]:
    """``--compatibility``: the ``manylinux`` override, else ``musllinux_1_2`` for musllinux,
    ``pypi`` (the most compatible tag) for a native manylinux build, and zig's default
    (manylinux2014) with zig."""
    wanted = target.manylinux
    if wanted is None or wanted == "auto":
        return "musllinux_1_2" if platform == "musllinux" else None if zig else "pypi"
    policy = parse_compatibility(wanted, f"{where} manylinux").policy or ""
    if not policy.startswith(platform):
        raise ConfigError(f"{where} manylinux = '{wanted}' is not a {platform} policy; use "
                          f"auto or a {platform} policy")
    return wanted


def _runner(platform: str, target: TargetSettings) -> str:
    """The given runner, else Ubuntu on x86_64 (other architectures are linked with zig), or
    for musllinux a runner of the wheel's architecture."""
    if target.runner:
        return target.runner
    return _RUNNERS[target.arch] if platform == "musllinux" else _RUNNERS["x86_64"]


def _build_args(facts: CrateFacts, platform: str, triple: str, compat: Optional[str],
                zig: bool, extra: Optional[str]) -> tuple[str, ...]:
    import shlex

    args = ["--target", triple]
    if _needs_interpreters(facts):
        args += ["-i", *(f"{major}.{minor}" for major, minor in interpreters(facts))]
    args += ["--compatibility", compat] if compat else []
    args += ["--zig"] if zig else []
    args += ["-m", facts.manifest] if facts.manifest else []
    args += shlex.split(extra or "")
    if platform == "musllinux" and facts.bindings != "bin":
        # musl targets link statically by default, which a shared library cannot
        args += ["--", "-C", "target-feature=-crt-static"]
    return tuple(args)


def matrix_entry(facts: CrateFacts, platform: PlatformSettings, target: TargetSettings,
                 settings: CiSettings, where: str) -> MatrixEntry:
    triple = f"{target.arch}-unknown-linux-{_LIBC[platform.name]}"
    runner = _runner(platform.name, target)
    native = ("aarch64" if "arm" in runner else "x86_64") == target.arch
    if platform.name == "musllinux" and not native:
        raise ConfigError(f"{where}: musllinux {target.arch} needs a runner of that "
                          f"architecture (runner '{runner}' is not); set runner = "
                          f"\"{_RUNNERS[target.arch]}\"")
    zig = platform.name == "manylinux" and (settings.zig or not native)
    compat = _compatibility(platform.name, target, zig, where)
    versions = interpreters(facts) if _needs_interpreters(facts) else ()
    return MatrixEntry(
        platform=platform.name, arch=target.arch, triple=triple, runner=runner,
        cells=cell_names(facts, triple), interpreters=tuple(f"{a}.{b}" for a, b in versions),
        args=_build_args(facts, platform.name, triple, compat, zig, target.args), zig=zig,
        native=native, toolchain=target.rust_toolchain or "stable",
        components=target.rustup_components, before_script=target.before_script_linux)


def matrix(facts: CrateFacts, settings: CiSettings,
           where: str) -> dict[str, tuple[MatrixEntry, ...]]:
    """``{platform: entries}`` in the settings' order."""
    return {p.name: tuple(matrix_entry(facts, p, t, settings, f"{where[:-1]}.{_key(p.name)}]")
                          for t in p.targets)
            for p in settings.platforms}


def _key(platform: str) -> str:
    """The table of a platform in maturin's configuration (``linux`` for manylinux)."""
    return "linux" if platform == "manylinux" else platform
