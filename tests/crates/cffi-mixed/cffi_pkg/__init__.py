"""Python side of the cffi-mixed test crate."""

from ._lowlevel import lib


def add_then_double(a: int, b: int) -> int:
    return lib.multiply(lib.add(a, b), 2)
