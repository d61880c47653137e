"""The build matrix over constructed interpreter facts: abi3 and same-ABI interpreters share a
cell, two different cells with one name are an error."""

from __future__ import annotations

import dataclasses

import pytest
from planfacts import LINUX, PYPY, TRIPLE, cpython

from rustwheel.config.compat import Compatibility
from rustwheel.errors import ConfigError
from rustwheel.plan.matrix import CellSpec, Platform, abi3_warnings, cells_for
from rustwheel.stages.detect.bindings import Bindings


def names(cells: list[CellSpec]) -> list[str]:
    return [c.name.removesuffix(f"-{TRIPLE}") for c in cells]


def test_one_cell_per_interpreter() -> None:
    cells = cells_for(Bindings("pyo3", "pyo3"), [cpython(12), cpython(11), PYPY], [LINUX])
    assert names(cells) == ["cp312", "cp311", "pypy311_pp73"]
    first = cells[0]
    assert first.tag == "cp312-cp312-linux_x86_64"
    assert first.ext_suffix == ".cpython-312-x86_64-linux-gnu.so"
    assert first.interpreter == cpython(12) and first.platform == LINUX


def test_abi3_interpreters_share_one_cell_built_with_the_oldest() -> None:
    bindings = Bindings("pyo3", "pyo3", abi3=(0, 0))
    ft = cpython(13, abiflags="t", free_threaded=True)
    cells = cells_for(bindings, [cpython(12), ft, cpython(10), PYPY], [LINUX])
    assert names(cells) == ["cp310-abi3", "cp313t", "pypy311_pp73"]
    abi3 = cells[0]
    assert abi3.interpreter == cpython(10)
    assert (abi3.tag, abi3.ext_suffix) == ("cp310-abi3-linux_x86_64", ".abi3.so")
    assert cells[1].ext_suffix == ft.ext_suffix  # free-threaded builds cannot use abi3


def test_abi3_minimum_from_the_feature() -> None:
    cells = cells_for(Bindings("pyo3", "pyo3", abi3=(3, 8)), [cpython(12), cpython(11)], [LINUX])
    assert names(cells) == ["cp38-abi3"]
    assert cells[0].tag == "cp38-abi3-linux_x86_64"
    assert cells[0].interpreter == cpython(11)


def test_abi3_below_the_minimum_gets_a_version_specific_cell() -> None:
    bindings = Bindings("pyo3", "pyo3", abi3=(3, 9))
    cells = cells_for(bindings, [cpython(12), cpython(8), cpython(10)], [LINUX])
    assert names(cells) == ["cp39-abi3", "cp38"]
    assert cells[0].interpreter == cpython(10)  # the oldest that can load the abi3 module
    assert (cells[1].tag, cells[1].ext_suffix) == \
        ("cp38-cp38-linux_x86_64", ".cpython-38-x86_64-linux-gnu.so")
    only_old = cells_for(bindings, [cpython(8), cpython(7, abiflags="m")], [LINUX])
    assert names(only_old) == ["cp38", "cp37m"]


def test_abi3_warnings_name_each_version_specific_interpreter() -> None:
    ft = cpython(13, abiflags="t", free_threaded=True)
    interpreters = [cpython(12), ft, PYPY, cpython(8), PYPY]
    assert abi3_warnings(Bindings("pyo3", "pyo3", abi3=(3, 9)), interpreters) == [
        "abi3 is not supported by free-threaded 3.13t: its wheel is version-specific",
        "abi3 is not supported by PyPy 3.11: its wheel is version-specific",
        "abi3 is not supported by Python 3.8 (below abi3-py39): its wheel is version-specific",
    ]
    # An unversioned abi3 feature: the oldest interpreter is the minimum, none is below it.
    assert len(abi3_warnings(Bindings("pyo3", "pyo3", abi3=(0, 0)), interpreters)) == 2
    assert abi3_warnings(Bindings("pyo3", "pyo3"), interpreters) == []
    assert abi3_warnings(Bindings("bin", "pyo3"), interpreters) == []


def test_same_abi_tag_collapses_to_the_first() -> None:
    venv = cpython(12, "/venv/bin/python")
    cells = cells_for(Bindings("pyo3", "pyo3"), [venv, cpython(12)], [LINUX])
    assert names(cells) == ["cp312"]
    assert cells[0].interpreter == venv


def test_same_name_for_different_cells_is_an_error() -> None:
    i686 = dataclasses.replace(cpython(12, "/opt/py32/bin/python3.12"), pointer_width=32,
                               ext_suffix=".cpython-312-i386-linux-gnu.so")
    with pytest.raises(ConfigError, match=r"cp312-x86_64-unknown-linux-gnu.*-i/--interpreter"):
        cells_for(Bindings("pyo3", "pyo3"), [cpython(12), i686], [LINUX])
    pinned = dataclasses.replace(LINUX, compatibility=Compatibility(policy="manylinux_2_17"))
    with pytest.raises(ConfigError, match="py3-x86_64-unknown-linux-gnu.*manylinux_2_17"):
        cells_for(Bindings("cffi"), [cpython(12)], [LINUX, pinned])


def test_bin_with_pyo3_gets_interpreter_cells_without_extension() -> None:
    cells = cells_for(Bindings("bin", "pyo3"), [cpython(12), cpython(11)], [LINUX])
    assert names(cells) == ["cp312", "cp311"]
    assert cells[1].tag == "cp311-cp311-linux_x86_64" and cells[1].ext_suffix is None


@pytest.mark.parametrize("bindings", [Bindings("cffi"), Bindings("uniffi"), Bindings("bin")])
def test_other_bindings_get_one_generic_cell(bindings: Bindings) -> None:
    interpreters = [cpython(12), cpython(11)] if bindings.kind == "cffi" else []
    cells = cells_for(bindings, interpreters, [LINUX])
    assert names(cells) == ["py3"]
    assert cells[0].tag == "py3-none-linux_x86_64"
    assert cells[0].interpreter == (cpython(12) if interpreters else None)


def test_the_platform_tag_reaches_the_wheel_tag() -> None:
    skip = Platform(TRIPLE, "x86_64", "manylinux_2_17_x86_64.manylinux2014_x86_64",
                    Compatibility(policy="manylinux_2_17"))
    cells = cells_for(Bindings("pyo3", "pyo3", abi3=(3, 9)), [cpython(12)], [skip])
    assert cells[0].tag == "cp39-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64"
