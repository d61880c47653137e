"""Constructed host facts for the plan tests: interpreters as their probe reports them, and
the host platform."""

from __future__ import annotations

from rustwheel.config.compat import Compatibility
from rustwheel.host.interpreter import Interpreter
from rustwheel.plan.matrix import Platform

TRIPLE = "x86_64-unknown-linux-gnu"
LINUX = Platform(TRIPLE, "x86_64", "linux_x86_64", Compatibility())


def cpython(minor: int, executable: str = "", *, abiflags: str = "",
            free_threaded: bool = False) -> Interpreter:
    soabi = f"cpython-3{minor}{abiflags}-x86_64-linux-gnu"
    return Interpreter("cpython", 3, minor, abiflags, f".{soabi}.so", soabi, "linux-x86_64", 64,
                       executable or f"/usr/bin/python3.{minor}{abiflags}", free_threaded)


PYPY = Interpreter("pypy", 3, 11, "", ".pypy311-pp73-x86_64-linux-gnu.so",
                   "pypy311-pp73", "linux-x86_64", 64, "/usr/bin/pypy3", False)
