"""Which interpreters a build can be for, the way maturin decides for ``-f/--find-interpreter``
(pure: the crate's facts and the interpreters' are parameters).

pyo3's bounds: CPython 3.7 (pyo3 >= 0.16) to 3.14, PyPy 3.9 (pyo3 >= 0.23; 3.7 from 0.14, else
3.8) to 3.11, unless pyo3-ffi's ``[package.metadata.cpython]`` / ``[package.metadata.pypy]``
(``min-version``, ``max-version``) say otherwise; free-threaded builds from pyo3 0.23. A fixed
abi3 minimum (``abi3-py39``) raises CPython's minimum and leaves PyPy and free-threaded
interpreters out (they cannot load abi3 modules; asked for with ``-i`` they get
version-specific wheels). ``requires-python`` is checked against each interpreter's version.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Optional

from rustwheel.errors import ConfigError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from rustwheel.host.interpreter import Interpreter
    from rustwheel.host.locate import Found

Version = tuple[int, int]


@dataclass(frozen=True)
class Pyo3Support:
    """The Python versions a pyo3 (or pyo3-ffi) version supports."""

    crate: str
    """``pyo3 0.30.1``."""
    cpython: tuple[Version, Version]
    pypy: tuple[Version, Version]
    free_threaded: bool

    def describe(self) -> str:
        return (f"{self.crate} supports CPython {_range(self.cpython)} and PyPy "
                f"{_range(self.pypy)}"
                + ("" if self.free_threaded else ", and no free-threaded build"))


def _range(bounds: tuple[Version, Version]) -> str:
    (a, b), (c, d) = bounds
    return f"{a}.{b} to {c}.{d}"


def _numbers(version: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", version)[:3])


def _metadata_bounds(table: Any, default: tuple[Version, Version]) -> tuple[Version, Version]:
    """``{min-version = "3.9", max-version = "3.15"}`` of pyo3-ffi's package metadata."""
    if not isinstance(table, Mapping):
        return default
    found = []
    for key, fallback in zip(("min-version", "max-version"), default):
        value = _numbers(str(table.get(key, "")))
        found.append((value[0], value[1]) if len(value) >= 2 else fallback)
    return found[0], found[1]


def pyo3_support(crate: str, version: str,
                 ffi_metadata: Optional[Mapping[str, Any]]) -> Pyo3Support:
    """The bounds of ``crate`` at ``version`` (``ffi_metadata``: pyo3-ffi's
    ``package.metadata`` as cargo metadata gives it, if any)."""
    v = _numbers(version) + (0, 0)
    cpython = ((3, 7) if v[:2] >= (0, 16) else (3, 5), (3, 14))
    pypy_min = 9 if v[:2] >= (0, 23) else 7 if v[:2] >= (0, 14) else 8
    pypy = ((3, pypy_min), (3, 11))
    meta = ffi_metadata or {}
    return Pyo3Support(f"{crate} {version}", _metadata_bounds(meta.get("cpython"), cpython),
                       _metadata_bounds(meta.get("pypy"), pypy), v[:2] >= (0, 23))


def unsupported(support: Pyo3Support, interp: Interpreter) -> bool:
    """pyo3 cannot build for ``interp``."""
    if interp.gil_disabled and not support.free_threaded:
        return True
    low, high = support.pypy if interp.implementation == "pypy" else support.cpython
    if interp.implementation not in ("cpython", "pypy"):
        return False  # GraalPy and others: pyo3 says
    return not low <= (interp.major, interp.minor) <= high


def abi3_excluded(abi3: Optional[Version], interp: Interpreter) -> bool:
    """A fixed abi3 minimum leaves out PyPy, free-threaded and older interpreters."""
    if abi3 is None or abi3 == (0, 0):
        return False
    return (interp.implementation != "cpython" or interp.gil_disabled
            or (interp.major, interp.minor) < abi3)


def requires_python_allows(requires: Optional[str], interp: Interpreter,
                           where: str = "pyproject.toml") -> bool:
    """``[project] requires-python`` allows the interpreter's version."""
    if not requires:
        return True
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    try:
        spec = SpecifierSet(requires)
    except InvalidSpecifier:
        raise ConfigError(f"{where}: [project] requires-python = {requires!r} is not a valid "
                          "version specifier; write it like '>=3.9'") from None
    return spec.contains(interp.full_version, prereleases=True)


def select(found: Sequence[Found], pyo3: Pyo3Support, *, requires: Optional[str] = None,
           abi3: Optional[Version] = None, where: str = "pyproject.toml",
           ) -> tuple[list[Found], list[Found]]:
    """(the interpreters to build for, those pyo3 cannot build for); those ``requires`` (the
    requires-python) or a fixed ``abi3`` minimum leave out are dropped without a word."""
    kept: list[Found] = []
    unsupported_by_pyo3: list[Found] = []
    for f in found:
        if not requires_python_allows(requires, f.interpreter, where) or \
                abi3_excluded(abi3, f.interpreter):
            continue
        (unsupported_by_pyo3 if unsupported(pyo3, f.interpreter) else kept).append(f)
    return kept, unsupported_by_pyo3
