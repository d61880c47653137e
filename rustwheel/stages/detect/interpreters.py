"""The interpreters a build is for: the ``-i`` values resolved, the default one, or with
``-f/--find-interpreter`` every interpreter found that ``requires-python`` and the crate's pyo3
allow (`rustwheel.plan.support`). Each is run once; its facts are remembered in the user
cache (`rustwheel.host.probecache`)."""

from __future__ import annotations

from typing import Optional

from rustwheel import ui
from rustwheel.cargo.metadata import CargoMetadata
from rustwheel.config.options import BuildConfig
from rustwheel.errors import ConfigError
from rustwheel.host import discovery
from rustwheel.host.interpreter import Interpreter, default_interpreter
from rustwheel.host.locate import Found, find_all, locate
from rustwheel.host.probecache import InterpreterCache, cache_file
from rustwheel.plan import support
from rustwheel.stages.detect.bindings import Bindings


def requested_interpreters(cfg: BuildConfig, bindings: Bindings) -> list[str]:
    """The interpreters to probe: those given, else the default one when the bindings need
    one (pyo3 builds for it, cffi generates its ffi.py with it)."""
    if cfg.interpreters:
        return list(dict.fromkeys(cfg.interpreters))
    if bindings.needs_interpreter or bindings.kind == "cffi":
        return [default_interpreter(cfg.env)]
    return []


def pyo3_support(meta: CargoMetadata, bindings: Bindings) -> support.Pyo3Support:
    """The Python versions the crate's pyo3 (or pyo3-ffi) supports."""
    crate = bindings.pyo3_crate or "pyo3"
    packages = meta.find_dependency(crate)
    version = packages[0].version if packages else "0.0.0"
    ffi = meta.find_dependency("pyo3-ffi")
    metadata = ffi[0].raw.get("metadata") if ffi else None
    return support.pyo3_support(crate, version, metadata if isinstance(metadata, dict) else None)


def _requires_python(cfg: BuildConfig) -> Optional[str]:
    project = cfg.pyproject.project if cfg.pyproject is not None else None
    value = (project or {}).get("requires-python")
    return value if isinstance(value, str) else None


def _no_interpreter(cfg: BuildConfig, bindings: Bindings, pyo3: support.Pyo3Support,
                    found: list[Found]) -> str:
    requires = _requires_python(cfg)
    allowed = f"requires-python '{requires}' and " if requires else ""
    if bindings.abi3 is not None and bindings.abi3 != (0, 0):
        allowed += f"abi3-py{bindings.abi3[0]}{bindings.abi3[1]} and "
    seen = ", ".join(f"{f.interpreter.description}" for f in found) or "none"
    places = ", ".join(str(root) for _, root in discovery.managers(cfg.env))
    return (f"-f/--find-interpreter found no interpreter that {allowed}{pyo3.crate} allow "
            f"(found: {seen}; searched PATH, {places}); install one or pass one with "
            "-i/--interpreter")


def _found(cfg: BuildConfig, meta: CargoMetadata, bindings: Bindings,
           cache: InterpreterCache) -> tuple[Interpreter, ...]:
    found, problems = find_all(cfg.env, cache)
    for problem in problems:
        ui.warn(f"-f/--find-interpreter skipped {problem}")
    pyo3 = pyo3_support(meta, bindings)
    where = str(cfg.pyproject.path) if cfg.pyproject is not None else "pyproject.toml"
    kept, unsupported = support.select(found, pyo3, requires=_requires_python(cfg),
                                       abi3=bindings.abi3, where=where)
    if not kept:
        raise ConfigError(_no_interpreter(cfg, bindings, pyo3, found))
    if unsupported:
        names = ", ".join(f"{f.interpreter.description} ({f.path})" for f in unsupported)
        ui.warn(f"-f/--find-interpreter skipped {names}: {pyo3.describe()}")
    return tuple(f.interpreter for f in kept)


def resolve_interpreters(cfg: BuildConfig, meta: CargoMetadata, bindings: Bindings,
                         ) -> tuple[Optional[list[str]], tuple[Interpreter, ...]]:
    """(the values resolved, None when searched with ``-f``; the interpreters)."""
    cache = InterpreterCache(cache_file(cfg.cache_dir, cfg.env))
    try:
        if cfg.find_interpreter and bindings.needs_interpreter:
            return None, _found(cfg, meta, bindings, cache)
        names = requested_interpreters(cfg, bindings)
        origin = "-i/--interpreter" if cfg.interpreters else "the default interpreter"
        return names, tuple(locate(name, cfg.env, cache, origin) for name in names)
    finally:
        cache.save()
