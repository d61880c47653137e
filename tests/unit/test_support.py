"""What ``-f/--find-interpreter`` keeps: pyo3's bounds (maturin's defaults, pyo3-ffi's
package metadata), requires-python, a fixed abi3 minimum; over constructed facts."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from planfacts import PYPY, cpython

from rustwheel.errors import ConfigError
from rustwheel.host.interpreter import Interpreter
from rustwheel.host.locate import Found
from rustwheel.plan import support

# pyo3-ffi 0.30.1's [package.metadata] as cargo metadata reports it.
META_030 = {"cpython": {"min-version": "3.9", "max-version": "3.15"},
            "pypy": {"min-version": "3.11", "max-version": "3.12"}}
PYO3_030 = support.pyo3_support("pyo3", "0.30.1", META_030)
FT313 = cpython(13, abiflags="t", free_threaded=True)


def pypy(minor: int) -> Interpreter:
    return dataclasses.replace(PYPY, minor=minor, soabi=f"pypy3{minor}-pp73")


def found(*interpreters: Interpreter) -> list[Found]:
    return [Found(i, Path(i.executable), "PATH") for i in interpreters]


def test_bounds_from_pyo3_ffi_metadata() -> None:
    assert (PYO3_030.cpython, PYO3_030.pypy, PYO3_030.free_threaded) == \
        (((3, 9), (3, 15)), ((3, 11), (3, 12)), True)
    assert PYO3_030.describe() == \
        "pyo3 0.30.1 supports CPython 3.9 to 3.15 and PyPy 3.11 to 3.12"


@pytest.mark.parametrize("version, cpython_min, pypy_min, free_threaded", [
    ("0.23.0", (3, 7), (3, 9), True),
    ("0.22.6", (3, 7), (3, 7), False),
    ("0.15.2", (3, 5), (3, 7), False),
    ("0.13.0", (3, 5), (3, 8), False),
])
def test_maturins_bounds_without_metadata(version: str, cpython_min: tuple[int, int],
                                          pypy_min: tuple[int, int], free_threaded: bool) -> None:
    bounds = support.pyo3_support("pyo3", version, None)
    assert bounds.cpython == (cpython_min, (3, 14))
    assert bounds.pypy == (pypy_min, (3, 11))
    assert bounds.free_threaded is free_threaded


def test_unsupported_by_pyo3() -> None:
    assert [support.unsupported(PYO3_030, cpython(m)) for m in (8, 9, 15, 16)] == \
        [True, False, False, True]
    assert [support.unsupported(PYO3_030, pypy(m)) for m in (9, 10, 11, 12)] == \
        [True, True, False, False]
    assert not support.unsupported(PYO3_030, FT313)
    assert support.unsupported(support.pyo3_support("pyo3", "0.22.0", None), FT313)


def test_requires_python() -> None:
    patch = dataclasses.replace(cpython(9), micro=1)
    assert not support.requires_python_allows(">=3.10", patch)
    assert support.requires_python_allows(">=3.9", patch)
    assert not support.requires_python_allows(">=3.9.2", patch)  # the interpreter's own version
    assert support.requires_python_allows(None, patch)
    with pytest.raises(ConfigError, match=r"pyproject.toml: \[project\] requires-python = "
                                          r"'>=three' is not a valid version specifier"):
        support.requires_python_allows(">=three", patch)


def test_select_keeps_what_requires_python_and_pyo3_allow() -> None:
    interpreters = found(cpython(7, abiflags="m"), cpython(8), cpython(9), cpython(13), FT313,
                         pypy(9), pypy(11))
    kept, unsupported = support.select(interpreters, PYO3_030, requires=">=3.8")
    assert [f.interpreter.short_tag for f in kept] == ["cp39", "cp313", "cp313t", "pp311"]
    # cp37m is left out by requires-python, without a word; the others pyo3 cannot build for.
    assert [f.interpreter.short_tag for f in unsupported] == ["cp38", "pp39"]


def test_select_with_a_fixed_abi3_minimum_keeps_abi3_capable_interpreters() -> None:
    interpreters = found(cpython(9), cpython(10), cpython(12), FT313, pypy(11))
    kept, unsupported = support.select(interpreters, PYO3_030, abi3=(3, 10))
    assert [f.interpreter.short_tag for f in kept] == ["cp310", "cp312"]
    assert unsupported == []
    kept, _ = support.select(interpreters, PYO3_030, abi3=(0, 0))  # plain abi3: all of them
    assert len(kept) == len(interpreters)
