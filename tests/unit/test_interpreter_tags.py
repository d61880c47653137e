"""Wheel tags and extension suffixes of PyPy and free-threaded interpreters, from constructed
facts as their probes report them (and the running interpreter's, checked against
`packaging.tags`)."""

from __future__ import annotations

import dataclasses
import os
import sys
from pathlib import Path

from packaging import tags as pytags
from planfacts import LINUX, TRIPLE, cpython

from rustwheel.config.compat import Compatibility
from rustwheel.host.interpreter import Interpreter, run_probe
from rustwheel.plan.matrix import Platform, cells_for
from rustwheel.spec import tags
from rustwheel.stages.detect.bindings import Bindings

PYPY310 = Interpreter("pypy", 3, 10, "", ".pypy310-pp73-x86_64-linux-gnu.so", "pypy310-pp73",
                      "linux-x86_64", 64, "/opt/pypy/bin/pypy3.10", False, micro=14)
FT313 = cpython(13, abiflags="t", free_threaded=True)
ARM = Platform("aarch64-unknown-linux-gnu", "aarch64", "linux_aarch64", Compatibility(),
               explicit=True)
PYO3 = Bindings("pyo3", "pyo3")


def test_pypy_tags_and_suffix() -> None:
    assert (PYPY310.python_tag, PYPY310.abi_tag, PYPY310.short_tag) == \
        ("pp310", "pypy310_pp73", "pp310")
    cell, arm = cells_for(PYO3, [PYPY310], [LINUX, ARM])
    assert cell.name == f"pypy310_pp73-{TRIPLE}"
    assert cell.tag == "pp310-pypy310_pp73-linux_x86_64"
    assert cell.ext_suffix == ".pypy310-pp73-x86_64-linux-gnu.so"
    assert arm.tag == "pp310-pypy310_pp73-linux_aarch64"
    assert arm.ext_suffix == ".pypy310-pp73-aarch64-linux-gnu.so"


def test_pypy_without_soabi_takes_the_abi_from_its_extension_suffix() -> None:
    assert dataclasses.replace(PYPY310, soabi="").abi_tag == "pypy310_pp73"
    assert tags.abi_tag("pypy", 3, 11, "", False, "", ".pypy311-pp73-x86_64-linux-gnu.so") \
        == "pypy311_pp73"


def test_free_threaded_tags_and_suffix() -> None:
    assert (FT313.python_tag, FT313.abi_tag, FT313.short_tag) == ("cp313", "cp313t", "cp313t")
    assert FT313.description == "free-threaded CPython 3.13t"
    (cell,) = cells_for(PYO3, [FT313], [LINUX])
    assert cell.tag == "cp313-cp313t-linux_x86_64"
    assert cell.ext_suffix == ".cpython-313t-x86_64-linux-gnu.so"
    # A build reporting Py_GIL_DISABLED without "t" in its ABI flags is still cp313t.
    assert dataclasses.replace(FT313, abiflags="").abi_tag == "cp313t"


def test_other_cpython_abi_flags() -> None:
    assert cpython(7, abiflags="m").abi_tag == "cp37m"
    assert tags.python_tag("graalpy", 3, 11) == "graalpy311"


def test_the_running_interpreter_agrees_with_packaging() -> None:
    interp = run_probe(Path(sys.executable), os.environ)
    first = next(iter(pytags.sys_tags()))
    assert (interp.python_tag, interp.abi_tag) == (first.interpreter, first.abi)
    assert (interp.major, interp.minor, interp.micro) == sys.version_info[:3]
    assert interp.executable == sys.executable
    assert interp.lib_dir and interp.ld_version  # for a pyo3 config file
