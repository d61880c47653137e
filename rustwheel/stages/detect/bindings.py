"""Binding detection over `cargo metadata`, the way maturin does it (pure)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from rustwheel.cargo.metadata import CargoMetadata, Target
from rustwheel.errors import ConfigError

_ABI3_PY = re.compile(r"^abi3-py(\d)(\d+)$")
_ABI3T_PY = re.compile(r"^abi3t-py(\d)(\d+)$")


@dataclass(frozen=True)
class Bindings:
    kind: str
    """pyo3, pyo3-ffi, cffi, uniffi or bin."""
    pyo3_crate: Optional[str] = None
    """``pyo3`` or ``pyo3-ffi`` when one is in the dependency graph (a bin may link it)."""
    abi3: Optional[tuple[int, int]] = None
    """Minimum Python version of an abi3 build; (0, 0) means "the interpreter's version"."""
    abi3t: Optional[tuple[int, int]] = None
    """The same for pyo3's free-threaded stable ABI features (``abi3t``, ``abi3t-py315``);
    CPython < 3.15 gets version-specific builds of such a crate (as in maturin)."""

    @property
    def needs_interpreter(self) -> bool:
        return self.pyo3_crate is not None and self.kind in ("pyo3", "pyo3-ffi", "bin")

    @property
    def is_pyo3_extension(self) -> bool:
        return self.kind in ("pyo3", "pyo3-ffi")


def _abi3(meta: CargoMetadata, crate: str, kind: str = "abi3") -> Optional[tuple[int, int]]:
    pattern = _ABI3_PY if kind == "abi3" else _ABI3T_PY
    for name in ("pyo3-ffi", crate):
        for pkg in meta.find_dependency(name):
            feats = meta.features.get(pkg.id, ())
            versions = []
            for f in feats:
                m = pattern.match(f)
                if m:
                    versions.append((int(m.group(1)), int(m.group(2))))
            if versions:
                return min(versions)
            if kind in feats:
                return (0, 0)
    return None


def _pyo3_bindings(kind: str, meta: CargoMetadata, crate: str) -> Bindings:
    return Bindings(kind, crate, _abi3(meta, crate), _abi3(meta, crate, "abi3t"))


def _pyo3_crate(meta: CargoMetadata) -> Optional[str]:
    for name in ("pyo3", "pyo3-ffi"):
        found = {p.version for p in meta.find_dependency(name)}
        if len(found) > 1:
            raise ConfigError(
                f"{meta.root.manifest_path}: several versions of `{name}` "
                f"({', '.join(sorted(found))}) are in the dependency graph; make all "
                "dependencies use one version")
        if found:
            return name
    return None


def compile_lib(meta: CargoMetadata) -> Optional[Target]:
    """The library target to build: the cdylib, else the first lib-like target."""
    libs = [t for t in meta.root.targets if t.is_lib]
    for t in libs:
        if "cdylib" in t.crate_types:
            return t
    return libs[0] if libs else None


def bin_targets(meta: CargoMetadata, enabled_features: tuple[str, ...]) -> tuple[Target, ...]:
    """Bin targets whose required-features are all enabled."""
    enabled = set(enabled_features)
    return tuple(t for t in meta.root.bins if set(t.required_features) <= enabled)


def detect(meta: CargoMetadata, requested: Optional[str], where: str,
           requested_by: str = "") -> Bindings:
    """The bindings: *requested* (named in errors as *requested_by*, default ``<where>:
    bindings``), else detected from the dependency graph and the targets."""
    crate = _pyo3_crate(meta)
    lib = compile_lib(meta)
    has_cdylib = lib is not None and "cdylib" in lib.crate_types
    has_bin = bool(meta.root.bins)
    uniffi = bool(meta.find_dependency("uniffi"))
    if requested is not None:
        if requested in ("pyo3", "pyo3-ffi"):
            if crate is None:
                raise ConfigError(
                    f"{requested_by or where + ': bindings'} '{requested}': neither pyo3 nor "
                    "pyo3-ffi is a dependency of the crate; add the dependency or choose other "
                    "bindings")
            return _pyo3_bindings(requested, meta, crate)
        if requested == "bin":
            return Bindings("bin", crate, None)
        return Bindings(requested, None, None)
    if crate is not None:
        if not has_cdylib and has_bin:
            return Bindings("bin", crate, None)
        return _pyo3_bindings(crate, meta, crate)
    if uniffi:
        return Bindings("uniffi")
    if has_cdylib:
        return Bindings("cffi")
    if has_bin:
        return Bindings("bin")
    raise ConfigError(f"{where}: could not detect the binding type (no pyo3, pyo3-ffi or uniffi "
                      "dependency, no cdylib and no bin target); specify it with -b/--bindings")
